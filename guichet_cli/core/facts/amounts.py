"""Montants : une seule lecture pour tout montant saisi (guichet new, calibrate) ou lu dans un plan d'achat.

Formats acceptés (hors taxes, en euros) :
- chiffres seuls : « 1450000 », « 1450000.50 », « 1450000,50 » ;
- milliers séparés par des espaces (y compris insécables et fines insécables, comme Excel en
  français), des points ou des virgules, par groupes de 3 : « 1 450 000 € », « 1.450.000 »,
  « 1,450,000.50 », « 1.450.000,50 » ;
- multiplicateurs : « 1,2 M€ », « 1.2M », « 800 k€ », « 800 k » ;
- symbole et mention hors taxes : « € », « EUR », « euros », « HT », « H.T. », « hors taxes » ;
- un nombre déjà lu (cellule numérique d'un tableur).

Règles des séparateurs : la virgule seule est décimale (« 1,2 » = 1,2 ; « 1,200 » = 1,2) sauf si elle
se répète par groupes de 3 (« 1,200,000 ») ; le point seul est décimal (« 1.2 », « 0.050 ») sauf
s'il est suivi d'exactement 3 chiffres après 1 à 3 chiffres non nuls en tête (« 1.200 », « 95.000 » :
milliers, comme les tableurs à la française) ou s'il se répète par groupes de 3 ; quand les deux
apparaissent, le dernier est la marque décimale.

Refusés, avec une raison en français (AmountError) : vide, négatif, « nan », « inf », montant TTC,
groupes de chiffres mal formés (« 1,2,3 », « 1.2.3 »), texte (« abc »).
"""

from __future__ import annotations

import math
import re
from typing import Any

EXAMPLES = "1450000, « 1 450 000 € », « 1 450 000,50 », « 1,2 M€ » ou « 800 k€ »"
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009]+")
_CURRENCY = r"(?:€|eur|euros?)"
_TAX = r"(?:ht|h\.t\.?|hors\s+taxes?)"
_SHAPE = re.compile(
    rf"(?:{_CURRENCY}\s*)?(?P<num>\d[\d\s.,'’]*?)\s*(?P<mult>[mk])?\s*{_CURRENCY}?\s*{_TAX}?"
)


def _grouped(sep: str) -> str:
    """Milliers par groupes de 3 : « 1.200.000 » pour sep=".", « 1,200,000 » pour sep=","."""
    return r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+"


class AmountError(ValueError):
    """Montant refusé : `text` est la valeur lue, `reason` ce qui ne va pas (en français)."""

    def __init__(self, text: str, reason: str, *, generic: bool = False) -> None:
        self.text = text
        self.reason = reason
        self.generic = generic  # vrai : « n'est pas un montant », sans raison plus précise
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if not self.text.strip():
            return "montant vide"
        return f"« {self.text[:60]} » {self.reason}"

    @property
    def detail(self) -> str:
        """La raison seule : « un montant ne peut pas être négatif »."""
        return self.reason.removeprefix(": ")


def _check_number(value: float, text: str) -> float:
    if not math.isfinite(value):
        raise AmountError(text, "n'est pas un nombre")
    if value < 0:
        raise AmountError(text, ": un montant ne peut pas être négatif")
    return float(value)


def _decimal(num: str, text: str) -> str:
    """Partie chiffrée sans espaces → écriture Python (« 1.450.000,50 » → « 1450000.50 »)."""
    bad = AmountError(text, ": chiffres mal groupés (milliers par 3 : 1 450 000, 1.450.000 ou 1,450,000)")
    if "," in num and "." in num:
        dec = "," if num.rfind(",") > num.rfind(".") else "."
        group = "." if dec == "," else ","
        head, _, tail = num.rpartition(dec)
        if not re.fullmatch(_grouped(group), head) or not tail.isdigit():
            raise bad
        return head.replace(group, "") + "." + tail
    for sep in (",", "."):
        if sep not in num:
            continue
        if num.count(sep) > 1:
            if not re.fullmatch(_grouped(sep), num):
                raise bad
            return num.replace(sep, "")
        head, _, tail = num.partition(sep)
        if not head.isdigit() or not tail.isdigit():
            raise bad
        # « 1.200 », « 95.000 » : milliers ; « 0.050 », « 1.25 », « 1,200 » : décimale
        if sep == "." and len(tail) == 3 and len(head) <= 3 and not head.startswith("0"):
            return head + tail
        return head + "." + tail
    return num


def parse_amount(value: Any) -> float:
    """Montant HT en euros ; AmountError (ValueError) avec la raison du refus."""
    if isinstance(value, bool) or value is None:
        raise AmountError("" if value is None else str(value), "n'est pas un montant", generic=True)
    if isinstance(value, int | float):
        return _check_number(float(value), str(value))
    text = str(value)
    flat = _SPACES.sub(" ", text).strip().lower()
    if not flat:
        raise AmountError(text, "montant vide")
    if re.search(r"\bttc\b", flat):
        raise AmountError(text, ": montant TTC, le montant attendu est hors taxes (HT)")
    if flat.startswith("-") or flat.startswith("−"):
        raise AmountError(text, ": un montant ne peut pas être négatif")
    if re.fullmatch(r"[+]?(nan|inf|infinity)", flat):
        raise AmountError(text, "n'est pas un nombre")
    # notation scientifique des tableurs : « 1,2E+06 », « 1.5e6 »
    if m := re.fullmatch(r"(\d+(?:[.,]\d+)?)e([+-]?\d{1,3})", flat):
        return _check_number(float(m[1].replace(",", ".") + "e" + m[2]), text)
    m = _SHAPE.fullmatch(flat)
    if not m:
        raise AmountError(text, "n'est pas un montant", generic=True)
    num = m["num"].replace("'", " ").replace("’", " ").strip()
    if " " in num:
        # espaces entre milliers : groupes de 3 chiffres après le premier (« 1 450 000,50 »)
        parts = num.split(" ")
        last = re.split(r"[.,]", parts[-1], maxsplit=1)
        if not (parts[0].isdigit() and len(parts[0]) <= 3 and all(p.isdigit() and len(p) == 3 for p in [*parts[1:-1], last[0]])):
            raise AmountError(text, ": chiffres mal groupés (milliers par 3 : 1 450 000, 1.450.000 ou 1,450,000)")
        num = "".join(parts)
    number = float(_decimal(num, text))
    if m["mult"]:
        number *= 1e6 if m["mult"] == "m" else 1e3
        number = round(number, 6)  # 1,2 × 10⁶ = 1 200 000 et non 1 199 999,999…
    return _check_number(number, text)


def plain(value: float) -> int | float:
    """1450000.0 → 1450000 : un montant entier s'écrit sans décimale."""
    return int(value) if float(value).is_integer() else value


def plausible_range(ws: Any) -> tuple[float, float, str]:
    """(minimum, maximum, règle citée) des montants HT plausibles (rules/seuils.yaml#montants_plausibles)."""
    from guichet_cli.core.rules import load_rules, rule_ref

    bounds = load_rules(ws, "seuils").get("montants_plausibles") or {}
    return float(bounds.get("min", 0)), float(bounds.get("max", math.inf)), rule_ref("seuils", "montants_plausibles")


def implausible(ws: Any, value: float) -> str | None:
    """Raison (en français) pour laquelle un montant HT n'est pas plausible, ou None s'il l'est.

    Un montant hors plage (1e17 €, valeur de remplissage des DECP) est refusé, jamais calculé."""
    from guichet_cli.core import frformat as fr

    low, high, ref = plausible_range(ws)
    if value < low:
        return f"montant de {fr.eur(value)} inférieur au minimum plausible de {fr.eur(low)} ({ref})"
    if value > high:
        return (f"montant de {fr.eur(value)} au-delà du maximum plausible de {fr.eur(high)} ({ref}) : "
                "vérifier la saisie (un montant comme 1e17 € est une valeur de remplissage, pas un montant)")
    return None
