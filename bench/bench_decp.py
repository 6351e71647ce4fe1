"""Banc d'essai de `guichet import decp` sur un fichier DECP généré de 100 000 marchés.

Usage : python bench/bench_decp.py [--records 100000] [--schema CHEMIN] [--keep DOSSIER]

Génère (en flux) un fichier DECP v2 de N marchés au format officiel : la plupart d'acheteurs inconnus
du guichet, un sur mille de l'acheteur d'une demande d'exemple, un sur cinq cents avec un défaut
réel (dureeMois « NC », montant 1e17). Puis lance `guichet import decp` dans un processus séparé,
avec le schéma officiel (--schema) puis le contrôle réduit, et affiche la durée et la mémoire
maximale (RSS) de chaque passage, ainsi que celle d'un simple json.load du même fichier pour
comparaison (ce que coûterait une lecture non en flux). Aucune durée n'est vérifiée par un test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA = PROJECT.parent / "shared" / "reference" / "decp" / "schema_decp_v2.0.3.json"
KNOWN_BUYER = "26950031000108"  # donneur d'ordre de la demande d'exemple GRCS-2026-P4Q5

BASE = {
    "nature": "Marché", "techniques": {"technique": ["Sans objet"]}, "modalitesExecution": {"modaliteExecution": ["Sans objet"]},
    "marcheInnovant": False, "ccag": "Fournitures courantes et services", "offresRecues": 3, "attributionAvance": False,
    "typeGroupementOperateurs": "Pas de groupement", "sousTraitanceDeclaree": False, "procedure": "Procédure adaptée",
    "dureeMois": 12, "datePublicationDonnees": "2026-06-10", "typesPrix": {"typePrix": ["Définitif ferme"]},
    "formePrix": "Forfaitaire", "considerationsEnvironnementales": {"considerationEnvironnementale": ["Pas de considération environnementale"]},
}
CPVS = ["90911200", "45000000", "77310000", "55523100", "79620000", "15894210", "72000000", "50700000"]


def record(i: int) -> dict:
    buyer = KNOWN_BUYER if i % 1000 == 0 else f"{21000000000000 + i * 7919 % 10**12:014d}"
    rec = {"id": f"B{i:08d}", "acheteur": {"id": buyer}, "objet": f"Prestation n° {i} : entretien et maintenance des bâtiments",
           "codeCPV": CPVS[i % len(CPVS)], **BASE,
           "lieuExecution": {"code": f"{75 + i % 20:02d}", "typeCode": "Code département"},
           "dateNotification": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", "montant": 40000 + (i * 37) % 2000000,
           "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": f"{30000000000000 + i:014d}"}}],
           "considerationsSociales": {"considerationSociale": ["Clause sociale" if i % 3 == 0 else "Pas de considération sociale"]}}
    if i % 500 == 1:
        rec["dureeMois"] = "NC"
    if i % 500 == 2:
        rec["montant"] = 1e17
    return rec


def generate(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"marches": {"marche": [\n')
        for i in range(n):
            fh.write(("," if i else "") + json.dumps(record(i), ensure_ascii=False) + "\n")
        fh.write("]}}\n")


def build_repo(dest: Path) -> None:
    shutil.copy(PROJECT / "guichet.yaml", dest / "guichet.yaml")
    for d in ("schemas", "rules", "partners", "donneurs", "contacts", "cases"):
        shutil.copytree(PROJECT / d, dest / d)


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Durée (s), RSS maximale (Mio) et code de sortie d'une commande, dans un processus enfant mesuré seul."""
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
               "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)")
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], cwd=cwd, capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA)
    parser.add_argument("--keep", type=Path, help="garder le dépôt et le fichier générés dans ce dossier")
    args = parser.parse_args()
    guichet = str(Path(sys.executable).parent / "guichet")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        repo = root / "depot"
        if not repo.exists():
            repo.mkdir()
            build_repo(repo)
        data = root / "decp.json"
        start = time.perf_counter()
        generate(data, args.records)
        size = data.stat().st_size / 2**20
        print(f"fichier généré : {args.records} marchés, {size:.1f} Mio, en {time.perf_counter() - start:.1f} s")
        runs = [("json.load (lecture entière, comparaison)", [sys.executable, "-c", f"import json; json.load(open({str(data)!r}))"])]
        if args.schema.is_file():
            runs.append(("guichet import decp --schema (schéma officiel)", [guichet, "import", "decp", str(data), "--schema", str(args.schema)]))
        runs.append(("guichet import decp (contrôle réduit)", [guichet, "import", "decp", str(data)]))
        print("| passage | durée (s) | RSS max (Mio) | code |")
        print("|---|---:|---:|---:|")
        for label, cmd in runs:
            secs, rss, rc = measure(cmd, repo)
            print(f"| {label} | {secs:.1f} | {rss:.0f} | {rc} |")


if __name__ == "__main__":
    main()
