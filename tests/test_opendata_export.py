"""`guichet export decp|ocds` : enregistrements DECP conformes au schéma officiel, paquet OCDS avec les
deux extensions, table de correspondance dispositions → DECP → OCDS → eForms."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from guichet_cli.core import yamlio
from tests.conftest import PROJECT
from tests.decp_helpers import DECP_SCHEMA, marche, write_decp
from tests.ocds_helpers import codelist, eforms_codes, official_errors, package_schema

SCHEMA = ["--schema", str(DECP_SCHEMA)]


def _official_errors(doc: dict) -> list[str]:
    schema = json.loads(DECP_SCHEMA.read_text(encoding="utf-8"))
    return [e.message for e in Draft7Validator(schema).iter_errors(doc)]


def test_end_to_end_import_write_then_export_gives_an_officially_valid_record(cli, git_repo: Path, tmp_path: Path):
    """Une demande d'exemple, un marché DECP à son sujet : l'import rapproche et écrit la notification,
    l'export rend un enregistrement valide au regard du schéma officiel v2.0.3."""
    path = write_decp(tmp_path / "publie.json", [marche()])
    cli("import", "decp", str(path), *SCHEMA, "--write", repo=git_repo, code=0)
    out = tmp_path / "export.json"
    res = cli("export", "decp", "--year", "2026", "--out", str(out), *SCHEMA, repo=git_repo, code=1)  # d'autres demandes incomplètes
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert _official_errors(doc) == []
    [rec] = [r for r in doc["marches"]["marche"] if r["id"] == "2026NET01"]
    assert rec["acheteur"] == {"id": "26950031000108"} and rec["dateNotification"] == "2026-12-01"
    assert rec["montant"] == 1250000 and rec["titulaires"] == [{"titulaire": {"typeIdentifiant": "SIRET", "id": "73282932000074"}}]
    assert rec["considerationsSociales"] == {"considerationSociale": ["Clause sociale"]}
    assert "conformes au schéma schema_decp_v2.0.3.json" in res.stderr
    # le reste de l'enregistrement publié revient tel quel
    assert {k: rec[k] for k in ("ccag", "offresRecues", "typesPrix")} == {k: marche()[k] for k in ("ccag", "offresRecues", "typesPrix")}


def test_cases_missing_required_fields_are_listed_per_case(cli, repo: Path, tmp_path: Path):
    out = tmp_path / "export.json"
    res = cli("export", "decp", "--out", str(out), repo=repo, code=1)
    assert json.loads(out.read_text(encoding="utf-8")) == {"marches": {"marche": []}}
    assert "GRCS-2025-3M8Q : non publié, il manque 14 champs DECP obligatoires" in res.stderr
    assert "id, nature, techniques" in res.stderr and "guichet import decp --write" in res.stderr


def test_year_filter_and_stdout(cli, repo: Path):
    res = cli("export", "decp", "--year", "2019", repo=repo, code=0)
    assert json.loads(res.stdout) == {"marches": {"marche": []}} and "0 marché publié" in res.stderr


def test_copied_fields_come_back_identical_at_export(cli, git_repo: Path, tmp_path: Path):
    """Chaque champ recopié dans la demande ressort à l'identique à l'export (champs du schéma seulement)."""
    rec = marche(idAccordCadre="AC2025-01", tauxAvance=0.05, attributionAvance=True)
    path = write_decp(tmp_path / "publie.json", [rec])
    cli("import", "decp", str(path), *SCHEMA, "--write", repo=git_repo, code=0)
    res = cli("export", "decp", "--year", "2026", *SCHEMA, repo=git_repo, code=1)
    [out] = [r for r in json.loads(res.stdout)["marches"]["marche"] if r["id"] == "2026NET01"]
    for key in ("idAccordCadre", "tauxAvance", "attributionAvance", "lieuExecution", "procedure", "dureeMois", "formePrix"):
        assert out[key] == rec[key], key


# --- OCDS --------------------------------------------------------------------------------------


def _ocds(cli, repo: Path, *args: str) -> dict:
    return json.loads(cli("export", "ocds", *args, repo=repo, code=0).stdout)


def test_ocds_package_is_valid_with_both_extensions(cli, repo: Path):
    """Chaque publication est contrôlée par le schéma OFFICIEL release-schema.json 1.1.4 avec les deux
    extensions appliquées ; l'enveloppe du paquet, par un noyau de substitution écrit d'après OCDS 1.1.
    Aucun paquet PyPI n'installe le schéma officiel, ni aucun outil OCDS maintenu ne contrôle hors ligne
    (libcoveocds, ocdsextensionregistry le téléchargent) : le schéma officiel est une copie vérifiée par
    son empreinte, tirée de l'archive source d'ocdsmerge 0.8.0 (liste de ce qui a été vérifié :
    tests/ocds_helpers.py, tests/fixtures/ocds/README.md)."""
    package = _ocds(cli, repo)
    assert len(package["releases"]) >= 10
    assert official_errors(package) == []
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft7Validator(package_schema()).iter_errors(package)]
    assert errors == []
    for release in package["releases"]:
        dt.datetime.fromisoformat(release["date"])
    goals = codelist("ocds_sustainability_extension", "sustainabilityGoal.csv")
    strategies = codelist("ocds_sustainability_extension", "sustainabilityStrategy.csv")
    reserved = codelist("ocds_otherRequirements_extension", "reservedParticipation.csv")
    tenders = [r["tender"] for r in package["releases"]]
    assert any(t["hasSustainability"] for t in tenders) and any(not t["hasSustainability"] for t in tenders)
    for t in tenders:
        for s in t.get("sustainability", []):
            assert s["goal"] in goals and set(s["strategies"]) <= strategies
        assert set(t.get("otherRequirements", {}).get("reservedParticipation", [])) <= reserved


def test_ocds_release_of_a_clause_and_a_reservation(cli, repo: Path):
    package = _ocds(cli, repo, "--year", "2026")
    [rel] = [r for r in package["releases"] if r["ocid"].endswith("GRCS-2026-P4Q5")]
    tender = rel["tender"]
    assert {"goal": "social.disadvantagedEmploymentOpportunities", "strategies": ["contractPerformanceConditions"],
            "description": "clause d'insertion (condition d'exécution)"} in tender["sustainability"]
    assert tender["otherRequirements"] == {"reservedParticipation": ["shelteredWorkshop"]}
    assert rel["tag"] == ["tender"] and tender["items"][0]["classification"] == {"scheme": "CPV", "id": "90911200"}
    # une demande non suivie : pas de considération sociale
    [none] = [r for r in package["releases"] if r["ocid"].endswith("GRCS-2026-R7S1")]
    assert none["tender"]["hasSustainability"] is False and "sustainability" not in none["tender"]


def test_ocds_award_after_notification(cli, git_repo: Path, tmp_path: Path):
    cli("import", "decp", str(write_decp(tmp_path / "p.json", [marche()])), *SCHEMA, "--write", repo=git_repo, code=0)
    out = tmp_path / "ocds.json"
    cli("export", "ocds", "--out", str(out), repo=git_repo, code=0)
    package = json.loads(out.read_text(encoding="utf-8"))
    assert list(Draft7Validator(package_schema()).iter_errors(package)) == []
    assert official_errors(package) == []
    [rel] = [r for r in package["releases"] if r["ocid"].endswith("GRCS-2026-P4Q5")]
    assert rel["tag"] == ["award"] and rel["awards"][0]["value"] == {"amount": 1250000, "currency": "EUR"}
    assert rel["awards"][0]["suppliers"][0]["id"] == "FR-SIRET-73282932000074"


def test_ocds_schema_check_is_not_a_rubber_stamp():
    """Le schéma de contrôle refuse un objectif mal typé et une réservation vide (il peut échouer)."""
    bad = {"uri": "urn:x", "version": "1.1", "publishedDate": "2026-01-01T00:00:00Z", "publisher": {"name": "x"},
           "releases": [{"ocid": "ocds-abcdef-1", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"],
                         "initiationType": "tender", "tender": {"id": "1", "sustainability": [{"goal": 3}],
                                                                "otherRequirements": {"reservedParticipation": []}}}]}
    assert len(list(Draft7Validator(package_schema()).iter_errors(bad))) == 2
    # le schéma officiel, extensions appliquées, refuse les mêmes, puis une étiquette hors liste et un champ requis absent
    assert [e.split(": ")[0] for e in official_errors(bad)] == ["ocds-abcdef-1 ['tender', 'sustainability', 0, 'goal']",
                                                                 "ocds-abcdef-1 ['tender', 'otherRequirements', 'reservedParticipation']"]
    bad["releases"][0]["tag"] = ["offre"]
    del bad["releases"][0]["initiationType"]
    errors = official_errors(bad)
    assert len(errors) == 4 and any("'initiationType' is a required property" in e for e in errors)
    assert any("'offre' is not one of" in e for e in errors)


# --- table de correspondance -------------------------------------------------------------------


@pytest.fixture(scope="module")
def crosswalk_rules() -> dict:
    return yamlio.load_mapping_fast(PROJECT / "rules" / "donnees_ouvertes.yaml")


def test_crosswalk_covers_every_disposition_with_known_codes(crosswalk_rules: dict):
    defs = json.loads((PROJECT / "schemas" / "defs.schema.json").read_text(encoding="utf-8"))
    dispositions = set(defs["$defs"]["disposition"]["enum"])
    corr = crosswalk_rules["correspondance"]
    assert set(corr) == dispositions
    goals = codelist("ocds_sustainability_extension", "sustainabilityGoal.csv")
    strategies = codelist("ocds_sustainability_extension", "sustainabilityStrategy.csv")
    reserved = codelist("ocds_otherRequirements_extension", "reservedParticipation.csv")
    bt06, bt775, bt71 = eforms_codes("strategic-procurement"), eforms_codes("social-objective"), eforms_codes("reserved-procurement")
    for code, c in corr.items():
        assert c.get("ocds_objectif", "social") in goals, code
        assert set(c.get("ocds_strategies", [])) <= strategies, code
        assert c.get("ocds_reservation", "shelteredWorkshop") in reserved, code
        assert c["eforms_bt06"] in bt06 and c.get("eforms_bt775", "opp") in bt775 and c.get("eforms_bt71", "none") in bt71, code
        # une réservation OCDS va avec la stratégie « reservedParticipation » et un code BT-71 de réservation
        assert ("ocds_reservation" in c) == ("reservedParticipation" in c.get("ocds_strategies", [])), code
        assert ("ocds_reservation" in c) == (c.get("eforms_bt71") in ("res-ws", "res-pub-ser")), code


def test_procedure_crosswalk_values_are_official_decp_values(crosswalk_rules: dict):
    schema = json.loads(DECP_SCHEMA.read_text(encoding="utf-8"))
    allowed = set(schema["definitions"]["marche"]["properties"]["procedure"]["enum"])
    assert set(crosswalk_rules["decp"]["procedures"].values()) <= allowed
    props = set(schema["definitions"]["marche"]["properties"])
    assert set(crosswalk_rules["decp"]["champs_recopies"]) <= props
