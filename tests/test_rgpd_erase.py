"""Droit à l'effacement avec purge de l'historique git (ticket 15) : `guichet rgpd erase --rewrite-history`.

Un vrai dépôt git temporaire, plusieurs versions de la fiche et de la demande qui la désigne, une
branche à part ; la vraie commande ; puis `git log -p --all` et `git grep` sur toutes les
références ne contiennent plus ni l'adresse ni le nom.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import copy_repo, git, init_git

CID = "contact-0099"
EMAIL = "zephyrine.quintavalle@exemple.invalid"
FIRST = "Zéphyrine"
LAST = "Quintavalle"
PHONE = "01 45 67 89 12"
CASE = "cases/2026/GRCS-2026-K3M7.yaml"

CONTACT = f"""# yaml-language-server: $schema=../schemas/contact.schema.json
id: {CID}
fictif: true
civilite: Mme
prenom: {FIRST}
nom: {LAST}
courriel: {EMAIL}
fonction: acheteuse (fictif)
organisation: "20091237600106"
base_legale_rgpd: execution_convention
"""


def _history_text(repo) -> str:
    """Tout ce que l'historique montre : journaux avec différences de toutes les références, et
    contenu de tous les fichiers à chaque commit (git grep sur git rev-list --all)."""
    log = git(repo, "log", "-p", "--all", "--format=%H%n%an %ae%n%B")
    revs = git(repo, "rev-list", "--all").split()
    grep_hits = []
    for needle in (EMAIL, LAST, FIRST, PHONE):
        proc = subprocess.run(["git", "grep", "-I", "-F", "-e", needle, *revs], cwd=repo, capture_output=True, text=True)
        assert proc.returncode in (0, 1), proc.stderr
        grep_hits.append(proc.stdout)
    return log + "\n".join(grep_hits)


@pytest.fixture
def history_repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git absent")
    repo = init_git(copy_repo(tmp_path / "depot"))
    (repo / "contacts" / f"{CID}.yaml").write_text(CONTACT, encoding="utf-8")
    case = repo / CASE
    case.write_text(case.read_text(encoding="utf-8").replace("demandeur: contact-0017", f"demandeur: {CID}"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"Nouveau contact {CID}")
    # deuxième version : un téléphone ; troisième : une autre fonction (le nom reste dans chaque version)
    contact = repo / "contacts" / f"{CID}.yaml"
    contact.write_text(contact.read_text(encoding="utf-8").replace("fonction:", f"telephone: {PHONE}\nfonction:"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Téléphone du contact")
    git(repo, "checkout", "-q", "-b", "brouillon")
    contact.write_text(contact.read_text(encoding="utf-8").replace("acheteuse (fictif)", "cheffe de service (fictif)"),
                       encoding="utf-8")
    git(repo, "commit", "-q", "-am", f"Fonction de {FIRST} {LAST} ({EMAIL})")  # le message aussi cite la personne
    git(repo, "checkout", "-q", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", f"Appel de Mme {LAST} : pièces reçues")
    git(repo, "tag", "v-avant-purge")
    text = _history_text(repo)
    assert EMAIL in text and LAST in text and FIRST in text and PHONE in text  # le test peut échouer
    return repo


def test_erase_with_history_purges_every_ref(cli, history_repo):
    repo = history_repo
    res = cli("rgpd", "erase", CID, "--rewrite-history", "--yes", repo=repo)
    out = res.stdout
    # avertissement en français : historique réécrit, clones et copies (forks) à refaire, étapes de la forge
    assert "réécrit TOUT l'historique" in out
    assert "clones" in out and "fork" in out
    assert "git push --force --all" in out and "git push --force --tags" in out
    assert "support de la forge" in out and "demandes de fusion" in out
    assert "Historique purgé." in out

    text = _history_text(repo)
    for needle in (EMAIL, LAST, FIRST, PHONE):
        assert needle not in text, f"« {needle} » encore dans l'historique"
    # les objets inaccessibles ne gardent pas non plus l'ancienne version (reflog purgé, gc fait)
    objects = git(repo, "cat-file", "--batch-all-objects", "--batch-check")
    blobs = [line.split()[0] for line in objects.splitlines() if line.split()[1] == "blob"]
    proc = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, input=("\n".join(blobs) + "\n").encode(),
                          capture_output=True, check=True)
    assert EMAIL.encode() not in proc.stdout and LAST.encode() not in proc.stdout

    # la fiche existe encore (l'identifiant ne désigne plus personne), la demande valide toujours
    contact = (repo / "contacts" / f"{CID}.yaml").read_text(encoding="utf-8")
    assert f"id: {CID}" in contact and "Contact effacé (RGPD)" in contact
    assert f"demandeur: {CID}" in (repo / CASE).read_text(encoding="utf-8")
    res = cli("validate", repo=repo)
    assert "aucun problème" in res.stdout
    # les branches et étiquettes sont toujours là, réécrites ; l'arbre de travail est propre
    assert {"main", "brouillon"} <= set(git(repo, "branch", "--format=%(refname:short)").split())
    assert "v-avant-purge" in git(repo, "tag").split()
    assert git(repo, "status", "--porcelain") == ""


def test_erase_without_rewrite_keeps_history_and_says_so(cli, history_repo):
    repo = history_repo
    res = cli("rgpd", "erase", CID, repo=repo)
    assert "les versions passées de la fiche restent dans l'historique git" in res.stdout
    assert f"guichet rgpd erase {CID} --rewrite-history" in res.stdout
    assert EMAIL not in (repo / "contacts" / f"{CID}.yaml").read_text(encoding="utf-8")
    assert EMAIL in _history_text(repo)  # rien n'a été réécrit


def test_erase_rewrite_asks_for_confirmation(cli, history_repo):
    repo = history_repo
    res = cli("rgpd", "erase", CID, "--rewrite-history", repo=repo, code=2, input="n\n")
    assert "purge annulée" in res.stdout + res.stderr
    assert EMAIL in _history_text(repo)


def test_erase_rewrite_refuses_uncommitted_changes(cli, history_repo):
    repo = history_repo
    (repo / "notes.txt").write_text("brouillon\n", encoding="utf-8")
    res = cli("rgpd", "erase", CID, "--rewrite-history", "--yes", repo=repo, code=2)
    assert "ne sont pas committées" in res.stdout + res.stderr
    assert EMAIL in _history_text(repo)
