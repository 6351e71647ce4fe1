"""Rapprochement d'un besoin et des structures du registre, expliqué : quelle activité, quel secteur,
quel périmètre ; et la dépendance économique (montant annuel du lot / chiffre d'affaires)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts.sectors import cpv_base
from guichet_cli.core.model.case import Place
from guichet_cli.core.model.structures import Activity, Perimeter, Structure, StructureRegistry
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.sourcing.need import Need, sector_map
from guichet_cli.core.workspace import Workspace


@dataclass
class Match:
    structure: Structure
    activity: Activity
    sector_text: str
    perimeter_text: str
    services: tuple[str, ...]  # types de prestation de l'activité qui servent le besoin
    full: bool  # l'activité couvre tous les lieux d'exécution
    dependency: float | None = None  # montant annuel / chiffre d'affaires
    dependent: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.structure.type

    def executes(self, execution: tuple[str, ...]) -> bool:
        """Peut exécuter le lot elle-même (prestation ou fourniture, pas seulement de la mise à disposition)."""
        return any(s in execution for s in self.services)


class Geography:
    """Départements et régions des lieux et des structures (rules/sourcing.yaml#regions)."""

    def __init__(self, rules: dict[str, Any]) -> None:
        self.regions: dict[str, str] = rules["regions"]["departements"]
        self.region_labels: dict[str, str] = rules["regions"]["libelles"]
        self.radius_region_km = float(rules["perimetre"]["rayon_region_des_km"])

    def region_of(self, dept: str) -> str | None:
        return self.regions.get(dept)

    def covers(self, per: Perimeter, s: Structure, place: Place) -> tuple[bool, str]:
        dept = place.departement
        if per.type == "national":
            return True, "périmètre national"
        if per.type == "rayon":
            km = fr.smart(per.km or 0)
            if (per.km or 0) >= self.radius_region_km:
                reg = self.region_of(s.departement)
                ok = reg is not None and reg == self.region_of(dept)
                label = self.region_labels.get(reg or "", reg or "?")
                return ok, (f"rayon de {km} km autour de la commune {s.commune}, approché par la région {label} "
                            f"(le COG ne donne pas de coordonnées ; {rule_ref('sourcing', 'perimetre')})")
            return dept == s.departement, (f"rayon de {km} km autour de la commune {s.commune}, approché par le département {s.departement} "
                                           f"(le COG ne donne pas de coordonnées ; {rule_ref('sourcing', 'perimetre')})")
        if place.commune and place.commune in per.communes:
            return True, f"commune {place.commune} dans la liste de l'activité"
        if dept in per.departements:
            return True, f"département {dept} dans la liste de l'activité"
        reg = self.region_of(dept)
        if reg and reg in per.regions:
            return True, f"région {self.region_labels.get(reg, reg)} dans la liste de l'activité"
        if per.communes and not place.commune:
            return False, "commune du lieu d'exécution non renseignée dans le dossier"
        return False, "hors de la liste de l'activité"


def _sector_fit(ws: Workspace, act: Activity, need: Need) -> str | None:
    for code in act.cpv:
        base = cpv_base(code).rstrip("0")
        for wanted in need.cpv:
            if base and cpv_base(wanted).startswith(base):
                return f"CPV {wanted} couvert par le code {code} de l'activité"
    own = sector_map(ws, act.cpv, None)
    common = [k for k in own if k in need.sectors]
    if common:
        return f"secteur « {need.sectors[common[0]]} »"
    return None


def _activity_match(ws: Workspace, geo: Geography, s: Structure, act: Activity, need: Need) -> Match | None:
    services = tuple(x for x in act.prestations if x in need.services)
    if not services:
        return None
    sector = _sector_fit(ws, act, need)
    if sector is None:
        return None
    results = [(p, *geo.covers(act.perimetre, s, p)) for p in need.places]
    covered = [r for r in results if r[1]]
    if not covered:
        return None
    full = len(covered) == len(results)
    texts = list(dict.fromkeys(r[2] for r in covered))
    per = "; ".join(texts)
    if not full:
        missing = ", ".join(dict.fromkeys(r[0].departement for r in results if not r[1]))
        per += f" — ne couvre pas : {missing}"
    return Match(s, act, sector, per, services, full)


def _dependency(ws: Workspace, m: Match, need: Need) -> None:
    rule = load_rules(ws, "sourcing")["dependance_economique"]
    ca = m.structure.turnover
    if ca is None or ca.valeur <= 0:
        m.notes.append("chiffre d'affaires inconnu : dépendance économique non vérifiée")
        return
    m.dependency = need.yearly / ca.valeur
    m.dependent = m.dependency > rule["seuil"]


def find(ws: Workspace, registry: StructureRegistry, need: Need, kinds: tuple[str, ...] | None = None) -> list[Match]:
    """Structures en activité, des types demandés, dont une activité sert le besoin ; la meilleure activité de chacune."""
    geo = Geography(load_rules(ws, "sourcing"))
    out: list[Match] = []
    for s in registry:
        if not s.en_activite or (kinds and s.type not in kinds):
            continue
        best: Match | None = None
        for act in s.activites:
            m = _activity_match(ws, geo, s, act, need)
            if m is not None and (best is None or (m.full and not best.full)):
                best = m
        if best is not None:
            _dependency(ws, best, need)
            out.append(best)
    out.sort(key=lambda m: (not m.full, m.dependent, m.kind, m.structure.nom))
    return out
