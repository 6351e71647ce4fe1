"""Opérations complètes appelées par la CLI : analyser ou router un dossier, et enregistrer le résultat.

Écriture : aller-retour YAML (commentaires gardés), validation avant d'écrire (rien n'est écrit si
le dossier deviendrait invalide), puis commit dans un dépôt git (piste d'audit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core.analysis import recommend
from guichet_cli.core.analysis.present import apply_analysis, apply_routing
from guichet_cli.core.analysis.route import Routing, route
from guichet_cli.core.audit import commit_changes
from guichet_cli.core.codeowners import write_codeowners
from guichet_cli.core.errors import UsageError
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.workspace import Workspace


@dataclass
class Outcome:
    path: Path
    case: Case  # le dossier tel que lu avant l'écriture
    written: bool = False
    sha: str | None = None
    extra_files: list[Path] = field(default_factory=list)


def load_case(ws: Workspace, ref: str) -> tuple[Path, Case]:
    """Le dossier typé et valide (schéma et contrôles) ; sinon DataError qui nomme fichier, ligne et champ."""
    case = ws.store.case(ref, checked=True)
    return case.path, case


def _write(ws: Workspace, path: Path, mutate: Callable[[Any], None]) -> bool:
    return ws.store.edit(path, mutate).changed


def _commit(ws: Workspace, files: list[Path], case_id: str, action: str, subject: str, no_commit: bool) -> str | None:
    return commit_changes(ws, files, case_id=case_id, action=action, subject=subject, no_commit=no_commit)


def analyse(ws: Workspace, ref: str, *, write: bool = False, no_commit: bool = False, today: dt.date | None = None,
            registry: Registry | None = None, force: bool = False) -> tuple[Outcome, recommend.Analysis]:
    if write:
        with ws.store.writing():  # lu, écrit et committé sous le verrou du dépôt (core/locking.py)
            return _analyse(ws, ref, write=write, no_commit=no_commit, today=today, registry=registry, force=force)
    return _analyse(ws, ref, write=write, no_commit=no_commit, today=today, registry=registry, force=force)


def _analyse(ws: Workspace, ref: str, *, write: bool, no_commit: bool, today: dt.date | None,
             registry: Registry | None, force: bool) -> tuple[Outcome, recommend.Analysis]:
    today = today or dt.date.today()
    path, model = load_case(ws, ref)
    sent = model.analyse.transmise_le if model.analyse else None
    if write and sent and not force:
        # La recommandation envoyée au donneur d'ordre est un fait passé : ne pas la réécrire par mégarde.
        raise UsageError(f"la recommandation de {model.id} a déjà été transmise le {sent.isoformat()} : elle n'est pas réécrite",
                         "relancer sans --write pour voir l'analyse, ou avec --write --force pour remplacer la recommandation transmise")
    an = recommend.analyse_case(ws, model, today=today, registry=registry)
    out = Outcome(path, model)
    if write:
        out.written = _write(ws, path, lambda data: apply_analysis(data, an, today))
        if out.written:
            out.sha = _commit(ws, [path], an.case_id, "analyse", f"{an.case_id} : analyse enregistrée", no_commit)
    return out, an


def recommendations_for(ws: Workspace, case: Case, registry: Registry, today: dt.date) -> tuple[list[dict[str, Any]], int | float | None]:
    """Recommandations du dossier s'il en a, sinon celles de l'analyse ; et les heures calibrées."""
    recs = [r.as_dict() for r in case.recommendations]
    hours = _plain(case.calibration.heures) if case.calibration else None
    if not recs:
        an = recommend.analyse_case(ws, case, today=today, registry=registry)
        recs = an.recommendations()
        hours = an.total_hours or None
    return recs, hours


def _plain(x: float) -> int | float:
    """Heures lues (1933.0) affichées comme saisies (1933)."""
    return int(x) if float(x).is_integer() else x


def route_case(ws: Workspace, ref: str, *, write: bool = False, no_commit: bool = False, today: dt.date | None = None,
               registry: Registry | None = None) -> tuple[Outcome, Routing, list[dict[str, Any]], int | float | None]:
    if write:
        with ws.store.writing():
            return _route_case(ws, ref, write=write, no_commit=no_commit, today=today, registry=registry)
    return _route_case(ws, ref, write=write, no_commit=no_commit, today=today, registry=registry)


def _route_case(ws: Workspace, ref: str, *, write: bool, no_commit: bool, today: dt.date | None,
                registry: Registry | None) -> tuple[Outcome, Routing, list[dict[str, Any]], int | float | None]:
    today = today or dt.date.today()
    reg = registry if registry is not None else ws.store.registry
    path, model = load_case(ws, ref)
    recs, hours = recommendations_for(ws, model, reg, today)
    routing = route(model, reg, recs)
    out = Outcome(path, model)
    if write:
        out.written = _write(ws, path, lambda data: apply_routing(data, routing))
        if out.written:
            files = [path, write_codeowners(ws)]
            out.extra_files.append(files[-1])
            out.sha = _commit(ws, files, model.id, "routage", f"{model.id} : routage enregistré", no_commit)
    return out, routing, recs, hours
