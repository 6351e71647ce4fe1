"""guichet report --format json : chaque indicateur comparé à la valeur calculée à la main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, init_git
from report_data import BUYER_A, BUYER_B, SECRET_NAME, build_repo


@pytest.fixture(scope="module")
def known_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_git(build_repo(tmp_path_factory.mktemp("bilan") / "depot"))


def _json(cli, repo: Path, tmp: Path, *args: str) -> dict:
    cli("report", "--year", "2026", *args, "--format", "json", "--out", str(tmp), repo=repo)
    files = sorted(tmp.glob("*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text(encoding="utf-8"))


def test_buyer_json_every_indicator(cli, known_repo: Path, tmp_path: Path) -> None:
    r = _json(cli, known_repo, tmp_path, "--buyer", BUYER_A)
    assert r["bilan"]["annee"] == 2026 and r["bilan"]["version"] == "interne"
    assert r["bilan"]["donneur"]["siret"] == BUYER_A
    i = r["indicateurs"]
    # demandes reçues en 2026 : A1 (en exécution) et A2 (décision rendue)
    assert i["demandes"] == {"recues": 2, "par_statut": {"decision_rendue": 1, "en_execution": 1}}
    # décisions 2026 : A1 suivie, A2 non suivie
    rec = i["recommandations"]
    assert rec["decisions"] == 2
    assert rec["par_suite"] == {"suivie": 1, "non_suivie": 1}
    assert rec["taux_suivi"] == 0.5 and rec["taux_suivi_total_ou_partiel"] == 0.5
    assert [m["dossier"] for m in rec["motifs"]] == ["GRCS-2026-AAA2"] and SECRET_NAME in rec["motifs"][0]["motif"]
    # marchés notifiés en 2026 : A1 seulement
    m = i["marches"]
    assert (m["notifies"], m["avec_disposition_sociale"], m["montant_notifie_ht"]) == (1, 1, 6000000)
    assert m["montant_avec_disposition_sociale_ht"] == 6000000
    assert m["par_famille"] == {"clause": {"libelle": "clause sociale (condition d'exécution)", "marches": 1, "montant_ht": 6000000}}
    assert m["considerations_sociales_decp"] == {"Clause sociale": 1}
    # heures 2026 : A1 1000 prévues / 900 réalisées ; A5 730 h × 181/365 j = 362 prévues (prorata) / 400 réalisées
    h = i["heures"]
    assert (h["prevues"], h["realisees"], h["marches_avec_resultats"]) == (1362, 1300, 2)
    assert h["taux_realisation"] == round(1300 / 1362, 4)
    assert h["etp_realises"] == round(1300 / 1600, 2) and h["etp_heures"] == 1600
    assert h["par_modalite"] == {"embauche_directe": 300, "mise_a_disposition": 600}
    p = i["participants"]
    assert p["total"] == 7
    assert p["profil"] == {"femmes": 2, "hommes": 3, "moins_26_ans": 1, "de_26_a_49_ans": 3, "plus_50_ans": 1}
    assert p["par_public"] == {"DELD": 2, "RSA": 2, "QPV": 1}
    assert i["contrats"] == {"total": 5, "par_type": {"cdd": 2, "interim_insertion": 3}}
    assert i["sorties"] == {"total": 4, "par_type": {"emploi_durable": 1, "emploi_transition": 2, "autre": 1},
                            "taux_sorties_dynamiques": round(3 / 7, 4)}
    assert i["entreprises_inclusives"] == {"nombre": 1, "chiffre_affaires_ht": 20000}
    assert i["partenaires"] == [
        {"id": "coordination-93", "libelle": "CD93", "dossiers": 2},
        {"id": "grafie", "libelle": "GRAFIE", "dossiers": 1},
        {"id": "reseau-iae-93", "libelle": i["partenaires"][2]["libelle"], "dossiers": 1},
    ]
    # délais : A1 10/01 → 30/01 = 20 j ; A2 01/03 → 31/03 = 30 j
    d = i["delais"]
    assert (d["recommandations_transmises"], d["moyen_jours"], d["median_jours"], d["max_jours"]) == (2, 25.0, 25, 30)
    e = i["engagements"]
    assert e["facilitateur_au_calibrage"] == {"oui": 1, "sur": 1, "taux": 1.0}
    assert e["facilitateur_a_la_reunion_de_lancement"] == {"oui": 1, "sur": 1, "taux": 1.0}
    assert e["notification_signalee"] == {"oui": 1, "sur": 1, "taux": 1.0}
    # résultats attendus : A1 (transmis), A4 (absents), A5 (sans date de transmission)
    assert e["resultats_transmis"] == {"oui": 1, "sur": 3, "taux": round(1 / 3, 4)}
    assert r["donnees_manquantes"] == [
        {"dossier": "GRCS-2025-AAA4", "fichier": "cases/2025/GRCS-2025-AAA4.yaml", "probleme": "marché en exécution sans résultats pour 2026"}
    ]
    assert [q["dossier"] for q in r["qualitatif"]] == ["GRCS-2025-AAA5", "GRCS-2026-AAA1"]
    # comparaison 2025 : A3, A4, A5 reçues et notifiées ; seul A3 a des résultats 2025 (500 h, 4 personnes)
    cmp_ = {row["indicateur"]: (row["precedent"], row["courant"]) for row in r["comparaison"]["indicateurs"]}
    assert r["comparaison"]["annee_precedente"] == 2025
    assert cmp_["demandes reçues"] == (3, 2)
    assert cmp_["marchés notifiés"] == (3, 1)
    assert cmp_["montant notifié HT"] == (900000, 6000000)
    assert cmp_["heures réalisées"] == (500, 1300)
    assert cmp_["participants"] == (4, 7)
    # annexe : les 4 dossiers actifs en 2026, avec leur fichier et leur dernier commit
    assert [x["dossier"] for x in r["annexe"]] == ["GRCS-2025-AAA4", "GRCS-2025-AAA5", "GRCS-2026-AAA1", "GRCS-2026-AAA2"]
    head = git(known_repo, "log", "-1", "--format=%H", "--", "cases/2026/GRCS-2026-AAA1.yaml").strip()
    a1 = next(x for x in r["annexe"] if x["dossier"] == "GRCS-2026-AAA1")
    assert a1["fichier"] == "cases/2026/GRCS-2026-AAA1.yaml" and a1["commit"] == head[:12] and a1["delai_jours"] == 20
    assert next(x for x in r["annexe"] if x["dossier"] == "GRCS-2025-AAA5")["heures_prevues_au_prorata"] is True


def test_region_panorama(cli, known_repo: Path, tmp_path: Path) -> None:
    r = _json(cli, known_repo, tmp_path, "--region")
    assert r["bilan"]["perimetre"] == "region"
    assert r["indicateurs"]["demandes"]["recues"] == 3  # A1, A2, B1
    pano = r["panorama"]
    deps = {g["cle"]: g for g in pano["par_departement"]}
    assert deps["93"]["demandes_recues"] == 2 and deps["93"]["marches_notifies"] == 1 and deps["93"]["heures_realisees"] == 1300
    assert deps["92"]["demandes_recues"] == 1
    dispo = {g["cle"]: g for g in pano["par_disposition"]}
    assert dispo["clause_insertion"]["marches_notifies"] == 1 and dispo["clause_insertion"]["montant_notifie_ht"] == 6000000
    assert pano["principaux_donneurs"][0]["siret"] == BUYER_A and pano["principaux_donneurs"][0]["heures_realisees"] == 1300
    # A1 : travaux, 6 000 000 € ≥ 5 404 000 € (2026-2027), lancé le 25/08/2026 → soumis à l'obligation, clause présente
    s = pano["seuil_europeen"]
    assert (s["marches_au_dessus_du_seuil"], s["avec_consideration_sociale"], s["part"]) == (1, 1, 1.0)
    assert (s["soumis_a_l_obligation"], s["soumis_avec_consideration_sociale"]) == (1, 1)
    secteurs = {g["cle"] for g in pano["par_secteur"]}
    assert any("construction" in k for k in secteurs)


def test_buyer_b_minimal_and_no_git(cli, tmp_path: Path) -> None:
    repo = build_repo(tmp_path / "sans_git")
    r = _json(cli, repo, tmp_path / "out", "--buyer", BUYER_B)
    assert r["indicateurs"]["demandes"]["recues"] == 1
    assert r["indicateurs"]["heures"]["taux_realisation"] is None
    assert r["bilan"]["historique"].startswith("historique indisponible")
    assert r["annexe"][0]["commit"] is None


def test_hours_chart_compares_like_with_like(cli, known_repo: Path, tmp_path: Path) -> None:
    """Le graphique « heures prévues vs réalisées » ne met face aux heures prévues que les heures
    réalisées sur les mêmes marchés ; les heures d'un marché réservé (A3, 500 h en 2025) vont en note."""
    from guichet_cli.core.report.chart_data import hours_series

    r = _json(cli, known_repo, tmp_path / "a26", "--buyer", BUYER_A)
    cmp_ = {row["indicateur"]: (row["precedent"], row["courant"]) for row in r["comparaison"]["indicateurs"]}
    assert cmp_["heures réalisées sur les marchés à heures prévues"] == (0, 1300)
    series, note = hours_series(r)
    assert series == [("2025", cmp_["heures prévues"][0], 0), ("2026", 1362, 1300)]
    assert note == ""
    cli("report", "--year", "2025", "--buyer", BUYER_A, "--format", "json", "--out", str(tmp_path / "a25"), repo=known_repo)
    r25 = json.loads(next((tmp_path / "a25").glob("*.json")).read_text(encoding="utf-8"))
    h = r25["indicateurs"]["heures"]
    assert h["realisees"] == 500 and h["realisees_sur_marches_avec_heures_prevues"] == 0
    series, note = hours_series(r25)
    assert series[-1] == ("2025", h["prevues"], 0)
    assert note.startswith("Hors 500\u00a0heures réalisées sur des marchés sans heures prévues")
