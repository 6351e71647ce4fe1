"""Verrou d'écriture par dépôt : deux commandes lancées en même temps ne se marchent pas dessus.

Six `guichet status` sur la même demande, lancés ensemble, perdaient des modifications (chacun
lisait l'ancien statut, le dernier écrit gagnait) et mêlaient leurs commits (le `git add` de l'un
partait dans le commit de l'autre). Une commande qui modifie le dépôt prend ce verrou AVANT de lire
ce qu'elle va modifier et le garde jusqu'après son commit : les commandes passent l'une après
l'autre, chacune sur l'état laissé par la précédente.

Verrou `flock` sur un fichier de `.git/` (hors de l'arbre de travail : `git status` ne le voit
pas), ou `.guichet.lock` à la racine hors git. Le système le libère si le processus meurt : pas
de verrou orphelin.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from guichet_cli.core.errors import EnvironmentProblem

WAIT_SECONDS = 120.0  # une commande guichet dure quelques secondes


def lock_path(root: Path) -> Path:
    """Fichier de verrou du dépôt `root` : dans le dossier git s'il y en a un."""
    for folder in (root, *root.parents):
        dotgit = folder / ".git"
        if dotgit.is_dir():
            return dotgit / "guichet.lock"
        if dotgit.is_file():  # arbre de travail lié (git worktree) : « gitdir: CHEMIN »
            text = dotgit.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                gitdir = Path(text.split(":", 1)[1].strip())
                return (gitdir if gitdir.is_absolute() else folder / gitdir) / "guichet.lock"
    return root / ".guichet.lock"


class RepoLock:
    """Verrou exclusif réentrant (dans un processus) sur le dépôt."""

    def __init__(self, root: Path) -> None:
        self.path = lock_path(root)
        self.depth = 0
        self.fd: int | None = None

    def acquire(self, wait: float = WAIT_SECONDS) -> None:
        if self.depth:
            self.depth += 1
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return  # dépôt en lecture seule : l'écriture elle-même échouera avec un message clair
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise EnvironmentProblem(
                        f"une autre commande guichet modifie ce dépôt depuis plus de {int(wait)} secondes ; rien n'a été modifié",
                        "attendre la fin de l'autre commande puis relancer",
                    ) from None
                time.sleep(0.05)
        self.fd = fd
        self.depth = 1

    def release(self) -> None:
        if not self.depth:
            return
        self.depth -= 1
        if self.depth == 0 and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> RepoLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
