"""Contexte partagé par les contrôles et registre des contrôles (les modules de contrôle s'y inscrivent)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guichet_cli.core.findings import Finding
from guichet_cli.core.workspace import Workspace

if TYPE_CHECKING:  # types seulement : la validation à chaud n'importe pas le modèle typé
    from guichet_cli.core.lifecycle import Lifecycle
    from guichet_cli.core.model.registry import Registry

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
    targets: frozenset[Path] = frozenset()  # fichiers de cette validation (les contrôles transversaux ne les relisent pas)
    _case_files: list[Path] | None = field(default=None, repr=False)

    @property
    def registry(self) -> Registry:
        return self.ws.store.registry

    @property
    def lifecycle(self) -> Lifecycle:
        return self.ws.store.lifecycle

    def rules(self, name: str) -> dict[str, Any]:
        return self.ws.store.rules(name)

    @staticmethod
    def summarized(loaded: dict[Path, Any]) -> bool:
        """Validation en flux, en parallèle ou en cache : les demandes ne sont plus en mémoire, seuls
        leurs résumés (Entry.award, Entry.use) le sont."""
        return any(getattr(ent, "cached_id", None) and getattr(ent, "model", None) is None for ent in loaded.values())

    def case_summaries(self, loaded: dict[Path, Any], attr: str, make: Callable[[Any], Any]) -> list[Any]:
        """Le résumé `attr` de chaque demande du dépôt, dans l'ordre du magasin : celui gardé par la
        validation, sinon fait par `make` de l'objet typé ; seules les demandes hors de cette
        validation sont lues (une demande validée ici sans succès n'y entre pas)."""
        from guichet_cli.core.model.case import Case

        if self._case_files is None:
            self._case_files = self.ws.case_files()
        by_path = {os.path.abspath(p): ent for p, ent in loaded.items()}
        targets = {os.path.abspath(p) for p in self.targets}
        out: list[Any] = []
        for path in self._case_files:
            key = os.path.abspath(path)
            ent = by_path.get(key)
            if ent is not None:
                found = make(ent.model) if isinstance(ent.model, Case) else getattr(ent, attr, None)
                if found is not None:
                    out.append(found)
            elif key not in targets:
                out += [s for c in self.ws.store.load_cases([path])[0] if (s := make(c)) is not None]
        return out


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
