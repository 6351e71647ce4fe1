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
    loaded, _out = _loaded(["validate", "--repo", "/nonexistent-guichet-repo"])
    assert "jsonschema" in loaded or "ruamel" in loaded
