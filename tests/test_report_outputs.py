"""Bilans DOCX, XLSX, CSV, Markdown : mêmes chiffres que le JSON, nombres stockés comme nombres,
neutralisation des formules, mêmes données → mêmes octets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import docx
import openpyxl
import pytest
from report_data import BUYER_A, FORMULA, build_repo

from guichet_cli.core.frformat import integer, money, percent


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from conftest import Cli

    base = tmp_path_factory.mktemp("sorties")
    repo = build_repo(base / "depot")
    cli = Cli()
    out: dict[str, Path] = {}
    for fmt in ("json", "docx", "xlsx", "csv", "md"):
        cli("report", "--year", "2026", "--buyer", BUYER_A, "--format", fmt, "--out", str(base / "a"), repo=repo)
        out[fmt] = base / "a" / f"bilan-2026-{BUYER_A}.{fmt}"
        if fmt in ("docx", "xlsx", "json"):  # formats à archive et à en-tête : les seuls où une date pourrait varier
            cli("report", "--year", "2026", "--buyer", BUYER_A, "--format", fmt, "--out", str(base / "b"), repo=repo)
            out[fmt + "_bis"] = base / "b" / f"bilan-2026-{BUYER_A}.{fmt}"
    out["repo"] = repo
    return out


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_same_data_same_bytes(outputs: dict[str, Path]) -> None:
    for fmt in ("json", "docx", "xlsx"):
        assert outputs[fmt].read_bytes() == outputs[fmt + "_bis"].read_bytes(), fmt


def test_docx_has_the_json_figures_and_charts(outputs: dict[str, Path]) -> None:
    r = json.loads(outputs["json"].read_text(encoding="utf-8"))
    text = _docx_text(outputs["docx"])
    i = r["indicateurs"]
    assert all(part in text for part in r["bilan"]["titre"].split(" — "))  # titre sur deux lignes
    assert f"{integer(i['heures']['realisees'])}\u00a0h" in text  # 1 300 h
    assert f"{integer(i['heures']['prevues'])}\u00a0h" in text  # 1 362 h
    assert money(i["marches"]["montant_notifie_ht"]) in text  # 6 000 000 € HT
    assert percent(i["heures"]["taux_realisation"], 1) in text  # 95,4 %
    assert "0,81" in text  # ETP
    assert "GRCS-2025-AAA4" in text and "marché en exécution sans résultats pour 2026" in text  # données manquantes
    assert "Trois jeunes du quartier recrutés." in text  # partie qualitative
    d = docx.Document(str(outputs["docx"]))
    synth = {row.cells[0].text: row.cells[1].text for row in d.tables[0].rows}
    assert synth["Participants (somme par marché)"] == "7"
    assert synth["Demandes reçues"] == "2"
    assert len(d.inline_shapes) == 5  # heures, publics, familles, dispositions recommandées et retenues par année
    assert "{{" not in text and "{%" not in text and "\u27e6" not in text


def test_xlsx_numbers_are_numbers(outputs: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(outputs["xlsx"])
    assert "Synthèse" in wb.sheetnames and "Dossiers" in wb.sheetnames
    synth = {row[0]: row[1] for row in wb["Synthèse"].iter_rows(min_row=2, values_only=True)}
    assert synth["Heures d'insertion réalisées"] == 1300 and isinstance(synth["Heures d'insertion réalisées"], int)
    assert synth["Montant notifié HT"] == 6000000
    assert synth["Taux de réalisation des heures"] == pytest.approx(1300 / 1362, abs=1e-4)
    publics = {row[0]: row[1] for row in wb["Publics"].iter_rows(min_row=2, values_only=True)}
    assert publics == {"demandeurs d'emploi de longue durée": 2, "allocataires du RSA": 2, "résidents des quartiers prioritaires": 1}
    dossiers = [row[0] for row in wb["Dossiers"].iter_rows(min_row=2, values_only=True)]
    assert dossiers == ["GRCS-2025-AAA4", "GRCS-2025-AAA5", "GRCS-2026-AAA1", "GRCS-2026-AAA2"]
    # aucune cellule n'est une formule ; le texte piégé est neutralisé
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert "'" + FORMULA in {c.value for c in cells}


def _is_number(cell: str) -> bool:
    """Un nombre négatif (évolution −33 %) est une valeur, pas une formule."""
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return True


def test_csv_neutralises_formulas(outputs: dict[str, Path]) -> None:
    assert outputs["csv"].read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 avec BOM (Excel)
    rows = list(csv.reader(io.StringIO(outputs["csv"].read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Tableau", "Ligne", "Colonne", "Valeur"]
    assert not any(cell.startswith(("=", "+", "-", "@")) and not _is_number(cell) for row in rows for cell in row)
    assert any(cell == "'" + FORMULA for row in rows for cell in row)
    values = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert values[("Synthèse", "Heures d'insertion réalisées")] == "1300"
    # virgule décimale : Excel en français lit « 0,9545 » comme un nombre (pas « 0.9545 »)
    rate = values[("Synthèse", "Taux de réalisation des heures")]
    assert "," in rate and "." not in rate and float(rate.replace(",", ".")) == pytest.approx(1300 / 1362, abs=1e-4)


def test_markdown_and_table(outputs: dict[str, Path], cli) -> None:  # noqa: ANN001
    md = outputs["md"].read_text(encoding="utf-8")
    assert md.startswith("# Bilan 2026 des clauses sociales")
    assert "| Heures d'insertion réalisées | 1\u202f300\u00a0h |" in md
    res = cli("report", "--year", "2026", "--buyer", BUYER_A, "--format", "table", repo=outputs["repo"])
    assert "Heures d'insertion réalisées" in res.stdout and "1\u202f300\u00a0h" in res.stdout
    assert not (outputs["repo"] / "bilans").exists()  # « table » n'écrit rien


def test_docx_table_columns_sized_to_their_content(outputs: dict[str, Path]) -> None:
    """Colonnes égales = montants coupés (« 6 000 000 € H/T ») : la colonne de texte est plus large que
    celle des effectifs, un montant tient sur une ligne, et le tableau occupe la largeur utile."""
    d = docx.Document(str(outputs["docx"]))
    section = d.sections[0]
    usable = section.page_width - section.left_margin - section.right_margin
    table = next(t for t in d.tables if [c.text for c in t.rows[0].cells] == ["Famille", "Marchés", "Montant HT"])
    widths = [c.width for c in table.columns]
    assert widths[0] > widths[1] and widths[2] > widths[1]
    assert abs(sum(widths) - usable) < usable * 0.01
    assert all(cell.width == widths[i] for row in table.rows for i, cell in enumerate(row.cells))
