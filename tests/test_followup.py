"""Suivi de l'exécution : import des relevés, chiffres de followup show, attentes de due, relances.

Les chiffres attendus sont calculés à la main dans les commentaires, à partir des exemples de cases/.
"""

from __future__ import annotations

import email
import json
from email.policy import default as email_default
from pathlib import Path

import pytest
from conftest import git

from guichet_cli.core import yamlio

CSV_HEADER = "Dossier;SIRET acheteur;Référence du marché;SIRET titulaire;Lot;Période;Heures embauche directe;Heures mise à disposition;Participants;Participants RSA;Contrats CDD;Transmis par;Date de transmission\n"


def _write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text(CSV_HEADER + "".join(line + "\n" for line in lines), encoding=encoding)
    return path


def _good_and_bad(tmp_path: Path) -> Path:
    return _write_csv(tmp_path / "releves.csv", [
        # ligne 2 : par identifiant, période 4e trimestre 2026, nombres à la française
        "GRCS-2025-9KXA;;;43390511400503;;T4 2026;1 234,5;;2;1;2;facilitateur-75-01;15/01/2027",
        # ligne 3 : par SIRET acheteur + titulaire + référence, lot déduit du titulaire, mois en toutes lettres
        ";27920061200109;2025-trx-014;41237765700207;;octobre 2026;10;5;;;;facilitateur-92-01;",
        # ligne 4 : dossier inconnu
        "GRCS-2025-ZZZZ;;;43390511400503;;2026-T4;10;;;;;;",
        # ligne 5 : SIRET du titulaire faux (clé de Luhn)
        "GRCS-2025-9KXA;;;43390511400504;;2026-T4;10;;;;;;",
        # ligne 6 : période illisible
        "GRCS-2025-9KXA;;;43390511400503;;bientôt;10;;;;;;",
        # ligne 7 : heures illisibles
        "GRCS-2025-9KXA;;;43390511400503;;2026-11;beaucoup;;;;;;",
        # ligne 8 : référence inconnue chez cet acheteur
        ";27920061200109;AUTRE-REF;41237765700207;;2026-10;10;;;;;;",
        # ligne 9 : lot à préciser impossible à deviner ? le titulaire du lot 2 annoncé sur le lot 1
        "GRCS-2025-3M8Q;;;50216634100102;1;2026-10;10;;;;;;",
    ])


def test_import_reports_bad_lines_imports_the_rest_and_is_idempotent(git_repo, cli):
    src = _good_and_bad(git_repo.parent)
    preview = cli("followup", "import", str(src), repo=git_repo, code=1)
    for n in (4, 5, 6, 7, 8, 9):
        assert f"releves.csv: ligne {n} :" in preview.stderr
    assert "ligne 2 :" not in preview.stderr and "ligne 3 :" not in preview.stderr
    assert "dossier « GRCS-2025-ZZZZ » inconnu" in preview.stderr
    assert "clé de contrôle" in preview.stderr and "période illisible" in preview.stderr
    assert "Lignes rapprochées : 2" in preview.stdout and "Relevés nouveaux : 2" in preview.stdout
    assert git(git_repo, "status", "--porcelain") == ""  # aperçu : rien d'écrit

    before = git(git_repo, "rev-list", "--count", "HEAD")
    cli("followup", "import", str(src), "--write", repo=git_repo, code=1)
    assert int(git(git_repo, "rev-list", "--count", "HEAD")) == int(before) + 1  # un seul commit pour l'import
    msg = git(git_repo, "log", "-1", "--format=%B")
    assert "Guichet-Action: suivi-import" in msg and "Guichet-Dossier: GRCS-2025-3M8Q, GRCS-2025-9KXA" in msg
    data = yamlio.load_fast(git_repo / "cases/2025/GRCS-2025-9KXA.yaml")
    st = next(r for r in data["suivi"]["releves"] if r["periode"] == "2026-T4")
    assert st["heures_par_modalite"] == {"embauche_directe": 1234.5}
    assert st["participants"] == 2 and st["participants_par_public"] == {"RSA": 1} and st["contrats"] == {"cdd": 2}
    assert st["transmis_le"] == "2027-01-15" and st["source"] == "releves.csv, ligne 2"
    lot1 = next(r for r in yamlio.load_fast(git_repo / "cases/2025/GRCS-2025-3M8Q.yaml")["suivi"]["releves"] if r["periode"] == "2026-10")
    assert lot1["lot"] == 1 and lot1["heures_par_modalite"] == {"embauche_directe": 10, "mise_a_disposition": 5}
    assert '{titulaire: "43390511400503", periode: "2026-T4"' in (git_repo / "cases/2025/GRCS-2025-9KXA.yaml").read_text()
    cli("validate", repo=git_repo)

    again = cli("followup", "import", str(src), "--write", repo=git_repo, code=1)
    assert "Relevés inchangés : 2" in again.stdout and "rien à écrire" in again.stdout
    assert git(git_repo, "rev-list", "--count", "HEAD") == str(int(before) + 1) + "\n"
    assert git(git_repo, "status", "--porcelain") == ""


def test_import_xlsx_long_format_with_modality_column_and_cp1252_csv(git_repo, cli):
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    sh.append(["Relevé du facilitateur"])  # titre au-dessus de l'en-tête, toléré
    sh.append(["N° dossier", "SIRET entreprise", "Période", "Modalité", "Nombre d'heures réalisées", "Sorties emploi durable"])
    sh.append(["GRCS-2026-N5P2", 51724093300104, "2026-08", "Embauche directe", 12, None])
    sh.append(["GRCS-2026-N5P2", "517 240 933 00104", "2026-08", "Formation", "3,5", 1])
    path = git_repo.parent / "export.xlsx"
    wb.save(path)
    cli("followup", "import", str(path), "--write", repo=git_repo)
    st = next(r for r in yamlio.load_fast(git_repo / "cases/2026/GRCS-2026-N5P2.yaml")["suivi"]["releves"] if r["periode"] == "2026-08")
    assert st["heures_par_modalite"] == {"embauche_directe": 12, "formation": 3.5}  # deux lignes, un relevé
    assert st["sorties_6_mois"] == {"emploi_durable": 1} and st["source"] == "export.xlsx, lignes 3, 4"

    cp = _write_csv(git_repo.parent / "windows.csv", ["GRCS-2026-N5P2;;;51724093300104;;année 2026;;;;;;Facilitatrice Élodie;"], "cp1252")
    out = cli("followup", "import", str(cp), repo=git_repo)
    assert "Lignes rapprochées : 1" in out.stdout


def test_import_without_matching_columns_is_a_clear_error(git_repo, cli):
    bad = git_repo.parent / "vide.csv"
    bad.write_text("Période;Heures embauche directe\n2026-T1;10\n", encoding="utf-8")
    res = cli("followup", "import", str(bad), repo=git_repo, code=1)
    assert "colonnes de rapprochement absentes" in res.stderr and "Traceback" not in res.stderr


def _show(cli, repo, case, on="2026-12-02"):
    return json.loads(cli("followup", "show", case, "--format", "json", "--on", on, repo=repo).stdout)


def test_show_amendment_and_late_holder_hand_computed(shared_repo, cli):
    res = _show(cli, shared_repo, "GRCS-2025-9KXA")
    (line,) = res["lignes"]
    # heures_contractuelles 3150 = calibrage 3150 → 3150 h ; avenant : montant 1 740 000 → 1 914 000, soit × 1,1 → 3465 h
    assert line["heures_dues"] == 3465 and line["heures_realisees"] == 780 and line["heures_restantes"] == 2685
    # taux : 780 / 3465 = 0,2251 ; rythme à la fin du dernier relevé (2026-T3, 30/09/2026) :
    # du 01/10/2025 au 30/09/2026 = 365 j sur 1096 j (01/10/2025 → 30/09/2028) ; 780 / (3465 × 365/1096) = 0,6759
    assert line["taux_realisation"] == pytest.approx(780 / 3465, abs=1e-4)
    assert line["rythme"] == pytest.approx(0.6759, abs=1e-4) and line["taux_prevu_fin"] == pytest.approx(0.6759, abs=1e-4)
    # pénalités en jeu : (3465 − 780 × 1096/365) × 40 € = (3465 − 2342,137) × 40 = 44 914,52 €
    assert line["penalites_en_jeu"] == pytest.approx((3465 - 780 * 1096 / 365) * 40, abs=0.01)
    assert line["heures_par_modalite"] == {"embauche_directe": 640, "formation": 140}


def test_show_reconduction_replacement_penalty_and_conversion(shared_repo, cli):
    qn = _show(cli, shared_repo, "GRCS-2025-QN3H")["lignes"][0]
    # 600 h pour 1 200 000 € ; reconduction de 1 500 000 € : + 600 × 1,25 = 750 h → 1350 h, fin au 14/09/2027
    assert qn["heures_dues"] == 1350 and qn["fin"] == "2027-09-14" and qn["heures_realisees"] == 735

    w2 = {ln["titulaire"]: ln for ln in _show(cli, shared_repo, "GRCS-2026-W2X4")["lignes"]}
    old, new = w2["34870122800408"], w2["44218735700003"]
    # remplacé le 01/09/2026 : l'ancien doit ce qu'il a fait (0 + 40 + 60 + 76 = 176 h), le nouveau le reste 667 − 176 = 491 h
    assert old["heures_dues"] == 176 and old["fin"] == "2026-08-31" and old["taux_realisation"] == 1
    assert new["heures_dues"] == 491 and new["debut"] == "2026-09-01" and new["heures_realisees"] == 60

    m8 = _show(cli, shared_repo, "GRCS-2025-3M8Q")
    lots = {ln["lot"]: ln for ln in m8["lignes"]}
    assert lots[1]["heures_dues"] == 1000 and lots[1]["heures_realisees"] == 940
    # lot 2 : 150 + 245 + 200 + 250 + 150 = 995 h, plus 6 000 € sous-traités × 0,5 ÷ 30 €/h = 100 h
    assert lots[2]["heures_realisees"] == 1095 and lots[2]["heures_par_modalite"]["sous_traitance_co_traitance"] == 100
    (pen,) = m8["penalites"]
    # 1000 − 940 = 60 h manquantes × 30 € = 1 800 €, appliquée par l'acheteur
    assert pen["heures_manquantes"] == 60 and pen["montant"] == 1800 and pen["decision"] == "appliquee"

    text = cli("followup", "show", "GRCS-2025-3M8Q", "--on", "2026-12-02", repo=shared_repo).stdout
    assert "60 h manquantes × 30 € = 1 800 € — appliquée" in text and "sous-traitance ou co-traitance SIAE/EA 100 h" in text


def test_show_csv_and_xlsx(shared_repo, cli, tmp_path):
    from openpyxl import load_workbook

    csv_text = cli("followup", "show", "GRCS-2026-W2X4", "--format", "csv", "--on", "2026-12-02", repo=shared_repo).stdout
    assert csv_text.splitlines()[0].startswith("\ufeffDossier;Lot;SIRET titulaire;Titulaire;Heures dues")
    out = tmp_path / "suivi.xlsx"
    cli("followup", "show", "GRCS-2025-3M8Q", "--format", "xlsx", "--out", str(out), "--on", "2026-12-02", repo=shared_repo)
    wb = load_workbook(out)
    assert wb["Suivi"].cell(row=2, column=5).value == 1000 and wb["Pénalités"].cell(row=2, column=7).value == 1800
    cli("followup", "show", "GRCS-2025-3M8Q", "--format", "xlsx", repo=shared_repo, code=2)


def test_due_lists_each_followup_duty_with_who_waits(shared_repo, cli):
    items = json.loads(cli("due", "--on", "2027-01-15", "--format", "json", repo=shared_repo).stdout)["attentes"]
    by = {(i["dossier"], i["attente"].split(" :")[0].split(" (")[0]): i for i in items}
    notif = by[("GRCS-2025-9KXA", "signalement de la notification du 01/10/2025 au guichet et au facilitateur")]
    assert notif["acteur"].startswith("donneur d'ordre") and notif["attendu_par"].startswith("le guichet et ")
    kick = by[("GRCS-2025-QN3H", "invitation du facilitateur")]
    assert kick["depuis"] == "2025-10-06" and kick["acteur"].startswith("donneur d'ordre")
    # W2X4, relevés mensuels : novembre 2026 (fin 30/11 + 30 jours = 30/12/2026) manque au 15/01/2027
    missing = [i for i in items if i["dossier"] == "GRCS-2026-W2X4" and "relevé novembre 2026" in i["attente"]]
    assert len(missing) == 1 and missing[0]["depuis"] == "2026-12-30" and missing[0]["attendu_par"] == "le guichet"
    assert missing[0]["acteur"] == "facilitateur : Claire Fontaine (CD94)" and missing[0]["identifiant_acteur"] == "facilitateur-94-01"
    late = by[("GRCS-2025-9KXA", "rattrapage des heures")]
    assert late["acteur"] == "titulaire : Sûreté Exemple Île-de-France SAS (fictif)" and "67,59 % du rythme" in late["attente"]
    # ce qui ne doit pas attendre : QN3H à 89,5 % du rythme, N5P2 clôturé
    assert not any(i["dossier"] == "GRCS-2025-QN3H" and "rattrapage" in i["attente"] for i in items)
    assert not any(i["dossier"] == "GRCS-2026-N5P2" for i in items)


def test_remind_drafts_one_eml_per_recipient_records_and_escalates(git_repo, cli):
    out = git_repo.parent / "relances"
    first = cli("remind", "--on", "2026-12-02", "--out", str(out), repo=git_repo)
    assert "relance n° 1" in first.stdout and "commit " in first.stdout
    emls = sorted(out.glob("*.eml"))
    recipients = [email.message_from_bytes(p.read_bytes(), policy=email_default)["To"] for p in emls]
    assert len(recipients) == len(set(recipients))  # un fichier par destinataire
    holder = email.message_from_bytes((out / "relance-2026-12-02-43390511400503.eml").read_bytes(), policy=email_default)
    body = holder.get_content()
    assert str(holder["Subject"]).strip().startswith("Rappel") and "GRCS-2025-9KXA : rattrapage des heures" in body
    assert "attendu par le donneur d'ordre et" in body and "adresse à compléter" in holder["To"]
    data = yamlio.load_fast(git_repo / "cases/2025/GRCS-2025-9KXA.yaml")
    assert {r["destinataire"] for r in data["suivi"]["relances"]} >= {"43390511400503", "11075002300100"}
    assert "Guichet-Action: relance" in git(git_repo, "log", "-1", "--format=%B")
    count = git(git_repo, "rev-list", "--count", "HEAD")

    cli("remind", "--on", "2026-12-02", "--out", str(out), repo=git_repo)  # même jour : rien de plus
    assert git(git_repo, "rev-list", "--count", "HEAD") == count

    second = cli("remind", "--on", "2026-12-20", "--out", str(out), repo=git_repo)
    assert "relance n° 2" in second.stdout
    esc = email.message_from_bytes((out / "relance-2026-12-20-43390511400503.eml").read_bytes(), policy=email_default)
    assert str(esc["Subject"]).strip().startswith("Relance n° 2 (sans réponse)") and "en copie" in esc.get_content()
    ranks = [r["rang"] for r in yamlio.load_fast(git_repo / "cases/2025/GRCS-2025-9KXA.yaml")["suivi"]["relances"]
             if r["destinataire"] == "43390511400503"]
    assert ranks == [1, 2]
    cli("validate", repo=git_repo)


def test_schema_and_checks_reject_bad_followup(repo, cli):
    p = repo / "cases/2026/GRCS-2026-N5P2.yaml"
    text = p.read_text()
    p.write_text(text.replace('periode: "2026-05"', 'periode: "2026-5"'))
    res = cli("validate", str(p), repo=repo, code=1)
    assert "période de la forme 2026" in res.stdout and "suivi.releves[1].periode" in res.stdout
    # contrôles métier (sur un fichier conforme au schéma) : titulaire inconnu, relevé en double
    p.write_text(text.replace('{titulaire: "51724093300104", periode: "2026-06"', '{titulaire: "44218735700003", periode: "2026-06"')
                 .replace('periode: "2026-07"', 'periode: "2026-05"'))
    res = cli("validate", str(p), repo=repo, code=1)
    assert "titulaire 44218735700003 absent de execution.titulaires" in res.stdout
    assert "deuxième relevé pour la même période 2026-05" in res.stdout


def test_report_reads_statements_hand_computed(shared_repo, cli, tmp_path):
    cli("report", "--year", "2025", "--buyer", "27920061200109", "--format", "json", "--out", str(tmp_path), repo=shared_repo)
    (path,) = tmp_path.glob("*.json")
    ind = json.loads(path.read_text())["indicateurs"]
    # relevés 2025 de GRCS-2025-3M8Q : lot 1 = 200 + (170 + 80) = 450 h ; lot 2 = 150 + 245 = 395 h ; total 845 h
    assert ind["heures"]["realisees"] == 845 and ind["heures"]["prevues"] == 800  # prévues : resultats[2025] saisi
    assert ind["heures"]["par_modalite"] == {"embauche_directe": 325, "mise_a_disposition": 520}
    assert ind["heures"]["taux_realisation"] == pytest.approx(845 / 800, abs=1e-4)
    # participants entrés : 3 + 2 (lot 1) + 2 + 2 (lot 2) = 9 ; par public DELD 2+1, JEUNE26 1+2+1, RSA 1, QPV 1
    assert ind["participants"]["total"] == 9
    assert ind["participants"]["par_public"] == {"DELD": 3, "RSA": 1, "JEUNE26": 4, "QPV": 1}
    assert ind["contrats"]["par_type"] == {"cdd": 2, "interim_insertion": 5, "apprentissage": 2}
    assert ind["sorties"]["par_type"] == {"emploi_transition": 1}
    rows = {r["lot"]: r for r in ind["suivi_titulaires"]}
    assert rows[1]["heures_realisees_annee"] == 450 and rows[2]["heures_realisees_annee"] == 395
    assert rows[1]["heures_realisees_cumul"] == 940 and rows[2]["heures_dues"] == 933


def test_old_yearly_results_stay_readable_without_statements(repo, cli, tmp_path):
    p = repo / "cases/2025/GRCS-2025-3M8Q.yaml"
    text = p.read_text()
    p.write_text(text[: text.index("# Suivi par lot et par titulaire")])  # la demande telle qu'avant le suivi
    cli("report", "--year", "2025", "--buyer", "27920061200109", "--format", "json", "--out", str(tmp_path), repo=repo)
    ind = json.loads(next(tmp_path.glob("*.json")).read_text())["indicateurs"]
    assert ind["heures"]["realisees"] == 845 and ind["participants"]["par_public"]["RSA"] == 2  # resultats[2025] tel quel
    assert ind["suivi_titulaires"] == []


def test_migrate_rewrites_yearly_results_as_statements_without_changing_the_report(git_repo, cli, tmp_path):
    def region(out: Path) -> dict:
        cli("report", "--year", "2025", "--region", "--format", "json", "--out", str(out), repo=git_repo)
        ind = json.loads(next(out.glob("*.json")).read_text())["indicateurs"]
        ind.pop("suivi_titulaires")
        return ind

    before = region(tmp_path / "avant")
    preview = cli("migrate", repo=git_repo)
    assert "GRCS-2025-4TVB : resultats 2025 → relevé annuel (4100 h)" in preview.stdout
    assert "GRCS-2025-7H2D : resultats 2025 non repris — 2 titulaires" in preview.stdout
    assert git(git_repo, "status", "--porcelain") == ""
    cli("migrate", "--write", repo=git_repo)
    assert "Guichet-Action: migration" in git(git_repo, "log", "-1", "--format=%B")
    st = yamlio.load_fast(git_repo / "cases/2025/GRCS-2025-4TVB.yaml")["suivi"]["releves"][0]
    assert st["periode"] == "2025" and sum(st["heures_par_modalite"].values()) == 4100
    cli("validate", repo=git_repo)
    assert region(tmp_path / "apres") == before  # mêmes chiffres, lus désormais dans les relevés
    count = git(git_repo, "rev-list", "--count", "HEAD")
    assert "Rien à migrer" in cli("migrate", "--write", repo=git_repo).stdout
    assert git(git_repo, "rev-list", "--count", "HEAD") == count
