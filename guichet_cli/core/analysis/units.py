"""Unités d'analyse d'un dossier (le marché, ou chacun de ses lots) : secteur et calibrage.

Base de calcul : accord-cadre pluriannuel → montant annuel (estimé, ou maximum si le dossier le
demande) ; sinon montant estimé. Les valeurs du dossier (analyse.calibrage, marche.lots[].part_main_oeuvre,
marche.anru, reprise du personnel) priment sur les règles, et la sortie dit lesquelles ont servi.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.analysis import sectors
from guichet_cli.core.analysis.calibrate import Calibration, Param, compute
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


def _base(ws: Workspace, marche: dict[str, Any], given: dict[str, Any]) -> tuple[str, bool, float, str]:
    """(base, annuel ?, coefficient appliqué au montant estimé, texte)."""
    rules = load_rules(ws, "calibrage")["base"]
    years = marche["duree_mois"] / 12
    framework = str(marche.get("forme", "")).startswith("accord_cadre")
    default = rules["accord_cadre"] if framework and years > 1 else "montant_estime"
    base = given.get("base") or default
    estimate = float(marche["montant_estime_ht"])
    maximum = marche.get("montant_maximum_ht")
    use_max = base in ("montant_maximum", "montant_annuel_maximum") and isinstance(maximum, int | float) and estimate > 0
    coef = (float(maximum) / estimate) if use_max else 1.0
    annual = base in ("montant_annuel", "montant_annuel_maximum") and years > 1
    what = "maximum" if use_max else "estimé"
    if annual:
        text = f"montant {what} annuel (accord-cadre de {fr.smart(years)} ans)" if framework else f"montant {what} annuel ({fr.smart(years)} ans)"
    else:
        text = f"montant {what}"
    if given.get("base") and given["base"] != default:
        text += " — base saisie dans le dossier"
    return base, annual, coef, text


def _rate(ws: Workspace, marche: dict[str, Any], given: dict[str, Any], sector_key: str, sector: dict[str, Any], lot_given: dict[str, Any]) -> Param:
    rules = load_rules(ws, "calibrage")["taux_insertion"]
    if "taux_insertion" in lot_given:
        return Param(float(lot_given["taux_insertion"]), "dossier (calibrage du lot)")
    if "taux_insertion" in given:
        return Param(float(given["taux_insertion"]), "dossier")
    if marche.get("anru"):
        key = "anru_travaux" if marche.get("nature") == "travaux" else "anru_gestion_urbaine"
        if key in rules:
            return Param(float(rules[key]["valeur"]), "opération ANRU", rule_ref("calibrage", "taux_insertion", key), bool(rules[key].get("a_confirmer")))
    if "taux_insertion" in sector:
        return Param(float(sector["taux_insertion"]), f"table sectorielle : {sector['libelle']}", rule_ref("secteurs", sector_key), bool(sector.get("a_confirmer")))
    d = rules["defaut"]
    return Param(float(d["valeur"]), "défaut", rule_ref("calibrage", "taux_insertion", "defaut"), bool(d.get("a_confirmer")))


def _cost(ws: Workspace, given: dict[str, Any], lot_given: dict[str, Any]) -> Param:
    if "cout_horaire" in lot_given:
        return Param(float(lot_given["cout_horaire"]), "dossier (calibrage du lot)")
    if "cout_horaire" in given:
        return Param(float(given["cout_horaire"]), "dossier")
    d = load_rules(ws, "calibrage")["cout_horaire"]["defaut"]
    return Param(float(d["valeur"]), "défaut", rule_ref("calibrage", "cout_horaire", "defaut"), bool(d.get("a_confirmer")))


def _share(sector_key: str, sector: dict[str, Any], given: dict[str, Any], lot: dict[str, Any] | None, lot_given: dict[str, Any]) -> Param:
    if "part_main_oeuvre" in lot_given:
        return Param(float(lot_given["part_main_oeuvre"]), "dossier (calibrage du lot)")
    if lot is not None and "part_main_oeuvre" in lot:
        return Param(float(lot["part_main_oeuvre"]), "dossier (lot)")
    if "part_main_oeuvre" in given and lot is None:
        return Param(float(given["part_main_oeuvre"]), "dossier")
    pmo = sector["part_main_oeuvre"]
    return Param(float(pmo["valeur"]), f"table sectorielle : {sector['libelle']} ({fr.pct(pmo['min'])} à {fr.pct(pmo['max'])})",
                 rule_ref("secteurs", sector_key), bool(sector.get("a_confirmer")))


def build_units(ws: Workspace, case: dict[str, Any]) -> list[Unit]:
    marche = case["marche"]
    given = dict((case.get("analyse") or {}).get("calibrage") or {})
    lots_given = {int(x["numero"]): x for x in given.get("lots") or [] if isinstance(x, dict) and "numero" in x}
    base, annual, coef, base_text = _base(ws, marche, given)
    years = marche["duree_mois"] / 12
    new_staff = None
    notes: list[str] = []
    if marche.get("calcul_sur_nouveau_personnel"):
        if isinstance(marche.get("part_nouveau_personnel"), int | float):
            new_staff = float(marche["part_nouveau_personnel"])
        else:
            notes.append("calcul sur le nouveau personnel demandé mais marche.part_nouveau_personnel non renseignée : heures calculées sur tout le personnel")
    lots = marche.get("lots") or []
    entries: list[tuple[int | None, str, list[str], float, dict[str, Any] | None]] = []
    if lots:
        for lot in lots:
            entries.append((int(lot["numero"]), f"lot n° {lot['numero']} – {lot['intitule']}", list(lot["cpv"]), float(lot["montant_estime_ht"]), lot))
    else:
        entries.append((None, "marché", list(marche["cpv"]), float(marche["montant_estime_ht"]), None))
    # Montant retenu saisi dans le dossier : il remplace la base calculée (réparti au prorata entre lots).
    override = given.get("montant_retenu_ht")
    total_est = sum(e[3] for e in entries) or 1.0
    units = []
    for lot_no, label, cpv, amount, lot in entries:
        key, entry = sectors.match(ws, cpv[0], marche.get("nature"))
        lg = lots_given.get(lot_no, {}) if lot_no is not None else {}
        share = _share(key, entry, given, lot, lg)
        rate = _rate(ws, marche, given, key, entry, lg)
        cost = _cost(ws, given, lg)
        retained, text = amount * coef / (years if annual else 1), base_text
        # Un montant saisi égal au montant calculé (analyse déjà enregistrée) n'est pas une saisie.
        if "montant_retenu_ht" in lg and abs(float(lg["montant_retenu_ht"]) - retained) > 0.01:
            retained, text = float(lg["montant_retenu_ht"]), "montant retenu saisi dans le dossier (lot)"
        elif "montant_retenu_ht" not in lg and isinstance(override, int | float) and abs(float(override) * amount / total_est - retained) > 0.01:
            retained = float(override) * amount / total_est
            text = "montant retenu saisi dans le dossier" + ("" if lot_no is None else " (réparti au prorata des lots)")
        cal = compute(ws, retained, share=share, rate=rate, cost=cost, years=years, annual=annual and years > 1,
                      base=base, base_text=text, new_staff=new_staff, sector=key)
        cal.notes.extend(notes)
        units.append(Unit(lot_no, label, cpv, amount, key, entry, cal))
    return units
