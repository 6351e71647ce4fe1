"""Crochet de l'analyse : l'offre connue du registre structures/ corrige et annote la recommandation.

Appelé d'un seul endroit (`analysis.recommend.analyse_case`), après le classement et avant les contrôles
de L2112-2-1, qui portent sur la disposition principale finale :
- une réservation (rules/sourcing.yaml#reservations) pour laquelle le registre ne connaît AUCUNE
  structure capable d'exécuter seule le lot n'est pas classée en tête : la première disposition
  retenue qui n'est pas une réservation prend sa place ;
- une réservation pour laquelle il en connaît assez (rules/sourcing.yaml#avis.reservation_min_structures)
  est proposée (recommandée en complément si elle n'était qu'une alternative) ;
- la disposition principale cite l'offre trouvée (effectifs par type) et les réponses des réseaux.
Registre vide : rien n'est changé, une note le dit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guichet_cli.core import frformat as fr
from guichet_cli.core.model.case import Case
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.sourcing.advice import LotSourcing, source_market
from guichet_cli.core.workspace import Workspace

if TYPE_CHECKING:
    from guichet_cli.core.analysis.recommend import Analysis, Option, UnitResult


def _conforming(ws: Workspace, disp: str) -> bool:
    rules = load_rules(ws, "obligation_sociale")
    if disp in (rules.get("dispositions_non_conformes") or []):
        return False
    return (load_rules(ws, "dispositions")["dispositions"].get(disp) or {}).get("famille") in rules["familles_conformes"]


def _supply_text(lot: LotSourcing) -> str:
    counts = ", ".join(f"{k} {n}" for k, n in lot.counts().items()) or "aucune structure"
    return f"offre connue du registre structures/ : {counts} ({len(lot.capable)} sans dépendance et couvrant tous les lieux)"


def adjust_analysis(ws: Workspace, case: Case, an: Analysis) -> None:
    from guichet_cli.core.analysis.recommend import DISCOURAGED, RETAINED, Check

    if not len(ws.store.structures):
        an.notes.append("registre des structures vide (structures/) : l'offre des structures inclusives n'est pas prise en compte")
        return
    rules = load_rules(ws, "sourcing")
    reservations = rules["reservations"]
    res_min = int(rules["avis"]["reservation_min_structures"]["valeur"])
    so = source_market(ws, case.marche, case.id)
    mandatory = an.obligation.applies and not an.obligation.derogation
    for ur in an.units:
        lot = so.lot(ur.unit.lot)
        if lot is None:
            continue
        # une copie : _demote remet la remplaçante en tête, ce qui décalerait l'option en cours
        # et la ferait examiner (et annoter) une seconde fois
        for o in list(ur.options):
            if o.disposition not in reservations or o.status not in (RETAINED, DISCOURAGED):
                continue
            n = lot.reservable.get(o.disposition, 0)
            kinds = ", ".join(reservations[o.disposition]["types"])
            if n == 0:
                o.checks.append(Check(False, f"aucune structure du registre ({kinds}) capable d'exécuter seule ce lot sans dépendance économique",
                                      rule_ref("sourcing", "reservations", o.disposition)))
                if o.role == "principale":
                    _demote(ws, ur, o, mandatory)
            elif n >= res_min:
                o.checks.append(Check(True, f"{n} structures du registre ({kinds}) capables d'exécuter seules ce lot (seuil : {res_min})",
                                      rule_ref("sourcing", "avis", "reservation_min_structures")))
                if o.role == "alternative" and o.status == RETAINED:
                    o.role = "complément"
                    o.checks.append(Check(True, "réservation proposée : l'offre des structures inclusives suffit", rule_ref("sourcing", "avis")))
            else:
                o.checks.append(Check(True, f"{fr.count(n, 'structure', 'structures', plain=True)} du registre ({kinds}) "
                                      f"{fr.agree(n, 'capable', 'capables')} d'exécuter {fr.agree(n, 'seule', 'seules')} ce lot "
                                      f"(moins que le seuil de {res_min})",
                                      rule_ref("sourcing", "avis", "reservation_min_structures")))
        main = next((o for o in ur.options if o.role == "principale"), None)
        if main is not None:
            main.checks.append(Check(True, _supply_text(lot), rule_ref("sourcing")))
            if case.sourcing is not None:
                main.checks.append(Check(True, _answers_text(case), rule_ref("sourcing")))


def _answers_text(case: Case) -> str:
    rec = case.sourcing
    assert rec is not None
    asked = ", ".join(f"{c.reseau} ({c.reponse or 'réponse attendue'})" for c in rec.consultations) or "aucun réseau"
    keen = len(rec.interested)
    return (f"sourcing du {fr.date_fr(rec.effectue_le)} : réseaux consultés {asked} ; "
            f"{fr.count(keen, 'structure intéressée', 'structures intéressées', plain=True)}")


def _demote(ws: Workspace, ur: UnitResult, o: Option, mandatory: bool) -> None:
    """La réservation sans offre cède la tête à la première disposition retenue qui n'en est pas une."""
    from guichet_cli.core.analysis.recommend import COMPLEMENT, RETAINED

    reservations = load_rules(ws, "sourcing")["reservations"]
    replacement = next((x for x in ur.options if x is not o and x.status == RETAINED and x.disposition not in reservations
                        and (not mandatory or _conforming(ws, x.disposition))), None)
    if replacement is None:
        return  # rien de mieux : la réservation reste en tête, avec l'avertissement
    o.role = "alternative"
    for x in ur.options:
        if x.role == "complément" and x.disposition == COMPLEMENT:
            x.role = "alternative"
    replacement.role = "principale"
    ur.options.remove(replacement)
    ur.options.insert(0, replacement)
    if replacement.disposition == "clause_insertion":
        comp = next((x for x in ur.options if x.disposition == COMPLEMENT and x.status == RETAINED), None)
        if comp is not None:
            comp.role = "complément"
