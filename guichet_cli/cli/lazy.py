"""Construction différée des commandes : `guichet X` ne convertit que la commande X.

typer convertit d'ordinaire TOUTES les fonctions de commande en commandes click avant d'en lancer
une : il évalue leurs annotations (`Annotated[..., typer.Option(...)]`), les deux tiers du temps
de `guichet --help` (issue 16, ≤ 1,5 × `import typer`). Ici, chaque commande n'est convertie — par
typer lui-même — que lorsqu'on la lance ou qu'on demande son aide ; la liste de `guichet --help`
se fait avec des doublures sans paramètres, construites aussi par typer (même nom, même aide,
mêmes drapeaux `hidden`/`deprecated`). tests/test_startup.py vérifie que l'aide et les messages
sont ceux de la construction complète, commande par commande.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer
import typer.core as typer_core
import typer.main as typer_main


class LazyCommands(MutableMapping[str, Any]):
    """Les commandes d'un groupe, converties à la première demande (ordre d'inscription gardé)."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}
        self._pending: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {}
        self._order: list[str] = []

    def defer(self, name: str, build: Callable[[], Any], stand_in: Callable[[], Any]) -> None:
        if name not in self._order:
            self._order.append(name)
        self._pending[name] = (build, stand_in)

    @property
    def built(self) -> set[str]:
        return set(self._built)

    def summary(self, name: str) -> Any:
        """La commande si elle est déjà convertie, sinon sa doublure (pour la liste de l'aide)."""
        if name in self._built:
            return self._built[name]
        return self._pending[name][1]()

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in self._pending:
                raise KeyError(name)
            build, _stand_in = self._pending.pop(name)
            self._built[name] = build()
        return self._built[name]

    def __setitem__(self, name: str, cmd: Any) -> None:
        if name not in self._order:
            self._order.append(name)
        self._pending.pop(name, None)
        self._built[name] = cmd

    def __delitem__(self, name: str) -> None:
        self._order.remove(name)
        self._pending.pop(name, None)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._pending


def _without_commands(instance: typer.Typer) -> typer.Typer:
    bare = copy.copy(instance)
    bare.registered_commands = []
    bare.registered_groups = []
    return bare


def _stand_in_info(info: Any) -> Any:
    """La même inscription, avec une fonction sans paramètres qui porte le nom et l'aide de la vraie."""

    def placeholder() -> None:  # jamais appelée : la doublure ne sert qu'à la liste de l'aide
        raise RuntimeError("doublure de commande appelée")

    placeholder.__name__ = info.callback.__name__
    placeholder.__doc__ = info.callback.__doc__
    stand_in = copy.copy(info)
    stand_in.callback = placeholder
    return stand_in


def _group(group_info: Any, options: dict[str, Any]) -> Any:
    """Le groupe click de `group_info`, sans ses commandes, qui sont différées."""
    instance = group_info.typer_instance
    bare_info = copy.copy(group_info)
    bare_info.typer_instance = _without_commands(instance)
    group = typer_main.get_group_from_info(bare_info, **options)
    lazy = LazyCommands()
    cmd_options = {k: options[k] for k in ("pretty_exceptions_short", "rich_markup_mode")}
    for info in instance.registered_commands:
        name = info.name or typer_main.get_command_name(info.callback.__name__)
        lazy.defer(name, lambda info=info: typer_main.get_command_from_info(info, **cmd_options),
                   lambda info=info: typer_main.get_command_from_info(_stand_in_info(info), **cmd_options))
    for sub in instance.registered_groups:
        stand_in = _group(sub, options)  # lui-même différé : ne convertit que le rappel du groupe
        if stand_in.name is None:  # add_typer sans nom : ses commandes montent d'un niveau (comme typer)
            for name in stand_in.commands:
                lazy.defer(name, lambda g=stand_in, n=name: g.commands[n], lambda g=stand_in, n=name: g.commands.summary(n))
            continue
        lazy.defer(stand_in.name, lambda g=stand_in: g, lambda g=stand_in: g)
    group.commands = lazy
    return group


def build(app: typer.Typer) -> Any:
    """La commande racine de `app`, commandes converties à la demande (typer.main.get_command différé)."""
    return _group(typer_main.TyperInfo(app), {"pretty_exceptions_short": app.pretty_exceptions_short,
                                              "rich_markup_mode": app.rich_markup_mode,
                                              "suggest_commands": app.suggest_commands})


def format_commands(group: Any, ctx: Any, formatter: Any) -> bool:
    """La liste « Commandes » de l'aide d'un groupe différé, sans convertir ses commandes ; faux si
    le groupe n'est pas différé (la méthode de typer s'applique alors)."""
    commands = group.commands
    if not isinstance(commands, LazyCommands):
        return False
    shown = [(name, commands.summary(name)) for name in group.list_commands(ctx)]
    shown = [(name, cmd) for name, cmd in shown if cmd is not None and not cmd.hidden]
    if shown:
        limit = formatter.width - 6 - max(len(name) for name, _cmd in shown)
        rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in shown]
        with formatter.section(typer_core._("Commands")):  # traduit par cli/french.py
            formatter.write_dl(rows)
    return True
