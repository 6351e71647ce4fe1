"""Les données d'exemple du dépôt : valides, stables à l'aller-retour, couvrantes et sans donnée personnelle."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from stdnum.fr import siret

from guichet_cli.core import yamlio

PROJECT = Path(__file__).resolve().parent.parent
CASE_FILES = sorted((PROJECT / "cases").glob("*/*.yaml"))
SAMPLE_FILES = CASE_FILES + sorted((PROJECT / "donneurs").glob("*.yaml")) + sorted((PROJECT / "contacts").glob("*.yaml"))
ID_RE = re.compile(r"^GRCS-(\d{4})-[0-9A-HJKMNP-TV-Z]{4}$")
PHONE_RE = re.compile(r"(?:\+33[ .]?|\b0)[1-9](?:[ .-]?\d{2}){4}\b")


def _cases() -> list[dict]:
    return [yamlio.load_mapping_fast(p) for p in CASE_FILES]


def _rules(name: str) -> dict:
    return yamlio.load_mapping_fast(PROJECT / "rules" / f"{name}.yaml")


def test_samples_validate_without_any_finding(cli, repo: Path) -> None:
    result = cli("validate", "--format", "json", repo=repo, code=0)
    report = json.loads(result.stdout)
    assert report["problemes"] == []
    assert report["fichiers"] >= len(SAMPLE_FILES)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_roundtrip_is_byte_identical(path: Path) -> None:
    assert yamlio.dumps_roundtrip(yamlio.load_roundtrip(path)) == path.read_text(encoding="utf-8")


def test_enough_fictional_cases_with_header_and_matching_names() -> None:
    assert len(CASE_FILES) >= 25
    years = set()
    for path, case in zip(CASE_FILES, _cases(), strict=True):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "# yaml-language-server: $schema=../../schemas/demande.schema.json", path
        assert lines[1].startswith("# Données fictives"), path
        assert case["fictif"] is True, path
        m = ID_RE.match(case["id"])
        assert m and path.stem == case["id"] and path.parent.name == m.group(1), path
        years.add(m.group(1))
    assert {"2025", "2026"} <= years


def test_cases_cover_every_status_disposition_decision_and_departement() -> None:
    cases = _cases()
    statuses = set(_rules("cycle_de_vie")["statuts"])
    dispositions = set(_rules("dispositions")["dispositions"])
    assert {c["statut"] for c in cases} == statuses
    seen = {r["disposition"] for c in cases for r in (c.get("analyse") or {}).get("recommandation") or []}
    seen |= {d for c in cases for d in (c.get("decision") or {}).get("dispositions_retenues") or []}
    assert seen == dispositions
    assert {c["decision"]["suite"] for c in cases if c.get("decision")} == {"suivie", "partiellement_suivie", "non_suivie"}
    assert all(c["decision"].get("motif") for c in cases if c.get("decision", {}).get("suite", "suivie") != "suivie")
    deps = {lieu["departement"] for c in cases for lieu in c["marche"]["lieux_execution"]}
    assert deps == {"75", "77", "78", "91", "92", "93", "94", "95"}
    assert sum(len({lieu["departement"] for lieu in c["marche"]["lieux_execution"]}) > 1 for c in cases) >= 3
    meetings = [c["execution"]["reunion_lancement"]["facilitateur_present"] for c in cases
                if (c.get("execution") or {}).get("reunion_lancement")]
    assert True in meetings and False in meetings
    with_results = [c for c in cases if c.get("resultats")]
    assert {c["statut"] for c in with_results} >= {"en_execution", "cloturee"}
    assert {r["annee"] for c in with_results for r in c["resultats"]} >= {2025, 2026}
    assert {r["qualitatif"]["publiable"] for c in with_results for r in c["resultats"] if "qualitatif" in r} == {True, False}


def test_buyers_are_varied_and_sirets_valid() -> None:
    buyers = [yamlio.load_mapping_fast(p) for p in sorted((PROJECT / "donneurs").glob("*.yaml"))]
    assert len(buyers) >= 7
    assert {"commune", "departement", "bailleur_social", "etablissement_public", "etat", "hopital", "entreprise_privee"} <= {
        b.get("categorie") for b in buyers}
    holders = [t["siret"] for c in _cases() for t in (c.get("execution") or {}).get("titulaires") or []]
    for value in [b["siret"] for b in buyers] + holders:
        assert siret.is_valid(value), value
    assert len({c["donneur_ordre"] for c in _cases()}) >= 6


def test_ess_reservations_respect_l2113_15() -> None:
    rule = _rules("dispositions")["dispositions"]["reserve_ess"]
    allowed = rule["cpv_autorises"]
    ess = [c for c in _cases() if any(r["disposition"] == "reserve_ess" for r in (c.get("analyse") or {}).get("recommandation") or [])]
    assert ess
    for c in ess:
        assert c["marche"]["duree_mois"] <= rule["duree_max_mois"]
        for code in c["marche"]["cpv"]:
            base = code.split("-")[0]
            assert base in allowed["codes"] or any(lo <= base <= hi for lo, hi in allowed.get("plages", []))


def test_calibrated_hours_follow_the_formula() -> None:
    checked = 0
    for c in _cases():
        cal = (c.get("analyse") or {}).get("calibrage")
        if not cal or cal.get("base") not in ("montant_estime", "montant_maximum"):
            continue
        expected = cal["montant_retenu_ht"] * cal["part_main_oeuvre"] * cal["taux_insertion"] / cal["cout_horaire"]
        assert abs(cal["heures"] - expected) <= 0.5 + 1e-9, c["id"]
        if cal.get("lots"):
            assert sum(lot["heures"] for lot in cal["lots"]) == cal["heures"], c["id"]
        checked += 1
    assert checked >= 8


def test_no_personal_data_in_case_files() -> None:
    for path in CASE_FILES:
        text = path.read_text(encoding="utf-8")
        assert "@" not in text, path
        assert not PHONE_RE.search(text), path


def test_contacts_are_fictional_and_point_to_registered_organisations() -> None:
    buyers = {p.stem for p in (PROJECT / "donneurs").glob("*.yaml")}
    partners = {p.stem for p in (PROJECT / "partners").glob("*.yaml")}
    for path in sorted((PROJECT / "contacts").glob("*.yaml")):
        contact = yamlio.load_mapping_fast(path)
        assert contact["fictif"] is True, path
        assert contact.get("courriel", "x@exemple.invalid").endswith("@exemple.invalid"), path
        assert contact["organisation"] in buyers | partners, path
