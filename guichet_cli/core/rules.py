"""Lecture des fichiers de règles (rules/*.yaml) : données relues par les partenaires, jamais du code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from guichet_cli.core import yamlio
from guichet_cli.core.errors import EnvironmentProblem
from guichet_cli.core.workspace import Workspace


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> dict[str, Any]:
    try:
        return yamlio.load_mapping_fast(path)
    except yamlio.YamlProblem as exc:
        raise EnvironmentProblem(
            f"fichier de règles illisible : {exc}", "corriger le fichier (guichet validate rules/) ou le restaurer depuis git"
        ) from None


def load_rules(ws: Workspace, name: str) -> dict[str, Any]:
    """Charge rules/<name>.yaml (celui du dépôt, sinon celui livré avec guichet)."""
    path = ws.rules_dir / f"{name}.yaml"
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise EnvironmentProblem(
            f"fichier de règles introuvable : {ws.rel(path)}", "restaurer le dossier rules/ depuis git ou réinstaller guichet"
        ) from None
    return _load(path, mtime)


def rule_ref(name: str, *keys: str | int) -> str:
    """Référence lisible d'une entrée de règle, pour la traçabilité : rules/x.yaml#a.b."""
    suffix = ".".join(str(k) for k in keys)
    return f"rules/{name}.yaml" + (f"#{suffix}" if suffix else "")
