"""Périodes des relevés de suivi : « 2026 » (année), « 2026-T2 » (trimestre), « 2026-05 » (mois).

Une seule lecture pour le schéma, l'import (« T2 2026 », « mai 2026 », « 05/2026 », « 2026 ») et
les attentes de `guichet due` (périodes échues sans relevé).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from guichet_cli.core.facts import dates

PERIODICITIES = ("mois", "trimestre", "annee")
_CODE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-T([1-4]))?$")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def bounds(code: str) -> tuple[dt.date, dt.date]:
    """Premier et dernier jour d'une période ; ValueError si le code n'en est pas une."""
    m = _CODE.match(code)
    if not m:
        raise ValueError(f"« {code} » n'est pas une période (2026, 2026-T2 ou 2026-05)")
    year = int(m[1])
    if m[2]:
        month = int(m[2])
        return dt.date(year, month, 1), _month_end(year, month)
    if m[3]:
        q = int(m[3])
        return dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def kind(code: str) -> str:
    m = _CODE.match(code)
    if not m:
        raise ValueError(code)
    return "mois" if m[2] else "trimestre" if m[3] else "annee"


def code_of(day: dt.date, periodicity: str) -> str:
    if periodicity == "mois":
        return f"{day.year}-{day.month:02d}"
    if periodicity == "trimestre":
        return f"{day.year}-T{(day.month - 1) // 3 + 1}"
    return str(day.year)


def label(code: str) -> str:
    """Libellé français : « 2e trimestre 2026 », « mai 2026 », « année 2026 »."""
    start, _ = bounds(code)
    k = kind(code)
    if k == "mois":
        return f"{dates.MONTHS[start.month - 1]} {start.year}"
    if k == "trimestre":
        q = (start.month - 1) // 3 + 1
        return f"{q}{'er' if q == 1 else 'e'} trimestre {start.year}"
    return f"année {start.year}"


def parse(value: Any) -> str:
    """Cellule de tableur → code de période. « T2 2026 », « 2026-T2 », « mai 2026 », « 05/2026 », 2026."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer() and 1990 <= value <= 2100:
        return str(int(value))
    text = str(value).strip()
    if _CODE.match(text.upper()):
        return text.upper()
    if m := re.fullmatch(r"(\d{4})\s*[-/ ]?\s*[TtQq]([1-4])", text):
        return f"{m[1]}-T{m[2]}"
    if m := re.fullmatch(r"(?:annee|année|an)\s+(\d{4})", text, flags=re.IGNORECASE):
        return m[1]
    day, approx = dates.parse_sheet(value)  # « T2 2026 », « 2e trimestre 2026 », « mai 2026 », « 05/2026 »
    if not approx:
        raise ValueError(f"« {text} » est un jour, pas une période (mois, trimestre ou année)")
    start_month = day.month
    t = text.lower()
    if re.search(r"\b(t|q)[1-4]\b|trim", t):
        return code_of(day, "trimestre")
    if re.search(r"\bs[12]\b|semestre", t):
        raise ValueError(f"« {text} » est un semestre : indiquer les trimestres ou l'année")
    return f"{day.year}-{start_month:02d}"


def covering(start: dt.date, end: dt.date, periodicity: str) -> list[str]:
    """Codes des périodes de `periodicity` qui touchent [start, end], dans l'ordre."""
    out: list[str] = []
    day = start
    while day <= end:
        code = code_of(day, periodicity)
        out.append(code)
        day = bounds(code)[1] + dt.timedelta(days=1)
    return out


def overlaps(a: str, b: str) -> bool:
    a0, a1 = bounds(a)
    b0, b1 = bounds(b)
    return a0 <= b1 and b0 <= a1
