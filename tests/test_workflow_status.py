"""`guichet status` : transitions du cycle de vie, champs renseignés, refus sans écriture."""

from __future__ import annotations

from conftest import git
from test_workflow_support import base_case, new_git_repo

from guichet_cli.core import yamlio

CID = "GRCS-2026-AAAA"


def _case(root):
    return yamlio.load_fast(root / f"cases/2026/{CID}.yaml")


def test_status_moves_case_and_commits(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case(CID)])
    path = root / f"cases/2026/{CID}.yaml"
    before = path.read_text(encoding="utf-8")
    res = cli("status", CID, "en_analyse", "--date", "2026-03-05", repo=root)
    assert "reçue → en analyse" in res.stdout and "commit" in res.stdout
    case = _case(root)
    assert case["statut"] == "en_analyse" and case["analyse"]["debutee_le"] == "2026-03-05"
    # édition aller-retour : le commentaire de tête est conservé, une seule ligne de statut change
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# Données fictives")
    assert before.replace("statut: recue", "statut: en_analyse") in after
    assert "Guichet-Statut: recue -> en_analyse" in git(root, "log", "-1", "--format=%B")
    assert git(root, "status", "--porcelain").strip() == ""


def test_transition_not_allowed(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case(CID)])
    path = root / f"cases/2026/{CID}.yaml"
    before = path.read_bytes()
    res = cli("status", CID, "marche_notifie", repo=root, code=2)
    assert "transition refusée" in res.stderr and "en_analyse, abandonnee" in res.stderr
    assert path.read_bytes() == before
    res = cli("status", CID, "termine", repo=root, code=2)
    assert "statut inconnu" in res.stderr
    res = cli("status", "GRCS-2026-ZZZZ", "en_analyse", repo=root, code=2)
    assert "introuvable" in res.stderr


def test_missing_required_fields_are_named(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case(CID, "en_analyse")])
    path = root / f"cases/2026/{CID}.yaml"
    before = path.read_bytes()
    head = git(root, "rev-parse", "HEAD")
    res = cli("status", CID, "recommandation_transmise", repo=root, code=2)
    assert "analyse.recommandation" in res.stderr and "rien n'a été écrit" in res.stderr
    assert path.read_bytes() == before and git(root, "rev-parse", "HEAD") == head


def test_abandon_with_reason_and_no_commit(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case(CID)])
    head = git(root, "rev-parse", "HEAD")
    res = cli("status", CID, "abandonnee", "--reason", "projet d'achat reporté", "--date", "2026-05-01", "--no-commit", repo=root)
    assert "non committée" in res.stdout
    case = _case(root)
    assert case["abandon"] == {"date": "2026-05-01", "motif": "projet d'achat reporté"}
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain").strip() == f"M cases/2026/{CID}.yaml"
    res = cli("status", CID, "en_analyse", "--date", "1er mai", repo=root, code=2)  # 01/05/2026 est accepté (issue 17)
    assert "AAAA-MM-JJ" in res.stderr


def test_abandon_without_reason_names_the_field(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case(CID)])
    res = cli("status", CID, "abandonnee", repo=root, code=1)
    assert "motif" in res.stderr and "rien n'a été écrit" in res.stderr
    assert _case(root)["statut"] == "recue"


def test_conflict_markers_refused(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case(CID)])
    path = root / f"cases/2026/{CID}.yaml"
    text = path.read_text(encoding="utf-8").replace("statut: recue\n", "<<<<<<< HEAD\nstatut: recue\n=======\nstatut: en_analyse\n>>>>>>> autre\n")
    path.write_text(text, encoding="utf-8")
    res = cli("status", CID, "en_analyse", repo=root, code=1)
    assert "conflit de fusion" in res.stderr
    assert path.read_text(encoding="utf-8") == text


def test_git_state_problems_refuse_before_writing(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case(CID)])
    path = root / f"cases/2026/{CID}.yaml"
    before = path.read_bytes()
    # index sale : une autre modification déjà indexée
    (root / "brouillon.txt").write_text("x\n", encoding="utf-8")
    git(root, "add", "brouillon.txt")
    res = cli("status", CID, "en_analyse", repo=root, code=2)
    assert "sans rapport" in res.stderr and "brouillon.txt" in res.stderr
    assert path.read_bytes() == before
    git(root, "rm", "-q", "--cached", "brouillon.txt")
    # HEAD détachée
    git(root, "switch", "-q", "--detach")
    res = cli("status", CID, "en_analyse", repo=root, code=3)
    assert "HEAD est détachée" in res.stderr and "--no-commit" in res.stderr
    assert path.read_bytes() == before
    # --no-commit reste possible, et écrit
    cli("status", CID, "en_analyse", "--no-commit", repo=root)
    assert path.read_bytes() != before


def test_decision_recorded_with_its_reason(git_repo, cli):
    path = git_repo / "cases/2026/GRCS-2026-7F3K.yaml"
    before = path.read_bytes()
    res = cli("status", "GRCS-2026-7F3K", "decision_rendue", "--decision", "peut-etre", repo=git_repo, code=2)
    assert "décision inconnue" in res.stderr and "non_suivie" in res.stderr
    # « non suivie » sans motif : la charte exige une explication, rien n'est écrit
    res = cli("status", "GRCS-2026-7F3K", "decision_rendue", "--decision", "non_suivie", "--date", "2026-05-02",
              repo=git_repo, code=1)
    assert "motif" in res.stderr
    assert ": $.decision: champ obligatoire « motif » manquant" in res.stderr  # même forme que guichet validate
    assert "--reason → decision.motif" in res.stderr  # l'option qui remplit le champ manquant
    assert path.read_bytes() == before
    res = cli("status", "GRCS-2026-7F3K", "decision_rendue", "--decision", "non_suivie", "--date", "2026-05-02",
              "--reason", "budget contraint", repo=git_repo)
    case = yamlio.load_fast(path)
    assert case["statut"] == "decision_rendue"
    assert case["decision"] == {"date": "2026-05-02", "motif": "budget contraint", "suite": "non_suivie"}
    assert 'date: "2026-05-02"' in path.read_text(encoding="utf-8")
    assert "Guichet-Statut: recommandation_transmise -> decision_rendue" in git(git_repo, "log", "-1", "--format=%B")
