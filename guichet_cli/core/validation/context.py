"""Contexte partagé par les contrôles et registre des contrôles (les modules de contrôle s'y inscrivent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from guichet_cli.core.findings import Finding
from guichet_cli.core.lifecycle import Lifecycle, load_lifecycle
from guichet_cli.core.registry import Registry, load_registry
from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace

# Types de fichiers reconnus et le schéma qui les valide (relatif à schemas/).
KIND_CASE = "demande"
KIND_PARTNER = "partenaire"
KIND_BUYER = "donneur"
KIND_CONTACT = "contact"
KIND_RULES = "regles"
KIND_CONFIG = "reglages"


@dataclass
class CheckContext:
    ws: Workspace
    today: dt.date = field(default_factory=dt.date.today)

    @cached_property
    def registry(self) -> Registry:
        return load_registry(self.ws)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        return load_lifecycle(self.ws)

    def rules(self, name: str) -> dict[str, Any]:
        return load_rules(self.ws, name)


FileCheck = Callable[[CheckContext, Path, dict[str, Any]], Iterable[Finding]]
RepoCheck = Callable[[CheckContext, dict[Path, dict[str, Any]]], Iterable[Finding]]

FILE_CHECKS: dict[str, list[FileCheck]] = {}
REPO_CHECKS: list[RepoCheck] = []


def file_check(kind: str) -> Callable[[FileCheck], FileCheck]:
    """Inscrit un contrôle appliqué à chaque fichier du type `kind` qui a passé le schéma."""

    def deco(fn: FileCheck) -> FileCheck:
        FILE_CHECKS.setdefault(kind, []).append(fn)
        return fn

    return deco


def repo_check(fn: RepoCheck) -> RepoCheck:
    """Inscrit un contrôle transversal (unicité, références) exécuté une fois par validation."""
    REPO_CHECKS.append(fn)
    return fn
