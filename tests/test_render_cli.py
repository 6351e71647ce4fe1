"""guichet render et guichet templates check par la vraie CLI : refus, lot, PDF absent, bac à sable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from render_helpers import make_template

CASE = "GRCS-2026-7F3K"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_render_one_case_writes_named_drafts_identically_twice(cli, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "sortie"
    result = cli("render", CASE, "--out", str(out), repo=repo)
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{CASE}_clause_insertion_2026-04-14.docx", f"{CASE}_lettre_accompagnement_2026-04-14.docx"]
    assert "écrit" in result.stdout
    first = {n: (out / n).read_bytes() for n in names}
    cli("render", CASE, "--out", str(out), repo=repo)
    assert {n: (out / n).read_bytes() for n in names} == first
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # pas de fichier temporaire laissé


def test_refuses_invalid_case_and_writes_nothing(cli, repo: Path, tmp_path: Path) -> None:
    _edit(repo / "cases" / "2026" / f"{CASE}.yaml", "montant_estime_ht: 1450000", "montant_estime_ht: beaucoup")
    out = tmp_path / "sortie"
    result = cli("render", CASE, "--out", str(out), repo=repo, code=1)
    assert "n'est pas valide, rédaction refusée" in result.stderr and "ligne 14" in result.stderr
    assert "guichet validate" in result.stderr
    assert not out.exists()


def test_refuses_case_without_recommendation(cli, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "sortie"
    result = cli("render", "GRCS-2026-A2B9", "--out", str(out), repo=repo, code=1)
    assert "aucune recommandation" in result.stderr and "analyse.recommandation" in result.stderr
    assert not out.exists()


def test_usage_errors(cli, repo: Path) -> None:
    assert "quel dossier" in cli("render", repo=repo, code=2).stderr
    assert "pas les deux" in cli("render", CASE, "--all", repo=repo, code=2).stderr
    assert "qu'avec --all" in cli("render", CASE, "--year", "2026", repo=repo, code=2).stderr
    assert "statut inconnu" in cli("render", "--all", "--status", "brouillon", repo=repo, code=2).stderr


def test_batch_reports_one_failure_and_renders_the_others(cli, repo: Path, tmp_path: Path) -> None:
    # un dossier 2026 avec une clause d'insertion mais sans calibrage : refusé, les autres rédigés
    path = repo / "cases" / "2026" / f"{CASE}.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("  calibrage:"), text.index("  transmise_le:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    out = tmp_path / "sortie"
    result = cli("render", "--all", "--year", "2026", "--out", str(out), repo=repo, code=1)
    assert "ÉCHEC" in result.stdout and CASE in result.stdout and "calibrage" in result.stdout
    assert "1 en échec" in result.stdout and "sans recommandation ignoré" in result.stdout
    written = {p.name.split("_")[0] for p in out.iterdir()}
    assert CASE not in written and len(written) >= 5
    assert all(name.startswith("GRCS-2026-") for name in written)


def test_batch_status_filter(cli, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "sortie"
    result = cli("render", "--all", "--status", "recommandation_transmise", "--out", str(out), repo=repo)
    assert "rédigé" in result.stdout
    assert CASE in {p.name.split("_")[0] for p in out.iterdir()}
    assert "GRCS-2025-3M8Q" not in result.stdout  # clôturé : hors filtre


def test_pdf_without_libreoffice_says_how_to_install_and_writes_nothing(cli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # ni soffice ni libreoffice
    out = tmp_path / "sortie"
    result = cli("render", CASE, "--pdf", "--out", str(out), repo=repo, code=3)
    assert "LibreOffice" in result.stderr and "apt-get install libreoffice-writer" in result.stderr
    assert not out.exists()


def test_sandbox_blocks_code_execution_from_a_template(cli, repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "PIRATE"
    make_template(
        repo / "clause_templates" / "lettre_accompagnement.docx",
        "Objet : {{ marche.objet }}",
        f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}",
    )
    out = tmp_path / "sortie"
    result = cli("render", CASE, "--out", str(out), repo=repo, code=3)
    assert "bac à sable" in result.stderr and "lettre_accompagnement.docx" in result.stderr
    assert not marker.exists()
    assert not out.exists()  # la clause déjà rendue en mémoire n'est pas écrite non plus


def test_unknown_variable_in_template_is_a_clear_error(cli, repo: Path, tmp_path: Path) -> None:
    make_template(repo / "clause_templates" / "lettre_accompagnement.docx", "Objet : {{ marche.objt }}")
    result = cli("render", CASE, "--out", str(tmp_path / "s"), repo=repo, code=3)
    assert "variable absente du contexte" in result.stderr and "objt" in result.stderr


def test_templates_check_passes_on_the_real_templates(cli, repo: Path) -> None:
    result = cli("templates", "check", repo=repo)
    assert "11 modèles vérifiés" in result.stdout and "aucun problème" in result.stdout
    assert re.search(r", \d+ rendus? sur \d+ dossiers? d'exemple", result.stdout)


def test_templates_check_lists_undeclared_and_unused_variables(cli, repo: Path) -> None:
    make_template(
        repo / "clause_templates" / "lettre_accompagnement.docx",
        "{{ marche.objt }} {{ inconnue }}",
        "{%p for lot in calibrage.lots %}",
        "{{ lot.heures }}",
        "{%p endfor %}",
    )
    result = cli("templates", "check", "--no-render", repo=repo, code=1)
    out = result.stdout
    assert "« inconnue »" in out and "« marche.objt »" in out and "« calibrage.lots.heures »" in out
    # demandeur n'était utilisé que par la lettre : désormais déclaré mais inutilisé
    assert "variable « demandeur » déclarée mais utilisée par aucun modèle" in out


def test_templates_check_reports_a_broken_tag(cli, repo: Path) -> None:
    make_template(repo / "clause_templates" / "variante_sociale.docx", "{% if marche.anru %} sans fin")
    result = cli("templates", "check", "--no-render", repo=repo, code=1)
    assert "variante_sociale.docx : balise mal formée" in result.stdout


def _fake_office(bindir: Path, body: str) -> Path:
    """Un vrai exécutable « soffice » minimal (LibreOffice n'est pas installé ici)."""
    bindir.mkdir(exist_ok=True)
    script = bindir / "soffice"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(0o755)
    return script


def test_pdf_conversion_goes_through_soffice_and_writes_next_to_the_docx(cli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # arguments reçus : -env:… --headless --convert-to pdf --outdir DIR FICHIER.docx ; écrit DIR/FICHIER.pdf
    _fake_office(tmp_path / "bin", 'out="$6"; src="$7"; n=$(basename "$src" .docx); printf "%%PDF-1.4 %s" "$n" > "$out/$n.pdf"\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    out = tmp_path / "sortie"
    cli("render", CASE, "--pdf", "--out", str(out), repo=repo)
    pdf = out / f"{CASE}_clause_insertion_2026-04-14.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-1.4 " + CASE.encode())
    assert len(list(out.glob("*.pdf"))) == 2


def test_pdf_conversion_never_hangs(repo: Path, tmp_path: Path) -> None:
    from guichet_cli.core.errors import EnvironmentProblem
    from guichet_cli.core.render.pdf import to_pdf

    office = _fake_office(tmp_path / "bin", "exec sleep 30\n")
    docx_file = tmp_path / "piece.docx"
    docx_file.write_bytes(b"PK")
    with pytest.raises(EnvironmentProblem, match="interrompue après 1 s"):
        to_pdf(str(office), docx_file, timeout=1)
    assert not docx_file.with_suffix(".pdf").exists()


def test_disposition_without_template_is_said_clearly(cli, repo: Path, tmp_path: Path) -> None:
    _edit(repo / "rules" / "redaction.yaml", "  variante_sociale:\n    fichier: variante_sociale.docx\n", "")
    out = tmp_path / "sortie"
    result = cli("render", "GRCS-2025-QN3H", "--out", str(out), repo=repo)
    assert "pas de modèle de rédaction pour la disposition « variante_sociale »" in result.stdout
    assert sorted(p.name.split("_", 1)[1] for p in out.iterdir()) == ["clause_insertion_2025-04-18.docx", "lettre_accompagnement_2025-04-18.docx"]
    from render_helpers import docx_text

    letter = docx_text((out / "GRCS-2025-QN3H_lettre_accompagnement_2025-04-18.docx").read_bytes())
    assert "variante sociale" in letter and "pas encore d’un modèle de rédaction pour cette disposition" in letter
