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
    return "marqué à confirmer dans les règles, sans source indiquée"


def lookup(ws: Workspace, ref: str) -> Unverified | None:
    """L'entrée marquée à confirmer que la référence désigne (ou dont elle hérite), sinon None."""
    found = lookups(ws, ref)
    return found[0] if found else None


def lookups(ws: Workspace, ref: str) -> list[Unverified]:
    """L'entrée à confirmer que la référence désigne (ou dont elle hérite), puis ses champs marqués
    `<champ>_a_confirmer: true` (base légale, valeur DECP…)."""
    flagged = _walk(ws, ref)
    return [Unverified(r, "", m) for r, m in flagged]


def _walk(ws: Workspace, ref: str) -> list[tuple[str, str]]:
    if not ref or not ref.startswith("rules/"):
        return []
    name, _, path = ref.removeprefix("rules/").partition("#")
    try:
        node: Any = load_rules(ws, name.removesuffix(".yaml"))
    except GuichetError:
        return []
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
    out = [flagged] if flagged is not None else []
    if isinstance(node, dict) and len(done) == len(keys):
        base = "rules/" + name + ("#" + ".".join(done) if done else "")
        sep = "." if done else "#"
        out += [(f"{base}{sep}{k.removesuffix('_a_confirmer')}", _reason(node, k.removesuffix("a_confirmer")))
                for k, v in node.items() if k.endswith("_a_confirmer") and v is True]
    return out


def collect(ws: Workspace, cited: Iterable[tuple[str | None, str]]) -> list[Unverified]:
    """Entrées à confirmer derrière les règles citées (référence, sujet) ; une fois chacune, dans l'ordre."""
    out: dict[str, Unverified] = {}
    for ref, subject in cited:
        for hit in lookups(ws, ref or ""):
            if hit.regle not in out:
                out[hit.regle] = Unverified(hit.regle, subject, hit.motif)
    return list(out.values())
