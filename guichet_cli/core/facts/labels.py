"""Listes de codes partagées et leurs libellés français : schemas/defs.schema.json, seule source.

Chaque liste est un `$defs` du fichier (`enum` + `x-libelles`) ; les autres schémas y renvoient par
`$ref` et le code lit codes et libellés ici : `labels.of(ws).disposition("reserve_siae")`,
`labels.of(ws).choices("statut")`. Lecture en JSON simple (sans jsonschema), une fois par fichier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from guichet_cli.core.errors import EnvironmentProblem
from guichet_cli.core.workspace import Workspace, packaged_data_dir

DEFS_FILE = "defs.schema.json"
# Listes dont le code a besoin (les autres $defs du fichier, comme cpv, sont des motifs).
LISTS = ("disposition", "statut", "type_acheteur", "nature", "forme", "procedure", "departement", "base_calibrage")


@dataclass(frozen=True)
class Labels:
    codes: dict[str, tuple[str, ...]]
    names: dict[str, dict[str, str]]
    defs: dict[str, dict[str, Any]]

    def choices(self, name: str) -> list[str]:
        """Codes permis, dans l'ordre du schéma."""
        return list(self.codes[name])

    def table(self, name: str) -> dict[str, str]:
        """Code → libellé, dans l'ordre du schéma."""
        return dict(self.names[name])

    def label(self, name: str, code: Any, default: str | None = None) -> str:
        """Libellé d'un code ; le code lui-même (ou `default`) s'il est inconnu."""
        text = str(code) if code is not None else ""
        return self.names.get(name, {}).get(text, text if default is None else default)

    def disposition(self, code: Any) -> str:
        return self.label("disposition", code)

    def statut(self, code: Any) -> str:
        return self.label("statut", code)

    def type_acheteur(self, code: Any) -> str:
        return self.label("type_acheteur", code)

    def nature(self, code: Any) -> str:
        return self.label("nature", code)

    def forme(self, code: Any) -> str:
        return self.label("forme", code)

    def procedure(self, code: Any) -> str:
        return self.label("procedure", code)

    def departement(self, code: Any) -> str:
        return self.label("departement", code)

    def base_calibrage(self, code: Any) -> str:
        return self.label("base_calibrage", code)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> Labels:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        defs = data["$defs"]
        codes: dict[str, tuple[str, ...]] = {}
        names: dict[str, dict[str, str]] = {}
        for name in LISTS:
            node = defs[name]
            codes[name] = tuple(str(c) for c in node["enum"])
            given = node.get("x-libelles") or {}
            names[name] = {c: str(given.get(c) or c) for c in codes[name]}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise EnvironmentProblem(
            f"listes partagées illisibles : {path} ({type(exc).__name__} : {exc})",
            "restaurer schemas/defs.schema.json depuis git ou réinstaller guichet",
        ) from None
    return Labels(codes, names, defs)


def load(schemas_dir: Path) -> Labels:
    """Listes et libellés de `schemas_dir`/defs.schema.json."""
    path = schemas_dir / DEFS_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise EnvironmentProblem(
            f"schéma des listes partagées introuvable : {path}",
            "restaurer schemas/defs.schema.json depuis git ou réinstaller guichet",
        ) from None
    return _load(path, mtime)


def of(ws: Workspace) -> Labels:
    """Listes et libellés du dépôt (schemas/ du dépôt, sinon ceux livrés avec guichet)."""
    return load(ws.schemas_dir)


def packaged() -> Labels:
    """Listes et libellés livrés avec guichet (sans dépôt ouvert)."""
    return load(packaged_data_dir("schemas"))


CASE_SCHEMA = "demande.schema.json"


def _resolve(node: dict[str, Any], base: Path, root: dict[str, Any]) -> tuple[dict[str, Any], Path, dict[str, Any]]:
    """Suit un « $ref » (autre fichier et/ou `#/$defs/…`) ; les clés voisines du « $ref » l'emportent."""
    from guichet_cli.core.schemas import load_schema

    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node, base, root
    file, _, pointer = ref.partition("#")
    if file:
        base = (base.parent / file).resolve()
        root = load_schema(base)
    target: Any = root
    for part in [p for p in pointer.split("/") if p]:
        target = target.get(part, {}) if isinstance(target, dict) else {}
    target, base, root = _resolve(target if isinstance(target, dict) else {}, base, root)
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}, base, root


def field_label(ws: Workspace, dotted: str, schema: str = CASE_SCHEMA) -> str:
    """Libellé français d'un chemin de champ (`execution.notifie_le` → « date de notification du
    marché ») : la description du champ dans son schéma, seule source (la même que
    docs/reference-champs.md, générée par tools/gen_reference.py). Le chemin lui-même si le champ
    n'est pas décrit. « [] » désigne les éléments d'une liste (`sourcing.consultations[].envoyee_le`)."""
    from guichet_cli.core.schemas import load_schema

    base = (ws.schemas_dir / schema).resolve()
    root = load_schema(base)
    node: dict[str, Any] = root
    for part in dotted.split("."):
        name, items = (part[:-2], True) if part.endswith("[]") else (part, False)
        node, base, root = _resolve(node, base, root)
        node = (node.get("properties") or {}).get(name)
        if not isinstance(node, dict):
            return dotted
        if items:
            node, base, root = _resolve(node, base, root)
            node = node.get("items") if isinstance(node.get("items"), dict) else {}
    node, base, root = _resolve(node, base, root)
    text = node.get("description")
    return str(text).rstrip(".") if text else dotted
