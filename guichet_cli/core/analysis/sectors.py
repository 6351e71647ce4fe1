"""Table sectorielle (rules/secteurs.yaml) : le préfixe CPV le plus long qui correspond l'emporte."""

from __future__ import annotations

from typing import Any

from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace


def cpv_base(code: str) -> str:
    return str(code).split("-")[0].strip()


def nature_from_cpv(code: str) -> str:
    base = cpv_base(code)
    if base.startswith("45"):
        return "travaux"
    return "fournitures" if base[:2].isdigit() and int(base[:2]) < 45 else "services"


def match(ws: Workspace, cpv: str, nature: str | None = None) -> tuple[str, dict[str, Any]]:
    """(clé de la table, entrée) pour un code CPV ; à défaut, l'entrée par défaut de la nature du marché."""
    rules = load_rules(ws, "secteurs")
    table = rules["secteurs"]
    base = cpv_base(cpv)
    best: tuple[int, str] | None = None
    for key, entry in table.items():
        for prefix in [key, *(entry.get("autres_prefixes") or [])]:
            if prefix.isdigit() and base.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), key)
    if best is not None:
        return best[1], table[best[1]]
    key = rules["defaut_par_nature"][nature or nature_from_cpv(base)]
    return key, table[key]
