"""Seuil européen applicable à un marché, d'après rules/seuils.yaml (période, nature, type d'acheteur).

Utilisé pour la part des marchés au-dessus du seuil qui portent une considération sociale
(obligation de L2112-2-1 depuis le 22 août 2026).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from guichet_cli.core.registry import Registry
from guichet_cli.core.workspace import Workspace


def threshold_for(seuils: dict[str, Any] | None, nature: str | None, buyer_type: str | None, when: dt.date | None) -> float | None:
    """Seuil en € HT, ou None (acheteur non soumis, période ou données inconnues)."""
    if not seuils or when is None:
        return None
    btype = buyer_type or seuils.get("type_acheteur_defaut") or "pouvoir_adjudicateur"
    if btype in (seuils.get("non_soumis") or {}):
        return None
    for period in (seuils.get("periodes") or {}).values():
        try:
            start, end = dt.date.fromisoformat(str(period["du"])), dt.date.fromisoformat(str(period["au"]))
        except (KeyError, ValueError):
            continue
        if start <= when <= end:
            if nature == "travaux":
                return float(period["travaux"])
            fs = period.get("fournitures_services") or {}
            value = fs.get(btype)
            return float(value) if value is not None else None
    return None


# (seuil ou None, valeur du besoin, soumis à l'obligation L2112-2-1)
Verdict = tuple[float | None, float | None, bool]
Checker = Callable[[dict[str, Any], str, dt.date, dict[str, Any]], Verdict]


def make_checker(ws: Workspace, registry: Registry, seuils: dict[str, Any] | None, obligation_date: dt.date | None) -> Checker:
    """Vérificateur de seuil : celui de l'analyse (guichet_cli.core.analysis.thresholds) s'il est là,
    pour que bilan et recommandation disent la même chose ; sinon lecture directe de rules/seuils.yaml."""
    try:
        from guichet_cli.core.analysis import thresholds as analysis
    except ImportError:
        analysis = None  # type: ignore[assignment]

    def own(marche: dict[str, Any], siret: str, when: dt.date, case: dict[str, Any]) -> Verdict:
        value = marche.get("montant_maximum_ht")
        value = value if isinstance(value, int | float) else marche.get("montant_estime_ht")
        value = float(value) if isinstance(value, int | float) else None
        btype = marche.get("type_acheteur") or (registry.buyers.get(siret) or {}).get("type_acheteur")
        limit = threshold_for(seuils, marche.get("nature"), btype, when)
        launch = marche.get("lancement_prevu")
        above = limit is not None and value is not None and value >= limit
        subject = above and obligation_date is not None and launch is not None and str(launch) >= obligation_date.isoformat()
        return limit, value, subject

    if analysis is None or seuils is None:
        return own

    def shared(marche: dict[str, Any], siret: str, when: dt.date, case: dict[str, Any]) -> Verdict:
        th = analysis.check_threshold(ws, marche, analysis.buyer_type(ws, marche, siret, registry), when)
        subject = False
        if marche.get("lancement_prevu") and th.above:
            subject = analysis.check_obligation(ws, case, th, when).applies
        return th.threshold, th.value, subject

    return shared
