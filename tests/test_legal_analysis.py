"""Analyse juridique (issue 10) : seuil des services sociaux et autres services spécifiques, obligation
L2112-2-1 lot par lot, motifs de dérogation du texte, plausibilité des montants."""

from __future__ import annotations

from analysis_helpers import make_case, write_case

from guichet_cli.core import yamlio


def _sample(repo, ref: str) -> dict:
    year = ref.split("-")[1]
    return yamlio.load_fast(repo / "cases" / year / f"{ref}.yaml")


# --- seuils SSSS -------------------------------------------------------------------------------


def test_guarding_300k_october_2026_is_under_the_ssss_threshold(cli, repo):
    # Gardiennage (79713000) = service social et autre service spécifique : seuil de 750 000 €, pas 216 000 €.
    case = make_case("GRCS-2026-ZZ20", cpv=["79713000"], montant_estime_ht=300_000, lancement_prevu="2026-10-05")
    case["analyse"] = {"recommandation": [{"disposition": "aucune", "base_legale": "—", "justification": "aucune"}]}
    write_case(repo, case)
    cli("validate", str(repo / "cases/2026/GRCS-2026-ZZ20.yaml"), repo=repo, code=0)
    out = cli("analyse", "GRCS-2026-ZZ20", repo=repo).stdout
    assert "seuil européen des services sociaux et autres services spécifiques (750 000 € HT)" in out and "services sociaux et autres services spécifiques" in out
    assert "condition d'exécution sociale obligatoire" not in out
    # au-dessus de 750 000 €, l'obligation s'applique
    case["marche"]["montant_estime_ht"] = 800_000
    write_case(repo, case)
    cli("validate", str(repo / "cases/2026/GRCS-2026-ZZ20.yaml"), repo=repo, code=1)


def test_ssss_threshold_for_entite_adjudicatrice_is_one_million(cli, repo):
    case = make_case("GRCS-2026-ZZ21", cpv=["79713000"], montant_estime_ht=900_000, type_acheteur="entite_adjudicatrice")
    write_case(repo, case)
    out = cli("analyse", "GRCS-2026-ZZ21", repo=repo).stdout
    assert "seuil européen des services sociaux et autres services spécifiques (1 000 000 € HT)" in out


def test_sample_9kxa_and_x4ms_show_the_ssss_threshold(cli, repo):
    assert "seuil européen des services sociaux et autres services spécifiques (750 000 € HT)" in cli("analyse", "GRCS-2025-9KXA", repo=repo).stdout
    assert "seuil européen des services sociaux et autres services spécifiques (750 000 € HT)" in cli("analyse", "GRCS-2025-X4MS", repo=repo).stdout


def test_mixed_contract_follows_the_higher_value_category(ws):
    from guichet_cli.core.facts import thresholds

    # lots : 600 k€ de restauration (SSSS) contre 400 k€ de nettoyage : régime SSSS (R2123-2)
    ssss, note = thresholds.ssss_regime(ws, nature="services", cpvs=["55523100", "90911200"],
                                        lots=[(["55523100"], 600_000), (["90911200"], 400_000)])
    assert ssss and "R2123-2" in (note or "")
    ssss, _ = thresholds.ssss_regime(ws, nature="services", cpvs=["55523100", "90911200"],
                                     lots=[(["55523100"], 300_000), (["90911200"], 700_000)])
    assert not ssss
    assert thresholds.is_ssss_cpv(ws, "79713000-5") and not thresholds.is_ssss_cpv(ws, "90911200")
    assert not thresholds.ssss_regime(ws, nature="travaux", cpvs=["45000000"])[0]
    limit, ref, _period, _notes = thresholds.eu_threshold(ws, category_="fournitures_services", buyer_type_="pouvoir_adjudicateur",
                                                          when=__import__("datetime").date(2026, 10, 1), ssss=True)
    assert limit == 750_000 and "services_sociaux_specifiques" in ref


# --- L2112-2-1 lot par lot ----------------------------------------------------------------------


def test_lot_with_only_a_criterion_is_flagged_at_the_lot_line(cli, repo):
    case = _sample(repo, "GRCS-2026-E8F3")
    case["analyse"]["recommandation"] = [
        {"disposition": "clause_insertion", "lots": [1, 2], "base_legale": "L2112-2", "justification": "lots 1 et 2"},
        {"disposition": "critere_social", "lots": [3], "base_legale": "R2152-7", "justification": "lot 3"},
    ]
    path = write_case(repo, case)
    res = cli("validate", str(path), repo=repo, code=1)
    out = res.stdout + res.stderr
    assert "$.marche.lots[2]" in out and "lot n° 3" in out
    assert "lot n° 1" not in out
    # le lot 3 réservé aux SIAE : conforme
    case["analyse"]["recommandation"][1] = {"disposition": "reserve_siae", "lots": [3], "base_legale": "L2113-13", "justification": "lot 3"}
    write_case(repo, case)
    cli("validate", str(path), repo=repo, code=0)


def test_reservation_alone_is_flagged_as_a_reading_to_confirm(cli, repo):
    case = make_case("GRCS-2026-ZZ22", cpv=["98310000"], montant_estime_ht=400_000)
    write_case(repo, case)
    out = cli("analyse", "GRCS-2026-ZZ22", repo=repo).stdout
    assert "lecture à confirmer" in out and "reservation_conforme" in out


# --- motifs de dérogation ----------------------------------------------------------------------


def test_derogation_grounds_come_from_l2112_2_1(ws):
    from guichet_cli.core.rules import load_rules

    motifs = load_rules(ws, "obligation_sociale")["motifs_derogation"]
    assert "duree_execution_courte" not in motifs
    assert "solution_immediatement_disponible" in motifs
    for m in motifs.values():
        assert "L2112-2-1" in m["source"] and m["citation"].startswith("«") and m["a_confirmer"] is True


def test_analysis_keeps_obligation_with_a_non_statutory_reason(ws):
    import datetime as dt

    from guichet_cli.core.analysis import recommend
    from guichet_cli.core.model.case import Derogation, Market, Place

    marche = Market("x", "services", ("90911200",), 400_000, 12, "marche_ordinaire", (Place("93"),),
                    lancement_prevu=dt.date(2026, 9, 15))
    an = recommend.analyse_market(ws, marche, case_id="t", buyer=None, derogation=Derogation("duree_execution_courte", "courte"),
                                  today=dt.date(2026, 9, 1))
    assert an.obligation.applies and an.obligation.derogation is None
    assert any("l'obligation demeure" in n for n in an.notes)
    assert an.units[0].chosen[0].disposition == "clause_insertion"


# --- plausibilité des montants -----------------------------------------------------------------

DECP_PLACEHOLDER = "100000000000000000"  # 1e17 €, valeur de remplissage des DECP


def test_calibrate_refuses_decp_placeholder(cli, repo):
    res = cli("calibrate", "--amount", DECP_PLACEHOLDER, "--cpv", "45000000", repo=repo, code=2)
    assert "maximum plausible" in res.stderr and " h" not in res.stdout


def test_new_refuses_implausible_amount_and_writes_nothing(cli, repo):
    before = set((repo / "cases").rglob("*.yaml"))
    res = cli("new", "--buyer", "21930066200018", "--requester", "contact-0007", "--object", "Nettoyage", "--nature", "services",
              "--cpv", "90911200", "--amount", DECP_PLACEHOLDER, "--duration", "48", "--form", "marche_ordinaire",
              "--department", "93", repo=repo, code=2)
    assert "maximum plausible" in res.stderr
    assert set((repo / "cases").rglob("*.yaml")) == before


def test_screen_rejects_implausible_line(cli, repo, tmp_path):
    from analysis_helpers import generate_plan_rows, write_plan_csv

    rows = generate_plan_rows(3)
    rows[1][2] = DECP_PLACEHOLDER
    path = write_plan_csv(tmp_path / "plan.csv", rows)
    res = cli("screen", str(path), repo=repo)
    assert "ligne 2 : montant de 100 000 000 000 000 000 € au-delà du maximum plausible" in res.stderr
    assert "83 333 333" not in res.stdout and "Lignes analysées : 2" in res.stdout


def test_validate_flags_implausible_amount(cli, repo):
    # 1e17 est déjà refusé par le schéma (maximum 10 Md€) ; un montant nul l'est par la plage des règles.
    case = make_case("GRCS-2026-ZZ24", montant_estime_ht=1e17)
    path = write_case(repo, case)
    assert "$.marche.montant_estime_ht" in cli("validate", str(path), repo=repo, code=1).stdout
    case["marche"]["montant_estime_ht"] = 0
    write_case(repo, case)
    res = cli("validate", str(path), repo=repo, code=1)
    assert "$.marche.montant_estime_ht" in res.stdout and "minimum plausible" in res.stdout


# --- calibrage : ETP par an, méthode de la propreté ------------------------------------------


def test_calibrate_cleaning_follows_pact_proprete(cli, repo):
    # PACT Propreté : I = P × A × T ÷ 25 → 600 000 × 5 % ÷ 25 = 1 200 h sur 3 ans, 400 h par an
    out = cli("calibrate", "--amount", "600000", "--cpv", "90911200", "--duration", "36", "--rate", "0.05", repo=repo).stdout
    assert "Coût horaire          20 €" in out
    assert "Heures par an         400 h      (0,25 ETP par an" in out
    assert "Heures d'insertion    1 200 h    (total sur 3 ans)" in out
    assert "PACT Propreté" in out


def test_calibrate_generic_example_still_833_hours(cli, repo):
    out = cli("calibrate", "--amount", "1000000", "--cpv", "45000000", "--rate", "0.05", repo=repo).stdout
    assert "833 h" in out and "30 €" in out and "PACT" not in out


def test_calibrate_new_staff_share_is_the_p_factor(cli, repo):
    out = cli("calibrate", "--amount", "600000", "--cpv", "90911200", "--duration", "36", "--rate", "0.05",
              "--new-staff-share", "30 %", repo=repo).stdout
    assert "Part du nouveau personnel  30 %" in out and "360 h" in out  # 1 200 h × 30 %
    res = cli("calibrate", "--amount", "600000", "--cpv", "90911200", "--new-staff-share", "1.5", repo=repo, code=2)
    assert "--new-staff-share" in res.stderr


def test_cleaning_below_150_hours_gets_a_note(cli, repo):
    out = cli("calibrate", "--amount", "50000", "--cpv", "90911200", repo=repo).stdout
    assert "100 h < 150 h" in out and "rules/secteurs.yaml#9091.heures_minimales" in out


def test_7f3k_shows_etp_per_year(cli, repo):
    out = cli("analyse", "GRCS-2026-7F3K", repo=repo).stdout
    assert "300 h      (0,19 ETP par an" in out  # lot 1 : 1 200 h sur 4 ans, pas 0,75 ETP
    assert "0,75 ETP" not in out
    assert "1 933 h sur 4 ans, soit 483 h par an (0,30 ETP par an)" in out


# --- plusieurs CPV, lots, table sectorielle -----------------------------------------------------


def _recs(cli, repo, ref: str) -> list[str]:
    out = cli("analyse", ref, repo=repo).stdout
    return [line.strip() for line in out.split("Recommandation :")[1].splitlines() if line.strip()[:2] in {f"{i}." for i in range(1, 9)}]


def test_p4q5_lot1_gets_1733_hours_and_lot2_keeps_its_reservation(cli, repo):
    out = cli("analyse", "GRCS-2026-P4Q5", repo=repo).stdout
    assert "Montant HT retenu     1 300 000 €" in out and "1 733 h" in out
    recs = _recs(cli, repo, "GRCS-2026-P4Q5")
    assert recs[0].startswith("1. clause d'insertion (condition d'exécution) (lots 1)")
    assert recs[1].startswith("2. marché réservé conjointement aux EA/ESAT et aux SIAE (lots 2)")
    assert "Heures d'insertion au total : 1 733 h" in out


def test_y8z5_landscaping_part_is_proposed_as_a_reserved_siae_lot(cli, repo):
    out = cli("analyse", "GRCS-2026-Y8Z5", repo=repo).stdout
    assert "partie « espaces verts (plantation et entretien) » (CPV 77310000) : en faire un lot réservé" in out
    assert any(r.startswith("3. marché réservé aux structures d'insertion par l'activité économique (SIAE)") for r in _recs(cli, repo, "GRCS-2026-Y8Z5"))


def test_classic_reserved_activities_rank_the_reservation_first(cli, repo):
    assert _recs(cli, repo, "GRCS-2026-K3M7")[0].startswith("1. marché réservé aux structures d'insertion par l'activité économique (SIAE)")   # encombrants + recyclerie
    first = _recs(cli, repo, "GRCS-2025-Y9DW")[0]  # confection textile : une réservation d'abord
    assert first.startswith("1. marché réservé aux ")
    assert any(kind in first for kind in ("entreprises adaptées et ESAT", "pénitentiaire", "(SIAE)"))


def test_sector_table_additions(ws):
    from guichet_cli.core.facts import sectors

    assert sectors.sector_for(ws, "50110000").key == "50"
    eng = sectors.sector_for(ws, "71000000-8")
    assert eng.key == "71" and eng.entry["disposition"] == "critere_social" and "aucune" in eng.entry["alternatives"]
    assert "2019K1209" in eng.entry["notes"]
    assert sectors.sector_for(ws, "98392000").key == "98392"
    assert sectors.sector_for(ws, "92312000").key == "923" and sectors.sector_for(ws, "79952000").key == "923"
    refurb = sectors.sector_for(ws, "45453000")
    assert refurb.key == "45453" and refurb.entry["part_main_oeuvre"]["valeur"] != 0.7
    assert sectors.sector_for(ws, "45442100").key == "454"  # la peinture reste du second œuvre
    assert sectors.sector_for(ws, "18930000").entry.get("reservation_classique")


# --- routage ----------------------------------------------------------------------------------


def test_criterion_as_main_disposition_is_not_routed_to_cress_or_urtie(ws):
    from guichet_cli.core.analysis.route import route
    from guichet_cli.core.model.case import Case

    case = Case.from_data(ws.root / "cases/2026/GRCS-2026-ZZ30.yaml", make_case("GRCS-2026-ZZ30", cpv=["71000000"]))
    routing = route(case, ws.store.registry, [{"disposition": "critere_social"}])
    assert "cress" not in routing.networks and "urtie" not in routing.networks
    assert routing.coordinations == ["coordination-93"]


def test_prison_work_reservation_gets_its_partner_flagged_to_confirm(cli, repo):
    out = cli("route", "GRCS-2025-Y9DW", "--write", "--no-commit", repo=repo).stdout  # routage recalculé
    assert "atigip" in out and "nom et rôle à confirmer" in out


# --- réservation ESS (L2113-15) -----------------------------------------------------------------


def _ess_case(case_id: str, notified: str, siret: str = "78455320800108", **marche) -> dict:
    case = make_case(case_id, cpv=["85312000"], montant_estime_ht=240_000, duree_mois=36, **marche)
    case["statut"] = "en_execution"
    year = case_id.split("-")[1]
    case["recue_le"] = f"{year}-01-02"
    case["analyse"] = {"recommandation": [{"disposition": "reserve_ess", "base_legale": "L2113-15", "justification": "ESS"}]}
    case["decision"] = {"suite": "suivie", "date": f"{year}-01-10", "dispositions_retenues": ["reserve_ess"]}
    case["execution"] = {"notifie_le": notified, "titulaires": [{"siret": siret, "nom": "Association fictive de l'ESS"}]}
    return case


def test_ess_reservation_open_to_pa_acting_as_entite_adjudicatrice(cli, repo):
    case = make_case("GRCS-2026-ZZ31", cpv=["85312000"], montant_estime_ht=240_000, duree_mois=36, type_acheteur="entite_adjudicatrice")
    write_case(repo, case)
    out = cli("analyse", "GRCS-2026-ZZ31", repo=repo).stdout
    assert "1. marché réservé aux entreprises de l'économie sociale et solidaire (L2113-15) — principale" in out
    assert "y compris lorsqu'il agit en tant qu'entité adjudicatrice" in out


def test_ess_no_reaward_to_same_organisation_within_three_years(cli, repo):
    first = write_case(repo, _ess_case("GRCS-2023-ZZ32", "2024-03-01"))
    second = write_case(repo, _ess_case("GRCS-2026-ZZ33", "2026-09-01"))
    res = cli("validate", str(first), str(second), repo=repo, code=1)
    assert "GRCS-2026-ZZ33.yaml" in res.stdout and "$.execution.titulaires[0].siret" in res.stdout
    assert "moins de 3 ans" in res.stdout and "GRCS-2023-ZZ32" in res.stdout
    # plus de 3 ans après : permis
    write_case(repo, _ess_case("GRCS-2023-ZZ32", "2023-06-01"))
    cli("validate", str(first), str(second), repo=repo, code=0)
    # un nouvel appel : l'analyse nomme l'organisme écarté
    write_case(repo, _ess_case("GRCS-2023-ZZ32", "2025-06-01"))
    fresh = make_case("GRCS-2026-ZZ34", cpv=["85312000"], montant_estime_ht=240_000, duree_mois=36, lancement_prevu="2026-10-01")
    write_case(repo, fresh)
    out = cli("analyse", "GRCS-2026-ZZ34", repo=repo).stdout
    assert "ne peuvent pas être attributaires" in out and "78455320800108" in out


# --- type de seuil nommé partout -----------------------------------------------------------------

SSSS_LABEL = "seuil européen des services sociaux et autres services spécifiques (750 000 € HT)"


def test_threshold_type_is_named_in_validate_findings(cli, repo):
    # gardiennage de 800 000 € lancé en octobre 2026 sans disposition : le constat nomme le seuil SSSS
    case = make_case("GRCS-2026-ZZ40", cpv=["79713000"], montant_estime_ht=800_000, lancement_prevu="2026-10-05")
    case["analyse"] = {"recommandation": [{"disposition": "aucune", "base_legale": "—", "justification": "aucune"}]}
    write_case(repo, case)
    out = cli("validate", str(repo / "cases/2026/GRCS-2026-ZZ40.yaml"), repo=repo, code=1).stdout
    assert SSSS_LABEL in out
    # travaux : le seuil des travaux est nommé
    case = make_case("GRCS-2026-ZZ41", nature="travaux", cpv=["45000000"], montant_estime_ht=6_000_000, lancement_prevu="2026-10-05")
    case["analyse"] = {"recommandation": [{"disposition": "aucune", "base_legale": "—", "justification": "aucune"}]}
    write_case(repo, case)
    out = cli("validate", str(repo / "cases/2026/GRCS-2026-ZZ41.yaml"), repo=repo, code=1).stdout
    assert "seuil européen des travaux (5 404 000 € HT)" in out


def test_threshold_type_is_named_by_screen_in_every_format(cli, repo, tmp_path):
    from analysis_helpers import write_plan_csv

    plan = write_plan_csv(tmp_path / "plan.csv", [
        ["Objet", "CPV", "Montant HT", "Durée", "Lieu", "Date de lancement"],
        ["Gardiennage", "79713000", "300000", "24", "93", "2026-10-05"],
        ["Nettoyage", "90911200", "1200000", "24", "93", "2026-10-05"],
    ])
    csv_text = cli("screen", str(plan), "--buyer", "21930066200018", "--format", "csv", repo=repo).stdout
    header, guard, clean = csv_text.lstrip("\ufeff").splitlines()[:3]
    assert "Type de seuil" in header.split(";")
    assert SSSS_LABEL in guard and "seuil européen des fournitures et services (216 000 € HT)" in clean
    table = cli("screen", str(plan), "--buyer", "21930066200018", repo=repo).stdout
    assert f"Lignes au {SSSS_LABEL} : 1" in table
    md = cli("screen", str(plan), "--buyer", "21930066200018", "--format", "md", repo=repo).stdout
    assert "Type de seuil" in md and SSSS_LABEL in md


def test_threshold_type_is_named_in_the_regional_report(cli, repo, tmp_path):
    import json

    out = cli("report", "--year", "2026", "--region", "--format", "table", "--detail", repo=repo).stdout
    assert "… dont au seuil européen des fournitures et services (216 000 € HT)" in out
    cli("report", "--year", "2026", "--region", "--format", "json", "--out", str(tmp_path / "bilan"), repo=repo, code=None)
    data = json.loads((tmp_path / "bilan" / "bilan-2026-region.json").read_text(encoding="utf-8"))
    seuil = data["panorama"]["seuil_europeen"]
    assert "seuil européen des fournitures et services (216 000 € HT)" in seuil["par_type_de_seuil"]
    assert sum(v["marches"] for v in seuil["par_type_de_seuil"].values()) == seuil["marches_au_dessus_du_seuil"] > 0
