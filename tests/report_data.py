"""Dépôt de dossiers connus pour les tests du bilan (guichet report) : valeurs calculées à la main.

Donneur A (21930066200018, 93) en 2026 : A1 (travaux, clause, notifié 2026), A2 (non suivie),
A4 (en exécution sans résultats 2026), A5 (heures prévues au prorata). A3 n'est actif qu'en 2025.
Donneur B (27920061200109) : une demande reçue. Donneur C (11075002300100) : données invalides
(seulement dans le dépôt « avec erreur »).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import copy_repo

BUYER_A, BUYER_B, BUYER_C = "21930066200018", "27920061200109", "11075002300100"
SECRET_NAME = "Hélène Exemple"  # contact-0007 : ne doit jamais apparaître dans un bilan public
SECRET_MAIL = "helene.exemple@exemple.invalid"
FORMULA = '=HYPERLINK("http://exemple.invalid","cliquer")'


def _marche(objet: str, nature: str, cpv: str, dept: str, montant: float, **extra: Any) -> dict[str, Any]:
    return {"objet": objet, "nature": nature, "cpv": [cpv], "montant_estime_ht": montant, "duree_mois": extra.pop("duree_mois", 12),
            "forme": extra.pop("forme", "marche_ordinaire"), "lieux_execution": [{"departement": dept}], **extra}


def cases() -> dict[str, dict[str, Any]]:
    a1 = {
        "id": "GRCS-2026-AAA1", "statut": "en_execution", "recue_le": "2026-01-10", "donneur_ordre": BUYER_A,
        "demandeur": "contact-0007",
        "marche": _marche("Construction d'un groupe scolaire", "travaux", "45000000", "93", 6000000,
                          lancement_prevu="2026-08-25", duree_mois=24),
        "analyse": {
            "recommandation": [{"disposition": "clause_insertion", "base_legale": "L2112-2"}],
            "calibrage": {"heures": 3000, "valide_par": "facilitateur-93-01", "valide_le": "2026-01-28"},
            "transmise_le": "2026-01-30",
        },
        "routage": {"coordinations": ["coordination-93"], "chef_de_file": "coordination-93", "reseaux": ["reseau-iae-93"]},
        "decision": {"suite": "suivie", "date": "2026-02-15", "dispositions_retenues": ["clause_insertion"]},
        "execution": {
            "notifie_le": "2026-10-01", "titulaires": [{"siret": "41237765700207", "nom": "Bâtir Exemple SARL"}],
            "montant_notifie_ht": 6000000, "heures_contractuelles": 3000, "considerations_sociales": ["Clause sociale"],
            "reunion_lancement": {"date": "2026-10-15", "facilitateur_present": True}, "notification_signalee_le": "2026-10-05",
        },
        "resultats": [{
            "annee": 2026, "heures_prevues": 1000, "heures_realisees": 900,
            "participants": {"total": 5, "femmes": 2, "hommes": 3, "moins_26_ans": 1, "de_26_a_49_ans": 3, "plus_50_ans": 1,
                             "par_public": {"DELD": 2, "RSA": 2, "QPV": 1}},
            "contrats": {"interim_insertion": 3, "cdd": 2},
            "heures_par_modalite": {"mise_a_disposition": 600, "embauche_directe": 300},
            "sorties": {"emploi_durable": 1, "emploi_transition": 2, "autre": 1},
            "entreprises_inclusives": {"nombre": 1, "chiffre_affaires_ht": 20000},
            "qualitatif": {"faits_marquants": "Trois jeunes du quartier recrutés.", "difficultes": FORMULA, "publiable": True},
            "transmis_le": "2026-12-01",
        }],
    }
    a2 = {
        "id": "GRCS-2026-AAA2", "statut": "decision_rendue", "recue_le": "2026-03-01", "donneur_ordre": BUYER_A,
        "demandeur": "contact-0007",
        "marche": _marche("Nettoyage des écoles", "services", "90919200", "93", 150000),
        "analyse": {"recommandation": [{"disposition": "reserve_siae"}, {"disposition": "clause_insertion"}], "transmise_le": "2026-03-31"},
        "routage": {"coordinations": ["coordination-93"], "reseaux": ["grafie"]},
        "decision": {"suite": "non_suivie", "date": "2026-04-20", "dispositions_retenues": ["aucune"],
                     "motif": f"Décision de {SECRET_NAME} ({SECRET_MAIL}) : marché reconduit en l'état."},
    }
    a3 = {
        "id": "GRCS-2025-AAA3", "statut": "en_execution", "recue_le": "2025-05-01", "donneur_ordre": BUYER_A,
        "demandeur": "contact-0007",
        "marche": _marche("Mise sous pli", "services", "79571000", "93", 100000),
        "analyse": {"recommandation": [{"disposition": "reserve_ea_esat"}], "transmise_le": "2025-05-21"},
        "decision": {"suite": "suivie", "date": "2025-06-01", "dispositions_retenues": ["reserve_ea_esat"]},
        "execution": {"notifie_le": "2025-09-01", "titulaires": [{"siret": "50216634100102", "nom": "EA Exemple"}],
                      "montant_notifie_ht": 100000, "considerations_sociales": ["Marché réservé"]},
        "resultats": [{"annee": 2025, "heures_realisees": 500, "participants": {"total": 4},
                       "qualitatif": {"faits_marquants": f"Suivi interne par {SECRET_NAME}.", "publiable": False}}],
    }
    a4 = {
        "id": "GRCS-2025-AAA4", "statut": "en_execution", "recue_le": "2025-06-01", "donneur_ordre": BUYER_A,
        "demandeur": "contact-0007",
        "marche": _marche("Entretien de voirie", "travaux", "45233141", "93", 500000, duree_mois=24),
        "decision": {"suite": "suivie", "date": "2025-07-01", "dispositions_retenues": ["clause_insertion"]},
        "execution": {"notifie_le": "2025-10-01", "titulaires": [{"siret": "41237765700207", "nom": "Routes Exemple"}],
                      "montant_notifie_ht": 500000, "heures_contractuelles": 1200},
    }
    a5 = {
        "id": "GRCS-2025-AAA5", "statut": "en_execution", "recue_le": "2025-03-01", "donneur_ordre": BUYER_A,
        "demandeur": "contact-0007",
        "marche": _marche("Gardiennage", "services", "79713000", "93", 300000, duree_mois=12),
        "decision": {"suite": "suivie", "date": "2025-04-01", "dispositions_retenues": ["clause_insertion"]},
        "execution": {"notifie_le": "2025-07-01", "titulaires": [{"siret": "41237765700207", "nom": "Garde Exemple"}],
                      "montant_notifie_ht": 300000, "heures_contractuelles": 730},
        "resultats": [{"annee": 2026, "heures_realisees": 400, "participants": {"total": 2},
                       "qualitatif": {"faits_marquants": f"Entretien mené avec {SECRET_NAME}.", "publiable": False}}],
    }
    b1 = {
        "id": "GRCS-2026-BBB1", "statut": "recue", "recue_le": "2026-02-01", "donneur_ordre": BUYER_B,
        "demandeur": "contact-0007", "marche": _marche("Réhabilitation de logements", "travaux", "45453000", "92", 800000),
    }
    return {c["id"]: c for c in (a1, a2, a3, a4, a5, b1)}


def bad_case() -> dict[str, Any]:
    return {
        "id": "GRCS-2026-CCC1", "statut": "en_execution", "recue_le": "2026-01-05", "donneur_ordre": BUYER_C,
        "demandeur": "contact-0007", "marche": _marche("Collecte", "services", "90511000", "75", 200000),
        "resultats": [{"annee": 2026, "heures_realisees": "beaucoup", "participants": {"total": 1}}],
    }


def build_repo(dest: Path, *, with_bad: bool = False) -> Path:
    copy_repo(dest, with_cases=False)
    for cid, data in cases().items():
        path = dest / "cases" / cid[5:9] / f"{cid}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if with_bad:
        path = dest / "cases" / "2026" / "GRCS-2026-CCC1.yaml"
        path.write_text(json.dumps(bad_case(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return dest
