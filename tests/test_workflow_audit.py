"""Commits d'audit : trailers lisibles par git, refus des index sales, des fichiers invalides, des états git douteux."""

from __future__ import annotations

import pytest
from conftest import git
from test_workflow_support import base_case, edit_case, new_git_repo

from guichet_cli.core import audit
from guichet_cli.core.errors import DataError, EnvironmentProblem, UsageError
from guichet_cli.core.workspace import open_workspace

CID = "GRCS-2026-AAAA"


@pytest.fixture
def root(tmp_path):
    return new_git_repo(tmp_path, [base_case(CID)])


def _commit(ws, path, **kw):
    return audit.commit_changes(ws, [path], case_id=CID, action="statut", subject=f"{CID} : en analyse", **kw)


def test_trailers_parse_with_git(root):
    ws = open_workspace(root)
    path = root / f"cases/2026/{CID}.yaml"
    edit_case(path, statut="en_analyse")
    sha = _commit(ws, path, status_change=("recue", "en_analyse"))
    assert sha == git(root, "rev-parse", "HEAD").strip()
    trailers = git(root, "log", "-1", "--format=%(trailers)")
    assert trailers.strip().splitlines() == [f"Guichet-Dossier: {CID}", "Guichet-Action: statut", "Guichet-Statut: recue -> en_analyse"]
    assert git(root, "log", "-1", "--format=%s").strip() == f"{CID} : en analyse"
    assert git(root, "log", "-1", "--format=%an <%ae>").strip() == "Agent MACS <agent@macs.invalid>"
    assert git(root, "status", "--porcelain").strip() == ""
    # aucun changement : pas de commit vide
    assert _commit(ws, path) is None


def test_status_none_is_written_aucun(root):
    msg = audit.commit_message("X : créée", case_id=CID, action="creation", status_change=(None, "recue"))
    assert msg.endswith("\n\nGuichet-Dossier: GRCS-2026-AAAA\nGuichet-Action: creation\nGuichet-Statut: aucun -> recue\n")


def test_refuses_unrelated_staged_changes(root):
    ws = open_workspace(root)
    (root / "notes.txt").write_text("brouillon\n", encoding="utf-8")
    git(root, "add", "notes.txt")
    path = root / f"cases/2026/{CID}.yaml"
    edit_case(path, notes="x")
    head = git(root, "rev-parse", "HEAD")
    with pytest.raises(UsageError, match="sans rapport.*notes.txt"):
        _commit(ws, path)
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "diff", "--cached", "--name-only").strip() == "notes.txt"  # index inchangé


def test_refuses_invalid_file(root):
    ws = open_workspace(root)
    path = root / f"cases/2026/{CID}.yaml"
    edit_case(path, statut="statut_inexistant")
    head = git(root, "rev-parse", "HEAD")
    with pytest.raises(DataError, match="commit refusé") as err:
        _commit(ws, path)
    assert f"cases/2026/{CID}.yaml:" in err.value.message and ": $.statut: " in err.value.message  # forme de guichet validate
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "diff", "--cached", "--name-only").strip() == ""


def test_invalid_edit_writes_nothing(root):
    ws = open_workspace(root)
    path = root / f"cases/2026/{CID}.yaml"
    before = path.read_bytes()

    def mutate(data):
        data["statut"] = 42

    with pytest.raises(DataError, match="rien n'a été écrit"):
        ws.store.edit(path, mutate)
    assert path.read_bytes() == before


def test_not_a_git_repo_returns_none(tmp_path):
    from conftest import copy_repo
    from test_workflow_support import write_case

    plain = copy_repo(tmp_path / "plain", with_cases=False)
    path = write_case(plain, base_case(CID))
    assert _commit(open_workspace(plain), path) is None
    assert _commit(open_workspace(plain), path, no_commit=True) is None


def test_detached_head_and_merge_in_progress(root):
    ws = open_workspace(root)
    path = root / f"cases/2026/{CID}.yaml"
    git(root, "switch", "-q", "--detach")
    edit_case(path, notes="x")
    with pytest.raises(EnvironmentProblem, match="HEAD est détachée"):
        _commit(ws, path)
    git(root, "switch", "-q", "main")
    (root / ".git" / "MERGE_HEAD").write_text(git(root, "rev-parse", "HEAD"))
    with pytest.raises(EnvironmentProblem, match="fusion"):
        _commit(ws, path)


def test_missing_identity(root, tmp_path, monkeypatch):
    ws = open_workspace(root)
    git(root, "config", "--unset", "user.name")
    git(root, "config", "--unset", "user.email")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "absent"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for k in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(k, raising=False)
    path = root / f"cases/2026/{CID}.yaml"
    edit_case(path, notes="x")
    with pytest.raises(EnvironmentProblem, match="identité git") as exc:
        _commit(ws, path)
    assert "git config --global user.name" in str(exc.value)
