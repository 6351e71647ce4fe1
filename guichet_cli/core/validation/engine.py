"""Validation des fichiers du dépôt : chemin rapide, puis chemin lent pour les seuls fichiers en erreur.

1. chaque fichier est lu avec le chargeur C (dates en chaînes) et validé par un validateur
   construit une fois par schéma ;
2. les contrôles métier inscrits (checks.py et modules suivants) s'ajoutent ;
3. seuls les fichiers qui ont des constats sans position sont relus en aller-retour pour donner
   ligne et colonne. Un fichier cassé n'arrête jamais les autres.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from guichet_cli.core import yamlio
from guichet_cli.core.errors import UsageError
from guichet_cli.core.findings import ERROR, Finding, Report
from guichet_cli.core.schemas import validator_for
from guichet_cli.core.validation import messages
from guichet_cli.core.validation.context import (
    FILE_CHECKS,
    KIND_BUYER,
    KIND_CASE,
    KIND_CONFIG,
    KIND_CONTACT,
    KIND_PARTNER,
    KIND_RULES,
    REPO_CHECKS,
    CheckContext,
)
from guichet_cli.core.workspace import CONFIG_NAME, Workspace

_DIR_KINDS = {"cases": KIND_CASE, "partners": KIND_PARTNER, "donneurs": KIND_BUYER, "contacts": KIND_CONTACT, "rules": KIND_RULES}


def classify(ws: Workspace, path: Path) -> tuple[str, Path] | None:
    """Type du fichier et schéma qui le valide, ou None si guichet ne le gère pas."""
    try:
        rel = path.resolve().relative_to(ws.root.resolve())
    except ValueError:
        return None
    if path.suffix not in (".yaml", ".yml"):
        return None
    if rel.as_posix() == CONFIG_NAME:
        return KIND_CONFIG, ws.schemas_dir / "guichet.schema.json"
    kind = _DIR_KINDS.get(rel.parts[0]) if len(rel.parts) > 1 else None
    if kind is None:
        return None
    if kind == KIND_RULES:
        return kind, ws.schemas_dir / "rules" / f"{path.stem}.schema.json"
    return kind, ws.schemas_dir / f"{kind}.schema.json"


def repository_files(ws: Workspace) -> list[Path]:
    files = [ws.root / CONFIG_NAME]
    for d in ("cases", "partners", "donneurs", "contacts", "rules"):
        base = ws.root / d
        if base.is_dir():
            files.extend(p for p in base.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))
    return sorted(set(files))


def expand_paths(ws: Workspace, paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = p if p.is_absolute() else (Path.cwd() / p)
        if p.is_dir():
            out.extend(x for x in p.rglob("*") if x.is_file() and x.suffix in (".yaml", ".yml"))
        elif p.is_file():
            out.append(p)
        else:
            raise UsageError(f"chemin introuvable : {p}", "vérifier l'orthographe du chemin ou de l'identifiant")
    return sorted(set(out))


def _schema_findings(path: Path, data: Any, schema_path: Path) -> list[Finding]:
    validator = validator_for(schema_path)
    out = []
    for err in validator.iter_errors(data):
        pointer, msg, hint, on_key = messages.translate(err)
        out.append(Finding(path=path, message=msg, pointer=pointer, hint=hint, key=on_key))
    return out


def check_file(ctx: CheckContext, path: Path) -> tuple[str | None, dict[str, Any] | None, list[Finding]]:
    """Valide un fichier : (type, données si lisibles, constats)."""
    kinds = classify(ctx.ws, path)
    if kinds is None:
        return None, None, [
            Finding(path, "fichier hors des dossiers gérés par guichet (cases/, partners/, donneurs/, contacts/, rules/)", code="inconnu")
        ]
    kind, schema_path = kinds
    try:
        data = yamlio.load_fast(path)
    except yamlio.YamlProblem as exc:
        return kind, None, [Finding(path, exc.problem, line=exc.line, column=exc.column, hint=exc.hint_text, code="yaml")]
    if not isinstance(data, dict):
        return kind, None, [
            Finding(path, f"le fichier doit contenir des champs « clé: valeur », pas {yamlio._kind(data)}", line=1, column=1, code="yaml")
        ]
    if kind == KIND_RULES and not schema_path.is_file():
        return kind, data, [Finding(path, f"aucun schéma pour ce fichier de règles ({ctx.ws.rel(schema_path)})", line=1, column=1, code="schema")]
    findings = _schema_findings(path, data, schema_path)
    for fn in FILE_CHECKS.get(kind, []):
        # Les contrôles métier supposent un fichier conforme au schéma : sur un fichier qui ne
        # l'est pas, un contrôle qui bute sur un champ manquant est simplement sauté (le schéma
        # a déjà signalé le problème), les autres s'appliquent.
        try:
            findings.extend(list(fn(ctx, path, data)))
        except (KeyError, TypeError, AttributeError, ValueError, IndexError):
            if not findings:
                raise
    return kind, data, findings


def _locate(findings: list[Finding]) -> None:
    by_file: dict[Path, list[Finding]] = {}
    for f in findings:
        if f.line is None:
            by_file.setdefault(f.path, []).append(f)
    for path, items in by_file.items():
        try:
            doc = yamlio.load_roundtrip(path)
        except yamlio.YamlProblem:
            doc = None
        for f in items:
            if doc is None:
                f.line, f.column = 1, 1
            else:
                f.line, f.column = yamlio.locate(doc.data, f.anchor if f.anchor is not None else f.pointer, key=f.key)


def validate(
    ws: Workspace,
    paths: Iterable[Path] | None = None,
    *,
    today: dt.date | None = None,
    repo_checks: bool = True,
    extra_loaded: dict[Path, dict[str, Any]] | None = None,
) -> Report:
    """Valide `paths` (par défaut tout le dépôt) et les contrôles transversaux."""
    ctx = CheckContext(ws, today=today or dt.date.today())
    targets = repository_files(ws) if paths is None else expand_paths(ws, paths)
    report = Report(files=targets)
    loaded: dict[Path, dict[str, Any]] = dict(extra_loaded or {})
    for path in targets:
        _kind, data, findings = check_file(ctx, path)
        report.findings.extend(findings)
        if data is not None:
            loaded[path] = data
    if repo_checks:
        for rc in REPO_CHECKS:
            report.findings.extend(rc(ctx, loaded))
    _locate(report.findings)
    # un même problème signalé deux fois (fichier + transversal) n'apparaît qu'une fois
    seen: set[tuple[str, int | None, int | None, str]] = set()
    unique = []
    for f in report.findings:
        key = (str(f.path), f.line, f.column, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    report.findings = unique
    report.sort()
    return report


def validate_case_data(ws: Workspace, path: Path, today: dt.date | None = None) -> list[Finding]:
    """Valide un seul dossier (avant écriture par une commande) ; rend les erreurs seulement."""
    ctx = CheckContext(ws, today=today or dt.date.today())
    _kind, _data, findings = check_file(ctx, path)
    _locate(findings)
    return [f for f in findings if f.severity == ERROR]


import guichet_cli.core.validation.checks  # noqa: E402,F401  (inscrit les contrôles métier)
import guichet_cli.core.validation.compliance  # noqa: E402,F401  (L2112-2-1, obligation sociale)
