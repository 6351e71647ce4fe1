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

from guichet_cli.core.facts.thresholds import Checker
from guichet_cli.core.model.case import Case, Market, YearResult
from guichet_cli.core.model.registry import Buyer, Registry
from guichet_cli.core.report import access as a
from guichet_cli.core.report.settings import ReportSettings

NO_SOCIAL = "Pas de considération sociale"
PERSON_KEYS = ("total", "femmes", "hommes", "moins_26_ans", "de_26_a_49_ans", "plus_50_ans")


@dataclass
class Facts:
    case: Case
    year: int
    rel: str = ""  # fichier du dossier, relatif au dépôt
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
    transmitted_on: dt.date | None = None  # recommandation transmise (analyse.transmise_le)
    decided_on: dt.date | None = None  # décision du donneur d'ordre (decision.date)
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
    result: YearResult | None = None
    planned: float | None = None
    planned_prorata: bool = False
    done: float | None = None
    result_transmitted: bool = False
    partners: list[str] = field(default_factory=list)
    threshold: float | None = None
    threshold_label: str | None = None  # « seuil européen des travaux (5 404 000 € HT) » (facts/thresholds.threshold_label)
    value: float | None = None
    subject_to_obligation: bool = False
    missing: list[str] = field(default_factory=list)
    holders: list[Any] = field(default_factory=list)  # suivi par lot et titulaire (core/followup/yearly.HolderYear)

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


def _department(marche: Market, buyer: Buyer | None) -> str:
    """Département du lieu d'exécution de plus grande part (part absente = 1), sinon celui du donneur."""
    best, best_part = None, -1.0
    for lieu in marche.lieux_execution:
        part = 1.0 if lieu.part is None else lieu.part
        if lieu.departement and part > best_part:
            best, best_part = lieu.departement, part
    return best or (buyer.departement if buyer else "non renseigné")


def _sector(settings: ReportSettings, marche: dict[str, Any]) -> str:
    """Secteur du CPV principal : facts/sectors.py, comme guichet analyse et guichet screen."""
    cpvs = marche.get("cpv") or []
    if not isinstance(cpvs, list) or not cpvs:
        return "non renseigné"
    return settings.sector_label(str(cpvs[0]), marche.get("nature"))


def extract(case: Case, year: int, settings: ReportSettings, registry: Registry, check: Checker, rel: str) -> Facts:
    f = Facts(case=case, year=year, rel=rel, buyer=case.donneur_ordre)
    marche, analyse, decision, execution = case.marche, case.analyse, case.decision, case.execution
    f.objet = marche.objet.strip()
    for i, lieu in enumerate(marche.lieux_execution):
        a.amount(case, rel, ("marche", "lieux_execution", i, "part"), lieu.part)
    f.department = _department(marche, registry.buyers.get(case.donneur_ordre))
    f.sector = settings.sector_label(marche.main_cpv, marche.nature) if marche.main_cpv else "non renseigné"  # facts/sectors.py
    f.status = case.statut.strip()
    f.received_on = case.recue_le
    f.received = _in_year(f.received_on, year)

    f.recommended = list(case.recommended_dispositions)
    transmitted_on = analyse.transmise_le if analyse else None
    f.transmitted_on = transmitted_on
    f.transmitted = _in_year(transmitted_on, year)
    if f.transmitted and transmitted_on is not None:
        f.delay_days = (transmitted_on - f.received_on).days
    calib = case.calibration
    f.calibrated = calib is not None and (_in_year(calib.valide_le, year) or (calib.valide_le is None and f.transmitted))
    f.calib_facilitator = f.calibrated and calib is not None and bool(calib.valide_par)

    if decision is not None:
        f.decided_on = decision.date
        f.decided = _in_year(decision.date, year)
        f.suite = decision.suite.strip()
        f.motif = decision.motif.strip() if decision.motif else None
    f.retained = list(case.retained_dispositions)
    fams = []
    for code in f.retained:
        fam = str((settings.dispositions.get(code) or {}).get("famille") or "")
        if fam and fam not in fams:
            fams.append(fam)
    f.families = fams

    f.partners = list(case.partners)

    notified_on = execution.notifie_le if execution else None
    f.notified = _in_year(notified_on, year)
    if execution is not None:
        derived: list[str] = []
        for code in f.retained:
            value = (settings.dispositions.get(code) or {}).get("decp")
            if value and value not in derived:
                derived.append(str(value))
        f.decp = sorted(list(execution.considerations_sociales) or derived)
    if execution is not None and f.notified:
        f.amount = a.amount(case, rel, ("execution", "montant_notifie_ht"), execution.montant_notifie_ht)
        if f.amount is None:
            f.missing.append("montant notifié non renseigné (execution.montant_notifie_ht)")
        f.kickoff_facilitator = execution.reunion_lancement is not None and execution.reunion_lancement.facilitateur_present
        f.notification_signalled = execution.notification_signalee_le is not None
        a.amount(case, rel, ("marche", "montant_maximum_ht"), marche.montant_maximum_ht)
        a.amount(case, rel, ("marche", "montant_estime_ht"), marche.montant_estime_ht)
        f.threshold, f.value, f.subject_to_obligation, f.threshold_label = check(
            marche, case.donneur_ordre, marche.lancement_prevu or execution.notifie_le,
            case.analyse.derogation if case.analyse else None,
        )

    a.amount(case, rel, ("execution", "heures_contractuelles"), execution.heures_contractuelles if execution else None)
    a.amount(case, rel, ("analyse", "calibrage", "heures"), calib.heures if calib else None)
    contract_hours = case.contract_hours
    closed = case.cloture.date if case.cloture else None
    abandoned = case.abandon.date if case.abandon else None
    f.expected_results = (
        notified_on is not None
        and notified_on.year <= year
        and not (closed is not None and closed.year < year)
        and not (abandoned is not None and abandoned.year <= year)
        and (bool(contract_hours) or any(x in ("clause", "marche_insertion") for x in f.families))
    )

    for i, res in enumerate(case.resultats):
        if res.annee != year:
            continue
        _check_result(case, rel, i, res)
        f.result = res
        f.done = res.heures_realisees
        f.planned = res.heures_prevues
        if f.planned is None and contract_hours and notified_on is not None and a.count(case, rel, ("marche", "duree_mois"), marche.duree_mois):
            f.planned = prorata_hours(contract_hours, notified_on, marche.duree_mois, year)
            f.planned_prorata = True
        if f.planned is None and (contract_hours or "clause" in f.families):
            f.missing.append(f"heures prévues {year} non renseignées (resultats[{i}].heures_prevues) et pas de prorata possible")
        f.result_transmitted = res.transmis_le is not None
        break
    if settings.followup is not None and case.suivi is not None:
        _from_statements(f, case, year, settings.followup)
    if f.expected_results and f.result is None:
        f.missing.append(f"marché en exécution sans résultats pour {year}")
    return f


def _from_statements(f: Facts, case: Case, year: int, conv: Any) -> None:
    """Relevés de suivi de l'année (core/followup/yearly.py) : ils font foi sur resultats[] quand ils existent."""
    from guichet_cli.core.followup import yearly

    res = yearly.year_result(case, year, conv, f.result)
    if res is None:
        return
    f.missing = [m for m in f.missing if not m.startswith(f"heures prévues {year}")]
    f.result, f.done, f.planned = res, res.heures_realisees, res.heures_prevues
    f.planned_prorata = not (f.result is not None and any(r.annee == year and r.heures_prevues is not None for r in case.resultats))
    f.result_transmitted = res.transmis_le is not None
    f.holders = yearly.holders_year(case, year, conv)


def _check_result(case: Case, rel: str, i: int, res: YearResult) -> None:
    """Bornes de toutes les valeurs comptées d'une entrée resultats[i], pour une erreur nommant le champ."""
    at: tuple[str | int, ...] = ("resultats", i)
    a.amount(case, rel, (*at, "heures_realisees"), res.heures_realisees)
    a.amount(case, rel, (*at, "heures_prevues"), res.heures_prevues)
    for key in PERSON_KEYS:
        a.count(case, rel, (*at, "participants", key), res.participants.count(key))
    for k, v in res.participants.par_public.items():
        a.count(case, rel, (*at, "participants", "par_public", k), v)
    for group, values in (("contrats", res.contrats), ("sorties", res.sorties)):
        for k, v in values.items():
            a.count(case, rel, (*at, group, k), v)
    for k, v in res.heures_par_modalite.items():
        a.amount(case, rel, (*at, "heures_par_modalite", k), v)
    if res.entreprises_inclusives is not None:
        a.count(case, rel, (*at, "entreprises_inclusives", "nombre"), res.entreprises_inclusives.nombre)
        a.amount(case, rel, (*at, "entreprises_inclusives", "chiffre_affaires_ht"), res.entreprises_inclusives.chiffre_affaires_ht)
