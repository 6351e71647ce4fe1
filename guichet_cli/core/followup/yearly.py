"""Les relevés de suivi d'une année, vus comme un résultat annuel (bilans : guichet report, panorama).

Quand des relevés couvrent l'année, ils font foi pour les heures (par modalité, chiffre d'affaires
sous-traité converti), les participants par public, les contrats et les sorties à 6 mois. L'entrée
resultats[] de la même année, si elle existe, garde ce que les relevés ne portent pas : heures
prévues saisies, profil par sexe et âge, entreprises inclusives, partie qualitative, date de transmission.
Sans relevé pour l'année, resultats[] reste lu tel quel (anciens dossiers).
Heures prévues à défaut : heures dues de chaque (lot, titulaire) au prorata des jours de l'année.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from guichet_cli.core.facts import periods
from guichet_cli.core.followup import figures as F
from guichet_cli.core.model.case import Case, Participants, YearResult
from guichet_cli.core.model.followup import Statement


def statements_of(case: Case, year: int) -> list[Statement]:
    return [st for st in (case.suivi.releves if case.suivi else ()) if periods.bounds(st.periode)[0].year == year]


def planned_hours(case: Case, year: int, conv: F.Conversion) -> float | None:
    total, any_line = 0.0, False
    start_y, end_y = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for ln in F.lines(case, conv):
        any_line = True
        span = (ln.fin - ln.debut).days + 1
        overlap = (min(ln.fin, end_y) - max(ln.debut, start_y)).days + 1
        if span > 0 and overlap > 0:
            total += ln.due * overlap / span
    return total if any_line else None


@dataclass
class HolderYear:
    """Heures d'une année pour un (lot, titulaire) : la ligne du tableau « suivi par titulaire » des bilans."""

    case_id: str
    buyer: str
    lot: int
    holder: str
    name: str
    due: float
    done_year: float
    done_total: float
    by_modality: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {"dossier": self.case_id, "donneur": self.buyer, "lot": self.lot or None, "titulaire": self.holder, "nom": self.name,
                "heures_dues": round(self.due, 2), "heures_realisees_annee": round(self.done_year, 2),
                "heures_realisees_cumul": round(self.done_total, 2),
                "heures_par_modalite": {k: round(v, 2) for k, v in self.by_modality.items()}}


def holders_year(case: Case, year: int, conv: F.Conversion) -> list[HolderYear]:
    sts = statements_of(case, year)
    if not sts:
        return []
    out = []
    end = dt.date(year, 12, 31)
    for f in F.figures(case, conv, end):
        mods: Counter[str] = Counter()
        for st in sts:
            if st.titulaire == f.titulaire and st.lot == f.lot:
                mods.update(F.statement_hours(st, conv))
        out.append(HolderYear(case.id, case.donneur_ordre, f.lot, f.titulaire, f.nom, f.due, sum(mods.values()), f.done, dict(mods)))
    return out


def year_result(case: Case, year: int, conv: F.Conversion, base: YearResult | None) -> YearResult | None:
    """Résultat de l'année tiré des relevés (None sans relevé) ; `base` : l'entrée resultats[] de l'année."""
    sts = statements_of(case, year)
    if not sts:
        return None
    hours: Counter[str] = Counter()
    publics: Counter[str] = Counter()
    contracts: Counter[str] = Counter()
    exits: Counter[str] = Counter()
    people = 0
    for st in sts:
        hours.update(F.statement_hours(st, conv))
        publics.update(st.participants_par_public)
        contracts.update(st.contrats)
        exits.update(st.sorties_6_mois)
        people += st.participants if st.participants is not None else int(sum(st.participants_par_public.values()))
    bp = base.participants if base else None
    participants = Participants(people, bp.femmes if bp else None, bp.hommes if bp else None, bp.moins_26_ans if bp else None,
                                bp.de_26_a_49_ans if bp else None, bp.plus_50_ans if bp else None, dict(publics))
    sent = [st.transmis_le for st in sts]
    planned = base.heures_prevues if base and base.heures_prevues is not None else planned_hours(case, year, conv)
    return YearResult(
        annee=year, heures_realisees=sum(hours.values()), participants=participants, heures_prevues=planned,
        contrats=dict(contracts), heures_par_modalite={k: v for k, v in hours.items() if v}, sorties=dict(exits),
        entreprises_inclusives=base.entreprises_inclusives if base else None, qualitatif=base.qualitatif if base else None,
        transmis_le=(base.transmis_le if base and base.transmis_le else (max(sent) if all(sent) else None)),  # type: ignore[type-var]
    )
