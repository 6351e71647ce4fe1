"""Mise en forme du rapport de validation : texte, JSON ou annotations GitHub."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from guichet_cli.core import formats
from guichet_cli.core.findings import ERROR, Report
from guichet_cli.core.workspace import Workspace

FORMATS = formats.VALIDATE


def _plural(n: int, word: str, plural: str | None = None) -> str:
    from guichet_cli.core import frformat as fr  # Babel : seulement quand il y a un résumé à écrire

    return fr.count(n, word, plural or word + "s", plain=True)


def summary(report: Report) -> str:
    errors = report.errors
    warnings = [f for f in report.findings if f.severity != ERROR]
    files_with = {f.path for f in errors}
    head = _plural(len(report.files), "fichier vérifié", "fichiers vérifiés")
    if not errors and not warnings:
        return f"{head} : aucun problème."
    parts = []
    if errors:
        parts.append(f"{_plural(len(errors), 'problème')} dans {_plural(len(files_with), 'fichier')}")
    if warnings:
        parts.append(_plural(len(warnings), "avertissement"))
    return f"{head} : {', '.join(parts)}."


def iter_text(ws: Workspace, report: Report, quiet: bool = False) -> Iterator[str]:
    """Les lignes du rapport texte, une à une (100 000 demandes : pas tout le rapport en mémoire)."""
    for f in report.findings:
        tag = "" if f.severity == ERROR else "avertissement : "
        msg = f"{ws.rel(f.path)}:{f.line or 1}:{f.column or 1}: {f.json_path}: {tag}{f.message}"
        if f.hint:
            msg += f" — {f.hint}"
        yield msg
    if not quiet or report.findings:
        yield summary(report)


def render_text(ws: Workspace, report: Report, quiet: bool = False) -> str:
    return "\n".join(iter_text(ws, report, quiet))


def render_json(ws: Workspace, report: Report) -> str:
    payload = {
        "statut": "ok" if report.ok else "echec",
        "fichiers": len(report.files),
        "problemes": [
            {
                "fichier": ws.rel(f.path),
                "ligne": f.line,
                "colonne": f.column,
                "chemin": f.json_path,
                "message": f.message,
                "conseil": f.hint,
                "code": f.code,
                "gravite": f.severity,
            }
            for f in report.findings
        ],
        "resume": summary(report),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(ws: Workspace, report: Report) -> str:
    """Annotations GitHub Actions (::error file=…,line=…,col=…::message) affichées sur le diff."""
    lines = []
    for f in report.findings:
        level = "error" if f.severity == ERROR else "warning"
        msg = f"{f.json_path}: {f.message}" + (f" — {f.hint}" if f.hint else "")
        lines.append(
            f"::{level} file={_gh_escape(ws.rel(f.path), True)},line={f.line or 1},col={f.column or 1},"
            f"title={_gh_escape('guichet validate', True)}::{_gh_escape(msg)}"
        )
    lines.append(summary(report))
    return "\n".join(lines)


def render_gitlab(ws: Workspace, report: Report) -> str:
    """Rapport « Code Quality » de GitLab : les problèmes s'affichent sur le diff de la demande de fusion."""
    items = []
    for f in report.findings:
        rel = ws.rel(f.path)
        desc = f"{f.json_path}: {f.message}" + (f" — {f.hint}" if f.hint else "")
        # empreinte stable : même problème au même endroit = même constat d'un pipeline à l'autre
        fingerprint = hashlib.sha256(f"{rel}|{f.json_path}|{f.message}".encode()).hexdigest()
        items.append({
            "description": desc,
            "check_name": f"guichet-{f.code}",
            "fingerprint": fingerprint,
            "severity": "major" if f.severity == ERROR else "minor",
            "location": {"path": rel, "lines": {"begin": f.line or 1}},
        })
    return json.dumps(items, ensure_ascii=False, indent=2)


def render(ws: Workspace, report: Report, fmt: str, quiet: bool = False) -> str:
    if fmt == "gitlab":
        return render_gitlab(ws, report)
    if fmt == "json":
        return render_json(ws, report)
    if fmt == "github":
        return render_github(ws, report)
    return render_text(ws, report, quiet)
