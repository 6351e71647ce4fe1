"""guichet report en lot (--all) : un donneur aux données invalides est signalé, les autres bilans
sont produits ; données manquantes dans le résumé ; erreurs d'utilisation en français, rien d'écrit."""

from __future__ import annotations

from pathlib import Path

from report_data import BUYER_A, BUYER_B, BUYER_C, build_repo


def test_all_batch_reports_bad_buyer_and_produces_the_others(cli, tmp_path: Path) -> None:  # noqa: ANN001
    repo = build_repo(tmp_path / "depot", with_bad=True)
    out = tmp_path / "bilans"
    res = cli("report", "--year", "2026", "--all", "--format", "xlsx", "--out", str(out), repo=repo, code=1)
    assert sorted(p.name for p in out.iterdir()) == [f"bilan-2026-{BUYER_A}.xlsx", f"bilan-2026-{BUYER_B}.xlsx"]
    assert "2 fichiers écrits" in res.stdout
    assert "Données manquantes : 1" in res.stdout and "GRCS-2025-AAA4" in res.stdout
    assert BUYER_C in res.stderr and "heures_realisees" in res.stderr and "nombre attendu" in res.stderr
    assert "1 bilan ou dossier en erreur" in res.stderr
    assert "Traceback" not in res.output


def test_region_skips_invalid_case_and_lists_it(cli, tmp_path: Path) -> None:  # noqa: ANN001
    repo = build_repo(tmp_path / "depot", with_bad=True)
    res = cli("report", "--year", "2026", "--region", "--format", "md", "--out", str(tmp_path / "o"), repo=repo, code=1)
    md = (tmp_path / "o" / "bilan-2026-region.md").read_text(encoding="utf-8")
    assert "## Dossiers écartés (données invalides)" in md and "GRCS-2026-CCC1" in md
    assert "GRCS-2026-CCC1" in res.stderr


def test_unparsable_case_is_listed_apart(cli, tmp_path: Path) -> None:  # noqa: ANN001
    # syntaxe YAML invalide : le donneur d'ordre ne se lit pas (pas de lecture du texte brut) ; le
    # dossier est listé à part, en erreur, et les bilans des donneurs sont produits
    repo = build_repo(tmp_path / "depot")
    (repo / "cases" / "2026" / "GRCS-2026-DDD1.yaml").write_text(
        f'id: GRCS-2026-DDD1\ndonneur_ordre: "{BUYER_B}"\nmarche: [oups\n', encoding="utf-8")
    out = tmp_path / "o"
    res = cli("report", "--year", "2026", "--all", "--format", "json", "--out", str(out), repo=repo, code=1)
    assert sorted(p.name for p in out.iterdir()) == [f"bilan-2026-{BUYER_A}.json", f"bilan-2026-{BUYER_B}.json"]
    assert "dossiers illisibles : cases/2026/GRCS-2026-DDD1.yaml:4:1: syntaxe YAML invalide" in res.stderr


def test_usage_errors_write_nothing(cli, tmp_path: Path) -> None:  # noqa: ANN001
    repo = build_repo(tmp_path / "depot")
    out = tmp_path / "o"
    cases = [
        (["--year", "2026"], "quel bilan produire"),
        (["--year", "2026", "--all", "--buyer", BUYER_A], "incompatibles"),
        (["--year", "2026", "--all", "--format", "pdf"], "--format : valeur « pdf » inconnue"),
        (["--year", "26", "--all"], "hors limites"),
        (["--year", "2026", "--buyer", "123"], "SIRET"),
    ]
    for args, message in cases:
        res = cli("report", *args, "--out", str(out), repo=repo, code=2)
        assert message in res.stderr, (args, res.stderr)
    res = cli("report", "--year", "2026", "--buyer", "12345678901234", "--out", str(out), repo=repo, code=1)
    assert "aucun dossier" in res.stderr
    assert not out.exists()


def test_default_output_dir_and_help(cli, tmp_path: Path) -> None:  # noqa: ANN001
    repo = build_repo(tmp_path / "depot")
    res = cli("report", "--year", "2026", "--buyer", BUYER_B, "--format", "md", repo=repo)
    assert (repo / "bilans" / "2026" / f"bilan-2026-{BUYER_B}.md").is_file()
    assert "Données manquantes : aucune." in res.stdout
    helptext = cli("report", "--help").stdout
    assert "Exemples" in helptext and "--public" in helptext
