"""Chaque `--format csv` du guichet suit les conventions françaises des tableurs (core/sheets.py) :
UTF-8 avec BOM, séparateur « ; », virgule décimale, dates jj/mm/aaaa, formules neutralisées,
libellés et non codes internes (issue 11). Une commande par test, sur le vrai CLI."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from analysis_helpers import generate_plan_rows, write_plan_csv
from conftest import Cli, copy_repo, git, init_git
from decp_helpers import DECP_SCHEMA, marche, write_decp

BOM = "\ufeff"
CODE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")  # clause_insertion, en_execution, identifiant_acteur…
POINT_DECIMAL = re.compile(r"^-?\d+\.\d+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FR_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
FR_DECIMAL = re.compile(r"^-?\d+,\d+$")


def french_rows(text: str) -> list[list[str]]:
    """Le CSV tel qu'Excel en français le lit : BOM, « ; », une largeur de ligne ; aucun nombre à point
    décimal, aucune date ISO, aucun code interne, aucune cellule qui serait une formule."""
    assert text.startswith(BOM), text[:40]
    body = text[len(BOM):]
    assert body.split("\n", 1)[0].count(";") >= 2 and "," not in body.split("\n", 1)[0]
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert len(rows) >= 2
    width = len(rows[0])
    problems = []
    for n, row in enumerate(rows, start=1):
        if len(row) != width:
            problems.append(f"ligne {n} : {len(row)} colonnes au lieu de {width}")
        for cell in row:
            if POINT_DECIMAL.match(cell):
                problems.append(f"ligne {n} : nombre à point décimal {cell!r}")
            if ISO_DATE.match(cell):
                problems.append(f"ligne {n} : date ISO {cell!r}")
            if CODE.match(cell):
                problems.append(f"ligne {n} : code interne {cell!r}")
            if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not re.fullmatch(r"-\d+(?:,\d+)?", cell)):
                problems.append(f"ligne {n} : formule {cell!r}")
    assert problems == []
    return rows


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_git(copy_repo(tmp_path_factory.mktemp("csv") / "depot"))


def test_report_csv(tmp_path: Path) -> None:
    from report_data import BUYER_A, FORMULA, build_repo

    # « Mis à jour le » vient de l'historique git : un vrai dépôt, et un dossier modifié à une date connue
    repo = init_git(build_repo(tmp_path / "depot"))
    case = repo / "cases" / "2026" / "GRCS-2026-AAA1.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    stamp = {"GIT_AUTHOR_DATE": "2026-03-14T10:00:00+01:00", "GIT_COMMITTER_DATE": "2026-03-14T10:00:00+01:00"}
    git(repo, "commit", "-q", "-am", "Dossier mis à jour", env=stamp)
    Cli()("report", "--year", "2026", "--buyer", BUYER_A, "--format", "csv", "--out", str(tmp_path / "out"), repo=repo)
    raw = (tmp_path / "out" / f"bilan-2026-{BUYER_A}.csv").read_bytes()
    rows = french_rows(raw.decode("utf-8"))
    assert rows[0] == ["Tableau", "Ligne", "Colonne", "Valeur"]
    values = [r[3] for r in rows[1:]]
    assert str(round(1300 / 1362, 4)).replace(".", ",") == "0,9545" and "0,9545" in values  # taux de réalisation, virgule décimale
    assert "'" + FORMULA in values  # texte piégé neutralisé
    updated = {r[1]: r[3] for r in rows[1:] if r[0] == "Annexe : dossiers pris en compte" and r[2] == "Mis à jour le"}
    assert updated["GRCS-2026-AAA1"] == "14/03/2026"  # date de l'historique, en jj/mm/aaaa
    assert updated and all(FR_DATE.match(v) for v in updated.values())
    assert b"\r\n" in raw


def test_due_csv(sample: Path) -> None:
    text = Cli()("due", "--on", "2026-12-01", "--format", "csv", repo=sample).stdout_bytes.decode()
    assert text.endswith(";\r\n") or text.endswith("\r\n")  # CRLF, comme le fichier d'un tableur
    rows = french_rows(text)
    assert rows[0] == ["Acteur", "Identifiant de l'acteur", "Dossier", "Attente", "Depuis le", "Jours", "Source de la date",
                       "Attendu par"]
    since = [r[4] for r in rows[1:]]
    assert since and all(FR_DATE.match(v) for v in since)
    assert "02/03/2026" in since  # GRCS-2025-Y9DW, réunion de lancement attendue depuis le 2 mars 2026


def test_followup_show_csv(sample: Path, tmp_path: Path) -> None:
    cli = Cli()
    text = cli("followup", "show", "GRCS-2026-W2X4", "--format", "csv", "--on", "2026-12-02", repo=sample).stdout_bytes.decode()
    rows = french_rows(text)
    head = rows[0]
    nettoyage = next(r for r in rows[1:] if r[head.index("Titulaire")].startswith("Nettoyage Solidaire"))
    # 60 h réalisées sur 491 dues : taux 0,1222 (virgule décimale) ; dates jj/mm/aaaa
    assert nettoyage[head.index("Heures dues")] == "491" and nettoyage[head.index("Heures réalisées")] == "60"
    assert nettoyage[head.index("Taux de réalisation")] == "0,1222"
    assert nettoyage[head.index("Début")] == "01/09/2026" and nettoyage[head.index("Fin")] == "17/05/2028"
    # le même CSV écrit dans un fichier : octets identiques, BOM compris
    out = tmp_path / "suivi.csv"
    cli("followup", "show", "GRCS-2026-W2X4", "--format", "csv", "--on", "2026-12-02", "--out", str(out), repo=sample)
    assert out.read_bytes().decode("utf-8") == text


def test_import_decp_csv(tmp_path: Path) -> None:
    repo = init_git(copy_repo(tmp_path / "depot"))
    mods = [{"modification": {"id": 1, "dateNotificationModification": "2027-01-15", "datePublicationDonneesModification": "2027-01-20",
                              "montant": 1300000}}]
    path = write_decp(tmp_path / "d.json", [marche(modifications=mods),
                                            marche(id="=1+1", acheteur={"id": "21930066200018"}, montant=1e17)])
    res = Cli()("import", "decp", str(path), "--schema", str(DECP_SCHEMA), "--format", "csv", repo=repo, code=1)
    rows = french_rows(res.stdout)
    assert rows[0] == ["Type", "Fichier", "Enregistrement", "Identifiant DECP", "Acheteur (SIRET)", "Demande", "Score", "Détail"]
    types = {r[0] for r in rows[1:]}
    assert {"rapprochement confiant", "modification appliquée", "défaut : montant invraisemblable"} <= types
    [mod] = [r for r in rows[1:] if r[0] == "modification appliquée"]
    assert mod[5] == "GRCS-2026-P4Q5" and mod[7].startswith("modification 1 du 15")
    assert "'=1+1" in [r[3] for r in rows[1:]]  # identifiant piégé neutralisé
    scores = [r[6] for r in rows[1:] if r[0].startswith("rapprochement")]
    assert scores and all(re.fullmatch(r"\d+(?:,\d)?", s) for s in scores)


def test_screen_csv(sample: Path, tmp_path: Path) -> None:
    rows_in = generate_plan_rows(14)
    rows_in[1][0] = "=HYPERLINK(\"http://exemple.invalid\")"
    rows_in[2][2] = "1 234 567,89"  # montant à décimales
    plan = write_plan_csv(tmp_path / "plan.csv", rows_in)
    cli = Cli()
    text = cli("screen", str(plan), "--format", "csv", repo=sample).stdout_bytes.decode()  # .stdout change CRLF en LF
    rows = french_rows(text)
    head = rows[0]
    assert head[0] == "Ligne"
    assert "'=HYPERLINK(\"http://exemple.invalid\")" in [r[head.index("Objet")] for r in rows[1:]]
    assert "1234567,89" in [r[head.index("Montant HT")] for r in rows[1:]]
    assert any("clause d'insertion" in r[head.index("Dispositions")] for r in rows[1:])
    out = tmp_path / "criblage.csv"
    cli("screen", str(plan), "--format", "csv", "--out", str(out), repo=sample)
    assert out.read_bytes().decode("utf-8") == text  # fichier et sortie standard : mêmes octets, BOM compris


def test_one_writer_for_every_csv() -> None:
    """Aucun module ne fabrique son CSV à côté de core/sheets.py (séparateur, BOM, virgule décimale)."""
    root = Path(__file__).resolve().parents[1] / "guichet_cli"
    writers = [str(p.relative_to(root)) for p in root.rglob("*.py") if "csv.writer(" in p.read_text(encoding="utf-8")]
    assert writers == ["core/sheets.py"]
