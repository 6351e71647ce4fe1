"""Ce qu'un dossier apporte au bilan d'une année : extrait une fois par dossier et par année.

Rattachement à l'année (règles documentées dans docs/bilans.md) :
- demande : reçue dans l'année (recue_le) ;
- décision : rendue dans l'année (decision.date) ; délai : recommandation transmise dans l'année ;
- marché notifié : execution.notifie_le dans l'année ;
- résultats : l'entrée resultats[] dont annee = l'année ;
- marché en exécution (résultats attendus) : notifié au plus tard le 31 décembre, ni clôturé avant
  le 1er janvier ni abandonné, avec une clause, un marché d'insertion ou des heures contractuelles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core.report import access as a
from guichet_cli.core.report.dataset import Case
from guichet_cli.core.report.settings import ReportSettings
from guichet_cli.core.report.thresholds import Checker

NO_SOCIAL = "Pas de considération sociale"
PERSON_KEYS = ("total", "femmes", "hommes", "moins_26_ans", "de_26_a_49_ans", "plus_50_ans")


@dataclass
class Facts:
    case: Case
    year: int
    objet: str = ""
    buyer: str = ""
    department: str = "non renseigné"
    sector: str = "non renseigné"
    received: bool = False
    status: str | None = None
    decided: bool = False
    suite: str | None = None
    motif: str | None = None
    retained: list[str] = field(default_factory=list)
    recommended: list[str] = field(default_factory=list)
    transmitted: bool = False
    delay_days: int | None = None
    received_on: dt.date | None = None
    calibrated: bool = False
    calib_facilitator: bool = False
    notified: bool = False
    amount: float | None = None
    families: list[str] = field(default_factory=list)
    decp: list[str] = field(default_factory=list)
    kickoff_facilitator: bool = False
    notification_signalled: bool = False
    expected_results: bool = False
    result: dict[str, Any] | None = None
    planned: float | None = None
    planned_prorata: bool = False
    done: float | None = None
    result_transmitted: bool = False
    partners: list[str] = field(default_factory=list)
    threshold: float | None = None
    value: float | None = None
    subject_to_obligation: bool = False
    missing: list[str] = field(default_factory=list)

    @property
    def above_threshold(self) -> bool:
        return self.threshold is not None and self.value is not None and self.value >= self.threshold

    @property
    def has_social(self) -> bool:
        return any(v != NO_SOCIAL for v in self.decp)

    @property
    def contributions(self) -> list[str]:
        out = []
        for flag, label in (
            (self.received, "demande reçue"),
            (self.decided, "décision"),
            (self.transmitted, "recommandation transmise"),
            (self.notified, "marché notifié"),
            (self.result is not None, "résultats"),
            (self.expected_results and self.result is None, "résultats manquants"),
        ):
            if flag:
                out.append(label)
        return out

    @property
    def active(self) -> bool:
        return bool(self.contributions)


def _in_year(d: dt.date | None, year: int) -> bool:
    return d is not None and d.year == year


def _add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("date impossible")


def prorata_hours(total: float, start: dt.date, months: int, year: int) -> float:
    """Heures contractuelles réparties au prorata des jours d'exécution tombant dans l'année."""
    end = _add_months(start, months)
    span = (end - start).days
    lo, hi = max(start, dt.date(year, 1, 1)), min(end, dt.date(year + 1, 1, 1))
    if span <= 0 or hi <= lo:
        return 0.0
    return round(total * (hi - lo).days / span)


def _department(rel: str, marche: dict[str, Any], buyer: dict[str, Any]) -> str:
    best, best_part = None, -1.0
    for i, lieu in enumerate(a.items(rel, "marche.lieux_execution", marche.get("lieux_execution"))):
        lieu = a.mapping(rel, f"marche.lieux_execution[{i}]", lieu)
        part = a.number(rel, f"marche.lieux_execution[{i}].part", lieu.get("part"))
        part = 1.0 if part is None else part
        if lieu.get("departement") and part > best_part:
            best, best_part = str(lieu["departement"]), part
    return best or (str(buyer["departement"]) if buyer.get("departement") else "non renseigné")


def _sector(settings: ReportSettings, marche: dict[str, Any]) -> str:
    cpvs = marche.get("cpv") or []
    if not isinstance(cpvs, list) or not cpvs:
        return "non renseigné"
    code = str(cpvs[0]).split("-")[0]
    best = ""
    for prefix in settings.sectors:
        if code.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    if best:
        return str(settings.sectors[best].get("libelle") or f"CPV {best}")
    return f"CPV {code[:2]}"


def extract(case: Case, year: int, settings: ReportSettings, buyers: dict[str, dict[str, Any]], check: Checker) -> Facts:
    d, rel = case.data, case.rel
    f = Facts(case=case, year=year, buyer=case.buyer)
    buyer = buyers.get(case.buyer) or {}
    marche = a.mapping(rel, "marche", d.get("marche"))
    f.objet = a.text(marche.get("objet")) or ""
    f.department = _department(rel, marche, buyer)
    f.sector = _sector(settings, marche)
    f.status = a.text(d.get("statut"))
    f.received_on = a.date(rel, "recue_le", d.get("recue_le"))
    f.received = _in_year(f.received_on, year)

    analyse = a.mapping(rel, "analyse", d.get("analyse"))
    for i, rec in enumerate(a.items(rel, "analyse.recommandation", analyse.get("recommandation"))):
        code = a.get(a.mapping(rel, f"analyse.recommandation[{i}]", rec), "disposition")
        if code:
            f.recommended.append(str(code))
    transmitted_on = a.date(rel, "analyse.transmise_le", analyse.get("transmise_le"))
    f.transmitted = _in_year(transmitted_on, year)
    if f.transmitted and f.received_on is not None and transmitted_on is not None:
        f.delay_days = (transmitted_on - f.received_on).days
    calib = a.mapping(rel, "analyse.calibrage", analyse.get("calibrage"))
    calib_on = a.date(rel, "analyse.calibrage.valide_le", calib.get("valide_le"))
    f.calibrated = bool(calib) and (_in_year(calib_on, year) or (calib_on is None and f.transmitted))
    f.calib_facilitator = f.calibrated and bool(calib.get("valide_par"))

    decision = a.mapping(rel, "decision", d.get("decision"))
    f.decided = _in_year(a.date(rel, "decision.date", decision.get("date")), year)
    f.suite = a.text(decision.get("suite"))
    f.motif = a.text(decision.get("motif"))
    f.retained = [str(x) for x in a.items(rel, "decision.dispositions_retenues", decision.get("dispositions_retenues"))]
    fams = []
    for code in f.retained:
        fam = str((settings.dispositions.get(code) or {}).get("famille") or "")
        if fam and fam not in fams:
            fams.append(fam)
    f.families = fams

    routage = a.mapping(rel, "routage", d.get("routage"))
    partners: list[str] = []
    for key in ("chef_de_file", "coordinations", "reseaux"):
        value = routage.get(key)
        for pid in ([value] if isinstance(value, str) else a.items(rel, f"routage.{key}", value)):
            if pid and str(pid) not in partners:
                partners.append(str(pid))
    f.partners = partners

    execution = a.mapping(rel, "execution", d.get("execution"))
    notified_on = a.date(rel, "execution.notifie_le", execution.get("notifie_le"))
    f.notified = _in_year(notified_on, year)
    if execution:
        declared = [str(x) for x in a.items(rel, "execution.considerations_sociales", execution.get("considerations_sociales"))]
        derived: list[str] = []
        for code in f.retained:
            value = (settings.dispositions.get(code) or {}).get("decp")
            if value and value not in derived:
                derived.append(str(value))
        f.decp = sorted(declared or derived)
    if f.notified:
        f.amount = a.number(rel, "execution.montant_notifie_ht", execution.get("montant_notifie_ht"))
        if f.amount is None:
            f.missing.append("montant notifié non renseigné (execution.montant_notifie_ht)")
        kickoff = a.mapping(rel, "execution.reunion_lancement", execution.get("reunion_lancement"))
        f.kickoff_facilitator = kickoff.get("facilitateur_present") is True
        f.notification_signalled = execution.get("notification_signalee_le") is not None
        launch = a.date(rel, "marche.lancement_prevu", marche.get("lancement_prevu"))
        a.number(rel, "marche.montant_maximum_ht", marche.get("montant_maximum_ht"))
        a.number(rel, "marche.montant_estime_ht", marche.get("montant_estime_ht"))
        f.threshold, f.value, f.subject_to_obligation = check(marche, case.buyer, launch or notified_on, d)

    contract_hours = a.number(rel, "execution.heures_contractuelles", execution.get("heures_contractuelles"))
    if contract_hours is None:
        contract_hours = a.number(rel, "analyse.calibrage.heures", calib.get("heures"))
    closed = a.date(rel, "cloture.date", a.get(d, "cloture", "date"))
    abandoned = a.date(rel, "abandon.date", a.get(d, "abandon", "date"))
    f.expected_results = (
        notified_on is not None
        and notified_on.year <= year
        and not (closed is not None and closed.year < year)
        and not (abandoned is not None and abandoned.year <= year)
        and (bool(contract_hours) or any(x in ("clause", "marche_insertion") for x in f.families))
    )

    for i, res in enumerate(a.items(rel, "resultats", d.get("resultats"))):
        res = a.mapping(rel, f"resultats[{i}]", res)
        if res.get("annee") != year:
            continue
        f.result = res
        f.done = a.number(rel, f"resultats[{i}].heures_realisees", res.get("heures_realisees"))
        f.planned = a.number(rel, f"resultats[{i}].heures_prevues", res.get("heures_prevues"))
        if f.planned is None and contract_hours and notified_on is not None:
            months = a.count(rel, "marche.duree_mois", marche.get("duree_mois"))
            if months:
                f.planned = prorata_hours(contract_hours, notified_on, months, year)
                f.planned_prorata = True
        if f.planned is None and (contract_hours or "clause" in f.families):
            f.missing.append(f"heures prévues {year} non renseignées (resultats[{i}].heures_prevues) et pas de prorata possible")
        f.result_transmitted = res.get("transmis_le") is not None
        # vérifie les types de toutes les valeurs comptées, pour une erreur nommant le champ
        for key in PERSON_KEYS:
            a.count(rel, f"resultats[{i}].participants.{key}", a.get(res, "participants", key))
        for group in ("contrats", "sorties"):
            for k, v in a.mapping(rel, f"resultats[{i}].{group}", res.get(group)).items():
                a.count(rel, f"resultats[{i}].{group}.{k}", v)
        for k, v in a.mapping(rel, f"resultats[{i}].participants.par_public", a.get(res, "participants", "par_public")).items():
            a.count(rel, f"resultats[{i}].participants.par_public.{k}", v)
        for k, v in a.mapping(rel, f"resultats[{i}].heures_par_modalite", res.get("heures_par_modalite")).items():
            a.number(rel, f"resultats[{i}].heures_par_modalite.{k}", v)
        inclusive = a.mapping(rel, f"resultats[{i}].entreprises_inclusives", res.get("entreprises_inclusives"))
        a.count(rel, f"resultats[{i}].entreprises_inclusives.nombre", inclusive.get("nombre"))
        a.number(rel, f"resultats[{i}].entreprises_inclusives.chiffre_affaires_ht", inclusive.get("chiffre_affaires_ht"))
        a.mapping(rel, f"resultats[{i}].qualitatif", res.get("qualitatif"))
        break
    if f.expected_results and f.result is None:
        f.missing.append(f"marché en exécution sans résultats pour {year}")
    return f
