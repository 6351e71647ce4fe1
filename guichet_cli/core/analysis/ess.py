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


@dataclass(frozen=True)
class Award:
    """Ce que L2113-15 lit d'une demande : un marché réservé ESS notifié (acheteur, CPV, date, titulaires).

    Assez petit pour être gardé de chaque demande quand les arbres sont oubliés (validation en flux,
    en parallèle, en cache) : le contrôle transversal ne relit alors aucun fichier."""

    case_id: str
    buyer: str
    cpvs: tuple[str, ...]
    notified: dt.date
    titulaires: tuple[tuple[str, str], ...]  # (siret, nom)
    buyer_type: str | None = None  # marche.type_acheteur : un acheteur privé n'est pas tenu par L2113-15

    def to_json(self) -> list:
        return [self.case_id, self.buyer, list(self.cpvs), self.notified.isoformat() if self.notified else None,
                [list(t) for t in self.titulaires], self.buyer_type]

    @classmethod
    def from_json(cls, row: list) -> Award:
        cid, buyer, cpvs, notified, titulaires, buyer_type = row
        return cls(cid, buyer, tuple(cpvs), dt.date.fromisoformat(notified) if notified else notified,
                   tuple((s, n) for s, n in titulaires), buyer_type)


def award_of(case: Case) -> Award | None:
    """Le marché réservé ESS notifié d'une demande (None si elle n'en est pas un)."""
    ex = case.execution
    if ex is None or not _reserved_ess(case):
        return None
    return Award(case.id, case.donneur_ordre, tuple(case.marche.cpv), ex.notifie_le,
                 tuple((t.siret, t.nom) for t in ex.titulaires), case.marche.type_acheteur)


def awards_of(cases: Iterable[Case]) -> list[Award]:
    return [a for c in cases if (a := award_of(c)) is not None]


def prior_awards(ws: Workspace, *, buyer: str, cpvs: Iterable[str], before: dt.date, exclude: str | None = None,
                 cases: list[Case] | None = None, awards: list[Award] | None = None) -> list[PriorAward]:
    """Titulaires de marchés réservés ESS du même acheteur, pour les mêmes services, notifiés dans le
    délai de la règle avant `before` (exclu : le dossier `exclude`). `awards` : les marchés déjà
    extraits (award_of), sinon ceux de `cases`, sinon de toutes les demandes du dépôt."""
    found = rule(ws)
    if not found:
        return []
    start = months_before(before, int(found["delai_mois"]))
    cpvs = list(cpvs)
    if awards is None:
        awards = awards_of(cases if cases is not None else ws.store.load_cases()[0])
    out: list[PriorAward] = []
    for a in awards:
        if a.case_id == exclude or a.buyer != buyer:
            continue
        if not (start <= a.notified <= before) or not _same_services(cpvs, a.cpvs):
            continue
        out += [PriorAward(a.case_id, siret, nom, a.notified) for siret, nom in a.titulaires]
    return out


def conflicts(ws: Workspace, case: Case | Award, cases: list[Case] | None = None,
              awards: list[Award] | None = None) -> list[tuple[int, PriorAward]]:
    """Titulaires (index dans execution.titulaires) d'un marché réservé ESS déjà attributaires d'un tel
    marché du même acheteur pour les mêmes services dans les 3 ans précédant la notification."""
    award = case if isinstance(case, Award) else award_of(case)
    if award is None:
        return []
    priors = prior_awards(ws, buyer=award.buyer, cpvs=award.cpvs, before=award.notified, exclude=award.case_id,
                          cases=cases, awards=awards)
    return [(i, p) for i, (siret, _nom) in enumerate(award.titulaires) for p in priors if p.siret == siret]
