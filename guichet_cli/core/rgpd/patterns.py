"""Repérer une donnée personnelle dans un texte libre (objet, justification, notes, motif…).

Les personnes vivent dans le registre contacts/ ; ailleurs, un texte ne doit contenir ni adresse
électronique, ni numéro de téléphone, ni « civilité + nom » (« Mme Martin », « M. Dupont »), ni
numéro de sécurité sociale (NIR), ni IBAN. La charte interdit en outre de nommer les
bénéficiaires des clauses : on écrit un effectif (« 1 personne embauchée en CDDI »).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from stdnum import iban as stdnum_iban
from stdnum.fr import nir as stdnum_nir

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d\w])(?:(?:\+|00)\s?33\s?\(?0?\)?\s?[1-9]|0[1-9])(?:[\s.-]?\d{2}){4}(?!\d)")
_CIVILITY = re.compile(r"(?<!\w)(?:M\.|Mr\.?|Mme\.?|Mlle\.?|Mmes|MM\.|Monsieur|Madame|Mademoiselle|Dr\.?|Docteur|Me|Maître)"
                       r"\s+(?:[A-ZÀ-Ý]\.\s*)?[A-ZÀ-Ý][a-zà-ÿ'’-]+")
_NIR = re.compile(r"(?<!\d)[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}\s?\d{2}(?!\d)")
_IBAN = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?(?![A-Z0-9])")

KINDS = {
    "courriel": "adresse électronique",
    "telephone": "numéro de téléphone",
    "civilite_nom": "civilité suivie d'un nom",
    "nir": "numéro de sécurité sociale (NIR)",
    "iban": "IBAN",
}
HINT = ("les personnes ne sont que dans contacts/ : mettre une référence (demandeur: contact-0007) ; "
        "pour des bénéficiaires, écrire un effectif (« 1 personne embauchée en CDDI »), jamais un nom")


@dataclass(frozen=True)
class Match:
    kind: str
    text: str

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def masked(self) -> str:
        """Le texte trouvé, masqué (le message ne recopie pas la donnée personnelle)."""
        t = self.text
        return t[:2] + "…" if len(t) > 3 else "…"


# Ce sans quoi chaque motif ne peut pas reconnaître : « @ » pour un courriel, dix chiffres pour un
# téléphone ou un NIR, deux lettres capitales suivies de deux chiffres pour un IBAN, un M ou un D
# pour une civilité. La plupart des valeurs (codes, dates, montants) n'en ont aucun : on évite les
# cinq parcours d'expressions régulières, pour les mêmes résultats.
_TEN_DIGITS = re.compile(r"(?:\d\D*){10}")
_IBAN_START = re.compile(r"[A-Z]{2}\d{2}")


def find(text: str) -> Iterator[Match]:
    """Les données personnelles reconnues dans `text`."""
    if not text or len(text) < 4:
        return
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield Match("courriel", m.group())
    ten_digits = _TEN_DIGITS.search(text) is not None
    if ten_digits:
        for m in _PHONE.finditer(text):
            yield Match("telephone", m.group())
    if "M" in text or "D" in text:
        for m in _CIVILITY.finditer(text):
            yield Match("civilite_nom", m.group())
    if ten_digits:
        for m in _NIR.finditer(text):
            if stdnum_nir.is_valid(m.group().replace(" ", "")):
                yield Match("nir", m.group())
    if _IBAN_START.search(text):
        for m in _IBAN.finditer(text):
            if stdnum_iban.is_valid(m.group().replace(" ", "")):
                yield Match("iban", m.group())


# Champs des registres qui SONT des coordonnées (adresses fonctionnelles d'un partenaire) : pas du texte libre.
CONTACT_KEYS = frozenset({"courriel", "courriels", "email", "emails", "telephone", "site", "url", "equipe_forge"})


def scan_tree(data: Any, *, skip_keys: frozenset[str] = frozenset()) -> Iterator[tuple[tuple[str | int, ...], Match]]:
    """(chemin JSON, donnée trouvée) pour chaque texte de l'arbre (parcours sans récursion)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, ptr = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, (*ptr, k)) for k, v in reversed(list(value.items())) if k not in skip_keys)
        elif isinstance(value, list):
            stack.extend((v, (*ptr, i)) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, str):
            for m in find(value):
                yield ptr, m
