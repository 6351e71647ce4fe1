"""`guichet validate --since REF` : ce qu'une demande de fusion change, et seulement cela.

1. fichiers changés depuis REF : un `git diff --name-status -z -M REF` (index et copie de travail)
   et les fichiers non suivis (`git ls-files --others`) ;
2. validation de ces fichiers + contrôles transversaux (unicité des identifiants lue sur les noms
   de fichiers, références au registre) : les dossiers inchangés ne sont pas relus ;
3. contrôle de transition : version de REF (un seul `git cat-file --batch`) contre version de
   travail — le changement de statut doit être permis par le cycle de vie, et les faits passés
   (rules/transitions.yaml, faits_passes) ne sont pas réécrits sans --allow-correction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import yamlio
from guichet_cli.core.audit import require_git, run_git
from guichet_cli.core.errors import UsageError
from guichet_cli.core.findings import WARNING, Finding, Report
from guichet_cli.core.history import _BlobReader
from guichet_cli.core.lifecycle import get_field, has_field, load_lifecycle
from guichet_cli.core.registry import load_registry
from guichet_cli.core.rules import load_rules
from guichet_cli.core.validation import engine
from guichet_cli.core.workspace import Workspace


@dataclass
class ChangeSet:
    ref: str
    sha: str
    changed: list[Path] = field(default_factory=list)  # ajoutés, modifiés, renommés (chemin actuel)
    deleted: list[Path] = field(default_factory=list)
    previous: dict[Path, str] = field(default_factory=dict)  # chemin actuel → chemin (git) dans REF


def resolve_ref(top: Path, ref: str) -> str:
    proc = run_git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False)
    if proc.returncode != 0:
        raise UsageError(
            f"référence git inconnue : « {ref} »",
            "indiquer une branche, une étiquette ou un commit existant (ex. origin/main ; en CI, récupérer l'historique avec fetch-depth: 0)",
        )
    return proc.stdout.decode("ascii").strip()


def collect_changes(ws: Workspace, ref: str) -> ChangeSet:
    top = require_git(ws)
    sha = resolve_ref(top, ref)
    rel_root = ws.root.resolve().relative_to(top).as_posix()
    prefix = "" if rel_root == "." else rel_root + "/"
    scope = prefix or "."
    cs = ChangeSet(ref=ref, sha=sha)
    raw = run_git(top, "diff", "--name-status", "-z", "-M", sha, "--", scope).stdout.decode("utf-8", "surrogateescape")
    tokens = raw.split("\0")
    i = 0
    while i < len(tokens):
        st = tokens[i]
        if not st:
            i += 1
            continue
        if st[0] in "RC":
            old, new = tokens[i + 1], tokens[i + 2]
            i += 3
            cs.changed.append(top / new)
            if st[0] == "R":
                cs.previous[top / new] = old
        else:
            path = tokens[i + 1]
            i += 2
            (cs.deleted if st[0] == "D" else cs.changed).append(top / path)
            if st[0] == "M":
                cs.previous[top / path] = path
    untracked = run_git(top, "ls-files", "--others", "--exclude-standard", "-z", "--", scope).stdout.decode("utf-8", "surrogateescape")
    cs.changed.extend(top / p for p in untracked.split("\0") if p)
    cs.changed = sorted(set(cs.changed))
    return cs


def _locate_in(path: Path, pointer: tuple[str | int, ...]) -> tuple[int, int]:
    try:
        return yamlio.locate(yamlio.load_roundtrip(path).data, pointer)
    except yamlio.YamlProblem:
        return 1, 1


def transition_findings(
    ws: Workspace, cs: ChangeSet, loaded: dict[Path, dict[str, Any]], *, allow_correction: bool
) -> list[Finding]:
    lc = load_lifecycle(ws)
    facts = load_rules(ws, "transitions").get("faits_passes") or []
    cases = [p for p in cs.changed if p in cs.previous and p.resolve().is_relative_to(ws.cases_dir.resolve()) and p in loaded]
    objs = _BlobReader(require_git(ws, need_commits=True)).read_all(f"{cs.sha}:{cs.previous[p]}" for p in cases)
    out: list[Finding] = []
    for path in cases:
        blob = objs.get(f"{cs.sha}:{cs.previous[path]}")
        if blob is None:
            continue
        try:
            before = yamlio.parse_fast(path, blob.decode("utf-8"))
        except (yamlio.YamlProblem, UnicodeDecodeError):
            continue  # la version de REF était déjà illisible : rien à comparer
        if not isinstance(before, dict):
            continue
        after = loaded[path]
        old, new = before.get("statut"), after.get("statut")
        if old in lc.statuses and new in lc.statuses and not lc.allowed(old, new):
            nexts = ", ".join(lc.next_statuses(old)) or "aucun (statut final)"
            line, col = _locate_in(path, ("statut",))
            out.append(Finding(
                path, f"transition de statut non permise depuis {cs.ref} : « {lc.label(old)} » → « {lc.label(new)} »",
                ("statut",), line, col, hint=f"statuts possibles après « {lc.label(old)} » : {nexts} (rules/cycle_de_vie.yaml)",
                code="transition",
            ))
        for fact in facts:
            champ = fact["champ"]
            if not has_field(before, champ):
                continue
            was, now = get_field(before, champ), (get_field(after, champ) if has_field(after, champ) else None)
            if was == now:
                continue
            pointer = tuple(champ.split("."))
            line, col = _locate_in(path, pointer if now is not None else pointer[:-1])
            shown = "supprimé" if now is None else f"« {was} » devient « {now} »"
            out.append(Finding(
                path, f"fait passé réécrit ({fact['libelle']}, {champ}) : {shown}", pointer, line, col,
                hint=("correction acceptée (--allow-correction) : la justifier dans la demande de fusion" if allow_correction
                      else "une correction assumée se valide avec --allow-correction (et se justifie dans la demande de fusion)"),
                code="fait_passe", severity=WARNING if allow_correction else "erreur",
            ))
    return out


def validate_since(ws: Workspace, ref: str, *, allow_correction: bool = False, today: dt.date | None = None) -> tuple[Report, ChangeSet]:
    cs = collect_changes(ws, ref)
    targets = [p for p in cs.changed if p.is_file() and engine.classify(ws, p) is not None]
    # Registres complets (petits) pour les contrôles transversaux ; les dossiers inchangés ne sont pas relus.
    reg = load_registry(ws)
    extra = {path: reg.partners[pid] for pid, path in reg.files.items() if pid in reg.partners}
    report = engine.validate(ws, targets, today=today, extra_loaded=extra)
    loaded: dict[Path, dict[str, Any]] = {}
    for p in targets:
        if p.resolve().is_relative_to(ws.cases_dir.resolve()):
            try:
                data = yamlio.load_fast(p)
            except yamlio.YamlProblem:
                continue
            if isinstance(data, dict):
                loaded[p] = data
    report.findings.extend(transition_findings(ws, cs, loaded, allow_correction=allow_correction))
    report.sort()
    return report, cs
