"""Validation des fichiers du dépôt : chemin rapide, puis chemin lent pour les seuls fichiers en erreur.

1. chaque fichier est lu par le magasin (core/store.py, chargeur C, une fois par exécution) et
   validé par un validateur construit une fois par schéma ;
2. un fichier conforme est lu en objet typé (core/model/), sur lequel les contrôles métier
   inscrits (checks.py, compliance.py) s'appliquent ;
3. seuls les fichiers qui ont des constats sans position sont relus en aller-retour pour donner
   ligne et colonne. Un fichier cassé n'arrête jamais les autres.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

# yamlio (ruamel), le magasin, le modèle typé et les messages ne sont importés que quand un fichier
# est à relire : une validation à chaud, où tout vient du cache, s'en passe (≈ 35 ms sur 0,3 s).
from guichet_cli.core import safety
from guichet_cli.core.errors import UsageError
from guichet_cli.core.findings import ERROR, Finding, Report
from guichet_cli.core.validation.cache import FileResult, ValidationCache, repo_key
from guichet_cli.core.validation.context import (
    FILE_CHECKS,
    KIND_BUYER,
    KIND_CASE,
    KIND_CONFIG,
    KIND_CONTACT,
    KIND_PARTNER,
    KIND_RULES,
    KIND_STRUCTURE,
    REPO_CHECKS,
    CheckContext,
)
from guichet_cli.core.workspace import CONFIG_NAME, Workspace

if TYPE_CHECKING:
    from guichet_cli.core.store import Entry

_DIR_KINDS = {"cases": KIND_CASE, "partners": KIND_PARTNER, "donneurs": KIND_BUYER, "contacts": KIND_CONTACT, "rules": KIND_RULES,
              "structures": KIND_STRUCTURE}


@lru_cache(maxsize=8)
def _resolved(root: Path) -> Path:
    return root.resolve()


def classify(ws: Workspace, path: Path) -> tuple[str, Path] | None:
    """Type du fichier et schéma qui le valide, ou None si guichet ne le gère pas."""
    if path.suffix not in (".yaml", ".yml"):
        return None
    try:
        rel = path.resolve().relative_to(_resolved(ws.root))
    except ValueError:
        return None
    if rel.as_posix() == CONFIG_NAME:
        return KIND_CONFIG, ws.schemas_dir / "guichet.schema.json"
    kind = _DIR_KINDS.get(rel.parts[0]) if len(rel.parts) > 1 else None
    if kind is None:
        return None
    if kind == KIND_RULES:
        return kind, ws.schemas_dir / "rules" / f"{path.stem}.schema.json"
    return kind, ws.schemas_dir / f"{kind}.schema.json"


def repository_files(ws: Workspace, unreadable: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Fichiers gérés du dépôt ; `unreadable` reçoit les dossiers qu'on n'a pas pu parcourir."""
    # Parcourus dans l'ordre des noms, chacun déjà trié par walk_files : l'ordre de sorted() sur les
    # chemins, sans trier 10 000 Path (un tiers d'une validation à chaud).
    files: list[Path] = []
    for d in sorted(("cases", "partners", "donneurs", "contacts", "rules", "structures", CONFIG_NAME)):
        if d == CONFIG_NAME:
            files.append(ws.root / CONFIG_NAME)
            continue
        base = ws.root / d
        if base.is_dir():
            found, bad = safety.walk_files(base)
            files.extend(found)
            if unreadable is not None:
                unreadable.extend(bad)
    return files


def _unreadable_dirs(dirs: list[tuple[Path, str]]) -> list[Finding]:
    return [Finding(d, f"dossier illisible ({why}) : ses fichiers ne sont pas vérifiés", line=1, column=1,
                    hint="vérifier les droits du dossier (lecture et accès pour la personne qui lance guichet)", code="yaml")
            for d, why in dirs]


def expand_paths(ws: Workspace, paths: Iterable[Path], unreadable: list[tuple[Path, str]] | None = None) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = p if p.is_absolute() else (Path.cwd() / p)
        if p.is_dir():
            found, bad = safety.walk_files(p)
            out.extend(found)
            if unreadable is not None:
                unreadable.extend(bad)
        elif p.is_file():
            out.append(p)
        else:
            raise UsageError(f"chemin introuvable : {p}", "vérifier l'orthographe du chemin ou de l'identifiant")
    return sorted(set(out))


def _schema_findings(path: Path, data: Any, schema_path: Path) -> list[Finding]:
    from guichet_cli.core.schemas import is_valid_fast, validator_for  # seulement si un fichier est à valider

    if is_valid_fast(schema_path, data):
        return []  # le cas de presque tous les fichiers : le validateur Python ne sert qu'à décrire les écarts
    validator = validator_for(schema_path)
    out = []
    for err in validator.iter_errors(data):
        from guichet_cli.core.validation import messages

        pointer, msg, hint, on_key = messages.translate(err)
        out.append(Finding(path=path, message=msg, pointer=pointer, hint=hint, key=on_key))
    return out


def builder_for(kind: str) -> Any:
    """Constructeur de l'objet typé d'un type de fichier (None : règles et réglages restent des arbres)."""
    from guichet_cli.core.model.case import Case
    from guichet_cli.core.model.registry import Buyer, Contact, Partner
    from guichet_cli.core.model.structures import Structure

    return {KIND_CASE: Case.from_data, KIND_PARTNER: Partner.from_data, KIND_BUYER: Buyer.from_data,
            KIND_CONTACT: Contact.from_data, KIND_STRUCTURE: Structure.from_data}.get(kind)


def check_file(ctx: CheckContext, path: Path) -> tuple[str | None, Entry | None, list[Finding]]:
    """Valide un fichier lu par le magasin : (type, lecture, constats sans position encore)."""
    kinds = classify(ctx.ws, path)
    if kinds is None:
        return None, None, [
            Finding(path, "fichier hors des dossiers gérés par guichet (cases/, partners/, donneurs/, contacts/, structures/, rules/)", code="inconnu")
        ]
    kind, schema_path = kinds
    store = ctx.ws.store
    ent = store.entry(path)
    if not ent.readable:
        return kind, ent, [ent.read_problem]  # type: ignore[list-item]
    if kind == KIND_RULES and not schema_path.is_file():
        return kind, ent, [Finding(path, f"aucun schéma pour ce fichier de règles ({ctx.ws.rel(schema_path)})", line=1, column=1, code="schema")]
    findings = _schema_findings(path, ent.data, schema_path)
    build = builder_for(kind)
    if build is None:
        return kind, ent, findings
    ent = store.entry(path, build=build)
    if not ent.ok:
        # Le schéma décrit déjà le problème quand il l'a vu ; sinon la lecture typée le nomme.
        return kind, ent, findings or [ent.problem]  # type: ignore[list-item]
    if findings:
        # Les contrôles métier supposent un fichier conforme au schéma.
        return kind, ent, findings
    load_checks()
    for fn in FILE_CHECKS.get(kind, []):
        findings.extend(fn(ctx, path, ent.model))
    return kind, ent, findings


def _locate(ws: Workspace, findings: list[Finding], texts: dict[Path, str] | None = None) -> None:
    by_file: dict[Path, list[Finding]] = {}
    for f in findings:
        if f.line is None:
            by_file.setdefault(f.path, []).append(f)
    if by_file:
        from guichet_cli.core import yamlio
    for path, items in by_file.items():
        try:
            text = (texts or {}).get(path)
            data = yamlio.parse_roundtrip(path, text) if text is not None else yamlio.load_roundtrip(path).data
        except (yamlio.YamlProblem, OSError):
            data = None
        for f in items:
            if data is None:
                f.line, f.column = 1, 1
            else:
                f.line, f.column = yamlio.locate(data, f.anchor if f.anchor is not None else f.pointer, key=f.key)


def _unique(findings: list[Finding]) -> list[Finding]:
    # un même problème signalé deux fois (fichier + transversal) n'apparaît qu'une fois
    seen: set[tuple[str, int | None, int | None, str]] = set()
    unique = []
    for f in findings:
        key = (str(f.path), f.line, f.column, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _file_result(ctx: CheckContext, path: Path, *, release: bool) -> FileResult:
    """Valide un fichier et situe ses constats ; `release` : oublie aussitôt l'arbre d'une demande."""
    kind, ent, findings = check_file(ctx, path)
    _locate(ctx.ws, findings)
    ok = ent is not None and ent.ok
    award = use = None
    if ok and kind == KIND_CASE:  # résumés pour les contrôles transversaux (la demande ne sera pas relue)
        from guichet_cli.core.analysis.ess import award_of
        from guichet_cli.core.rgpd.people import use_of

        award, use = award_of(ent.model), use_of(ent.model)  # type: ignore[union-attr]
    result = FileResult(kind, ok, ent.case_id if ok and ent is not None else None, _unique(findings), award, use)
    if release and kind == KIND_CASE:
        ctx.ws.store.release(path)
    return result


# --- exécution en parallèle (--jobs) : chaque processus ouvre le dépôt et valide une tranche ------

_WORKER: dict[str, CheckContext] = {}
PARALLEL_MIN_FILES = 200  # en dessous, démarrer des processus coûte plus qu'il ne rapporte


def _init_worker(root: str, today: dt.date) -> None:
    from guichet_cli.core.workspace import open_workspace

    _WORKER["ctx"] = CheckContext(open_workspace(root), today=today)


def _work(paths: list[Path]) -> list[FileResult]:
    ctx = _WORKER["ctx"]
    return [_file_result(ctx, p, release=True) for p in paths]


def default_jobs() -> int:
    """Nombre de cœurs utilisables par ce processus (valeur par défaut de --jobs)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def _run_parallel(ctx: CheckContext, paths: list[Path], jobs: int) -> list[FileResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    size = max(1, min(256, -(-len(paths) // (jobs * 4))))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method), initializer=_init_worker,
                             initargs=(str(ctx.ws.root), ctx.today)) as pool:
        # map rend les tranches dans l'ordre : mêmes constats, même ordre qu'en un seul processus
        return [r for chunk in pool.map(_work, chunks) for r in chunk]


def _loaded(store: Any, targets: list[Path], results: list[FileResult], plain: bool) -> dict[Path, Entry]:
    """Les lectures que reçoivent les contrôles transversaux (une demande hors chemin simple : son identifiant)."""
    from guichet_cli.core.store import Entry

    loaded: dict[Path, Entry] = {}
    for path, r in zip(targets, results, strict=True):
        if not r.ok:
            continue
        if r.kind == KIND_CASE and not plain:
            # l'unicité ne lit que l'identifiant, L2113-15 que le résumé du marché réservé
            award, use = r.summaries()
            loaded[path] = Entry(path, cached_id=r.case_id, award=award, use=use)
        else:
            build = builder_for(r.kind) if r.kind else None
            loaded[path] = store.entry(path, build=build)  # déjà lu (ou registre : quelques fichiers)
    return loaded


def validate(
    ws: Workspace,
    paths: Iterable[Path] | None = None,
    *,
    today: dt.date | None = None,
    repo_checks: bool = True,
    jobs: int | None = 1,
    cache: bool = False,
    stream: bool = False,
) -> Report:
    """Valide `paths` (par défaut tout le dépôt) et les contrôles transversaux.

    `jobs` : processus de validation (None : un par cœur, si le lot est assez gros pour en valoir la
    peine) ; `cache` : reprend les résultats des fichiers inchangés (validation/cache.py) ;
    `stream` : n'importe quelle taille de dépôt en mémoire bornée (les arbres des demandes sont
    oubliés une fois validés). Les trois donnent exactement les constats du chemin simple, dans le
    même ordre (tests/test_validate_perf.py).
    """
    ctx = CheckContext(ws, today=today or dt.date.today())
    bad_dirs: list[tuple[Path, str]] = []
    targets = repository_files(ws, bad_dirs) if paths is None else expand_paths(ws, paths, bad_dirs)
    ctx.targets = frozenset(targets)
    # Petit dépôt : garder les demandes lues (les contrôles transversaux les relisent sans nouvelle analyse).
    stream = stream and len(targets) >= PARALLEL_MIN_FILES
    report = Report(files=targets)
    report.findings.extend(_unreadable_dirs(bad_dirs))
    memo = ValidationCache(ws, ctx.today) if cache else None
    results: list[FileResult | None] = [None] * len(targets)
    blobs: list[str | None] = [None] * len(targets)
    todo: list[int] = []
    # Un seul processus à coup sûr : un fichier absent du cache est validé aussitôt, sur les octets
    # que l'empreinte vient de lire (une seule lecture par fichier, un seul fichier en mémoire).
    sequential = jobs == 1 or (jobs is None and (default_jobs() == 1 or len(targets) < PARALLEL_MIN_FILES))
    fresh: set[int] = set()
    rels = [memo.rel(p) for p in targets] if memo is not None else []
    for i, path in enumerate(targets):
        if memo is not None:
            blobs[i] = memo.known_blob(path, rels[i]) or ws.store.fingerprint(path, keep=sequential)
            hit = memo.get(rels[i], blobs[i]) if blobs[i] is not None else None
            if hit is not None:
                results[i] = hit
                continue
        if sequential:
            results[i] = _file_result(ctx, path, release=stream)
            fresh.add(i)
        else:
            todo.append(i)
    n_jobs = default_jobs() if jobs is None else jobs
    if jobs is None and len(todo) < PARALLEL_MIN_FILES:
        n_jobs = 1
    if n_jobs > 1 and len(todo) > 1:
        for i, r in zip(todo, _run_parallel(ctx, [targets[i] for i in todo], n_jobs), strict=True):
            results[i] = r
    else:
        for i in todo:
            results[i] = _file_result(ctx, targets[i], release=stream)
    fresh.update(todo)
    plain = jobs == 1 and memo is None and not stream  # le chemin simple garde les objets typés lus
    for i in range(len(targets)):
        r = results[i]
        assert r is not None
        report.findings.extend(r.findings)
        if memo is not None and blobs[i] is not None and i in fresh:
            memo.put(rels[i], blobs[i], r)  # type: ignore[arg-type]
    if repo_checks:
        key = None
        cached_repo = None
        if memo is not None and all(b is not None for b in blobs):
            # hors validation complète, les noms des autres demandes comptent aussi (unicité des identifiants)
            others = [] if paths is None else [(memo.rel(n), "nom") for n in ws.case_file_names()]
            key = repo_key(list(zip(rels, blobs, strict=True)) + others)  # type: ignore[arg-type]
            cached_repo = memo.repo_findings(key)
        if cached_repo is None:
            loaded = _loaded(ws.store, targets, results, plain)  # type: ignore[arg-type]
            cached_repo = []
            load_checks()
            for rc in REPO_CHECKS:
                cached_repo.extend(rc(ctx, loaded))
            _locate(ws, cached_repo)
            if memo is not None and key is not None:
                memo.put_repo(key, cached_repo)
        report.findings.extend(cached_repo)
    if memo is not None:
        memo.save(set(rels) if paths is None else None)
    report.findings = _unique(report.findings)
    report.sort()
    return report


def check_paths(ws: Workspace, paths: list[Path], *, text: str | None = None, today: dt.date | None = None) -> list[Finding]:
    """Constats (positionnés) des seuls fichiers `paths`, sans contrôles transversaux ; `text` :
    contenu à valider en mémoire pour l'unique fichier donné (avant une écriture)."""
    ctx = CheckContext(ws, today=today or dt.date.today())
    findings: list[Finding] = []
    for path in paths:
        findings.extend(check_file(ctx, path)[2])
    _locate(ws, findings, {paths[0]: text} if text is not None and paths else None)
    return _unique(findings)


def validate_case_data(ws: Workspace, path: Path, today: dt.date | None = None) -> list[Finding]:
    """Valide un seul fichier tel qu'il est sur le disque ; rend les erreurs seulement."""
    return [f for f in check_paths(ws, [path], today=today) if f.severity == ERROR]


_checks_loaded = False


def load_checks() -> None:
    """Inscrit les contrôles (à la première validation d'un fichier) : une validation à chaud, où tout
    vient du cache, n'importe ni les contrôles métier ni leurs dépendances (stdnum, messages…)."""
    global _checks_loaded
    if _checks_loaded:
        return
    _checks_loaded = True
    import guichet_cli.core.validation.checks  # noqa: F401  (inscrit les contrôles métier)
    import guichet_cli.core.validation.compliance  # noqa: F401  (L2112-2-1, obligation sociale)
    import guichet_cli.core.validation.followup_checks  # noqa: F401  (bloc suivi)
    import guichet_cli.core.validation.hardening  # noqa: F401  (objets sur une ligne : pas d'injection d'en-têtes)
    import guichet_cli.core.validation.personal  # noqa: F401  (données personnelles hors de contacts/)
    import guichet_cli.core.validation.structures  # noqa: F401  (registre des structures, bloc sourcing)
