"""Point d'entrée `guichet` : assemble les groupes de commandes et traduit les erreurs en codes de sortie.

C'est le seul endroit où une GuichetError devient un message + un code de sortie
(0 ok, 1 problèmes dans les données, 2 mauvaise utilisation, 3 environnement).
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import typer
from typer.core import TyperGroup

from guichet_cli import __version__
from guichet_cli.cli import french, lazy
from guichet_cli.core.errors import EXIT_ENVIRONMENT, GuichetError

# Aide en français. L'aide est rendue sans rich (rich_markup_mode=None ci-dessous) : typer.rich_utils
# (et rich, 0,2 s) n'est donc PAS importé au démarrage ; voir « Démarrage rapide » dans docs/architecture.md.
french.install()


class GuichetGroup(TyperGroup):
    """Groupe racine : attrape les erreurs attendues de toutes les sous-commandes."""

    def list_commands(self, ctx: Any) -> list[str]:
        # Les noms, dans l'ordre d'inscription, sans convertir les commandes (typer passe par items()).
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # Groupe différé (cli/lazy.py) : la liste de l'aide sans convertir chaque commande.
        if not lazy.format_commands(self, ctx, formatter):
            super().format_commands(ctx, formatter)

    def invoke(self, ctx: Any) -> Any:
        from guichet_cli.core import safety

        safety.WRITTEN.clear()
        try:
            return super().invoke(ctx)
        except GuichetError as exc:
            typer.echo(f"Erreur : {exc.message}", err=True)
            if exc.hint:
                typer.echo(f"→ {exc.hint}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo(interrupted_message(safety.WRITTEN), err=True)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # `guichet log | head` : le lecteur a fermé le tube ; ce n'est pas une erreur de guichet.
            # La sortie standard est redirigée vers /dev/null pour que Python ne râle pas en la vidant à la sortie.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(141) from None  # comme un programme tué par SIGPIPE (git, grep…)
        except Exception as exc:
            # typer.Exit et les erreurs d'usage de typer sont des exceptions : les laisser passer.
            if type(exc).__module__.startswith(("typer", "click")):
                raise
            if os.environ.get("GUICHET_DEBUG"):
                raise
            typer.echo(
                f"Erreur interne de guichet ({type(exc).__name__} : {exc}).\n"
                "→ Ce n'est pas une erreur de saisie : merci de la signaler à l'équipe guichet avec la commande lancée "
                "(relancer avec GUICHET_DEBUG=1 pour le détail technique).",
                err=True,
            )
            if os.environ.get("GUICHET_TRACE"):
                traceback.print_exc()
            raise typer.Exit(EXIT_ENVIRONMENT) from None


def interrupted_message(written: list[Any]) -> str:
    """Ce qu'un Ctrl-C (ou un arrêt demandé) laisse : les fichiers écrits sont complets, aucun temporaire."""
    if not written:
        return "Interrompu : rien n'a été écrit."
    folders = sorted({str(p.parent) for p in written})
    where = folders[0] if len(folders) == 1 else f"{len(folders)} dossiers"
    from guichet_cli.core import frformat as fr

    return (f"Interrompu : {fr.count(len(written), 'fichier écrit', 'fichiers écrits', plain=True)} avant l'arrêt dans {where} (dernier : {written[-1].name}), "
            "chacun complet ; aucun fichier temporaire laissé. Relancer la commande pour produire les suivants.")


def _terminate(signum: int, frame: Any) -> None:
    # `kill` (SIGTERM) suit le même chemin que Ctrl-C : les écritures en cours se terminent ou
    # s'annulent (fichier temporaire supprimé) au lieu de laisser un reste.
    raise KeyboardInterrupt


app = typer.Typer(
    cls=GuichetGroup,
    name="guichet",
    help=(
        "Boîte à outils du Guichet Régional des Clauses Sociales d'Île-de-France (MACS – GIP Maximilien).\n\n"
        "Exemples :\n\n"
        "  guichet validate                      valider tout le dépôt\n\n"
        "  guichet new --buyer 21930066200018 --object \"Nettoyage des locaux\" …\n\n"
        "  guichet validate cases/2026/GRCS-2026-7F3K.yaml --format json"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from guichet_cli.core.yamlio import c_parser_active

        parser = "analyseur YAML C actif" if c_parser_active() else "analyseur YAML pur Python (lent : installer ruamel.yaml[oldlibyaml])"
        typer.echo(f"guichet {__version__} — {parser}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", help="Affiche la version et l'analyseur YAML utilisé.", callback=_version, is_eager=True),
) -> None:
    """Guichet Régional des Clauses Sociales d'Île-de-France."""


def _register() -> None:
    # Un module par groupe de commandes ; chacun expose register(app).
    import importlib

    for name in MODULES:
        importlib.import_module(f"guichet_cli.cli.{name}").register(app)


MODULES = ["validate", "new", "workflow", "analysis", "render", "report", "record", "opendata", "sourcing", "structures", "followup", "rgpd", "share"]
_register()


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    # Comme app(), mais chaque commande n'est convertie par typer que si on la lance ou demande son
    # aide (cli/lazy.py) : `guichet --help` ne paie pas l'analyse des 45 fonctions de commande.
    lazy.build(app)(prog_name="guichet")
    sys.exit(0)
