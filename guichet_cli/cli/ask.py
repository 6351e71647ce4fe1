"""Questions en terminal et options en script, lues par les mêmes fonctions (core/facts/inputs.py).

Une option donnée est lue tout de suite (erreur d'utilisation qui nomme l'option) ; une valeur
obligatoire absente est demandée dans un terminal — une réponse refusée est redemandée, avec la
raison — et, dans un script, listée dans une seule erreur à la fin de la lecture des options.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from guichet_cli.cli.common import echo, interactive
from guichet_cli.core.errors import GuichetError, UsageError


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", str(exc))
    hint = getattr(exc, "hint", None)
    return message + (f" — {hint}" if hint else "")


def ask(question: str, parse: Callable[[str], Any], *, default: str | None = None) -> Any:
    """Pose la question jusqu'à une réponse acceptable."""
    while True:
        raw = typer.prompt(question, default=default, show_default=default is not None)
        try:
            return parse(raw)
        except (ValueError, GuichetError) as exc:
            echo(f"  Réponse refusée : {_reason(exc)}. Recommencer.", err=True)


class Answers:
    """Rassemble les valeurs d'une commande : options lues, questions posées, manques signalés."""

    def __init__(self, command: str, required: list[Any] | None = None) -> None:
        """`required` : valeurs des options obligatoires ; toutes données, les facultatives ne sont pas demandées."""
        self.command = command
        self.missing: list[str] = []
        self.tty = interactive()
        self.conversation = self.tty and (required is None or any(v is None for v in required))

    def get(self, given: Any, option: str, question: str, parse: Callable[[Any], Any], *, required: bool = True,
            default: str | None = None, ask_optional: bool = False) -> Any:
        if given is not None:
            try:
                return parse(given)
            except (ValueError, GuichetError) as exc:
                raise UsageError(f"{option} : {getattr(exc, 'message', str(exc))}", getattr(exc, "hint", None)) from None
        if self.tty and (required or (ask_optional and self.conversation)):
            if not required:  # facultatif : une réponse vide passe
                return ask(question + " (Entrée pour passer)", lambda raw: parse(raw) if str(raw).strip() else None, default="")
            return ask(question, parse, default=default)
        if required:
            self.missing.append(option)
        return None

    def done(self) -> None:
        if self.missing:
            raise UsageError(
                "valeurs obligatoires manquantes : " + ", ".join(self.missing),
                f"ajouter ces options (voir « guichet {self.command} --help ») ou lancer la commande dans un terminal pour répondre aux questions",
            )
