"""`guichet validate --since REF` : ce qu'une demande de fusion change, et seulement cela.

1. fichiers changés depuis REF : un `git diff --name-status -z -M REF` (index et copie de travail)
   et les fichiers non suivis (`git ls-files --others`), par gitrepo ;
2. validation de ces fichiers + contrôles transversaux (unicité des identifiants lue sur les noms
   de fichiers, références au registre) : les dossiers inchangés ne sont pas relus ;
3. contrôle de transition : version de REF (le `git cat-file --batch` unique du dépôt) contre version de
   travail — le changement de statut doit être permis par le cycle de vie, et les faits passés
   (rules/transitions.yaml, faits_passes) ne sont pas réécrits sans --allow-correction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from guichet_cli.core import gitrepo, yamlio
from guichet_cli.core.findings import WARNING, Finding, Report
from guichet_cli.core.gitrepo import GitRepo
from guichet_cli.core.model.case import Case, field_value
from guichet_cli.core.validation import engine
from guichet_cli.core.workspace import Workspace


@dataclass
class ChangeSet:
    ref: str
    sha: str
    changed: list[Path] = field(default_factory=list)  # ajoutés, modifiés, renommés (chemin actuel)
    deleted: list[Path] = field(default_factory=list)
    previous: dict[Path, str] = field(default_factory=dict)  # chemin actuel → chemin (git) dans REF
    repo: GitRepo | None = field(default=None, repr=False, compare=False)  # pour relire les versions de REF


def collect_changes(ws: Workspace, ref: str) -> ChangeSet:
    repo = gitrepo.require_repo(ws.root)
    top = repo.top
    sha = repo.resolve_commit(ref)
    scope = repo.prefix_for(ws.root) or "."
    cs = ChangeSet(ref=ref, sha=sha, repo=repo)
    for ch in repo.diff_name_status(sha, scope):
        if ch.status in ("R", "C"):
            cs.changed.append(top / ch.path)
            if ch.status == "R" and ch.old_path is not None:
                cs.previous[top / ch.path] = ch.old_path
        else:
            (cs.deleted if ch.status == "D" else cs.changed).append(top / ch.path)
            if ch.status == "M":
                cs.previous[top / ch.path] = ch.path
    cs.changed.extend(top / p for p in repo.untracked(scope))
    cs.changed = sorted(set(cs.changed))
    return cs


def _locate_in(path: Path, pointer: tuple[str | int, ...]) -> tuple[int, int]:
    try:
        return yamlio.locate(yamlio.load_roundtrip(path).data, pointer)
    except yamlio.YamlProblem:
        return 1, 1


def transition_findings(ws: Workspace, cs: ChangeSet, loaded: dict[Path, Case], *, allow_correction: bool) -> list[Finding]:
    lc = ws.store.lifecycle
    facts = ws.store.rules("transitions").get("faits_passes") or []
    cases = [p for p in cs.changed if p in cs.previous and p.resolve().is_relative_to(ws.cases_dir.resolve()) and p in loaded]
    repo = cs.repo or gitrepo.require_repo(ws.root)
    objs = repo.read_blobs(f"{cs.sha}:{cs.previous[p]}" for p in cases)
    out: list[Finding] = []
    for path in cases:
        blob = objs.get(f"{cs.sha}:{cs.previous[path]}")
        if blob is None:
            continue
        try:
            # Version de REF : nommée « REF:chemin » (ce n'est pas le fichier de travail).
            before = yamlio.parse_fast(Path(f"{cs.ref}:{cs.previous[path]}"), blob.decode("utf-8"))
        except (yamlio.YamlProblem, UnicodeDecodeError):
            continue  # la version de REF était déjà illisible : rien à comparer
        if not isinstance(before, dict):
            continue
        after = loaded[path]
        old, new = field_value(before, "statut"), after.statut
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
            was, now = field_value(before, champ), after.field_value(champ)
            if was is None:
                continue
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
    # Les registres complets (petits) servent aux contrôles transversaux, par le magasin ; les
    # dossiers inchangés ne sont pas relus, les changés le sont une fois (validation et transitions).
    report = engine.validate(ws, targets, today=today)
    loaded: dict[Path, Case] = {}
    for p in targets:
        ent = ws.store.case_entry(p) if p.resolve().is_relative_to(ws.cases_dir.resolve()) else None
        if ent is not None and ent.ok:
            loaded[p] = ent.model
    report.findings.extend(transition_findings(ws, cs, loaded, allow_correction=allow_correction))
    report.sort()
    return report, cs
