"""Lecture des fichiers de règles (rules/*.yaml) : données relues par les partenaires, jamais du code.

Les règles sont lues par le magasin du dépôt (une fois par exécution) ; ce module n'en est que
l'accès nommé.
"""

from __future__ import annotations

from typing import Any

from guichet_cli.core.workspace import Workspace


def load_rules(ws: Workspace, name: str) -> dict[str, Any]:
    """Charge rules/<name>.yaml (celui du dépôt, sinon celui livré avec guichet)."""
    return ws.store.rules(name)


def rule_ref(name: str, *keys: str | int) -> str:
    """Référence lisible d'une entrée de règle, pour la traçabilité : rules/x.yaml#a.b."""
    suffix = ".".join(str(k) for k in keys)
    return f"rules/{name}.yaml" + (f"#{suffix}" if suffix else "")
