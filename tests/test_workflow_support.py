"""Outils partagés par les tests test_workflow_* : dépôts git temporaires et demandes fabriquées."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path
from typing import Any

from conftest import PROJECT, copy_repo, git, init_git

from guichet_cli.core import yamlio

SAMPLE = PROJECT / "cases" / "2026" / "GRCS-2026-7F3K.yaml"


def base_case(cid: str, statut: str = "recue") -> dict[str, Any]:
    """Demande minimale valide au statut `statut` (à partir de l'exemple du dépôt)."""
    data = yamlio.load_fast(SAMPLE)
    data = copy.deepcopy(data)
    data["id"] = cid
    data["statut"] = statut
    if statut in ("recue", "en_analyse"):
        data.pop("analyse", None)
    return data


def write_case(root: Path, data: dict[str, Any], year: str = "2026", name: str | None = None) -> Path:
    path = root / "cases" / year / f"{name or data['id']}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = yamlio.new_document(path, data, "Données fictives : demande fabriquée par les tests.")
    yamlio.dump_roundtrip(doc)
    return path


def edit_case(path: Path, **changes: Any) -> None:
    """Modifie des champs (notation a__b pour a.b) par une édition aller-retour."""
    doc = yamlio.load_roundtrip(path)
    for key, value in changes.items():
        node = doc.data
        parts = key.split("__")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    yamlio.dump_roundtrip(doc)


def new_git_repo(tmp: Path, cases: list[dict[str, Any]] | None = None) -> Path:
    """Dépôt guichet sans les demandes d'exemple (un collègue en ajoute) + nos demandes, premier commit."""
    root = copy_repo(tmp / "depot", with_cases=False)
    for c in cases or []:
        write_case(root, c)
    return init_git(root)


def commit_all(root: Path, message: str, author: str | None = None) -> str:
    env = {}
    if author:
        env = {"GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author,
               "GIT_AUTHOR_EMAIL": f"{author.split()[0].lower()}@exemple.invalid"}
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, env=env)
    return git(root, "rev-parse", "HEAD").strip()


def as_author(monkeypatch: Any, name: str) -> None:
    """Les commandes guichet committent sous cette identité (variables d'environnement git)."""
    email = f"{name.split()[0].lower()}@exemple.invalid"
    for k, v in (("GIT_AUTHOR_NAME", name), ("GIT_AUTHOR_EMAIL", email), ("GIT_COMMITTER_NAME", name), ("GIT_COMMITTER_EMAIL", email)):
        monkeypatch.setenv(k, v)


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ})
