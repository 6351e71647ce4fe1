"""`guichet screen` : plan CSV ou XLSX, lignes fautives, sorties table/csv/md/xlsx, création des demandes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from analysis_helpers import generate_plan_rows, write_plan_csv
from conftest import git

from guichet_cli.core import yamlio
from guichet_cli.core.analysis import plan as plan_mod
from guichet_cli.core.analysis import screen
from guichet_cli.core.facts import amounts
from guichet_cli.core.workspace import open_workspace

TODAY = dt.date(2026, 11, 28)


def test_500_line_plan_every_line_classified(repo, tmp_path):
    rows = generate_plan_rows(500)
    path = write_plan_csv(tmp_path / "plan.csv", rows)
    res = screen.screen_file(open_workspace(repo), path, buyer="21930066200018", today=TODAY)
    assert not res.bad
    assert len(res.lines) == 500
    assert {s.row["priorite"] for s in res.lines} <= {"haute", "moyenne", "basse"}
    assert all(s.row["dispositions"] and s.row["regle"].startswith("rules/") for s in res.lines)
    assert [s.row["ligne"] for s in res.lines] == list(range(2, 502))
    # lignes 2 (nettoyage 380 000 € en 2026-01 → sous obligation ? lancement 01/01/2026, avant le 22/08/2026)
    first = res.lines[0].row
    assert first["cpv"] == "90911200" and first["montant"] == 380_000 and first["obligation"] == "non"
    assert any(s.row["obligation"] == "oui" for s in res.lines)
    summary = dict(res.summary())
    assert summary["Lignes analysées"] == 500
    assert summary["Priorité haute"] + summary["Priorité moyenne"] + summary["Priorité basse"] == 500


def test_bad_lines_reported_rest_screened(cli, repo, tmp_path):
    rows = generate_plan_rows(5)
    rows[2][2] = "beaucoup"           # ligne 3 du fichier : montant illisible
    rows[4][1] = ""                   # ligne 5 : CPV manquant
    path = write_plan_csv(tmp_path / "plan.csv", rows)
    res = cli("screen", str(path), repo=repo)
    assert "ligne 3 : montant illisible" in res.stderr
    assert "ligne 5 : code CPV manquant" in res.stderr
    assert "Lignes analysées : 3" in res.stdout


def test_cp1252_comma_csv_and_header_variants(repo, tmp_path):
    rows = [["Libellé", "CPV", "Montant HT", "Durée", "Département", "Lancement prévu"],
            ["Entretien ménager", "90919200", "1.200.000", "4 ans", "Hauts-de-Seine", "2027-03-01"],
            ["Élagage", "77340000", "95 000", "12", "93 – Seine-Saint-Denis", "mars 2027"]]
    path = write_plan_csv(tmp_path / "plan.csv", rows, delimiter=",", encoding="cp1252")
    lines, bad = plan_mod.read_plan(path)
    assert not bad
    assert lines[0].values["montant_estime_ht"] == 1_200_000 and lines[0].values["duree_mois"] == 48
    # « mars 2027 » : une période → son dernier jour (obligation L2112-2-1 signalée au moindre doute)
    assert lines[0].values["departements"] == ["92"] and lines[1].values["lancement_prevu"] == "2027-03-31"
    assert lines[1].values["objet"] == "Élagage"


@pytest.mark.parametrize(("text", "value"), [
    ("1 200 000,00 €", 1_200_000), ("1\u202f200\u202f000,00 €", 1_200_000), ("1.200.000", 1_200_000), ("1,2 M€", 1_200_000),
    ("350 k€", 350_000), ("216000", 216_000), ("12 345,5", 12_345.5), ("1 450 000 € HT", 1_450_000),
])
def test_french_amounts(text, value):
    # une seule lecture pour le plan, guichet new et guichet calibrate (tests/test_facts_consistency.py)
    assert amounts.parse_amount(text) == value


def test_missing_header_is_a_data_error(cli, repo, tmp_path):
    path = write_plan_csv(tmp_path / "plan.csv", [["a", "b"], ["1", "2"]])
    res = cli("screen", str(path), repo=repo, code=1)
    assert "en-tête" in res.stderr


def test_xlsx_in_and_out(cli, repo, tmp_path):
    rows = generate_plan_rows(30)
    rows.append(["=HYPERLINK(\"http://x\")", "45000000", "100 000", "12", "93", "2027-01-01"])
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["Plan d'achat 2027 de la ville"])  # titre au-dessus des en-têtes
    for r in rows:
        sheet.append(r)
    sheet.cell(row=3, column=3).value = 1_234_567  # un montant saisi comme nombre
    sheet.cell(row=sheet.max_row, column=1).data_type = "s"  # texte qui ressemble à une formule (saisie « '= » dans le tableur)
    src = tmp_path / "plan.xlsx"
    wb.save(src)
    out = tmp_path / "criblage.xlsx"
    res = cli("screen", str(src), "--format", "xlsx", "--out", str(out), "--buyer", "21930066200018", repo=repo)
    assert "31 lignes analysées" in res.stdout
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Criblage", "Synthèse", "Lignes rejetées"]
    data = list(book["Criblage"].iter_rows(values_only=True))
    header = data[0]
    col = {name: i for i, name in enumerate(header)}
    assert data[1][col["Ligne"]] == 3 and data[1][col["Montant HT"]] == 1_234_567
    assert all(isinstance(r[col["Montant HT"]], int | float) for r in data[1:])
    last = data[-1]
    assert last[col["Objet"]] == "'=HYPERLINK(\"http://x\")"  # neutralisé, pas une formule
    summary = dict(book["Synthèse"].iter_rows(values_only=True))
    assert summary["Lignes analysées"] == 31


def test_csv_and_markdown_outputs(cli, repo, tmp_path):
    path = write_plan_csv(tmp_path / "plan.csv", generate_plan_rows(14))
    out = cli("screen", str(path), "--format", "csv", repo=repo).stdout
    assert out.startswith("\ufeff")  # BOM aussi sur la sortie standard (« > criblage.csv » s'ouvre dans Excel)
    parsed = list(csv.reader(io.StringIO(out.removeprefix("\ufeff")), delimiter=";"))
    assert parsed[0][0] == "Ligne" and len(parsed) == 15
    md = cli("screen", str(path), "--format", "md", repo=repo).stdout
    assert md.startswith("| ") and "**Synthèse**" in md
    target = tmp_path / "out.csv"
    cli("screen", str(path), "--format", "csv", "--out", str(target), repo=repo)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    cli("screen", str(path), "--format", "xlsx", repo=repo, code=2)
    cli("screen", str(path), "--format", "pdf", repo=repo, code=2)


def test_neutralise():
    assert screen.neutralise("=1+1") == "'=1+1" and screen.neutralise("@x") == "'@x" and screen.neutralise("-2") == "'-2"
    assert screen.neutralise("Nettoyage") == "Nettoyage" and screen.neutralise(-2) == -2


def test_create_cases_from_plan(cli, git_repo, tmp_path):
    rows = [["Objet", "Code CPV", "Montant", "Durée (mois)", "Lieu", "Date de lancement"],
            ["Nettoyage des gymnases", "90911200", "400 000", "36", "93", "2027-02-01"],
            ["Petites fournitures", "30192000", "5 000", "12", "93", "2027-02-01"]]
    path = write_plan_csv(tmp_path / "plan.csv", rows)
    before = int(git(git_repo, "rev-list", "--count", "HEAD"))
    res = cli("screen", str(path), "--buyer", "21930066200018", "--create-cases", repo=git_repo)
    created = [line for line in res.stdout.splitlines() if "demande créée" in line]
    assert len(created) >= 1
    ids = [p for p in (git_repo / "cases").rglob("*.yaml") if "Nettoyage des gymnases" in p.read_text(encoding="utf-8")]
    assert len(ids) == 1
    data = yamlio.load_fast(ids[0])
    assert data["canal"] == "plan_achat" and data["marche"]["cpv"] == ["90911200"] and data["statut"] == "recue"
    assert int(git(git_repo, "rev-list", "--count", "HEAD")) == before + len(created)
    cli("validate", str(ids[0]), repo=git_repo)


def test_create_cases_needs_buyer(cli, repo, tmp_path):
    path = write_plan_csv(tmp_path / "plan.csv", generate_plan_rows(2))
    cli("screen", str(path), "--create-cases", repo=repo, code=2)


def test_unknown_plan_format(cli, repo, tmp_path):
    p = tmp_path / "plan.pdf"
    p.write_bytes(b"%PDF")
    cli("screen", str(p), repo=repo, code=2)
    cli("screen", str(tmp_path / "absent.csv"), repo=repo, code=2)


def test_screen_does_not_touch_the_repo(repo, tmp_path):
    path = write_plan_csv(tmp_path / "plan.csv", generate_plan_rows(10))
    before = sorted(p.relative_to(repo) for p in Path(repo).rglob("*"))
    screen.screen_file(open_workspace(repo), path, today=TODAY)
    assert sorted(p.relative_to(repo) for p in Path(repo).rglob("*")) == before


def test_messy_plan_ttc_periods_region_form_and_nan(repo, tmp_path):
    """Plan réel : titre sans séparateur, colonne TTC avant la HT, trimestres, « Île-de-France », forme, « nan »."""
    text = ("Plan des achats 2027 – direction des achats\n"
            "Objet du marché,Code CPV principal,Montant estimé TTC,Montant estimé HT (€),Durée,Lieu d'exécution,"
            "Trimestre de lancement,Forme\n"
            "Nettoyage des écoles,90919200-4,\"1 440 000,00 €\",\"1 200 000,00 €\",4 ans,Seine-Saint-Denis,T3 2026,"
            "Accord-cadre à bons de commande\n"
            "Collecte régionale,90511000,,300 000,12,Île-de-France,1er septembre 2026,Marché ordinaire\n"
            "Espaces verts,77310000,,nan,36,95,,\n"
            "Gardiennage,79713000,,inf,12,75,2e semestre 2027,\n")
    path = tmp_path / "plan.csv"
    path.write_text(text, encoding="utf-8")
    lines, bad = plan_mod.read_plan(path)
    first, second = lines[0].values, lines[1].values
    assert first["montant_estime_ht"] == 1_200_000  # jamais le TTC
    assert first["forme"] == "accord_cadre_bons_de_commande"
    # T3 2026 : dernier jour du trimestre, après le 22/08/2026 → l'obligation est signalée
    assert first["lancement_prevu"] == "2026-09-30" and any("T3 2026" in n for n in lines[0].notes)
    assert second["departements"] == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert second["lancement_prevu"] == "2026-09-01" and second["forme"] == "marche_ordinaire"
    assert [(b.row, b.problems) for b in bad] == [(5, ["montant illisible : « nan » (n'est pas un nombre)"]),
                                                  (6, ["montant illisible : « inf » (n'est pas un nombre)"])]
    res = screen.screen_file(open_workspace(repo), path, buyer_type="pouvoir_adjudicateur", today=TODAY)
    assert res.lines[0].row["obligation"] == "oui" and res.lines[0].row["priorite"] == "haute"


def test_ttc_only_plan_is_refused(cli, repo, tmp_path):
    path = write_plan_csv(tmp_path / "plan.csv", [["Objet", "CPV", "Montant TTC"], ["Nettoyage", "90911200", "120 000"]])
    res = cli("screen", str(path), repo=repo, code=1)
    assert "montant" in res.stderr and "TTC" in res.stderr
    path = write_plan_csv(tmp_path / "plan2.csv", [["Objet", "CPV", "Montant (€ TTC)"], ["Nettoyage", "90911200", "120 000"]])
    cli("screen", str(path), repo=repo, code=1)


@pytest.mark.parametrize(("raw", "iso", "approx"), [
    ("T4 2026", "2026-12-31", True), ("3e trimestre 2026", "2026-09-30", True), ("S1 2027", "2027-06-30", True),
    ("août 2026", "2026-08-31", True), ("08/2026", "2026-08-31", True), ("1er septembre 2026", "2026-09-01", False),
    ("21/08/2026", "2026-08-21", False), (46280, "2026-09-15", False), (dt.datetime(2026, 8, 22, 0, 0), "2026-08-22", False),
])
def test_launch_dates_and_periods(raw, iso, approx):
    assert plan_mod.parse_launch(raw) == (iso, approx)


def test_xlsx_numeric_cpv_keeps_leading_zero(repo, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Objet", "CPV", "Montant HT", "Durée", "Département", "Date de lancement"])
    wb.active.append(["Fioul des chaufferies", 9135100, 250000, 12, 93, dt.datetime(2027, 1, 15)])
    src = tmp_path / "plan.xlsx"
    wb.save(src)
    lines, bad = plan_mod.read_plan(src)
    assert not bad and lines[0].values["cpv"] == ["09135100"] and lines[0].values["lancement_prevu"] == "2027-01-15"


def test_csv_amounts_written_without_decimals(repo, tmp_path):
    path = write_plan_csv(tmp_path / "plan.csv", [["Objet", "CPV", "Montant HT", "Durée", "Département", "Lancement"],
                                                  ["Nettoyage", "90911200", "1 200 000,00 €", "12", "93", "2027-01-15"]])
    res = screen.screen_file(open_workspace(repo), path, buyer_type="pouvoir_adjudicateur", today=TODAY)
    row = next(csv.DictReader(io.StringIO(screen.to_csv(res).decode("utf-8-sig")), delimiter=";"))
    assert row["Montant HT"] == "1200000" and row["Seuil européen"] == "216000"
    assert row["Lancement"] == "15/01/2027"  # conventions françaises (docs/bilans.md)
    assert "Clause d" in row["Dispositions"] or "clause d" in row["Dispositions"]  # libellé, pas le code


def test_create_cases_twice_does_not_duplicate(cli, git_repo, tmp_path):
    """Issue 17, point 6 : une ligne de plan déjà devenue demande est reconnue ; CODEOWNERS reste à jour (point 5)."""
    import shutil

    from conftest import PROJECT

    shutil.copy(PROJECT / "CODEOWNERS", git_repo / "CODEOWNERS")
    git(git_repo, "add", "CODEOWNERS")
    git(git_repo, "commit", "-q", "-m", "CODEOWNERS\n")
    rows = [["Objet", "Code CPV", "Montant", "Durée (mois)", "Lieu", "Date de lancement"],
            ["Nettoyage des gymnases", "90911200", "400 000", "36", "93", "2027-02-01"]]
    path = write_plan_csv(tmp_path / "plan.csv", rows)
    first = cli("screen", str(path), "--buyer", "21930066200018", "--create-cases", repo=git_repo)
    assert "demande créée" in first.stdout
    second = cli("screen", str(path), "--buyer", "21930066200018", "--create-cases", repo=git_repo)
    assert "demande créée" not in second.stdout and "déjà enregistrée (GRCS-" in second.stdout
    same = [p for p in (git_repo / "cases").rglob("*.yaml") if "Nettoyage des gymnases" in p.read_text(encoding="utf-8")]
    assert len(same) == 1
    cli("codeowners", "--check", repo=git_repo)


def test_csv_follows_french_conventions() -> None:
    """Virgule décimale (Excel en français lit « 1234567,89 » comme un nombre, pas « 1234567.89 »),
    « ; », dates jj/mm/aaaa, UTF-8 avec BOM."""
    import datetime as dt

    from guichet_cli.core import sheets

    data = sheets.french_csv([["Montant", "Date", "Taux"], [1234567.89, dt.date(2026, 8, 22), 0.075], [1200000.0, None, 3]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["Montant;Date;Taux", "1234567,89;22/08/2026;0,075", "1200000;;3"]
