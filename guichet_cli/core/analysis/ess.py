"""Réservation ESS (L2113-15) : pas d'attribution au même organisme, par le même acheteur et pour les
mêmes services, dans les 3 ans (art. 77 de la directive 2014/24/UE), vérifiée sur l'historique des
marchés notifiés du dépôt (execution.notifie_le, execution.titulaires).

La règle (délai, définition des « mêmes services ») est dans rules/dispositions.yaml#reserve_ess.reattribution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from guichet_cli.core.facts.sectors import cpv_base
from guichet_cli.core.model.case import Case
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.workspace import Workspace

ESS = "reserve_ess"


@dataclass(frozen=True)
class PriorAward:
    case_id: str
    siret: str
    nom: str
    notified: dt.date


def months_before(day: dt.date, months: int) -> dt.date:
    """Le même jour `months` mois plus tôt (dernier jour du mois s'il n'existe pas)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for d in range(day.day, 27, -1):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    return dt.date(year, month + 1, min(day.day, 28))


def rule(ws: Workspace) -> dict | None:
    return (load_rules(ws, "dispositions")["dispositions"].get(ESS) or {}).get("reattribution")


def reference() -> str:
    return rule_ref("dispositions", ESS, "reattribution")


def _same_services(a: Iterable[str], b: Iterable[str]) -> bool:
    # mêmes services : même groupe CPV (5 premiers chiffres), rules/…#reattribution.memes_services
    groups = {cpv_base(c)[:5] for c in a}
    return any(cpv_base(c)[:5] in groups for c in b)


def _reserved_ess(case: Case) -> bool:
    return ESS in (case.retained_dispositions or case.recommended_dispositions)


def prior_awards(ws: Workspace, *, buyer: str, cpvs: Iterable[str], before: dt.date, exclude: str | None = None,
                 cases: list[Case] | None = None) -> list[PriorAward]:
    """Titulaires de marchés réservés ESS du même acheteur, pour les mêmes services, notifiés dans le
    délai de la règle avant `before` (exclu : le dossier `exclude`)."""
    found = rule(ws)
    if not found:
        return []
    start = months_before(before, int(found["delai_mois"]))
    cpvs = list(cpvs)
    pool = cases if cases is not None else ws.store.load_cases()[0]
    out: list[PriorAward] = []
    for case in pool:
        ex = case.execution
        if case.id == exclude or case.donneur_ordre != buyer or ex is None or not _reserved_ess(case):
            continue
        if not (start <= ex.notifie_le <= before) or not _same_services(cpvs, case.marche.cpv):
            continue
        out += [PriorAward(case.id, t.siret, t.nom, ex.notifie_le) for t in ex.titulaires]
    return out


def conflicts(ws: Workspace, case: Case, cases: list[Case] | None = None) -> list[tuple[int, PriorAward]]:
    """Titulaires (index dans execution.titulaires) d'un marché réservé ESS déjà attributaires d'un tel
    marché du même acheteur pour les mêmes services dans les 3 ans précédant la notification."""
    ex = case.execution
    if ex is None or not _reserved_ess(case):
        return []
    priors = prior_awards(ws, buyer=case.donneur_ordre, cpvs=case.marche.cpv, before=ex.notifie_le, exclude=case.id, cases=cases)
    return [(i, p) for i, t in enumerate(ex.titulaires) for p in priors if p.siret == t.siret]
