"""Mise en forme française des chiffres du bilan (Babel, fr_FR).

Module privé du bilan : guichet_cli/core/frformat.py (rédactions) évolue en parallèle ; le bilan
garde ici des signatures stables. Espace fine insécable pour les milliers (CLDR), insécable avant
les unités.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

LOCALE = "fr_FR"
NBSP = "\u00a0"


def _q(x: float, digits: int) -> Decimal:
    return Decimal(str(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number(x: float, digits: int = 2) -> str:
    """1234.5 → « 1 234,5 » (au plus `digits` décimales, zéros inutiles retirés)."""
    value = _q(x, digits).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return format_decimal(value, locale=LOCALE, decimal_quantization=False)


def integer(x: float) -> str:
    return format_decimal(_q(x, 0), locale=LOCALE, format="#,##0")


def money(x: float) -> str:
    """1935000 → « 1 935 000 € HT » (centimes seulement s'il y en a)."""
    value = _q(x, 2)
    pattern = "#,##0" if value == value.to_integral() else "#,##0.00"
    return f"{format_decimal(value, locale=LOCALE, format=pattern)}{NBSP}€{NBSP}HT"


def percent(x: float, digits: int = 1) -> str:
    """0.0563 → « 5,6 % »."""
    return f"{number(Decimal(str(x)) * 100, digits)}{NBSP}%"


_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
           "décembre")


def date_long(iso: str) -> str:
    """« 2026-08-22 » → « 22 août 2026 » (« 1er » pour le premier du mois)."""
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return f"{'1er' if d == 1 else d}{NBSP}{_MONTHS[m - 1]} {y}"
