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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.analysis import ess
from guichet_cli.core.analysis.calibrate import minimum_hours
from guichet_cli.core.analysis.units import Unit, build_units
from guichet_cli.core.facts import labels, legal_frame, sectors, thresholds, unverified
from guichet_cli.core.model.case import Calibration, Case, Derogation, Market, Recommendation
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
    # cadre juridique : acheteur soumis au code, ou démarche volontaire (acheteur privé)
    frame: legal_frame.Frame = field(default_factory=lambda: legal_frame.Frame(False, None))
    # lectures à confirmer (entrées a_confirmer des règles) sur lesquelles l'analyse s'appuie
    unverified: list[unverified.Unverified] = field(default_factory=list)

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
        condition = (rule.get("acheteurs_sous_condition") or {}).get(th.buyer_type)
        if ok and condition:
            checks.append(Check(True, f"acheteur de type {th.buyer_type} : {condition}", rule_ref("dispositions", disp, "acheteurs_sous_condition")))
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
        minimum, min_ref = minimum_hours(ws, unit.sector_key, unit.sector)
        if cal.hours < minimum:
            status = DISCOURAGED
            checks.append(Check(False, f"{fr.h(cal.hours)} calculées < {fr.h(minimum)} : globaliser les heures, réserver un lot ou retenir un critère", min_ref))
        else:
            per_year = f", {fr.h(cal.hours_per_year)} par an" if cal.hours_per_year is not None else ""
            checks.append(Check(True, f"{fr.h(cal.hours)} d'insertion{per_year} ({cal.etp_text()})", rule_ref("calibrage")))
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


@dataclass(frozen=True)
class Part:
    """Partie d'un marché portée par un CPV secondaire d'un autre secteur, dont l'usage est une réservation."""

    cpv: str
    sector_key: str
    label: str
    disposition: str
    classic: bool  # activité classique des marchés réservés : la réservation passe en tête


def reserved_parts(ws: Workspace, unit: Unit) -> list[Part]:
    """CPV secondaires de l'unité (tous les CPV sont lus, pas seulement le premier) relevant d'un autre
    secteur dont la disposition par défaut est une réservation."""
    table = load_rules(ws, "dispositions")["dispositions"]
    out: list[Part] = []
    for code in unit.cpv[1:]:
        found = sectors.sector_for(ws, code)
        disp = str(found.entry.get("disposition"))
        if found.key != unit.sector_key and (table.get(disp) or {}).get("famille") == "reserve":
            out.append(Part(sectors.cpv_base(code), found.key, found.label, disp, bool(found.entry.get("reservation_classique"))))
    return out


def analyse_unit(ws: Workspace, unit: Unit, marche: Market, th: thresholds.Threshold, obligation: thresholds.Obligation,
                 recorded: tuple[str, ...] = ()) -> UnitResult:
    """`recorded` : dispositions que le dossier (analyse.recommandation) attribue nommément à ce lot ; elles priment."""
    rules = load_rules(ws, "dispositions")["dispositions"]
    names = labels.of(ws)
    sector_ref = rule_ref("secteurs", unit.sector_key)
    parts = reserved_parts(ws, unit)
    classic = [p for p in parts if p.classic]
    own_classic = bool(unit.sector.get("reservation_classique"))
    candidates = [*recorded, *(p.disposition for p in classic), unit.sector["disposition"], *unit.sector.get("alternatives", [])]
    options: list[Option] = []
    for disp in dict.fromkeys(candidates):
        status, checks = _evaluate(ws, disp, unit, marche, th, obligation)
        ref = sector_ref
        if disp in recorded:
            checks.insert(0, Check(True, "disposition retenue pour ce lot dans le dossier (analyse.recommandation)", None))
        part = next((p for p in classic if p.disposition == disp), None)
        if part is not None and disp not in recorded:
            ref = rule_ref("secteurs", part.sector_key)
            checks.insert(0, Check(True, f"partie « {part.label} » (CPV {part.cpv}) : activité classique des marchés réservés, la réservation passe en tête", ref))
        elif disp == unit.sector["disposition"]:
            extra = " (activité classique des marchés réservés)" if own_classic and (rules.get(disp) or {}).get("famille") == "reserve" else ""
            checks.insert(0 if disp not in recorded else 1, Check(True, f"disposition par défaut du secteur « {unit.sector_label} »{extra}", sector_ref))
        elif disp in unit.sector.get("alternatives", []):
            checks.insert(0 if disp not in recorded else 1, Check(True, f"alternative du secteur « {unit.sector_label} »", sector_ref))
        rule = rules.get(disp) or {}
        options.append(Option(disp, names.disposition(disp), rule.get("base_legale", ""), status, checks, ref))
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
    # Partie d'un autre secteur (CPV secondaire) dont l'usage est une réservation : proposer d'en faire un lot réservé.
    for part in parts:
        if part.classic and primary is not None and primary.disposition == part.disposition:
            continue
        opt = next((o for o in options if o.disposition == part.disposition), None)
        if opt is None:
            status, checks = _evaluate(ws, part.disposition, unit, marche, th, obligation)
            opt = Option(part.disposition, names.disposition(part.disposition), (rules.get(part.disposition) or {}).get("base_legale", ""),
                         status, checks, rule_ref("secteurs", part.sector_key))
            options.append(opt)
        if opt.status == RETAINED and opt is not primary:
            opt.role = "complément"
            opt.regle = rule_ref("secteurs", part.sector_key)
            opt.checks.insert(0, Check(True, f"partie « {part.label} » (CPV {part.cpv}) : en faire un lot réservé ({opt.label})", opt.regle))
    for o in options:
        if not o.role:
            o.role = "alternative" if o.status != REFUSED else "écartée"
    return UnitResult(unit, options)


def _obligation_checks(ws: Workspace, ur: UnitResult, obligation: thresholds.Obligation) -> None:
    """Contrôles de L2112-2-1 (obligation, réservation seule) portés par la disposition principale
    FINALE de l'unité : appelé une fois les choix arrêtés (après le crochet du sourcing)."""
    if not obligation.applies or obligation.derogation:
        return
    primary = next((o for o in ur.options if o.role == "principale"), None)
    if primary is None:
        return
    primary.checks.append(Check(True, obligation.reason, obligation.regle))
    reading = load_rules(ws, "obligation_sociale").get("reservation_conforme") or {}
    family = (load_rules(ws, "dispositions")["dispositions"].get(primary.disposition) or {}).get("famille")
    if family in (reading.get("familles") or []) and reading.get("a_confirmer"):
        primary.checks.append(Check(True, "une réservation seule satisfait l'obligation selon la lecture du guichet (« sans préjudice » "
                                          "des L2113-12 à L2113-16) : lecture à confirmer", rule_ref("obligation_sociale", "reservation_conforme")))


def analyse_market(ws: Workspace, marche: Market, *, case_id: str, buyer: str | None, calibration: Calibration | None = None,
                   derogation: Derogation | None = None, today: dt.date | None = None, registry: Registry | None = None,
                   recorded: tuple[Recommendation, ...] = (), adjust: Callable[[Analysis], None] | None = None) -> Analysis:
    """Analyse d'un marché (d'une demande, ou d'une ligne de plan d'achat) ; `calibration` et `derogation` :
    le calibrage et la dérogation enregistrés dans le dossier, s'il y en a ; `adjust` : correction des
    choix (offre des structures) avant les contrôles qui portent sur les choix finals."""
    today = today or dt.date.today()
    registry = registry if registry is not None else ws.store.registry
    btype, th, obligation = thresholds.assess(ws, marche, buyer, registry, today, derogation)
    # Dispositions attribuées nommément à un lot dans le dossier : elles priment, et le montant retenu
    # saisi pour la clause ne se répartit que sur les lots qui la portent.
    recorded_lots: dict[int, tuple[str, ...]] = {}
    for rec in recorded:
        for lot_no in rec.lots:
            recorded_lots[lot_no] = (*recorded_lots.get(lot_no, ()), rec.disposition)
    clause_lots = {n for n, disps in recorded_lots.items() if "clause_insertion" in disps} or None
    units = build_units(ws, marche, calibration, clause_lots=clause_lots)
    results = [analyse_unit(ws, u, marche, th, obligation, recorded_lots.get(u.lot, ()) if u.lot is not None else ()) for u in units]
    if buyer:
        _ess_history(ws, results, buyer, thresholds.launch_date(ws, marche) or today, case_id)
    notes = list(th.notes)
    if btype[1] != "dossier":
        notes.append(f"type d'acheteur « {labels.of(ws).type_acheteur(btype[0])} » pris dans le {btype[1]}")
    if obligation.derogation:
        notes.append(f"dérogation enregistrée : {obligation.derogation_label or obligation.derogation.motif}")
    if obligation.derogation_refused:
        notes.append(f"motif de dérogation « {obligation.derogation_refused} » enregistré, mais absent des motifs de L2112-2-1 : "
                     f"l'obligation demeure ({rule_ref('obligation_sociale', 'motifs_derogation')})")
    an = Analysis(case_id, th, obligation, results, notes, legal_frame.frame(ws, btype[0]))
    if adjust is not None:
        adjust(an)
    for ur in an.units:
        _obligation_checks(ws, ur, obligation)
    return an


def _ess_history(ws: Workspace, results: list[UnitResult], buyer: str, when: dt.date, case_id: str) -> None:
    """Réservation ESS : nommer les organismes qui ne peuvent pas être attributaires (marché réservé du
    même acheteur pour les mêmes services notifié depuis moins de 3 ans, d'après le dépôt)."""
    for ur in results:
        for o in ur.options:
            if o.disposition != ess.ESS or o.status == REFUSED:
                continue
            priors = ess.prior_awards(ws, buyer=buyer, cpvs=ur.unit.cpv, before=when, exclude=case_id)
            if priors:
                names = ", ".join(f"{p.nom} ({p.siret}, {p.case_id}, notifié le {fr.date_fr(p.notified.isoformat())})" for p in priors)
                o.checks.append(Check(True, f"ne peuvent pas être attributaires (marché réservé ESS des mêmes services depuis moins de 3 ans) : {names}",
                                      ess.reference()))
            else:
                o.checks.append(Check(True, "aucun marché réservé ESS des mêmes services notifié par cet acheteur depuis 3 ans dans le dépôt",
                                      ess.reference()))


def analyse_case(ws: Workspace, case: Case, *, today: dt.date | None = None, registry: Registry | None = None) -> Analysis:
    from guichet_cli.core.sourcing.hook import adjust_analysis  # l'offre des structures inclusives (issue 13)

    an = analyse_market(ws, case.marche, case_id=case.id, buyer=case.donneur_ordre, calibration=case.calibration,
                        derogation=case.analyse.derogation if case.analyse else None, today=today, registry=registry,
                        recorded=case.recommendations, adjust=lambda a: adjust_analysis(ws, case, a))
    an.unverified = unverified_readings(ws, an)
    return an


def unverified_readings(ws: Workspace, an: Analysis) -> list[unverified.Unverified]:
    """Entrées à confirmer des règles derrière le seuil, l'obligation, le cadre, et les dispositions
    retenues (leurs contrôles, leur règle, les paramètres du calibrage) : l'utilisateur sait quelle
    lecture n'est pas vérifiée."""
    th, ob = an.threshold, an.obligation
    cited: list[tuple[str | None, str]] = [(th.regle, f"seuil appliqué : {th.label or th.text()}")]
    if th.threshold is not None:
        cited.append((rule_ref("obligation_sociale", "valeur_du_besoin"), f"valeur du besoin comparée au seuil ({th.value_field})"))
    if th.ssss:
        cited.append((rule_ref("seuils", "services_sociaux_specifiques", "cpv"),
                      "le CPV relève des services sociaux et autres services spécifiques (seuil propre)"))
    cited += th.cited
    cited.append((ob.regle, ob.reason))
    if ob.derogation is not None:
        cited.append((rule_ref("obligation_sociale", "motifs_derogation", ob.derogation.motif),
                      f"motif de dérogation : {ob.derogation_label or ob.derogation.motif}"))
    if an.frame.voluntary:
        cited.append((an.frame.regle, an.frame.notice))
    # obligation satisfaite par une seule réservation (sur le marché ou un lot) : lecture du guichet
    rules_ob = load_rules(ws, "obligation_sociale")
    reserved = set((rules_ob.get("reservation_conforme") or {}).get("familles") or [])
    table = load_rules(ws, "dispositions")["dispositions"]
    for ur in an.units if ob.applies and not ob.derogation else []:
        fams = {(table.get(o.disposition) or {}).get("famille") for o in ur.chosen if _conforming(ws, o.disposition)}
        if fams and fams <= reserved:
            where = f"{ur.unit.label} : " if an.has_lots else ""
            cited.append((rule_ref("obligation_sociale", "reservation_conforme"),
                          f"{where}une réservation seule satisfait l'obligation {rules_ob['article']}"))
    for ur in an.units:
        where = f"{ur.unit.label} : " if an.has_lots else ""
        for o in ur.chosen:
            cited.append((rule_ref("dispositions", o.disposition), f"{where}{o.label} ({o.base_legale})"))
            cited.append((o.regle, f"{where}{o.label} ({o.role}) : proposée par cette règle"))
            cited += [(c.regle, f"{where}{o.label} : {c.text}") for c in o.checks]
        if _has_clause(ur):
            cal = ur.unit.calibration
            cited += [(cal.share.regle, f"{where}part de main-d'œuvre {fr.pct(cal.share.value)}"),
                      (cal.rate.regle, f"{where}taux d'insertion {fr.pct(cal.rate.value)}"),
                      (cal.cost.regle, f"{where}coût horaire {fr.eur(cal.cost.value)}")]
    return unverified.collect(ws, cited)


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
    # ETP par an (AVE : 1 ETP = 1 600 h par an) : heures annuelles si connues, sinon total sur la durée en années
    years = max(first.years, 1.0)
    yearly = out.get("heures_par_an", total / years)
    out["etp"] = round(yearly / first.etp_hours, 2)
    if an.has_lots:
        out["lots"] = [{"numero": u.unit.lot, "montant_retenu_ht": _num(u.unit.calibration.amount), "part_main_oeuvre": u.unit.calibration.share.value,
                        "taux_insertion": u.unit.calibration.rate.value, "cout_horaire": _num(u.unit.calibration.cost.value),
                        "heures": u.unit.calibration.hours} for u in units]
    return out


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(float(x), 2)
