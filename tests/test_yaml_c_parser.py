"""Le chargeur rapide doit vraiment utiliser l'analyseur C (ruamel.yaml[oldlibyaml]) : sinon 4,5× plus lent, sans avertissement."""

from __future__ import annotations

from ruamel.yaml import YAML

from guichet_cli.core import yamlio


def test_safe_loader_uses_c_parser():
    assert yamlio.c_parser_active()
    assert yamlio._SAFE.Parser.__name__ == "CParser"
    # un YAML(typ='safe') neuf aussi : c'est l'installation qui est vérifiée, pas seulement notre module
    assert YAML(typ="safe").Parser.__name__ == "CParser"


def test_version_reports_c_parser(cli):
    result = cli("--version")
    assert "analyseur YAML C actif" in result.stdout
