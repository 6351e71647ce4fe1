"""Version publiable d'un bilan : aucune donnée personnelle, secret statistique, textes publiables seuls.

- Les effectifs de personnes (participants, profils, publics, contrats, sorties) compris entre 1 et
  seuil − 1 deviennent « < seuil » ; 0 reste 0 (il ne révèle personne).
- Seuls les textes qualitatifs marqués `publiable: true` sont gardés ; les motifs de décision (texte
  libre pouvant nommer des personnes) sont retirés, leur nombre reste.
- Les taux calculés sur des effectifs masqués sont retirés (ils permettraient de les retrouver).
- Secret secondaire : dans un groupe qui partage un total publié (femmes + hommes = participants,
  tranches d'âge, types de contrat, types de sortie), une case masquée se retrouverait par
  soustraction (« femmes < 3 | hommes 0 », total 2). Dès qu'une case du groupe est masquée, toutes
  ses cases non nulles deviennent « secret » ; s'il n'en reste qu'une, elle vaut le total, qui est
  masqué aussi. Un texte qui contient une donnée personnelle empêche la publication (DataError).
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


SECRET = "secret"
# Groupes de cases dont la somme est le total publié (partitions) : (bloc, total, cases).
PARTITIONS = (
    ("participants", "profil", ("femmes", "hommes")),
    ("participants", "profil", ("moins_26_ans", "de_26_a_49_ans", "plus_50_ans")),
    ("contrats", "par_type", None),
    ("sorties", "par_type", None),
)


def _secondary(ind: dict[str, Any]) -> None:
    """Secret secondaire : aucune case masquée ne se retrouve à partir du total et des autres cases."""
    for block, sub, keys in PARTITIONS:
        group = ind[block][sub]
        names = [k for k in (keys or list(group)) if k in group]
        if not any(isinstance(group[k], str) for k in names):
            continue
        nonzero = [k for k in names if group[k] != 0]
        for k in nonzero:
            group[k] = SECRET
        if len(nonzero) == 1 and not isinstance(ind[block]["total"], str):
            ind[block]["total"] = SECRET  # la seule case non nulle vaudrait le total


def make_public(report: dict[str, Any], threshold: int) -> dict[str, Any]:
    out = copy.deepcopy(report)
    out["bilan"]["version"] = "publique"
    out["bilan"]["secret_statistique_seuil"] = threshold
    _mask_indicators(out["indicateurs"], threshold)
    _secondary(out["indicateurs"])
    if isinstance(out["indicateurs"]["participants"]["total"], str):
        out["indicateurs"]["sorties"]["taux_sorties_dynamiques"] = None
    out["qualitatif"] = [
        {k: v for k, v in q.items() if k != "publiable"} for q in out["qualitatif"] if q.get("publiable")
    ]
    cmp_ = out.get("comparaison")
    if cmp_:
        for row in cmp_["indicateurs"]:
            if row["indicateur"] in ("participants", "contrats de travail"):
                row["precedent"], row["courant"] = mask(row["precedent"], threshold), mask(row["courant"], threshold)
                block = "participants" if row["indicateur"] == "participants" else "contrats"
                if out["indicateurs"][block]["total"] == SECRET:
                    row["courant"] = SECRET
                if isinstance(row["precedent"], str) or isinstance(row["courant"], str):
                    row["evolution"] = None
    refuse_personal_data(out)
    return out


def refuse_personal_data(report: dict[str, Any]) -> None:
    """Aucune sortie publique ne part avec une donnée personnelle repérée (core/rgpd/patterns.py)."""
    from guichet_cli.core.errors import DataError
    from guichet_cli.core.findings import json_path
    from guichet_cli.core.rgpd import patterns

    found = list(patterns.scan_tree(report))
    if found:
        where = "; ".join(f"{json_path(p)} : {m.label} (« {m.masked} »)" for p, m in found[:5])
        raise DataError(f"bilan public refusé : donnée personnelle dans un texte publiable ({where})",
                        "corriger le texte dans le dossier (guichet validate le signale) ou le marquer publiable: false")
