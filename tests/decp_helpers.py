"""Enregistrements DECP v2 complets (forme officielle, schéma 2.0.3) pour les tests d'import et d'export."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.conftest import SHARED_REFERENCE

DECP_DIR = SHARED_REFERENCE / "decp"
DECP_SCHEMA = DECP_DIR / "schema_decp_v2.0.3.json"
EXAMPLES = sorted((DECP_DIR / "exemples" / "json").glob("*.json"))
REAL_WORLD = DECP_DIR / "real-world" / "decp_test_2022.json"

# Marché conforme au schéma v2.0.3, à propos du lot 1 de la demande d'exemple GRCS-2026-P4Q5
# (centre hospitalier 26950031000108, nettoyage, Pontoise).
P4Q5_LOT1: dict[str, Any] = {
    "id": "2026NET01",
    "acheteur": {"id": "26950031000108"},
    "nature": "Marché",
    "objet": "Nettoyage des locaux hospitaliers - lot 1 : services de soins et plateaux techniques",
    "codeCPV": "90911200",
    "techniques": {"technique": ["Accord-cadre"]},
    "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
    "marcheInnovant": False,
    "ccag": "Fournitures courantes et services",
    "offresRecues": 4,
    "attributionAvance": False,
    "typeGroupementOperateurs": "Pas de groupement",
    "sousTraitanceDeclaree": False,
    "procedure": "Appel d'offres ouvert",
    "lieuExecution": {"code": "95500", "typeCode": "Code commune"},
    "dureeMois": 48,
    "dateNotification": "2026-12-01",
    "datePublicationDonnees": "2026-12-10",
    "montant": 1250000,
    "typesPrix": {"typePrix": ["Définitif révisable"]},
    "formePrix": "Unitaire",
    "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "73282932000074"}}],
    "considerationsSociales": {"considerationSociale": ["Clause sociale"]},
    "considerationsEnvironnementales": {"considerationEnvironnementale": ["Pas de considération environnementale"]},
}


def marche(**overrides: Any) -> dict[str, Any]:
    rec = copy.deepcopy(P4Q5_LOT1)
    for key, value in overrides.items():
        if value is None:
            rec.pop(key, None)
        else:
            rec[key] = value
    return rec


def write_decp(path: Path, marches: list[dict[str, Any]], concessions: list[dict[str, Any]] | None = None) -> Path:
    doc: dict[str, Any] = {"marches": {"marche": marches}}
    if concessions:
        doc["marches"]["contrat-concession"] = concessions
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
