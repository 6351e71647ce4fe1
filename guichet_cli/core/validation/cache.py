"""Cache des résultats de `guichet validate` : un fichier inchangé n'est ni relu ni revalidé.

Clé d'un fichier : son empreinte git (hash du blob, calculé par le magasin sur les octets lus).
Clé du contexte : un hash de tout ce dont dépendent ses constats hors de son propre contenu — la
version de guichet et le code de ses modules, les schémas, les règles, les registres (partners/,
donneurs/, contacts/), guichet.yaml et la date du jour (les contrôles de dates la lisent). Si le
contexte change, tout le cache est ignoré : jamais de résultat périmé.

Les constats transversaux (unicité des identifiants…) sont gardés avec une clé faite de la liste
complète (chemin, empreinte) des fichiers validés : ils ne sont repris que si rien n'a bougé.

Comme l'index de git, le cache garde aussi l'état du fichier (taille, dates de modification et de
changement d'inode, numéro d'inode) : si rien de cela n'a bougé, l'empreinte gardée est reprise sans
relire le fichier. Toute écriture change la date de changement d'inode (ctime), que l'utilisateur ne
peut pas remettre ; un fichier dont l'état date de moins de 2 s avant la validation qui l'a gardé
(« propre par course », racy-git) est relu et rehaché, quelle que soit la finesse des dates du
système de fichiers.

Le cache est un fichier JSON sous `.git/guichet/` (ou `$GUICHET_CACHE_DIR`), écrit de façon
atomique ; illisible ou d'une autre version, il est ignoré. Hors dépôt git, pas de cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import guichet_cli
from guichet_cli.core.findings import Finding

FORMAT = 5
_RACY_NS = 2_000_000_000  # dates plus fines que 2 s sur tous les systèmes de fichiers courants
_PACKAGE = Path(__file__).resolve().parent.parent.parent
_CONTEXT_DIRS = ("partners", "donneurs", "contacts")


@dataclass
class FileResult:
    """Ce que la validation d'un fichier laisse : constats positionnés, type, lisibilité, identifiant."""

    kind: str | None
    ok: bool
    case_id: str | None
    findings: list[Finding] = field(default_factory=list)
    # résumés d'une demande pour les contrôles transversaux, qui ne la relisent pas : L2113-15
    # (analysis/ess.py, Award) et durée de conservation des contacts (rgpd/people.py, CaseUse)
    award: Any = None
    use: Any = None
    encoded: bool = False  # award et use encore en JSON (repris du cache)

    def summaries(self) -> tuple[Any, Any]:
        """(Award, CaseUse) de la demande, décodés du cache au besoin."""
        if self.encoded:
            self.encoded = False
            if self.award is not None:
                from guichet_cli.core.analysis.ess import Award

                self.award = Award.from_json(self.award)
            if self.use is not None:
                from guichet_cli.core.rgpd.people import CaseUse

                self.use = CaseUse.from_json(self.use)
        return self.award, self.use


def cache_dir(root: Path) -> Path | None:
    env = os.environ.get("GUICHET_CACHE_DIR")
    if env:
        return Path(env)
    git = root / ".git"
    if git.is_dir():
        return git / "guichet"
    if git.is_file():  # arbre de travail secondaire (git worktree) : « gitdir: … »
        text = git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text.split(":", 1)[1].strip())
            return (target if target.is_absolute() else root / target) / "guichet"
    return None  # hors dépôt git : rien n'est écrit dans le dossier de l'utilisateur


def _state(st: os.stat_result) -> list[int]:
    """L'état d'un fichier que le cache garde (comme l'index de git)."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _recent(st: os.stat_result, trust_before_ns: int) -> bool:
    """Écrit trop près de la validation qui a gardé son état pour qu'on croie celui-ci (racy-git)."""
    return max(st.st_mtime_ns, st.st_ctime_ns) >= trust_before_ns


class _Digests:
    """Empreintes des fichiers du contexte, reprises de la validation précédente quand leur état n'a
    pas bougé (même règle que pour les demandes : pas relus, sauf s'ils sont récents)."""

    def __init__(self, known: dict[str, list[Any]], trust_before_ns: int) -> None:
        self.known = known
        self.trust_before_ns = trust_before_ns
        self.seen: dict[str, list[Any]] = {}
        self.racy = False  # un fichier inchangé mais trop récent pour être cru : récrire le cache

    def of(self, p: str) -> bytes:
        try:
            st = os.stat(p)
            state = _state(st)
            row = self.known.get(p)
            if row is not None and row[:4] == state and not _recent(st, self.trust_before_ns):
                digest = bytes.fromhex(row[4])
            else:
                self.racy = self.racy or (row is not None and row[:4] == state)
                with open(p, "rb") as fh:
                    digest = hashlib.sha1(fh.read()).digest()
        except OSError:  # fichier illisible : le magasin le signale en français (« fichier illisible »)
            return b"illisible"
        self.seen[p] = [*state, digest.hex()]
        return digest


def _tree(base: Path) -> list[str]:
    """Fichiers de `base` (chemins relatifs, triés), sans les __pycache__ ; chaînes, pas de Path."""
    out: list[str] = []
    root = os.fspath(base)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out.extend(prefix + f for f in filenames)
    return sorted(out)


def _hash_tree(h: Any, base: Path, label: str, digests: _Digests) -> None:
    if not base.is_dir():
        h.update(f"absent:{label}\n".encode())
        return
    root = os.fspath(base)
    for rel in _tree(base):
        h.update(f"{label}/{rel}\n".encode())
        h.update(digests.of(os.path.join(root, rel)))


def context_key(ws: Any, today: dt.date, digests: _Digests | None = None) -> str:
    """Hash de tout ce qui, hors du fichier lui-même, peut changer ses constats."""
    digests = digests or _Digests({}, 0)
    h = hashlib.sha256()
    h.update(f"guichet {guichet_cli.__version__} format {FORMAT} jour {today.isoformat()}\n".encode())
    _hash_tree(h, _PACKAGE, "code", digests)  # une correction de guichet sans changement de version
    _hash_tree(h, ws.schemas_dir, "schemas", digests)
    _hash_tree(h, ws.rules_dir, "rules", digests)
    for name in _CONTEXT_DIRS:
        _hash_tree(h, ws.root / name, name, digests)
    config = ws.root / "guichet.yaml"
    h.update(digests.of(os.fspath(config)) if config.is_file() else b"sans-reglages")
    return h.hexdigest()


def _finding_to_json(f: Finding, rel: str) -> list[Any]:
    return [rel, f.message, list(f.pointer), f.line, f.column, f.hint, f.code, f.severity, f.key,
            None if f.anchor is None else list(f.anchor)]


def _finding_from_json(root: Path, row: list[Any]) -> Finding:
    rel, message, pointer, line, column, hint, code, severity, key, anchor = row
    return Finding(root / rel, message, tuple(pointer), line, column, hint, code, severity, key,
                   None if anchor is None else tuple(anchor))


class ValidationCache:
    """Résultats par fichier d'une validation précédente, pour le même contexte."""

    def __init__(self, ws: Any, today: dt.date) -> None:
        self.root = ws.root
        self._prefix = str(ws.root).rstrip("/") + "/"
        folder = cache_dir(ws.root)
        self.path = None if folder is None else folder / "validate-cache.json"
        self.files: dict[str, list[Any]] = {}
        self.repo: dict[str, Any] = {}
        self.hits = 0
        self.misses = 0
        self.started_ns = time.time_ns()
        self._trust_before_ns = 0  # état gardé antérieur à ceci : fiable (voir plus haut)
        self._states: dict[str, list[int] | None] = {}
        self._dirty = False
        saved: Any = None
        if self.path is not None:
            try:
                saved = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = None
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            saved = {}
        stamp = saved.get("stamp")
        trust = stamp - _RACY_NS if isinstance(stamp, int) else 0
        known = saved.get("context_files")
        self._digests = _Digests(known if isinstance(known, dict) else {}, trust)
        self.context = context_key(ws, today, self._digests)
        if self._digests.racy or self._digests.seen != self._digests.known:
            self._dirty = True  # états du contexte à garder (ou à rendre fiables) pour la prochaine fois
        if saved.get("context") == self.context:
            self.files = saved.get("files") or {}
            self.repo = saved.get("repo") or {}
            self._trust_before_ns = trust

    def rel(self, path: Path | str) -> str:
        # appelé plusieurs fois par fichier : le découpage de chaîne évite Path.relative_to (×10 plus lent)
        text = str(path)
        if os.sep == "/" and text.startswith(self._prefix):
            return text[len(self._prefix):]
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def known_blob(self, path: Path, rel: str) -> str | None:
        """L'empreinte gardée, si l'état du fichier n'a pas bougé depuis (sans le relire) ; sinon None.
        `rel` : self.rel(path), calculé une fois par fichier par l'appelant."""
        try:
            st = os.stat(path)
        except OSError:
            self._states[rel] = None
            return None
        state = _state(st)
        self._states[rel] = state
        row = self.files.get(rel)
        if row is None or row[7] != state:
            return None
        if _recent(st, self._trust_before_ns):
            self._dirty = True  # propre par course : récrire le cache le rendra fiable la prochaine fois
            return None
        return row[0]

    def get(self, rel: str, blob: str) -> FileResult | None:
        row = self.files.get(rel)
        if row is None or row[0] != blob:
            self.misses += 1
            return None
        self.hits += 1
        state = self._states.get(rel)
        if state is not None and row[7] != state:  # même contenu, autre état (git checkout, touch)
            row[7] = state
            self._dirty = True
        _blob, kind, ok, case_id, findings, award, use, _state = row
        # résumés laissés en JSON : décodés par summaries() seulement si les contrôles transversaux tournent
        return FileResult(kind, ok, case_id, [_finding_from_json(self.root, r) for r in findings] if findings else [],
                          award, use, encoded=True)

    def put(self, rel: str, blob: str, result: FileResult) -> None:
        # l'état pris AVANT la lecture : un fichier modifié pendant la validation ne sera pas cru inchangé
        self.files[rel] = [blob, result.kind, result.ok, result.case_id,
                           [_finding_to_json(f, self.rel(f.path)) for f in result.findings],
                           None if result.award is None else result.award.to_json(),
                           None if result.use is None else result.use.to_json(),
                           self._states.get(rel)]
        self._dirty = True

    def repo_findings(self, key: str) -> list[Finding] | None:
        if self.repo.get("key") != key:
            return None
        return [_finding_from_json(self.root, r) for r in self._repo_rows()]

    def put_repo(self, key: str, findings: list[Finding]) -> None:
        # gardés tels quels, mis en JSON une ligne à la fois par save() (des centaines de milliers de
        # constats sur 100 000 demandes : pas de deuxième copie en mémoire)
        self.repo = {"key": key, "findings": findings}
        self._dirty = True

    def _repo_rows(self) -> Iterator[list[Any]]:
        for f in self.repo.get("findings", []):
            yield _finding_to_json(f, self.rel(f.path)) if isinstance(f, Finding) else f

    def _chunks(self, keep: set[str] | None) -> Iterator[str]:
        """Le cache en JSON, morceau par morceau (jamais tout le fichier en une chaîne)."""
        def dumps(value: Any) -> str:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

        yield ('{"format":' + dumps(FORMAT) + ',"context":' + dumps(self.context) + ',"stamp":' + dumps(self.started_ns)
               + ',"context_files":' + dumps(self._digests.seen) + ',"files":{')
        first = True
        for k, v in self.files.items():
            if keep is None or k in keep:
                yield ("" if first else ",") + dumps(k) + ":" + dumps(v)
                first = False
        yield '},"repo":{'
        if "key" in self.repo:
            yield '"key":' + dumps(self.repo["key"]) + ',"findings":['
            for i, row in enumerate(self._repo_rows()):
                yield ("," if i else "") + dumps(row)
            yield "]"
        yield "}}"

    def save(self, keep: set[str] | None = None) -> None:
        """Écrit le cache (atomique, en flux) ; `keep` : ne garder que ces fichiers (ceux du dépôt actuel)."""
        if self.path is None:
            return
        if not self._dirty and (keep is None or len(keep) == len(self.files) and all(k in keep for k in self.files)):
            return  # rien n'a changé : pas de réécriture (la validation à chaud ne fait que lire)
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".validate-cache.", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                batch: list[str] = []
                for chunk in self._chunks(keep):
                    batch.append(chunk)
                    if len(batch) >= 4096:
                        fh.write("".join(batch))
                        batch = []
                fh.write("".join(batch))
            os.replace(tmp, self.path)
        except OSError:
            # un cache non écrit (disque plein, dossier en lecture seule) ne change aucun résultat
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def repo_key(entries: list[tuple[str, str]]) -> str:
    """Clé des constats transversaux : la liste (chemin, empreinte) de tous les fichiers validés."""
    return hashlib.sha256("".join(f"{rel}\0{blob}\n" for rel, blob in entries).encode()).hexdigest()
