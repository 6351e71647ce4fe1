"""Historique des dossiers lu en UN passage `git log` sur cases/, jamais un processus git par fichier.

Règle d'attribution (documentée dans docs/workflow.md) : vue « premier parent » de la branche
courante. Un changement arrivé par une demande de fusion (pull/merge request) est UN événement :
le commit de fusion, daté du moment où il est entré dans la branche principale ; son auteur est
celui du dernier commit de la branche fusionnée, et la personne qui a fusionné est indiquée à part.

Le statut avant → après vient du trailer `Guichet-Statut:` quand il existe (commits faits par
guichet) ; sinon (fusions, modifications à la main) il est lu dans le contenu du fichier à ce
commit, par le processus `git cat-file --batch` unique du dépôt (gitrepo) pour tous les événements.
Coût : 4 processus git, quel que soit le nombre de dossiers ou de commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from guichet_cli.core import gitrepo
from guichet_cli.core.audit import NO_STATUS, TRAILER_ACTION, TRAILER_STATUS
from guichet_cli.core.errors import EnvironmentProblem
from guichet_cli.core.gitrepo import GitRepo, commit_author_and_trailers
from guichet_cli.core.workspace import Workspace

_STATUS_LINE = re.compile(rb"^statut:[ \t]*[\"']?([a-z_]+)", re.MULTILINE)
SHALLOW_HINT = "récupérer tout l'historique avec « git fetch --unshallow » (en CI : fetch-depth: 0 / GIT_DEPTH: 0)"


class ShallowHistory(EnvironmentProblem):
    """Clone superficiel : les dates et auteurs seraient faux, on préfère le dire."""


@dataclass
class Event:
    sha: str
    date: str  # ISO 8601, date d'auteur du commit de la branche principale
    author: str
    email: str
    subject: str
    path: str  # chemin du fichier à ce commit
    change: str  # A ajout, M modification, D suppression, R renommage
    case_id: str
    action: str | None = None
    status_before: str | None = None
    status_after: str | None = None
    old_path: str | None = None  # pour un renommage
    merge: bool = False  # vrai : changement arrivé par une demande de fusion
    merged_by: str | None = None
    parents: tuple[str, ...] = ()
    trailers: dict[str, str] = field(default_factory=dict)

    @property
    def status_changed(self) -> bool:
        return self.status_after is not None and self.status_before != self.status_after

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["parents"] = list(self.parents)
        return d

    def as_json(self) -> dict[str, object]:
        """Clés françaises pour la sortie --format json (tout ce que l'outil affiche est en français)."""
        d = self.as_dict()
        return {_JSON_KEYS.get(k, k): v for k, v in d.items()}


_JSON_KEYS = {
    "author": "auteur", "email": "courriel", "subject": "sujet", "path": "chemin", "change": "changement",
    "case_id": "dossier", "status_before": "statut_avant", "status_after": "statut_apres", "old_path": "ancien_chemin",
    "merge": "fusion", "merged_by": "fusionne_par",
}


@dataclass
class History:
    top: Path  # racine git
    prefix: str  # chemin du dépôt guichet dans le dépôt git ("" ou "sous/dossier/")
    events: list[Event]  # du plus récent au plus ancien
    by_file: dict[str, list[Event]]  # chemin actuel (relatif au dépôt guichet) → événements
    shallow: bool = False
    repo: GitRepo | None = field(default=None, repr=False, compare=False)
    _resolved: set[str] = field(default_factory=set, repr=False)

    @property
    def git_processes(self) -> int:
        """Processus git lancés pour cet historique (ne dépend ni du nombre de fichiers ni de commits)."""
        return self.repo.processes if self.repo is not None else 0

    def keys_for(self, events: Iterable[Event]) -> list[str]:
        """Chemins actuels des fichiers concernés par ces événements (renommages suivis)."""
        wanted = {id(e) for e in events}
        return [k for k, evs in self.by_file.items() if any(id(e) in wanted for e in evs)]

    def resolve(self, keys: Iterable[str]) -> None:
        """Complète statuts (fusions, éditions à la main) et auteurs des branches fusionnées des
        fichiers `keys` : une seule lecture groupée `git cat-file --batch` pour tous."""
        keys = [k for k in dict.fromkeys(keys) if k not in self._resolved]
        self._resolved.update(keys)
        evs = [ev for k in keys for ev in self.by_file.get(k, [])]
        need = [ev for ev in evs if ev.status_after is None and ev.change != "D"]
        merges = [ev for ev in evs if ev.merge and ev.merged_by is None]
        if need or merges:
            specs = [f"{ev.sha}:{self.prefix}{ev.path}" for ev in need] + [f"{ev.sha}^2" for ev in merges]
            if self.repo is None:
                self.repo = gitrepo.require_repo(self.top)
            objs = self.repo.read_blobs(specs)
            for ev in need:
                ev.status_after = _status_of(objs.get(f"{ev.sha}:{self.prefix}{ev.path}"))
            for ev in merges:
                author, branch_trailers = commit_author_and_trailers(objs.get(f"{ev.sha}^2"))
                ev.merged_by = ev.author
                if author:
                    ev.author = author
                ev.action = ev.action or branch_trailers.get(TRAILER_ACTION) or "fusion"
        # Statut « avant » = statut après l'événement précédent du même fichier (vue premier parent).
        for k in keys:
            file_evs = self.by_file.get(k, [])
            for newer, older in zip(file_evs, file_evs[1:], strict=False):
                if newer.status_before is None and not _had_trailer(newer):
                    newer.status_before = older.status_after

    @property
    def warning(self) -> str | None:
        if self.shallow:
            return "historique incomplet (clone superficiel) : dates et auteurs anciens manquants ; " + SHALLOW_HINT
        return None

    def _key(self, path: str | Path) -> str:
        p = Path(path)
        if p.is_absolute():
            try:
                p = p.resolve().relative_to((self.top / self.prefix).resolve())
            except ValueError:
                return p.as_posix()
        return p.as_posix()

    def events_for(self, path: str | Path) -> list[Event]:
        """Événements du fichier (chemin actuel), du plus récent au plus ancien, renommages suivis."""
        return self.by_file.get(self._key(path), [])

    def last_commit(self, path: str | Path) -> tuple[str, str] | None:
        """(sha, date ISO) du dernier changement du fichier sur la branche courante."""
        evs = self.events_for(path)
        return (evs[0].sha, evs[0].date) if evs else None

    def status_since(self, path: str | Path, status: str) -> Event | None:
        """Événement (le plus ancien de la série en cours) où le dossier est passé au statut `status`."""
        found = None
        for ev in self.events_for(path):
            if ev.status_after != status:
                break
            found = ev
            if ev.status_before != status:
                break
        return found


def _parse_status_trailer(value: str | None) -> tuple[str | None, str | None] | None:
    if not value or "->" not in value:
        return None
    old, _, new = value.partition("->")
    old, new = old.strip(), new.strip()
    return (None if old in ("", NO_STATUS) else old), (new or None)


def _decode(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _status_of(blob: bytes | None) -> str | None:
    if blob is None:
        return None
    m = _STATUS_LINE.search(blob)
    return _decode(m.group(1)) if m else None


def load_history(
    ws: Workspace, *, allow_shallow: bool = False, rev: str = "HEAD", only: Iterable[str] | None = None,
    repo: GitRepo | None = None,
) -> History:
    """Lit tout l'historique de cases/ (vue premier parent de `rev`).

    Sur un clone superficiel : ShallowHistory (message clair), sauf `allow_shallow=True`, auquel
    cas History.warning le dit et les commandes l'affichent. `only` : fichiers dont on veut les
    statuts et auteurs de fusion complets (None = tous ; `History.resolve` complète plus tard).
    `repo` : dépôt déjà ouvert par l'appelant, qui a vérifié qu'il a au moins un commit.
    """
    repo = repo or gitrepo.require_repo(ws.root)
    shallow = repo.is_shallow()
    if shallow and not allow_shallow:
        raise ShallowHistory("historique incomplet : ce dépôt est un clone superficiel (shallow clone)", SHALLOW_HINT)
    prefix = repo.prefix_for(ws.root)
    entries = repo.log_name_status([f"{prefix}cases/"], rev, first_parent=True)

    events: list[Event] = []
    by_file: dict[str, list[Event]] = {}
    alias: dict[str, str] = {}  # ancien chemin → chemin actuel (renommages, lus du plus récent au plus ancien)
    for entry in entries:
        trailers, parents = entry.trailers, entry.parents
        status = _parse_status_trailer(trailers.get(TRAILER_STATUS))
        for change in entry.changes:
            kind, path = change.status, _strip(change.path, prefix)
            old = _strip(change.old_path, prefix) if change.old_path is not None else None
            key = alias.get(path, path)
            if kind == "R" and old is not None:
                alias[old] = key
            ev = Event(
                sha=entry.sha, date=entry.date, author=entry.author, email=entry.email,
                subject=entry.subject, path=path, change=kind, case_id=Path(path).stem,
                action=trailers.get(TRAILER_ACTION), old_path=old, merge=len(parents) > 1, parents=parents,
                trailers=trailers,
            )
            if status is not None and len(entry.changes) == 1:
                ev.status_before, ev.status_after = status
            events.append(ev)
            by_file.setdefault(key, []).append(ev)

    hist = History(top=repo.top, prefix=prefix, events=events, by_file=by_file, shallow=shallow, repo=repo)
    hist.resolve(by_file if only is None else only)
    return hist


def _strip(path: str, prefix: str) -> str:
    """Chemin relatif au dépôt guichet (les chemins git partent de la racine git)."""
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def _had_trailer(ev: Event) -> bool:
    return TRAILER_STATUS in ev.trailers and _parse_status_trailer(ev.trailers[TRAILER_STATUS]) is not None

