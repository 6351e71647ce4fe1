"""Le seul module qui parle à git (GitPython) : tout appel git du projet passe par ici.

Comme `_git.py` de towncrier, mais sur GitPython (engineering-notes §6) :

- `open_repo(chemin)` trouve le dépôt (`git.Repo(search_parent_directories=True)`, sans processus) ;
- l'historique se lit en UN `git log --name-status -z` (`GitRepo.log_name_status`), jamais un
  processus par fichier ou par commit ;
- les contenus (blobs, commits) se lisent par UN processus `git cat-file --batch` qui reste ouvert
  toute l'exécution (`GitRepo.read_blobs`), requêtes envoyées par paquets ;
- `parse_name_status` est l'unique lecteur des sorties `--name-status -z` (log et diff) ;
- `GitRepo.add_and_commit` committe exactement les chemins donnés avec le message tel quel
  (`--cleanup=verbatim` : le format sujet + trailers d'audit.py est gardé à l'octet près).

git tourne avec LC_ALL=C (sorties analysées), sans invite de mot de passe ni verrou optionnel ;
ses erreurs deviennent des `EnvironmentProblem` en français. GitPython n'est importé qu'au premier
dépôt ouvert : `guichet --help` ne le paie pas.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from guichet_cli.core.errors import EnvironmentProblem, UsageError

if TYPE_CHECKING:
    import git

# git parle anglais à guichet (sorties analysées) ; l'utilisateur ne voit que nos messages.
GIT_ENV = {"LC_ALL": "C", "LANG": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
GIT_MISSING = ("git est introuvable sur cette machine", "installer git (https://git-scm.com) puis relancer")

# Sortie de `git log` : séparateur d'enregistrement 0x1e, de champ 0x1f, de trailers 0x1d.
LOG_FORMAT = "%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%ae%x1f%s%x1f%(trailers:only,unfold,separator=%x1d)%x1f"
_BATCH_CHUNK = 32 * 1024  # octets de requêtes cat-file par paquet (< tampon d'un tube : pas d'interblocage)
_IN_PROGRESS = (
    ("MERGE_HEAD", "une fusion (merge)"),
    ("CHERRY_PICK_HEAD", "un cherry-pick"),
    ("REVERT_HEAD", "un revert"),
    ("rebase-merge", "un rebase"),
    ("rebase-apply", "un rebase"),
)


class Change(NamedTuple):
    """Une ligne de `--name-status` : statut (A, M, D, R, C, T…), chemin actuel, ancien chemin (R, C)."""

    status: str
    path: str
    old_path: str | None = None


@dataclass(slots=True)
class LogEntry:
    """Un commit de `log_name_status`, avec les fichiers qu'il change (chemins relatifs à la racine git)."""

    sha: str
    parents: tuple[str, ...]
    date: str  # date d'auteur, ISO 8601
    author: str
    email: str
    subject: str
    trailers: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)


def git_available() -> bool:
    return shutil.which("git") is not None


def _decode(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


_MODULE: list[Any] = []


def _gitpython() -> Any:
    """Le module GitPython, importé à la demande (son import lance `git version`)."""
    if _MODULE:
        return _MODULE[0]
    if not git_available():
        raise EnvironmentProblem(*GIT_MISSING)
    try:
        import git
    except ImportError as exc:  # GitPython refuse de se charger sans exécutable git utilisable
        raise EnvironmentProblem(f"git est inutilisable sur cette machine ({str(exc).splitlines()[0]})", GIT_MISSING[1]) from None
    _MODULE.append(git)
    return git


def _inside_work_tree(path: Path) -> bool:
    p = path.absolute()
    return any((d / ".git").exists() for d in (p, *p.parents))


def index_lock_problem(lock: str) -> EnvironmentProblem:
    """Le verrou d'index de git est présent : une commande git tourne, ou s'est arrêtée brutalement."""
    return EnvironmentProblem(
        f"le dépôt git est verrouillé ({lock} existe) : une autre commande git est en cours, ou s'est arrêtée "
        "brutalement ; rien n'a été modifié",
        f"attendre la fin de l'autre commande ; si aucune ne tourne (éditeur, git, guichet), supprimer le fichier {lock} puis relancer",
    )


def _dubious(stderr: str) -> EnvironmentProblem | None:
    """git (≥ 2.35.2) refuse un dépôt qui appartient à un autre utilisateur (conteneurs de CI)."""
    m = re.search(r"Unable to create '([^']*index\.lock)': File exists", stderr)
    if m:
        return index_lock_problem(m.group(1))
    if "dubious ownership" not in stderr:
        return None
    m = re.search(r"repository at '([^']*)'", stderr)
    where = m.group(1) if m else "CHEMIN_DU_DEPOT"
    return EnvironmentProblem(
        f"git refuse de travailler dans « {where} » : le dépôt appartient à un autre utilisateur (dubious ownership)",
        f"si ce dépôt est sûr : git config --global --add safe.directory {where}",
    )


def _failure(args: Sequence[str], stderr: str) -> EnvironmentProblem:
    detail = stderr.strip().splitlines()
    return EnvironmentProblem(
        f"la commande « git {' '.join(args[:2])} » a échoué : {detail[-1] if detail else 'sans message'}",
        "vérifier l'état du dépôt avec « git status »",
    )


def _execute(
    runner: Any, args: Sequence[str], *, check: bool, input: bytes | None = None, env: dict[str, str] | None = None
) -> tuple[int, bytes, str]:
    """`git args…` par un objet git.Git de GitPython ; rend (code, sortie en octets, erreurs)."""
    mod = _gitpython()
    kwargs: dict[str, Any] = {
        "with_extended_output": True, "with_exceptions": False, "stdout_as_string": False, "strip_newline_in_stdout": False,
    }
    if env:
        kwargs["env"] = env
    try:
        if input is None:
            status, out, err = getattr(runner, args[0].replace("-", "_"))(*args[1:], **kwargs)
        else:
            with tempfile.TemporaryFile() as stdin:
                stdin.write(input)
                stdin.seek(0)
                status, out, err = getattr(runner, args[0].replace("-", "_"))(*args[1:], istream=stdin, **kwargs)
    except mod.GitCommandNotFound:
        raise EnvironmentProblem(*GIT_MISSING) from None
    if status != 0:
        problem = _dubious(err or "")
        if problem is not None:
            raise problem
        if check:
            raise _failure(args, err)
    return status, out or b"", err or ""


def _plain_git(cwd: Path) -> Any:
    runner = _gitpython().Git(str(cwd))
    runner.update_environment(**GIT_ENV)
    return runner


def config_identity(cwd: Path) -> tuple[str, str]:
    """(nom, courriel) de la personne qui agit : GIT_AUTHOR_NAME/EMAIL, sinon `git config user.*`.

    Chaîne vide pour ce qui n'est pas configuré. Marche aussi hors dépôt (configuration globale).
    """
    return _identity(lambda *args: _execute(_plain_git(cwd), args, check=False))


def _identity(run: Callable[..., tuple[int, bytes, str]]) -> tuple[str, str]:
    def conf(key: str, env_key: str) -> str:
        if os.environ.get(env_key):
            return os.environ[env_key]
        return _decode(run("config", "--get", key)[1]).strip()

    return conf("user.name", "GIT_AUTHOR_NAME"), conf("user.email", "GIT_AUTHOR_EMAIL")


def _parse_trailers(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in raw.split("\x1d"):
        key, sep, value = item.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def parse_name_status(raw: bytes) -> list[Change]:
    """L'unique lecteur des sorties `--name-status -z` (git log comme git diff).

    Jetons séparés par NUL : un statut (« M », « R100 »…) puis un chemin, ou deux pour un
    renommage ou une copie (ancien, nouveau). Noms avec espaces ou accents tels quels (-z : pas de
    guillemets) ; octets non UTF-8 gardés en surrogateescape.
    """
    tokens = raw.split(b"\0")
    out: list[Change] = []
    i = 0
    while i < len(tokens):
        st = tokens[i].strip()
        if not st:
            i += 1
            continue
        kind = _decode(st[:1])
        width = 2 if kind in ("R", "C") else 1
        paths = tokens[i + 1 : i + 1 + width]
        if len(paths) < width or not all(paths):
            break  # sortie tronquée : statut sans son ou ses chemins
        out.append(Change(kind, _decode(paths[-1]), _decode(paths[0]) if width == 2 else None))
        i += 1 + width
    return out


def parse_log(raw: bytes) -> list[LogEntry]:
    """Découpe une sortie `git log -z --name-status --format=LOG_FORMAT`, plus récent d'abord."""
    out = []
    for rec in raw.split(b"\x1e"):
        if not rec.strip(b"\0\n"):
            continue
        head, _, files = rec.rpartition(b"\x1f")
        fields = _decode(head).split("\x1f")
        sha, parents, date, author, email, subject, trailers = (fields + [""] * 7)[:7]
        out.append(LogEntry(
            sha=sha, parents=tuple(parents.split()), date=date, author=author, email=email, subject=subject,
            trailers=_parse_trailers(trailers), changes=parse_name_status(files),
        ))
    return out


def commit_author_and_trailers(obj: bytes | None) -> tuple[str | None, dict[str, str]]:
    """Auteur et trailers d'un objet commit brut (tel que `read_blobs` le rend)."""
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


_OPEN: weakref.WeakSet[GitRepo] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:  # le processus cat-file ne survit pas à guichet
    for repo in list(_OPEN):
        repo.close()


class GitRepo:
    """Un dépôt git ouvert. `processes` : nombre de processus git lancés par cet objet."""

    def __init__(self, repo: git.Repo) -> None:
        self._repo = repo
        self._repo.git.update_environment(**GIT_ENV)
        self.top = Path(str(repo.working_tree_dir)).resolve()
        self.git_dir = Path(repo.git_dir).absolute()
        self.processes = 0
        self._cat_file: Any = None
        _OPEN.add(self)

    # -- cycle de vie --------------------------------------------------------------------
    def close(self) -> None:
        """Arrête le processus `cat-file --batch` éventuel (rouvert au besoin)."""
        proc, self._cat_file = self._cat_file, None
        if proc is not None:  # fin de stdin : cat-file s'arrête de lui-même
            try:
                proc.stdin.close()
                proc.proc.wait(timeout=5)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                proc.proc.kill()
                proc.proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        self._repo.close()

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GitRepo({str(self.top)!r})"

    # -- exécution -----------------------------------------------------------------------
    def _run(
        self, *args: str, check: bool = True, input: bytes | None = None, env: dict[str, str] | None = None
    ) -> tuple[int, bytes, str]:
        self.processes += 1
        return _execute(self._repo.git, args, check=check, input=input, env=env)

    def prefix_for(self, path: Path) -> str:
        """Chemin de `path` dans le dépôt git : "" pour la racine, sinon "sous/dossier/"."""
        try:
            rel = path.resolve().relative_to(self.top).as_posix()
        except ValueError:
            raise UsageError(f"« {path} » est hors du dépôt git « {self.top} »") from None
        return "" if rel == "." else rel + "/"

    # -- état du dépôt -------------------------------------------------------------------
    def has_commits(self) -> bool:
        return self._run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)[0] == 0

    def is_shallow(self) -> bool:
        return _decode(self._run("rev-parse", "--is-shallow-repository")[1]).strip() == "true"

    def current_branch(self) -> str | None:
        """Branche courante (même sans commit encore), ou None si HEAD est détachée."""
        status, out, _ = self._run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        return (_decode(out).strip() or None) if status == 0 else None

    def index_lock(self) -> Path | None:
        """Le verrou d'index (.git/index.lock) s'il est présent : git refuserait tout commit."""
        lock = self.git_dir / "index.lock"
        return lock if lock.exists() else None

    def in_progress_operation(self) -> str | None:
        """Opération git inachevée (« une fusion (merge) », « un rebase »…), ou None."""
        for marker, what in _IN_PROGRESS:
            if (self.git_dir / marker).exists():
                return what
        return None

    def identity(self) -> tuple[str, str]:
        """Comme `config_identity`, lu dans la configuration de ce dépôt."""
        return _identity(lambda *args: self._run(*args, check=False))

    def staged_paths(self) -> list[str]:
        """Chemins déjà indexés (git add), relatifs à la racine git."""
        out = self._run("diff", "--cached", "--name-only", "-z", "--no-renames")[1]
        return [_decode(p) for p in out.split(b"\0") if p]

    def resolve_commit(self, ref: str) -> str:
        """Sha du commit désigné par `ref` ; UsageError (référence inconnue) sinon."""
        status, out, _ = self._run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False)
        if status != 0:
            raise UsageError(
                f"référence git inconnue : « {ref} »",
                "indiquer une branche, une étiquette ou un commit existant (ex. origin/main ; en CI, récupérer l'historique avec fetch-depth: 0)",
            )
        return _decode(out).strip()

    # -- lectures groupées ---------------------------------------------------------------
    def log_name_status(self, paths: Sequence[str], rev: str = "HEAD", *, first_parent: bool = True) -> list[LogEntry]:
        """Tout l'historique de `paths` en un seul `git log` (renommages détectés), plus récent d'abord.

        `first_parent` : vue « premier parent », une fusion porte les changements de sa branche.
        """
        view = ["--first-parent", "--diff-merges=first-parent"] if first_parent else []
        out = self._run("log", *view, "--name-status", "-z", "-M", f"--format={LOG_FORMAT}", rev, "--", *paths)[1]
        return parse_log(out)

    def diff_name_status(self, ref: str, scope: str = ".") -> list[Change]:
        """Changements de la copie de travail (index compris) par rapport à `ref`, renommages détectés."""
        return parse_name_status(self._run("diff", "--name-status", "-z", "-M", ref, "--", scope)[1])

    def untracked(self, scope: str = ".") -> list[str]:
        """Fichiers non suivis et non ignorés, relatifs à la racine git."""
        out = self._run("ls-files", "--others", "--exclude-standard", "-z", "--", scope)[1]
        return [_decode(p) for p in out.split(b"\0") if p]

    def read_blobs(self, specs: Iterable[str]) -> dict[str, bytes | None]:
        """Contenus des objets `specs` (« sha:chemin », « sha^2 »…) ; None pour un objet absent.

        Un seul processus `git cat-file --batch` pour toute la vie de l'objet, quel que soit le
        nombre d'appels ou d'objets ; les requêtes partent par paquets (pas d'aller-retour par objet).
        """
        wanted = list(dict.fromkeys(specs))
        out: dict[str, bytes | None] = {}
        todo = []
        for spec in wanted:
            if "\n" in spec or not spec.strip():
                out[spec] = None  # une requête = une ligne
            else:
                todo.append(spec)
        if not todo:
            return out
        lines = [spec.encode("utf-8", "surrogateescape") + b"\n" for spec in todo]
        proc = self._batch()
        try:
            start = 0
            while start < len(todo):
                # Un paquet tient dans le tampon du tube : l'écrire ne bloque jamais, même si git
                # attend qu'on lise ses réponses ; on lit ensuite toutes les réponses du paquet.
                end, size = start, 0
                while end < len(todo) and (end == start or size + len(lines[end]) < _BATCH_CHUNK):
                    size += len(lines[end])
                    end += 1
                proc.stdin.write(b"".join(lines[start:end]))
                proc.stdin.flush()
                for spec in todo[start:end]:
                    out[spec] = self._read_one(proc)
                start = end
        except (OSError, ValueError) as exc:
            self.close()
            raise EnvironmentProblem(
                f"lecture des objets git impossible (git cat-file) : {exc}", "vérifier le dépôt avec « git fsck »"
            ) from None
        return out

    def _batch(self) -> Any:
        if self._cat_file is None or self._cat_file.poll() is not None:
            mod = _gitpython()
            self.processes += 1
            try:
                self._cat_file = self._repo.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
            except mod.GitCommandNotFound:
                raise EnvironmentProblem(*GIT_MISSING) from None
        return self._cat_file

    @staticmethod
    def _read_one(proc: Any) -> bytes | None:
        header = proc.stdout.readline()
        if not header.endswith(b"\n"):
            raise ValueError("réponse de git cat-file interrompue")
        header = header[:-1]
        if header.endswith((b" missing", b" ambiguous")):
            return None
        parts = header.split()
        if len(parts) != 3 or not parts[2].isdigit():
            raise ValueError(f"réponse inattendue de git cat-file : {_decode(header)!r}")
        size = int(parts[2])
        data = proc.stdout.read(size + 1)  # contenu + saut de ligne final
        if len(data) != size + 1:
            raise ValueError("réponse de git cat-file interrompue")
        return data[:size]

    # -- écriture ------------------------------------------------------------------------
    def add_and_commit(self, paths: Sequence[str], message: str, author: tuple[str, str]) -> str | None:
        """Indexe et committe exactement `paths` (relatifs à la racine git) ; rend le sha, ou None.

        None : rien n'a changé (pas de commit vide). `message` est gardé tel quel. Si git refuse le
        commit (crochet pre-commit…), l'index de ces chemins redevient ce qu'il était et l'erreur est
        une EnvironmentProblem.
        """
        name, email = author
        # -A : une suppression ou un nouveau fichier sont indexés aussi ; seulement ces chemins.
        self._run("add", "-A", "--", *paths)
        if self._run("diff", "--cached", "--quiet", "--", *paths, check=False)[0] == 0:
            return None
        ident = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        status, out, err = self._run(
            "commit", "--quiet", "--cleanup=verbatim", "-F", "-", "--", *paths, input=message.encode("utf-8"), check=False, env=ident,
        )
        if status != 0:
            if self.has_commits():  # l'index redevient ce qu'il était avant la commande
                self._run("reset", "--quiet", "--", *paths, check=False)
            detail = err.strip() or _decode(out).strip()
            raise EnvironmentProblem(
                f"git a refusé le commit : {detail.splitlines()[-1] if detail else 'sans message'}",
                "le fichier est écrit mais pas committé ; voir « git status » (un crochet pre-commit a pu le refuser)",
            )
        return _decode(self._run("rev-parse", "HEAD")[1]).strip()


    def purge_history(self, literals: Sequence[str], paths_removed: Sequence[str] = ()) -> None:
        """Réécrit TOUT l'historique (toutes les références) avec git-filter-repo : chaque texte de
        `literals` est remplacé par « ***EFFACE-RGPD*** » dans les contenus et les messages, et les
        fichiers `paths_removed` disparaissent des versions passées. Irréversible."""
        import sys

        script = "import sys, git_filter_repo; sys.argv[0] = 'git-filter-repo'; git_filter_repo.main()"
        with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as fh:
            for text in literals:
                fh.write(f"literal:{text}==>***EFFACE-RGPD***\n".encode())
            rules = fh.name
        try:
            args = [sys.executable, "-c", script, "--force", "--replace-text", rules, "--replace-message", rules]
            for rel in paths_removed:
                args += ["--path", rel]
            if paths_removed:
                args.append("--invert-paths")
            proc = subprocess.run(args, cwd=self.top, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
            self.processes += 1
        finally:
            os.unlink(rules)
        if proc.returncode != 0:
            detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
            raise EnvironmentProblem(
                f"la purge de l'historique (git-filter-repo) a échoué : {detail[-1] if detail else 'sans message'}",
                "vérifier que git-filter-repo est installé (pip install git-filter-repo) et que le dépôt n'a pas de modification en cours",
            )


def open_repo(path: Path) -> GitRepo | None:
    """Le dépôt git qui contient `path`, ou None si ce n'en est pas un.

    EnvironmentProblem si `path` est dans un dépôt git mais que git n'est pas installé.
    """
    if not git_available():
        if _inside_work_tree(path):
            raise EnvironmentProblem(*GIT_MISSING)
        return None
    mod = _gitpython()
    try:
        repo = mod.Repo(str(path), search_parent_directories=True)
    except (mod.InvalidGitRepositoryError, mod.NoSuchPathError):
        return None
    if repo.bare or repo.working_tree_dir is None:
        repo.close()
        return None
    return GitRepo(repo)


def require_repo(root: Path, *, need_commits: bool = True) -> GitRepo:
    """Le dépôt git de `root`, ou une erreur française précise (commandes d'historique)."""
    repo = open_repo(root)
    if repo is None:
        raise EnvironmentProblem(
            f"« {root} » n'est pas un dépôt git : l'historique des dossiers n'est pas disponible",
            "initialiser le dépôt avec « git init » puis « git add -A && git commit », ou créer un dépôt avec « guichet init DOSSIER »",
        )
    if need_commits and not repo.has_commits():
        repo.close()
        raise EnvironmentProblem(
            "le dépôt git n'a encore aucun commit : pas d'historique à lire",
            "faire un premier commit (« git add -A && git commit -m 'Dépôt initial' »)",
        )
    return repo


def init_repo(path: Path, *, branch: str = "main") -> GitRepo:
    """`git init` dans `path` (qui existe), branche initiale `branch`."""
    _execute(_plain_git(path), ("init", "--quiet", f"--initial-branch={branch}"), check=True)
    repo = open_repo(path)
    if repo is None:  # pragma: no cover - git init vient de réussir
        raise EnvironmentProblem(f"« {path} » : git init n'a pas créé de dépôt", "vérifier les droits sur le dossier")
    return repo
