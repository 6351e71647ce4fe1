"""Banc d'essai de « guichet report --all » : dépôt généré de N demandes et B donneurs d'ordre.

    .venv/bin/python bench/bench_report.py                         # 10 000 demandes, 500 donneurs, DOCX et XLSX
    .venv/bin/python bench/bench_report.py --requests 1000 --buyers 50 --formats xlsx

Mesure, pour chaque format : durée totale de la commande, durée par bilan produit, et nombre
d'analyses YAML de chaque dossier (appels à yamlio.PARSES comptés : attendu 1 par commande).
Données générées fictives et déterministes (graine fixe) ; rien n'est écrit dans le projet.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from typer.testing import CliRunner  # noqa: E402

from guichet_cli.core import yamlio  # noqa: E402

ID_CHARS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DEPTS = ["75", "77", "78", "91", "92", "93", "94", "95"]
MARKETS = [
    ("travaux", "45000000", "clause_insertion", "Clause sociale"),
    ("services", "90919200", "clause_insertion", "Clause sociale"),
    ("services", "77310000", "reserve_siae", "Marché réservé"),
    ("services", "79571000", "reserve_ea_esat", "Marché réservé"),
    ("fournitures", "39150000", "critere_social", "Critère social"),
]


def _case_id(year: int, n: int) -> str:
    code = ""
    for _ in range(4):
        code = ID_CHARS[n % 32] + code
        n //= 32
    return f"GRCS-{year}-{code}"


def _case(rng: random.Random, cid: str, year: int, siret: str) -> dict:
    nature, cpv, dispo, decp = rng.choice(MARKETS)
    dept = rng.choice(DEPTS)
    month = rng.randint(1, 9)
    case: dict = {
        "id": cid, "fictif": True, "statut": "recue", "recue_le": f"{year}-{month:02d}-05", "donneur_ordre": siret,
        "demandeur": "contact-0007",
        "marche": {"objet": f"Marché fictif {cid}", "nature": nature, "cpv": [cpv], "montant_estime_ht": rng.randint(5, 800) * 10000,
                   "duree_mois": rng.choice([12, 24, 36]), "forme": "marche_ordinaire", "lieux_execution": [{"departement": dept}],
                   "lancement_prevu": f"{year}-{month + 1:02d}-01"},
    }
    step = rng.random()
    if step < 0.15:
        return case
    case["statut"] = "recommandation_transmise"
    case["analyse"] = {"recommandation": [{"disposition": dispo}], "transmise_le": f"{year}-{month:02d}-{rng.randint(10, 28)}"}
    case["routage"] = {"coordinations": [f"coordination-{dept}"], "reseaux": [f"reseau-iae-{dept}"]}
    if step < 0.3:
        return case
    followed = rng.random() < 0.8
    case["statut"] = "decision_rendue"
    case["decision"] = {"suite": "suivie" if followed else "non_suivie", "date": f"{year}-{month + 1:02d}-15",
                        "dispositions_retenues": [dispo if followed else "aucune"]}
    if not followed:
        case["decision"]["motif"] = "Calendrier trop contraint (fictif)."
        return case
    if step < 0.45:
        return case
    hours = rng.randint(200, 3000)
    case["statut"] = "en_execution"
    case["execution"] = {"notifie_le": f"{year}-{month + 2:02d}-01", "titulaires": [{"siret": "41237765700207", "nom": "Titulaire fictif"}],
                         "montant_notifie_ht": case["marche"]["montant_estime_ht"], "heures_contractuelles": hours,
                         "considerations_sociales": [decp],
                         "reunion_lancement": {"date": f"{year}-{month + 2:02d}-20", "facilitateur_present": rng.random() < 0.7}}
    if step < 0.55:
        return case  # en exécution sans résultats : données manquantes
    n = rng.randint(1, 12)
    case["resultats"] = [{
        "annee": year, "heures_prevues": hours // 2, "heures_realisees": rng.randint(hours // 4, hours),
        "participants": {"total": n, "femmes": n // 3, "hommes": n - n // 3, "par_public": {"DELD": n // 2, "RSA": n - n // 2}},
        "contrats": {"interim_insertion": n // 2, "cdd": n - n // 2},
        "heures_par_modalite": {"mise_a_disposition": hours // 4},
        "sorties": {"emploi_durable": n // 4, "sortie_positive": n // 4},
        "qualitatif": {"faits_marquants": "Parcours réussi (fictif).", "publiable": True},
        "transmis_le": f"{year}-12-15",
    }]
    return case


def generate(dest: Path, requests: int, buyers: int, year: int, seed: int = 2026) -> None:
    for d in ("schemas", "rules", "partners", "contacts", "report_templates"):
        shutil.copytree(ROOT / d, dest / d)
    shutil.copy(ROOT / "guichet.yaml", dest / "guichet.yaml")
    rng = random.Random(seed)
    sirets = [f"2{i:08d}00010" + str(i % 10) for i in range(buyers)]
    (dest / "donneurs").mkdir()
    for i, siret in enumerate(sirets):
        (dest / "donneurs" / f"{siret}.yaml").write_text(
            f'siret: "{siret}"\nnom: Donneur fictif n° {i + 1}\nfictif: true\ntype_acheteur: pouvoir_adjudicateur\n'
            f'departement: "{DEPTS[i % 8]}"\n', encoding="utf-8")
    for n in range(requests):
        y = year if n % 3 else year - 1  # un tiers l'année précédente (comparaison)
        cid = _case_id(y, n)
        path = dest / "cases" / str(y) / f"{cid}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_case(rng, cid, y, sirets[n % buyers]), ensure_ascii=False, indent=1), encoding="utf-8")


def run(repo: Path, year: int, fmt: str, out: Path) -> dict:
    from guichet_cli.cli.app import app

    yamlio.PARSES.clear()  # analyses comptées par le module YAML lui-même
    t0 = time.perf_counter()
    res = CliRunner().invoke(app, ["report", "--year", str(year), "--all", "--format", fmt, "--out", str(out)],
                             env={"GUICHET_REPO": str(repo)}, catch_exceptions=False)
    elapsed = time.perf_counter() - t0
    counts: Counter[str] = Counter({k: v for k, v in yamlio.PARSES.items() if "cases" in Path(k).parts})
    produced = len(list(out.glob(f"*.{fmt}")))
    return {
        "format": fmt, "code": res.exit_code, "bilans": produced, "secondes": round(elapsed, 2),
        "secondes_par_bilan": round(elapsed / produced, 4) if produced else None,
        "dossiers_analyses": len(counts), "analyses_par_dossier_max": max(counts.values(), default=0),
        "analyses_par_dossier_min": min(counts.values(), default=0),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="Banc d'essai de guichet report --all")
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--buyers", type=int, default=500)
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--formats", default="docx,xlsx")
    ap.add_argument("--keep", action="store_true", help="garder le dépôt généré et les bilans")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        t0 = time.perf_counter()
        generate(tmp / "depot", args.requests, args.buyers, args.year)
        print(f"dépôt généré : {args.requests} demandes, {args.buyers} donneurs ({time.perf_counter() - t0:.1f} s) — {tmp}")
        for fmt in args.formats.split(","):
            print(json.dumps(run(tmp / "depot", args.year, fmt, tmp / f"bilans-{fmt}"), ensure_ascii=False))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
