"""Le bilan en terminal tient dans 100 colonnes (issue 17) : la synthèse par défaut, le détail avec --detail."""

from __future__ import annotations


def _lines(cli, repo, *extra):
    res = cli("report", "--year", "2026", "--region", "--format", "table", *extra, repo=repo)
    return (res.stdout + res.stderr).splitlines(), res.stdout


def test_readme_main_command_fits_the_terminal(cli, shared_repo):
    lines, out = _lines(cli, shared_repo)
    assert max(map(len, lines)) <= 100
    assert len(lines) <= 120
    assert "Synthèse" in out and "--detail" in out
    assert "Partie qualitative\n" not in out  # le détail est derrière l'option


def test_detail_fits_too(cli, shared_repo):
    lines, out = _lines(cli, shared_repo, "--detail")
    assert max(map(len, lines)) <= 100
    assert "Partie qualitative" in out and "Par secteur (CPV principal)" in out
