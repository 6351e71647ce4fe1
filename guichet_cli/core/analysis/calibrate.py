"""Calibrage de la clause d'insertion : heures = montant × part de main-d'œuvre × taux ÷ coût horaire.

Les paramètres viennent, par ordre de priorité : de la saisie (option ou dossier), de la table
sectorielle, des valeurs par défaut de rules/calibrage.yaml. Chaque paramètre dit d'où il vient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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
    etp: float  # ETP PAR AN (AVE : 1 ETP = 1 600 h par an) ; total ÷ nombre d'années d'abord
    etp_hours: float
    formula: str
    new_staff: float | None = None
    sector: str | None = None
    notes: list[str] = field(default_factory=list)
    method: str | None = None  # méthode propre au secteur (PACT Propreté…), avec sa source

    def etp_text(self) -> str:
        """« 0,25 ETP par an » ; pour une durée de moins d'un an, les heures de la durée en ETP d'une année."""
        if self.years >= 1:
            return f"{fr.n(self.etp, 2)} ETP par an"
        # « 1,19 ETP sur 10 mois » se lisait comme 1,19 personne pendant 10 mois : c'est un équivalent annuel (AVE).
        return (f"{fr.n(self.etp, 2)} ETP en équivalent annuel, marché de {fr.smart(round(self.years * 12))} mois ; "
                f"1 ETP = {fr.n(self.etp_hours)} h par an")

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
    # AVE compte 1 ETP = 1 600 h PAR AN : un total pluriannuel est d'abord ramené à l'année.
    yearly = exact if annual else (exact / years if years > 1 else exact)
    etp = float(Decimal(repr(yearly / etp_hours)).quantize(Decimal(10) ** -rules["arrondi"]["etp_decimales"], rounding=ROUND_HALF_UP))
    return Calibration(amount, base, base_text, share, rate, cost, years, total, per_year, etp, etp_hours, formula, new_staff, sector)


def sector_cost(sector_key: str, entry: dict[str, Any]) -> Param | None:
    """Coût horaire propre au secteur (rules/secteurs.yaml#<clé>.cout_horaire), s'il en a un."""
    own = entry.get("cout_horaire")
    if not own:
        return None
    return Param(float(own["valeur"]), f"table sectorielle : {sectors.label_of(sector_key, entry)}",
                 rule_ref("secteurs", sector_key, "cout_horaire"), bool(own.get("a_confirmer")))


def minimum_hours(ws: Workspace, sector_key: str | None, entry: dict[str, Any] | None) -> tuple[float, str]:
    """Heures minimales d'une clause : celles du secteur, sinon celles de rules/calibrage.yaml#pertinence."""
    own = (entry or {}).get("heures_minimales")
    if own and sector_key:
        return float(own["valeur"]), rule_ref("secteurs", sector_key, "heures_minimales")
    return float(load_rules(ws, "calibrage")["pertinence"]["heures_minimales"]), rule_ref("calibrage", "pertinence", "heures_minimales")


def method_text(sector_key: str, entry: dict[str, Any]) -> str | None:
    method = entry.get("methode")
    return f"{method['libelle']} [{rule_ref('secteurs', sector_key, 'methode')}]" if method else None


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
    months: int | None = None,
    new_staff: float | None = None,
) -> Calibration:
    """Le calculateur de `guichet calibrate` : sans dossier, paramètres saisis ou tirés des règles."""
    if (why := amounts.implausible(ws, amount)) is not None:
        raise UsageError(f"--amount : {why}", "écrire le montant HT total du marché en euros, par exemple --amount 1450000")
    if cpv is None and labour_share is None:
        raise UsageError("indiquer le secteur (--cpv) ou la part de main-d'œuvre (--labour-share)", "par exemple : guichet calibrate --amount 1000000 --cpv 45000000")
    cpv = parse_cpv_option("--cpv", cpv)
    key = None
    entry: dict[str, Any] = {}
    if cpv is not None:
        found = sectors.sector_for(ws, cpv)
        key, entry = found.key, found.entry
    if labour_share is not None:
        share = Param(_check_share(labour_share, "--labour-share"), "saisie")
    else:
        key, share = sector_share(ws, str(cpv))
    rate_p = Param(_check_share(rate, "--rate"), "saisi") if rate is not None else None
    cost_p = Param(hourly_cost, "saisi") if hourly_cost is not None else (sector_cost(key, entry) if key else None)
    if new_staff is not None:
        _check_share(new_staff, "--new-staff-share")
    if months is not None:
        if years is not None:
            raise UsageError("--duration et --years donnent tous deux la durée : n'en garder qu'une", "par exemple --duration 36 (mois)")
        if months <= 0:
            raise UsageError("--duration doit être un nombre de mois strictement positif", "par exemple --duration 36 pour 3 ans")
        years = months / 12
    if years is not None and not (math.isfinite(years) and 0 < years <= 100):  # nan passait toutes les comparaisons
        raise UsageError(f"--years doit être un nombre d'années entre 0 et 100, pas « {years} »",
                         "par exemple --years 4 pour un accord-cadre de 4 ans")
    if years and years > 1:
        # montant saisi = montant total sur la durée ; heures calculées sur le montant annuel
        cal = compute(ws, amount / years, share=share, rate=rate_p, cost=cost_p, years=years, annual=True,
                      base="montant_annuel", base_text=f"montant annuel ({fr.n(amount)} € sur {fr.smart(years)} ans)", sector=key,
                      new_staff=new_staff)
    else:
        cal = compute(ws, amount, share=share, rate=rate_p, cost=cost_p, base_text="montant saisi", sector=key, new_staff=new_staff,
                      years=years or 1.0)
    if key:
        if cost_p is not None and cost_p.regle and cost_p.regle.startswith(f"rules/secteurs.yaml#{key}"):
            cal.method = method_text(key, entry)
        minimum, ref = minimum_hours(ws, key, entry)
        if cal.hours < minimum:
            cal.notes.append(f"{fr.h(cal.hours)} < {fr.h(minimum)} : pas de clause conseillée en dessous de ce seuil ({ref}) ; "
                             "globaliser les heures, réserver un lot ou retenir un critère")
    return cal


def text_lines(cal: Calibration) -> list[str]:
    """Présentation « au téléphone » : une ligne par paramètre, puis les heures et la formule."""
    rows = [
        ("Montant HT retenu", fr.eur(cal.amount), cal.base_text),
        ("Part de main-d'œuvre", fr.pct(cal.share.value), cal.share.tag()),
    ]
    if cal.new_staff is not None:
        rows.append(("Part du nouveau personnel", fr.pct(cal.new_staff), "reprise du personnel (facteur P)"))
    rows += [
        ("Taux d'insertion", fr.pct(cal.rate.value), cal.rate.tag()),
        ("Coût horaire", fr.eur(cal.cost.value), cal.cost.tag()),
    ]
    etp_text = cal.etp_text() + (f" à {fr.n(cal.etp_hours)} h par an" if cal.years >= 1 else "")
    if cal.hours_per_year is not None:
        rows.append(("Heures par an", fr.h(cal.hours_per_year), etp_text))
        rows.append(("Heures d'insertion", fr.h(cal.hours), f"total sur {fr.smart(cal.years)} ans"))
    else:
        rows.append(("Heures d'insertion", fr.h(cal.hours), etp_text))
    width = max(len(r[0]) for r in rows) + 2
    vwidth = max(len(r[1]) for r in rows) + 2
    out = [f"{label.ljust(width)}{value.ljust(vwidth)}{('(' + note + ')') if note else ''}".rstrip() for label, value, note in rows]
    out.append(f"Formule : {cal.formula}")
    if cal.method:
        out.append(f"Méthode : {cal.method}")
    out.extend(f"Note : {n}" for n in cal.notes)
    return out

