"""Décision du donneur d'ordre et chronologie des dates (issue 17, points 4 et 8)."""

from __future__ import annotations

import datetime as dt

from conftest import PROJECT
from test_workflow_support import base_case, edit_case, new_git_repo, write_case

from guichet_cli.core import yamlio

CID = "GRCS-2026-AAAA"


def _transmitted(tmp_path, *, partial: bool = False):
    case = base_case(CID, "recommandation_transmise")
    if partial:
        two = yamlio.load_fast(PROJECT / "cases/2025/GRCS-2025-9KXA.yaml")
        case["analyse"]["recommandation"] = two["analyse"]["recommandation"]
    root = new_git_repo(tmp_path, [case])
    return root, root / f"cases/2026/{CID}.yaml"


def test_followed_decision_records_the_recommendation(tmp_path, cli):
    root, path = _transmitted(tmp_path)
    cli("status", CID, "decision_rendue", "--decision", "suivie", "--date", "2026-05-02", repo=root)
    data = yamlio.load_fast(path)
    assert data["decision"]["dispositions_retenues"] == ["clause_insertion"]


def test_partly_followed_decision_asks_which(tmp_path, cli):
    root, path = _transmitted(tmp_path, partial=True)
    before = path.read_bytes()
    res = cli("status", CID, "decision_rendue", "--decision", "partiellement_suivie", "--reason", "critère écarté", repo=root, code=2)
    assert "indiquer les dispositions retenues" in res.stderr and "--retained" in res.stderr
    assert path.read_bytes() == before
    res = cli("status", CID, "decision_rendue", "--decision", "partiellement_suivie", "--retained", "reserve_siae",
              "--reason", "critère écarté", repo=root, code=2)
    assert "pas dans la recommandation" in res.stderr
    cli("status", CID, "decision_rendue", "--decision", "partiellement_suivie", "--retained", "clause_insertion",
        "--reason", "critère écarté", "--date", "2026-05-02", repo=root)
    assert yamlio.load_fast(path)["decision"]["dispositions_retenues"] == ["clause_insertion"]


def test_partly_followed_prompt_reasks_a_wrong_answer(tmp_path, cli, monkeypatch):
    import guichet_cli.cli.workflow as wf

    monkeypatch.setattr(wf, "interactive", lambda: True)  # CliRunner n'est pas un terminal
    root, path = _transmitted(tmp_path, partial=True)
    res = cli("status", CID, "decision_rendue", "--decision", "partiellement_suivie", "--reason", "critère écarté",
              "--date", "2026-05-02", repo=root, input="7\n1\n")
    assert "Réponse non comprise" in res.stderr
    assert yamlio.load_fast(path)["decision"]["dispositions_retenues"] == ["clause_insertion"]


def test_validate_catches_a_followed_decision_without_dispositions(tmp_path, cli):
    root, path = _transmitted(tmp_path)
    edit_case(path, statut="decision_rendue", decision={"suite": "suivie", "date": "2026-05-02"})
    res = cli("validate", str(path), repo=root, code=1)
    assert "sans dispositions retenues" in res.stdout and "decision.dispositions_retenues" in res.stdout


# --- dates (point 8) ---------------------------------------------------------------------------


def test_status_refuses_a_future_date(tmp_path, cli):
    root, path = _transmitted(tmp_path)
    before = path.read_bytes()
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    res = cli("status", CID, "decision_rendue", "--decision", "suivie", "--date", future, repo=root, code=2)
    assert "dans le futur" in res.stderr
    assert path.read_bytes() == before


def test_status_refuses_closing_before_notification(tmp_path, cli):
    case = base_case(CID, "en_execution")
    src = yamlio.load_fast(PROJECT / "cases/2025/GRCS-2025-9KXA.yaml")
    case["decision"] = {"suite": "suivie", "date": "2026-05-02", "dispositions_retenues": ["clause_insertion"]}
    case["execution"] = dict(src["execution"], notifie_le="2026-06-01", reunion_lancement={"date": "2026-06-10", "facilitateur_present": True})
    root = new_git_repo(tmp_path, [case])
    path = root / f"cases/2026/{CID}.yaml"
    cli("validate", str(path), repo=root)
    before = path.read_bytes()
    res = cli("status", CID, "cloturee", "--date", "2026-05-20", repo=root, code=2)
    assert "clôture" in res.stderr and "précède" in res.stderr
    assert path.read_bytes() == before


def test_validate_checks_order_and_future_of_every_date(tmp_path, cli):
    root, path = _transmitted(tmp_path)
    edit_case(path, analyse__calibrage__valide_le="2026-01-01")  # avant la réception
    res = cli("validate", str(path), repo=root, code=1)
    assert "validation du calibrage (2026-01-01) précède celle de réception" in res.stdout
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    write_case(root, base_case(CID, "recommandation_transmise"))
    edit_case(path, analyse__transmise_le=future)
    res = cli("validate", str(path), repo=root, code=1)
    assert "transmission de la recommandation" in res.stdout and "dans le futur" in res.stdout
