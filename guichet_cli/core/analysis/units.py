"""Unités d'analyse d'un dossier (le marché, ou chacun de ses lots) : secteur et calibrage.

Base de calcul : accord-cadre pluriannuel → montant annuel (estimé, ou maximum si le dossier le
demande) ; sinon montant estimé. Les valeurs du dossier (analyse.calibrage, marche.lots[].part_main_oeuvre,
marche.anru, reprise du personnel) priment sur les règles, et la sortie dit lesquelles ont servi.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.analysis.calibrate import Calibration, Param, compute, method_text, sector_cost
from guichet_cli.core.facts import sectors
from guichet_cli.core.model.case import Calibration as GivenCalibration
from guichet_cli.core.model.case import Lot, LotCalibration, Market
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.workspace import Workspace


@dataclass
class Unit:
    lot: int | None
    label: str
    cpv: list[str]
    amount: float  # montant estimé de l'unité (durée totale)
    sector_key: str
    sector: dict[str, Any]
    calibration: Calibration
    sector_label: str = ""  # libellé du secteur (facts/sectors.py, le même pour l'analyse, le criblage et le bilan)


def _base(ws: Workspace, marche: Market, given: GivenCalibration | None) -> tuple[str, bool, float, str]:
    """(base, annuel ?, coefficient appliqué au montant estimé, texte)."""
    rules = load_rules(ws, "calibrage")["base"]
    years = marche.duree_mois / 12
    framework = marche.forme.startswith("accord_cadre")
    default = rules["accord_cadre"] if framework and years > 1 else "montant_estime"
    given_base = given.base if given is not None else None
    base = given_base or default
    estimate = float(marche.montant_estime_ht)
    maximum = marche.montant_maximum_ht
    use_max = base in ("montant_maximum", "montant_annuel_maximum") and maximum is not None and estimate > 0
    coef = (float(maximum) / estimate) if use_max and maximum is not None else 1.0
    annual = base in ("montant_annuel", "montant_annuel_maximum") and years > 1
    what = "maximum" if use_max else "estimé"
    if annual:
        text = f"montant {what} annuel (accord-cadre de {fr.smart(years)} ans)" if framework else f"montant {what} annuel ({fr.smart(years)} ans)"
    else:
        text = f"montant {what}"
    if given_base and given_base != default:
        text += " — base saisie dans le dossier"
    return base, annual, coef, text


def _rate(ws: Workspace, marche: Market, given: GivenCalibration | None, sector_key: str, sector: dict[str, Any],
          lot_given: LotCalibration | None) -> Param:
    rules = load_rules(ws, "calibrage")["taux_insertion"]
    if lot_given is not None and lot_given.taux_insertion is not None:
        return Param(float(lot_given.taux_insertion), "dossier (calibrage du lot)")
    if given is not None and given.taux_insertion is not None:
        return Param(float(given.taux_insertion), "dossier")
    if marche.anru:
        key = "anru_travaux" if marche.nature == "travaux" else "anru_gestion_urbaine"
        if key in rules:
            return Param(float(rules[key]["valeur"]), "opération ANRU", rule_ref("calibrage", "taux_insertion", key), bool(rules[key].get("a_confirmer")))
    if "taux_insertion" in sector:
        return Param(float(sector["taux_insertion"]), f"table sectorielle : {sectors.label_of(sector_key, sector)}", rule_ref("secteurs", sector_key), bool(sector.get("a_confirmer")))
    d = rules["defaut"]
    return Param(float(d["valeur"]), "défaut", rule_ref("calibrage", "taux_insertion", "defaut"), bool(d.get("a_confirmer")))


def _cost(ws: Workspace, given: GivenCalibration | None, lot_given: LotCalibration | None,
          sector_key: str, sector: dict[str, Any]) -> Param:
    if lot_given is not None and lot_given.cout_horaire is not None:
        return Param(float(lot_given.cout_horaire), "dossier (calibrage du lot)")
    if given is not None and given.cout_horaire is not None:
        return Param(float(given.cout_horaire), "dossier")
    own = sector_cost(sector_key, sector)  # méthode de branche (propreté : 20 €/h)
    if own is not None:
        return own
    d = load_rules(ws, "calibrage")["cout_horaire"]["defaut"]
    return Param(float(d["valeur"]), "défaut", rule_ref("calibrage", "cout_horaire", "defaut"), bool(d.get("a_confirmer")))


def _share(sector_key: str, sector: dict[str, Any], given: GivenCalibration | None, lot: Lot | None, lot_given: LotCalibration | None) -> Param:
    if lot_given is not None and lot_given.part_main_oeuvre is not None:
        return Param(float(lot_given.part_main_oeuvre), "dossier (calibrage du lot)")
    if lot is not None and lot.part_main_oeuvre is not None:
        return Param(float(lot.part_main_oeuvre), "dossier (lot)")
    if given is not None and given.part_main_oeuvre is not None and lot is None:
        return Param(float(given.part_main_oeuvre), "dossier")
    pmo = sector["part_main_oeuvre"]
    return Param(float(pmo["valeur"]), f"table sectorielle : {sectors.label_of(sector_key, sector)} ({fr.pct(pmo['min'])} à {fr.pct(pmo['max'])})",
                 rule_ref("secteurs", sector_key), bool(sector.get("a_confirmer")))


def build_units(ws: Workspace, marche: Market, given: GivenCalibration | None = None, *, clause_lots: set[int] | None = None) -> list[Unit]:
    """Unités du marché ; `given` : le calibrage enregistré dans le dossier (analyse.calibrage), s'il y en a un ;
    `clause_lots` : lots qui portent la clause selon le dossier (le montant retenu saisi ne se répartit que sur eux)."""
    lots_given = {x.numero: x for x in given.lots} if given is not None else {}
    base, annual, coef, base_text = _base(ws, marche, given)
    years = marche.duree_mois / 12
    new_staff = None
    notes: list[str] = []
    if marche.calcul_sur_nouveau_personnel:
        if marche.part_nouveau_personnel is not None:
            new_staff = float(marche.part_nouveau_personnel)
        else:
            notes.append("calcul sur le nouveau personnel demandé mais marche.part_nouveau_personnel non renseignée : heures calculées sur tout le personnel")
    entries: list[tuple[int | None, str, list[str], float, Lot | None]] = []
    if marche.lots:
        for lot in marche.lots:
            entries.append((lot.numero, f"lot n° {lot.numero} – {lot.intitule}", list(lot.cpv), float(lot.montant_estime_ht), lot))
    else:
        entries.append((None, "marché", list(marche.cpv), float(marche.montant_estime_ht), None))
    # Montant retenu saisi dans le dossier : il remplace la base calculée (réparti au prorata entre lots).
    override = given.montant_retenu_ht if given is not None else None
    share_of = [e for e in entries if clause_lots is None or e[0] in clause_lots] or entries
    total_est = sum(e[3] for e in share_of) or 1.0
    units = []
    for lot_no, label, cpv, amount, lot in entries:
        found = sectors.sector_for(ws, cpv[0], marche.nature)
        key, entry = found.key, found.entry
        lg = lots_given.get(lot_no) if lot_no is not None else None
        share = _share(key, entry, given, lot, lg)
        rate = _rate(ws, marche, given, key, entry, lg)
        cost = _cost(ws, given, lg, key, entry)
        retained, text = amount * coef / (years if annual else 1), base_text
        # Un montant saisi égal au montant calculé (analyse déjà enregistrée) n'est pas une saisie.
        lot_amount = lg.montant_retenu_ht if lg is not None else None
        if lot_amount is not None and abs(float(lot_amount) - retained) > 0.01:
            retained, text = float(lot_amount), "montant retenu saisi dans le dossier (lot)"
        elif lot_amount is None and override is not None and any(e[0] == lot_no for e in share_of) \
                and abs(float(override) * amount / total_est - retained) > 0.01:
            retained = float(override) * amount / total_est
            many = len(share_of) > 1
            text = "montant retenu saisi dans le dossier" + ("" if lot_no is None or not many else " (réparti au prorata des lots qui portent la clause)")
        cal = compute(ws, retained, share=share, rate=rate, cost=cost, years=years, annual=annual and years > 1,
                      base=base, base_text=text, new_staff=new_staff, sector=key)
        cal.notes.extend(notes)
        if cost.regle and cost.regle.startswith(f"rules/secteurs.yaml#{key}"):
            cal.method = method_text(key, entry)  # la méthode de branche n'est citée que si son coût horaire sert
        units.append(Unit(lot_no, label, cpv, amount, key, entry, cal, found.label))
    return units
