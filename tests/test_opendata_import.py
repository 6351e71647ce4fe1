"""`guichet import decp` : lecture en flux des DECP officielles et réelles, rapprochement, écriture, incohérences."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from guichet_cli.core import frformat as fr
from guichet_cli.core.opendata import decp, importer
from guichet_cli.core.workspace import open_workspace
from tests.conftest import git
from tests.decp_helpers import DECP_SCHEMA, EXAMPLES, REAL_WORLD, marche, write_decp

SCHEMA = ["--schema", str(DECP_SCHEMA)]


def _events(path: Path, schema: bool = True) -> list[decp.Event]:
    check = decp.schema_checker(DECP_SCHEMA) if schema else decp.builtin_check
    return list(decp.read(path, check, max_amount=1e10))


# --- lecture ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_official_examples_are_read_without_rejection(path: Path):
    doc = json.loads(path.read_text(encoding="utf-8"))["marches"]
    events = _events(path)
    records = [e for e in events if isinstance(e, decp.DecpRecord)]
    concessions = [e for e in events if isinstance(e, decp.Defect) and e.kind == "concession"]
    assert [e for e in events if isinstance(e, decp.Defect) and e.kind != "concession"] == []
    assert [r.id for r in records] == [m["id"] for m in doc.get("marche", [])]
    assert [c.record_id for c in concessions] == [c["id"] for c in doc.get("contrat-concession", [])]
    assert all("hors du champ" in c.message for c in concessions)


def test_real_world_file_survives_and_reports_each_defect():
    events = _events(REAL_WORLD)
    defects = [e for e in events if isinstance(e, decp.Defect)]
    text = "\n".join(d.message for d in defects)
    # le fichier contient un NaN nu (JSON invalide) : lu quand même, jusqu'au bout
    assert not [d for d in defects if d.kind == "illisible"]
    rejected = {d.record_id for d in defects if d.kind == "rejete"}
    assert rejected == {"2022VI2022.242", "2020F00075", "202401L04", "2019K1209", "202207LOT03"}
    for expected in ('dureeMois : "NC" n\'est pas un nombre entier', "offresRecues : 0 est inférieur au minimum 1",
                     "champ non prévu par le schéma : _type", 'marcheInnovant : "non" n\'est pas true ou false',
                     "valeur « ferme » hors de la liste", "origineUE : null n'est pas un nombre",
                     "titulaires.0 : champ obligatoire absent : titulaire"):
        assert expected in text
    amount = [d for d in defects if d.kind == "montant"]
    assert [(d.record_id, "100 000 000 000 000 000 € HT" in d.message) for d in amount] == [("2020F00075", True)]


def test_reduced_check_keeps_usable_records_and_drops_implausible_amounts():
    events = _events(REAL_WORLD, schema=False)
    records = {e.id: e for e in events if isinstance(e, decp.DecpRecord)}
    assert "2022VI2022.242" not in records  # dureeMois "NC"
    # 1e17 : signalé, non utilisé ; le montant retenu est celui de la dernière modification (4 modifications)
    assert records["2020F00075"].initial[0] is None and records["2020F00075"].montant == 22540.0
    assert [a.id for a in records["2020F00075"].amendments] == [1, 2, 3, 4]
    assert records["202401L04"].initial[0] == 127835.12 and records["202401L04"].montant == 124557.46
    broken = [e for e in events if isinstance(e, decp.Defect) and e.kind == "titulaire"]
    assert [b.record_id for b in broken] == ["2020F00075", "2020F00075", "2019K1209", "2019K1209", "2019K1209"]
    assert sum(b.message.startswith("modification 1 : titulaires.") for b in broken) == 4  # titulaires cassés des modifications
    assert [h.siret for h in records["2019K1209"].holders] == ["39210873400063", "39830819700035"]


def test_bare_nan_is_read_and_a_nan_inside_a_text_is_left_alone(tmp_path: Path):
    path = tmp_path / "nan.json"
    rec = json.dumps(marche(objet="Mesure: NaN, relevé"), ensure_ascii=False)
    path.write_text('{"marches": {"marche": [' + rec.replace('"montant": 1250000', '"montant": NaN') + "]}}", encoding="utf-8")
    events = _events(path)
    [defect] = events
    assert defect.kind == "rejete" and 'montant : "NaN" n\'est pas un nombre' in defect.message
    path.write_text('{"marches": {"marche": [' + rec + "]}}", encoding="utf-8")
    [record] = _events(path)
    assert isinstance(record, decp.DecpRecord) and record.objet == "Mesure: NaN, relevé"


def test_typographic_apostrophe_is_normalised(tmp_path: Path):
    path = write_decp(tmp_path / "apo.json", [marche(procedure="Appel d\u2019offres ouvert")])
    [record] = _events(path)
    assert isinstance(record, decp.DecpRecord) and record.raw["procedure"] == "Appel d'offres ouvert"


@pytest.mark.parametrize("content, expected", [
    ('{"marches": {"marche": [{"id": "A"}, {"id": ', "JSON illisible après l'enregistrement 1"),
    ('[1, 2, 3]', "n'a pas la forme DECP v2"),
    ('pas du json', "fichier JSON illisible"),
])
def test_broken_files_are_reported_without_traceback(cli, git_repo: Path, tmp_path: Path, content: str, expected: str):
    path = tmp_path / "casse.json"
    path.write_text(content, encoding="utf-8")
    res = cli("import", "decp", str(path), *SCHEMA, repo=git_repo, code=1)
    assert expected in res.stdout and "Traceback" not in res.stdout + res.stderr


def test_missing_file_and_bad_options_are_usage_errors(cli, git_repo: Path, tmp_path: Path):
    res = cli("import", "decp", str(tmp_path / "absent.json"), repo=git_repo, code=2)
    assert "fichier introuvable" in res.stderr
    path = write_decp(tmp_path / "d.json", [marche()])
    assert "SIRET « 123 » invalide" in cli("import", "decp", str(path), "--buyer", "123", repo=git_repo, code=2).stderr
    assert "--since" in cli("import", "decp", str(path), "--since", "2026-13-01", repo=git_repo, code=2).stderr
    res = cli("import", "decp", str(path), "--schema", str(tmp_path / "absent.json"), repo=git_repo, code=2)
    assert "schéma DECP introuvable" in res.stderr


def test_cli_on_real_world_and_examples_exits_1_with_a_summary(cli, git_repo: Path):
    res = cli("import", "decp", str(REAL_WORLD), *map(str, EXAMPLES), *SCHEMA, repo=git_repo, code=1)
    assert "marchés lus" in res.stdout and "total" in res.stdout
    assert "[montant invraisemblable]" in res.stdout and "[concession hors champ]" in res.stdout


# --- rapprochement et écriture ---------------------------------------------------------------


def test_confident_match_is_written_round_trip_and_committed(cli, git_repo: Path, tmp_path: Path):
    path = write_decp(tmp_path / "d.json", [marche(), marche(id="AUTRE01", objet="Fourniture de repas", codeCPV="15894210",
                                                           montant=90000, lieuExecution={"code": "75", "typeCode": "Code département"})])
    case_file = git_repo / "cases" / "2026" / "GRCS-2026-P4Q5.yaml"
    before = case_file.read_text(encoding="utf-8")
    res = cli("import", "decp", str(path), *SCHEMA, "--write", repo=git_repo, code=0)
    assert "2026NET01 (acheteur 26950031000108) → GRCS-2026-P4Q5" in res.stdout
    assert "même code CPV" in res.stdout and "même commune (95500)" in res.stdout
    after = case_file.read_text(encoding="utf-8")
    # aller-retour : le début du fichier (commentaires compris) est intact
    assert after.startswith(before.split("statut:")[0])
    ws = open_workspace(git_repo)
    case = ws.store.case("GRCS-2026-P4Q5")
    assert case.statut == "marche_notifie"
    assert case.execution.notifie_le == dt.date(2026, 12, 1)
    assert [(h.siret, h.lots) for h in case.execution.titulaires] == [("73282932000074", (1,))]
    assert case.execution.montant_notifie_ht == 1250000
    assert case.execution.donnees_essentielles.id == "2026NET01"
    assert case.execution.donnees_essentielles.champs["ccag"] == "Fournitures courantes et services"
    log = git(git_repo, "log", "-1", "--format=%s%n%b")
    assert "GRCS-2026-P4Q5 : notification lue dans les DECP (marché 2026NET01)" in log
    assert "Guichet-Action: donnees_essentielles" in log and "Guichet-Statut: decision_rendue -> marche_notifie" in log
    assert git(git_repo, "status", "--porcelain") == ""
    cli("validate", repo=git_repo, code=0)
    # une seconde lecture reconnaît l'identifiant DECP et n'écrit plus rien
    res = cli("import", "decp", str(path), *SCHEMA, "--write", repo=git_repo, code=0)
    assert "identifiant DECP 2026NET01 déjà enregistré" in res.stdout and "la demande porte déjà ces informations" in res.stdout
    assert len(git(git_repo, "log", "--format=%H").split()) == 2


def test_without_write_nothing_changes(cli, git_repo: Path, tmp_path: Path):
    path = write_decp(tmp_path / "d.json", [marche()])
    cli("import", "decp", str(path), repo=git_repo, code=0)
    assert git(git_repo, "status", "--porcelain") == ""


def test_doubtful_match_is_listed_not_written(cli, git_repo: Path, tmp_path: Path):
    # même acheteur, même CPV, mais montant et lieu éloignés : à trancher par une personne
    rec = marche(objet="Entretien ménager", montant=5000000, lieuExecution={"code": "77", "typeCode": "Code département"})
    path = write_decp(tmp_path / "d.json", [rec])
    res = cli("import", "decp", str(path), *SCHEMA, "--write", "--format", "json", repo=git_repo, code=0)
    data = json.loads(res.stdout)
    [m] = data["rapprochements"]
    assert m["verdict"] == "douteux" and m["candidats"][0]["demande"] == "GRCS-2026-P4Q5"
    assert 40 <= m["candidats"][0]["score"] < 70 and data["ecritures"] == []
    assert git(git_repo, "status", "--porcelain") == ""


def test_two_records_for_one_case_are_left_to_a_person(cli, git_repo: Path, tmp_path: Path):
    lot2 = marche(id="2026NET02", objet="Nettoyage des locaux hospitaliers - lot 2 : bureaux administratifs", codeCPV="90919200",
                  montant=290000)
    path = write_decp(tmp_path / "d.json", [marche(), lot2])
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "--write", "-f", "json", repo=git_repo, code=0).stdout)
    assert {m["verdict"] for m in data["rapprochements"]} == {"douteux"}
    assert "2 marchés publiés rapprochés de la même demande GRCS-2026-P4Q5" in data["rapprochements"][0]["note"]
    assert data["ecritures"] == []


def test_buyer_and_since_filters(cli, git_repo: Path, tmp_path: Path):
    other = marche(id="X1", acheteur={"id": "21930066200018"})
    path = write_decp(tmp_path / "d.json", [marche(), other])
    data = json.loads(cli("import", "decp", str(path), "--buyer", "26950031000108", "-f", "json", repo=git_repo).stdout)
    assert data["fichiers"][0]["filtres"] == 1 and data["fichiers"][0]["confiants"] == 1
    data = json.loads(cli("import", "decp", str(path), "--since", "2027-01-01", "-f", "json", repo=git_repo).stdout)
    assert data["fichiers"][0]["filtres"] == 2 and data["rapprochements"] == []


def test_csv_format_has_one_row_per_fact(cli, git_repo: Path, tmp_path: Path):
    import csv
    import io

    path = write_decp(tmp_path / "d.json", [marche(), marche(id="B", acheteur={"id": "21930066200018"}, montant=1e17)])
    res = cli("import", "decp", str(path), *SCHEMA, "--format", "csv", repo=git_repo, code=1)
    assert res.stdout.startswith("\ufeff")  # conventions françaises des tableurs (core/sheets.py)
    rows = list(csv.DictReader(io.StringIO(res.stdout.removeprefix("\ufeff")), delimiter=";"))
    assert {r["Type"] for r in rows} >= {"rapprochement confiant", "défaut : montant invraisemblable"}


# --- incohérences ---------------------------------------------------------------------------


def test_followed_clause_published_without_social_consideration(cli, git_repo: Path, tmp_path: Path):
    rec = marche(considerationsSociales={"considerationSociale": ["Pas de considération sociale"]})
    path = write_decp(tmp_path / "d.json", [rec])
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "-f", "json", repo=git_repo, code=1).stdout)
    kinds = {i["type"]: i["message"] for i in data["incoherences"]}
    assert "a suivi la recommandation" in kinds["clause_non_publiee"]
    # GRCS-2026-P4Q5 : 1,6 M€ de services, lancée le 1er septembre 2026 → L2112-2-1 s'applique, dit pour le lot 1
    assert kinds["obligation_l2112_2_1"].startswith("GRCS-2026-P4Q5 (lot 1) : marché 2026NET01 publié sans considération sociale")


def test_no_l2112_2_1_inconsistency_before_22_august_2026(cli, git_repo: Path, tmp_path: Path):
    case_file = git_repo / "cases" / "2026" / "GRCS-2026-P4Q5.yaml"
    case_file.write_text(case_file.read_text(encoding="utf-8").replace('lancement_prevu: "2026-09-01"', 'lancement_prevu: "2026-08-21"'),
                         encoding="utf-8")
    rec = marche(considerationsSociales={"considerationSociale": ["Pas de considération sociale"]})
    path = write_decp(tmp_path / "d.json", [rec])
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "-f", "json", repo=git_repo, code=1).stdout)
    assert {i["type"] for i in data["incoherences"]} == {"clause_non_publiee"}


def test_reserved_market_holder_checked_against_an_optional_structures_registry(git_repo: Path, tmp_path: Path):
    rec = marche(considerationsSociales={"considerationSociale": ["Marché réservé"]})
    path = write_decp(tmp_path / "d.json", [rec])
    registry = {"73282932000074": "aucune"}  # petit registre des structures (fixture)
    ws = open_workspace(git_repo)
    rep = importer.run(ws, [path], schema=DECP_SCHEMA, lookup=registry.get)
    [inc] = [i for i in rep.inconsistencies if i.kind == "reserve_titulaire"]
    assert "SIRET 73282932000074" in inc.message and "« aucune »" in inc.message
    ws = open_workspace(git_repo)
    assert not [i for i in importer.run(ws, [path], schema=DECP_SCHEMA, lookup={"73282932000074": "siae"}.get).inconsistencies
                if i.kind == "reserve_titulaire"]
    ws = open_workspace(git_repo)
    assert not [i for i in importer.run(ws, [path], schema=DECP_SCHEMA).inconsistencies if i.kind == "reserve_titulaire"]


def test_structure_types_already_noted_in_cases_serve_as_registry(git_repo: Path, tmp_path: Path):
    # GRCS-2025-X4MS note un titulaire « ess » : un marché réservé sans demande qui lui est attribué passe ;
    # le même SIRET noté « aucune » dans le registre prioritaire est signalé.
    ws = open_workspace(git_repo)
    [holder] = [h for h in ws.store.case("GRCS-2025-X4MS").execution.titulaires if h.structure_inclusive == "ess"]
    rec = marche(acheteur={"id": "21750001600019"},
                 titulaires=[{"titulaire": {"typeIdentifiant": "SIRET", "id": holder.siret}}],
                 considerationsSociales={"considerationSociale": ["Marché réservé"]})
    path = write_decp(tmp_path / "d.json", [rec])
    assert not importer.run(ws, [path], schema=DECP_SCHEMA).inconsistencies
    ws = open_workspace(git_repo)
    [inc] = importer.run(ws, [path], schema=DECP_SCHEMA, lookup={holder.siret: "aucune"}.get).inconsistencies
    assert inc.kind == "reserve_titulaire" and inc.case_id is None


def test_older_list_shape_is_read_too(tmp_path: Path):
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({"marches": [marche()]}, ensure_ascii=False), encoding="utf-8")
    [record] = _events(path)
    assert isinstance(record, decp.DecpRecord) and record.id == "2026NET01"


def test_write_with_no_commit_leaves_the_change_uncommitted(cli, git_repo: Path, tmp_path: Path):
    path = write_decp(tmp_path / "d.json", [marche()])
    cli("import", "decp", str(path), "--write", "--no-commit", repo=git_repo, code=0)
    assert git(git_repo, "status", "--porcelain").strip() == "M cases/2026/GRCS-2026-P4Q5.yaml"
    assert len(git(git_repo, "log", "--format=%H").split()) == 1


def test_write_refused_before_anything_is_written_when_git_cannot_commit(cli, git_repo: Path, tmp_path: Path):
    (git_repo / "autre.txt").write_text("x", encoding="utf-8")
    git(git_repo, "add", "autre.txt")
    path = write_decp(tmp_path / "d.json", [marche()])
    res = cli("import", "decp", str(path), "--write", repo=git_repo, code=2)
    assert "déjà indexées" in res.stderr
    assert "GRCS-2026-P4Q5" not in git(git_repo, "status", "--porcelain")


def test_help_is_in_french(cli):
    assert "Lit des données ouvertes" in cli("import", "--help").stdout
    assert "rapproche chaque marché" in cli("import", "decp", "--help").stdout
    assert "Publie les demandes notifiées" in cli("export", "decp", "--help").stdout


def test_escaped_typographic_apostrophe_is_normalised_across_read_boundaries(tmp_path: Path):
    # \u2019 échappé (json.dumps par défaut) et ’ en UTF-8, sur un gros fichier lu en plusieurs blocs
    recs = [marche(id=f"A{i}", procedure="Appel d\u2019offres ouvert") for i in range(400)]
    path = tmp_path / "apo.json"
    path.write_text(json.dumps({"marches": {"marche": recs[:200]}}), encoding="utf-8")
    assert {e.raw["procedure"] for e in _events(path)} == {"Appel d'offres ouvert"}
    path.write_text(json.dumps({"marches": {"marche": recs}}, ensure_ascii=False), encoding="utf-8")
    events = _events(path)
    assert len(events) == 400 and {e.raw["procedure"] for e in events} == {"Appel d'offres ouvert"}


# --- registre des structures (structures/) lu par la commande ---------------------------------

GEIQ_SIRET = "98000037600023"  # structures/98000037600023.yaml : type GEIQ (fictif)
EI_SIRET = "90000001900027"  # structures/90000001900027.yaml : type EI (fictif)


def _reserved_to(siret: str, **overrides):
    return marche(considerationsSociales={"considerationSociale": ["Marché réservé"]},
                  titulaires=[{"titulaire": {"typeIdentifiant": "SIRET", "id": siret}}], **overrides)


def test_cli_reads_the_structures_registry_for_reserved_markets(cli, git_repo: Path, tmp_path: Path):
    from guichet_cli.core import yamlio

    assert yamlio.load_fast(git_repo / "structures" / f"{GEIQ_SIRET}.yaml")["type"] == "GEIQ"
    path = write_decp(tmp_path / "d.json", [_reserved_to(GEIQ_SIRET)])
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "-f", "json", repo=git_repo, code=1).stdout)
    [inc] = [i for i in data["incoherences"] if i["type"] == "reserve_titulaire"]
    assert inc["demande"] == "GRCS-2026-P4Q5" and f"SIRET {GEIQ_SIRET}" in inc["message"] and "« geiq »" in inc["message"]
    # la même structure devenue entreprise d'insertion dans le registre : plus d'incohérence
    struct = git_repo / "structures" / f"{GEIQ_SIRET}.yaml"
    struct.write_text(struct.read_text(encoding="utf-8").replace("type: GEIQ", "type: EI"), encoding="utf-8")
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "-f", "json", repo=git_repo, code=0).stdout)
    assert data["incoherences"] == []


def test_reserved_market_without_case_is_checked_against_the_registry_too(cli, git_repo: Path, tmp_path: Path):
    path = write_decp(tmp_path / "d.json", [_reserved_to(GEIQ_SIRET, acheteur={"id": "21750001600019"}, id="SANSDEM1"),
                                            _reserved_to(EI_SIRET, acheteur={"id": "21750001600019"}, id="SANSDEM2")])
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "-f", "json", repo=git_repo, code=1).stdout)
    assert [(i["id"], i["demande"]) for i in data["incoherences"]] == [("SANSDEM1", None)]


def test_written_holder_gets_its_registry_category_and_a_geiq_none(cli, git_repo: Path, tmp_path: Path):
    path = write_decp(tmp_path / "d.json", [_reserved_to(EI_SIRET)])
    cli("import", "decp", str(path), *SCHEMA, "--write", repo=git_repo, code=0)
    ws = open_workspace(git_repo)
    assert [(h.siret, h.structure_inclusive) for h in ws.store.case("GRCS-2026-P4Q5").execution.titulaires] == [(EI_SIRET, "siae")]
    cli("validate", repo=git_repo, code=0)
    git(git_repo, "reset", "-q", "--hard", "HEAD~1")
    path = write_decp(tmp_path / "d.json", [_reserved_to(GEIQ_SIRET)])
    cli("import", "decp", str(path), *SCHEMA, "--write", repo=git_repo, code=1)
    ws = open_workspace(git_repo)
    # « geiq » n'est pas une valeur de structure_inclusive : le titulaire est écrit sans, et la demande reste valide
    assert [(h.siret, h.structure_inclusive) for h in ws.store.case("GRCS-2026-P4Q5").execution.titulaires] == [(GEIQ_SIRET, None)]
    cli("validate", repo=git_repo, code=0)


# --- une personne tranche les rapprochements douteux (--accept, --reject) ----------------------

NET02 = dict(id="2026NET02", objet="Nettoyage des locaux hospitaliers - lot 2 : bureaux administratifs", codeCPV="90919200",
             montant=290000)


def test_person_accepts_one_lot_and_rejects_the_other(cli, git_repo: Path, tmp_path: Path):
    path = write_decp(tmp_path / "d.json", [marche(), marche(**NET02)])
    case_file = git_repo / "cases" / "2026" / "GRCS-2026-P4Q5.yaml"
    before = case_file.read_text(encoding="utf-8")
    res = cli("import", "decp", str(path), *SCHEMA, repo=git_repo, code=0)
    assert "--accept 2026NET01=GRCS-2026-P4Q5" in res.stdout  # la commande dit comment trancher
    res = cli("import", "decp", str(path), *SCHEMA, "--accept", "2026NET01=GRCS-2026-P4Q5", "--reject", "2026NET02=GRCS-2026-P4Q5",
              "-f", "json", repo=git_repo, code=0)
    data = json.loads(res.stdout)
    [acc] = [m for m in data["rapprochements"] if m["id"] == "2026NET01"]
    assert acc["verdict"] == "confiant" and acc["accepte"] is True
    assert [w["demande"] for w in data["ecritures"] if w["commit"]] == ["GRCS-2026-P4Q5"]
    assert len(data["refus"]) == 1 and data["refus"][0]["commit"]
    # deux commits tracés : l'écriture acceptée, puis le refus
    log = git(git_repo, "log", "-2", "--format=%s%n%b%n--")
    assert "marché 2026NET01, rapprochement accepté" in log and "Guichet-Statut: decision_rendue -> marche_notifie" in log
    assert "marché 2026NET02 des DECP refusé" in log and "Guichet-Action: donnees_essentielles_refus" in log
    assert log.count("Guichet-Dossier: GRCS-2026-P4Q5") == 2
    after = case_file.read_text(encoding="utf-8")
    assert after.startswith(before.split("statut:")[0])  # aller-retour : commentaires conservés
    ws = open_workspace(git_repo)
    case = ws.store.case("GRCS-2026-P4Q5")
    assert case.execution.donnees_essentielles.id == "2026NET01" and case.execution.montant_notifie_ht == 1250000
    assert [(r.id, r.acheteur) for r in case.rejected_records] == [("2026NET02", "26950031000108")]
    cli("validate", repo=git_repo, code=0)
    # une lecture suivante : ni le refus ni l'accepté ne sont reproposés, rien n'est réécrit
    commits = len(git(git_repo, "log", "--format=%H").split())
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "--write", "-f", "json", repo=git_repo, code=0).stdout)
    assert [(m["id"], m["verdict"]) for m in data["rapprochements"]] == [("2026NET01", "confiant")]
    assert data["fichiers"][0]["douteux"] == 0 and data["fichiers"][0]["sans_demande"] == 1
    assert [w["non_ecrit"] for w in data["ecritures"]] == ["la demande porte déjà ces informations"]
    # redonner les mêmes décisions ne change rien non plus
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "--accept", "2026NET01=GRCS-2026-P4Q5",
                          "--reject", "2026NET02=GRCS-2026-P4Q5", "-f", "json", repo=git_repo, code=0).stdout)
    assert data["refus"][0]["non_ecrit"].startswith("le marché 2026NET02 est déjà refusé")
    assert len(git(git_repo, "log", "--format=%H").split()) == commits
    assert git(git_repo, "status", "--porcelain") == ""


def test_rejected_doubtful_match_is_no_longer_proposed(cli, git_repo: Path, tmp_path: Path):
    rec = marche(id="1234", objet="Entretien ménager", montant=5000000, lieuExecution={"code": "77", "typeCode": "Code département"})
    path = write_decp(tmp_path / "d.json", [rec])
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "-f", "json", repo=git_repo).stdout)
    assert [m["verdict"] for m in data["rapprochements"]] == ["douteux"]
    cli("import", "decp", str(path), *SCHEMA, "--reject", "1234=GRCS-2026-P4Q5", repo=git_repo, code=0)
    ws = open_workspace(git_repo)
    assert [r.id for r in ws.store.case("GRCS-2026-P4Q5").rejected_records] == ["1234"]  # reste un texte
    cli("validate", repo=git_repo, code=0)
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "--write", "-f", "json", repo=git_repo).stdout)
    assert data["rapprochements"] == [] and data["ecritures"] == []
    # un autre acheteur qui publierait un marché « 1234 » n'est pas touché par ce refus
    assert not ws.store.case("GRCS-2026-P4Q5").rejects("1234", "21930066200018")


@pytest.mark.parametrize("args, expected", [
    (["--accept", "2026NET01"], "forme attendue IDENTIFIANT_DECP=DEMANDE"),
    (["--reject", "=GRCS-2026-P4Q5"], "forme attendue IDENTIFIANT_DECP=DEMANDE"),
    (["--accept", "2026NET01=GRCS-2026-ZZZZ"], "demande « GRCS-2026-ZZZZ » introuvable"),
    (["--accept", "ABSENT=GRCS-2026-P4Q5"], "marché absent des fichiers lus (rien n'a été écrit) : --accept ABSENT=GRCS-2026-P4Q5"),
    (["--reject", "ABSENT=GRCS-2026-P4Q5", "--write"], "marché absent des fichiers lus"),
    (["--accept", "2026NET01=GRCS-2026-P4Q5", "--reject", "2026NET01=GRCS-2026-P4Q5"], "à la fois accepté et refusé"),
])
def test_bad_decisions_are_usage_errors_and_write_nothing(cli, git_repo: Path, tmp_path: Path, args: list[str], expected: str):
    path = write_decp(tmp_path / "d.json", [marche()])
    res = cli("import", "decp", str(path), *args, repo=git_repo, code=2)
    assert expected in res.stderr and "Traceback" not in res.stdout + res.stderr
    assert git(git_repo, "status", "--porcelain") == "" and len(git(git_repo, "log", "--format=%H").split()) == 1


def test_accepting_a_rejected_pair_asks_to_remove_the_rejection_first(cli, git_repo: Path, tmp_path: Path):
    path = write_decp(tmp_path / "d.json", [marche(), marche(**NET02)])
    cli("import", "decp", str(path), "--reject", "2026NET02=GRCS-2026-P4Q5", repo=git_repo, code=0)
    res = cli("import", "decp", str(path), "--accept", "2026NET02=GRCS-2026-P4Q5", repo=git_repo, code=2)
    assert "refusé auparavant" in res.stderr and "rapprochements_refuses" in res.stderr
    # refuser un marché déjà enregistré dans la demande : à corriger à la main, rien n'est écrit
    cli("import", "decp", str(path), "--accept", "2026NET01=GRCS-2026-P4Q5", repo=git_repo, code=0)
    commits = len(git(git_repo, "log", "--format=%H").split())
    res = cli("import", "decp", str(path), "--reject", "2026NET01=GRCS-2026-P4Q5", repo=git_repo, code=2)
    assert "déjà enregistré dans la demande" in res.stderr
    assert len(git(git_repo, "log", "--format=%H").split()) == commits and git(git_repo, "status", "--porcelain") == ""


# --- modifications (avenants) publiées dans les DECP ------------------------------------------


def _mod(num: int, notified: str, **fields):
    return {"modification": {"id": num, "dateNotificationModification": notified,
                             "datePublicationDonneesModification": notified, **fields}}


TWO_MODIFICATIONS = [
    # listées dans le désordre : c'est la date de notification qui fixe l'ordre d'application
    _mod(2, "2027-06-01", montant=1400000),
    _mod(1, "2027-01-15", montant=1300000, dureeMois=54,
         titulaires=[{"titulaire": {"typeIdentifiant": "SIRET", "id": EI_SIRET}}]),
]


def test_official_example_with_modifications_is_amended():
    [path] = [p for p in EXAMPLES if p.name == "marches_avec_modifications.json"]
    records = [e for e in _events(path) if isinstance(e, decp.DecpRecord)]
    assert records and all(r.amendments for r in records)
    r = records[0]
    assert (r.montant, r.duree_mois, [h.id for h in r.holders]) == (123457.87, 12, ["868768687576575"])
    assert r.initial[:2] == (575000.0, 48)


def test_two_modifications_are_applied_in_date_order_before_matching_and_writing(cli, git_repo: Path, tmp_path: Path):
    path = write_decp(tmp_path / "d.json", [marche(modifications=TWO_MODIFICATIONS)])
    [rec] = _events(path)
    assert [a.id for a in rec.amendments] == [1, 2]
    assert (rec.montant, rec.duree_mois, [h.siret for h in rec.holders]) == (1400000.0, 54, [EI_SIRET])
    res = cli("import", "decp", str(path), *SCHEMA, "--write", repo=git_repo, code=0)
    out = res.stdout
    assert "Marchés modifiés" in out and "2026NET01 (acheteur 26950031000108) :" in out
    m13, m14, m125 = fr.money(1300000), fr.money(1400000), fr.money(1250000)
    assert f"modification 1 du {fr.date_long('2027-01-15')} : montant {m13}, durée 54 mois, titulaires {EI_SIRET}" in out
    assert f"modification 2 du {fr.date_long('2027-06-01')} : montant {m14}" in out
    assert f"retenu : montant {m125} → {m14} ; durée 48 → 54 mois ; titulaires 73282932000074 → {EI_SIRET}" in out
    assert f"montant {m14} proche de {m13}" in out  # le rapprochement lit le montant modifié
    ws = open_workspace(git_repo)
    ex = ws.store.case("GRCS-2026-P4Q5").execution
    assert ex.montant_notifie_ht == 1400000
    assert [(h.siret, h.structure_inclusive) for h in ex.titulaires] == [(EI_SIRET, "siae")]
    assert ex.donnees_essentielles.champs["dureeMois"] == 54
    assert "modifications_appliquees: [1, 2]" in (git_repo / "cases" / "2026" / "GRCS-2026-P4Q5.yaml").read_text(encoding="utf-8")
    cli("validate", repo=git_repo, code=0)
    # l'export republie l'état d'après les modifications, valide au regard du schéma officiel
    doc = json.loads(cli("export", "decp", *SCHEMA, repo=git_repo, code=None).stdout)
    [exported] = [m for m in doc["marches"]["marche"] if m["id"] == "2026NET01"]
    assert (exported["montant"], exported["dureeMois"]) == (1400000, 54)


def test_modification_summary_in_json_and_count(cli, git_repo: Path, tmp_path: Path):
    path = write_decp(tmp_path / "d.json", [marche(modifications=TWO_MODIFICATIONS), marche(id="AUTRE2", acheteur={"id": "21930066200018"})])
    data = json.loads(cli("import", "decp", str(path), *SCHEMA, "-f", "json", repo=git_repo, code=0).stdout)
    assert data["fichiers"][0]["modifies"] == 1
    [m] = [m for m in data["rapprochements"] if m["id"] == "2026NET01"]
    assert all(r["modifications"] == [] for r in data["rapprochements"] if r["id"] != "2026NET01")
    assert m["montant_retenu"] == 1400000 and [x["id"] for x in m["modifications"]] == [1, 2]
    assert m["modifications"][0] == {"id": 1, "notifiee_le": "2027-01-15", "montant": 1300000, "dureeMois": 54, "titulaires": [EI_SIRET]}


def test_implausible_amount_in_a_modification_is_reported_and_not_used(tmp_path: Path):
    mods = [_mod(1, "2027-01-15", montant=1300000), _mod(2, "2027-06-01", montant=1e17)]
    path = write_decp(tmp_path / "d.json", [marche(modifications=mods)])
    events = _events(path)
    [defect] = [e for e in events if isinstance(e, decp.Defect)]
    assert defect.kind == "montant" and defect.message.startswith("modification 2 : montant invraisemblable")
    [rec] = [e for e in events if isinstance(e, decp.DecpRecord)]
    assert rec.montant == 1300000.0
