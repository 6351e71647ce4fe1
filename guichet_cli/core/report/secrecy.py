"""Version publiable d'un bilan : aucune donnée personnelle, secret statistique, textes publiables seuls.

- Les effectifs de personnes (participants, profils, publics, contrats, sorties) compris entre 1 et
  seuil − 1 deviennent « < seuil » ; 0 reste 0 (il ne révèle personne).
- Seuls les textes qualitatifs marqués `publiable: true` sont gardés ; les motifs de décision (texte
  libre pouvant nommer des personnes) sont retirés, leur nombre reste.
- Les taux calculés sur des effectifs masqués sont retirés (ils permettraient de les retrouver).
"""

from __future__ import annotations

import copy
from typing import Any


def mask(value: Any, threshold: int) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold:
        return f"< {threshold}"
    return value


def _mask_map(d: dict[str, Any], threshold: int) -> None:
    for k, v in d.items():
        if isinstance(v, dict):
            _mask_map(v, threshold)
        else:
            d[k] = mask(v, threshold)


def _mask_indicators(ind: dict[str, Any], threshold: int) -> None:
    part = ind["participants"]
    part["total"] = mask(part["total"], threshold)
    _mask_map(part["profil"], threshold)
    _mask_map(part["par_public"], threshold)
    for group in ("contrats", "sorties"):
        ind[group]["total"] = mask(ind[group]["total"], threshold)
        _mask_map(ind[group]["par_type"], threshold)
    if isinstance(part["total"], str):
        ind["sorties"]["taux_sorties_dynamiques"] = None
    motifs = ind["recommandations"].pop("motifs")
    ind["recommandations"]["motifs_non_publies"] = len(motifs)


def make_public(report: dict[str, Any], threshold: int) -> dict[str, Any]:
    out = copy.deepcopy(report)
    out["bilan"]["version"] = "publique"
    out["bilan"]["secret_statistique_seuil"] = threshold
    _mask_indicators(out["indicateurs"], threshold)
    out["qualitatif"] = [
        {k: v for k, v in q.items() if k != "publiable"} for q in out["qualitatif"] if q.get("publiable")
    ]
    cmp_ = out.get("comparaison")
    if cmp_:
        for row in cmp_["indicateurs"]:
            if row["indicateur"] in ("participants", "contrats de travail"):
                row["precedent"], row["courant"] = mask(row["precedent"], threshold), mask(row["courant"], threshold)
                if isinstance(row["precedent"], str) or isinstance(row["courant"], str):
                    row["evolution"] = None
    return out
