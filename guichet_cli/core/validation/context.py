"""Contexte partagé par les contrôles et registre des contrôles (les modules de contrôle s'y inscrivent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core.findings import Finding
from guichet_cli.core.lifecycle import Lifecycle
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.workspace import Workspace

# Types de fichiers reconnus et le schéma qui les valide (relatif à schemas/).
KIND_CASE = "demande"
KIND_PARTNER = "partenaire"
KIND_BUYER = "donneur"
KIND_CONTACT = "contact"
KIND_STRUCTURE = "structure"
KIND_RULES = "regles"
KIND_CONFIG = "reglages"


@dataclass
class CheckContext:
    ws: Workspace
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def registry(self) -> Registry:
        return self.ws.store.registry

    @property
    def lifecycle(self) -> Lifecycle:
        return self.ws.store.lifecycle

    def rules(self, name: str) -> dict[str, Any]:
        return self.ws.store.rules(name)


# Un contrôle de fichier reçoit l'objet typé (Case, Partner, Buyer, Contact) ou, pour les règles
# et réglages, l'arbre lu ; un contrôle transversal reçoit les lectures de tous les fichiers validés.
FileCheck = Callable[[CheckContext, Path, Any], Iterable[Finding]]
RepoCheck = Callable[[CheckContext, dict[Path, Any]], Iterable[Finding]]

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
