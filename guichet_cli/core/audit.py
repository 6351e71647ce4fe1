"""Piste d'audit : chaque commande qui modifie un fichier le committe, avec des trailers lisibles par machine.

Le message de commit est « sujet » + ligne vide + trailers (`Guichet-Dossier:`, `Guichet-Action:`,
`Guichet-Statut: ancien -> nouveau`). On écrit la ligne vide nous-mêmes : c'est le piège des
trailers (engineering-notes §6) — sans elle git ne voit pas les trailers.

Utilisation typique par une commande :

    ws.store.edit(path, mutate)               # valide le nouveau contenu en mémoire, puis écrit
    sha = commit_changes(ws, [path], case_id="GRCS-2026-0042", action="statut",
                         subject="GRCS-2026-0042 : recommandation transmise",
                         status_change=("en_analyse", "recommandation_transmise"))

Hors dépôt git, `commit_changes` rend None : le fichier est écrit, rien n'est committé.
Ce module est la *politique* d'audit (trailers, refus, validation) ; les appels git eux-mêmes sont
dans `gitrepo`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from guichet_cli.core import gitrepo
from guichet_cli.core.errors import DataError, EnvironmentProblem, UsageError
from guichet_cli.core.gitrepo import GitRepo
from guichet_cli.core.workspace import Workspace

TRAILER_CASE = "Guichet-Dossier"
TRAILER_ACTION = "Guichet-Action"
TRAILER_STATUS = "Guichet-Statut"
NO_STATUS = "aucun"


def _ensure_committable(repo: GitRepo) -> None:
    lock = repo.index_lock()
    if lock is not None:  # avant toute écriture : sinon le fichier serait modifié sans commit
        raise gitrepo.index_lock_problem(str(lock))
    what = repo.in_progress_operation()
    if what is not None:
        raise EnvironmentProblem(
            f"{what} est en cours dans le dépôt git : guichet ne committe pas au milieu",
            "terminer ou annuler l'opération (« git status » dit comment), ou relancer avec --no-commit",
        )
    if repo.current_branch() is None:
        raise EnvironmentProblem(
            "HEAD est détachée (aucune branche courante) : un commit ici serait perdu au prochain changement de branche",
            "se placer sur une branche (« git switch -c ma-branche »), ou relancer avec --no-commit",
        )


def identity(where: Path | GitRepo) -> tuple[str, str]:
    """(nom, courriel) git de la personne qui agit ; erreur française si l'un manque (piste d'audit)."""
    name, email = where.identity() if isinstance(where, GitRepo) else gitrepo.config_identity(where)
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


def _preflight(ws: Workspace, repo: GitRepo, files: list[Path]) -> list[str]:
    """Contrôles qui ne dépendent pas du contenu : état git, index, identité. Rend les chemins git."""
    _ensure_committable(repo)
    top = repo.top
    rels = []
    for f in files:
        p = f if f.is_absolute() else ws.root / f
        try:
            rels.append(p.resolve().relative_to(top).as_posix())
        except ValueError:
            raise UsageError(f"« {p} » est hors du dépôt git « {top} »") from None
    unrelated = sorted(set(repo.staged_paths()) - set(rels))
    if unrelated:
        shown = ", ".join(unrelated[:5]) + (" …" if len(unrelated) > 5 else "")
        raise UsageError(
            f"des modifications sans rapport avec cette action sont déjà indexées (git add) : {shown}",
            "les committer ou les retirer de l'index d'abord (« git restore --staged FICHIER »), ou relancer avec --no-commit",
        )
    identity(repo)
    return rels


def check_can_commit(ws: Workspace, files: list[Path], *, no_commit: bool = False) -> None:
    """À appeler AVANT d'écrire : lève la même erreur que commit_changes lèverait ensuite.

    Ainsi une commande refusée (HEAD détachée, index sale, pas d'identité…) n'a rien écrit.
    """
    if no_commit:
        return
    repo = gitrepo.open_repo(ws.root)
    if repo is not None:
        with repo:
            _preflight(ws, repo, files)


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
    repo = gitrepo.open_repo(ws.root)
    if repo is None:
        return None
    with repo:
        rels = _preflight(ws, repo, files)
        _validate_before_commit(ws, [repo.top / r for r in rels])
        author = identity(repo)
        message = commit_message(subject, case_id=case_id, action=action, status_change=status_change)
        return repo.add_and_commit(rels, message, author)
