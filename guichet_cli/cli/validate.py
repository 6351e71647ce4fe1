"""`guichet validate` : valide dossiers, registres, règles et réglages du dépôt."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.choices import ValidateFormat
from guichet_cli.cli.common import RepoOption, echo, workspace
from guichet_cli.core.errors import EXIT_FINDINGS, UsageError


def validate(
    paths: Annotated[list[Path] | None, typer.Argument(metavar="CHEMIN...", help="Fichiers ou dossiers à valider (par défaut : tout le dépôt).", show_default=False)] = None,
    fmt: ValidateFormat = "text",
    out: Annotated[Path | None, typer.Option("--out", metavar="FICHIER", help="Écrit le rapport au format choisi dans ce fichier et affiche le texte à l'écran (intégration continue).", show_default=False)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="N'affiche rien quand tout est valide.")] = False,
    since: Annotated[str | None, typer.Option("--since", metavar="REF", help="Ne valide que ce qui a changé depuis cette référence git (ex. origin/main), avec le contrôle des transitions de statut.", show_default=False)] = None,
    allow_correction: Annotated[bool, typer.Option("--allow-correction", help="Avec --since, en local : accepte la réécriture d'un fait passé (date de réception, de notification…). En revue, tracer la correction par le trailer « Guichet-Correction: motif ».")] = False,
    message_file: Annotated[Path | None, typer.Option("--message-file", metavar="FICHIER", help="Avec --since : message du commit en cours (crochet commit-msg de pre-commit) ; ses trailers Guichet-Correction et Guichet-Suppression tracent les changements.", show_default=False)] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Nombre de processus de validation (par défaut : un par cœur de la machine ; 1 : un seul processus).", show_default=False)] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Revalide tout, sans reprendre les résultats des fichiers inchangés (cache dans .git/guichet/).")] = False,
    repo: RepoOption = None,
) -> None:
    """Valide les fichiers du dépôt : schéma, identifiants, références, statut, règles de droit.

    Exemples :

      guichet validate

      guichet validate cases/2026/

      guichet validate cases/2026/GRCS-2026-7F3K.yaml --format json

      guichet validate --format github      (dans l'intégration continue GitHub)

      guichet validate --format gitlab --out gl-code-quality.json   (GitLab)

      guichet validate --since origin/main  (demande de fusion : fichiers modifiés, suppressions et transitions)

      guichet validate --since HEAD --message-file .git/COMMIT_EDITMSG   (crochet commit-msg)
    """
    # Imports lourds (jsonschema, ruamel) dans la commande : « guichet --help » reste rapide (docs/architecture.md).
    from guichet_cli.core.validation import engine, output

    ws = workspace(repo)
    if since is not None:
        from guichet_cli.core.changes import validate_since

        if paths:
            raise UsageError("--since choisit lui-même les fichiers à valider : ne pas donner de chemins en plus")
        message = None
        if message_file is not None:
            try:
                message = message_file.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise UsageError(f"--message-file : impossible de lire « {message_file} » ({exc.strerror})") from None
        report, _changes = validate_since(ws, since, allow_correction=allow_correction, message=message)
    elif allow_correction or message_file is not None:
        raise UsageError(("--allow-correction" if allow_correction else "--message-file") + " ne s'utilise qu'avec --since REF")
    else:
        report = engine.validate(ws, paths or None, jobs=jobs, cache=not no_cache, stream=True)
    if out is not None:
        # Le fichier sert à la forge, l'écran à la personne qui lit le journal du pipeline.
        from guichet_cli.core.yamlio import atomic_write_text

        atomic_write_text(out, output.render(ws, report, fmt) + "\n")
        fmt = "text"
    if fmt == "text":
        if not (quiet and report.ok):
            # par paquets de lignes : 100 000 demandes, des centaines de milliers de constats, jamais tout
            # le rapport en une chaîne (pic mémoire)
            batch: list[str] = []
            for line in output.iter_text(ws, report, quiet=quiet):
                batch.append(line)
                if len(batch) >= 2000:
                    echo("\n".join(batch))
                    batch = []
            if batch:
                echo("\n".join(batch))
    else:
        text = output.render(ws, report, fmt, quiet=quiet)
        if text:
            echo(text)
    if not report.ok:
        raise typer.Exit(EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
