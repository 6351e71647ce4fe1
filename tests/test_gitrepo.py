"""gitrepo : le module unique des appels git (GitPython), sur de vrais dépôts temporaires."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import PROJECT, git
from test_workflow_support import base_case, new_git_repo, write_case

from guichet_cli.core import audit, gitrepo
from guichet_cli.core.errors import EnvironmentProblem, UsageError
from guichet_cli.core.gitrepo import Change, parse_name_status
from guichet_cli.core.history import load_history
from guichet_cli.core.workspace import open_workspace

SPACED = "cases/2026/dossier à relire.yaml"  # espace et accent : -z, pas de guillemets de git


def _plain_repo(tmp_path: Path) -> Path:
    root = tmp_path / "dépôt brut"
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Agent MACS")
    git(root, "config", "user.email", "agent@macs.invalid")
    git(root, "config", "commit.gpgSign", "false")
    return root


def _write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def _commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


class GitCounter:
    """Compte les processus git lancés (enveloppe de subprocess.Popen : compte, ne simule rien)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[list[str]] = []
        orig = subprocess.Popen.__init__
        counter = self

        def init(popen_self, args, *a, **kw):  # type: ignore[no-untyped-def]
            argv = [str(x) for x in args] if isinstance(args, list | tuple) else str(args).split()
            if Path(argv[0]).name == "git":
                counter.calls.append(argv)
            return orig(popen_self, args, *a, **kw)

        monkeypatch.setattr(subprocess.Popen, "__init__", init)

    @property
    def count(self) -> int:
        return len(self.calls)


# -- découverte, état -------------------------------------------------------------------------


def test_open_repo_finds_the_top_from_a_subdirectory(tmp_path, monkeypatch):
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"):
        monkeypatch.delenv(key, raising=False)
    root = _plain_repo(tmp_path)
    (root / "cases" / "2026").mkdir(parents=True)
    repo = gitrepo.open_repo(root / "cases" / "2026")
    assert repo is not None and repo.top == root.resolve()
    assert not repo.has_commits() and repo.current_branch() == "main"
    assert repo.prefix_for(root / "cases") == "cases/" and repo.prefix_for(root) == ""
    _write(root, "a.txt", "a\n")
    _commit(root, "premier\n")
    assert repo.has_commits() and not repo.is_shallow() and repo.in_progress_operation() is None
    assert repo.identity() == ("Agent MACS", "agent@macs.invalid")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Élise Facilitatrice")  # l'environnement prime, comme pour git
    assert repo.identity() == ("Élise Facilitatrice", "agent@macs.invalid")
    git(root, "switch", "-q", "--detach")
    assert repo.current_branch() is None
    assert gitrepo.open_repo(tmp_path) is None  # pas un dépôt


def test_unknown_ref_is_a_usage_error_in_french(tmp_path):
    root = _plain_repo(tmp_path)
    _write(root, "a.txt", "a\n")
    sha = _commit(root, "premier\n")
    with gitrepo.open_repo(root) as repo:
        assert repo.resolve_commit("main") == sha and repo.resolve_commit("HEAD") == sha
        with pytest.raises(UsageError, match="référence git inconnue : « origin/nulle-part »") as err:
            repo.resolve_commit("origin/nulle-part")
        assert "fetch-depth: 0" in (err.value.hint or "")
        with pytest.raises(UsageError):
            repo.resolve_commit("--output=/tmp/x")  # jamais pris pour une option


def test_git_failures_become_french_environment_problems(tmp_path, monkeypatch):
    root = _plain_repo(tmp_path)
    _write(root, "a.txt", "a\n")
    _commit(root, "premier\n")
    repo = gitrepo.open_repo(root)
    with pytest.raises(EnvironmentProblem, match=r"la commande « git log .* » a échoué : fatal: bad revision") as err:
        repo.log_name_status(["cases/"], "pas-de-branche")
    assert "git status" in (err.value.hint or "")
    with pytest.raises(EnvironmentProblem, match="n'est pas un dépôt git"):
        gitrepo.require_repo(tmp_path)
    empty = _plain_repo(tmp_path / "vide")
    with pytest.raises(EnvironmentProblem, match="aucun commit"):
        gitrepo.require_repo(empty)
    # git absent de la machine : dans un dépôt, on le dit ; hors dépôt, il n'y a rien à faire
    nobin = tmp_path / "sans-git"
    nobin.mkdir()
    monkeypatch.setenv("PATH", str(nobin))
    with pytest.raises(EnvironmentProblem, match="git est introuvable sur cette machine"):
        gitrepo.open_repo(root)
    with pytest.raises(EnvironmentProblem, match="git est introuvable sur cette machine"):
        repo.has_commits()
    assert gitrepo.open_repo(nobin) is None


def test_repository_owned_by_someone_else_is_explained(tmp_path):
    import os

    root = _plain_repo(tmp_path)
    if os.geteuid() != 0:
        pytest.skip("il faut pouvoir donner le dépôt à un autre utilisateur (root)")
    subprocess.run(["chown", "-R", "nobody", str(root)], check=True)
    repo = gitrepo.open_repo(root)
    assert repo is not None
    with pytest.raises(EnvironmentProblem, match="appartient à un autre utilisateur") as err:
        repo.has_commits()
    assert "safe.directory" in (err.value.hint or "")


# -- lecture des objets -----------------------------------------------------------------------


def test_read_blobs_uses_one_long_lived_cat_file(tmp_path, monkeypatch):
    root = _plain_repo(tmp_path)
    _write(root, "cases/2026/A.yaml", "statut: recue\n")
    _write(root, SPACED, "statut: en_analyse\nnote: « été »\n")
    _write(root, "vide.txt", "")
    first = _commit(root, "premier\n")
    _write(root, "cases/2026/A.yaml", "statut: en_analyse\n")
    second = _commit(root, "second\n")
    repo = gitrepo.open_repo(root)
    counter = GitCounter(monkeypatch)
    got = repo.read_blobs([f"{first}:cases/2026/A.yaml", f"{second}:cases/2026/A.yaml", f"{first}:{SPACED}",
                           f"{first}:vide.txt", f"{first}:absent.yaml", f"{first}:cases/2026/absent avec espace.yaml",
                           f"{second}^2", "pas\nune ligne"])
    assert got[f"{first}:cases/2026/A.yaml"] == b"statut: recue\n"
    assert got[f"{second}:cases/2026/A.yaml"] == b"statut: en_analyse\n"
    assert got[f"{first}:{SPACED}"] == "statut: en_analyse\nnote: « été »\n".encode()
    assert got[f"{first}:vide.txt"] == b""
    assert got[f"{first}:absent.yaml"] is None and got[f"{first}:cases/2026/absent avec espace.yaml"] is None
    assert got[f"{second}^2"] is None and got["pas\nune ligne"] is None
    commit = repo.read_blobs([second])[second]
    assert commit is not None and commit.startswith(b"tree ") and b"\n\nsecond\n" in commit
    # doublons, plusieurs paquets de requêtes, plusieurs appels : toujours le même processus
    assert repo.read_blobs([second, second]) == {second: commit} and repo.read_blobs([]) == {}
    big = [f"{first}:cases/2026/{'x' * 200}-{i}.yaml" for i in range(400)] + [f"{first}:cases/2026/A.yaml"]
    got = repo.read_blobs(big)  # ~90 Ko de requêtes : trois paquets
    assert got.pop(f"{first}:cases/2026/A.yaml") == b"statut: recue\n" and set(got.values()) == {None}
    assert [c[:3] for c in counter.calls] == [["git", "cat-file", "--batch"]]
    repo.close()
    assert repo.read_blobs([f"{first}:vide.txt"]) == {f"{first}:vide.txt": b""}  # rouvert au besoin
    repo.close()


# -- l'unique lecteur de --name-status -z -----------------------------------------------------


def test_parse_name_status_tokens():
    raw = b"M\0cases/a b.yaml\0R087\0cases/old.yaml\0cases/\xc3\xa9t\xc3\xa9.yaml\0D\0gone.yaml\0C100\0x\0y\0A\0new\xff.yaml\0"
    assert parse_name_status(raw) == [
        Change("M", "cases/a b.yaml"), Change("R", "cases/été.yaml", "cases/old.yaml"), Change("D", "gone.yaml"),
        Change("C", "y", "x"), Change("A", "new\udcff.yaml"),  # octets non UTF-8 gardés (surrogateescape)
    ]
    assert parse_name_status(b"\0\nM\0a.yaml\0") == [Change("M", "a.yaml")]  # début d'enregistrement de git log
    assert parse_name_status(b"") == [] and parse_name_status(b"M\0") == []


def test_log_and_diff_share_the_parser_renames_deletions_spaces_accents(tmp_path):
    root = _plain_repo(tmp_path)
    _write(root, "cases/2026/GRCS-2026-AAAA.yaml", "id: GRCS-2026-AAAA\nstatut: recue\n" + "x: 1\n" * 20)
    _write(root, "cases/2026/GRCS-2026-BBBB.yaml", "id: GRCS-2026-BBBB\nstatut: recue\n")
    _write(root, "autre/hors-cases.txt", "hors\n")
    first = _commit(root, "Dépôt initial\n")
    git(root, "mv", "cases/2026/GRCS-2026-AAAA.yaml", SPACED)
    (root / "cases/2026/GRCS-2026-BBBB.yaml").unlink()
    _write(root, "cases/2025/Élodie.yaml", "statut: recue\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "renommage, suppression, ajout\n\nGuichet-Dossier: GRCS-2026-AAAA\nGuichet-Action: statut\n")
    repo = gitrepo.open_repo(root)

    entries = repo.log_name_status(["cases/"])
    assert [e.subject for e in entries] == ["renommage, suppression, ajout", "Dépôt initial"]
    newest = entries[0]
    assert newest.trailers == {"Guichet-Dossier": "GRCS-2026-AAAA", "Guichet-Action": "statut"}
    assert newest.parents == (first,) and newest.author == "Agent MACS" and newest.date[:4].isdigit()
    assert sorted(newest.changes) == sorted([
        Change("A", "cases/2025/Élodie.yaml"), Change("D", "cases/2026/GRCS-2026-BBBB.yaml"),
        Change("R", SPACED, "cases/2026/GRCS-2026-AAAA.yaml"),
    ])
    assert {c.path for c in entries[1].changes} == {"cases/2026/GRCS-2026-AAAA.yaml", "cases/2026/GRCS-2026-BBBB.yaml"}

    # copie de travail contre REF : même lecteur, index et fichiers non suivis compris
    _write(root, SPACED, (root / SPACED).read_text(encoding="utf-8").replace("recue", "en_analyse"))
    _write(root, "cases/2026/non suivi é.yaml", "statut: recue\n")
    changes = repo.diff_name_status(first, "cases")
    assert Change("R", SPACED, "cases/2026/GRCS-2026-AAAA.yaml") in changes
    assert Change("D", "cases/2026/GRCS-2026-BBBB.yaml") in changes and Change("A", "cases/2025/Élodie.yaml") in changes
    assert repo.untracked("cases") == ["cases/2026/non suivi é.yaml"]
    assert repo.diff_name_status("HEAD", "autre") == []
    repo.close()


# -- commits d'audit --------------------------------------------------------------------------


def test_add_and_commit_keeps_the_message_and_its_trailers(tmp_path):
    root = _plain_repo(tmp_path)
    _write(root, "a.txt", "a\n")
    _commit(root, "premier\n")
    _write(root, SPACED, "statut: en_analyse\n")
    _write(root, "autre.txt", "pas dans ce commit\n")
    message = audit.commit_message("GRCS-2026-AAAA : en analyse", case_id="GRCS-2026-AAAA", action="statut",
                                   status_change=("recue", "en_analyse"))
    with gitrepo.open_repo(root) as repo:
        sha = repo.add_and_commit([SPACED], message, ("Élise Facilitatrice", "elise@exemple.invalid"))
        assert sha == git(root, "rev-parse", "HEAD").strip()
        assert repo.staged_paths() == []
        assert repo.add_and_commit([SPACED], message, ("Élise Facilitatrice", "elise@exemple.invalid")) is None  # rien à committer
    raw = subprocess.run(["git", "cat-file", "commit", sha], cwd=root, capture_output=True, check=True).stdout
    assert raw.split(b"\n\n", 1)[1] == message.encode("utf-8")  # à l'octet près
    assert b"\nauthor \xc3\x89lise Facilitatrice <elise@exemple.invalid> " in raw
    body = git(root, "log", "-1", "--format=%B", sha)
    parsed = subprocess.run(["git", "interpret-trailers", "--parse"], input=body, cwd=root, capture_output=True, text=True, check=True).stdout
    assert parsed.splitlines() == ["Guichet-Dossier: GRCS-2026-AAAA", "Guichet-Action: statut", "Guichet-Statut: recue -> en_analyse"]
    assert git(root, "show", "-z", "--name-only", "--format=", sha).strip("\0\n").split("\0") == [SPACED]  # ce chemin seul
    assert "autre.txt" in git(root, "status", "--porcelain")


def test_refused_commit_restores_the_index(tmp_path):
    root = _plain_repo(tmp_path)
    _write(root, "a.txt", "a\n")
    _commit(root, "premier\n")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'refusé par le crochet' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    _write(root, "a.txt", "modifié\n")
    with gitrepo.open_repo(root) as repo:
        with pytest.raises(EnvironmentProblem, match="git a refusé le commit : refusé par le crochet") as err:
            repo.add_and_commit(["a.txt"], "sujet\n", ("Agent MACS", "agent@macs.invalid"))
        assert "pre-commit" in (err.value.hint or "")
        assert repo.staged_paths() == []


# -- le coût ne dépend pas de la taille du dépôt ----------------------------------------------


def _history_repo(tmp: Path, n_cases: int, n_commits: int) -> Path:
    """n_cases demandes, n_commits commits sur cases/ (éditions à la main et une fusion : cat-file sert)."""
    ids = [f"GRCS-2026-{i:04d}" for i in range(n_cases)]
    root = new_git_repo(tmp, [base_case(cid) for cid in ids])
    made = 1
    git(root, "switch", "-q", "-c", "branche")
    path = root / "cases" / "2026" / f"{ids[0]}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("statut: recue", "statut: en_analyse"), encoding="utf-8")
    _commit(root, "analyse sur une branche\n")
    git(root, "switch", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "branche", "-m", "Merge pull request #1\n")
    made += 2
    i = 0
    while made < n_commits:
        path = root / "cases" / "2026" / f"{ids[i % n_cases]}.yaml"
        with path.open("a", encoding="utf-8") as f:
            f.write(f"# note {made}\n")
        git(root, "commit", "-q", "-a", "-m", f"note {made}\n")  # un processus par commit
        made += 1
        i += 1
    return root


def test_history_git_process_count_does_not_grow_with_files_or_commits(tmp_path, monkeypatch):
    small = _history_repo(tmp_path / "petit", 3, 6)
    large = _history_repo(tmp_path / "grand", 30, 60)
    assert int(git(large, "rev-list", "--count", "HEAD")) >= 60
    load_history(open_workspace(small))  # import de GitPython (son « git version ») hors comptage
    counts, processes = [], []
    for root in (small, large):
        counter = GitCounter(monkeypatch)
        hist = load_history(open_workspace(root))
        hist.resolve(hist.by_file)  # tout complété : statuts lus, auteurs des fusions
        hist.events_for("cases/2026/GRCS-2026-0000.yaml")
        counts.append(counter.count)
        processes.append(hist.git_processes)
        monkeypatch.undo()
    assert len(load_history(open_workspace(large)).events) > len(load_history(open_workspace(small)).events)
    assert counts[0] == counts[1] and processes[0] == processes[1] == counts[0]
    assert 3 <= counts[0] <= 4  # rev-parse HEAD, rev-parse --is-shallow-repository, log, cat-file --batch
    merged = load_history(open_workspace(large)).events_for("cases/2026/GRCS-2026-0000.yaml")
    assert any(e.merge and e.status_after == "en_analyse" and e.merged_by for e in merged)


def test_history_through_a_subdirectory_workspace(tmp_path):
    outer = _plain_repo(tmp_path)
    inner = new_git_repo(tmp_path / "x", [base_case("GRCS-2026-AAAA")])
    sub = outer / "guichet"
    shutil.copytree(inner, sub, ignore=shutil.ignore_patterns(".git"))
    write_case(sub, base_case("GRCS-2026-BBBB"))
    _commit(outer, "guichet dans un sous-dossier\n")
    hist = load_history(open_workspace(sub))
    assert hist.prefix == "guichet/" and hist.top == outer.resolve()
    assert {e.path for e in hist.events} == {"cases/2026/GRCS-2026-AAAA.yaml", "cases/2026/GRCS-2026-BBBB.yaml"}
    assert hist.events_for("cases/2026/GRCS-2026-AAAA.yaml")[0].status_after == "recue"


# -- un seul module parle à git ---------------------------------------------------------------


def test_only_gitrepo_talks_to_git():
    offenders = []
    for path in sorted((PROJECT / "guichet_cli").rglob("*.py")):
        rel = path.relative_to(PROJECT).as_posix()
        if rel == "guichet_cli/core/gitrepo.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import\s+git\b|from\s+git(\.\w+)*\s+import\b)", text, re.MULTILINE):
            offenders.append(f"{rel} : importe GitPython")
        if re.search(r"\b(subprocess|os\.system|os\.popen|Popen)\b", text) and re.search(r"""["']git["']""", text):
            offenders.append(f"{rel} : lance git par subprocess")
        if re.search(r"\b(run_git|_BlobReader|git_toplevel|require_git)\b", text):
            offenders.append(f"{rel} : ancienne plomberie git")
    assert offenders == []
