"""Lectures à confirmer : les entrées des règles marquées `a_confirmer` sur lesquelles une décision s'appuie.

Une référence de règle (`rules/obligation_sociale.yaml#reservation_conforme`) est suivie dans le
fichier ; l'entrée est « à confirmer » si elle porte `a_confirmer: true` (un enfant qui dit
`a_confirmer: false` l'emporte sur son parent), ou si son parent porte `<clé>_a_confirmer: true`.
Le motif affiché est `a_confirmer_motif`, sinon la source de l'entrée. Un seul endroit pour
l'analyse (texte, JSON, Markdown).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guichet_cli.core.errors import GuichetError
from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace


@dataclass(frozen=True)
class Unverified:
    regle: str  # entrée marquée a_confirmer (rules/x.yaml#a.b)
    sujet: str  # ce que l'analyse en a tiré (texte du contrôle, seuil, paramètre…)
    motif: str  # pourquoi la lecture n'est pas vérifiée (a_confirmer_motif, sinon la source)


def _child(node: Any, key: str) -> tuple[Any, Any] | None:
    """(parent, enfant) pour `key` ; une table rangée sous une seule clé (secteurs:, dispositions:) est traversée."""
    if not isinstance(node, dict):
        return None
    if key in node:
        return node, node[key]
    for value in node.values():
        if isinstance(value, dict) and key in value:
            return value, value[key]
    return None


def _reason(node: dict[str, Any], prefix: str = "") -> str:
    for key in (f"{prefix}a_confirmer_motif", f"{prefix}source", "a_confirmer_motif", "source"):
        if isinstance(node.get(key), str) and node[key]:
            return str(node[key])
    return ""


def lookup(ws: Workspace, ref: str) -> Unverified | None:
    """L'entrée marquée à confirmer que la référence désigne (ou dont elle hérite), sinon None."""
    if not ref or not ref.startswith("rules/"):
        return None
    name, _, path = ref.removeprefix("rules/").partition("#")
    try:
        node: Any = load_rules(ws, name.removesuffix(".yaml"))
    except GuichetError:
        return None
    keys = [k for k in path.split(".") if k] if path else []
    flagged: tuple[str, str] | None = None
    done: list[str] = []
    for key in keys:
        found = _child(node, key)
        if found is None:
            break
        parent, node = found
        done.append(key)
        here = "rules/" + name + "#" + ".".join(done)
        if parent.get(f"{key}_a_confirmer") is True:
            flagged = (here, _reason(parent, f"{key}_"))
        if isinstance(node, dict) and isinstance(node.get("a_confirmer"), bool):
            flagged = (here, _reason(node)) if node["a_confirmer"] else None
        elif not isinstance(node, dict) and flagged is not None:
            flagged = (here, _reason(parent, f"{key}_"))  # valeur d'un groupe à confirmer : sa propre source
    if flagged is None:
        return None
    return Unverified(flagged[0], "", flagged[1])


def collect(ws: Workspace, cited: Iterable[tuple[str | None, str]]) -> list[Unverified]:
    """Entrées à confirmer derrière les règles citées (référence, sujet) ; une fois chacune, dans l'ordre."""
    out: dict[str, Unverified] = {}
    for ref, subject in cited:
        hit = lookup(ws, ref or "")
        if hit is not None and hit.regle not in out:
            out[hit.regle] = Unverified(hit.regle, subject, hit.motif)
    return list(out.values())
