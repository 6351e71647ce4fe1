"""Banc d'essai de `guichet screen` : criblage d'un plan d'achat généré de 500 puis 5 000 lignes.

Relançable à volonté (aucune écriture dans le dépôt) :

    .venv/bin/python bench/bench_screen.py            # 500 et 5 000 lignes
    .venv/bin/python bench/bench_screen.py 20000      # tailles au choix
    .venv/bin/python bench/bench_screen.py --cli 200000   # la commande, CSV en flux : durée et RSS max

Affiche, pour chaque taille, le temps de lecture + criblage et celui de la sortie XLSX ; avec --cli,
la durée et la mémoire de pointe (GNU time) de `guichet screen PLAN --format csv --out` (bench/RESULTS.md).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from guichet_cli.core.analysis import screen  # noqa: E402
from guichet_cli.core.workspace import open_workspace  # noqa: E402
from tests.analysis_helpers import generate_plan_rows, write_plan_csv  # noqa: E402


def run(n: int) -> None:
    ws = open_workspace(PROJECT)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_plan_csv(Path(tmp) / "plan.csv", generate_plan_rows(n))
        t0 = time.perf_counter()
        res = screen.screen_file(ws, path, buyer="21930066200018")
        t1 = time.perf_counter()
        screen.to_xlsx(res)
        t2 = time.perf_counter()
    classified = sum(1 for s in res.lines if s.row["priorite"])
    print(f"{n:>6} lignes : criblage {t1 - t0:6.2f} s ({(t1 - t0) / n * 1000:.2f} ms/ligne), "
          f"XLSX {t2 - t1:5.2f} s — {classified} classées, {len(res.bad)} rejetées")


def run_cli(n: int) -> None:
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        path = write_plan_csv(Path(tmp) / "plan.csv", generate_plan_rows(n))
        cmd = ["/usr/bin/time", "-f", "RSS=%M", str(Path(sys.executable).parent / "guichet"), "screen", str(path),
               "--buyer", "21930066200018", "--format", "csv", "--out", str(Path(tmp) / "criblage.csv")]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
    rss = int([ln for ln in proc.stderr.splitlines() if ln.startswith("RSS=")][-1][4:]) / 1024
    print(f"{n:>7} lignes : guichet screen --format csv --out : {elapsed:6.1f} s, RSS max {rss:6.0f} Mio, code {proc.returncode}")


if __name__ == "__main__":
    cli = "--cli" in sys.argv
    sizes = [int(a) for a in sys.argv[1:] if a != "--cli"] or [500, 5000]
    for size in sizes:
        run_cli(size) if cli else run(size)
