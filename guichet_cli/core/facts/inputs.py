"""Saisies d'une personne : une seule lecture, la même pour toutes les commandes et leurs questions.

Chaque fonction rend la valeur à enregistrer ou lève InputError (message français, sans répéter
l'option : la commande la nomme). Dates : facts/dates.parse_input ; montants : facts/amounts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from stdnum.fr import siret as stdnum_siret

from guichet_cli.core.facts import amounts, dates


class InputError(ValueError):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _fold(text: str) -> str:
    """« Seine-St-Denis » → « seinesaintdenis » : minuscules, sans accents, « St » = « Saint »."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    t = re.sub(r"\bste?\b", lambda m: "sainte" if m.group(0) == "ste" else "saint", re.sub(r"[^a-z0-9]+", " ", t))
    return t.replace(" ", "")


def date(value: Any, *, not_after: dt.date | None = None) -> dt.date:
    try:
        d = dates.parse_input(value)
    except dates.DateError as exc:
        raise InputError(exc.message, f"écrire la date au format {dates.INPUT_FORMATS}") from None
    if not_after is not None and d > not_after:
        raise InputError(f"le {d.strftime('%d/%m/%Y')} est dans le futur : on n'enregistre qu'un fait qui a eu lieu",
                         f"indiquer une date au plus tard le {not_after.strftime('%d/%m/%Y')}")
    return d


def amount(value: Any) -> int | float:
    try:
        return amounts.plain(amounts.parse_amount(value))
    except amounts.AmountError as exc:
        raise InputError(exc.message, f"écrire le montant en euros HT, par exemple {amounts.EXAMPLES}") from None


def siret(value: Any) -> str:
    text = re.sub(r"[\s.\u00a0\u202f]+", "", str(value))
    if not re.fullmatch(r"\d{14}", text):
        raise InputError(f"« {value} » n'est pas un SIRET (14 chiffres)", "recopier le SIRET de l'annuaire-entreprises.data.gouv.fr")
    if not stdnum_siret.is_valid(text):
        raise InputError(f"SIRET {text} invalide (clé de contrôle)", "vérifier le SIRET sur annuaire-entreprises.data.gouv.fr")
    return text


def department(value: Any, names: Mapping[str, str]) -> str:
    """Code (« 93 ») ou nom (« Seine-Saint-Denis », « Seine-St-Denis », « seine st denis ») d'un département."""
    text = str(value).strip()
    if text in names:
        return text
    folded = _fold(text)
    for code, label in names.items():
        if folded == _fold(label):
            return code
    shown = ", ".join(f"{c} ({n})" for c, n in names.items())
    raise InputError(f"« {text} » n'est pas un département du guichet", f"indiquer le code ou le nom : {shown}")


def choice(value: Any, codes: Iterable[str], labels: Mapping[str, str] | None = None) -> str:
    """Un code d'une liste, saisi par son code ou son libellé (sans tenir compte des accents)."""
    options = list(codes)
    text = str(value).strip()
    if text in options:
        return text
    folded = _fold(text)
    for code in options:
        if folded in (_fold(code), _fold((labels or {}).get(code, code))):
            return code
    shown = ", ".join(f"{c} ({labels[c]})" if labels and c in labels else c for c in options)
    raise InputError(f"« {text} » n'est pas une valeur possible", f"valeurs possibles : {shown}")


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    folded = _fold(str(value))
    if folded in ("o", "oui", "y", "yes", "vrai", "1"):
        return True
    if folded in ("n", "non", "no", "faux", "0"):
        return False
    raise InputError(f"« {value} » : répondre oui ou non")


def email(value: Any) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", text):
        raise InputError(f"« {text} » n'est pas une adresse de courriel", "par exemple prenom.nom@ville.fr")
    return text


def text(value: Any, *, max_length: int = 300) -> str:
    t = " ".join(str(value).split())
    if not t:
        raise InputError("réponse vide")
    if len(t) > max_length:
        raise InputError(f"texte trop long ({len(t)} caractères, {max_length} au plus)")
    return t
