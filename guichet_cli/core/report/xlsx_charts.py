"""Graphiques Excel natifs (openpyxl) du classeur du bilan : une feuille « Graphiques » porte les
données de chaque graphique (chart_data, les mêmes que le DOCX et le HTML) et le graphique à côté,
modifiable dans Excel ou LibreOffice comme un graphique fait à la main."""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from guichet_cli.core.report.chart_data import charts

_ROWS_PER_CHART = 18
_WRAP = Alignment(wrap_text=True, vertical="top")


def add_charts(wb: Any, report: dict[str, Any], labels: dict[str, dict[str, str]]) -> None:
    sheet = wb.create_sheet("Graphiques", 1 if len(wb.sheetnames) > 1 else None)
    sheet.column_dimensions["A"].width = 45
    row = 1
    for chart in charts(report, labels):
        title = sheet.cell(row=row, column=1, value=chart.title)
        title.font, title.alignment = Font(bold=True), _WRAP
        head = row + 1
        sheet.cell(row=head, column=1, value=chart.axis).font = Font(bold=True)
        for s, (name, _values) in enumerate(chart.series, start=2):
            sheet.cell(row=head, column=s, value=name).font = Font(bold=True)
            sheet.column_dimensions[sheet.cell(row=head, column=s).column_letter].width = 16
        for r, category in enumerate(chart.categories, start=head + 1):
            sheet.cell(row=r, column=1, value=category).alignment = _WRAP
            for s, (_name, values) in enumerate(chart.series, start=2):
                sheet.cell(row=r, column=s, value=values[r - head - 1]).number_format = "#,##0"
        last = head + len(chart.categories)
        if chart.categories:
            bar = BarChart()
            bar.type = "bar" if chart.horizontal else "col"
            bar.title = chart.title
            bar.y_axis.title = chart.unit
            bar.height, bar.width = 7.5, 16
            data = Reference(sheet, min_col=2, max_col=1 + len(chart.series), min_row=head, max_row=last)
            bar.add_data(data, titles_from_data=True)
            bar.set_categories(Reference(sheet, min_col=1, min_row=head + 1, max_row=last))
            if len(chart.series) == 1:
                bar.legend = None
            # à droite des données (une colonne par série, une de marge)
            sheet.add_chart(bar, f"{get_column_letter(max(5, len(chart.series) + 3))}{row}")
        else:
            sheet.cell(row=head + 1, column=1, value="Aucune donnée pour cette année.")
        if chart.note:
            sheet.cell(row=max(last, head + 1) + 1, column=1, value=chart.note).alignment = _WRAP
        row = max(last + 3, row + _ROWS_PER_CHART)
    sheet.freeze_panes = "A2"
