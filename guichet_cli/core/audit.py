"""Piste d'audit : chaque commande qui modifie un fichier le committe, avec des trailers lisibles par machine.

Le message de commit est « sujet » + ligne vide + trailers (`Guichet-Dossier:`, `Guichet-Action:`,
`Guichet-Statut: ancien -> nouveau`). On écrit la ligne vide nous-mêmes : c'est le piège des
trailers (engineering-notes §6) — sans elle git ne voit pas les trailers.

Utilisation typique par une commande :

    write_validated(ws, path, texte)          # écrit, valide, remet l'ancien contenu si invalide
    sha = commit_changes(ws, [path], case_id="GRCS-2026-0042", action="statut",
                         subject="GRCS-2026-0042 : recommandation transmise",
                         status_change=("en_analyse", "recommandation_transmise"))

Hors dépôt git, `commit_changes` rend None : le fichier est écrit, rien n'est committé.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from guichet_cli.core import yamlio
from guichet_cli.core.errors import DataError, EnvironmentProblem, UsageError
from guichet_cli.core.workspace import Workspace

TRAILER_CASE = "Guichet-Dossier"
TRAILER_ACTION = "Guichet-Action"
TRAILER_STATUS = "Guichet-Statut"
NO_STATUS = "aucun"

# git parle anglais à guichet (sorties analysées) ; l'utilisateur ne voit que nos messages.
_GIT_ENV = {"LC_ALL": "C", "LANG": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}


def git_available() -> bool:
    return shutil.which("git") is not None


def run_git(
    cwd: Path, *args: str, input: bytes | None = None, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Lance `git args…` dans `cwd` ; sortie en octets (noms de fichiers -z, UTF-8)."""
    if not git_available():
        raise EnvironmentProblem("git est introuvable sur cette machine", "installer git (https://git-scm.com) puis relancer")
    proc = subprocess.run(
        ["git", *args], cwd=cwd, input=input, capture_output=True, env={**os.environ, **_GIT_ENV, **(env or {})}
    )
    if check and proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise EnvironmentProblem(
            f"la commande « git {' '.join(args[:2])} » a échoué : {detail[-1] if detail else 'sans message'}",
            "vérifier l'état du dépôt avec « git status »",
        )
    return proc


def git_toplevel(path: Path) -> Path | None:
    """Racine du dépôt git qui contient `path`, ou None si ce n'est pas un dépôt git (ou git absent)."""
    if not git_available():
        return None
    proc = run_git(path, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode("utf-8").strip()).resolve()


def has_commits(top: Path) -> bool:
    return run_git(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).returncode == 0


def current_branch(top: Path) -> str | None:
    """Branche courante (même sans commit encore), ou None si HEAD est détachée."""
    proc = run_git(top, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8").strip() or None


def require_git(ws: Workspace, *, need_commits: bool = True) -> Path:
    """Racine git du dépôt guichet, ou une erreur française précise (commandes d'historique)."""
    top = git_toplevel(ws.root)
    if top is None:
        raise EnvironmentProblem(
            f"« {ws.root} » n'est pas un dépôt git : l'historique des dossiers n'est pas disponible",
            "initialiser le dépôt avec « git init » puis « git add -A && git commit », ou créer un dépôt avec « guichet init DOSSIER »",
        )
    if need_commits and not has_commits(top):
        raise EnvironmentProblem(
            "le dépôt git n'a encore aucun commit : pas d'historique à lire",
            "faire un premier commit (« git add -A && git commit -m 'Dépôt initial' »)",
        )
    return top


def _git_dir(top: Path) -> Path:
    out = run_git(top, "rev-parse", "--absolute-git-dir").stdout.decode("utf-8").strip()
    return Path(out)


def _ensure_committable(top: Path) -> None:
    git_dir = _git_dir(top)
    for marker, what in (
        ("MERGE_HEAD", "une fusion (merge)"),
        ("CHERRY_PICK_HEAD", "un cherry-pick"),
        ("REVERT_HEAD", "un revert"),
        ("rebase-merge", "un rebase"),
        ("rebase-apply", "un rebase"),
    ):
        if (git_dir / marker).exists():
            raise EnvironmentProblem(
                f"{what} est en cours dans le dépôt git : guichet ne committe pas au milieu",
                "terminer ou annuler l'opération (« git status » dit comment), ou relancer avec --no-commit",
            )
    if current_branch(top) is None:
        raise EnvironmentProblem(
            "HEAD est détachée (aucune branche courante) : un commit ici serait perdu au prochain changement de branche",
            "se placer sur une branche (« git switch -c ma-branche »), ou relancer avec --no-commit",
        )


def identity(top: Path) -> tuple[str, str]:
    def conf(key: str, env_key: str) -> str:
        if os.environ.get(env_key):
            return os.environ[env_key]
        proc = run_git(top, "config", "--get", key, check=False)
        return proc.stdout.decode("utf-8").strip()

    name, email = conf("user.name", "GIT_AUTHOR_NAME"), conf("user.email", "GIT_AUTHOR_EMAIL")
    if not name or not email:
        raise EnvironmentProblem(
            "aucune identité git configurée : le commit doit porter le nom de la personne qui agit (piste d'audit)",
            'configurer son identité : git config --global user.name "Prénom Nom" ; '
            'git config --global user.email "prenom.nom@exemple.fr" (ou relancer avec --no-commit)',
        )
    return name, email


def commit_message(subject: str, *, case_id: str, action: str, status_change: tuple[str | None, str] | None = None) -> str:
    """Sujet, ligne vide, trailers ; le sujet ne doit tenir que sur une ligne."""
    subject = " ".join(subject.split())
    lines = [f"{TRAILER_CASE}: {case_id}", f"{TRAILER_ACTION}: {action}"]
    if status_change is not None:
        old, new = status_change
        lines.append(f"{TRAILER_STATUS}: {old or NO_STATUS} -> {new}")
    return subject + "\n\n" + "\n".join(lines) + "\n"


def _staged(top: Path) -> list[str]:
    out = run_git(top, "diff", "--cached", "--name-only", "-z", "--no-renames").stdout.decode("utf-8")
    return [p for p in out.split("\0") if p]


def _validate_before_commit(ws: Workspace, paths: Sequence[Path]) -> None:
    from guichet_cli.core.validation import engine

    problems: list[str] = []
    for path in paths:
        if not path.exists() or engine.classify(ws, path) is None:
            continue
        for f in engine.validate_case_data(ws, path):
            problems.append(f"{ws.rel(path)}:{f.line or 1}:{f.column or 1}: {f.json_path}: {f.message}")
    if problems:
        raise DataError(
            "fichier non valide, commit refusé :\n  " + "\n  ".join(problems),
            "corriger le fichier (« guichet validate » le détaille) puis committer",
        )


def _preflight(ws: Workspace, top: Path, files: list[Path]) -> list[str]:
    """Contrôles qui ne dépendent pas du contenu : état git, index, identité. Rend les chemins git."""
    _ensure_committable(top)
    rels = []
    for f in files:
        p = f if f.is_absolute() else ws.root / f
        try:
            rels.append(p.resolve().relative_to(top).as_posix())
        except ValueError:
            raise UsageError(f"« {p} » est hors du dépôt git « {top} »") from None
    unrelated = sorted(set(_staged(top)) - set(rels))
    if unrelated:
        shown = ", ".join(unrelated[:5]) + (" …" if len(unrelated) > 5 else "")
        raise UsageError(
            f"des modifications sans rapport avec cette action sont déjà indexées (git add) : {shown}",
            "les committer ou les retirer de l'index d'abord (« git restore --staged FICHIER »), ou relancer avec --no-commit",
        )
    identity(top)
    return rels


def check_can_commit(ws: Workspace, files: list[Path], *, no_commit: bool = False) -> None:
    """À appeler AVANT d'écrire : lève la même erreur que commit_changes lèverait ensuite.

    Ainsi une commande refusée (HEAD détachée, index sale, pas d'identité…) n'a rien écrit.
    """
    if no_commit:
        return
    top = git_toplevel(ws.root)
    if top is not None:
        _preflight(ws, top, files)


def commit_changes(
    ws: Workspace,
    files: list[Path],
    *,
    case_id: str,
    action: str,
    subject: str,
    status_change: tuple[str | None, str] | None = None,
    no_commit: bool = False,
) -> str | None:
    """Committe exactement `files` avec l'identité git de l'utilisateur ; rend le sha, ou None.

    None : pas un dépôt git, `no_commit`, ou aucun changement à committer. Refuse (sans rien
    committer) si d'autres changements sont déjà indexés, si un fichier ne valide pas, si HEAD est
    détachée, si une fusion est en cours ou si aucune identité git n'est configurée.
    """
    if no_commit:
        return None
    top = git_toplevel(ws.root)
    if top is None:
        return None
    rels = _preflight(ws, top, files)
    _validate_before_commit(ws, [top / r for r in rels])
    name, email = identity(top)
    # -A : une suppression ou un nouveau fichier sont indexés aussi ; seulement ces chemins.
    run_git(top, "add", "-A", "--", *rels)
    if run_git(top, "diff", "--cached", "--quiet", "--", *rels, check=False).returncode == 0:
        return None  # rien n'a changé : pas de commit vide dans la piste d'audit
    message = commit_message(subject, case_id=case_id, action=action, status_change=status_change)
    ident = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
    proc = run_git(top, "commit", "--quiet", "--cleanup=verbatim", "-F", "-", "--", *rels, input=message.encode("utf-8"), check=False, env=ident)
    if proc.returncode != 0:
        if has_commits(top):  # l'index redevient ce qu'il était avant la commande
            run_git(top, "reset", "--quiet", "--", *rels, check=False)
        detail = proc.stderr.decode("utf-8", "replace").strip() or proc.stdout.decode("utf-8", "replace").strip()
        raise EnvironmentProblem(
            f"git a refusé le commit : {detail.splitlines()[-1] if detail else 'sans message'}",
            "le fichier est écrit mais pas committé ; voir « git status » (un crochet pre-commit a pu le refuser)",
        )
    return run_git(top, "rev-parse", "HEAD").stdout.decode("ascii").strip()


def write_validated(ws: Workspace, path: Path, content: str | bytes) -> None:
    """Écrit `content` atomiquement ; si le fichier (géré par guichet) ne valide plus, remet l'ancien contenu.

    Ainsi une commande n'écrit jamais un dossier invalide : en cas d'erreur, rien n'a changé.
    """
    from guichet_cli.core.validation import engine

    data = content.encode("utf-8") if isinstance(content, str) else content
    old = path.read_bytes() if path.exists() else None
    yamlio.atomic_write_bytes(path, data)
    findings = engine.validate_case_data(ws, path) if engine.classify(ws, path) is not None else []
    if findings:
        if old is None:
            path.unlink()
        else:
            yamlio.atomic_write_bytes(path, old)
        lines = [f"{ws.rel(path)}:{f.line or 1}:{f.column or 1}: {f.json_path}: {f.message}" for f in findings]
        raise DataError(
            "la modification rendrait le fichier non valide ; rien n'a été écrit :\n  " + "\n  ".join(lines),
            "compléter les champs indiqués puis relancer",
        )
