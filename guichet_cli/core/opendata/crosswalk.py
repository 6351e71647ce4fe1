"""Correspondance dispositions → DECP → OCDS → eForms, lue dans les règles (jamais écrite dans le code).

DECP : rules/dispositions.yaml (champ `decp` de chaque disposition, une seule source) ;
OCDS et eForms : rules/donnees_ouvertes.yaml#correspondance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guichet_cli.core.workspace import Workspace

NO_SOCIAL = "Pas de considération sociale"


@dataclass(frozen=True, slots=True)
class Crossing:
    disposition: str
    decp: str
    ocds_goal: str | None
    ocds_strategies: tuple[str, ...]
    ocds_reservation: str | None
    eforms: dict[str, str]


def table(ws: Workspace) -> dict[str, Crossing]:
    dispositions = ws.store.rules("dispositions")["dispositions"]
    corr = ws.store.rules("donnees_ouvertes")["correspondance"]
    out = {}
    for code, d in dispositions.items():
        c: dict[str, Any] = corr.get(code) or {}
        out[code] = Crossing(code, str(d["decp"]), c.get("ocds_objectif"), tuple(c.get("ocds_strategies") or ()),
                             c.get("ocds_reservation"),
                             {k.removeprefix("eforms_").upper(): v for k, v in c.items() if k.startswith("eforms_")})
    return out


def decp_values(ws: Workspace, dispositions: tuple[str, ...]) -> list[str]:
    """Valeurs DECP de considerationsSociales pour des dispositions retenues (sans doublon)."""
    tab = table(ws)
    values = list(dict.fromkeys(tab[d].decp for d in dispositions if d in tab and d != "aucune"))
    return values or [NO_SOCIAL]


def ocds_tender(ws: Workspace, dispositions: tuple[str, ...]) -> dict[str, Any]:
    """Champs OCDS de tender : hasSustainability, sustainability[], otherRequirements.reservedParticipation[]."""
    tab = table(ws)
    items: list[dict[str, Any]] = []
    reserved: list[str] = []
    for d in dispositions:
        c = tab.get(d)
        if c is None or c.ocds_goal is None:
            continue
        entry = {"goal": c.ocds_goal, "strategies": list(c.ocds_strategies), "description": _label(ws, d)}
        if entry not in items:
            items.append(entry)
        if c.ocds_reservation and c.ocds_reservation not in reserved:
            reserved.append(c.ocds_reservation)
    out: dict[str, Any] = {"hasSustainability": bool(items)}
    if items:
        out["sustainability"] = items
    if reserved:
        out["otherRequirements"] = {"reservedParticipation": reserved}
    return out


def _label(ws: Workspace, code: str) -> str:
    from guichet_cli.core.facts import labels

    return labels.of(ws).label("disposition", code)
