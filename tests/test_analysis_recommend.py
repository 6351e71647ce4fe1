"""Recommandation, seuils et obligation L2112-2-1 : cas limites de l'issue, avec leur règle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from analysis_helpers import as_model, make_case
from conftest import copy_repo

from guichet_cli.core.analysis import recommend
from guichet_cli.core.workspace import open_workspace

TODAY = dt.date(2026, 11, 28)


_REGISTRIES: dict[Path, object] = {}


def analyse(ws, case):
    # Le registre est relu une fois par copie du dépôt (les tests ne le modifient pas).
    if ws.root not in _REGISTRIES:
        _REGISTRIES[ws.root] = ws.store.registry
    return recommend.analyse_case(ws, as_model(case), today=TODAY, registry=_REGISTRIES[ws.root])


def principal(an, unit=0):
    return next(o for o in an.units[unit].options if o.role == "principale")


# --- seuils : « égale ou supérieure » (rules/seuils.yaml#comparaison) ------------------------------

@pytest.mark.parametrize(("amount", "nature", "cpv", "launch", "above", "limit"), [
    (216_000, "services", ["90911200"], "2026-09-15", True, 216_000),     # exactement au seuil 2026-2027 (domain.md §0 n° 1)
    (215_999, "services", ["90911200"], "2026-09-15", False, 216_000),
    (5_404_000, "travaux", ["45000000"], "2026-09-15", True, 5_404_000),  # travaux 2026-2027
    (5_403_999, "travaux", ["45000000"], "2026-09-15", False, 5_404_000),
    (218_000, "services", ["90911200"], "2025-06-01", False, 221_000),    # période 2024-2025 (domain.md §0 n° 2)
])
def test_threshold_edges(ws, amount, nature, cpv, launch, above, limit):
    an = analyse(ws, make_case(montant_estime_ht=amount, nature=nature, cpv=cpv, lancement_prevu=launch))
    assert an.threshold.threshold == limit
    assert an.threshold.above is above
    assert an.threshold.regle.startswith("rules/seuils.yaml#periodes.")


def test_buyer_type_changes_the_threshold(ws):
    state = analyse(ws, make_case(montant_estime_ht=150_000, type_acheteur="etat"))
    utility = analyse(ws, make_case(montant_estime_ht=150_000, type_acheteur="entite_adjudicatrice"))
    assert state.threshold.threshold == 140_000 and state.threshold.above
    assert utility.threshold.threshold == 432_000 and not utility.threshold.above


def test_framework_maximum_is_the_need_value(ws):
    an = analyse(ws, make_case(montant_estime_ht=150_000, montant_maximum_ht=250_000, forme="accord_cadre_bons_de_commande"))
    assert an.threshold.value == 250_000 and an.threshold.above


# --- L2112-2-1 : le 21 et le 22 août 2026 -------------------------------------------------------

@pytest.mark.parametrize(("launch", "applies"), [("2026-08-21", False), ("2026-08-22", True)])
def test_social_obligation_start_date(ws, launch, applies):
    an = analyse(ws, make_case(cpv=["30192000"], nature="fournitures", montant_estime_ht=300_000, lancement_prevu=launch))
    assert an.obligation.applies is applies
    p = principal(an)
    if applies:
        # fournitures : le critère par défaut ne suffit pas, une condition d'exécution est imposée
        assert p.disposition == "clause_sociale_autre"
        assert any("L2112-2-1" in c.text for c in p.checks)
    else:
        assert p.disposition == "critere_social"


def test_obligation_not_for_defence_or_private(ws):
    for kind in ("defense_securite", "prive"):
        an = analyse(ws, make_case(montant_estime_ht=10_000_000, type_acheteur=kind))
        assert an.obligation.applies is False
        assert "obligation_sociale.yaml#acheteurs_exclus" in an.obligation.regle


def test_derogation_lifts_the_obligation(ws):
    case = make_case(cpv=["48000000"], montant_estime_ht=500_000)
    case["analyse"] = {"derogation": {"motif": "absence_lien_objet", "justification": "cession de licences"}}
    an = analyse(ws, case)
    assert an.obligation.applies and an.obligation.derogation
    assert principal(an).disposition == "critere_social"


# --- réservation ESS (L2113-15) ----------------------------------------------------------------

def test_ess_reservation_fits_listed_cpv_and_36_months(ws):
    an = analyse(ws, make_case(cpv=["85312000"], duree_mois=36, montant_estime_ht=150_000))
    p = principal(an)
    assert p.disposition == "reserve_ess" and p.status == recommend.RETAINED
    assert p.base_legale == "L2113-15"


def test_ess_refused_for_48_months(ws):
    an = analyse(ws, make_case(cpv=["85312000"], duree_mois=48, montant_estime_ht=150_000))
    ess = next(o for o in an.units[0].options if o.disposition == "reserve_ess")
    assert ess.status == recommend.REFUSED and ess.role == "écartée"
    bad = [c for c in ess.checks if not c.ok]
    assert bad[0].regle == "rules/dispositions.yaml#reserve_ess.duree_max_mois"
    assert principal(an).disposition == "marche_insertion"


def test_ess_refused_for_cpv_outside_the_list(ws):
    an = analyse(ws, make_case(cpv=["80000000"], duree_mois=24, montant_estime_ht=150_000))
    ess = next(o for o in an.units[0].options if o.disposition == "reserve_ess")
    assert ess.status == recommend.REFUSED
    assert any(c.regle == "rules/dispositions.yaml#reserve_ess.cpv_autorises" and not c.ok for c in ess.checks)


def test_ess_open_to_entite_adjudicatrice_with_condition(ws):
    # L2113-15 : « un pouvoir adjudicateur, y compris lorsqu'il agit en tant qu'entité adjudicatrice »
    an = analyse(ws, make_case(cpv=["85312000"], duree_mois=24, type_acheteur="entite_adjudicatrice"))
    ess = next(o for o in an.units[0].options if o.disposition == "reserve_ess")
    assert ess.status == recommend.RETAINED
    assert any("acheteurs_sous_condition" in (c.regle or "") for c in ess.checks)


# --- clause d'insertion : pertinence ------------------------------------------------------------

def test_clause_with_criterion_and_trace(ws):
    an = analyse(ws, make_case(cpv=["45000000"], nature="travaux", montant_estime_ht=1_000_000, duree_mois=12, lancement_prevu="2026-06-01"))
    recs = an.recommendations()
    assert [r["disposition"] for r in recs] == ["clause_insertion", "critere_social"]
    assert recs[0]["regle"] == "rules/secteurs.yaml#45" and recs[0]["rang"] == 1 and recs[0]["base_legale"] == "L2112-2"
    assert an.units[0].unit.calibration.hours == 833  # mefsud77
    assert "833 h" in recs[0]["justification"]


def test_too_few_hours_discourages_the_clause(ws):
    an = analyse(ws, make_case(cpv=["90911200"], montant_estime_ht=40_000, lancement_prevu="2026-06-01"))
    clause = next(o for o in an.units[0].options if o.disposition == "clause_insertion")
    assert clause.status == recommend.DISCOURAGED
    # propreté : minimum de la branche (150 h, PACT Propreté) plutôt que le minimum générique (70 h)
    assert any(c.regle == "rules/secteurs.yaml#9091.heures_minimales" for c in clause.checks)
    assert principal(an).disposition != "clause_insertion"  # une alternative retenue passe devant
    generic = analyse(ws, make_case(cpv=["45000000"], nature="travaux", montant_estime_ht=40_000, lancement_prevu="2026-06-01"))
    clause = next(o for o in generic.units[0].options if o.disposition == "clause_insertion")
    assert any(c.regle == "rules/calibrage.yaml#pertinence.heures_minimales" for c in clause.checks)


def test_short_duration_discourages_the_clause(ws):
    an = analyse(ws, make_case(cpv=["45000000"], nature="travaux", montant_estime_ht=1_000_000, duree_mois=2, lancement_prevu="2026-06-01"))
    clause = next(o for o in an.units[0].options if o.disposition == "clause_insertion")
    assert any(c.regle == "rules/calibrage.yaml#pertinence.duree_minimale_mois" for c in clause.checks)


def test_new_staff_only_for_cleaning(ws):
    an = analyse(ws, make_case(cpv=["90911200"], montant_estime_ht=1_000_000, calcul_sur_nouveau_personnel=True, part_nouveau_personnel=0.25))
    cal = an.units[0].unit.calibration
    assert cal.hours == 500  # méthode PACT Propreté : 1 000 000 × 80 % × 25 % × 5 % ÷ 20 = 500
    assert cal.new_staff == 0.25 and "× 25 %" in cal.formula


def test_case_values_override_the_tables(ws):
    case = make_case(cpv=["90911200"], montant_estime_ht=1_000_000)
    case["analyse"] = {"calibrage": {"heures": 1, "taux_insertion": 0.1, "cout_horaire": 25, "part_main_oeuvre": 0.5}}
    cal = analyse(ws, case).units[0].unit.calibration
    assert cal.hours == 2000  # 1 000 000 × 50 % × 10 % ÷ 25
    assert cal.rate.origin == "dossier" and cal.cost.origin == "dossier" and cal.share.origin == "dossier"


def test_anru_cleaning_uses_ten_percent(ws):
    cal = analyse(ws, make_case(cpv=["90911200"], montant_estime_ht=300_000, anru=True)).units[0].unit.calibration
    assert cal.rate.value == 0.1 and cal.rate.regle == "rules/calibrage.yaml#taux_insertion.anru_gestion_urbaine"


# --- lots de secteurs différents -----------------------------------------------------------------

def test_lots_of_different_sectors(ws):
    case = make_case(nature="travaux", cpv=["45000000"], montant_estime_ht=2_000_000, duree_mois=24, lots=[
        {"numero": 1, "intitule": "Gros œuvre", "cpv": ["45262500"], "montant_estime_ht": 1_200_000},
        {"numero": 2, "intitule": "Peinture", "cpv": ["45442100"], "montant_estime_ht": 500_000},
        {"numero": 3, "intitule": "Espaces verts", "cpv": ["77310000"], "montant_estime_ht": 300_000},
    ])
    an = analyse(ws, case)
    recs = {r["disposition"]: r for r in an.recommendations()}
    assert recs["clause_insertion"]["lots"] == [1, 2]
    assert recs["reserve_siae"]["lots"] == [3]
    assert recs["reserve_siae"]["regle"] == "rules/secteurs.yaml#7731"
    hours = {u.unit.lot: u.unit.calibration.hours for u in an.units}
    assert hours[1] == 1000 and hours[2] == 583  # 50 % et 70 % (mefsud77)
    assert an.total_hours == 1583
    from guichet_cli.core.analysis.recommend import calibration_fields
    cal = calibration_fields(an)
    assert cal["heures"] == 1583 and [lot["numero"] for lot in cal["lots"]] == [1, 2]


def test_every_recommendation_is_traced(ws, shared_repo):
    from guichet_cli.core import yamlio
    for path in sorted((shared_repo / "cases").rglob("*.yaml")):
        an = analyse(ws, yamlio.load_fast(path))
        for r in an.recommendations():
            assert r["regle"].startswith("rules/") and "#" in r["regle"], path.name
        for u in an.units:
            for o in u.options:
                assert all(c.regle is None or c.regle.startswith(("rules/", "partners/")) for c in o.checks)


def test_variant_alone_does_not_meet_the_obligation(tmp_path):
    """rules/obligation_sociale.yaml#dispositions_non_conformes : une variante (famille clause) ne suffit pas."""
    repo = copy_repo(tmp_path / "depot")
    path = repo / "rules" / "secteurs.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    disposition: critere_social\n    alternatives: [clause_sociale_autre, reserve_ea_esat]\n    autres_prefixes: [\"48\"]"
    assert old in text
    path.write_text(text.replace(old, old.replace("critere_social", "variante_sociale")), encoding="utf-8")
    ws = open_workspace(repo)
    an = recommend.analyse_case(ws, as_model(make_case(cpv=["72000000"], montant_estime_ht=500_000, lancement_prevu="2026-09-01")), today=TODAY)
    assert an.obligation.applies
    assert principal(an).disposition == "clause_sociale_autre"
    before = recommend.analyse_case(ws, as_model(make_case(cpv=["72000000"], montant_estime_ht=500_000, lancement_prevu="2026-08-21")), today=TODAY)
    assert principal(before).disposition == "variante_sociale"
