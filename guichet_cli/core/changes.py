"""`guichet validate --since REF` : ce qu'une demande de fusion change, et seulement cela.

1. fichiers changés depuis REF : un `git diff --name-status -z -M REF` (index et copie de travail)
   et les fichiers non suivis (`git ls-files --others`), par gitrepo ;
2. validation de ces fichiers + contrôles transversaux (unicité des identifiants lue sur les noms
   de fichiers, références au registre) : les dossiers inchangés ne sont pas relus ;
3. contrôle de transition : version de REF (le `git cat-file --batch` unique du dépôt) contre version de
   travail — le changement de statut doit être permis par le cycle de vie, et les faits passés
   (rules/transitions.yaml, faits_passes) ne sont pas réécrits sans correction tracée ;
4. suppressions et renommages qui changent un identifiant : un constat, sauf opération tracée.

Opération tracée = un commit de REF..HEAD (ou le message du commit en cours, --message-file, pour
le crochet commit-msg) qui touche le fichier et porte le trailer `Guichet-Suppression: motif`
(suppression, renommage, doublon, effacement RGPD) ou `Guichet-Correction: motif` (fait passé
corrigé). En CI, c'est le seul moyen d'accepter ces changements : la trace reste dans l'historique.
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

TRAILER_CORRECTION = "Guichet-Correction"
TRAILER_DELETION = "Guichet-Suppression"
# dossiers dont une suppression fait perdre quelque chose (piste d'audit, références)
WATCHED = ("cases", "contacts", "donneurs", "partners")
REGISTRIES = ("contacts", "donneurs", "partners")


@dataclass
class ChangeSet:
    ref: str
    sha: str
    changed: list[Path] = field(default_factory=list)  # ajoutés, modifiés, renommés (chemin actuel)
    deleted: list[Path] = field(default_factory=list)
    previous: dict[Path, str] = field(default_factory=dict)  # chemin actuel → chemin (git) dans REF
    renamed: dict[Path, str] = field(default_factory=dict)  # chemin actuel → ancien chemin (git) d'un renommage
    # chemin (git, relatif à la racine) → {trailer: motif} des commits tracés qui le touchent
    traced: dict[str, dict[str, str]] = field(default_factory=dict)
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
                cs.renamed[top / ch.path] = ch.old_path
        else:
            (cs.deleted if ch.status == "D" else cs.changed).append(top / ch.path)
            if ch.status == "M":
                cs.previous[top / ch.path] = ch.path
    cs.changed.extend(top / p for p in repo.untracked(scope))
    cs.changed = sorted(set(cs.changed))
    cs.traced = traced_paths(repo, sha)
    return cs


def _traces(trailers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in trailers.items() if k in (TRAILER_CORRECTION, TRAILER_DELETION) and v.strip()}


def traced_paths(repo: GitRepo, sha: str) -> dict[str, dict[str, str]]:
    """Fichiers touchés par un commit de SHA..HEAD qui porte un trailer de correction ou de suppression."""
    out: dict[str, dict[str, str]] = {}
    for entry in repo.log_name_status([], f"{sha}..HEAD", first_parent=False):
        traces = _traces(entry.trailers)
        if not traces:
            continue
        for ch in entry.changes:
            for p in (ch.path, ch.old_path):
                if p:
                    out.setdefault(p, {}).update(traces)
    return out


def message_traces(text: str) -> dict[str, str]:
    """Trailers de traçabilité d'un message de commit en cours d'écriture (crochet commit-msg)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if sep and key.strip() in (TRAILER_CORRECTION, TRAILER_DELETION) and value.strip():
            found[key.strip()] = value.strip()
    return found


def _trace_for(ws: Workspace, cs: ChangeSet, path: Path, old: str | None, key: str, pending: dict[str, str]) -> str | None:
    """Motif tracé pour ce fichier (commit de la branche ou commit en cours), sinon None."""
    if key in pending:
        return pending[key]
    top = (cs.repo.top if cs.repo else ws.root)
    rels = {old} if old else set()
    try:
        rels.add(path.relative_to(top).as_posix())
    except ValueError:
        pass
    for rel in rels:
        motif = cs.traced.get(rel, {}).get(key)
        if motif:
            return motif
    return None


def _watched(ws: Workspace, path: Path) -> str | None:
    try:
        parts = path.resolve().relative_to(ws.root.resolve()).parts
    except ValueError:
        return None
    if len(parts) >= 2 and parts[0] in WATCHED and path.suffix in (".yaml", ".yml"):
        return parts[0]
    return None


def deletion_findings(ws: Workspace, cs: ChangeSet, pending: dict[str, str]) -> list[Finding]:
    """Suppressions et renommages changeant l'identifiant : la piste d'audit ne perd rien sans le dire."""
    out: list[Finding] = []
    how = (f"si c'est voulu (doublon, effacement RGPD, erreur de saisie), le dire dans le commit par le trailer "
           f"« {TRAILER_DELETION}: motif » (voir docs/guide-partenaires.md) ; sinon restaurer le fichier (git restore)")
    for path in cs.deleted:
        folder = _watched(ws, path)
        if folder is None:
            continue
        rel = ws.rel(path)
        motif = _trace_for(ws, cs, path, None, TRAILER_DELETION, pending)
        what = "demande" if folder == "cases" else "fiche du registre"
        if motif:
            out.append(Finding(path, f"{what} supprimée depuis {cs.ref} (suppression tracée : {motif})", (), 1, 1,
                               code="suppression", severity=WARNING))
        else:
            out.append(Finding(path, f"{what} {rel} supprimée depuis {cs.ref} sans opération tracée", (), 1, 1,
                               hint=how, code="suppression"))
    for path, old in cs.renamed.items():
        if _watched(ws, path) is None or Path(old).stem == path.stem:
            continue  # changement de dossier d'année, même identifiant : rien de perdu
        motif = _trace_for(ws, cs, path, old, TRAILER_DELETION, pending)
        msg = f"fichier renommé depuis {cs.ref} : {old} → {ws.rel(path)} (l'identifiant change)"
        if motif:
            out.append(Finding(path, f"{msg} ; renommage tracé : {motif}", ("id",), code="suppression", severity=WARNING))
        else:
            out.append(Finding(path, msg, ("id",), hint=how.replace("restaurer le fichier (git restore)", "garder l'ancien nom"),
                               code="suppression"))
    return out


def _locate_in(path: Path, pointer: tuple[str | int, ...]) -> tuple[int, int]:
    try:
        return yamlio.locate(yamlio.load_roundtrip(path).data, pointer)
    except yamlio.YamlProblem:
        return 1, 1


def transition_findings(ws: Workspace, cs: ChangeSet, loaded: dict[Path, Case], *, allow_correction: bool,
                        pending: dict[str, str] | None = None) -> list[Finding]:
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
            motif = _trace_for(ws, cs, path, cs.previous[path], TRAILER_CORRECTION, pending or {})
            if motif:
                hint = f"correction tracée ({TRAILER_CORRECTION}: {motif})"
            elif allow_correction:
                hint = "correction acceptée (--allow-correction) : la justifier dans la demande de fusion"
            else:
                hint = (f"une correction assumée se trace dans le commit par le trailer « {TRAILER_CORRECTION}: motif » "
                        "(voir docs/guide-partenaires.md) ; en local, --allow-correction")
            out.append(Finding(
                path, f"fait passé réécrit ({fact['libelle']}, {champ}) : {shown}", pointer, line, col,
                hint=hint, code="fait_passe", severity=WARNING if (allow_correction or motif) else "erreur",
            ))
    return out


def validate_since(ws: Workspace, ref: str, *, allow_correction: bool = False, today: dt.date | None = None,
                   message: str | None = None) -> tuple[Report, ChangeSet]:
    """`message` : texte du commit en cours (crochet commit-msg) ; ses trailers tracent les changements."""
    cs = collect_changes(ws, ref)
    pending = message_traces(message) if message else {}
    targets = [p for p in cs.changed if p.is_file() and engine.classify(ws, p) is not None]
    # Les registres complets (petits) servent aux contrôles transversaux, par le magasin ; les
    # dossiers inchangés ne sont pas relus, les changés le sont une fois (validation et transitions).
    registry_gone = any(_watched(ws, p) in REGISTRIES for p in cs.deleted)
    extra = [p for p in ws.case_files() if p not in targets] if registry_gone else []
    report = engine.validate(ws, targets + extra, today=today)
    if extra:
        # Une fiche de registre supprimée : les demandes inchangées ne parlent que de leurs références.
        keep = set(extra)
        report.findings = [f for f in report.findings if f.path not in keep or f.code == "reference"]
        report.files = targets + sorted({f.path for f in report.findings if f.path in keep})
    report.files = report.files + [p for p in cs.deleted if _watched(ws, p)]
    report.findings.extend(deletion_findings(ws, cs, pending))
    loaded: dict[Path, Case] = {}
    for p in targets:
        ent = ws.store.case_entry(p) if p.resolve().is_relative_to(ws.cases_dir.resolve()) else None
        if ent is not None and ent.ok:
            loaded[p] = ent.model
    report.findings.extend(transition_findings(ws, cs, loaded, allow_correction=allow_correction, pending=pending))
    report.sort()
    return report, cs
