"""Seuils européens (rules/seuils.yaml) et obligation de condition sociale L2112-2-1 (rules/obligation_sociale.yaml).

Une seule lecture pour l'analyse (recommandation, criblage), la validation (contrôle L2112-2-1) et
le bilan (part des marchés au-dessus du seuil portant une considération sociale).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts import dates
from guichet_cli.core.model.case import Derogation, Market
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.workspace import Workspace


@dataclass
class Threshold:
    buyer_type: str
    buyer_type_origin: str  # dossier, registre, défaut
    category: str  # travaux ou fournitures_services
    period: str
    value: float  # valeur du besoin comparée
    value_field: str
    threshold: float | None  # None : acheteur non soumis
    above: bool
    regle: str
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        if self.threshold is None:
            return f"acheteur de type {self.buyer_type} : non soumis aux seuils européens"
        comp = "≥" if self.above else "<"
        return (f"valeur du besoin {fr.eur(self.value)} {comp} seuil européen {fr.eur(self.threshold)} "
                f"({'travaux' if self.category == 'travaux' else 'fournitures et services'}, {self.buyer_type}, période {self.period})")


@dataclass
class Obligation:
    applies: bool
    reason: str
    regle: str
    launch: str | None
    derogation: Derogation | None = None  # analyse.derogation retenue
    derogation_label: str | None = None


def buyer_type(ws: Workspace, marche: Market, buyer: str | None, registry: Registry | None) -> tuple[str, str]:
    """Type d'acheteur : celui du marché, sinon celui du registre des donneurs d'ordre, sinon la valeur par défaut."""
    if marche.type_acheteur:
        return marche.type_acheteur, "dossier"
    known = registry.buyer_type(buyer) if buyer and registry is not None else None  # fiche donneurs/<siret>.yaml
    if known:
        return known, "registre des donneurs d'ordre"
    return str(load_rules(ws, "seuils")["type_acheteur_defaut"]), "valeur par défaut de rules/seuils.yaml"


def need_value(ws: Workspace, marche: Market) -> tuple[float, str]:
    """Valeur du besoin comparée au seuil : premier montant renseigné de la liste des règles (champs du marché nommés par la règle)."""
    for key in load_rules(ws, "obligation_sociale").get("valeur_du_besoin", ["montant_estime_ht"]):
        value = getattr(marche, str(key), None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value), key
    return float(marche.montant_estime_ht or 0), "montant_estime_ht"


def launch_date(ws: Workspace, marche: Market) -> dt.date | None:
    """Date de lancement de la consultation (champ du marché désigné par rules/obligation_sociale.yaml#champ_date)."""
    champ = load_rules(ws, "obligation_sociale").get("champ_date", "lancement_prevu")
    return dates.read(getattr(marche, str(champ), None))


def category(marche: Market) -> str:
    """travaux (et concessions) ou fournitures_services."""
    return "travaux" if marche.nature == "travaux" or marche.forme == "concession" else "fournitures_services"


def period_for(ws: Workspace, when: dt.date) -> tuple[str, dict[str, Any], str | None]:
    periods = load_rules(ws, "seuils")["periodes"]
    ordered = sorted(periods.items(), key=lambda kv: str(kv[1]["du"]))
    for code, p in ordered:
        if dates.parse_iso(p["du"]) <= when <= dates.parse_iso(p["au"]):
            return code, p, None
    if when < dates.parse_iso(ordered[0][1]["du"]):
        code, p = ordered[0]
        return code, p, f"date antérieure aux périodes connues : seuils {code} appliqués"
    code, p = ordered[-1]
    return code, p, f"date postérieure aux périodes connues : seuils {code} appliqués (à mettre à jour dans rules/seuils.yaml)"


def check_threshold(ws: Workspace, marche: Market, btype: tuple[str, str], when: dt.date) -> Threshold:
    rules = load_rules(ws, "seuils")
    value, value_field = need_value(ws, marche)
    code, period, note = period_for(ws, when)
    notes = [note] if note else []
    cat = category(marche)
    kind, origin = btype
    if kind in (rules.get("non_soumis") or {}):
        return Threshold(kind, origin, cat, code, value, value_field, None, False, rule_ref("seuils", "non_soumis", kind), notes)
    if cat == "travaux":
        limit, ref = float(period["travaux"]), rule_ref("seuils", "periodes", code, "travaux")
    else:
        limit = float(period["fournitures_services"][kind])
        ref = rule_ref("seuils", "periodes", code, "fournitures_services", kind)
    # « égale ou supérieure » : un besoin exactement au seuil est au-dessus (rules/seuils.yaml#comparaison)
    return Threshold(kind, origin, cat, code, value, value_field, limit, value >= limit, ref, notes)


def check_obligation(ws: Workspace, marche: Market, th: Threshold, today: dt.date,
                     derogation: Derogation | None = None) -> Obligation:
    """Obligation L2112-2-1 d'un marché ; `derogation` : le bloc analyse.derogation du dossier, s'il y en a un."""
    rules = load_rules(ws, "obligation_sociale")
    start = dates.parse_iso(rules["date_application"])
    launch = launch_date(ws, marche)
    when = launch or today
    excluded = rules.get("acheteurs_exclus") or {}
    deroga = derogation
    label = None
    if deroga is not None:
        label = ((rules.get("motifs_derogation") or {}).get(deroga.motif) or {}).get("libelle")
    art = rules["article"]
    if th.buyer_type in excluded:
        return Obligation(False, f"{art} ne s'applique pas : {excluded[th.buyer_type]}", rule_ref("obligation_sociale", "acheteurs_exclus", th.buyer_type), None)
    launch_txt = fr.date_fr(when.isoformat()) + ("" if launch else " (date de lancement non renseignée : date du jour)")
    if when < start:
        return Obligation(False, f"{art} : consultation lancée le {launch_txt}, avant le {fr.date_fr(start.isoformat())}",
                          rule_ref("obligation_sociale", "date_application"), when.isoformat())
    if not th.above:
        return Obligation(False, f"{art} : besoin sous le seuil européen ({th.text()})", th.regle, when.isoformat())
    return Obligation(True, f"{art} : condition d'exécution sociale obligatoire (besoin au-dessus du seuil européen, "
                            f"consultation lancée le {launch_txt}, à partir du {fr.date_fr(start.isoformat())})",
                      rule_ref("obligation_sociale", "date_application"), when.isoformat(), deroga, label)


def assess(ws: Workspace, marche: Market, buyer: str | None, registry: Registry | None, today: dt.date,
           derogation: Derogation | None = None) -> tuple[tuple[str, str], Threshold, Obligation]:
    """Type d'acheteur, seuil (à la date de lancement, sinon aujourd'hui) et obligation d'un marché."""
    btype = buyer_type(ws, marche, buyer, registry)
    th = check_threshold(ws, marche, btype, launch_date(ws, marche) or today)
    return btype, th, check_obligation(ws, marche, th, today, derogation)


# Pour le bilan : (seuil ou None, valeur du besoin, soumis à l'obligation L2112-2-1)
Verdict = tuple[float | None, float | None, bool]
# (marché, SIRET du donneur d'ordre, date de référence, dérogation enregistrée ou None)
Checker = Callable[[Market, str, dt.date, Derogation | None], Verdict]


def make_checker(ws: Workspace, registry: Registry | None, *, available: bool = True) -> Checker:
    """Vérificateur du bilan : seuil à la date `when` (lancement, sinon notification), obligation si le
    lancement est connu. `available=False` (rules/seuils.yaml absent) : pas de seuil, jamais soumis."""

    def check(marche: Market, buyer: str, when: dt.date, derogation: Derogation | None = None) -> Verdict:
        if not available:
            return None, need_value(ws, marche)[0], False
        th = check_threshold(ws, marche, buyer_type(ws, marche, buyer, registry), when)
        subject = launch_date(ws, marche) is not None and th.above and check_obligation(ws, marche, th, when, derogation).applies
        return th.threshold, th.value, subject

    return check
