"""Lectures à confirmer (entrées a_confirmer des règles) : `guichet analyse` les montre en texte, JSON
et Markdown, avec le motif, pour que l'utilisateur sache quelle lecture n'est pas vérifiée."""

from __future__ import annotations

import json

from analysis_helpers import make_case, write_case

from guichet_cli.core import yamlio

RESERVATION = "rules/obligation_sociale.yaml#reservation_conforme"
MOTIF = "rules/obligation_sociale.yaml#motifs_derogation.solution_immediatement_disponible"


def _textile(repo):
    # confection textile (réservation classique) de 600 000 € lancée en 2027 : obligation, réservation en tête
    case = make_case("GRCS-2026-ZV01", nature="fournitures", cpv=["18930000"], montant_estime_ht=600_000, duree_mois=24,
                     lancement_prevu="2027-02-01")
    write_case(repo, case)
    return case


def test_reservation_alone_is_flagged_to_confirm_in_text_json_and_md(cli, repo):
    _textile(repo)
    text = cli("analyse", "GRCS-2026-ZV01", repo=repo).stdout
    section = text.split("À confirmer (lectures des règles non vérifiées) :", 1)[1]
    line = next(x for x in section.splitlines() if RESERVATION in x)
    assert "à confirmer : lecture du guichet de « sans préjudice des articles L. 2113-12 à L. 2113-16 »" in line
    data = json.loads(cli("analyse", "GRCS-2026-ZV01", "--format", "json", repo=repo).stdout)
    entry = next(u for u in data["a_confirmer"] if u["regle"] == RESERVATION)
    assert "réservation" in entry["sujet"] and entry["motif"].startswith("lecture du guichet")
    md = cli("analyse", "GRCS-2026-ZV01", "--format", "md", repo=repo).stdout
    assert "## À confirmer" in md and f"(`{RESERVATION}`)" in md and "*à confirmer*" in md


def test_recorded_derogation_ground_is_flagged_with_its_reason(cli, repo):
    case = make_case("GRCS-2026-ZV02", montant_estime_ht=1_200_000, lancement_prevu="2026-10-05")
    case["analyse"] = {"derogation": {"motif": "solution_immediatement_disponible", "justification": "Produit sur étagère."}}
    write_case(repo, case)
    data = json.loads(cli("analyse", "GRCS-2026-ZV02", "--format", "json", repo=repo).stdout)
    entry = next(u for u in data["a_confirmer"] if u["regle"] == MOTIF)
    assert entry["motif"] == "citation du texte de L2112-2-1 non relue sur Légifrance par le guichet"
    assert entry["sujet"].startswith("motif de dérogation : le besoin peut être satisfait")
    text = cli("analyse", "GRCS-2026-ZV02", repo=repo).stdout
    assert f"[{MOTIF}]" in text.split("À confirmer", 1)[1]


def test_the_flag_is_data_a_confirmed_reading_disappears(cli, repo):
    _textile(repo)
    assert RESERVATION in cli("analyse", "GRCS-2026-ZV01", repo=repo).stdout.split("À confirmer", 1)[1]
    path = repo / "rules" / "obligation_sociale.yaml"
    doc = yamlio.load_roundtrip(path)
    doc.data["reservation_conforme"]["a_confirmer"] = False
    yamlio.dump_roundtrip(doc)
    data = json.loads(cli("analyse", "GRCS-2026-ZV01", "--format", "json", repo=repo).stdout)
    assert all(u["regle"] != RESERVATION for u in data["a_confirmer"])


def test_lookup_follows_the_rules_tree(ws):
    from guichet_cli.core.facts import unverified

    # SSSS : le seuil (directives) est vérifié, la liste des CPV ne l'est pas
    assert unverified.lookup(ws, "rules/seuils.yaml#services_sociaux_specifiques.seuils.etat") is None
    cpv = unverified.lookup(ws, "rules/seuils.yaml#services_sociaux_specifiques.cpv")
    assert cpv is not None and "Légifrance" in cpv.motif
    # valeur d'un groupe à confirmer : sa propre source ; marqueur <clé>_a_confirmer du parent
    forte = unverified.lookup(ws, "rules/calibrage.yaml#pertinence.part_main_oeuvre_forte")
    assert forte is not None and forte.regle.endswith("pertinence.part_main_oeuvre_forte") and "5351" in forte.motif
    value = unverified.lookup(ws, "rules/obligation_sociale.yaml#valeur_du_besoin")
    assert value is not None and value.motif.startswith("lecture du guichet")
    # un enfant confirmé (a_confirmer: false) l'emporte ; un fichier ou une clé inconnus ne lèvent rien
    assert unverified.lookup(ws, "rules/secteurs.yaml#45") is None
    assert unverified.lookup(ws, "rules/inconnu.yaml#x") is None and unverified.lookup(ws, "partners/grafie.yaml#dispositions") is None


def test_flagged_fields_of_a_retained_disposition_are_listed(cli, repo):
    # E8F3 : lot 3 en marché d'insertion (R2123-1 3°) : base légale et valeur DECP marquées à confirmer
    data = json.loads(cli("analyse", "GRCS-2026-E8F3", "--format", "json", repo=repo).stdout)
    by_ref = {u["regle"]: u for u in data["a_confirmer"]}
    assert "le numéro 3° n'est pas confirmé" in by_ref["rules/dispositions.yaml#marche_insertion.base_legale"]["motif"]
    assert by_ref["rules/dispositions.yaml#marche_insertion.decp"]["sujet"].startswith("lot n° 3")
    assert "rules/calibrage.yaml#cout_horaire.defaut" in by_ref  # coût horaire par défaut, à confirmer


def test_mixed_contract_without_lots_is_flagged(cli, repo):
    # 9KXA : gardiennage (SSSS) + autre service, sans lots : le CPV principal décide (lecture à confirmer)
    data = json.loads(cli("analyse", "GRCS-2025-9KXA", "--format", "json", repo=repo).stdout)
    entry = next(u for u in data["a_confirmer"] if u["regle"].endswith("marche_mixte.sans_repartition"))
    assert entry["sujet"].startswith("marché mixte (R2123-2)") and "CPV principal" in entry["motif"]
    assert any(u["regle"] == "rules/seuils.yaml#services_sociaux_specifiques.cpv" for u in data["a_confirmer"])
