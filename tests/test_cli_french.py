"""Tout ce que typer et click affichent est en français (issue 17) : aide de chaque commande et erreurs d'utilisation."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

from guichet_cli.cli.app import app

# Textes anglais de typer, click et pydantic qu'un agent pourrait lire.
ENGLISH = [
    "Usage:", "Options:", "Arguments:", "Commands:", "Error:", "Try '", "for help", "Did you mean", "Input should",
    "Missing argument", "Missing option", "Missing parameter", "No such", "Got unexpected", "is not one of",
    "Invalid value", "requires an argument", "requires ", "does not take", "Aborted", "Show this message",
    "default:", "[required]", "env var", "[ARGS]", "<str>", "<int>", "<float>", "<path>", "<list", "<bool",
    "is not a valid", "Value must", "valid integer", "(dynamic)", "Possible options",
]
_WORDS = re.compile(r"\b(COMMAND|TEXT|INTEGER|FLOAT|PATH|FILENAME|DIRECTORY|BOOLEAN)\b")
_BRACES = re.compile(r"\{[a-z_]+\}")  # {case} {new_status} : noms Python en guise de valeur

def _paths(group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _paths(cmd, (*prefix, name))


ROOT = typer.main.get_command(app)
COMMANDS = [" ".join(p) for p in _paths(ROOT)]


def _cmd(path: str):
    cmd = ROOT
    for name in path.split():
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    return cmd


def _english(text: str) -> list[str]:
    found = [w for w in ENGLISH if w in text]
    found += _BRACES.findall(text) + _WORDS.findall(text)
    return found


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_every_command_is_listed():
    assert {"validate", "new", "status", "screen", "init"} <= set(COMMANDS)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_french(command):
    res = _run(*(command.split() if command else []), "--help")
    assert res.exit_code == 0, res.output
    assert _english(res.output) == [], res.output
    assert "Utilisation : guichet" in res.output and "Options :" in res.output


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_errors_are_french(command):
    outputs = []
    words = command.split()
    res = _run(*words, "--option-qui-nexiste-pas")
    assert res.exit_code == 2
    outputs.append(res.output)
    for p in _cmd(command).params:
        if getattr(p, "param_type_name", "") == "option" and not getattr(p, "is_flag", False) and p.opts:
            res = _run(*words, p.opts[0])  # option sans sa valeur
            outputs.append(res.output)
        if getattr(p, "param_type_name", "") == "argument" and p.required:
            res = _run(*words)  # argument obligatoire manquant
            outputs.append(res.output)
    for out in outputs:
        assert "Erreur : " in out, out
        assert _english(out) == [], out


def test_typical_mistakes_read_in_french():
    res = _run("stats")
    assert "Commande inconnue « stats » — vouliez-vous dire « status » ?" in res.output
    res = _run("new", "--duration", "quatre")
    assert "--duration : un nombre entier est attendu" in res.output
    res = _run("status")
    assert "argument obligatoire manquant : DEMANDE" in res.output
    assert "Utilisation : guichet status [OPTIONS] DEMANDE STATUT" in res.output
    res = _run("--help")
    assert "COMMANDE [ARGUMENTS]..." in res.output
    res = _run("status", "a", "b", "c")
    assert "argument en trop : c" in res.output  # un seul : singulier
    res = _run("status", "a", "b", "c", "d")
    assert "arguments en trop : c d" in res.output


def test_metavars_say_what_to_type():
    new = _run("new", "--help").output
    assert "--buyer SIRET" in new and "--amount MONTANT" in new and "--launch AAAA-MM-JJ" in new
    assert "--date AAAA-MM-JJ" in _run("status", "--help").output
