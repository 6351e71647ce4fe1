"""Un modèle, lu une fois : reproductions des données mal typées, nombre d'analyses par commande.

Chaque commande reçoit les demandes typées du magasin (core/store.py). Une donnée qui contourne
le schéma donne un code 1 et un message français qui nomme fichier, ligne et champ — jamais
« Erreur interne » (code 3). Et chaque fichier n'est analysé qu'une fois par commande (deux pour
une commande qui l'édite : lecture rapide + aller-retour).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import git

from guichet_cli.core import yamlio

CASE = "cases/2026/GRCS-2026-7F3K.yaml"  # recommandation transmise, routée vers la coordination du 93


def _replace(root: Path, rel: str, old: str, new: str) -> int:
    """Remplace une ligne du fichier ; rend le numéro (1-based) de la ligne modifiée."""
    path = root / rel
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith(old):
            lines[i] = new
            path.write_text("\n".join(lines), encoding="utf-8")
            return i + 1
    raise AssertionError(f"ligne « {old} » absente de {rel}")


def _append(root: Path, rel: str, text: str) -> int:
    path = root / rel
    content = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    line = content.count("\n") + 1
    path.write_text(content + text, encoding="utf-8")
    return line


def _names_place(stderr: str, rel: str, line: int, field: str) -> None:
    assert "Erreur interne" not in stderr and "Traceback" not in stderr, stderr
    assert re.search(rf"{re.escape(rel)}:{line}:\d+", stderr), stderr
    assert field in stderr, stderr


def test_status_on_a_list_status_is_a_data_error(git_repo, cli):
    line = _replace(git_repo, CASE, "statut:", "statut: [recommandation_transmise]")
    before = (git_repo / CASE).read_bytes()
    res = cli("status", "GRCS-2026-7F3K", "decision_rendue", "--no-commit", repo=git_repo, code=1)
    _names_place(res.stderr, CASE, line, "$.statut")
    assert "texte attendu" in res.stderr
    assert (git_repo / CASE).read_bytes() == before


def test_due_on_a_text_decision_is_a_data_error(git_repo, cli):
    line = _append(git_repo, CASE, 'decision: "oui"\n')
    res = cli("due", "--on", "2026-12-01", repo=git_repo, code=1)
    _names_place(res.stderr, CASE, line, "$.decision")
    assert "bloc de champs" in res.stderr


@pytest.mark.parametrize("command", [("log", "--since", "2020-01-01", "--partner", "coordination-93"), ("codeowners",)])
def test_routing_as_a_list_is_a_data_error(git_repo, cli, command):
    text = (git_repo / CASE).read_text(encoding="utf-8")
    start = text.index("routage:")
    text = text[:start] + "routage: [coordination-93]\n"
    (git_repo / CASE).write_text(text, encoding="utf-8")
    line = text.count("\n")
    git(git_repo, "commit", "-qam", "routage en liste")
    res = cli(*command, repo=git_repo, code=1)
    _names_place(res.stderr, CASE, line, "$.routage")


def test_codeowners_check_reports_the_bad_case_not_an_internal_error(git_repo, cli):
    _replace(git_repo, CASE, "  coordinations:", "  coordinations: coordination-93")
    res = cli("codeowners", "--check", repo=git_repo, code=1)
    _names_place(res.stderr, CASE, _line_of(git_repo, CASE, "  coordinations:"), "$.routage.coordinations")
    assert "liste attendue" in res.stderr


def _line_of(root: Path, rel: str, prefix: str) -> int:
    for i, line in enumerate((root / rel).read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith(prefix):
            return i
    raise AssertionError(prefix)


# --- une analyse par fichier et par commande ---------------------------------------------------


def _parses(root: Path) -> dict[str, int]:
    return {k: v for k, v in yamlio.PARSES.items() if k.startswith(str(root))}


READ_COMMANDS = [
    ("validate",),
    ("due", "--on", "2026-12-01"),
    ("codeowners", "--check"),
    ("log", "--since", "2020-01-01", "--partner", "coordination-93"),
    ("history", "GRCS-2026-7F3K"),
    ("analyse", "GRCS-2026-7F3K"),
    ("route", "GRCS-2026-7F3K"),
    ("validate", "--since", "HEAD"),
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c))
def test_each_file_is_parsed_at_most_once(git_repo, cli, command):
    cli("codeowners", repo=git_repo, code=None)  # CODEOWNERS à jour, pour que --check aille au bout
    yamlio.PARSES.clear()
    cli(*command, repo=git_repo, code=None)
    counts = _parses(git_repo)
    assert counts, "la commande n'a rien lu ?"
    twice = {k: v for k, v in counts.items() if v > 1}
    assert not twice, f"fichiers analysés plusieurs fois par « guichet {' '.join(command)} » : {twice}"


def test_an_edit_parses_the_case_twice_at_most(git_repo, cli):
    yamlio.PARSES.clear()
    cli("status", "GRCS-2026-7F3K", "decision_rendue", "--decision", "suivie", "--no-commit", repo=git_repo, code=None)
    counts = _parses(git_repo)
    assert counts.get(str(git_repo / CASE), 0) <= 2, counts
    assert all(v <= 1 for k, v in counts.items() if k != str(git_repo / CASE)), counts


def test_analyse_write_parses_the_case_twice_at_most(git_repo, cli):
    rel = "cases/2026/GRCS-2026-A2B9.yaml"
    yamlio.PARSES.clear()
    cli("analyse", "GRCS-2026-A2B9", "--write", "--force", "--no-commit", repo=git_repo, code=None)
    counts = _parses(git_repo)
    assert counts.get(str(git_repo / rel), 0) <= 2, counts
    assert all(v <= 1 for k, v in counts.items() if k != str(git_repo / rel)), counts
