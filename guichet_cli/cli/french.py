"""Aide et erreurs d'utilisation en français.

typer embarque sa propre copie de click (typer._click) dont les textes sont en anglais et non
traduisibles par gettext : on remplace ici, une seule fois, tout ce qu'un agent peut lire — titres
de l'aide, ligne d'utilisation (`COMMANDE [ARGUMENTS]...`), noms de valeurs (`TEXTE`, `NOMBRE`,
`CHEMIN` au lieu de `<str>`, `<int>`, `<path>` ; les commandes donnent les leurs : `SIRET`,
`MONTANT`, `AAAA-MM-JJ`), messages d'erreur de click et ceux de pydantic que typer relaie
(« Input should be a valid integer »), suggestion « Did you mean ».
tests/test_cli_french.py parcourt toutes les commandes et vérifie qu'aucun texte anglais ne reste.
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

# Noms de valeurs que typer déduit du type Python → ce qu'il faut taper.
_TYPES = {"str": "TEXTE", "int": "NOMBRE", "float": "NOMBRE", "path": "CHEMIN", "file": "FICHIER", "directory": "DOSSIER",
          "bool": "OUI|NON", "datetime": "AAAA-MM-JJ", "list[str]": "TEXTE", "list[int]": "NOMBRE", "list[path]": "CHEMIN"}

# Messages de pydantic (coercition des valeurs par typer) → français.
_VALUE_ERRORS = [
    (re.compile(r"^Input should be a valid integer.*$"), "un nombre entier est attendu (par exemple 12)"),
    (re.compile(r"^Input should be a valid number.*$"), "un nombre est attendu (par exemple 0,35 ou 12)"),
    (re.compile(r"^Input should be a valid boolean.*$"), "oui ou non est attendu"),
    (re.compile(r"^Input should be greater than or equal to (.*)$"), "la valeur doit être au moins {0}"),
    (re.compile(r"^Input should be less than or equal to (.*)$"), "la valeur doit être au plus {0}"),
    (re.compile(r"^Input should be greater than (.*)$"), "la valeur doit être supérieure à {0}"),
    (re.compile(r"^Input should be less than (.*)$"), "la valeur doit être inférieure à {0}"),
    (re.compile(r"^Input should be (.*)$"), "valeur attendue : {0}"),
    (re.compile(r"^Value must be an iterable\.?$"), "une liste de valeurs est attendue"),
    (re.compile(r"^Value (.*) is not a valid (.*)\.$"), "{0} n'est pas une valeur permise"),
]

_ERRORS = [
    (re.compile(r"^No such option: (.*?)(?: Did you mean (.*)\?)?$"), "option inconnue : {0}"),
    (re.compile(r"^Missing argument '?([^'.]*)'?\.?(?: .*)?$"), "argument obligatoire manquant : {0}"),
    (re.compile(r"^Missing option '?([^'.]*)'?\.?(?: .*)?$"), "option obligatoire manquante : {0}"),
    (re.compile(r"^Missing parameter: (.*)$"), "valeur obligatoire manquante : {0}"),
    (re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((.*)\)$"), lambda extra: _extra_arguments(extra)),
    (re.compile(r"^Invalid value for '?([^':]*)'?(?: / '[^']*')?: (?:Value error, )?'(.*)' is not one of (.*)\.$"),
     "{0} : valeur « {1} » inconnue ; valeurs possibles : {2}"),
    (re.compile(r"^Invalid value for (.*?): (.*)$"), "valeur invalide pour {0} : {1}"),
    (re.compile(r"^Invalid value: (.*)$"), "valeur invalide : {0}"),
    (re.compile(r"^Option '(.*)' requires an argument\.$"), "l'option {0} attend une valeur"),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.$"), "l'option {0} attend {1} valeurs"),
    (re.compile(r"^Option '(.*)' does not take a value\.$"), "l'option {0} ne prend pas de valeur"),
    (re.compile(r"^Argument '(.*)' takes (\d+) values\.$"), "l'argument {0} attend {1} valeurs"),
    (re.compile(r"^(.*) is not a valid (.*)\.?$"), "{0} : valeur invalide (attendu : {1})"),
]
def _extra_arguments(extra: str) -> str:
    """« argument en trop : c » / « arguments en trop : c d » (accord de frformat, chargé à l'erreur seulement)."""
    from guichet_cli.core import frformat as fr

    return f"{fr.agree(len(extra.split()), 'argument', 'arguments')} en trop : {extra}"


_DID_YOU_MEAN = re.compile(r"\.? ?(?:Did you mean|\(Possible options:) (.*?)\??\)?$")


def value_error(message: str) -> str:
    """Message d'une valeur refusée (pydantic, click) en français ; tel quel s'il l'est déjà."""
    for pattern, template in _VALUE_ERRORS:
        m = pattern.match(message)
        if m:
            return template.format(*((g or "").replace("'", "") for g in m.groups()))
    return message


def _fr(message: str) -> str:
    suggestion = ""
    m = _DID_YOU_MEAN.search(message)
    if m:
        names = ", ".join(f"« {n.strip().strip(chr(39))} »" for n in m.group(1).split(","))
        suggestion = f" — vouliez-vous dire {names} ?"
        message = message[: m.start()].rstrip(" .")
    for pattern, template in _ERRORS:
        m = pattern.match(message)
        if m:
            # 'a', 'b' (repr de click) → a, b
            groups = [(g or "").replace("'", "") for g in m.groups()]
            if callable(template):
                return template(*groups) + suggestion
            if "{1}" in template and len(groups) > 1 and template.startswith("valeur invalide pour"):
                groups[1] = value_error(groups[1])
            return template.format(*groups) + suggestion
    return value_error(message) + suggestion


def _show_usage_error(self: exceptions.UsageError, file: IO[Any] | None = None) -> None:
    from typer._click.utils import echo

    hint = ""
    if self.ctx is not None:
        if self.ctx.command.get_help_option(self.ctx) is not None:
            hint = f"Aide : {self.ctx.command_path} {self.ctx.help_option_names[0]}\n"
        echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=file is None)
    echo(f"Erreur : {_fr(self.format_message())}", file=file, err=file is None)


def _show_click_error(self: exceptions.ClickException, file: IO[Any] | None = None) -> None:
    from typer._click.utils import echo

    echo(f"Erreur : {_fr(self.format_message())}", file=file, err=file is None)


def _type_name(display: str | None) -> str | None:
    """`<int>` → NOMBRE, `<text|json>` → text|json."""
    if not display:
        return display
    inner = display[1:-1] if display.startswith("<") and display.endswith(">") else display
    if inner in _TYPES:
        return _TYPES[inner]
    if inner.startswith("list[") and inner.endswith("]"):
        inner = inner[5:-1]
    return _TYPES.get(inner, inner)


def _argument_name(self: Any) -> str:
    return self.metavar if self.metavar is not None else str(self.name).upper()


def _install_metavars() -> None:
    arg = typer_core.TyperArgument
    opt = typer_core.TyperOption
    original_opt_type = opt.display_type_rich

    def opt_type(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            return self.metavar
        return _type_name(original_opt_type(self, ctx))

    def arg_usage(self: Any) -> str:
        name = _argument_name(self)
        if not self.required:
            name = f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def arg_rich_name(self: Any) -> str:
        return _argument_name(self) + ("..." if self.metavar is None and self.nargs != 1 else "")

    opt.display_type_rich = opt_type  # type: ignore[method-assign]
    arg.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign,assignment]  # le nom dit quoi taper
    arg._usage_display_name = arg_usage  # type: ignore[method-assign]
    arg._rich_display_name = arg_rich_name  # type: ignore[method-assign]
    arg.get_error_hint = lambda self: _argument_name(self)  # type: ignore[method-assign,assignment]
    original_pieces = typer_core.TyperGroup.collect_usage_pieces

    def group_pieces(self: Any, ctx: Any) -> list[str]:
        return [("COMMANDE [ARGUMENTS]..." if p == "COMMAND [ARGS]..." else p) for p in original_pieces(self, ctx)]

    typer_core.TyperGroup.collect_usage_pieces = group_pieces  # type: ignore[method-assign]


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
    exceptions.ClickException.show = _show_click_error  # type: ignore[method-assign]
    exceptions.UsageError.show = _show_usage_error  # type: ignore[method-assign]
    original_write_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_write_usage(self, prog, args, prefix if prefix is not None else "Utilisation : ")

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    def write_heading(self: Any, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")  # typographie française : espace avant « : »

    formatting.HelpFormatter.write_heading = write_heading  # type: ignore[method-assign]
    _install_metavars()
