"""Enregistrer sans éditer de YAML (issue 17) : buyer add, contact add, calibration validate, notify, kickoff."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import git
from test_workflow_support import base_case, new_git_repo

from guichet_cli.core import yamlio

CID = "GRCS-2026-AAAA"
HOLDER = "43390511400503"


@pytest.fixture
def tty(monkeypatch):
    """CliRunner n'est pas un terminal : on dit aux commandes qu'elles peuvent poser leurs questions."""
    import guichet_cli.cli.ask as ask

    monkeypatch.setattr(ask, "interactive", lambda: True)


def _decided(tmp_path):
    case = base_case(CID, "recommandation_transmise")
    case["statut"] = "decision_rendue"
    case["decision"] = {"suite": "suivie", "date": "2026-05-02", "dispositions_retenues": ["clause_insertion"]}
    root = new_git_repo(tmp_path, [case])
    return root, root / f"cases/2026/{CID}.yaml"


def _last_trailers(root):
    return git(root, "log", "-1", "--format=%(trailers)")


def test_notify_then_kickoff_by_options(tmp_path, cli):
    root, path = _decided(tmp_path)
    res = cli("notify", CID, "--holder", HOLDER, "--holder-name", "Propreté Exemple SAS", "--amount", "1,4 M€",
              "--date", "15/09/2026", repo=root)
    assert "décision rendue → marché notifié" in res.stdout
    data = yamlio.load_fast(path)
    assert data["statut"] == "marche_notifie"
    assert data["execution"]["notifie_le"] == "2026-09-15"
    assert data["execution"]["titulaires"] == [{"siret": HOLDER, "nom": "Propreté Exemple SAS"}]
    assert data["execution"]["montant_notifie_ht"] == 1400000
    trailers = _last_trailers(root)
    assert f"Guichet-Dossier: {CID}" in trailers and "Guichet-Action: notification" in trailers
    assert "Guichet-Statut: decision_rendue -> marche_notifie" in trailers
    cli("kickoff", CID, "--date", "2026-10-01", "--facilitator-present", repo=root)
    data = yamlio.load_fast(path)
    assert data["execution"]["reunion_lancement"] == {"date": "2026-10-01", "facilitateur_present": True}
    assert git(root, "status", "--porcelain") == ""
    cli("validate", str(path), repo=root)


def test_notify_refuses_bad_values_and_writes_nothing(tmp_path, cli):
    root, path = _decided(tmp_path)
    before = path.read_bytes()
    res = cli("notify", CID, "--holder", "43390511400504", "--holder-name", "X", "--date", "2026-09-15", repo=root, code=2)
    assert "--holder : SIRET 43390511400504 invalide (clé de contrôle)" in res.stderr
    res = cli("notify", CID, "--holder", HOLDER, "--holder-name", "X", "--date", "2026-04-01", repo=root, code=1)
    assert "précède celle de décision" in res.stderr  # notification avant la décision
    res = cli("notify", CID, repo=root, code=2)
    assert "valeurs obligatoires manquantes : --holder, --date" in res.stderr
    assert path.read_bytes() == before


def test_kickoff_before_notification_is_refused(tmp_path, cli):
    root, _path = _decided(tmp_path)
    res = cli("kickoff", CID, "--date", "2026-10-01", "--facilitator-absent", repo=root, code=2)
    assert "n'est pas encore notifié" in res.stderr and "guichet notify" in res.stderr


def test_notify_prompts_reask_wrong_answers(tmp_path, cli, tty):
    root, path = _decided(tmp_path)
    answers = "\n".join(["1234", HOLDER, "Propreté Exemple SAS", "peut-être", "non", "beaucoup", "1 400 000 €",
                         "31/02/2026", "15/09/2026"]) + "\n"
    res = cli("notify", CID, repo=root, input=answers)
    assert res.stderr.count("Réponse refusée") == 4, res.stderr
    assert "le 31 février 2026 n'existe pas" in res.stderr
    data = yamlio.load_fast(path)
    assert data["execution"]["titulaires"][0]["siret"] == HOLDER and data["execution"]["montant_notifie_ht"] == 1400000


def test_calibration_validate(tmp_path, cli, tty):
    case = base_case(CID, "recommandation_transmise")
    case["statut"] = "en_analyse"
    case["analyse"].pop("transmise_le", None)
    for k in ("valide_par", "valide_le"):
        case["analyse"]["calibrage"].pop(k, None)
    root = new_git_repo(tmp_path, [case])
    path = root / f"cases/2026/{CID}.yaml"
    res = cli("calibration", "validate", CID, "--by", "facilitateur-inconnu", "--date", "2026-04-02", repo=root, code=2)
    assert "n'est pas une valeur possible" in res.stderr
    res = cli("calibration", "validate", CID, "--by", "facilitateur-93-01", "--date", "2026-01-01", repo=root, code=1)
    assert "validation du calibrage (2026-01-01) précède celle de réception" in res.stderr
    future = (dt.date.today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    res = cli("calibration", "validate", CID, repo=root, input=f"facilitateur-93-01\n{future}\n2026-04-02\n")
    assert "dans le futur" in res.stderr
    cal = yamlio.load_fast(path)["analyse"]["calibrage"]
    assert cal["valide_par"] == "facilitateur-93-01" and cal["valide_le"] == "2026-04-02"
    assert "Guichet-Action: calibrage" in _last_trailers(root)


def test_buyer_and_contact_add(tmp_path, cli, tty):
    root = new_git_repo(tmp_path, [])
    siret = "21750001600019"
    res = cli("buyer", "add", "--siret", siret, "--name", "Ville de Paris (fictif)", "--buyer-type", "pouvoir adjudicateur",
              "--department", "Paris", "--category", "commune", repo=root)
    assert "Donneur d'ordre enregistré" in res.stdout
    data = yamlio.load_fast(root / f"donneurs/{siret}.yaml")
    assert data == {"siret": siret, "nom": "Ville de Paris (fictif)", "type_acheteur": "pouvoir_adjudicateur",
                    "categorie": "commune", "departement": "75"}
    res = cli("buyer", "add", "--siret", siret, "--name", "Doublon", "--buyer-type", "etat", "--department", "75", repo=root, code=2)
    assert "déjà enregistré" in res.stderr
    # un département saisi par son nom, avec « St »
    res = cli("buyer", "add", repo=root, input="\n".join(
        ["123", "21931027300012", "Bailleur exemple", "bof", "pouvoir_adjudicateur", "Seine-St-Denis", ""]) + "\n")
    assert res.stderr.count("Réponse refusée") == 2, res.stderr
    assert yamlio.load_fast(root / "donneurs/21931027300012.yaml")["departement"] == "93"
    res = cli("contact", "add", "--name", "Exemple", "--first-name", "Paul", "--organisation", siret,
              "--email", "paul.exemple@exemple.invalid", "--title", "acheteur", repo=root)
    cid = res.stdout.split("(")[1].split(")")[0]
    contact = yamlio.load_fast(root / f"contacts/{cid}.yaml")
    assert contact["organisation"] == siret and contact["prenom"] == "Paul"
    assert "Paul" not in git(root, "log", "-1", "--format=%B")  # pas de donnée personnelle dans l'historique
    res = cli("contact", "add", "--name", "X", "--organisation", "inconnue", repo=root, code=2)
    assert "organisation « inconnue » inconnue" in res.stderr
    cli("validate", repo=root)


def test_results_by_options(tmp_path, cli):
    from conftest import PROJECT

    case = base_case(CID, "en_execution")
    src = yamlio.load_fast(PROJECT / "cases/2025/GRCS-2025-9KXA.yaml")
    case["decision"] = {"suite": "suivie", "date": "2026-05-02", "dispositions_retenues": ["clause_insertion"]}
    case["execution"] = dict(src["execution"], notifie_le="2026-06-01", reunion_lancement={"date": "2026-06-10", "facilitateur_present": True})
    root = new_git_repo(tmp_path, [case])
    path = root / f"cases/2026/{CID}.yaml"
    cli("results", CID, "--year", "2026", "--hours-done", "780", "--hours-planned", "1 050 h", "--participants", "6",
        "--women", "2", "--men", "4", repo=root)
    row = yamlio.load_fast(path)["resultats"][-1]
    assert row == {"annee": 2026, "heures_prevues": 1050, "heures_realisees": 780, "participants": {"total": 6, "femmes": 2, "hommes": 4}}
    assert "Guichet-Action: resultats" in _last_trailers(root)
    res = cli("results", CID, "--year", "2026", "--hours-done", "800", "--participants", "6", repo=root, code=2)
    assert "déjà enregistrés" in res.stderr and "--replace" in res.stderr
    before = path.read_bytes()
    res = cli("results", CID, "--year", "2026", "--hours-done", "800", "--participants", "3", "--women", "2", "--men", "4",
              "--replace", repo=root, code=1)
    assert "dépasse le nombre de participants" in res.stderr and path.read_bytes() == before
    cli("results", CID, "--year", "2026", "--hours-done", "800", "--participants", "6", "--replace", repo=root)
    assert yamlio.load_fast(path)["resultats"][-1]["heures_realisees"] == 800
