"""Durcissement de l'environnement : droits, verrous, écritures concurrentes, interruptions, modèles.

Chaque test reproduit un défaut relevé par l'essai du ticket 15 (droits refusés montrés en
« Erreur interne », mises à jour perdues, index.lock, Ctrl-C qui disait « rien n'a été écrit »…).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from conftest import copy_repo, git, init_git

CASE_ID = "GRCS-2026-7F3K"
RECUE = "GRCS-2026-A2B9"  # demande d'exemple au statut « recue »
SETPRIV = shutil.which("setpriv")


def _out(result) -> str:
    return result.stdout + result.stderr


def _guichet(*args: str, repo: Path, as_other_user: bool = False, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "guichet_cli", *args]
    env = {**os.environ, "GUICHET_REPO": str(repo), "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    env.pop("GUICHET_DEBUG", None)
    if as_other_user:  # root lit tout : on rejoue la commande sous « nobody » pour que chmod compte
        cmd = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, **kwargs)


@pytest.fixture
def open_repo():
    """Copie du dépôt dans un dossier que « nobody » peut traverser (tests de droits sous root)."""
    base = Path(tempfile.mkdtemp(prefix="guichet-droits-"))
    os.chmod(base, 0o755)
    repo = copy_repo(base / "depot")
    for p in [repo, *repo.rglob("*")]:
        os.chmod(p, 0o777 if p.is_dir() else 0o666)
    yield repo
    for p in [repo, *repo.rglob("*")]:
        try:
            os.chmod(p, 0o777)
        except OSError:
            pass
    shutil.rmtree(base, ignore_errors=True)


def _needs_other_user() -> bool:
    if os.geteuid() != 0:
        return False
    if SETPRIV is None:
        pytest.skip("root sans setpriv : impossible de rendre un fichier illisible")
    return True


# --- fichiers et dossiers illisibles ------------------------------------------------------------


@pytest.mark.parametrize("target, args, code, message", [
    ("clause_templates/clause_insertion.docx", ["render", CASE_ID, "--out", "OUT"], 3, "modèle illisible : clause_insertion.docx (droits insuffisants)"),
    (f"cases/2026/{CASE_ID}.yaml", ["render", CASE_ID, "--out", "OUT"], 1, "fichier illisible (droits insuffisants)"),
    (f"cases/2026/{CASE_ID}.yaml", ["validate"], 1, "fichier illisible (droits insuffisants)"),
    ("contacts/contact-0007.yaml", ["validate"], 1, "fichier illisible (droits insuffisants)"),
    ("rules/seuils.yaml", ["analyse", CASE_ID], 1, "fichier illisible (droits insuffisants)"),
    ("guichet.yaml", ["validate"], 1, "fichier illisible (droits insuffisants)"),
])
def test_unreadable_file_is_a_french_finding(open_repo, tmp_path, target, args, code, message):
    other = _needs_other_user()
    os.chmod(open_repo / target, 0o000)
    out_dir = open_repo.parent / "sortie"
    res = _guichet(*[str(out_dir) if a == "OUT" else a for a in args], repo=open_repo, as_other_user=other)
    assert res.returncode == code, res.stderr + res.stdout
    assert message in res.stdout + res.stderr
    assert "Erreur interne" not in res.stdout + res.stderr and "Permission denied" not in res.stdout + res.stderr


def test_unreadable_cases_year_directory_is_not_silently_skipped(open_repo):
    other = _needs_other_user()
    os.chmod(open_repo / "cases" / "2025", 0o000)
    res = _guichet("validate", repo=open_repo, as_other_user=other)
    assert res.returncode == 1, res.stdout
    assert "cases/2025:1:1" in res.stdout and "dossier illisible (droits insuffisants)" in res.stdout
    res = _guichet("report", "--year", "2025", "--all", "--format", "json", "--out", str(open_repo.parent / "b"),
                   repo=open_repo, as_other_user=other)
    assert res.returncode == 1 and "dossier illisible" in res.stdout + res.stderr


def test_read_only_repository_gives_french_error_and_no_partial_file(open_repo):
    other = _needs_other_user()
    case = open_repo / "cases" / "2026" / f"{RECUE}.yaml"
    before = case.read_bytes()
    os.chmod(case.parent, 0o555)
    os.chmod(case, 0o444)
    res = _guichet("status", RECUE, "en_analyse", "--no-commit", repo=open_repo, as_other_user=other)
    assert res.returncode == 3, res.stdout + res.stderr
    assert "écriture impossible" in res.stderr and "Erreur interne" not in res.stderr
    assert case.read_bytes() == before
    assert not [p for p in case.parent.iterdir() if p.suffix == ".tmp"]


def test_write_problem_messages_are_french():
    import errno

    from guichet_cli.core.safety import write_problem

    exc = write_problem(Path("/x/bilan.docx"), OSError(errno.ENOSPC, "No space left on device"))
    assert "disque plein" in exc.message and "aucun fichier partiel" in exc.message and exc.exit_code == 3
    assert "lecture seule" in write_problem(Path("/x"), OSError(errno.EROFS, "Read-only file system")).message


# --- chemins hors du dépôt ---------------------------------------------------------------------


def test_status_refuses_a_file_outside_the_repository(cli, repo, tmp_path):
    outside = tmp_path / "dehors.yaml"
    shutil.copy(repo / "cases" / "2026" / f"{RECUE}.yaml", outside)
    before = outside.read_bytes()
    res = cli("status", str(outside), "en_analyse", "--no-commit", repo=repo, code=2)
    assert "hors du dépôt" in _out(res)
    assert outside.read_bytes() == before


def test_status_refuses_a_symlink_leading_out(cli, repo, tmp_path):
    outside = tmp_path / f"{RECUE}.yaml"
    case = repo / "cases" / "2026" / f"{RECUE}.yaml"
    shutil.move(case, outside)
    case.symlink_to(outside)
    before = outside.read_bytes()
    res = cli("status", RECUE, "en_analyse", "--no-commit", repo=repo, code=2)
    assert "hors du dépôt" in _out(res)
    assert outside.read_bytes() == before


# --- git : verrou d'index, écritures concurrentes ------------------------------------------------


def test_stale_index_lock_french_message_and_nothing_modified(cli, git_repo):
    (git_repo / ".git" / "index.lock").write_text("")
    res = cli("status", RECUE, "en_analyse", repo=git_repo, code=3)
    assert "dépôt git est verrouillé" in res.stderr and "index.lock" in res.stderr
    assert "remove the file manually" not in _out(res)
    assert git(git_repo, "status", "--porcelain") == ""  # aucun fichier modifié


def test_six_concurrent_status_lose_nothing(tmp_path):
    repo = init_git(copy_repo(tmp_path / "depot"))
    procs = [subprocess.Popen([sys.executable, "-m", "guichet_cli", "status", RECUE, "abandonnee", "--reason", f"motif {i}"],
                              cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "GUICHET_REPO": str(repo), "GIT_CONFIG_NOSYSTEM": "1"})
             for i in range(6)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    winners = [i for i, (rc, _o, _e) in enumerate(results) if rc == 0]
    assert len(winners) == 1, results
    for i, (rc, out, err) in enumerate(results):
        if i != winners[0]:  # les autres ont lu le statut laissé par le gagnant : refus clair
            assert rc == 2 and "déjà au statut" in err, (rc, out, err)
        assert "non committée" not in out + err
    log = git(repo, "log", "--format=%H", "-n", "5").split()
    assert len(log) == 2  # dépôt initial + UN commit
    shown = git(repo, "show", "HEAD")
    assert f"motif {winners[0]}" in shown  # le commit porte le motif de celui qui l'a fait
    assert f"motif: motif {winners[0]}" in (repo / "cases" / "2026" / f"{RECUE}.yaml").read_text(encoding="utf-8")
    assert git(repo, "status", "--porcelain") == ""


def test_concurrent_different_changes_are_serialised(tmp_path):
    """Deux commandes différentes en même temps : chacune son commit, chacune son changement."""
    repo = init_git(copy_repo(tmp_path / "depot"))
    env = {**os.environ, "GUICHET_REPO": str(repo), "GIT_CONFIG_NOSYSTEM": "1"}
    other = "GRCS-2026-C4D6"
    procs = [subprocess.Popen([sys.executable, "-m", "guichet_cli", "status", cid, "abandonnee", "--reason", f"motif {cid}"],
                              cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for cid in (RECUE, other)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    for cid in (RECUE, other):
        sha = git(repo, "log", "--format=%H", "--grep", f"Guichet-Dossier: {cid}").split()
        assert len(sha) == 1
        files = git(repo, "show", "--name-only", "--format=", sha[0]).split()
        assert files == [f"cases/2026/{cid}.yaml"]
        assert f"motif {cid}" in git(repo, "show", sha[0])


def test_store_edit_refuses_a_file_changed_since_it_was_read(repo):
    from guichet_cli.core.errors import DataError
    from guichet_cli.core.workspace import open_workspace

    ws = open_workspace(repo)
    case = ws.store.case(RECUE)
    text = case.path.read_text(encoding="utf-8")
    case.path.write_text(text.replace("statut: recue", "statut: en_analyse"), encoding="utf-8")  # autre commande
    with pytest.raises(DataError, match="modifié par une autre commande"):
        ws.store.edit(case.path, lambda data: data.__setitem__("notes", "x"))
    assert "notes: x" not in case.path.read_text(encoding="utf-8")


# --- lots interrompus ---------------------------------------------------------------------------


def _many_cases(repo: Path, n: int) -> None:
    src = (repo / "cases" / "2026" / f"{CASE_ID}.yaml").read_text(encoding="utf-8")
    for i in range(n):
        cid = f"GRCS-2026-Z{chr(65 + i // 26 % 26)}{chr(65 + i % 26)}9"
        (repo / "cases" / "2026" / f"{cid}.yaml").write_text(src.replace(CASE_ID, cid), encoding="utf-8")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("command", ["render", "report"])
def test_interrupted_batch_leaves_only_complete_files_and_says_how_far(tmp_path, sig, command):
    from docx import Document

    repo = copy_repo(tmp_path / "depot")
    _many_cases(repo, 120)
    out = tmp_path / "sortie"
    args = ["render", "--all", "--out", str(out)] if command == "render" else \
        ["report", "--year", "2026", "--all", "--format", "docx", "--out", str(out)]
    proc = subprocess.Popen([sys.executable, "-m", "guichet_cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "GUICHET_REPO": str(repo)})
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and any(p.suffix == ".docx" for p in out.iterdir()):
            break
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.skip("le lot s'est terminé avant l'interruption")
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=300)
    files = sorted(out.iterdir())
    assert not [p for p in files if p.suffix == ".tmp" or p.name.startswith(".")], files
    for p in files:
        Document(str(p))  # chaque fichier écrit s'ouvre : il est complet
    if proc.returncode == 130:
        m = re.search(r"Interrompu : (\d+) fichiers? écrits? ", stderr)
        assert m, stderr
        assert int(m.group(1)) == len(files)
        assert "rien n'a été écrit" not in stderr
    else:  # le signal est arrivé pendant la dernière écriture : le lot a fini
        assert proc.returncode in (0, 1), stderr


# --- tableaux importés ---------------------------------------------------------------------------


def test_xlsx_with_stale_dimension_reads_every_row(cli, repo, tmp_path):
    from analysis_helpers import generate_plan_rows
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    for row in generate_plan_rows(100):
        sheet.append(row)
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    # Un logiciel tiers a laissé <dimension ref="A1:F8"/> alors que 101 lignes suivent.
    stale = tmp_path / "plan-perime.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(stale, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:F8"/>', data)
                assert n == 1
            zout.writestr(item, data)
    res = cli("screen", str(stale), repo=repo)
    assert "Lignes analysées : 100" in res.stdout


def test_csv_decoding_shared_function():
    from guichet_cli.core.tabular import decode_csv

    text = "Intitulé;Montant\nÉcole;1 000 €\n"
    for enc, label in (("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"),
                       ("cp1252", "cp1252")):
        decoded, found = decode_csv(text.encode(enc))
        assert decoded == text and found == label


# --- options et sorties --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e9"])
def test_calibrate_years_must_be_a_real_duration(cli, repo, value):
    res = cli("calibrate", "--amount", "1000000", "--cpv", "90911200", "--years", value, repo=repo, code=2)
    assert "--years doit être un nombre d'années" in res.stderr


def test_route_eml_follows_saved_routing_and_warns(cli, repo, tmp_path):
    case = repo / "cases" / "2026" / f"{CASE_ID}.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("coordinations: [coordination-93]", "coordinations: [coordination-94]")
                    .replace("chef_de_file: coordination-93", "chef_de_file: coordination-94"), encoding="utf-8")
    res = cli("route", CASE_ID, "--eml", str(tmp_path / "eml"), repo=repo)
    assert "routage enregistré" in res.stderr and "diffère" in res.stderr
    coord = (tmp_path / "eml" / f"{CASE_ID}-coordinations.eml").read_text(encoding="utf-8")
    assert "CD94" in coord or "coordination-94" in coord
    assert "CD93" not in coord


@pytest.mark.parametrize("objet, message", [
    ("Nettoyage\r\nBcc: pirate@exemple.invalid", "retour chariot U+000D interdit"),
    ("Nettoyage\nBcc: pirate@exemple.invalid", "doit tenir sur une ligne"),
    ("Nettoyage\x0bdes locaux", "tabulation verticale"),
    ("Nettoyage \udcff des locaux", "demi-caractère U+DCFF"),
])
def test_new_refuses_header_injection_and_control_characters(cli, repo, objet, message):
    before = sorted(p.name for p in (repo / "cases").rglob("*.yaml"))
    res = cli("new", "--buyer", "21930066200018", "--requester", "contact-0007", "--object", objet, "--nature", "services",
              "--cpv", "90911200", "--amount", "100000", "--duration", "12", "--form", "marche_ordinaire",
              "--department", "93", "--no-commit", repo=repo, code=1)
    assert message in res.stderr
    assert sorted(p.name for p in (repo / "cases").rglob("*.yaml")) == before


def test_eml_subject_never_holds_a_line_break():
    import datetime as dt

    from guichet_cli.core.analysis.eml import Draft, to_message
    from guichet_cli.core.model.registry import Registry

    msg = to_message(None, Registry(), Draft("g", "t", [("X", "x@exemple.invalid")], "Objet\r\nBcc: p@exemple.invalid", "corps"),
                     "GRCS-2026-0001", dt.date(2026, 1, 1))
    raw = msg.as_bytes()
    assert b"\r\nBcc:" not in raw and b"\nBcc:" not in raw


def test_docx_environment_strips_xml_breaking_characters():
    from guichet_cli.core.render.docx import make_environment

    out = make_environment().from_string("{{ x }}").render(x="a\x0bb\x00c\ufffe")
    assert out == "a b c "


# --- modèles : bac à sable et limites -----------------------------------------------------------


def _template_with(path: Path, text: str) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph(text)
    doc.save(str(path))


@pytest.mark.parametrize("tag, message", [
    ("{{ 'a' * 999999999 }}", "multiplication"),
    ("{{ 'x'.ljust(999999999) }}", "argument trop grand"),
    ("{% for i in range(10**8) %}{{ i }}{% endfor %}", "boucle démesurée"),
    ("{{ 1 / 0 }}", "calcul impossible dans le modèle"),
    ("{{ 2 ** 99999999 }}", "puissance démesurée"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{{ 'abcdefghij' * 100 }}{% endfor %}{% endfor %}", "millions de caractères"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "opération interdite"),
])
def test_template_execution_is_bounded(cli, repo, tmp_path, tag, message):
    _template_with(repo / "clause_templates" / "lettre_accompagnement.docx", tag)
    res = cli("render", CASE_ID, "--out", str(tmp_path / "o"), repo=repo, code=3)
    assert message in res.stderr, res.stderr
    assert "Erreur interne" not in res.stderr
    assert not (tmp_path / "o").exists() or not [p for p in (tmp_path / "o").iterdir() if "lettre" in p.name]


def test_template_time_limit(cli, repo, tmp_path, monkeypatch):
    from guichet_cli.core.render import sandbox

    monkeypatch.setattr(sandbox, "MAX_SECONDS", 1.0)
    _template_with(repo / "clause_templates" / "lettre_accompagnement.docx",
                   "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    res = cli("render", CASE_ID, "--out", str(tmp_path / "o"), repo=repo, code=3)
    assert "dépasse 1 secondes" in res.stderr
