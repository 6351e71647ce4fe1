"""Nombres, montants, pourcentages et dates à la française (Babel), pour tout ce que l'utilisateur lit.

Deux familles de fonctions :
- typographie française (espace insécable avant l'unité, séparateur de milliers de Babel), pour
  les documents : money, hours, integer, number, percent, months, date_long, words, money_words ;
- texte simple (espaces ordinaires, lisibles dans un terminal, un CSV ou un courriel) : n, pct,
  eur, h.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from guichet_cli.core.facts import dates

LOCALE = "fr_FR"
NBSP = "\u00a0"
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"]


def _round(x: float | Decimal, digits: int = 0) -> Decimal:
    """Arrondi commercial (0,5 → 1), celui des agents, pas l'arrondi bancaire de Python et de Babel."""
    return Decimal(str(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _fmt(x: float | Decimal, decimals: int = 0, *, trim: bool = False) -> str:
    frac = ("#" if trim else "0") * decimals
    return format_decimal(_round(x, decimals), format="#,##0" + ("." + frac if decimals else ""), locale=LOCALE)


# --- typographie des documents -----------------------------------------------------------------


def number(x: float, decimals: int = 0) -> str:
    """1 450 000 ; 0,52 (décimales fixes)."""
    return _fmt(x, decimals)


def integer(x: float) -> str:
    return _fmt(x)


def decimal(x: float, digits: int = 2) -> str:
    """1234.5 → 1 234,5 ; 3.0 → 3 (au plus `digits` décimales, sans zéros inutiles)."""
    return _fmt(x, digits, trim=True)


def money(x: float, ht: bool = True) -> str:
    """1 450 000 € HT ; 27,50 € (centimes seulement s'il y en a)."""
    text = _fmt(x) if float(x).is_integer() else _fmt(x, 2)
    return f"{text}{NBSP}€" + (f"{NBSP}HT" if ht else "")


def percent(x: float, digits: int = 2) -> str:
    """0.05 → 5 % ; 0.075 → 7,5 % ; percent(0.0563, 1) → 5,6 %."""
    return f"{_fmt(Decimal(str(x)) * 100, digits, trim=True)}{NBSP}%"


def hours(x: float) -> str:
    value = int(_round(x))
    return f"{_fmt(value)}{NBSP}heure" + ("s" if value > 1 else "")


def months(n: int) -> str:
    return f"{n}{NBSP}mois"


def date_long(value: str | dt.date) -> str:
    """2026-04-01 → 1er avril 2026."""
    d = value if isinstance(value, dt.date) else dates.parse_iso(str(value)[:10])
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day}{NBSP}{_MONTHS[d.month - 1]} {d.year}"


def words(x: float) -> str:
    """833 → huit cent trente-trois."""
    from num2words import num2words

    return num2words(int(_round(x)), lang="fr")


def money_words(x: float) -> str:
    """1 000 000 → un million d'euros ; 1 450 000 → un million quatre cent cinquante mille euros."""
    value = int(_round(x))
    text = words(value)
    elided = value >= 1_000_000 and value % 1_000_000 == 0
    return text + (" d'euros" if elided else " euro" + ("s" if value > 1 else ""))


def agree(x: float | str, singular: str, plural: str) -> str:
    """La forme accordée, seule (« Coordination : … » / « Coordinations : … ») : singulier pour 0 et 1,
    pluriel à partir de 2 ; un effectif masqué (« < 3 ») prend le pluriel. La seule règle d'accord
    du guichet : `count` s'en sert ; jamais « (s) »."""
    return plural if isinstance(x, str) or abs(x) >= 2 else singular


def count(x: float | str, singular: str, plural: str, *, plain: bool = False) -> str:
    """Nombre et nom accordé : 0 ou 1 demande reçue, 2 demandes reçues (jamais « demande(s) »).
    Un effectif masqué (« < 3 ») prend le pluriel. Espace insécable et séparateur de milliers des
    documents ; `plain=True` : espaces ordinaires (terminal, CSV, courriel), comme `n`."""
    text = f"{x if isinstance(x, str) else _fmt(x)}{NBSP}{agree(x, singular, plural)}"
    return _plain(text) if plain else text


# --- texte simple (terminal, CSV, courriel) -----------------------------------------------------


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace(NBSP, " ")


def n(x: float, decimals: int = 0) -> str:
    """1 000 000 ; 0,52 ; sans espaces insécables."""
    return _plain(_fmt(x, decimals))


def eur(x: float) -> str:
    """1 000 000 € ; 27,5 €."""
    return _plain(_fmt(x, 2, trim=True)) + " €"


def pct(x: float) -> str:
    return _plain(percent(x))


def h(x: float) -> str:
    return f"{n(x)} h"


def date_fr(iso: str) -> str:
    """2026-08-22 → 22/08/2026."""
    y, m, d = str(iso)[:10].split("-")
    return f"{d}/{m}/{y}"


def smart(x: float, max_decimals: int = 2) -> str:
    """Nombre sans décimales inutiles, texte simple : 30 ; 27,5 ; 1 000 000."""
    return _plain(_fmt(x, max_decimals, trim=True))


# --- typographie d'un texte libre (saisi par un agent) -------------------------------------------

NNBSP = "\u202f"  # espace fine insécable : séparateur de milliers de Babel en fr_FR
_GROUPS = re.compile(r"(?<![\d,.])\d{1,3}(?: \d{3})+(?![\d,])")
_BEFORE = re.compile(r" (?=[%€:;!?»])")
_AFTER = re.compile(r"(?<=[«°]) ")


def typography(text: str) -> str:
    """Espaces insécables d'un texte libre, comme dans le reste du document : « 216 000 € » ne se
    coupe pas en fin de ligne, ni « 10 % », « ligne : », « n° 5 », « « cité » »."""
    text = _GROUPS.sub(lambda m: m.group(0).replace(" ", NNBSP), text)
    return _AFTER.sub(NBSP, _BEFORE.sub(NBSP, text))
