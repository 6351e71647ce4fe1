"""`guichet due` : ce qui attend qui, depuis quand (dates des dossiers, sinon historique git)."""

from __future__ import annotations

import csv
import io
import json

from conftest import copy_repo, git
from test_workflow_support import base_case, commit_all, edit_case, new_git_repo, write_case


def _cases():
    waiting = base_case("GRCS-2026-AAAA", "recommandation_transmise")  # transmise le 2026-04-14 (exemple)
    recent = base_case("GRCS-2026-BBBB", "recommandation_transmise")
    recent["analyse"]["transmise_le"] = "2026-11-20"
    notified = base_case("GRCS-2025-CCCC", "en_execution")
    notified["recue_le"] = "2025-01-10"
    notified["marche"]["lancement_prevu"] = "2025-03-01"
    notified["decision"] = {"suite": "non_suivie", "date": "2025-05-01"}
    notified["execution"] = {"notifie_le": "2025-06-01", "titulaires": [{"siret": "21930066200018", "nom": "Titulaire fictif", "lots": [1]}]}
    return [waiting, recent, notified]


def test_due_groups_waiting_items_by_actor(tmp_path, cli):
    root = new_git_repo(tmp_path, _cases())
    res = cli("due", "--on", "2026-11-28", "--format", "json", repo=root)
    items = json.loads(res.stdout)["attentes"]
    found = {(i["dossier"], i["attente"].split(" (")[0]) for i in items}
    assert ("GRCS-2026-AAAA", "réponse à la recommandation") in found
    assert not any(c == "GRCS-2026-BBBB" for c, _ in found)  # délai de 30 jours non écoulé
    assert ("GRCS-2025-CCCC", "réunion de lancement avec le titulaire") in found
    assert ("GRCS-2025-CCCC", "bilan 2025 de la clause") in found
    assert ("GRCS-2025-CCCC", "motif de la décision") in found
    aaaa = next(i for i in items if i["dossier"] == "GRCS-2026-AAAA")
    assert aaaa["depuis"] == "2026-04-14" and aaaa["jours"] == 228 and aaaa["acteur"].startswith("donneur d'ordre : ")
    text = cli("due", "--on", "2026-11-28", repo=root).stdout
    assert "facilitateur : Hugo Haddad (CD93)" in text and "donneur d'ordre : Ville de Saint-Denis-sur-Exemple" in text
    out = cli("due", "--on", "2026-11-28", "--format", "csv", repo=root).stdout.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    assert rows[0][:3] == ["Acteur", "Identifiant de l'acteur", "Dossier"] and len(rows) == len(items) + 1
    # la source de la date en français (description du champ dans le schéma), jamais le chemin du champ
    sources = {r[2]: set() for r in rows[1:]}
    for r in rows[1:]:
        sources[r[2]].add(r[6])
    assert sources["GRCS-2026-AAAA"] == {"date d'envoi de la recommandation au donneur d'ordre"}
    assert "date de notification du marché" in sources["GRCS-2025-CCCC"]
    assert not any("." in r[6] or "_" in r[6] for r in rows[1:]) and ".motif" not in out and ".motif" not in text
    assert aaaa["source"] == "date d'envoi de la recommandation au donneur d'ordre" and aaaa["champ_source"] == "analyse.transmise_le"
    # une réunion de lancement enregistrée lève l'attente
    edit_case(root / "cases/2026/GRCS-2025-CCCC.yaml", execution__reunion_lancement={"date": "2025-07-01", "facilitateur_present": True})
    text = cli("due", "--on", "2026-11-28", repo=root).stdout
    assert "réunion de lancement" not in text
    res = cli("due", "--format", "xml", repo=root, code=2)
    assert "--format : valeur « xml » inconnue" in res.stderr


def test_due_uses_history_when_the_date_is_missing(tmp_path, cli):
    root = new_git_repo(tmp_path, [base_case("GRCS-2026-AAAA", "en_analyse")])
    # passage à la main au statut « recommandation transmise », sans analyse.transmise_le : la date vient de git
    edit_case(root / "cases/2026/GRCS-2026-AAAA.yaml", statut="recommandation_transmise")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "recommandation envoyée\n", env={"GIT_AUTHOR_DATE": "2026-02-01T10:00:00+01:00"})
    edit_case(root / "cases/2026/GRCS-2026-AAAA.yaml", notes="relance téléphonique")
    commit_all(root, "relance\n")
    items = json.loads(cli("due", "--on", "2026-11-28", "--format", "json", repo=root).stdout)["attentes"]
    assert [(i["dossier"], i["depuis"], i["source"]) for i in items] == [("GRCS-2026-AAAA", "2026-02-01", "historique git")]


def test_due_without_git_uses_file_dates(tmp_path, cli):
    plain = copy_repo(tmp_path / "plain", with_cases=False)
    for c in _cases():
        write_case(plain, c)
    items = json.loads(cli("due", "--on", "2026-11-28", "--format", "json", repo=plain).stdout)["attentes"]
    assert {i["dossier"] for i in items} == {"GRCS-2026-AAAA", "GRCS-2025-CCCC"}
    assert "Rien en attente" in cli("due", "--on", "2025-04-20", repo=plain).stdout
