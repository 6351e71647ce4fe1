"""Tableurs lus par des personnes : conventions communes des classeurs XLSX et des CSV du guichet.

XLSX (openpyxl) : ligne d'en-tête figée, en gras, avec filtre ; largeur de chaque colonne selon son
contenu ; au-delà de 60 caractères, renvoi à la ligne (jamais un texte coupé par la cellule
voisine) ; dates stockées comme dates (format jj/mm/aaaa), nombres comme nombres.

CSV « pour les personnes » (ouverts dans Excel ou LibreOffice en français) : séparateur « ; »,
virgule décimale (« 1234567,89 », qu'Excel en français lit comme un nombre, contrairement à
« 1234567.89 »), pas de séparateur de milliers, dates jj/mm/aaaa, UTF-8 avec BOM (sans BOM, Excel
lit les accents de travers), fins de ligne CRLF, toute cellule de texte commençant par = + - @
(ou tabulation, retour chariot) préfixée d'une apostrophe (injection de formule). Un seul écrivain
pour tous les `--format csv` : bilans, criblage, échéances (`due`), suivi (`followup show`),
rapprochements DECP (`import decp`). Voir docs/bilans.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

DATE_FORMAT = "DD/MM/YYYY"
MAX_WIDTH = 60
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Cellule texte commençant par = + - @ (ou tabulation, retour chariot) : préfixée d'une apostrophe,
    pour qu'un tableur l'affiche au lieu de l'exécuter (injection de formule). Idempotent."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def french_value(value: Any) -> str:
    """Une valeur de cellule CSV à la française : 1234567.89 → « 1234567,89 », date → « 22/08/2026 »."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)).normalize(), "f").replace(".", ",")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    return str(value)


class FrenchCsv:
    """Écrivain CSV à la française ligne à ligne dans un fichier texte (BOM écrit d'abord) : ce
    qu'écrit `french_csv_text`, sans tout garder en mémoire (criblage d'un grand plan d'achat)."""

    def __init__(self, fh: Any) -> None:
        fh.write(BOM)
        self._w = csv.writer(fh, delimiter=";", lineterminator="\r\n")

    def writerow(self, row: list[Any]) -> None:
        self._w.writerow([french_value(neutralize(v)) for v in row])


def french_csv_text(rows: Iterable[list[Any]]) -> str:
    """CSV à la française (« ; », virgule décimale, dates jj/mm/aaaa, BOM en tête, CRLF), textes neutralisés.
    Le BOM part aussi sur la sortie standard : `guichet due --format csv > relances.csv` s'ouvre bien dans Excel."""
    buf = io.StringIO()
    out = FrenchCsv(buf)
    for row in rows:
        out.writerow(row)
    return buf.getvalue()


def french_csv(rows: Iterable[list[Any]]) -> bytes:
    """french_csv_text en UTF-8 (fichier écrit par --out)."""
    return french_csv_text(rows).encode("utf-8")


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, int | float):
        return len(f"{value:,.2f}") if isinstance(value, float) and not value.is_integer() else len(f"{int(value):,}") + 2
    return max((len(line) for line in str(value).splitlines()), default=0)


def finish_sheet(sheet: Any, *, header_rows: int = 1) -> None:
    """En-tête figé, gras, filtre ; largeurs selon le contenu ; renvoi à la ligne au-delà de 60 ;
    dates au format jj/mm/aaaa. À appeler une fois la feuille remplie."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = sheet.cell(row=header_rows + 1, column=1).coordinate
    if sheet.max_row >= header_rows and sheet.max_column:
        sheet.auto_filter.ref = f"A{header_rows}:{get_column_letter(sheet.max_column)}{max(sheet.max_row, header_rows)}"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for col in sheet.iter_cols(min_row=1, max_row=sheet.max_row):
        letter = col[0].column_letter
        width = max([_text_width(c.value) for c in col] + [8])
        wrapped = width > MAX_WIDTH
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, width + 2)
        for cell in col:
            if cell.row <= header_rows:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            if wrapped and cell.row > header_rows:
                cell.alignment = wrap
