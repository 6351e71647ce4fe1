"""Aide et erreurs d'utilisation en français.

typer embarque sa propre copie de click (typer._click) dont les textes sont en anglais et non
traduisibles par gettext : on remplace ici, une seule fois, les quelques textes qu'un agent voit.
"""

from __future__ import annotations

import re
from typing import IO, Any

import typer.core as typer_core
from typer._click import decorators, exceptions, formatting

_WORDS = {
    "Arguments": "Arguments",
    "Options": "Options",
    "Commands": "Commandes",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(calculé)",
    "Aborted!": "Interrompu.",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue « {name} ».",
}

_ERRORS = [
    (re.compile(r"^No such option: (.*?)(?: Did you mean (.*)\?)?$"), "option inconnue : {0}"),
    (re.compile(r"^Missing argument '(.*)'\.?$"), "argument obligatoire manquant : {0}"),
    (re.compile(r"^Missing option '(.*)'\.?$"), "option obligatoire manquante : {0}"),
    (re.compile(r"^Got unexpected extra arguments? \((.*)\)$"), "argument(s) en trop : {0}"),
    (re.compile(r"^Invalid value for '([^']*)'(?: / '[^']*')?: (?:Value error, )?'(.*)' is not one of (.*)\.$"),
     "{0} : valeur « {1} » inconnue ; valeurs possibles : {2}"),
    (re.compile(r"^Invalid value for (.*?): (.*)$"), "valeur invalide pour {0} : {1}"),
    (re.compile(r"^Option '(.*)' requires an argument\.$"), "l'option {0} attend une valeur"),
    (re.compile(r"^(.*) is not a valid (.*)\.?$"), "{0} n'est pas un(e) {1} valide"),
]


def _fr(message: str) -> str:
    for pattern, template in _ERRORS:
        m = pattern.match(message)
        if m:
            # 'a', 'b' (repr de click) → a, b
            return template.format(*((g or "").replace("'", "") for g in m.groups()))
    return message


def _show_usage_error(self: exceptions.UsageError, file: IO[Any] | None = None) -> None:
    from typer._click.utils import echo

    hint = ""
    if self.ctx is not None:
        if self.ctx.command.get_help_option(self.ctx) is not None:
            hint = f"Aide : {self.ctx.command_path} {self.ctx.help_option_names[0]}\n"
        echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=file is None)
    echo(f"Erreur : {_fr(self.format_message())}", file=file, err=file is None)


def install() -> None:
    typer_core._ = lambda s: _WORDS.get(s, s)  # type: ignore[attr-defined]
    original = decorators.help_option

    def help_option(*args: Any, **kwargs: Any) -> Any:
        deco = original(*args, **kwargs)

        def apply(f: Any) -> Any:
            result = deco(f)
            params = getattr(result, "params", None) or getattr(f, "__click_params__", [])
            for p in params:
                if getattr(p, "help", None) == "Show this message and exit.":
                    p.help = "Affiche cette aide et quitte."
                    # Défaut booléen (typer laisse None) : typer ne convertit pas un booléen, et
                    # n'importe donc pas pydantic (0,1 s) pour l'option d'aide de chaque commande.
                    p.default = False
            return result

        return apply

    decorators.help_option = help_option
    exceptions.UsageError.show = _show_usage_error  # type: ignore[method-assign]
    original_write_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_write_usage(self, prog, args, prefix if prefix is not None else "Utilisation : ")

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]
