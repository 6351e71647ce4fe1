"""Options et aides partagées par les commandes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.core.workspace import Workspace, open_workspace

RepoOption = Annotated[
    Path | None,
    typer.Option(
        "--repo",
        help="Dossier du dépôt guichet (par défaut : variable GUICHET_REPO, sinon recherche depuis le dossier courant).",
        show_default=False,
    ),
]


def workspace(repo: Path | None) -> Workspace:
    return open_workspace(repo)


def echo(text: str = "", err: bool = False) -> None:
    typer.echo(text, err=err)


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
