"""Fixtures partagées : copie du dépôt d'exemple dans un dossier temporaire (avec ou sans git), CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guichet_cli.cli.app import app

PROJECT = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = PROJECT.parent / "shared" / "reference"
DATA_DIRS = ["schemas", "rules", "partners", "donneurs", "contacts", "structures", "cases", "clause_templates"]


def copy_repo(dest: Path, with_cases: bool = True) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT / "guichet.yaml", dest / "guichet.yaml")
    for d in DATA_DIRS:
        if d == "cases" and not with_cases:
            (dest / "cases").mkdir(exist_ok=True)
            continue
        if (PROJECT / d).is_dir():
            shutil.copytree(PROJECT / d, dest / d)
    return dest


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=full_env).stdout


def init_git(path: Path) -> Path:
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Agent MACS")
    git(path, "config", "user.email", "agent@macs.invalid")
    git(path, "config", "commit.gpgSign", "false")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "Dépôt initial\n")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Copie du dépôt d'exemple (données + dossiers), sans git."""
    return copy_repo(tmp_path / "depot")


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """Copie du dépôt d'exemple dans un vrai dépôt git avec un premier commit."""
    return init_git(copy_repo(tmp_path / "depot"))


@pytest.fixture(scope="module")
def shared_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Une seule copie du dépôt pour les tests d'un module qui ne font que lire."""
    return copy_repo(tmp_path_factory.mktemp("lecture") / "depot")


@pytest.fixture
def ws(shared_repo: Path):
    """Espace de travail ouvert sur la copie partagée (lecture seule)."""
    from guichet_cli.core.workspace import open_workspace

    return open_workspace(shared_repo)


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, repo: Path | None = None, code: int | None = 0, input: str | None = None):
        argv = list(args)
        env = {"GUICHET_REPO": str(repo)} if repo else {}
        result = self.runner.invoke(app, argv, env=env, input=input, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, f"code {result.exit_code} ≠ {code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        return result


@pytest.fixture
def cli() -> Cli:
    return Cli()
