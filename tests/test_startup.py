"""Démarrage rapide : l'aide n'importe aucun module lourd (issue 16, « guichet --help » ≤ 1,5 × import typer).

Les commandes importent ruamel, jsonschema, GitPython, docxtpl… DANS leur fonction (modèle dans
docs/architecture.md, « Démarrage rapide ») ; ce test lance la vraie CLI dans un processus neuf et
regarde `sys.modules` après l'affichage de l'aide.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("ruamel", "jsonschema", "referencing", "git", "docxtpl", "docx", "openpyxl", "matplotlib", "babel",
         "jinja2", "tabulate", "stdnum", "num2words", "rich", "pydantic")

_PROBE = """
import json, sys
sys.argv = ["guichet", *json.loads(sys.argv[1])]
from guichet_cli.cli.app import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})) + "\\n")
"""


def _loaded(args: list[str]) -> tuple[set[str], str]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args)], capture_output=True, text=True, timeout=60)
    line = proc.stderr.rsplit("MODULES=", 1)[1]
    return set(json.loads(line)), proc.stdout


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["history", "--help"], ["report", "--help"],
                                  ["render", "--help"], ["--version"]])
def test_help_imports_no_heavy_module(args: list[str]) -> None:
    loaded, out = _loaded(args)
    assert "guichet" in out  # l'aide (ou la version) a bien été affichée
    heavy = sorted(m for m in HEAVY if m in loaded and not (m == "ruamel" and args == ["--version"]))
    assert heavy == [], f"`guichet {' '.join(args)}` importe {heavy} : déplacer l'import dans la fonction de la commande"


def test_probe_detects_a_heavy_import() -> None:
    # Le test ci-dessus peut échouer : une commande réelle importe bien les modules lourds.
    from pathlib import Path

    project = Path(__file__).resolve().parent.parent
    loaded, _out = _loaded(["validate", "--no-cache", "--quiet", "--repo", str(project)])
    assert "jsonschema_rs" in loaded and "ruamel" in loaded


# --- construction différée (cli/lazy.py) : la même CLI que la construction complète de typer -------

def _run(command, args: list[str]) -> tuple[str, object]:
    import contextlib
    import io

    from typer._click import formatting

    buf = io.StringIO()
    old_width, formatting.FORCED_WIDTH = formatting.FORCED_WIDTH, 100
    code: object = 0
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            command.main(args, prog_name="guichet")
    except SystemExit as exc:
        code = exc.code
    finally:
        formatting.FORCED_WIDTH = old_width
    return buf.getvalue(), code


def _all_paths(command, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, sub in getattr(command, "commands", {}).items():
        out += _all_paths(sub, (*prefix, name))
    return out


def test_lazy_cli_prints_what_the_full_build_prints():
    """Chaque aide (racine, groupes, les 45 commandes) et les erreurs d'utilisation, octet pour octet."""
    import typer.main

    from guichet_cli.cli import lazy
    from guichet_cli.cli.app import app

    full = typer.main.get_command(app)
    paths = _all_paths(full)
    assert len(paths) > 40
    cases = [[*p, "--help"] for p in paths] + [[], ["nosuch"], ["valdate"], ["templates", "nosuch"], ["report", "--year", "abc"],
                                                 ["validate", "--format", "pdf"], ["rgpd", "erase"]]
    for args in cases:
        assert _run(lazy.build(app), args) == _run(full, args), args


def test_help_converts_no_command_and_a_command_only_itself():
    """Structurel (pas de durée) : `guichet --help` ne convertit aucune commande, `guichet validate
    --help` seulement validate — c'est ce qui tient le démarrage sous 1,5 × `import typer`."""
    from guichet_cli.cli import lazy
    from guichet_cli.cli.app import app

    root = lazy.build(app)
    out, code = _run(root, ["--help"])
    assert code == 0 and "validate" in out and "rgpd" in out
    assert root.commands.built == set()
    root = lazy.build(app)
    _run(root, ["validate", "--help"])
    assert root.commands.built == {"validate"}
    root = lazy.build(app)
    _run(root, ["rgpd", "erase", "--help"])
    assert root.commands.built == {"rgpd"} and root.commands["rgpd"].commands.built == {"erase"}


def test_warm_validate_imports_neither_checks_nor_typed_model(tmp_path) -> None:
    """À chaud, tout vient du cache : ni contrôles, ni modèle typé, ni validateur de schéma importés."""
    from conftest import copy_repo, init_git

    root = init_git(copy_repo(tmp_path / "depot"))
    probe = _PROBE.replace('{m.split(".")[0] for m in sys.modules}', "set(sys.modules)")
    run = [sys.executable, "-c", probe, json.dumps(["validate", "--quiet", "--repo", str(root)])]
    first = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert "guichet_cli.core.validation.checks" in first.stderr  # à froid : tout est importé
    warm = subprocess.run(run, capture_output=True, text=True, timeout=120)
    loaded = set(json.loads(warm.stderr.rsplit("MODULES=", 1)[1]))
    assert warm.stdout == first.stdout
    for name in ("guichet_cli.core.validation.checks", "guichet_cli.core.model.case", "jsonschema_rs", "jsonschema"):
        assert name not in loaded, f"validate à chaud importe {name}"
