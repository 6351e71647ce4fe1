"""`guichet screen` en flux (issue 15) : un grand plan lu ligne à ligne, CSV écrit au fil de l'eau et
atomiquement, mêmes résultats que le criblage en mémoire, barre de progression seulement dans un terminal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from analysis_helpers import generate_plan_rows, write_plan_csv

from guichet_cli.core.analysis import screen
from guichet_cli.core.tabular import CHUNK, iter_csv_rows, stream_encoding
from guichet_cli.core.workspace import open_workspace

BUYER = "21930066200018"


def _plan_with_bad_lines(tmp_path: Path) -> Path:
    rows = generate_plan_rows(40)
    rows[3][2] = "beaucoup"        # ligne 4 : montant illisible
    rows[7][1] = ""                # ligne 8 : CPV manquant
    rows[12][2] = "90 000 000 000"  # ligne 13 : montant invraisemblable (rules/seuils.yaml#montants_plausibles)
    rows[20][3] = "400 mois"       # ligne 21 : durée hors bornes
    return write_plan_csv(tmp_path / "plan.csv", rows)


def test_streamed_csv_is_the_in_memory_csv(cli, repo, tmp_path):
    """Le CSV écrit en flux (--out ou sortie standard) : octet pour octet celui du criblage en mémoire,
    lignes rejetées comprises (à la fin, dans l'ordre du fichier)."""
    path = _plan_with_bad_lines(tmp_path)
    in_memory = screen.to_csv(screen.screen_file(open_workspace(repo), path, buyer=BUYER))
    target = tmp_path / "criblage.csv"
    res = cli("screen", str(path), "--buyer", BUYER, "--format", "csv", "--out", str(target), repo=repo)
    assert target.read_bytes() == in_memory
    assert "36 lignes analysées, 4 rejetées" in res.stdout
    for row in (4, 8, 13, 21):
        assert f"plan.csv: ligne {row} : " in res.stderr
    stdout = cli("screen", str(path), "--buyer", BUYER, "--format", "csv", repo=repo).stdout_bytes
    assert stdout.rstrip(b"\r\n") == in_memory.rstrip(b"\r\n")
    parsed = list(csv.reader(io.StringIO(in_memory.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in parsed[-4:]] == ["4", "8", "13", "21"] and parsed[-1][1].startswith("LIGNE REJETÉE")


def test_streamed_summary_equals_kept_summary(repo, tmp_path):
    """Sans garder les lignes (keep=False), la synthèse est la même : comptes tenus ligne à ligne."""
    path = _plan_with_bad_lines(tmp_path)
    ws = open_workspace(repo)
    today = dt.date(2026, 11, 28)
    kept = screen.screen_file(ws, path, buyer=BUYER, today=today)
    streamed = screen.screen_file(ws, path, buyer=BUYER, today=today, keep=False)
    assert streamed.lines == [] and len(kept.lines) == 36
    assert streamed.summary() == kept.summary()
    assert [(b.row, b.problems) for b in streamed.bad] == [(b.row, b.problems) for b in kept.bad]


def test_20000_row_plan_is_screened(cli, repo, tmp_path):
    path = write_plan_csv(tmp_path / "plan.csv", generate_plan_rows(20_000))
    target = tmp_path / "criblage.csv"
    res = cli("screen", str(path), "--buyer", BUYER, "--format", "csv", "--out", str(target), repo=repo)
    assert "20 000 lignes analysées, 0 rejetée" in res.stdout
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 20_001 and rows[0][0] == "Ligne"
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(2, 20_002)]
    assert all(r[14] in ("haute", "moyenne", "basse") for r in rows[1:])


def test_error_after_the_header_leaves_no_file(cli, repo, tmp_path):
    """Un CSV mal formé à la ligne 30 : erreur en français, l'ancien fichier de sortie intact, aucun
    fichier temporaire (l'écriture en flux passe par un fichier temporaire renommé à la fin)."""
    path = write_plan_csv(tmp_path / "plan.csv", generate_plan_rows(60))
    raw = path.read_bytes().split(b"\r\n")
    raw[29] = raw[29].replace(b";", b"\rX;", 1)  # retour chariot seul dans un champ non quoté
    path.write_bytes(b"\r\n".join(raw))
    out_dir = tmp_path / "sortie"
    out_dir.mkdir()
    target = out_dir / "criblage.csv"
    target.write_bytes(b"ancien")
    res = cli("screen", str(path), "--format", "csv", "--out", str(target), repo=repo, code=1)
    assert "CSV mal formé" in res.stdout + res.stderr
    assert target.read_bytes() == b"ancien"
    assert sorted(p.name for p in out_dir.iterdir()) == ["criblage.csv"]


def test_encoding_is_decided_on_the_whole_file(tmp_path):
    """Décodage incrémental, même choix que pour le fichier entier : un « é » CP1252 après le
    premier Mio fait lire tout le fichier en CP1252 ; un « é » UTF-8 coupé entre deux blocs reste UTF-8."""
    header = "Objet;CPV;Montant\r\n"
    filler = "Nettoyage;90911200;1000\r\n" * (CHUNK // 25 + 10)
    late = tmp_path / "late-cp1252.csv"
    late.write_bytes((header + filler + "Élagage;77340000;95000\r\n").encode("cp1252"))
    assert stream_encoding(late) == "cp1252"
    assert list(iter_csv_rows(late))[-1] == ["Élagage", "77340000", "95000"]
    straddle = tmp_path / "straddle-utf8.csv"
    body = header + "x" * (CHUNK - len(header) - 1) + "é;1;2\r\n"
    straddle.write_bytes(body.encode("utf-8"))
    assert body.encode("utf-8")[CHUNK - 1:CHUNK + 1] == "é".encode()  # le « é » est bien à cheval sur deux blocs
    assert stream_encoding(straddle) == "utf-8"
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes((header + "Élagage;77340000;95000\r\n").encode("utf-16"))
    assert list(iter_csv_rows(utf16)) == [["Objet", "CPV", "Montant"], ["Élagage", "77340000", "95000"]]


def test_no_progress_when_stderr_is_not_a_terminal(cli, repo, tmp_path):
    path = write_plan_csv(tmp_path / "plan.csv", generate_plan_rows(600))
    res = cli("screen", str(path), "--format", "csv", "--out", str(tmp_path / "c.csv"), repo=repo)
    assert "Lignes analysées :" not in res.stderr and "lignes/s" not in res.stderr and "\x1b" not in res.stderr
    proc = subprocess.run([sys.executable, "-m", "guichet_cli", "screen", str(path), "--format", "csv", "--out", str(tmp_path / "d.csv")],
                          capture_output=True, text=True, env={**os.environ, "GUICHET_REPO": str(repo)}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Lignes analysées :" not in proc.stderr and "\x1b" not in proc.stderr


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="pseudo-terminal POSIX")
def test_progress_on_a_terminal(repo, tmp_path):
    """Sur un vrai terminal (pseudo-terminal), la barre s'affiche sur la sortie d'erreur, en français ;
    la sortie standard n'en reçoit rien."""
    path = write_plan_csv(tmp_path / "plan.csv", generate_plan_rows(600))
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "guichet_cli", "screen", str(path), "--format", "csv", "--out", str(tmp_path / "c.csv")],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                            env={**os.environ, "GUICHET_REPO": str(repo), "COLUMNS": "100", "TERM": "xterm"})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO : le processus a fermé le terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stdout = proc.stdout.read().decode("utf-8")
    assert proc.wait(timeout=300) == 0
    err = b"".join(chunks).decode("utf-8", "replace")
    assert "Lignes analysées : 600" in err and "lignes/s" in err  # état final, toujours affiché (les intermédiaires dépendent du débit)
    assert "Lignes analysées :" not in stdout and "600 lignes analysées" in stdout
