"""Recommandation de la disposition sociale, pour le marché et pour chaque lot, avec les conditions vérifiées.

Pour chaque unité (marché ou lot) : la disposition par défaut du secteur puis ses alternatives sont
examinées (liste CPV et durée de L2113-15, type d'acheteur, part de main-d'œuvre, durée
d'exécution, heures calculées, offre connue) ; la première retenue est recommandée (rang 1). Une
clause d'insertion est complétée d'un critère sur la qualité de la proposition d'insertion. Au-delà
du seuil européen pour une consultation lancée depuis la date de L2112-2-1, une disposition
conforme (condition d'exécution ou réservation) est imposée sauf dérogation enregistrée.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.analysis.units import Unit, build_units
from guichet_cli.core.facts import labels, thresholds
from guichet_cli.core.model.case import Calibration, Case, Derogation, Market
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.validation.checks import cpv_in
from guichet_cli.core.workspace import Workspace

RETAINED, DISCOURAGED, REFUSED = "retenue", "déconseillée", "refusée"
COMPLEMENT = "critere_social"


@dataclass
class Check:
    ok: bool
    text: str
    regle: str | None = None


@dataclass
class Option:
    disposition: str
    label: str
    base_legale: str
    status: str
    checks: list[Check]
    regle: str  # règle qui a proposé cette disposition (table sectorielle, obligation…)
    role: str = ""  # principale, complément, alternative

    def explanation(self) -> str:
        return " ; ".join(c.text for c in self.checks)


@dataclass
class UnitResult:
    unit: Unit
    options: list[Option]

    @property
    def chosen(self) -> list[Option]:
        return [o for o in self.options if o.role in ("principale", "complément")]


@dataclass
class Analysis:
    case_id: str
    threshold: thresholds.Threshold
    obligation: thresholds.Obligation
    units: list[UnitResult]
    notes: list[str] = field(default_factory=list)

    @property
    def has_lots(self) -> bool:
        return any(u.unit.lot is not None for u in self.units)

    @property
    def total_hours(self) -> int:
        return sum(u.unit.calibration.hours for u in self.units if _has_clause(u))

    def recommendations(self) -> list[dict[str, Any]]:
        """Entrées pour analyse.recommandation : une par disposition, avec ses lots, rang et règle."""
        grouped: dict[str, dict[str, Any]] = {}
        order: list[tuple[int, int, str]] = []
        for ui, ur in enumerate(self.units):
            for o in ur.chosen:
                rank = 1 if o.role == "principale" else 2
                if o.disposition not in grouped:
                    grouped[o.disposition] = {"disposition": o.disposition, "lots": [], "base_legale": o.base_legale,
                                              "justification": [], "regle": o.regle, "_rank": rank}
                    order.append((rank, ui, o.disposition))
                g = grouped[o.disposition]
                g["_rank"] = min(g["_rank"], rank)
                if ur.unit.lot is not None:
                    g["lots"].append(ur.unit.lot)
                text = o.explanation()
                if text and text not in g["justification"]:
                    g["justification"].append((f"{ur.unit.label} : " if self.has_lots else "") + text)
        out = []
        ranked = sorted(order, key=lambda t: (grouped[t[2]]["_rank"], t[1]))
        for rang, (_r, _ui, disp) in enumerate(ranked, start=1):
            g = grouped[disp]
            entry: dict[str, Any] = {"disposition": disp}
            if g["lots"]:
                entry["lots"] = g["lots"]
            entry["base_legale"] = g["base_legale"]
            entry["justification"] = ". ".join(g["justification"])[:20000] or g["base_legale"]
            entry["rang"] = rang
            entry["regle"] = g["regle"]
            out.append(entry)
        return out


def _has_clause(ur: UnitResult) -> bool:
    return any(o.disposition == "clause_insertion" for o in ur.chosen)


def _evaluate(ws: Workspace, disp: str, unit: Unit, marche: Market, th: thresholds.Threshold,
              obligation: thresholds.Obligation) -> tuple[str, list[Check]]:
    rules = load_rules(ws, "dispositions")["dispositions"]
    cal_rules = load_rules(ws, "calibrage")["pertinence"]
    rule = rules.get(disp) or {}
    checks: list[Check] = []
    status = RETAINED
    allowed = rule.get("cpv_autorises")
    if allowed:
        outside = [c for c in unit.cpv if not cpv_in(c, allowed)]
        if outside:
            status = REFUSED
            checks.append(Check(False, f"CPV {', '.join(outside)} hors de la liste des services de {rule['base_legale']}", rule_ref("dispositions", disp, "cpv_autorises")))
        else:
            checks.append(Check(True, f"CPV dans la liste de {rule['base_legale']}", rule_ref("dispositions", disp, "cpv_autorises")))
    max_months = rule.get("duree_max_mois")
    if max_months:
        ok = marche.duree_mois <= max_months
        status = status if ok else REFUSED
        checks.append(Check(ok, f"durée de {marche.duree_mois} mois {'≤' if ok else '>'} {max_months} mois", rule_ref("dispositions", disp, "duree_max_mois")))
    buyers_ok = rule.get("acheteurs_autorises")
    if buyers_ok:
        ok = th.buyer_type in buyers_ok
        status = status if ok else REFUSED
        checks.append(Check(ok, f"acheteur de type {th.buyer_type} {'autorisé' if ok else 'non autorisé'}", rule_ref("dispositions", disp, "acheteurs_autorises")))
    cal = unit.calibration
    if disp == "clause_insertion":
        share = cal.effective_share
        if unit.sector.get("clause_insertion_peu_adaptee"):
            status = DISCOURAGED
            checks.append(Check(False, f"heures d'insertion peu adaptées au secteur ({unit.sector_label})", rule_ref("secteurs", unit.sector_key)))
        if share < cal_rules["part_main_oeuvre_minimale"]:
            status = DISCOURAGED
            checks.append(Check(False, f"part de main-d'œuvre {fr.pct(share)} < {fr.pct(cal_rules['part_main_oeuvre_minimale'])}", rule_ref("calibrage", "pertinence", "part_main_oeuvre_minimale")))
        elif share >= cal_rules["part_main_oeuvre_forte"]:
            checks.append(Check(True, f"marché de main-d'œuvre ({fr.pct(share)} ≥ {fr.pct(cal_rules['part_main_oeuvre_forte'])})", rule_ref("calibrage", "pertinence", "part_main_oeuvre_forte")))
        else:
            checks.append(Check(True, f"part de main-d'œuvre {fr.pct(share)}", cal.share.regle))
        if marche.duree_mois < cal_rules["duree_minimale_mois"]:
            status = DISCOURAGED
            checks.append(Check(False, f"durée d'exécution de {marche.duree_mois} mois < {cal_rules['duree_minimale_mois']} mois", rule_ref("calibrage", "pertinence", "duree_minimale_mois")))
        if cal.hours < cal_rules["heures_minimales"]:
            status = DISCOURAGED
            checks.append(Check(False, f"{fr.h(cal.hours)} calculées < {fr.h(cal_rules['heures_minimales'])} : globaliser les heures, réserver un lot ou retenir un critère", rule_ref("calibrage", "pertinence", "heures_minimales")))
        else:
            checks.append(Check(True, f"{fr.h(cal.hours)} d'insertion ({fr.n(cal.etp, 2)} ETP)", rule_ref("calibrage")))
    if disp == "aucune" and obligation.applies and not obligation.derogation:
        status = REFUSED
        checks.append(Check(False, "refusée sans motif de dérogation enregistré (analyse.derogation)", obligation.regle))
    offer = (unit.sector.get("offre") or {}).get(disp)
    if offer:
        checks.append(Check(True, f"offre connue : {offer}", rule_ref("secteurs", unit.sector_key, "offre", disp)))
    return status, checks


def _conforming(ws: Workspace, disp: str) -> bool:
    rules = load_rules(ws, "obligation_sociale")
    if disp in (rules.get("dispositions_non_conformes") or []):
        return False
    return (load_rules(ws, "dispositions")["dispositions"].get(disp) or {}).get("famille") in rules["familles_conformes"]


def analyse_unit(ws: Workspace, unit: Unit, marche: Market, th: thresholds.Threshold, obligation: thresholds.Obligation) -> UnitResult:
    rules = load_rules(ws, "dispositions")["dispositions"]
    names = labels.of(ws)
    sector_ref = rule_ref("secteurs", unit.sector_key)
    candidates = [unit.sector["disposition"], *unit.sector.get("alternatives", [])]
    options: list[Option] = []
    for i, disp in enumerate(dict.fromkeys(candidates)):
        status, checks = _evaluate(ws, disp, unit, marche, th, obligation)
        origin = "disposition par défaut" if i == 0 else "alternative"
        checks.insert(0, Check(True, f"{origin} du secteur « {unit.sector_label} »", sector_ref))
        rule = rules.get(disp) or {}
        options.append(Option(disp, names.disposition(disp), rule.get("base_legale", ""), status, checks, sector_ref))
    order = {RETAINED: 0, DISCOURAGED: 1, REFUSED: 2}
    options.sort(key=lambda o: order[o.status])  # tri stable : l'ordre de la table départage
    mandatory = obligation.applies and not obligation.derogation
    primary = next((o for o in options if o.status == RETAINED and (not mandatory or _conforming(ws, o.disposition))), None)
    if primary is None and mandatory:
        ob = load_rules(ws, "obligation_sociale")
        disp = next((o.disposition for o in options if o.status != REFUSED and _conforming(ws, o.disposition)), ob["disposition_par_defaut"])
        primary = next((o for o in options if o.disposition == disp), None)
        if primary is None:
            rule = rules[disp]
            primary = Option(disp, names.disposition(disp), rule["base_legale"], RETAINED, [], rule_ref("obligation_sociale", "disposition_par_defaut"))
            options.insert(0, primary)
        primary.status = RETAINED
    if primary is None:
        primary = next((o for o in options if o.status == DISCOURAGED), None)
    if primary is not None:
        primary.role = "principale"
        if mandatory:
            primary.checks.append(Check(True, obligation.reason, obligation.regle))
            primary.regle = primary.regle if _conforming(ws, primary.disposition) else rule_ref("obligation_sociale", "disposition_par_defaut")
        options.remove(primary)
        options.insert(0, primary)
        if primary.disposition == "clause_insertion":
            comp = next((o for o in options if o.disposition == COMPLEMENT and o.status == RETAINED), None)
            if comp is None:
                rule = rules[COMPLEMENT]
                comp = Option(COMPLEMENT, names.disposition(COMPLEMENT), rule["base_legale"], RETAINED, [], rule_ref("dispositions", COMPLEMENT))
                options.insert(1, comp)
            comp.role = "complément"
            comp.checks.append(Check(True, "en complément de la clause : critère sur la qualité de la proposition d'insertion", rule_ref("dispositions", COMPLEMENT)))
            options.remove(comp)
            options.insert(1, comp)
    for o in options:
        if not o.role:
            o.role = "alternative" if o.status != REFUSED else "écartée"
    return UnitResult(unit, options)


def analyse_market(ws: Workspace, marche: Market, *, case_id: str, buyer: str | None, calibration: Calibration | None = None,
                   derogation: Derogation | None = None, today: dt.date | None = None, registry: Registry | None = None) -> Analysis:
    """Analyse d'un marché (d'une demande, ou d'une ligne de plan d'achat) ; `calibration` et `derogation` :
    le calibrage et la dérogation enregistrés dans le dossier, s'il y en a."""
    today = today or dt.date.today()
    registry = registry if registry is not None else ws.store.registry
    btype, th, obligation = thresholds.assess(ws, marche, buyer, registry, today, derogation)
    units = build_units(ws, marche, calibration)
    results = [analyse_unit(ws, u, marche, th, obligation) for u in units]
    notes = list(th.notes)
    if btype[1] != "dossier":
        notes.append(f"type d'acheteur « {btype[0]} » pris dans le {btype[1]}")
    if obligation.derogation:
        notes.append(f"dérogation enregistrée : {obligation.derogation_label or obligation.derogation.motif}")
    return Analysis(case_id, th, obligation, results, notes)


def analyse_case(ws: Workspace, case: Case, *, today: dt.date | None = None, registry: Registry | None = None) -> Analysis:
    an = analyse_market(ws, case.marche, case_id=case.id, buyer=case.donneur_ordre, calibration=case.calibration,
                        derogation=case.analyse.derogation if case.analyse else None, today=today, registry=registry)
    from guichet_cli.core.sourcing.hook import adjust_analysis  # l'offre des structures inclusives (issue 13)

    adjust_analysis(ws, case, an)
    return an


def calibration_fields(an: Analysis) -> dict[str, Any] | None:
    """Bloc analyse.calibrage (total et lots avec clause d'insertion) ; None si aucune clause."""
    units = [u for u in an.units if _has_clause(u)]
    if not units:
        return None
    first = units[0].unit.calibration
    out: dict[str, Any] = {"base": first.base, "base_commentaire": first.base_text[:500]}
    if not an.has_lots:
        out["montant_retenu_ht"] = _num(first.amount)
        out["part_main_oeuvre"] = first.share.value
        out["taux_insertion"] = first.rate.value
        out["cout_horaire"] = _num(first.cost.value)
    total = sum(u.unit.calibration.hours for u in units)
    out["heures"] = total
    per_year = [u.unit.calibration.hours_per_year for u in units]
    if all(p is not None for p in per_year):
        out["heures_par_an"] = sum(p for p in per_year if p is not None)
    out["etp"] = round(total / first.etp_hours, 2)
    if an.has_lots:
        out["lots"] = [{"numero": u.unit.lot, "montant_retenu_ht": _num(u.unit.calibration.amount), "part_main_oeuvre": u.unit.calibration.share.value,
                        "taux_insertion": u.unit.calibration.rate.value, "cout_horaire": _num(u.unit.calibration.cost.value),
                        "heures": u.unit.calibration.hours} for u in units]
    return out


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(float(x), 2)
