"""Classeur XLSX : une feuille par tableau d'indicateurs plus la liste des dossiers ; nombres stockés
comme nombres (format d'affichage français), textes neutralisés, octets reproductibles."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from guichet_cli.core import sheets
from guichet_cli.core.render.docx import normalize_zip
from guichet_cli.core.report.tables import Table, row_kind, visible
from guichet_cli.core.report.xlsx_charts import add_charts
from guichet_cli.core.sheets import neutralize

_FORMATS = {
    "money": '#,##0 "€"',
    "pct": "0.0%",
    "hours": "#,##0",
    "int": "#,##0",
    "num": "#,##0.##",
    "days": "#,##0.0",
}
_INVALID = "[]:*?/\\"
_SHEETS = {
    "synthese": "Synthèse", "demandes": "Demandes", "suites": "Suites", "motifs": "Motifs", "marches": "Marchés",
    "decp": "DECP", "modalites": "Modalités", "profil": "Profil", "publics": "Publics", "contrats": "Contrats",
    "sorties": "Sorties", "titulaires": "Titulaires", "partenaires": "Partenaires", "sourcing": "Sourcing", "engagements": "Engagements", "comparaison": "Comparaison",
    "departements": "Départements", "dispositions": "Dispositions", "secteurs": "Secteurs", "donneurs": "Donneurs",
    "seuil": "Seuil européen", "qualitatif": "Qualitatif", "manquantes": "Données manquantes",
    "ecartes": "Dossiers écartés", "dossiers": "Dossiers",
}


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(" " if ch in _INVALID else ch for ch in title)[:31].strip()
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.lower())
    return name


def to_xlsx(report: dict[str, Any], tables: list[Table], stamp: dt.datetime,
            labels: dict[str, dict[str, str]] | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for t in tables:
        ws = wb.create_sheet(_sheet_name(_SHEETS.get(t.key, t.title), used))
        cols, rows = visible(t)
        ws.append([neutralize(c) for c in cols])
        for cell in ws[1]:
            cell.font = bold
        for r, full in zip(rows, t.rows, strict=True):
            values = [neutralize(", ".join(map(str, v)) if isinstance(v, list) else v) for v in r]
            ws.append(values)
            for c, v in enumerate(values):
                if isinstance(v, int | float) and not isinstance(v, bool):
                    ws.cell(row=ws.max_row, column=c + 1).number_format = _FORMATS.get(row_kind(t, full, c), "General")
        sheets.finish_sheet(ws)  # en-tête figé, largeurs, renvoi à la ligne, dates typées
    add_charts(wb, report, labels or {})
    props = wb.properties
    props.created = props.modified = stamp
    props.creator = props.lastModifiedBy = report["bilan"]["guichet"][:250]
    props.title = report["bilan"]["titre"][:250]
    props.language = "fr-FR"
    buf = io.BytesIO()
    # ExcelWriter directement : Workbook.save() remplacerait la date de modification par « maintenant »
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    return normalize_zip(buf.getvalue())
