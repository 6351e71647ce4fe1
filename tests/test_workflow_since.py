"""`guichet validate --since REF` : fichiers changés, transitions, doublons, faits passés, erreurs git."""

from __future__ import annotations

from conftest import git
from test_workflow_support import base_case, commit_all, edit_case, new_git_repo, write_case

CID = "GRCS-2026-AAAA"


def _branch_repo(tmp_path):
    root = new_git_repo(tmp_path, [base_case(CID), base_case("GRCS-2026-BBBB", "recommandation_transmise")])
    git(root, "switch", "-q", "-c", "proposition")
    return root


def test_clean_branch_passes_and_unchanged_files_are_not_reparsed(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case(CID), base_case("GRCS-2026-BBBB")])
    broken = root / "cases/2026/GRCS-2026-BBBB.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("statut: recue", "statut: [cassé"), encoding="utf-8")
    commit_all(root, "dossier cassé déjà sur main\n")
    git(root, "switch", "-q", "-c", "proposition")
    edit_case(root / f"cases/2026/{CID}.yaml", statut="en_analyse")
    commit_all(root, "analyse\n")
    cli("validate", repo=root, code=1)  # tout le dépôt : le dossier cassé est vu
    res = cli("validate", "--since", "main", "--format", "json", repo=root)
    assert "GRCS-2026-BBBB" not in res.stdout  # --since : seul le fichier changé est relu


def test_illegal_transition_on_branch(tmp_path, cli):
    root = _branch_repo(tmp_path)
    edit_case(root / "cases/2026/GRCS-2026-BBBB.yaml", statut="recue")  # retour en arrière
    commit_all(root, "retour en arrière\n")
    res = cli("validate", "--since", "main", repo=root, code=1)
    assert "transition de statut non permise" in res.stdout and "recommandation transmise" in res.stdout
    assert "cases/2026/GRCS-2026-BBBB.yaml:" in res.stdout
    # le même fichier, validé seul, est conforme : c'est bien le contrôle de transition qui parle
    cli("validate", str(root / "cases/2026/GRCS-2026-BBBB.yaml"), repo=root)


def test_duplicate_id_introduced_on_branch(tmp_path, cli):
    root = _branch_repo(tmp_path)
    write_case(root, base_case(CID), year="2025")  # même identifiant, autre dossier d'année
    commit_all(root, "doublon\n")
    res = cli("validate", "--since", "main", repo=root, code=1)
    assert f"identifiant « {CID} » déjà utilisé" in res.stdout


def test_untracked_new_file_is_validated(tmp_path, cli):
    root = _branch_repo(tmp_path)
    bad = base_case("GRCS-2026-CCCC")
    bad["donneur_ordre"] = "12345678900000"
    write_case(root, bad)
    res = cli("validate", "--since", "HEAD", repo=root, code=1)
    assert "GRCS-2026-CCCC" in res.stdout


def test_past_fact_rewrite_needs_allow_correction(tmp_path, cli):
    root = _branch_repo(tmp_path)
    edit_case(root / "cases/2026/GRCS-2026-BBBB.yaml", recue_le="2026-02-01")
    res = cli("validate", "--since", "main", repo=root, code=1)
    assert "fait passé réécrit" in res.stdout and "recue_le" in res.stdout and "--allow-correction" in res.stdout
    res = cli("validate", "--since", "main", "--allow-correction", repo=root)
    assert "fait passé réécrit" in res.stdout  # signalé en avertissement, sans échec
    assert "correction acceptée (--allow-correction)" in res.stdout
    assert "se valide avec --allow-correction" not in res.stdout  # ne pas redemander l'option déjà donnée


def test_since_errors(tmp_path, cli):
    root = _branch_repo(tmp_path)
    res = cli("validate", "--since", "origin/nexistepas", repo=root, code=2)
    assert "référence git inconnue" in res.stderr
    res = cli("validate", "--since", "main", "cases/", repo=root, code=2)
    assert "--since" in res.stderr
    res = cli("validate", "--allow-correction", repo=root, code=2)
    assert "--since" in res.stderr


def test_conflict_markers_reported(tmp_path, cli):
    root = _branch_repo(tmp_path)
    path = root / f"cases/2026/{CID}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("statut: recue\n", "<<<<<<< HEAD\nstatut: recue\n=======\nstatut: en_analyse\n>>>>>>> autre\n"), encoding="utf-8")
    res = cli("validate", "--since", "main", repo=root, code=1)
    assert "conflit de fusion non résolu" in res.stdout


def test_since_outside_git(tmp_path, cli):
    from conftest import copy_repo

    plain = copy_repo(tmp_path / "plain", with_cases=False)
    res = cli("validate", "--since", "main", repo=plain, code=3)
    assert "n'est pas un dépôt git" in res.stderr
