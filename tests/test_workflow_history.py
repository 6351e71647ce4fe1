"""Historique lu en un passage git log : fusions, renommages, clone superficiel, erreurs de dépôt."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import copy_repo, git
from test_workflow_support import as_author, base_case, commit_all, edit_case, new_git_repo, write_case

from guichet_cli.core.history import load_history
from guichet_cli.core.workspace import open_workspace

CID = "GRCS-2026-AAAA"


def _scenario(tmp_path: Path, cli, monkeypatch) -> Path:
    """main : création ; branche analyse (Alice) fusionnée par Bob ; branche renommage ; commit direct."""
    root = new_git_repo(tmp_path, [base_case(CID), base_case("GRCS-2026-BBBB")])
    git(root, "switch", "-q", "-c", "analyse-aaaa")
    as_author(monkeypatch, "Alice Facilitatrice")
    cli("status", CID, "en_analyse", "--date", "2026-03-05", repo=root)
    edit_case(root / f"cases/2026/{CID}.yaml", notes="premier échange avec l'acheteur")
    commit_all(root, "notes sur la demande\n", author="Alice Facilitatrice")
    git(root, "switch", "-q", "main")
    # pendant ce temps, sur main, une autre demande avance
    as_author(monkeypatch, "Chloé Guichet")
    cli("status", "GRCS-2026-BBBB", "en_analyse", repo=root)
    git(root, "merge", "-q", "--no-ff", "analyse-aaaa", "-m", "Merge pull request #12 from guichet/analyse-aaaa",
        env={"GIT_AUTHOR_NAME": "Bob Relecteur", "GIT_COMMITTER_NAME": "Bob Relecteur", "GIT_AUTHOR_EMAIL": "bob@exemple.invalid"})
    return root


def test_merged_change_is_one_event_with_author_and_status(tmp_path, cli, monkeypatch):
    root = _scenario(tmp_path, cli, monkeypatch)
    ws = open_workspace(root)
    hist = load_history(ws)
    events = hist.events_for(f"cases/2026/{CID}.yaml")
    assert len(events) == 2  # création + la fusion (les 2 commits de la branche = un événement)
    merged = events[0]
    assert merged.merge and merged.subject.startswith("Merge pull request #12")
    assert merged.author == "Alice Facilitatrice" and merged.merged_by == "Bob Relecteur"
    assert (merged.status_before, merged.status_after) == ("recue", "en_analyse")
    assert merged.sha == git(root, "rev-parse", "HEAD").strip()
    # la demande BBBB, changée directement sur main, garde le trailer du commit guichet
    other = hist.events_for("cases/2026/GRCS-2026-BBBB.yaml")[0]
    assert not other.merge and other.action == "statut" and other.author == "Chloé Guichet"
    assert hist.git_processes <= 5

    res = cli("history", CID, "--format", "json", repo=root)
    data = json.loads(res.stdout)
    assert data["evenements"][0]["fusion"] is True and data["evenements"][0]["fusionne_par"] == "Bob Relecteur"
    assert data["evenements"][0]["statut_apres"] == "en_analyse" and data["evenements"][0]["auteur"] == "Alice Facilitatrice"
    text = cli("history", CID, repo=root).stdout
    assert "Alice Facilitatrice" in text and "fusion" in text and "Bob Relecteur" in text and "reçue → en analyse" in text
    # dates jj/mm/aaaa et libellés des statuts, jamais l'ISO ni les codes
    events_lines = [line for line in text.splitlines()[1:] if not line.startswith(" ")]
    assert events_lines and all(re.match(r"\d{2}/\d{2}/\d{4}  ", line) for line in events_lines), text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text) and "en_analyse" not in text


def test_history_follows_renames(tmp_path, cli, monkeypatch):
    root = _scenario(tmp_path, cli, monkeypatch)
    (root / "cases/2025").mkdir(exist_ok=True)
    git(root, "mv", f"cases/2026/{CID}.yaml", f"cases/2025/{CID}.yaml")
    commit_all(root, "classement de la demande en 2025\n")
    hist = load_history(open_workspace(root))
    events = hist.events_for(f"cases/2025/{CID}.yaml")
    assert [e.change for e in events] == ["R", "M", "A"]
    assert events[0].old_path == f"cases/2026/{CID}.yaml"
    assert hist.last_commit(f"cases/2025/{CID}.yaml")[0] == git(root, "rev-parse", "HEAD").strip()
    assert hist.events_for(f"cases/2026/{CID}.yaml") == []
    assert "renommé depuis cases/2026/" in cli("history", CID, repo=root).stdout


def test_log_lists_recent_activity_filtered_by_partner(tmp_path, cli, monkeypatch):
    root = _scenario(tmp_path, cli, monkeypatch)
    out = cli("log", "--since", "2000-01-01", repo=root).stdout
    assert CID in out and "GRCS-2026-BBBB" in out and "reçue → en analyse" in out and "en_analyse" not in out
    lines = out.splitlines()[1:]
    assert lines and all(re.match(r"\d{2}/\d{2}/\d{4}  GRCS-", line) for line in lines), out
    # les deux demandes sont routées vers coordination-93 (exemple), aucune vers coordination-77
    assert "0 événement" in cli("log", "--since", "2000-01-01", "--partner", "coordination-77", repo=root).stdout
    assert CID in cli("log", "--since", "2000-01-01", "--partner", "coordination-93", repo=root).stdout
    res = cli("log", "--partner", "inconnu-99", repo=root, code=2)
    assert "inconnu du registre" in res.stderr
    res = cli("log", "--since", "hier", repo=root, code=2)
    assert "AAAA-MM-JJ" in res.stderr


def test_shallow_clone_says_history_is_incomplete(tmp_path, cli, monkeypatch):
    root = _scenario(tmp_path, cli, monkeypatch)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{root}", str(clone))
    res = cli("history", CID, repo=clone, code=3)
    assert "clone superficiel" in res.stderr and "git fetch --unshallow" in res.stderr
    assert res.stdout == ""
    # due fonctionne encore, avec un avertissement clair
    res = cli("due", repo=clone)
    assert "git fetch --unshallow" in res.stderr


def test_not_a_git_repo_and_no_commits(tmp_path, cli):
    plain = copy_repo(tmp_path / "sans-git", with_cases=False)
    write_case(plain, base_case(CID))
    res = cli("history", CID, repo=plain, code=3)
    assert "n'est pas un dépôt git" in res.stderr
    git(plain, "init", "-q", "-b", "main")
    res = cli("log", repo=plain, code=3)
    assert "aucun commit" in res.stderr
    res = cli("history", "GRCS-2026-ZZZZ", repo=plain, code=2)
    assert "introuvable" in res.stderr


def test_output_cut_short_by_a_pipe_is_not_an_internal_error(tmp_path):
    # `guichet log | head -1` : le lecteur ferme le tube avant la fin ; pas d'« Erreur interne », pas de trace.
    root = new_git_repo(tmp_path, [base_case("GRCS-2026-AAAA", "en_analyse")])
    read_end, write_end = os.pipe()
    os.close(read_end)  # plus aucun lecteur : la première écriture échoue (EPIPE)
    try:
        proc = subprocess.run([sys.executable, "-m", "guichet_cli", "log", "--since", "2000-01-01", "--repo", str(root)],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert proc.returncode == 141, proc.stderr
    assert "Erreur interne" not in proc.stderr and "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


def test_history_of_a_file_never_committed_says_so(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case("GRCS-2026-AAAA", "en_analyse")])
    write_case(root, base_case("GRCS-2026-BBBB", "recue"))  # écrit, pas committé
    out = cli("history", "GRCS-2026-BBBB", repo=root).stdout
    assert "aucun événement" in out and "pas encore été committé" in out
