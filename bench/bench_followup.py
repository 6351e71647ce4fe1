"""Banc d'essai de `guichet followup import` : un fichier de relevés de 50 000 lignes (pas un test chronométré).

    python bench/bench_followup.py                  # 500 demandes × 25 mois × 4 modalités = 50 000 lignes
    python bench/bench_followup.py --cases 100      # 100 demandes (10 000 lignes)

Le dépôt généré (dossier temporaire, vrai dépôt git) reprend les registres et les règles du projet et
500 demandes valides tirées de l'exemple GRCS-2025-9KXA. Le fichier CSV est au format long (une ligne
par dossier, mois et modalité, nombres à la française). Mesures : lecture + rapprochement,
écriture (une modification validée par demande) + commit unique, réimportation (aucun changement),
et mémoire de pointe du processus (ru_maxrss, mesurée après chaque étape). tracemalloc ralentirait
l'écriture de moitié : il n'est lancé qu'avec --tracemalloc (pointe des allocations Python).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from guichet_cli.core import yamlio  # noqa: E402
from guichet_cli.core.followup.importer import import_files  # noqa: E402
from guichet_cli.core.workspace import open_workspace  # noqa: E402

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MODALITIES = ["Embauche directe", "Mise à disposition", "Formation", "Sous-traitance"]
HOLDER = "43390511400503"


def case_ids(n: int) -> list[str]:
    out = []
    for i in range(n):
        code, k = "", i + 1024  # 4 caractères
        for _ in range(4):
            code = ALPHABET[k % 32] + code
            k //= 32
        out.append(f"GRCS-2025-{code}")
    return out


def generate(root: Path, n_cases: int, months: int) -> Path:
    shutil.copy(PROJECT / "guichet.yaml", root / "guichet.yaml")
    for d in ("partners", "donneurs", "contacts", "rules", "schemas"):
        shutil.copytree(PROJECT / d, root / d)
    (root / "cases" / "2025").mkdir(parents=True)
    template = (PROJECT / "cases/2025/GRCS-2025-9KXA.yaml").read_text(encoding="utf-8")
    head = template[: template.index("# Suivi :")]
    for cid in case_ids(n_cases):
        (root / "cases/2025" / f"{cid}.yaml").write_text(
            head.replace("GRCS-2025-9KXA", cid) + f'suivi:\n  reference_marche: "REF-{cid}"\n  periodicite: mois\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    for k, v in (("user.name", "Banc MACS"), ("user.email", "banc@macs.invalid"), ("commit.gpgSign", "false")):
        subprocess.run(["git", "config", k, v], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "Dépôt initial"], cwd=root, check=True)
    csv_path = root.parent / "releves.csv"
    with csv_path.open("w", encoding="utf-8") as out:
        out.write("Dossier;SIRET titulaire;Période;Modalité;Nombre d'heures réalisées;Participants;Transmis par\n")
        for cid in case_ids(n_cases):
            for m in range(months):
                period = f"{2026 + m // 12}-{m % 12 + 1:02d}"
                for j, mod in enumerate(MODALITIES):
                    out.write(f"{cid};{HOLDER};{period};{mod};{10 + j},5;{1 if j == 0 else ''};facilitateur-75-01\n")
    return csv_path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--months", type=int, default=25)
    ap.add_argument("--tracemalloc", action="store_true", help="pointe des allocations Python (plus lent)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "depot"
        root.mkdir()
        csv_path = generate(root, args.cases, args.months)
        lines = args.cases * args.months * len(MODALITIES)
        ws = open_workspace(root)
        if args.tracemalloc:
            tracemalloc.start()
        t0 = time.perf_counter()
        preview = import_files(ws, [csv_path], write_=False)
        t1 = time.perf_counter()
        rss_preview = _rss()
        peak_preview = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        if args.tracemalloc:
            tracemalloc.reset_peak()
        ws = open_workspace(root)
        t2 = time.perf_counter()
        res = import_files(ws, [csv_path], write_=True)
        t3 = time.perf_counter()
        rss_write = _rss()
        peak_write = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        tracemalloc.stop()
        ws = open_workspace(root)
        t4 = time.perf_counter()
        again = import_files(ws, [csv_path], write_=True)
        t5 = time.perf_counter()
        commits = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
        sample = yamlio.load_fast(next((root / "cases/2025").glob("*.yaml")))
    assert preview.matched == lines and not preview.problems, (preview.matched, preview.problems[:3])
    assert res.added == args.cases * args.months and res.sha and again.unchanged == res.added and again.sha is None
    assert len(sample["suivi"]["releves"]) == args.months
    def mem(peak: int | None) -> str:
        return f", pointe Python {peak / 2**20:.1f} Mio" if peak is not None else ""

    print(f"{lines} lignes, {args.cases} demandes, {res.added} relevés")
    print(f"  lecture + rapprochement (aperçu)     : {t1 - t0:6.2f} s{mem(peak_preview)} ; processus {rss_preview:.0f} Mio")
    print(f"  import --write (écriture + 1 commit) : {t3 - t2:6.2f} s{mem(peak_write)} ; processus {rss_write:.0f} Mio")
    print(f"  réimportation (rien ne change)       : {t5 - t4:6.2f} s")
    print(f"  commits : {commits} (initial + import)")


def _rss() -> float:
    """Mémoire de pointe du processus depuis son début (ru_maxrss, en Kio sous Linux), en Mio."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if __name__ == "__main__":
    main()
