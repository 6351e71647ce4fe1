"""Intégration aux forges : CODEOWNERS, CI (schémas officiels via check-jsonschema), pre-commit, init."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT, git
from ruamel.yaml import YAML
from test_workflow_support import base_case, edit_case, new_git_repo, write_case

from guichet_cli.core.codeowners import render_codeowners
from guichet_cli.core.workspace import open_workspace

TEMPLATES = PROJECT / "guichet_cli" / "ci_templates"


def test_codeowners_maps_cases_to_routed_partner_teams(tmp_path, cli):
    case = base_case("GRCS-2026-AAAA")
    case["routage"] = {"coordinations": ["coordination-75"], "chef_de_file": "coordination-75", "reseaux": ["grafie"]}
    unrouted = base_case("GRCS-2026-BBBB")
    unrouted.pop("routage", None)
    root = new_git_repo(tmp_path, [case, unrouted])
    text = render_codeowners(open_workspace(root))
    lines = text.splitlines()
    assert "/cases/2026/GRCS-2026-AAAA.yaml  @guichet-idf/macs @guichet-idf/coordination-75 @guichet-idf/grafie" in lines
    assert not any("GRCS-2026-BBBB" in ln for ln in lines)  # non routée : la règle générale « * » la couvre
    assert lines.index("*  @guichet-idf/macs") < lines.index("/cases/2026/GRCS-2026-AAAA.yaml  @guichet-idf/macs @guichet-idf/coordination-75 @guichet-idf/grafie")

    res = cli("codeowners", "--check", repo=root, code=1)
    assert "n'est pas à jour" in res.stderr and not (root / "CODEOWNERS").exists()
    cli("codeowners", repo=root)
    assert (root / "CODEOWNERS").read_text(encoding="utf-8") == text
    cli("codeowners", "--check", repo=root)
    edit_case(root / "cases/2026/GRCS-2026-BBBB.yaml", routage={"coordinations": ["coordination-93"]})
    cli("codeowners", "--check", repo=root, code=1)


def test_this_repository_codeowners_is_generated_file():
    text = (PROJECT / "CODEOWNERS").read_text(encoding="utf-8")
    assert text.startswith("# Fichier généré par « guichet codeowners »")
    assert "*  @guichet-idf/macs" in text.splitlines()


def _check_jsonschema(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
                          capture_output=True, text=True)


@pytest.mark.parametrize(
    ("schema", "template", "repo_copy", "breakage"),
    [
        ("vendor.github-workflows", "github-workflow.yml", ".github/workflows/guichet.yml", ("runs-on: ubuntu-latest", "runs_on: ubuntu-latest")),
        ("vendor.gitlab-ci", "gitlab-ci.yml", ".gitlab-ci.yml", ("  stage: valider\n  rules:", "  stage: valider\n  regles:")),
    ],
)
def test_ci_files_follow_forge_schemas(tmp_path, schema, template, repo_copy, breakage):
    good = [TEMPLATES / template, PROJECT / repo_copy]
    broken = tmp_path / template
    text = good[0].read_text(encoding="utf-8")
    assert breakage[0] in text
    broken.write_text(text.replace(breakage[0], breakage[1], 1), encoding="utf-8")
    res = _check_jsonschema(schema, [*good, broken])
    assert res.returncode == 1, res.stdout + res.stderr  # le fichier cassé est bien refusé…
    errors = [ln for ln in res.stdout.splitlines() if "::" in ln]
    assert errors and all(str(broken) in ln for ln in errors), res.stdout  # … et lui seul
    # la copie de ce dépôt ne diffère du gabarit que par la façon d'installer guichet
    ours = (PROJECT / repo_copy).read_text(encoding="utf-8").splitlines()
    diff = [(a, b) for a, b in zip(text.splitlines(), ours, strict=True) if a != b]
    assert [a for a, _ in diff if not a.startswith("#")] == ['  GUICHET_PACKAGE: "{paquet_guichet}"']


def test_ci_templates_fetch_full_history_and_validate_changes():
    gh = YAML(typ="safe").load((TEMPLATES / "github-workflow.yml").read_text(encoding="utf-8"))
    steps = gh["jobs"]["valider"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    runs = [s.get("run", "") for s in steps]
    assert any("guichet validate --since" in r and "--format github" in r for r in runs)
    gl = YAML(typ="safe").load((TEMPLATES / "gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gl["variables"]["GIT_DEPTH"] == "0"
    assert any("guichet validate --since" in s for s in gl["valider-modifications"]["script"])


@pytest.mark.parametrize("hooks_file", [PROJECT / ".pre-commit-hooks.yaml", TEMPLATES / "pre-commit-config.yaml"])
def test_pre_commit_files_pattern(hooks_file):
    data = YAML(typ="safe").load(hooks_file.read_text(encoding="utf-8"))
    hooks = data if isinstance(data, list) else data["repos"][0]["hooks"]
    pattern = re.compile(hooks[0]["files"])
    assert hooks[0]["id"] == "guichet-validate" and hooks[0]["entry"] == "guichet validate"
    for path in ["cases/2026/GRCS-2026-7F3K.yaml", "cases/2025/GRCS-2025-0001.yml", "partners/coordination-93.yaml",
                 "donneurs/21930066200018.yaml", "contacts/contact-0007.yaml"]:
        assert pattern.search(path), path
    for path in ["guichet.yaml", "rules/cycle_de_vie.yaml", "schemas/demande.schema.json", "README.md", "cases/2026/notes.txt",
                 "docs/cases/x.yaml", "clause_templates/clause.docx", ".github/workflows/guichet.yml", "cases/2026/a.yaml.bak"]:
        assert not pattern.search(path), path


def test_init_creates_valid_committed_repository(tmp_path, cli):
    target = tmp_path / "guichet-77"
    res = cli("init", str(target), "--name", "Guichet de Seine-et-Marne", "--prefix", "GSM")
    assert "premier commit" in res.stdout
    for rel in ["cases/.gitkeep", "partners/coordination-93.yaml", "schemas/demande.schema.json", "rules/cycle_de_vie.yaml",
                "rules/transitions.yaml", ".github/workflows/guichet.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml",
                ".gitattributes", "CODEOWNERS", "README.md", "guichet.yaml"]:
        assert (target / rel).is_file(), rel
    assert (target / "clause_templates").is_dir() and (target / "donneurs").is_dir() and (target / "contacts").is_dir()
    assert "Guichet de Seine-et-Marne" in (target / "README.md").read_text(encoding="utf-8")
    assert git(target, "status", "--porcelain") == ""
    assert git(target, "log", "--format=%s").strip() == "Création du dépôt des demandes : Guichet de Seine-et-Marne"
    assert "Guichet-Action: init" in git(target, "log", "-1", "--format=%(trailers)")
    cli("validate", repo=target)
    cli("codeowners", "--check", repo=target)
    # le nouveau dépôt fonctionne : une demande, un changement de statut, son historique
    case = base_case("GSM-2026-AAAA")
    write_case(target, case)
    git(target, "add", "-A")
    git(target, "-c", "user.name=Agent", "-c", "user.email=a@b.invalid", "commit", "-q", "-m", "nouvelle demande\n")


def test_init_refuses_non_empty_dir_and_bad_options(tmp_path, cli):
    target = tmp_path / "occupe"
    target.mkdir()
    (target / "x.txt").write_text("x", encoding="utf-8")
    res = cli("init", str(target), code=2)
    assert "n'est pas vide" in res.stderr
    assert sorted(p.name for p in target.iterdir()) == ["x.txt"]
    res = cli("init", str(tmp_path / "neuf"), "--prefix", "grcs", code=2)
    assert "préfixe invalide" in res.stderr and not (tmp_path / "neuf").exists()
    res = cli("init", str(tmp_path / "absent" / "neuf"), code=2)
    assert "n'existe pas" in res.stderr


def test_init_without_git_identity_writes_nothing(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "absent"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for k in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(k, raising=False)
    res = cli("init", str(tmp_path / "neuf"), code=3)
    assert "identité git" in res.stderr
    assert not (tmp_path / "neuf").exists() and [p.name for p in tmp_path.iterdir()] == []


def test_docx_textconv_gives_readable_text(tmp_path):
    import docx

    from guichet_cli.core.docx_text import main

    d = docx.Document()
    d.add_paragraph("Clause d'insertion : {{ heures }} heures")
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Lot", "Heures"
    d.save(str(tmp_path / "m.docx"))
    out = subprocess.run([sys.executable, "-m", "guichet_cli.core.docx_text", str(tmp_path / "m.docx")], capture_output=True, text=True)
    assert out.returncode == 0 and "Clause d'insertion : {{ heures }} heures" in out.stdout and "Lot | Heures" in out.stdout
    assert main([]) == 2
    assert "*.docx diff=docx" in (PROJECT / ".gitattributes").read_text(encoding="utf-8")
