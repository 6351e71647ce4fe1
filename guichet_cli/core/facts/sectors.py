"""Code CPV → secteur de la table sectorielle (rules/secteurs.yaml), pour l'analyse, le criblage et le bilan.

Le préfixe le plus long qui correspond au code l'emporte, parmi les clés de la table ET leurs
`autres_prefixes` ; sans correspondance, le secteur par défaut de la nature du marché
(`defaut_par_nature`, nature déduite du CPV si elle manque). `parse_cpv` valide un code saisi.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace

# Même motif que schemas/defs.schema.json#/$defs/cpv (vérifié par tests/test_facts_consistency.py).
CPV_PATTERN = "^[0-9]{8}(-[0-9])?$"
CPV_SHAPE = "8 chiffres, éventuellement suivis d'un tiret et du chiffre de contrôle (45000000 ou 45000000-7)"


class CpvError(ValueError):
    """Code CPV mal formé ; le message (français) dit à quoi ressemble un code CPV."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.message = f"« {text[:40]} » n'est pas un code CPV : {CPV_SHAPE}"
        super().__init__(self.message)


@dataclass(frozen=True)
class Sector:
    key: str  # clé de rules/secteurs.yaml (préfixe, ou clé par défaut comme defaut_services)
    entry: dict[str, Any]  # l'entrée de la table
    label: str  # libellé affiché


def parse_cpv(value: Any) -> str:
    """Code CPV saisi (« 45000000 », « 45000000-7 ») ; CpvError sinon."""
    text = str(value).strip()
    if not re.fullmatch(CPV_PATTERN, text):
        raise CpvError(text)
    return text


def cpv_base(code: Any) -> str:
    """45000000-7 → 45000000 (sans chiffre de contrôle)."""
    return str(code).split("-")[0].strip()


def nature_from_cpv(code: Any) -> str:
    """Nature déduite de la division CPV : 45 travaux, 03 à 44 fournitures, le reste services."""
    base = cpv_base(code)
    if base.startswith("45"):
        return "travaux"
    return "fournitures" if base[:2].isdigit() and int(base[:2]) < 45 else "services"


def prefixes(ws: Workspace) -> dict[str, str]:
    """Tous les préfixes de la table (clés et autres_prefixes) → clé du secteur."""
    out: dict[str, str] = {}
    for key, entry in load_rules(ws, "secteurs")["secteurs"].items():
        for prefix in [key, *((entry or {}).get("autres_prefixes") or [])]:
            if str(prefix).isdigit():
                out.setdefault(str(prefix), str(key))  # à préfixe égal, la première entrée l'emporte
    return out


def label_of(key: str, entry: dict[str, Any]) -> str:
    """Libellé affiché d'une entrée de la table (sa clé à défaut)."""
    return str(entry.get("libelle") or key)


def sector_for(ws: Workspace, cpv: Any, nature: str | None = None) -> Sector:
    """Secteur d'un code CPV ; à défaut de préfixe, le secteur par défaut de la nature du marché."""
    rules = load_rules(ws, "secteurs")
    table = rules["secteurs"]
    base = cpv_base(cpv)
    known = prefixes(ws)
    best = ""
    for prefix in known:
        if base.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    if best:
        key = known[best]
    else:
        defaults = rules["defaut_par_nature"]
        key = str(defaults.get(nature or "") or defaults[nature_from_cpv(base)])
    entry = table[key]
    return Sector(key, entry, label_of(key, entry))
