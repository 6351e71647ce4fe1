"""Banc d'essai de l'historique : `history` et `due` sur un gros dépôt généré (pas un test chronométré).

    python bench/bench_history.py                       # 10 000 demandes, 30 000 commits
    python bench/bench_history.py --cases 1000 --commits 3000
    python bench/bench_history.py --keep /tmp/gros-depot  # garde le dépôt généré (réutilisé ensuite)

Le dépôt est écrit d'un coup par `git fast-import` (quelques secondes) : un commit initial avec
toutes les demandes, puis des changements de statut avec trailers guichet, dont une partie arrive
par des branches fusionnées (--no-ff). Le banc compte les processus git lancés (enveloppe de
subprocess.Popen) : ce nombre ne doit pas dépendre du nombre de fichiers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

STATUSES = ["recue", "en_analyse", "recommandation_transmise", "decision_rendue"]


def case_text(cid: str, status: str, day: dt.date) -> bytes:
    lines = [
        f"id: {cid}", f"statut: {status}", f'recue_le: "{day.isoformat()}"', 'donneur_ordre: "21930066200018"',
        "demandeur: contact-0007", "marche:", "  objet: Nettoyage (banc d'essai)", "  nature: services",
        '  cpv: ["90911200"]', "  montant_estime_ht: 500000", "  duree_mois: 36", "  forme: marche_ordinaire",
        "  lieux_execution:", '    - departement: "93"',
    ]
    if status in ("recommandation_transmise", "decision_rendue"):
        lines += ["analyse:", f'  transmise_le: "{day.isoformat()}"']
    if status == "decision_rendue":
        lines += ["decision:", "  suite: non_suivie", f'  date: "{day.isoformat()}"']
    lines += ["routage:", "  coordinations: [coordination-93]"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def case_path(cid: str) -> str:
    return f"cases/{cid.split('-')[1]}/{cid}.yaml"


def generate(root: Path, n_cases: int, n_commits: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for name in ("guichet.yaml",):
        shutil.copy(PROJECT / name, root / name)
    for d in ("partners", "donneurs", "contacts", "rules", "schemas"):
        shutil.copytree(PROJECT / d, root / d)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    # Demandes réparties sur dix années (cases/ANNÉE/), comme un vrai dépôt : un dossier de 10 000
    # fichiers ferait réécrire un arbre énorme à chaque commit par fast-import.
    ids = [f"GRCS-{2017 + i % 10}-{i:05d}" for i in range(n_cases)]
    state = dict.fromkeys(ids, 0)
    t0 = int(dt.datetime(2026, 1, 5, tzinfo=dt.UTC).timestamp())
    out: list[bytes] = []

    def blob_cmd(path: str, data: bytes) -> None:
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    def commit(ref: str, mark: int, when: int, author: str, msg: str, parents: list[int]) -> None:
        m = msg.encode("utf-8")
        out.append(f"commit {ref}\nmark :{mark}\nauthor {author} {when} +0100\ncommitter {author} {when} +0100\n".encode())
        out.append(f"data {len(m)}\n".encode() + m + b"\n")
        if parents:
            out.append(f"from :{parents[0]}\n".encode())
            for p in parents[1:]:
                out.append(f"merge :{p}\n".encode())

    mark = 1
    commit("refs/heads/main", mark, t0, "Agent MACS <agent@macs.invalid>", "Dépôt initial\n", [])
    for cid in ids:
        blob_cmd(case_path(cid), case_text(cid, "recue", dt.date(2026, 1, 5)))
    main_tip, made = mark, 1
    while made < n_commits:
        cid = rng.choice(ids)
        old = state[cid]
        new = min(old + 1, len(STATUSES) - 1)
        state[cid] = new
        when = t0 + made * 600
        day = dt.datetime.fromtimestamp(when, dt.UTC).date()
        msg = (f"{cid} : {STATUSES[new]}\n\nGuichet-Dossier: {cid}\nGuichet-Action: statut\n"
               f"Guichet-Statut: {STATUSES[old]} -> {STATUSES[new]}\n")
        data = case_text(cid, STATUSES[new], day)
        if made % 10 == 9 and made + 1 < n_commits:  # un changement sur dix arrive par une demande de fusion
            mark += 1
            commit("refs/heads/proposition", mark, when, "Alice Facilitatrice <alice@exemple.invalid>", msg, [main_tip])
            blob_cmd(case_path(cid), data)
            branch = mark
            mark += 1
            commit("refs/heads/main", mark, when + 60, "Bob Relecteur <bob@exemple.invalid>", "Merge pull request\n", [main_tip, branch])
            main_tip, made = mark, made + 2
        else:
            mark += 1
            commit("refs/heads/main", mark, when, "Agent MACS <agent@macs.invalid>", msg, [main_tip])
            blob_cmd(case_path(cid), data)
            main_tip, made = mark, made + 1
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(out), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)


class GitCounter:
    """Compte les processus git lancés par guichet pendant un bloc."""

    def __init__(self) -> None:
        self.count = 0
        self._orig = subprocess.Popen.__init__

    def __enter__(self) -> GitCounter:
        orig, counter = self._orig, self

        def init(popen_self, args, *a, **kw):  # type: ignore[no-untyped-def]
            first = args[0] if isinstance(args, list | tuple) else str(args).split()[0]
            if Path(str(first)).name == "git":
                counter.count += 1
            return orig(popen_self, args, *a, **kw)

        subprocess.Popen.__init__ = init  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        subprocess.Popen.__init__ = self._orig  # type: ignore[method-assign]


def measure(root: Path) -> dict[str, float | int]:
    from typer.testing import CliRunner

    from guichet_cli.cli.app import app

    runner = CliRunner()
    env = {"GUICHET_REPO": str(root)}
    res: dict[str, float | int] = {}
    for label, argv in (("history", ["history", "GRCS-2019-00042"]), ("due", ["due", "--on", "2026-12-31", "--format", "json"]),
                        ("log", ["log", "--since", "2026-01-01"])):
        with GitCounter() as c:
            t = time.perf_counter()
            r = runner.invoke(app, argv, env=env, catch_exceptions=False)
            res[f"{label}_s"] = round(time.perf_counter() - t, 2)
        assert r.exit_code == 0, r.output
        res[f"{label}_git"] = c.count
        res[f"{label}_lines"] = len(r.stdout.splitlines())
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--commits", type=int, default=30_000)
    ap.add_argument("--keep", type=Path, help="dossier où garder le dépôt généré (s'il contient déjà un dépôt : réutilisé)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-guichet-"))
    root = args.keep or (tmp / "depot")
    try:
        t = time.perf_counter()
        if (root / ".git").is_dir():  # --keep d'un passage précédent : on remesure sans régénérer
            print(f"dépôt existant réutilisé : {root}")
        else:
            root.mkdir(parents=True)
            generate(root, args.cases, args.commits)
        n = int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True).stdout)
        n_cases = sum(1 for _ in (root / "cases").rglob("*.yaml"))
        print(f"dépôt : {n_cases} demandes, {n} commits (préparation {time.perf_counter() - t:.1f} s)")
        for k, v in measure(root).items():
            print(f"  {k:<14} {v}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
