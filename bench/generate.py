"""Générateur déterministe de dépôts guichet réalistes pour les bancs d'essai (issue 16).

    python bench/generate.py DEST --cases 10000 --buyers 500 --commits 30000 --seed 16

- N demandes VALIDES, faites à partir de toutes les demandes d'exemple de cases/ (statuts, marchés,
  lots, recommandations, décisions, exécutions différents) : chacune reçoit un identifiant neuf et
  un donneur d'ordre tiré parmi B donneurs générés (copies des donneurs d'exemple, même type
  d'acheteur, SIRET neuf à clé de Luhn valide) ;
- un historique git de M commits qui ressemble au travail réel : créations (trailers
  Guichet-Action: creation), changements de statut un pas après l'autre le long du cycle de vie
  (Guichet-Statut: a -> b), un changement sur dix par une branche fusionnée (--no-ff) ; un dernier
  commit « rattrapage » pose les demandes dont le cycle n'est pas allé au bout dans la limite M ;
- même graine, même dépôt (octet pour octet : dates des commits fixées, pas d'horloge).

Le dépôt est écrit par `git fast-import` (flux), puis extrait. Aucune dépendance hors bibliothèque
standard et git. `--check` lance ensuite `guichet validate` (doit être sans constat).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ORDER = ["recue", "en_analyse", "recommandation_transmise", "decision_rendue", "marche_notifie", "en_execution", "cloturee"]
COPIED = ("schemas", "rules", "partners", "contacts", "clause_templates", "report_templates")
AUTHORS = ["Agent MACS <agent@macs.invalid>", "Alice Facilitatrice <alice@exemple.invalid>",
           "Chloé Chargée de mission <chloe@macs.invalid>", "David Coordination 93 <david@exemple.invalid>"]
_ID_RE = re.compile(r"^id: (\S+)$", re.MULTILINE)
_BUYER_RE = re.compile(r'^donneur_ordre: "(\d{14})"', re.MULTILINE)
_STATUS_RE = re.compile(r"^statut: (\w+)$", re.MULTILINE)
# Titulaire ESS d'un marché notifié : chaque demande générée a le sien (sinon le même organisme
# reçoit des milliers de marchés réservés du même acheteur, et L2113-15 les signale tous).
_ESS_HOLDER_RE = re.compile(r'(- siret: ")(\d{14})("\n\s+nom: [^\n]*\n\s+structure_inclusive: ess\n)')


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _luhn_complete(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def new_siret(rng: random.Random, prefix: str, taken: set[str]) -> str:
    """SIRET neuf : SIREN (9 chiffres) et SIRET (14) à clé de Luhn valide, comme python-stdnum l'exige."""
    while True:
        siren = _luhn_complete(prefix + "".join(rng.choice("0123456789") for _ in range(8 - len(prefix))))
        siret = _luhn_complete(siren + "".join(rng.choice("0123456789") for _ in range(4)))
        if siret not in taken:
            taken.add(siret)
            return siret


def status_path(final: str) -> list[str]:
    """Statuts successifs d'une demande jusqu'à son statut actuel (abandon : après l'analyse)."""
    if final in ORDER:
        return ORDER[: ORDER.index(final) + 1]
    return ["recue", "en_analyse", final]


class Templates:
    """Les demandes d'exemple (texte brut) et les donneurs qu'elles citent."""

    def __init__(self) -> None:
        self.cases = []
        for path in sorted((PROJECT / "cases").rglob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            cid, buyer, status = _ID_RE.search(text), _BUYER_RE.search(text), _STATUS_RE.search(text)
            if cid and buyer and status:
                self.cases.append((path.parent.name, cid.group(1), buyer.group(1), status.group(1), text))
        self.buyers = {p.stem: p.read_text(encoding="utf-8") for p in sorted((PROJECT / "donneurs").glob("*.yaml"))}


def generate(root: Path, n_cases: int, n_buyers: int, n_commits: int, seed: int, out=sys.stdout) -> dict[str, int]:
    rng = random.Random(seed)
    tpl = Templates()
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    # Donneurs : B copies des donneurs d'exemple (même type d'acheteur), SIRET neufs.
    taken = set(tpl.buyers)
    buyers_by_base: dict[str, list[str]] = {b: [b] for b in tpl.buyers}
    buyer_files: dict[str, bytes] = {f"donneurs/{b}.yaml": t.encode() for b, t in tpl.buyers.items()}
    bases = sorted(tpl.buyers)
    for i in range(max(0, n_buyers - len(bases))):
        base = bases[i % len(bases)]
        siret = new_siret(rng, base[:3], taken)
        text = tpl.buyers[base].replace(base, siret)
        text = re.sub(r"^nom: (.*)$", lambda m, k=i: f"nom: {m.group(1)} – entité {k + 1}", text, count=1, flags=re.MULTILINE)
        buyer_files[f"donneurs/{siret}.yaml"] = text.encode()
        buyers_by_base[base].append(siret)
    # Demandes : chaque exemple sert de modèle à tour de rôle (toute la variété des exemples).
    used: set[str] = set()
    cases: list[tuple[str, str, list[str], str]] = []  # (chemin, texte final, statuts, id)
    for k in range(n_cases):
        year, tid, tbuyer, status, text = tpl.cases[k % len(tpl.cases)]
        while True:
            cid = f"GRCS-{year}-" + "".join(rng.choice(ALPHABET) for _ in range(4))
            if cid not in used:
                used.add(cid)
                break
        buyer = rng.choice(buyers_by_base.get(tbuyer, [tbuyer]))
        body = text.replace(tid, cid).replace(f'donneur_ordre: "{tbuyer}"', f'donneur_ordre: "{buyer}"')
        body = _ESS_HOLDER_RE.sub(lambda m: m.group(1) + new_siret(rng, m.group(2)[:3], taken) + m.group(3), body)
        cases.append((f"cases/{year}/{cid}.yaml", body, status_path(status), cid))

    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=root, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    w = proc.stdin.write
    t0 = int(dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC).timestamp())
    state = {"mark": 0, "tip": 0, "commits": 0, "when": t0}

    def commit(ref: str, msg: str, files: dict[str, bytes], parents: list[int], author: str) -> int:
        state["mark"] += 1
        state["when"] += 300 + rng.randrange(600)
        m = msg.encode()
        w(f"commit {ref}\nmark :{state['mark']}\nauthor {author} {state['when']} +0100\n"
          f"committer {author} {state['when']} +0100\ndata {len(m)}\n".encode() + m + b"\n")
        if parents:
            w(f"from :{parents[0]}\n".encode())
            for p in parents[1:]:
                w(f"merge :{p}\n".encode())
        for path, data in files.items():
            w(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        state["commits"] += 1
        return state["mark"]

    base_files = {"guichet.yaml": (PROJECT / "guichet.yaml").read_bytes(), **buyer_files}
    for d in COPIED:
        for p in sorted((PROJECT / d).rglob("*")):
            if p.is_file():
                base_files[p.relative_to(PROJECT).as_posix()] = p.read_bytes()
    state["tip"] = commit("refs/heads/main", "Dépôt initial : schémas, règles, registres\n", base_files, [], AUTHORS[0])

    def version(i: int, step: int) -> bytes:
        path, final, statuses, _cid = cases[i]
        if step == len(statuses) - 1:
            return final.encode()
        return _STATUS_RE.sub(f"statut: {statuses[step]}", final, count=1).encode()

    steps = [0] * n_cases  # statut atteint par chaque demande déjà créée
    created = 0
    budget = max(1, n_commits - 1)
    batch = max(1, -(-n_cases // max(1, budget // 3)))  # les créations prennent environ un tiers des commits
    open_cases: list[int] = []
    while state["commits"] < budget and (created < n_cases or open_cases):
        if created < n_cases and (not open_cases or rng.random() < 0.4):
            chunk = list(range(created, min(n_cases, created + batch)))
            created += len(chunk)
            files = {cases[i][0]: version(i, 0) for i in chunk}
            cid = cases[chunk[0]][3]
            msg = f"{cid} : demande reçue\n\nGuichet-Dossier: {cid}\nGuichet-Action: creation\nGuichet-Statut: -> recue\n"
            state["tip"] = commit("refs/heads/main", msg, files, [state["tip"]], AUTHORS[0])
            open_cases.extend(i for i in chunk if len(cases[i][2]) > 1)
            continue
        j = rng.randrange(len(open_cases))
        i = open_cases[j]
        old = cases[i][2][steps[i]]
        steps[i] += 1
        new = cases[i][2][steps[i]]
        if steps[i] == len(cases[i][2]) - 1:
            open_cases[j] = open_cases[-1]
            open_cases.pop()
        cid = cases[i][3]
        msg = f"{cid} : {new}\n\nGuichet-Dossier: {cid}\nGuichet-Action: statut\nGuichet-Statut: {old} -> {new}\n"
        files = {cases[i][0]: version(i, steps[i])}
        if state["commits"] % 10 == 9 and state["commits"] + 2 <= budget:
            branch = commit("refs/heads/proposition", msg, files, [state["tip"]], rng.choice(AUTHORS[1:]))
            # fast-import part de l'arbre du premier parent : la fusion reporte le changement de la branche
            state["tip"] = commit("refs/heads/main", "Merge pull request : " + msg.split("\n", 1)[0] + "\n", files,
                                  [state["tip"], branch], AUTHORS[0])
        else:
            state["tip"] = commit("refs/heads/main", msg, files, [state["tip"]], rng.choice(AUTHORS))
    rest = {cases[i][0]: cases[i][1].encode() for i in range(n_cases) if i >= created or steps[i] < len(cases[i][2]) - 1}
    if rest:
        commit("refs/heads/main", "Rattrapage de saisie : demandes à jour\n", rest, [state["tip"]], AUTHORS[0])
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import a échoué")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    for key, value in (("user.name", "Banc d'essai"), ("user.email", "banc@macs.invalid"), ("commit.gpgSign", "false")):
        subprocess.run(["git", "config", key, value], cwd=root, check=True)
    stats = {"cases": n_cases, "buyers": len(buyer_files), "commits": state["commits"], "templates": len(tpl.cases)}
    print(f"dépôt {root} : {stats['cases']} demandes ({stats['templates']} modèles), {stats['buyers']} donneurs, "
          f"{stats['commits']} commits", file=out)
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--buyers", type=int, default=50)
    ap.add_argument("--commits", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--force", action="store_true", help="remplacer DEST s'il existe")
    ap.add_argument("--check", action="store_true", help="valider le dépôt produit (guichet validate, doit être sans constat)")
    args = ap.parse_args()
    if args.dest.exists():
        if not args.force:
            raise SystemExit(f"{args.dest} existe déjà (--force pour le remplacer)")
        shutil.rmtree(args.dest)
    t = time.perf_counter()
    generate(args.dest, args.cases, args.buyers, args.commits, args.seed)
    print(f"généré en {time.perf_counter() - t:.1f} s")
    if args.check:
        guichet = Path(sys.executable).parent / "guichet"
        code = subprocess.run([str(guichet), "validate", "--quiet", "--no-cache", "--repo", str(args.dest)]).returncode
        raise SystemExit(code)


if __name__ == "__main__":
    main()
