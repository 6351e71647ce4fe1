"""Attentes du suivi pour `guichet due` (charte : engagements 8 à 10 du donneur d'ordre) :

- notification non signalée au guichet et au facilitateur, au-delà de `delai_signalement_notification_jours` ;
- réunion de lancement tenue sans le facilitateur ;
- relevé manquant pour une période échue depuis plus de `delai_releve_jours` ;
- titulaire en retard : heures réalisées sous `seuil_retard` × heures attendues au prorata du temps.
Chaque attente dit qui attend qui. Délais et seuil : rules/suivi.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from guichet_cli.core import actors
from guichet_cli.core import frformat as fr
from guichet_cli.core.facts import periods
from guichet_cli.core.followup import figures as F
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.workspace import Workspace

FOLLOWED = {"marche_notifie", "en_execution"}


@dataclass
class Duty:
    """Une attente du suivi ; `kind` sert aux relances (même attente relancée = rang suivant)."""

    kind: str
    actor: tuple[str, str]  # (libellé, identifiant) de qui est attendu
    waited_by: str
    what: str
    since: dt.date
    source: str



def case_duties(ws: Workspace, case: Case, on: dt.date, rules: dict, reg: Registry) -> list[Duty]:
    ex = case.execution
    if case.statut not in FOLLOWED or ex is None:
        return []
    out: list[Duty] = []
    if not case.has_insertion_clause:
        return out  # engagements 8 à 10 : ceux d'une clause suivie par un facilitateur
    fac = actors.facilitator(reg, case)
    fac_name = fac[0].split(" : ", 1)[-1]
    notify_days = int(rules["delai_signalement_notification_jours"])
    if ex.notification_signalee_le is None and (on - ex.notifie_le).days > notify_days:
        out.append(Duty("notification", actors.buyer(reg, case), f"le guichet et {fac_name}",
                        f"signalement de la notification du {fr.date_fr(ex.notifie_le.isoformat())} au guichet et au facilitateur "
                        f"(délai de {notify_days} jours dépassé)", ex.notifie_le, "execution.notifie_le"))
    kick = ex.reunion_lancement
    if kick is not None and not kick.facilitateur_present:
        out.append(Duty("lancement", actors.buyer(reg, case), fac_name,
                        f"invitation du facilitateur : réunion de lancement du {fr.date_fr(kick.date.isoformat())} tenue sans lui",
                        kick.date, "execution.reunion_lancement"))
    delay = int(rules["delai_releve_jours"])
    periodicity = (case.suivi.periodicite if case.suivi and case.suivi.periodicite else None) or rules["periodicite_defaut"]
    conv = F.conversion(rules)
    reported = [(st.titulaire, st.lot, st.periode) for st in (case.suivi.releves if case.suivi else ())]
    for f in F.figures(case, conv, on):
        last_day = min(f.fin, on - dt.timedelta(days=delay))
        if last_day >= f.debut:
            for code in periods.covering(f.debut, last_day, periodicity):
                end = periods.bounds(code)[1]
                if end + dt.timedelta(days=delay) >= on:
                    continue
                if any(t == f.titulaire and lot == f.lot and periods.overlaps(p, code) for t, lot, p in reported):
                    continue
                out.append(Duty(f"releve:{f.titulaire}:{f.lot}:{code}", fac, "le guichet",
                                f"relevé {periods.label(code)} de {f.nom}{_lot(f.lot)} (attendu {delay} jours après la fin de la période)",
                                end + dt.timedelta(days=delay), "fin de période + délai"))
        threshold = float(rules["seuil_retard"])
        if not f.ended and f.pace is not None and f.pace < threshold and f.reported_until is not None:
            expected = f.due * F.elapsed_share(f.debut, f.fin, f.reported_until)
            out.append(Duty(f"rythme:{f.titulaire}:{f.lot}", (f"titulaire : {f.nom}", f.titulaire), f"le donneur d'ordre et {fac_name}",
                            f"rattrapage des heures{_lot(f.lot)} : {fr.n(f.done)} h réalisées pour {fr.n(expected)} h attendues "
                            f"au {fr.date_fr(f.reported_until.isoformat())} ({fr.pct(f.pace)} du rythme, seuil {fr.pct(threshold)})",
                            f.reported_until, "relevés du suivi"))
    return out


def _lot(lot: int) -> str:
    return f" (lot {lot})" if lot else ""


def compute(ws: Workspace, on: dt.date, cases: list[Case], keep: Callable[[Case], bool] = lambda c: True) -> list[tuple[Case, Duty]]:
    rules = ws.store.rules("suivi")
    reg = ws.store.registry
    return [(c, d) for c in cases if keep(c) for d in case_duties(ws, c, on, rules, reg)]


def reported_in(case: Case, year: int) -> bool:
    """Des relevés de suivi couvrent l'année : le bilan annuel de `due` est alors attendu d'eux, pas de resultats[]."""
    return any(periods.bounds(st.periode)[0].year == year for st in (case.suivi.releves if case.suivi else ()))
