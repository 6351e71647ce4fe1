"""Historique des dossiers lu en UN passage `git log` sur cases/, jamais un processus git par fichier.

Règle d'attribution (documentée dans docs/workflow.md) : vue « premier parent » de la branche
courante. Un changement arrivé par une demande de fusion (pull/merge request) est UN événement :
le commit de fusion, daté du moment où il est entré dans la branche principale ; son auteur est
celui du dernier commit de la branche fusionnée, et la personne qui a fusionné est indiquée à part.

Le statut avant → après vient du trailer `Guichet-Statut:` quand il existe (commits faits par
guichet) ; sinon (fusions, modifications à la main) il est lu dans le contenu du fichier à ce
commit, par un seul processus `git cat-file --batch` pour tous les événements concernés.
Coût : 4 processus git, quel que soit le nombre de dossiers ou de commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from guichet_cli.core.audit import NO_STATUS, TRAILER_ACTION, TRAILER_STATUS, require_git, run_git
from guichet_cli.core.errors import EnvironmentProblem
from guichet_cli.core.workspace import Workspace

_FORMAT = "%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%ae%x1f%s%x1f%(trailers:only,unfold,separator=%x1d)%x1f"
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
    git_processes: int = 0
    _resolved: set[str] = field(default_factory=set, repr=False)

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
            objs = _BlobReader(self.top).read_all(specs)
            self.git_processes += 1
            for ev in need:
                ev.status_after = _status_of(objs.get(f"{ev.sha}:{self.prefix}{ev.path}"))
            for ev in merges:
                author, branch_trailers = _commit_author_and_trailers(objs.get(f"{ev.sha}^2"))
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


def _parse_trailers(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in raw.split("\x1d"):
        key, sep, value = item.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _parse_status_trailer(value: str | None) -> tuple[str | None, str | None] | None:
    if not value or "->" not in value:
        return None
    old, _, new = value.partition("->")
    old, new = old.strip(), new.strip()
    return (None if old in ("", NO_STATUS) else old), (new or None)


def _decode(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def parse_log(raw: bytes, prefix: str = "") -> list[tuple[dict[str, object], list[tuple[str, str, str | None]]]]:
    """Découpe la sortie de git log : [(en-tête, [(statut, chemin, ancien chemin)])], plus récent d'abord."""
    out = []
    for rec in raw.split(b"\x1e"):
        if not rec.strip(b"\0\n"):
            continue
        head, _, files = rec.rpartition(b"\x1f")
        fields = _decode(head).split("\x1f")
        sha, parents, date, author, email, subject, trailers = (fields + [""] * 7)[:7]
        header = {
            "sha": sha,
            "parents": tuple(parents.split()),
            "date": date,
            "author": author,
            "email": email,
            "subject": subject,
            "trailers": _parse_trailers(trailers),
        }
        tokens = [_decode(t) for t in files.lstrip(b"\0\n").split(b"\0")]
        changes: list[tuple[str, str, str | None]] = []
        i = 0
        while i < len(tokens):
            st = tokens[i].strip()
            if not st:
                i += 1
                continue
            if st[0] in "RC" and i + 2 < len(tokens):
                old, new = tokens[i + 1], tokens[i + 2]
                changes.append((st[0], new[len(prefix):] if new.startswith(prefix) else new, old[len(prefix):] if old.startswith(prefix) else old))
                i += 3
            else:
                path = tokens[i + 1] if i + 1 < len(tokens) else ""
                changes.append((st[0], path[len(prefix):] if path.startswith(prefix) else path, None))
                i += 2
        out.append((header, changes))
    return out


class _BlobReader:
    """Un seul `git cat-file --batch` pour toutes les lectures d'objets (contenus, commits)."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.requests: list[str] = []

    def read_all(self, specs: Iterable[str]) -> dict[str, bytes | None]:
        specs = list(dict.fromkeys(specs))
        if not specs:
            return {}
        proc = run_git(self.top, "cat-file", "--batch", input=("\n".join(specs) + "\n").encode("utf-8"), check=False)
        if proc.returncode != 0:
            raise EnvironmentProblem("lecture des objets git impossible (git cat-file)", "vérifier le dépôt avec « git fsck »")
        data, pos, out = proc.stdout, 0, {}
        for spec in specs:
            nl = data.index(b"\n", pos)
            header = data[pos:nl].split()
            pos = nl + 1
            if len(header) == 3 and header[1] != b"missing":
                size = int(header[2])
                out[spec] = data[pos : pos + size]
                pos += size + 1
            else:
                out[spec] = None
        return out


def _status_of(blob: bytes | None) -> str | None:
    if blob is None:
        return None
    m = _STATUS_LINE.search(blob)
    return _decode(m.group(1)) if m else None


def _commit_author_and_trailers(obj: bytes | None) -> tuple[str | None, dict[str, str]]:
    if obj is None:
        return None, {}
    head, _, message = obj.partition(b"\n\n")
    author = None
    for line in head.split(b"\n"):
        if line.startswith(b"author "):
            author = _decode(line[7:].rsplit(b" <", 1)[0])
    trailers: dict[str, str] = {}
    paragraphs = _decode(message).strip().split("\n\n")
    if len(paragraphs) > 1:
        for line in paragraphs[-1].splitlines():
            key, sep, value = line.partition(":")
            if sep and re.fullmatch(r"[A-Za-z0-9-]+", key):
                trailers[key] = value.strip()
    return author, trailers


def is_shallow(top: Path) -> bool:
    out = run_git(top, "rev-parse", "--is-shallow-repository").stdout.decode("ascii").strip()
    return out == "true"


def load_history(ws: Workspace, *, allow_shallow: bool = False, rev: str = "HEAD", only: Iterable[str] | None = None) -> History:
    """Lit tout l'historique de cases/ (vue premier parent de `rev`).

    Sur un clone superficiel : ShallowHistory (message clair), sauf `allow_shallow=True`, auquel
    cas History.warning le dit et les commandes l'affichent. `only` : fichiers dont on veut les
    statuts et auteurs de fusion complets (None = tous ; `History.resolve` complète plus tard).
    """
    top = require_git(ws)
    procs = 2  # rev-parse --show-toplevel et --verify HEAD dans require_git
    shallow = is_shallow(top)
    procs += 1
    if shallow and not allow_shallow:
        raise ShallowHistory("historique incomplet : ce dépôt est un clone superficiel (shallow clone)", SHALLOW_HINT)
    rel_root = ws.root.resolve().relative_to(top).as_posix()
    prefix = "" if rel_root == "." else rel_root + "/"
    proc = run_git(
        top,
        "log", "--first-parent", "--diff-merges=first-parent", "--name-status", "-z", "-M",
        f"--format={_FORMAT}", rev, "--", f"{prefix}cases/",
    )
    procs += 1
    records = parse_log(proc.stdout, prefix)

    events: list[Event] = []
    by_file: dict[str, list[Event]] = {}
    alias: dict[str, str] = {}  # ancien chemin → chemin actuel (renommages, lus du plus récent au plus ancien)
    for header, changes in records:
        trailers: dict[str, str] = header["trailers"]  # type: ignore[assignment]
        parents: tuple[str, ...] = header["parents"]  # type: ignore[assignment]
        status = _parse_status_trailer(trailers.get(TRAILER_STATUS))
        for kind, path, old in changes:
            key = alias.get(path, path)
            if kind == "R" and old is not None:
                alias[old] = key
            ev = Event(
                sha=str(header["sha"]), date=str(header["date"]), author=str(header["author"]), email=str(header["email"]),
                subject=str(header["subject"]), path=path, change=kind, case_id=Path(path).stem,
                action=trailers.get(TRAILER_ACTION), old_path=old, merge=len(parents) > 1, parents=parents,
                trailers=trailers,
            )
            if status is not None and len(changes) == 1:
                ev.status_before, ev.status_after = status
            events.append(ev)
            by_file.setdefault(key, []).append(ev)

    hist = History(top=top, prefix=prefix, events=events, by_file=by_file, shallow=shallow, git_processes=procs)
    hist.resolve(by_file if only is None else only)
    return hist


def _had_trailer(ev: Event) -> bool:
    return TRAILER_STATUS in ev.trailers and _parse_status_trailer(ev.trailers[TRAILER_STATUS]) is not None

