"""guichet report sur le modèle typé et le magasin : chaque fichier analysé une seule fois ; un dossier
au champ du mauvais type (qui a contourné le schéma) est signalé par fichier, ligne et champ, en
français, et les bilans des autres donneurs d'ordre sont produits."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from report_data import BUYER_A, BUYER_B, BUYER_C, build_repo

from guichet_cli.core import yamlio

BAD_ID = "GRCS-2026-CCC2"
BAD_HEAD = f"""id: {BAD_ID}
statut: decision_rendue
recue_le: "2026-01-05"
donneur_ordre: "{BUYER_C}"
demandeur: contact-0007
marche:
  objet: Collecte des déchets
  nature: services
  cpv: ["90511000"]
  montant_estime_ht: 200000
  duree_mois: 12
  forme: marche_ordinaire
  lieux_execution:
    - departement: "75"
"""


def _parses_by_file() -> Counter[Path]:
    out: Counter[Path] = Counter()
    for path, n in yamlio.PARSES.items():
        out[Path(path).resolve()] += n
    return out


def test_each_file_is_parsed_once(cli, git_repo: Path, tmp_path: Path) -> None:  # noqa: ANN001
    yamlio.PARSES.clear()
    cli("report", "--year", "2026", "--all", "--region", "--format", "json", "--out", str(tmp_path / "o"), repo=git_repo)
    parses = _parses_by_file()
    cases = sorted((git_repo / "cases").rglob("*.yaml"))
    registry = [p for d in ("donneurs", "partners", "contacts") for p in sorted((git_repo / d).glob("*.yaml"))]
    assert cases and registry
    assert {p.resolve(): parses[p.resolve()] for p in cases} == {p.resolve(): 1 for p in cases}
    assert {p: n for p, n in parses.items() if p.parent.name in ("donneurs", "partners", "contacts") and n > 1} == {}
    assert all(parses[p.resolve()] <= 1 for p in registry)
    assert max(parses.values()) == 1  # règles et réglages compris


@pytest.mark.parametrize(
    ("tail", "where", "problem"),
    [
        ('decision: "oui"\n', ":15:11: $.decision : ", "bloc de champs « clé: valeur » attendu, trouvé le texte « oui »"),
        ('resultats:\n  - annee: "2026"\n    heures_realisees: 10\n    participants: {total: 1}\n',
         ":16:12: $.resultats[0].annee : ", "nombre entier attendu, trouvé le texte « 2026 »"),
    ],
)
def test_wrong_type_names_file_line_and_field(cli, tmp_path: Path, tail: str, where: str, problem: str) -> None:  # noqa: ANN001
    repo = build_repo(tmp_path / "depot")
    bad = repo / "cases" / "2026" / f"{BAD_ID}.yaml"
    bad.write_text(BAD_HEAD + tail, encoding="utf-8")
    out = tmp_path / "o"
    res = cli("report", "--year", "2026", "--all", "--format", "json", "--out", str(out), repo=repo, code=1)
    # les autres donneurs ont leur bilan ; celui du dossier illisible (lu dans l'arbre analysé) est signalé
    assert sorted(p.name for p in out.iterdir()) == [f"bilan-2026-{BUYER_A}.json", f"bilan-2026-{BUYER_B}.json"]
    assert f"{BUYER_C} : bilan {BUYER_C} non produit : dossier illisible : " in res.stderr
    assert f"cases/2026/{BAD_ID}.yaml{where}{problem}" in res.stderr
    assert "1 bilan ou dossier en erreur" in res.stderr
    assert "Traceback" not in res.output

    # panorama régional : produit, le dossier y est écarté avec son identifiant, son fichier et sa position
    res = cli("report", "--year", "2026", "--region", "--format", "json", "--out", str(out), repo=repo, code=1)
    region = json.loads((out / "bilan-2026-region.json").read_text(encoding="utf-8"))
    assert region["dossiers_ecartes"] == [
        {"dossier": BAD_ID, "fichier": f"cases/2026/{BAD_ID}.yaml", "probleme": f"cases/2026/{BAD_ID}.yaml{where}{problem}"}
    ]

    # le bilan d'un autre donneur seul n'est pas touché
    cli("report", "--year", "2026", "--buyer", BUYER_A, "--format", "json", "--out", str(tmp_path / "a"), repo=repo)


def test_negative_count_names_file_line_and_field(cli, tmp_path: Path) -> None:  # noqa: ANN001
    # bien typé mais hors bornes (le schéma l'interdit) : le bilan du donneur est signalé, pas faux
    repo = build_repo(tmp_path / "depot")
    tail = ("execution:\n  notifie_le: \"2026-02-01\"\n  montant_notifie_ht: 200000\n"
            "resultats:\n  - annee: 2026\n    heures_realisees: -40\n    participants: {total: 1}\n")
    (repo / "cases" / "2026" / f"{BAD_ID}.yaml").write_text(BAD_HEAD + tail, encoding="utf-8")
    out = tmp_path / "o"
    res = cli("report", "--year", "2026", "--all", "--format", "json", "--out", str(out), repo=repo, code=1)
    assert sorted(p.name for p in out.iterdir()) == [f"bilan-2026-{BUYER_A}.json", f"bilan-2026-{BUYER_B}.json"]
    assert f"cases/2026/{BAD_ID}.yaml:20:23: $.resultats[0].heures_realisees : nombre positif attendu, trouvé le nombre -40" in res.stderr
