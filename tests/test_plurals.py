"""Accord en nombre des messages (issue 11) : jamais « point(s) », mais « 1 point » et « 7 points »,
par la seule règle d'accord du guichet (frformat.agree / frformat.count, celle des bilans)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import copy_repo, init_git
from test_workflow_support import base_case, new_git_repo

from guichet_cli.core import frformat as fr

ROOT = Path(__file__).resolve().parents[1] / "guichet_cli"
PAREN_PLURAL = re.compile(r"\w\((?:s|x|e|es|aux)\)")  # point(s), nouveau(x), un(e), départemental(aux)


def test_the_one_rule() -> None:
    assert [fr.count(n, "point", "points", plain=True) for n in (0, 1, 2, 5000)] == ["0 point", "1 point", "2 points", "5 000 points"]
    assert fr.count("< 3", "participant", "participants", plain=True) == "< 3 participants"  # effectif masqué
    assert fr.count(2, "demande reçue", "demandes reçues") == "2\u00a0demandes reçues"  # documents : insécable
    assert fr.agree(1, "Coordination", "Coordinations") == "Coordination" and fr.agree(3, "Coordination", "Coordinations") == "Coordinations"


def _user_strings(path: Path) -> list[tuple[int, str]]:
    """Chaînes du module (f-strings comprises), sans les docstrings du cœur : celles des commandes
    (cli/) sont l'aide que l'utilisateur lit, elles restent vérifiées."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    if "cli" not in path.relative_to(ROOT).parts:
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
                first = node.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    docstrings.add(id(first.value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_parenthesised_plural_in_messages() -> None:
    found = [f"{p.relative_to(ROOT)}:{line}: {text!r}" for p in sorted(ROOT.rglob("*.py")) for line, text in _user_strings(p)
             if PAREN_PLURAL.search(text)]
    assert found == []


def test_due_singular_and_plural(tmp_path: Path, cli) -> None:  # noqa: ANN001
    sample = init_git(copy_repo(tmp_path / "exemple"))
    many = cli("due", "--on", "2026-12-01", repo=sample).stdout
    n = int(re.search(r"En attente au 01/12/2026 : (\d+) points\n", many).group(1))
    assert n >= 2 and "(s)" not in many
    one = new_git_repo(tmp_path, [base_case("GRCS-2026-AAAA", "recommandation_transmise")])  # transmise le 2026-04-14
    text = cli("due", "--on", "2026-11-28", repo=one).stdout
    assert "En attente au 28/11/2026 : 1 point\n" in text


@pytest.mark.parametrize(("count", "expected"), [(1, "1 événement"), (2, "2 événements")])
def test_history_singular_and_plural(tmp_path: Path, cli, count: int, expected: str) -> None:  # noqa: ANN001
    from conftest import git
    from test_workflow_support import edit_case

    root = new_git_repo(tmp_path, [base_case("GRCS-2026-AAAA", "recue")])
    if count == 2:
        edit_case(root / "cases/2026/GRCS-2026-AAAA.yaml", notes="appel du donneur d'ordre")
        git(root, "commit", "-qam", "Note\n")
    out = cli("history", "GRCS-2026-AAAA", repo=root).stdout
    assert f") : {expected}, du plus récent au plus ancien" in out


def test_templates_check_and_validate_agree(cli) -> None:  # noqa: ANN001
    from conftest import PROJECT

    out = cli("templates", "check", "--no-render", repo=PROJECT).stdout
    assert re.search(r"^\d+ modèles vérifiés(?:, \d+ avertissements? \(voir -v\))? : aucun problème\.$", out, re.M), out
    assert re.search(r"^\d+ fichiers vérifiés : aucun problème\.$", cli("validate", repo=PROJECT).stdout, re.M)
