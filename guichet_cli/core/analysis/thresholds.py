"""Seuils européens (rules/seuils.yaml) et obligation de condition sociale L2112-2-1 (rules/obligation_sociale.yaml)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.registry import Registry
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
    derogation: dict[str, Any] | None = None
    derogation_label: str | None = None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def buyer_type(ws: Workspace, marche: dict[str, Any], buyer: str | None, registry: Registry | None) -> tuple[str, str]:
    """Type d'acheteur : celui du marché, sinon celui du registre des donneurs d'ordre, sinon la valeur par défaut."""
    if marche.get("type_acheteur"):
        return str(marche["type_acheteur"]), "dossier"
    if buyer and registry is not None and (registry.buyers.get(buyer) or {}).get("type_acheteur"):
        return str(registry.buyers[buyer]["type_acheteur"]), "registre des donneurs d'ordre"
    return str(load_rules(ws, "seuils")["type_acheteur_defaut"]), "valeur par défaut de rules/seuils.yaml"


def need_value(ws: Workspace, marche: dict[str, Any]) -> tuple[float, str]:
    """Valeur du besoin comparée au seuil : premier montant renseigné de la liste des règles."""
    for key in load_rules(ws, "obligation_sociale").get("valeur_du_besoin", ["montant_estime_ht"]):
        if isinstance(marche.get(key), int | float):
            return float(marche[key]), key
    return float(marche.get("montant_estime_ht") or 0), "montant_estime_ht"


def period_for(ws: Workspace, when: dt.date) -> tuple[str, dict[str, Any], str | None]:
    periods = load_rules(ws, "seuils")["periodes"]
    ordered = sorted(periods.items(), key=lambda kv: kv[1]["du"])
    for code, p in ordered:
        if str(p["du"]) <= when.isoformat() <= str(p["au"]):
            return code, p, None
    if when.isoformat() < str(ordered[0][1]["du"]):
        code, p = ordered[0]
        return code, p, f"date antérieure aux périodes connues : seuils {code} appliqués"
    code, p = ordered[-1]
    return code, p, f"date postérieure aux périodes connues : seuils {code} appliqués (à mettre à jour dans rules/seuils.yaml)"


def check_threshold(ws: Workspace, marche: dict[str, Any], btype: tuple[str, str], when: dt.date) -> Threshold:
    rules = load_rules(ws, "seuils")
    value, value_field = need_value(ws, marche)
    code, period, note = period_for(ws, when)
    notes = [note] if note else []
    category = "travaux" if marche.get("nature") == "travaux" or marche.get("forme") == "concession" else "fournitures_services"
    kind, origin = btype
    if kind in (rules.get("non_soumis") or {}):
        return Threshold(kind, origin, category, code, value, value_field, None, False, rule_ref("seuils", "non_soumis", kind), notes)
    if category == "travaux":
        limit, ref = float(period["travaux"]), rule_ref("seuils", "periodes", code, "travaux")
    else:
        limit = float(period["fournitures_services"][kind])
        ref = rule_ref("seuils", "periodes", code, "fournitures_services", kind)
    # « égale ou supérieure » : un besoin exactement au seuil est au-dessus (rules/seuils.yaml#comparaison)
    return Threshold(kind, origin, category, code, value, value_field, limit, value >= limit, ref, notes)


def check_obligation(ws: Workspace, case: dict[str, Any], th: Threshold, today: dt.date) -> Obligation:
    rules = load_rules(ws, "obligation_sociale")
    start = dt.date.fromisoformat(str(rules["date_application"]))
    marche = case.get("marche") or {}
    launch = _date(marche.get(rules.get("champ_date", "lancement_prevu")))
    when = launch or today
    excluded = rules.get("acheteurs_exclus") or {}
    deroga = (case.get("analyse") or {}).get("derogation")
    label = None
    if isinstance(deroga, dict):
        label = ((rules.get("motifs_derogation") or {}).get(deroga.get("motif")) or {}).get("libelle")
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
                      rule_ref("obligation_sociale", "date_application"), when.isoformat(), deroga if isinstance(deroga, dict) else None, label)
