"""CODEOWNERS reste à jour quand une demande est créée (issue 17, point 5)."""

from __future__ import annotations

import shutil

from conftest import PROJECT, copy_repo, git, init_git


def _desk(tmp_path):
    root = copy_repo(tmp_path / "depot")
    shutil.copy(PROJECT / "CODEOWNERS", root / "CODEOWNERS")
    return init_git(root)


def test_new_keeps_codeowners_current(tmp_path, cli):
    root = _desk(tmp_path)
    cli("codeowners", "--check", repo=root)
    cli("new", "--buyer", "21930066200018", "--requester", "contact-0007", "--object", "Nettoyage des écoles",
        "--nature", "services", "--cpv", "90911200", "--amount", "1450000", "--duration", "48",
        "--form", "accord_cadre_bons_de_commande", "--department", "93", repo=root)
    cli("codeowners", "--check", repo=root)
    assert git(root, "status", "--porcelain") == ""
