"""Entrées hostiles ou abîmées : message français, code défini, jamais d'« Erreur interne », rien de perdu.

Corpus : tests/hostile/ (régénéré par tools/build_hostile_corpus.py), le message attendu de chaque
fichier dans tests/hostile/attendus.json ; plus les entrées de la yaml-test-suite officielle.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT, SHARED_REFERENCE, copy_repo

HOSTILE = PROJECT / "tests" / "hostile"
EXPECTED = json.loads((HOSTILE / "attendus.json").read_text(encoding="utf-8"))
CASE_ID = "GRCS-2026-7F3K"
CASE_REL = f"cases/2026/{CASE_ID}.yaml"
BUYER = "21930066200018"
INTERNAL = "Erreur interne"
# Fichiers qui se lisent mais qu'un contrôle de validate refuse (les bilans ne valident pas tout).
VALIDATION_ONLY = {"injection-bcc-lf.yaml"}


def _out(result) -> str:
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("hostile") / "depot")


@pytest.fixture
def placed(hostile_repo: Path, request):
    """Le fichier hostile à la place d'un dossier d'exemple, remis en état après le test."""
    target = hostile_repo / CASE_REL
    original = target.read_bytes()
    shutil.copy(HOSTILE / request.param, target)
    yield hostile_repo, request.param
    target.write_bytes(original)


CASE_FILES = sorted(k for k, v in EXPECTED.items() if v["cible"] == "dossier")
PLAN_FILES = sorted(k for k, v in EXPECTED.items() if v["cible"] == "plan")


def test_corpus_is_complete():
    on_disk = {p.name for p in HOSTILE.iterdir() if p.name != "attendus.json"}
    assert on_disk == set(EXPECTED), "chaque fichier du corpus a son message attendu (tools/build_hostile_corpus.py)"
    assert len(CASE_FILES) >= 20 and len(PLAN_FILES) >= 5


@pytest.mark.parametrize("placed", CASE_FILES, indirect=True)
def test_hostile_case_file(cli, placed, tmp_path):
    repo, name = placed
    expected = EXPECTED[name]
    res = cli("validate", str(repo / CASE_REL), repo=repo, code=expected["code"])
    assert expected["message"] in _out(res), _out(res)
    assert CASE_REL in _out(res)  # le fichier est nommé
    # Chaque commande qui lit ce dossier refuse en français, code 1, sans trace ni erreur interne.
    for args in (["render", CASE_ID, "--out", str(tmp_path / "r")],
                 ["analyse", CASE_ID],
                 ["route", CASE_ID]):
        res = cli(*args, repo=repo, code=None)
        assert res.exit_code in (1, 2), (args, _out(res))
        assert INTERNAL not in _out(res) and "Traceback" not in _out(res)
    assert not (tmp_path / "r").exists() or not list((tmp_path / "r").iterdir())  # rien d'écrit
    # Les lots continuent et nomment le fichier écarté.
    res = cli("report", "--year", "2026", "--all", "--format", "md", "--out", str(tmp_path / "b"), repo=repo, code=None)
    assert INTERNAL not in _out(res), _out(res)
    if name not in VALIDATION_ONLY:  # un fichier qui ne se lit pas est écarté ET nommé (code 1)
        assert res.exit_code == 1 and CASE_REL in _out(res), _out(res)
    for args in (["due"], ["codeowners"]):
        res = cli(*args, repo=repo, code=None)
        assert res.exit_code in (0, 1) and INTERNAL not in _out(res), (args, _out(res))


@pytest.mark.parametrize("name", PLAN_FILES)
def test_hostile_plan(cli, repo, name):
    expected = EXPECTED[name]
    res = cli("screen", str(HOSTILE / name), "--format", expected["format"], repo=repo, code=expected["code"])
    assert expected["message"] in _out(res), _out(res)
    assert INTERNAL not in _out(res)


def test_yaml_test_suite_through_every_reading_command(cli, tmp_path):
    """Les 402 entrées de la yaml-test-suite dans cases/ : 0 erreur interne, chaque fichier nommé.

    4FJ6, J7PZ, P94K (clés complexes, !!omap, commentaire) arrêtaient tout le dépôt en code 3."""
    suite = sorted((SHARED_REFERENCE / "yaml-test-suite" / "in").glob("*.yaml"))
    assert len(suite) > 300
    repo = copy_repo(tmp_path / "depot")
    for f in suite:
        shutil.copy(f, repo / "cases" / "2026" / f"YTS-{f.stem}.yaml")
    res = cli("validate", repo=repo, code=1)
    out = _out(res)
    assert INTERNAL not in out
    for name in ("4FJ6", "J7PZ", "P94K"):
        assert f"YTS-{name}.yaml" in out
    named = {f.stem for f in suite if f"YTS-{f.stem}.yaml" in out}
    assert len(named) == len(suite)  # aucun fichier n'est passé en silence
    for args in (["report", "--year", "2026", "--all", "--format", "json", "--out", str(tmp_path / "b")],
                 ["report", "--year", "2026", "--region", "--format", "json", "--out", str(tmp_path / "c")],
                 ["render", "--all", "--out", str(tmp_path / "r")],
                 ["due"], ["codeowners"]):
        res = cli(*args, repo=repo, code=None)
        assert res.exit_code in (0, 1), (args, _out(res)[-2000:])
        assert INTERNAL not in _out(res)


def test_50_megabyte_file_is_refused_without_reading_it(cli, repo):
    big = repo / CASE_REL
    with big.open("ab") as fh:
        fh.write(b"# " + b"x" * (50 * 1024 * 1024) + b"\n")
    res = cli("validate", str(repo / CASE_REL), repo=repo, code=1)
    assert "fichier trop volumineux" in _out(res)


def test_case_id_with_path_separators_is_not_a_path(cli, repo, tmp_path):
    res = cli("status", "../../etc/passwd", "en_analyse", "--no-commit", repo=repo, code=2)
    assert "introuvable" in _out(res)
