"""Chaque feuille des classeurs du guichet (bilans, criblage) se lit comme un tableau fait à la main :
en-tête figé, largeurs posées, texte long renvoyé à la ligne, dates et nombres typés, libellés et non
codes ; graphiques Excel natifs dans le classeur du bilan (issue 11)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from analysis_helpers import generate_plan_rows, write_plan_csv

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CODE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")  # clause_insertion, reserve_ea_esat…


def _sheet_problems(ws) -> list[str]:  # noqa: ANN001
    out = []
    if ws.freeze_panes != "A2":
        out.append(f"en-tête non figé ({ws.freeze_panes})")
    for col in range(1, ws.max_column + 1):
        letter = openpyxl.utils.get_column_letter(col)
        dim = ws.column_dimensions.get(letter)
        if dim is None or not dim.width:
            out.append(f"colonne {letter} sans largeur")
    for row in ws.iter_rows(min_row=2):
        for c in row:
            v = c.value
            if isinstance(v, str):
                if ISO_DATE.match(v):
                    out.append(f"{c.coordinate} : date en texte {v!r}")
                # (sauf les années en libellé de catégorie ou en nom de série d'un graphique : « 2025 » y est un nom)
                if re.fullmatch(r"-?\d+(?:[.,]\d+)?", v) and not (ws.title == "Graphiques" and (c.column == 1 or c.font.b)) \
                        and not re.fullmatch(r"\d{8}|\d{14}", v):  # CPV et SIRET : des identifiants, en texte
                    out.append(f"{c.coordinate} : nombre en texte {v!r}")
                if CODE.match(v):
                    out.append(f"{c.coordinate} : code interne {v!r}")
                width = ws.column_dimensions[c.column_letter].width
                if len(v) > width and not (c.alignment and c.alignment.wrap_text):
                    out.append(f"{c.coordinate} : texte long coupé sans renvoi à la ligne")
            if isinstance(v, dt.datetime | dt.date) and "yy" not in c.number_format.lower():
                out.append(f"{c.coordinate} : date sans format de date")
    return out


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from conftest import Cli, copy_repo, init_git

    base = tmp_path_factory.mktemp("classeurs")
    repo = init_git(copy_repo(base / "depot"))
    cli = Cli()
    out = base / "bilans"
    for who in ("--region", "--all"):
        for public in ((), ("--public",)):
            cli("report", "--year", "2026", who, *public, "--format", "xlsx", "--out", str(out), repo=repo, code=None)
    plan = write_plan_csv(base / "plan.csv", generate_plan_rows(40))
    cli("screen", str(plan), "--format", "xlsx", "--out", str(base / "criblage.xlsx"), repo=repo)
    return sorted(out.glob("*.xlsx")) + [base / "criblage.xlsx"]


def test_every_sheet_has_frozen_header_widths_and_typed_cells(workbooks: list[Path]) -> None:
    assert len(workbooks) >= 10
    problems = {}
    sheets = 0
    for path in workbooks:
        for ws in openpyxl.load_workbook(path).worksheets:
            sheets += 1
            if found := _sheet_problems(ws):
                problems[f"{path.name} / {ws.title}"] = found[:3]
    assert sheets >= 100 and problems == {}


def test_report_dates_are_dates(workbooks: list[Path]) -> None:
    wb = openpyxl.load_workbook(next(p for p in workbooks if p.name == "bilan-2026-region.xlsx"))
    head = [c.value for c in wb["Dossiers"][1]]
    col = head.index("Mis à jour le")
    values = [row[col] for row in wb["Dossiers"].iter_rows(min_row=2, values_only=True)]
    assert values and all(isinstance(v, dt.datetime) for v in values)
    assert "Fichier" in head and "Commit" in head  # la version interne garde la provenance technique
    public = openpyxl.load_workbook(next(p for p in workbooks if p.name == "bilan-2026-region-public.xlsx"))
    assert "Fichier" not in [c.value for c in public["Dossiers"][1]]


def test_screening_launch_dates_and_labels(workbooks: list[Path]) -> None:
    ws = openpyxl.load_workbook(workbooks[-1])["Criblage"]
    head = [c.value for c in ws[1]]
    launch = [r[head.index("Lancement")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(v, dt.datetime) for v in launch)
    dispositions = [r[head.index("Dispositions")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert not any("clause_insertion" in (d or "") for d in dispositions)


def test_report_workbook_has_native_charts(workbooks: list[Path]) -> None:
    from openpyxl.chart import BarChart

    wb = openpyxl.load_workbook(next(p for p in workbooks if p.name == "bilan-2026-region.xlsx"))
    charts = wb["Graphiques"]._charts
    assert len(charts) >= 4 and all(isinstance(c, BarChart) for c in charts)
    labels = [r[0] for r in wb["Graphiques"].iter_rows(values_only=True) if r[0]]
    assert "Heures d'insertion prévues et réalisées (marchés à heures prévues)" in labels
    assert "Marchés notifiés par département d'exécution" in labels


def test_same_charts_in_docx_html_and_xlsx(workbooks: list[Path], tmp_path: Path) -> None:
    """Chaque graphique du bilan existe dans les trois formats, avec le même titre."""
    import docx
    from conftest import Cli, copy_repo, init_git

    repo = init_git(copy_repo(tmp_path / "depot"))
    for fmt in ("docx", "html"):
        Cli()("report", "--year", "2026", "--region", "--format", fmt, "--out", str(tmp_path), repo=repo, code=None)
    wb = openpyxl.load_workbook(next(p for p in workbooks if p.name == "bilan-2026-region.xlsx"))
    titles = [r[0] for r in wb["Graphiques"].iter_rows(values_only=True)
              if r[0] and (r[0].startswith(("Heures d'insertion", "Participants", "Marchés", "Part ", "Dispositions ")))]
    d = docx.Document(str(tmp_path / "bilan-2026-region.docx"))
    captions = [p.text.rstrip(".") for p in d.paragraphs if p.style.name == "Caption"]
    html = (tmp_path / "bilan-2026-region.html").read_text(encoding="utf-8")
    assert len(titles) >= 9 and len(d.inline_shapes) == len(titles)
    assert [c.replace("\u00a0", " ") for c in captions] == titles
    assert all(f"<figcaption>{t}</figcaption>".replace("'", "&#x27;") in html or t.replace("'", "&#x27;") in html
               for t in titles)
