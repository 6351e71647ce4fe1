"""Banc d'essai de `guichet validate` sur un dépôt généré, comparé à check-jsonschema.

Usage : python bench/bench_validate.py [--cases 10000] [--keep DOSSIER]

Génère un dépôt de N demandes (copies de l'exemple avec des identifiants distincts), puis mesure
dans le même passage :
- guichet validate (schéma + contrôles métier + contrôles transversaux), processus séparé ;
- check-jsonschema (schéma seul, même schéma, mêmes fichiers), le pair de référence ;
et affiche le rapport des deux durées. Aucune durée n'est vérifiée par un test : ce script se
relance à la main pour comparer deux versions sur une même machine.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def build_repo(dest: Path, n: int) -> list[Path]:
    shutil.copy(PROJECT / "guichet.yaml", dest / "guichet.yaml")
    for d in ("schemas", "rules", "partners", "donneurs", "contacts"):
        shutil.copytree(PROJECT / d, dest / d)
    template = (PROJECT / "cases" / "2026" / "GRCS-2026-7F3K.yaml").read_text(encoding="utf-8")
    out = dest / "cases" / "2026"
    out.mkdir(parents=True)
    files = []
    for combo in itertools.islice(itertools.product(ALPHABET, repeat=4), n):
        cid = "GRCS-2026-" + "".join(combo)
        path = out / f"{cid}.yaml"
        path.write_text(template.replace("GRCS-2026-7F3K", cid), encoding="utf-8")
        files.append(path)
    return files


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--keep", type=Path, help="garder le dépôt généré dans ce dossier")
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        files = build_repo(root, args.cases)
        print(f"dépôt généré : {len(files)} demandes dans {root}")
        ours, code = timed([str(bindir / "guichet"), "validate", "--quiet"], root)
        print(f"guichet validate          : {ours:7.2f} s (code {code}) — {1000 * ours / len(files):.2f} ms/demande")
        peer_bin = bindir / "check-jsonschema"
        if peer_bin.exists():
            schema = (root / "schemas" / "demande.schema.json").resolve()
            # --base-uri : les « $ref » relatifs (defs.schema.json#/$defs/…) se résolvent sur le disque ;
            # sans lui, check-jsonschema les chercherait à l'adresse du $id, sur le réseau.
            cmd = [str(peer_bin), "--base-uri", schema.as_uri(), "--schemafile", str(schema), *map(str, files)]
            peer, pcode = timed(cmd, root)
            print(f"check-jsonschema (pair)   : {peer:7.2f} s (code {pcode}) — schéma seul")
            print(f"rapport guichet / pair    : {ours / peer:.2f}")
        else:
            print("check-jsonschema absent : installer l'extra de test (pip install '.[test]') pour la comparaison")


if __name__ == "__main__":
    main()
