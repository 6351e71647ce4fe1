"""Bornes des valeurs que le bilan additionne, vérifiées sur le modèle typé.

Les types sont garantis par le magasin (core/model : un champ du mauvais type rend le dossier
illisible). Reste qu'une valeur comptée ne soit ni négative ni, pour un effectif, fractionnaire :
sinon erreur de données nommant fichier, ligne, colonne et champ (le bilan de ce donneur est
signalé, les autres sont produits).
"""

from __future__ import annotations

from guichet_cli.core.model.case import Case
from guichet_cli.core.model.fields import ModelError, Pointer, describe


def amount(case: Case, rel: str, pointer: Pointer, value: float | None) -> float | None:
    """Montant ou nombre d'heures : positif ou nul."""
    if value is not None and value < 0:
        raise _fail(case, rel, pointer, f"nombre positif attendu, trouvé {describe(value)}")
    return value


def count(case: Case, rel: str, pointer: Pointer, value: float | None) -> float | None:
    """Effectif (personnes, contrats, entreprises) : entier positif ou nul."""
    if value is not None and (value < 0 or not isinstance(value, int)):
        raise _fail(case, rel, pointer, f"nombre entier positif attendu, trouvé {describe(value)}")
    return value


def _fail(case: Case, rel: str, pointer: Pointer, problem: str) -> ModelError:
    return ModelError(case.path, pointer, problem, f"corriger le dossier puis vérifier avec « guichet validate {rel} »").locate(rel)
