"""Chiffres du suivi, par lot et par titulaire : heures dues, réalisées, restantes, rythme, prévision, pénalités.

Heures dues d'un couple (lot, titulaire), dans cet ordre :
1. `suivi.engagements[].heures_dues` quand le dossier les donne ;
2. sinon les heures du calibrage du lot (ou du marché), ajustées au marché notifié : par le rapport
   heures_contractuelles / heures calibrées s'il est connu, sinon par montant notifié / montant retenu ;
   partagées à parts égales entre les titulaires d'un même lot.
Puis les événements, par date : avenant (nouvelles heures, ou heures × nouveau montant / montant),
reconduction (heures ajoutées au prorata du montant commandé, nouvelle fin), remplacement du
titulaire (l'ancien doit ce qu'il a fait à la date, le nouveau le reste), fin du marché.
Heures réalisées : somme des relevés, le chiffre d'affaires sous-traité converti en heures par
rules/suivi.yaml (chiffre × part de main-d'œuvre ÷ coût horaire).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from guichet_cli.core.facts import periods
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.followup import NO_LOT, FollowUp, Statement


@dataclass(frozen=True)
class Conversion:
    part_main_oeuvre: float
    cout_horaire: float

    def hours(self, turnover: float) -> float:
        return turnover * self.part_main_oeuvre / self.cout_horaire


def conversion(rules: dict[str, Any]) -> Conversion:
    c = rules["conversion_chiffre_affaires"]
    return Conversion(float(c["part_main_oeuvre"]), float(c["cout_horaire"]))


def statement_hours(st: Statement, conv: Conversion) -> dict[str, float]:
    """Heures du relevé par modalité, chiffre d'affaires sous-traité converti."""
    out = {k: float(v) for k, v in st.heures_par_modalite.items()}
    for k, v in st.chiffre_affaires_ht.items():
        out[k] = out.get(k, 0.0) + conv.hours(float(v))
    return out


def add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Line:
    """Un couple (lot, titulaire) et ses heures dues effectives, après les événements."""

    lot: int
    titulaire: str
    nom: str
    due: float
    debut: dt.date
    fin: dt.date
    source: str
    montant: float | None = None
    taux_penalite: float | None = None
    remplace_le: dt.date | None = None  # titulaire remplacé à cette date
    remplace: str | None = None  # SIRET du titulaire repris (pour le nouveau)
    notes: list[str] = field(default_factory=list)


def _holder_names(case: Case) -> dict[str, str]:
    return {t.siret: t.nom for t in case.execution.titulaires} if case.execution else {}


def _calibrated(case: Case, lot: int) -> tuple[float | None, float | None]:
    """Heures et montant calibrés d'un lot : ceux du lot, sinon ceux du marché au prorata du montant estimé du lot."""
    cal = case.calibration
    if cal is None:
        return None, None
    lot_cal = next((lc for lc in cal.lots if lc.numero == lot), None)
    if lot_cal is not None:
        return lot_cal.heures, lot_cal.montant_retenu_ht
    market_lot = case.marche.lot(lot) if lot != NO_LOT else None
    total = sum(x.montant_estime_ht for x in case.marche.lots)
    if market_lot is None or not total:
        return cal.heures, cal.montant_retenu_ht
    share = market_lot.montant_estime_ht / total
    return cal.heures * share, (cal.montant_retenu_ht * share if cal.montant_retenu_ht else None)


def _base_lines(case: Case) -> list[Line]:
    ex, cal = case.execution, case.calibration
    suivi = case.suivi or FollowUp()
    if ex is None:
        return []
    names = _holder_names(case)
    start = ex.notifie_le
    end = add_months(start, case.marche.duree_mois) - dt.timedelta(days=1)
    # ajustement au marché notifié
    factor, why = 1.0, "calibrage"
    if cal is not None and ex.heures_contractuelles is not None and cal.heures:
        factor, why = ex.heures_contractuelles / cal.heures, "calibrage ajusté aux heures du marché notifié"
    elif cal is not None and ex.montant_notifie_ht is not None and cal.montant_retenu_ht:
        factor, why = ex.montant_notifie_ht / cal.montant_retenu_ht, "calibrage ajusté au montant notifié"
    amount_factor = (ex.montant_notifie_ht / cal.montant_retenu_ht) if (cal and ex.montant_notifie_ht and cal.montant_retenu_ht) else 1.0
    pairs: list[tuple[int, str]] = []
    replaced_in = {e.nouveau_titulaire for e in suivi.evenements if e.type == "remplacement_titulaire"}
    for t in ex.titulaires:
        if t.siret in replaced_in:
            continue  # le nouveau titulaire naît de l'événement de remplacement
        for lot in (t.lots or (NO_LOT,)):
            pairs.append((lot, t.siret))
    explicit = {(c.lot, c.titulaire): c for c in suivi.engagements}
    for key in explicit:
        if key not in pairs:
            pairs.append(key)
    per_lot: dict[int, int] = {}
    for lot, _ in pairs:
        per_lot[lot] = per_lot.get(lot, 0) + 1
    out = []
    for lot, siret in pairs:
        c = explicit.get((lot, siret))
        base_hours, base_amount = _calibrated(case, lot)
        if c is not None and c.heures_dues is not None:
            due, source = float(c.heures_dues), "engagement du dossier (suivi.engagements)"
        elif base_hours is not None:
            due, source = base_hours * factor / per_lot[lot], why + (f", partagé entre {per_lot[lot]} titulaires" if per_lot[lot] > 1 else "")
        else:
            due, source = 0.0, "heures inconnues (ni engagement ni calibrage du lot)"
        amount = c.montant_notifie_ht if c and c.montant_notifie_ht is not None else (
            base_amount * amount_factor / per_lot[lot] if base_amount else None)
        out.append(Line(lot, siret, names.get(siret, siret), due, (c.debut if c and c.debut else start),
                        (c.fin if c and c.fin else end), source, amount, c.taux_penalite_heure if c else None))
    return out


def _matches(line: Line, lot: int, holder: str | None) -> bool:
    return (lot == NO_LOT or line.lot == lot) and (holder is None or line.titulaire == holder)


def done_until(case: Case, conv: Conversion, lot: int, holder: str, until: dt.date | None = None) -> float:
    total = 0.0
    for st in (case.suivi.releves if case.suivi else ()):
        if st.titulaire == holder and st.lot == lot and (until is None or periods.bounds(st.periode)[1] <= until):
            total += sum(statement_hours(st, conv).values())
    return total


def lines(case: Case, conv: Conversion) -> list[Line]:
    """Couples (lot, titulaire) avec leurs heures dues effectives, événements appliqués."""
    out = _base_lines(case)
    names = _holder_names(case)
    events = sorted(case.suivi.evenements if case.suivi else (), key=lambda e: e.date)
    for ev in events:
        targets = [ln for ln in out if _matches(ln, ev.lot, ev.titulaire) and ln.remplace_le is None]
        if ev.type == "avenant":
            for ln in targets:
                before = ln.due
                if ev.heures_dues is not None:
                    ln.due = float(ev.heures_dues) / (len(targets) if ev.titulaire is None else 1)
                elif ev.montant_ht is not None and ln.montant:
                    ln.due = ln.due * ev.montant_ht / ln.montant
                    ln.montant = ev.montant_ht
                ln.notes.append(f"avenant du {ev.date:%d/%m/%Y} : {before:g} → {ln.due:g} h")
        elif ev.type == "reconduction":
            for ln in targets:
                before = ln.due
                if ev.heures_dues is not None:
                    ln.due += float(ev.heures_dues)
                elif ev.montant_ht is not None and ln.montant:
                    ln.due += ln.due * ev.montant_ht / ln.montant  # re-basé sur le montant commandé
                    ln.montant += ev.montant_ht
                if ev.fin:
                    ln.fin = ev.fin
                ln.notes.append(f"reconduction du {ev.date:%d/%m/%Y} : {before:g} → {ln.due:g} h")
        elif ev.type == "remplacement_titulaire" and ev.nouveau_titulaire:
            for ln in targets:
                done = done_until(case, conv, ln.lot, ln.titulaire, ev.date)
                rest = max(ln.due - done, 0.0)
                new = replace(ln, titulaire=ev.nouveau_titulaire, nom=names.get(ev.nouveau_titulaire, ev.nouveau_titulaire),
                              due=rest, debut=ev.date, source=f"reprise des heures restantes de {ln.nom}",
                              montant=None, remplace=ln.titulaire, notes=[])
                ln.notes.append(f"remplacé le {ev.date:%d/%m/%Y} par {new.nom} : dû ramené aux {done:g} h réalisées")
                ln.due, ln.fin, ln.remplace_le = done, ev.date - dt.timedelta(days=1), ev.date
                out.append(new)
        elif ev.type == "fin":
            for ln in targets:
                ln.fin = ev.date
                ln.notes.append(f"fin du marché le {ev.date:%d/%m/%Y}")
    return out


@dataclass
class Figures:
    lot: int
    titulaire: str
    nom: str
    due: float
    done: float
    remaining: float
    debut: dt.date
    fin: dt.date
    elapsed: float  # part de la période écoulée, entre 0 et 1
    rate: float | None  # réalisé / dû
    pace: float | None  # réalisé / attendu au prorata du temps écoulé à la fin de la dernière période relevée
    forecast_rate: float | None  # taux prévu en fin de marché (rythme actuel prolongé)
    at_stake: float | None  # pénalités en jeu (heures manquantes prévues × taux)
    taux_penalite: float | None
    by_modality: dict[str, float]
    source: str
    notes: list[str]
    ended: bool
    reported_until: dt.date | None = None  # fin de la dernière période relevée

    def as_json(self) -> dict[str, Any]:
        return {
            "lot": self.lot or None, "titulaire": self.titulaire, "nom": self.nom, "heures_dues": round(self.due, 2),
            "heures_realisees": round(self.done, 2), "heures_restantes": round(self.remaining, 2),
            "debut": self.debut.isoformat(), "fin": self.fin.isoformat(), "part_ecoulee": round(self.elapsed, 4),
            "taux_realisation": _r(self.rate), "rythme": _r(self.pace), "taux_prevu_fin": _r(self.forecast_rate),
            "penalites_en_jeu": _r(self.at_stake, 2), "taux_penalite_heure": self.taux_penalite,
            "heures_par_modalite": {k: round(v, 2) for k, v in self.by_modality.items()}, "origine_heures_dues": self.source,
            "evenements": self.notes, "termine": self.ended,
            "releve_jusqu_au": self.reported_until.isoformat() if self.reported_until else None,
        }


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def elapsed_share(start: dt.date, end: dt.date, on: dt.date) -> float:
    span = (end - start).days + 1
    if span <= 0:
        return 1.0
    return min(max(((on - start).days + 1) / span, 0.0), 1.0)


def figures(case: Case, conv: Conversion, on: dt.date) -> list[Figures]:
    out = []
    for ln in lines(case, conv):
        by_mod: dict[str, float] = {}
        for st in (case.suivi.releves if case.suivi else ()):
            if st.titulaire == ln.titulaire and st.lot == ln.lot:
                for k, v in statement_hours(st, conv).items():
                    by_mod[k] = by_mod.get(k, 0.0) + v
        done = sum(by_mod.values())
        elapsed = elapsed_share(ln.debut, ln.fin, on)
        ended = on >= ln.fin
        rate = done / ln.due if ln.due else None
        # Le rythme se mesure à la fin de la dernière période relevée (les relevés arrivent après coup).
        ends = [periods.bounds(st.periode)[1] for st in (case.suivi.releves if case.suivi else ())
                if st.titulaire == ln.titulaire and st.lot == ln.lot]
        reported = min(max(ends), ln.fin, on) if ends else None
        basis = elapsed_share(ln.debut, ln.fin, reported) if reported else 0.0
        if rate is None:
            pace = forecast = None
        elif ended:
            pace = forecast = rate
        else:
            pace = forecast = rate / basis if basis > 0 else None
        at_stake = None
        if ln.taux_penalite is not None and forecast is not None:
            at_stake = max(ln.due - forecast * ln.due, 0.0) * ln.taux_penalite
        out.append(Figures(ln.lot, ln.titulaire, ln.nom, ln.due, done, max(ln.due - done, 0.0), ln.debut, ln.fin, elapsed,
                           rate, pace, forecast, at_stake, ln.taux_penalite, by_mod, ln.source, ln.notes, ended, reported))
    return out


@dataclass
class Penalty:
    date: dt.date
    lot: int
    titulaire: str
    nom: str
    missing: float
    rate: float | None
    amount: float | None
    decision: str

    def as_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "lot": self.lot or None, "titulaire": self.titulaire, "nom": self.nom,
                "heures_manquantes": round(self.missing, 2), "taux_penalite_heure": self.rate,
                "montant": _r(self.amount, 2), "decision": self.decision}


def penalties(case: Case, conv: Conversion, figs: list[Figures]) -> list[Penalty]:
    """Pénalités constatées (événements « penalite ») : heures manquantes × taux du marché, décision de l'acheteur."""
    out = []
    for ev in (case.suivi.evenements if case.suivi else ()):
        if ev.type != "penalite":
            continue
        for f in figs:
            if _matches_fig(f, ev.lot, ev.titulaire):
                missing = max(f.due - f.done, 0.0)
                amount = missing * f.taux_penalite if f.taux_penalite is not None else None
                out.append(Penalty(ev.date, f.lot, f.titulaire, f.nom, missing, f.taux_penalite, amount, ev.decision or "a_decider"))
    return out


def _matches_fig(f: Figures, lot: int, holder: str | None) -> bool:
    return (lot == NO_LOT or f.lot == lot) and (holder is None or f.titulaire == holder)
