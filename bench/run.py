"""Bancs d'essai de l'issue 16 : notre commande et sa référence, dans le même passage, en alternance.

    python bench/run.py DEPOT [--runs 3] [--only validate|cold,jobs1,warm,help,history,since,memory,report] [--json out.json]

DEPOT : un dépôt produit par `bench/generate.py`. Chaque mesure lance « nous » puis « la référence »
en alternance (ABAB…), `--runs` fois chacune, et donne la médiane de chacune et leur rapport : les
autres processus de la machine ralentissent les deux de la même façon, le rapport reste parlant.
Aucune durée n'est vérifiée par un test ; les chiffres vont dans bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUICHET = str(BIN / "guichet")
FLOOR = str(PROJECT / "bench" / "floor.py")


def run(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1)) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode not in ok:
        raise SystemExit(f"échec ({proc.returncode}) : {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def peak_rss_mib(cmd: list[str], cwd: Path) -> float:
    """Pic de mémoire résidente (Mio) du processus et de ses enfants (GNU time, %M)."""
    proc = subprocess.run(["/usr/bin/time", "-f", "RSS=%M", *cmd], cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("RSS=")][-1]
    return int(line[4:]) / 1024


def compare(label: str, ours: list[str], ref: list[str], cwd: Path, runs: int,
            before_ours: Callable[[], None] | None = None, before_ref: Callable[[], None] | None = None) -> dict:
    a, b = [], []
    for _ in range(runs):
        if before_ours:
            before_ours()
        a.append(run(ours, cwd))
        if before_ref:
            before_ref()
        b.append(run(ref, cwd))
    row = {"mesure": label, "nous": " ".join(ours), "reference": " ".join(ref), "runs": runs,
           "nous_s": round(statistics.median(a), 3), "ref_s": round(statistics.median(b), 3),
           "nous_tous": [round(x, 2) for x in a], "ref_tous": [round(x, 2) for x in b]}
    row["rapport_ref_sur_nous"] = round(row["ref_s"] / row["nous_s"], 2)
    row["rapport_nous_sur_ref"] = round(row["nous_s"] / row["ref_s"], 2)
    print(f"| {label} | {row['nous_s']:.2f} s | {row['ref_s']:.2f} s | ref/nous {row['rapport_ref_sur_nous']:.2f} "
          f"| nous/ref {row['rapport_nous_sur_ref']:.2f} | {runs} |", flush=True)
    return row


def case_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "cases").rglob("*.yaml"))


def drop_cache(root: Path) -> Callable[[], None]:
    def drop() -> None:
        shutil.rmtree(root / ".git" / "guichet", ignore_errors=True)
    return drop


def _peer(root: Path) -> tuple[list[str], list[str]]:
    files = case_files(root)
    schema = (root / "schemas" / "demande.schema.json").resolve()
    return files, [str(BIN / "check-jsonschema"), "--base-uri", schema.as_uri(), "--schemafile", str(schema), *files]


def bench_cold(root: Path, runs: int) -> list[dict]:
    _files, peer = _peer(root)
    return [compare("validate à froid, défaut (--jobs = cœurs) vs check-jsonschema", [GUICHET, "validate", "--quiet"], peer,
                    root, runs, before_ours=drop_cache(root))]


def validated_files(root: Path) -> list[str]:
    """Les fichiers que `guichet validate` lit (demandes, mais aussi donneurs/, partners/, rules/,
    contacts/, guichet.yaml) : le plancher analyse les mêmes, pas seulement cases/."""
    from guichet_cli.core.validation.engine import repository_files
    from guichet_cli.core.workspace import open_workspace

    ws = open_workspace(root.resolve())
    return [p.relative_to(ws.root).as_posix() for p in repository_files(ws, [])]


def bench_jobs1(root: Path, runs: int) -> list[dict]:
    files = validated_files(root)
    return [compare(f"validate --jobs 1 à froid vs plancher (chargeur C seul, les {len(files)} mêmes fichiers)",
                    [GUICHET, "validate", "--quiet", "--jobs", "1"],
                    [sys.executable, FLOOR, *files], root, runs, before_ours=drop_cache(root))]


def bench_warm(root: Path, runs: int) -> list[dict]:
    run([GUICHET, "validate", "--quiet"], root)  # remplit le cache
    return [compare("validate à chaud (rien n'a changé) vs à froid", [GUICHET, "validate", "--quiet"],
                    [GUICHET, "validate", "--quiet", "--no-cache"], root, runs)]


def bench_validate(root: Path, runs: int) -> list[dict]:
    return bench_cold(root, runs) + bench_jobs1(root, runs) + bench_warm(root, runs)


def bench_help(root: Path, runs: int) -> list[dict]:
    typer_import = [sys.executable, "-c", "import typer"]
    return [compare("guichet --help vs python -c 'import typer'", [GUICHET, "--help"], typer_import, root, runs * 3),
            compare("guichet validate --help vs python -c 'import typer'", [GUICHET, "validate", "--help"], typer_import, root, runs * 3),
            compare("guichet --help vs python -c pass (démarrage nu)", [GUICHET, "--help"], [sys.executable, "-c", "pass"], root, runs * 3)]


def bench_history(root: Path, runs: int) -> list[dict]:
    ref = ["git", "log", "--name-status", "--", "cases/"]
    some = case_files(root)[len(case_files(root)) // 2]
    cid = Path(some).stem
    return [compare(f"history {cid} vs git log --name-status -- cases/", [GUICHET, "history", cid], ref, root, runs),
            compare("log vs git log --name-status -- cases/", [GUICHET, "log"], ref, root, runs),
            compare("due vs git log --name-status -- cases/", [GUICHET, "due", "--format", "json"], ref, root, runs)]


def bench_since(root: Path, runs: int) -> list[dict]:
    """--since HEAD avec 5 demandes modifiées (non commitées), contre le démarrage nu (guichet --help)."""
    files = case_files(root)
    step = max(1, len(files) // 5)
    changed = [root / f for f in files[::step][:5]]
    saved = {p: p.read_bytes() for p in changed}
    try:
        for p in changed:
            p.write_text(p.read_text(encoding="utf-8") + "# modifié par le banc d'essai\n", encoding="utf-8")
        return [compare("validate --since HEAD (5 demandes modifiées) vs guichet --help (démarrage)",
                        [GUICHET, "validate", "--since", "HEAD", "--quiet"], [GUICHET, "--help"], root, runs)]
    finally:
        for p, data in saved.items():
            p.write_bytes(data)


def bench_memory(root: Path, runs: int) -> list[dict]:
    rows = []
    for jobs in os.environ.get("BENCH_MEMORY_JOBS", "1,2").split(","):
        drop_cache(root)()
        mib = peak_rss_mib([GUICHET, "validate", "--quiet", "--jobs", jobs], root)
        rows.append({"mesure": f"pic mémoire validate --jobs {jobs} (à froid)", "mio": round(mib)})
        print(f"| pic mémoire validate --jobs {jobs} | {mib:.0f} Mio |", flush=True)
    return rows


def bench_report(root: Path, runs: int) -> list[dict]:
    """`report --all` d'une année, un passage par format (BENCH_REPORT_FORMATS, défaut xlsx,docx) :
    durée, durée par bilan, pic mémoire. Chaque demande n'est lue qu'une fois (tests/test_report_model.py)."""
    rows = []
    for fmt in os.environ.get("BENCH_REPORT_FORMATS", "xlsx,docx").split(","):
        out = root.parent / f"{root.name}-bilans-{fmt}"
        shutil.rmtree(out, ignore_errors=True)
        cmd = [GUICHET, "report", "--year", "2026", "--all", "--format", fmt, "--out", str(out)]
        t = time.perf_counter()
        mib = peak_rss_mib(cmd, root)
        total = time.perf_counter() - t
        n = sum(1 for _ in out.rglob(f"*.{fmt}"))
        shutil.rmtree(out, ignore_errors=True)
        print(f"| report --all {fmt} | {total:.1f} s | {n} bilans | {1000 * total / max(n, 1):.0f} ms/bilan | {mib:.0f} Mio |", flush=True)
        rows.append({"mesure": f"report --year 2026 --all --format {fmt}", "s": round(total, 2), "bilans": n, "mio": round(mib)})
    return rows


BENCHES = {"help": bench_help, "validate": bench_validate, "cold": bench_cold, "jobs1": bench_jobs1, "warm": bench_warm, "since": bench_since, "history": bench_history,
           "memory": bench_memory, "report": bench_report}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default=",".join(BENCHES))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    root = args.repo.resolve()
    # Le code de guichet est précompilé (.pyc), comme après un « pip install » ordinaire : sur une
    # machine où PYTHONDONTWRITEBYTECODE=1, chaque lancement le recompilerait (~0,3 s).
    import compileall

    compileall.compile_dir(str(PROJECT / "guichet_cli"), quiet=1)
    print(f"dépôt {root} : {len(case_files(root))} demandes ; machine : {os.cpu_count()} cœurs ; python {sys.version.split()[0]}")
    print("| mesure | nous | référence | rapport | rapport | passages |\n|---|---|---|---|---|---|")
    rows = []
    for name in args.only.split(","):
        rows.extend(BENCHES[name](root, args.runs))
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
