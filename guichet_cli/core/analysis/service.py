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

from guichet_cli.core import yamlio
from guichet_cli.core.analysis import recommend
from guichet_cli.core.analysis.present import apply_analysis, apply_routing
from guichet_cli.core.analysis.route import Routing, route
from guichet_cli.core.errors import DataError, UsageError
from guichet_cli.core.registry import Registry, load_registry
from guichet_cli.core.workspace import Workspace


@dataclass
class Outcome:
    path: Path
    case: dict[str, Any]
    written: bool = False
    sha: str | None = None
    extra_files: list[Path] = field(default_factory=list)


def load_case(ws: Workspace, ref: str) -> tuple[Path, dict[str, Any]]:
    path = ws.find_case(ref)
    case = yamlio.load_fast(path)
    if not isinstance(case, dict) or not isinstance(case.get("marche"), dict):
        raise DataError(f"{ws.rel(path)} : dossier incomplet (pas de bloc marche)", f"vérifier le fichier avec « guichet validate {ws.rel(path)} »")
    from guichet_cli.core.validation import engine

    problems = engine.validate_case_data(ws, path)
    if problems:
        lines = [f"{ws.rel(path)}:{f.line or 1}:{f.column or 1}: {f.message}" for f in problems[:10]]
        raise DataError("le dossier n'est pas valide, l'analyse n'est pas possible :\n  " + "\n  ".join(lines),
                        "corriger le dossier (guichet validate le détaille) puis relancer")
    return path, case


def _write(ws: Workspace, path: Path, mutate: Callable[[Any], None]) -> bool:
    new_text = yamlio.edit_file(path, mutate)
    if new_text.encode("utf-8") == path.read_bytes():
        return False
    try:
        from guichet_cli.core.audit import write_validated
    except ImportError:  # lot git pas encore livré : écriture atomique simple
        yamlio.atomic_write_text(path, new_text)
        return True
    write_validated(ws, path, new_text)
    return True


def _commit(ws: Workspace, files: list[Path], case_id: str, action: str, subject: str, no_commit: bool) -> str | None:
    try:
        from guichet_cli.core.audit import commit_changes
    except ImportError:
        return None
    return commit_changes(ws, files, case_id=case_id, action=action, subject=subject, no_commit=no_commit)


def analyse(ws: Workspace, ref: str, *, write: bool = False, no_commit: bool = False, today: dt.date | None = None,
            registry: Registry | None = None, force: bool = False) -> tuple[Outcome, recommend.Analysis]:
    today = today or dt.date.today()
    path, case = load_case(ws, ref)
    sent = (case.get("analyse") or {}).get("transmise_le")
    if write and sent and not force:
        # La recommandation envoyée au donneur d'ordre est un fait passé : ne pas la réécrire par mégarde.
        raise UsageError(f"la recommandation de {case.get('id')} a déjà été transmise le {sent} : elle n'est pas réécrite",
                         "relancer sans --write pour voir l'analyse, ou avec --write --force pour remplacer la recommandation transmise")
    an = recommend.analyse_case(ws, case, today=today, registry=registry)
    out = Outcome(path, case)
    if write:
        out.written = _write(ws, path, lambda data: apply_analysis(data, an, today))
        if out.written:
            out.sha = _commit(ws, [path], an.case_id, "analyse", f"{an.case_id} : analyse enregistrée", no_commit)
    return out, an


def recommendations_for(ws: Workspace, case: dict[str, Any], registry: Registry, today: dt.date) -> tuple[list[dict[str, Any]], int | None]:
    """Recommandations du dossier s'il en a, sinon celles de l'analyse ; et les heures calibrées."""
    recs = list(((case.get("analyse") or {}).get("recommandation")) or [])
    hours = ((case.get("analyse") or {}).get("calibrage") or {}).get("heures")
    if not recs:
        an = recommend.analyse_case(ws, case, today=today, registry=registry)
        recs = an.recommendations()
        hours = an.total_hours or None
    return recs, hours


def route_case(ws: Workspace, ref: str, *, write: bool = False, no_commit: bool = False, today: dt.date | None = None,
               registry: Registry | None = None) -> tuple[Outcome, Routing, list[dict[str, Any]], int | None]:
    today = today or dt.date.today()
    reg = registry if registry is not None else load_registry(ws)
    path, case = load_case(ws, ref)
    recs, hours = recommendations_for(ws, case, reg, today)
    routing = route(case, reg, recs)
    out = Outcome(path, case)
    if write:
        out.written = _write(ws, path, lambda data: apply_routing(data, routing))
        if out.written:
            files = [path]
            try:
                from guichet_cli.core.codeowners import write_codeowners
            except ImportError:
                write_codeowners = None  # type: ignore[assignment]
            if write_codeowners is not None:
                files.append(write_codeowners(ws))
                out.extra_files.append(files[-1])
            out.sha = _commit(ws, files, str(case["id"]), "routage", f"{case['id']} : routage enregistré", no_commit)
    return out, routing, recs, hours
