"""Aides des tests d'analyse : dossiers construits dans les tests (pas de dépendance aux exemples)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from guichet_cli.core import yamlio
from guichet_cli.core.model.case import Case

BUYER_93 = "21930066200018"  # Ville fictive, type pouvoir_adjudicateur, département 93


def make_case(case_id: str = "GRCS-2026-ZZ01", **marche: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "objet": "Marché de test",
        "nature": "services",
        "cpv": ["90911200"],
        "montant_estime_ht": 300000,
        "duree_mois": 12,
        "forme": "marche_ordinaire",
        "lancement_prevu": "2026-09-15",
        "lieux_execution": [{"departement": "93"}],
    }
    base.update(marche)
    return {"id": case_id, "statut": "en_analyse", "recue_le": "2026-06-01", "donneur_ordre": BUYER_93,
            "demandeur": "contact-0007", "marche": copy.deepcopy(base)}


def write_case(repo: Path, case: dict[str, Any], comment: str = "Dossier de test") -> Path:
    year = case["id"].split("-")[1]
    path = repo / "cases" / year / f"{case['id']}.yaml"
    doc = yamlio.new_document(path, case, comment)
    yamlio.dump_roundtrip(doc)
    return path


# Lignes types d'un plan d'achat (objet, CPV, montant de base, durée) : tous les secteurs de la table.
PLAN_TEMPLATES = [
    ("Nettoyage des locaux", "90911200-8", 380_000, 48),
    ("Réhabilitation de logements", "45000000-7", 2_400_000, 18),
    ("Travaux de peinture", "45442100", 180_000, 6),
    ("Entretien des espaces verts", "77310000", 150_000, 36),
    ("Restauration scolaire", "55523100", 900_000, 48),
    ("Maintenance informatique", "72000000", 260_000, 36),
    ("Gardiennage des sites", "79713000", 500_000, 24),
    ("Mise sous pli", "79571000", 60_000, 12),
    ("Blanchisserie", "98310000", 120_000, 36),
    ("Accompagnement social", "85312000", 200_000, 36),
    ("Fournitures de bureau", "30192000", 90_000, 12),
    ("Collecte des déchets", "90511000", 1_500_000, 60),
    ("Transport de personnes", "60100000", 700_000, 48),
    ("Services juridiques", "79100000", 100_000, 24),
]
DEPS = ["75", "77", "78", "91", "92", "93", "94", "95"]


def french_amount(x: float) -> str:
    """1200000 → « 1 200 000,00 € » (espace insécable fine comme Excel en français)."""
    return f"{x:,.2f}".replace(",", "\u202f").replace(".", ",") + " €"


def generate_plan_rows(n: int) -> list[list[str]]:
    """Plan d'achat déterministe de n lignes, en-têtes et formats variés à la française."""
    rows = [["Intitulé", "Code CPV", "Montant estimé (€ HT)", "Durée (mois)", "Lieu d'exécution", "Date de lancement prévue"]]
    for i in range(n):
        obj, cpv, amount, months = PLAN_TEMPLATES[i % len(PLAN_TEMPLATES)]
        amount = amount * (1 + (i % 7) / 3)
        launch = f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2026 + i % 2}"
        rows.append([f"{obj} n° {i + 1}", cpv, french_amount(amount), f"{months} mois" if i % 3 else str(months), DEPS[i % 8], launch])
    return rows


def write_plan_csv(path: Path, rows: list[list[str]], delimiter: str = ";", encoding: str = "utf-8") -> Path:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def as_model(case: dict[str, Any]) -> Case:
    """Le dossier de test `case` (dictionnaire), lu par le modèle comme le magasin le lirait."""
    year = str(case["id"]).split("-")[1]
    return Case.from_data(Path("cases") / year / f"{case['id']}.yaml", copy.deepcopy(case))
