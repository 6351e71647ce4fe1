"""Avis de sourcing d'un lot : réservation possible, clause seulement (sous-traitance, co-traitance,
mise à disposition), ou aucune structure connue — et alors quels réseaux consulter. Les seuils
viennent de rules/sourcing.yaml et sont cités."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts import labels
from guichet_cli.core.model.case import Market
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.model.structures import StructureRegistry
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.sourcing.match import Match, find
from guichet_cli.core.sourcing.need import Need, needs_of
from guichet_cli.core.workspace import Workspace

RESERVATION, CLAUSE, NONE = "reservation", "clause", "aucune"
ADVICE_LABELS = {
    RESERVATION: "assez de structures pour réserver",
    CLAUSE: "assez de structures pour une clause seulement (sous-traitance, co-traitance ou mise à disposition)",
    NONE: "aucune structure connue du registre",
}


@dataclass
class LotSourcing:
    need: Need
    matches: list[Match]
    advice: str
    text: str  # l'avis, en une phrase
    reservable: dict[str, int]  # disposition de réservation → structures capables d'exécuter seules le lot
    networks: list[str]  # partenaires à consulter (identifiants de partners/)
    rules_cited: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.matches:
            out[m.kind] = out.get(m.kind, 0) + 1
        return dict(sorted(out.items()))

    @property
    def capable(self) -> list[Match]:
        return [m for m in self.matches if m.full and not m.dependent]


@dataclass
class Sourcing:
    case_id: str
    lots: list[LotSourcing]

    @property
    def networks(self) -> list[str]:
        return list(dict.fromkeys(n for lot in self.lots for n in lot.networks))

    def lot(self, numero: int | None) -> LotSourcing | None:
        return next((x for x in self.lots if x.need.lot == numero), None)


def families_for(rules: dict[str, Any], need: Need) -> list[str]:
    table = rules["familles_par_disposition"]
    fams = [f for d in need.dispositions for f in (table.get(d) or [])]
    return list(dict.fromkeys(fams)) or ["siae"]


def networks_for(rules: dict[str, Any], reg: Registry, need: Need) -> list[str]:
    """Réseaux partenaires des familles utiles au besoin, et réseau IAE de chaque département d'exécution."""
    out: list[str] = []
    for fam in families_for(rules, need):
        entry = rules["reseaux"].get(fam) or {}
        out.extend(p for p in entry.get("partenaires", []) if p in reg.partners)
        if entry.get("departemental"):
            for dept in need.departements:
                net = reg.iae_network_for(dept)
                if net is not None:
                    out.append(net.id)
    return list(dict.fromkeys(out))


def assess(ws: Workspace, need: Need, matches: list[Match], reg: Registry, *, lots: bool) -> LotSourcing:
    rules = load_rules(ws, "sourcing")
    execution = tuple(rules["prestations_execution"])
    res_min = int(rules["avis"]["reservation_min_structures"]["valeur"])
    clause_min = int(rules["avis"]["clause_min_structures"]["valeur"])
    capable = [m for m in matches if m.full and not m.dependent and m.executes(execution)]
    reservable: dict[str, int] = {}
    for disp, entry in rules["reservations"].items():
        if disp in need.dispositions or not need.dispositions:
            reservable[disp] = sum(1 for m in capable if m.kind in entry["types"])
    cited = [rule_ref("sourcing", "avis", "reservation_min_structures"), rule_ref("sourcing", "avis", "clause_min_structures"),
             rule_ref("sourcing", "dependance_economique")]
    enough = {d: n for d, n in reservable.items() if n >= res_min}
    networks = networks_for(rules, reg, need)
    what = "un lot réservé" if lots else "un marché réservé"
    if enough:
        best = ", ".join(f"{disp_label(ws, d)} : {n} structures" for d, n in enough.items())
        text = (f"assez de structures pour {what} ({best} ; seuil : {res_min} structures capables d'exécuter seules, "
                f"{rule_ref('sourcing', 'avis', 'reservation_min_structures')})")
        advice = RESERVATION
    elif len(matches) >= clause_min:
        text = (f"{fr.count(len(matches), 'structure', 'structures', plain=True)} : pas assez pour réserver (il en faut {res_min} "
                f"capables d'exécuter seules le lot sans dépendance, {fr.count(len(capable), 'trouvée', 'trouvées', plain=True)}) ; recours possible sous une clause d'insertion : sous-traitance, co-traitance "
                f"ou mise à disposition ({rule_ref('sourcing', 'avis', 'clause_min_structures')})")
        advice = CLAUSE
    else:
        text = "aucune structure du registre ne couvre ce besoin : consulter " + (", ".join(reg.partner_label(p) for p in networks) or "les réseaux partenaires")
        advice = NONE
    return LotSourcing(need, matches, advice, text, reservable, networks, cited)


def disp_label(ws: Workspace, disp: str) -> str:
    basis = (load_rules(ws, "dispositions")["dispositions"].get(disp) or {}).get("base_legale")
    return labels.of(ws).disposition(disp) + (f" ({basis})" if basis else "")


def source_market(ws: Workspace, marche: Market, case_id: str, *, registry: Registry | None = None,
                  structures: StructureRegistry | None = None, kinds: tuple[str, ...] | None = None) -> Sourcing:
    reg = registry if registry is not None else ws.store.registry
    structs = structures if structures is not None else ws.store.structures
    lots = []
    for need in needs_of(ws, marche):
        lots.append(assess(ws, need, find(ws, structs, need, kinds), reg, lots=bool(marche.lots)))
    return Sourcing(case_id, lots)


def dependency_text(ws: Workspace, m: Match) -> str:
    seuil = load_rules(ws, "sourcing")["dependance_economique"]["seuil"]
    if m.dependency is None:
        return "dépendance non vérifiée (chiffre d'affaires inconnu)"
    ca = m.structure.turnover
    assert ca is not None
    verdict = "DÉPENDANCE ÉCONOMIQUE" if m.dependent else "sans dépendance"
    return (f"{verdict} : montant annuel = {fr.pct(m.dependency)} du chiffre d'affaires de {fr.eur(ca.valeur)} "
            f"({fr.date_fr(ca.date)}, {ca.source}) ; seuil {fr.pct(seuil)}")
