"""Incohérences entre un marché publié (DECP) et ce que le guichet sait de la demande.

1. Clause recommandée et suivie, mais l'enregistrement dit « Pas de considération sociale ».
2. Marché au-dessus du seuil européen applicable, consultation lancée à partir de la date
   d'application de L2112-2-1 (22 août 2026), publié sans considération sociale (un enregistrement
   DECP par lot : l'incohérence est dite pour ce lot).
3. Marché réservé dont un titulaire n'est pas une SIAE / EA / ESAT d'après le registre des structures
   (structures/, lu par le magasin ; type → catégorie dans rules/donnees_ouvertes.yaml#decp.categories_structures),
   puis d'après les titulaires déjà notés dans les demandes. Un SIRET qu'aucun registre ne connaît n'est pas signalé.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from guichet_cli.core.facts import thresholds
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.model.structures import StructureRegistry
from guichet_cli.core.opendata.decp import NO_SOCIAL, RESERVED, DecpRecord
from guichet_cli.core.workspace import Workspace

# SIRET → type de structure (siae, ea, esat, ess, aucune) ou None si inconnu
StructureLookup = Callable[[str], str | None]
FOLLOWED = ("suivie", "partiellement_suivie")


@dataclass(frozen=True, slots=True)
class Inconsistency:
    kind: str  # clause_non_publiee, obligation_l2112_2_1, reserve_titulaire
    record: DecpRecord
    case_id: str | None
    message: str
    regle: str | None = None


def holders_lookup(cases: Iterable[Case]) -> StructureLookup:
    """Registre minimal tiré des demandes : le type de structure déjà noté pour un titulaire
    (execution.titulaires[].structure_inclusive). Le registre des structures le remplacera."""
    known: dict[str, str] = {}
    for case in cases:
        for h in case.execution.titulaires if case.execution else ():
            if h.structure_inclusive:
                known[h.siret] = h.structure_inclusive
    return known.get


def structures_lookup(structures: StructureRegistry, categories: dict[str, str]) -> StructureLookup:
    """Registre des structures (structures/) : catégorie du type de la structure au SIRET donné
    (EI → siae, EA → ea, GEIQ → geiq…), None si le registre ne connaît pas ce SIRET ou ce type."""

    def look(siret: str) -> str | None:
        s = structures.get(siret)
        return categories.get(s.type) if s is not None else None

    return look


def chain(*lookups: StructureLookup | None) -> StructureLookup:
    """Premier registre qui connaît le SIRET."""
    active = [lk for lk in lookups if lk is not None]

    def look(siret: str) -> str | None:
        return next((kind for lk in active if (kind := lk(siret)) is not None), None)

    return look


def eu_obligation(ws: Workspace, case: Case, registry: Registry | None, today: dt.date) -> thresholds.Obligation:
    """LE point d'accès aux seuils de ce module : obligation L2112-2-1 de la demande (seuil européen
    à la date de lancement). À basculer ici sur l'API des seuils SSSS quand elle sera fusionnée."""
    derogation = case.analyse.derogation if case.analyse else None
    _, _, obligation = thresholds.assess(ws, case.marche, case.donneur_ordre, registry, today, derogation)
    return obligation


def _no_social(rec: DecpRecord) -> bool:
    return not rec.social or set(rec.social) == {NO_SOCIAL}


def _lot_text(lot: int | None) -> str:
    return f" (lot {lot})" if lot is not None else ""


def check_match(ws: Workspace, rec: DecpRecord, case: Case, lot: int | None, registry: Registry | None,
                lookup: StructureLookup | None, rules: dict[str, Any], today: dt.date) -> list[Inconsistency]:
    out: list[Inconsistency] = []
    retained = [d for d in case.retained_dispositions if d != "aucune"]
    if case.decision and case.decision.suite in FOLLOWED and retained and _no_social(rec):
        out.append(Inconsistency(
            "clause_non_publiee", rec, case.id,
            f"{case.id}{_lot_text(lot)} : le donneur d'ordre a suivi la recommandation ({', '.join(retained)}), "
            f"mais le marché {rec.id} est publié avec « {NO_SOCIAL} »"))
    # Lancement inconnu : impossible de dire si L2112-2-1 s'appliquait (la DECP ne publie pas cette date).
    if _no_social(rec) and thresholds.launch_date(ws, case.marche) is not None:
        ob = eu_obligation(ws, case, registry, today)
        if ob.applies and ob.derogation is None:
            out.append(Inconsistency(
                "obligation_l2112_2_1", rec, case.id,
                f"{case.id}{_lot_text(lot)} : marché {rec.id} publié sans considération sociale alors que {ob.reason}", ob.regle))
    out += check_reserved(rec, lookup, rules, "reserve_ess" in case.retained_dispositions, case.id)
    return out


def check_reserved(rec: DecpRecord, lookup: StructureLookup | None, rules: dict[str, Any], ess_allowed: bool,
                   case_id: str | None = None) -> list[Inconsistency]:
    if lookup is None or RESERVED not in rec.social:
        return []
    allowed = set(rules["structures_reservataires"])
    if ess_allowed or case_id is None:  # sans demande, on ne sait pas si la réservation est celle de L2113-15
        allowed |= set(rules.get("structures_reservataires_ess") or ())
    out = []
    for h in rec.holders:
        kind = lookup(h.siret) if h.siret else None
        if kind is not None and kind not in allowed:
            who = f"{case_id} : " if case_id else ""
            out.append(Inconsistency(
                "reserve_titulaire", rec, case_id,
                f"{who}marché réservé {rec.id} attribué au SIRET {h.siret}, que le registre des structures classe « {kind} » "
                f"(attendu : {', '.join(sorted(allowed))})", "rules/donnees_ouvertes.yaml#decp.structures_reservataires"))
    return out
