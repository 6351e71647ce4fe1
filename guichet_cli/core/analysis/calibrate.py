"""Calibrage de la clause d'insertion : heures = montant × part de main-d'œuvre × taux ÷ coût horaire.

Les paramètres viennent, par ordre de priorité : de la saisie (option ou dossier), de la table
sectorielle, des valeurs par défaut de rules/calibrage.yaml. Chaque paramètre dit d'où il vient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from guichet_cli.core import frformat as fr
from guichet_cli.core.errors import UsageError
from guichet_cli.core.facts import amounts, sectors
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.workspace import Workspace


@dataclass
class Param:
    value: float
    origin: str  # « saisi », « dossier », « table sectorielle », « défaut »…
    regle: str | None = None
    a_confirmer: bool = False

    def tag(self) -> str:
        return self.origin + (", à confirmer" if self.a_confirmer else "")


@dataclass
class Calibration:
    amount: float  # montant HT retenu (annuel si base = montant annuel)
    base: str  # montant_estime, montant_maximum, montant_annuel, montant_annuel_maximum
    base_text: str
    share: Param
    rate: Param
    cost: Param
    years: float
    hours: int  # sur la durée totale
    hours_per_year: int | None
    etp: float
    etp_hours: float
    formula: str
    new_staff: float | None = None
    sector: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def effective_share(self) -> float:
        return self.share.value * (self.new_staff if self.new_staff is not None else 1.0)


def round_hours(ws: Workspace, x: float) -> int:
    mode = load_rules(ws, "calibrage")["arrondi"]["heures"]
    if mode == "superieur":
        return math.ceil(x - 1e-9)
    if mode == "inferieur":
        return math.floor(x + 1e-9)
    return int(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check_share(value: float, option: str) -> float:
    if not 0 <= value <= 1:
        raise UsageError(f"{option} : {fr.smart(value)} n'est pas une proportion entre 0 et 1", f"écrire par exemple {option} 0.05 pour 5 %")
    return value


def compute(
    ws: Workspace,
    amount: float,
    *,
    share: Param,
    rate: Param | None = None,
    cost: Param | None = None,
    years: float = 1.0,
    annual: bool = False,
    base: str = "montant_estime",
    base_text: str = "montant estimé",
    new_staff: float | None = None,
    sector: str | None = None,
) -> Calibration:
    """Heures sur `amount` (annuel si `annual`) ; le total couvre `years` années."""
    rules = load_rules(ws, "calibrage")
    if rate is None:
        d = rules["taux_insertion"]["defaut"]
        rate = Param(float(d["valeur"]), "défaut", rule_ref("calibrage", "taux_insertion", "defaut"), bool(d.get("a_confirmer")))
    if cost is None:
        d = rules["cout_horaire"]["defaut"]
        cost = Param(float(d["valeur"]), "défaut", rule_ref("calibrage", "cout_horaire", "defaut"), bool(d.get("a_confirmer")))
    if amount < 0:
        raise UsageError("le montant doit être positif", "écrire le montant HT en euros, par exemple --amount 1000000")
    if cost.value <= 0:
        raise UsageError("le coût horaire doit être strictement positif", "écrire par exemple --hourly-cost 30")
    eff_share = share.value * (new_staff if new_staff is not None else 1.0)
    exact = amount * eff_share * rate.value / cost.value
    etp_hours = float(rules["etp"]["heures"])
    if annual:
        per_year = round_hours(ws, exact)
        total = round_hours(ws, exact * years)
    else:
        total = round_hours(ws, exact)
        per_year = round_hours(ws, exact / years) if years > 1 else None
    share_txt = fr.pct(share.value) + (f" × {fr.pct(new_staff)}" if new_staff is not None else "")
    formula = f"{fr.n(amount)} × {share_txt} × {fr.pct(rate.value)} ÷ {fr.smart(cost.value)}"
    if annual and years != 1:
        formula += f" (par an ; × {fr.smart(years)} ans pour la durée totale)"
    etp = float(Decimal(repr(total / etp_hours)).quantize(Decimal(10) ** -rules["arrondi"]["etp_decimales"], rounding=ROUND_HALF_UP))
    return Calibration(amount, base, base_text, share, rate, cost, years, total, per_year, etp, etp_hours, formula, new_staff, sector)


def sector_share(ws: Workspace, cpv: str, nature: str | None = None) -> tuple[str, Param]:
    sector = sectors.sector_for(ws, cpv, nature)
    pmo = sector.entry["part_main_oeuvre"]
    return sector.key, Param(float(pmo["valeur"]), f"table sectorielle : {sector.label}", rule_ref("secteurs", sector.key),
                             bool(sector.entry.get("a_confirmer")))


def parse_cpv_option(option: str, text: str | None) -> str | None:
    """Code CPV saisi : 8 chiffres, chiffre de contrôle facultatif ; UsageError nommant l'option sinon."""
    if text is None:
        return None
    try:
        return sectors.parse_cpv(text)
    except sectors.CpvError as exc:
        raise UsageError(f"{option} : {exc.message}", f"par exemple {option} 45000000 (travaux) ou {option} 90911200-8 (nettoyage)") from None


def parse_number(option: str, text: str | None, *, ratio: bool = False) -> float | None:
    """Valeur saisie au téléphone : « 1 450 000 », « 1,2 M€ », « 32,50 » ; « 5 % » → 0,05 pour un taux.

    Même lecture que `guichet new --amount` et les plans d'achat (facts/amounts.py)."""
    if text is None:
        return None
    raw = str(text).strip()
    percent = ratio and raw.endswith("%")
    try:
        value = amounts.parse_amount(raw.rstrip("%").strip() if percent else raw)
    except amounts.AmountError as exc:
        detail = "" if exc.generic else f" ({exc.detail})"
        raise UsageError(f"{option} : nombre illisible « {text} »{detail}",
                         f"par exemple {option} 1450000, {option} \"1 450 000\" ou, pour un taux, \"5 %\"") from None
    return value / 100 if percent else value


def quick(
    ws: Workspace,
    amount: float,
    cpv: str | None,
    *,
    rate: float | None = None,
    hourly_cost: float | None = None,
    labour_share: float | None = None,
    years: float | None = None,
) -> Calibration:
    """Le calculateur de `guichet calibrate` : sans dossier, paramètres saisis ou tirés des règles."""
    if cpv is None and labour_share is None:
        raise UsageError("indiquer le secteur (--cpv) ou la part de main-d'œuvre (--labour-share)", "par exemple : guichet calibrate --amount 1000000 --cpv 45000000")
    cpv = parse_cpv_option("--cpv", cpv)
    key = None
    if labour_share is not None:
        share = Param(_check_share(labour_share, "--labour-share"), "saisie")
    else:
        key, share = sector_share(ws, str(cpv))
    rate_p = Param(_check_share(rate, "--rate"), "saisi") if rate is not None else None
    cost_p = Param(hourly_cost, "saisi") if hourly_cost is not None else None
    if years is not None and not (math.isfinite(years) and 0 < years <= 100):  # nan passait toutes les comparaisons
        raise UsageError(f"--years doit être un nombre d'années entre 0 et 100, pas « {years} »",
                         "par exemple --years 4 pour un accord-cadre de 4 ans")
    if years and years > 1:
        # montant saisi = montant total sur la durée ; heures calculées sur le montant annuel
        return compute(ws, amount / years, share=share, rate=rate_p, cost=cost_p, years=years, annual=True,
                       base="montant_annuel", base_text=f"montant annuel ({fr.n(amount)} € sur {fr.smart(years)} ans)", sector=key)
    return compute(ws, amount, share=share, rate=rate_p, cost=cost_p, base_text="montant saisi", sector=key)


def text_lines(cal: Calibration) -> list[str]:
    """Présentation « au téléphone » : une ligne par paramètre, puis les heures et la formule."""
    rows = [
        ("Montant HT retenu", fr.eur(cal.amount), cal.base_text),
        ("Part de main-d'œuvre", fr.pct(cal.share.value), cal.share.tag()),
    ]
    if cal.new_staff is not None:
        rows.append(("Part du nouveau personnel", fr.pct(cal.new_staff), "dossier (reprise du personnel)"))
    rows += [
        ("Taux d'insertion", fr.pct(cal.rate.value), cal.rate.tag()),
        ("Coût horaire", fr.eur(cal.cost.value), cal.cost.tag()),
    ]
    if cal.hours_per_year is not None:
        rows.append(("Heures par an", fr.h(cal.hours_per_year), ""))
    rows.append(("Heures d'insertion", fr.h(cal.hours), f"{fr.n(cal.etp, 2)} ETP à {fr.n(cal.etp_hours)} h"
                 + (f", sur {fr.smart(cal.years)} ans" if cal.years != 1 else "")))
    width = max(len(r[0]) for r in rows) + 2
    vwidth = max(len(r[1]) for r in rows) + 2
    out = [f"{label.ljust(width)}{value.ljust(vwidth)}{('(' + note + ')') if note else ''}".rstrip() for label, value, note in rows]
    out.append(f"Formule : {cal.formula}")
    out.extend(f"Note : {n}" for n in cal.notes)
    return out

