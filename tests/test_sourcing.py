"""Sourcing qualifié : registre structures/, rapprochement expliqué, avis par lot, dépendance,
enregistrement dans le dossier, demandes .eml, crochets de l'analyse, de `due` et du bilan."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import json
from pathlib import Path

import pytest

from guichet_cli.core.model.case import Case
from guichet_cli.core.workspace import open_workspace
from tests.analysis_helpers import make_case
from tests.conftest import PROJECT, SHARED_REFERENCE, copy_repo, git, init_git

KINDS = {"EI", "AI", "ACI", "ETTI", "EITI", "GEIQ", "EA", "EATT", "ESAT"}
IDF = {"75", "77", "78", "91", "92", "93", "94", "95"}


def _case(ws, data: dict) -> Case:
    return Case.from_data(ws.root / "cases" / "2026" / f"{data['id']}.yaml", data)


def _source(ws, data: dict):
    from guichet_cli.core.sourcing.advice import source_market

    case = _case(ws, data)
    return source_market(ws, case.marche, case.id)


def _by_name(ws, name: str):
    return next(s for s in ws.store.structures if s.nom.startswith(name))


def _names(matches, *, full: bool | None = None) -> set[str]:
    return {m.structure.nom.removesuffix(" (fictive)") for m in matches if full is None or m.full == full}


# --- registre d'exemple ----------------------------------------------------------------------------


def test_sample_registry_covers_every_kind_departement_and_sample_sector(ws):
    from guichet_cli.core.facts.sectors import sector_for
    from guichet_cli.core.sourcing.need import needs_of

    structures = list(ws.store.structures)
    assert len(structures) >= 60
    assert {s.type for s in structures} == KINDS
    assert {s.departement for s in structures} == IDF
    assert all(s.fictif and "fictive" in s.nom for s in structures)
    with (SHARED_REFERENCE / "cog" / "communes_idf.csv").open(encoding="utf-8") as fh:
        communes = {row["code"] for row in csv.DictReader(fh)}
    assert {s.commune for s in structures} <= communes  # vraies communes du COG 2026
    offered = {sector_for(ws, c).key for s in structures for a in s.activites for c in a.cpv}
    wanted = {k for case in ws.store.cases() for need in needs_of(ws, case.marche) for k in need.sectors}
    assert wanted <= offered, wanted - offered
    for s in structures:
        for name, fig in s.figures.items():
            assert fig.date and fig.source, (s.siret, name)  # date et source de chaque chiffre


def test_validate_checks_structure_files(repo, cli):
    path = sorted((repo / "structures").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    siret = path.stem
    bad = text.replace(f'siret: "{siret}"', 'siret: "12345678901234"').replace("reseaux: [", "reseaux: [grafy, ")
    bad = bad.replace('    date: "2025-12-31"\n', "", 1)
    path.write_text(bad, encoding="utf-8")
    result = cli("validate", str(repo / "structures"), repo=repo, code=1)
    out = result.output
    assert "$.chiffres.salaries_insertion: champ obligatoire « date » manquant" in out  # chiffre sans date : refusé par le schéma
    path.write_text(text.replace(f'siret: "{siret}"', 'siret: "12345678901234"').replace("reseaux: [", "reseaux: [grafy, "), encoding="utf-8")
    out = cli("validate", str(repo / "structures"), repo=repo, code=1).output
    assert "SIRET invalide" in out and "doit être le SIRET" in out and "réseau « grafy » introuvable" in out
    assert f"structures/{path.name}:3:" in out  # ligne du champ siret


# --- rapprochement --------------------------------------------------------------------------------


def test_multi_lot_multi_departement_market_finds_the_right_structures(ws):
    data = make_case(nature="travaux", cpv=["45233140"], montant_estime_ht=1_200_000, duree_mois=24,
                     lieux_execution=[{"departement": "91"}, {"departement": "94"}],
                     lots=[{"numero": 1, "intitule": "Voirie", "cpv": ["45233140"], "montant_estime_ht": 900_000},
                           {"numero": 2, "intitule": "Espaces verts", "cpv": ["77310000"], "montant_estime_ht": 300_000}])
    so = _source(ws, data)
    lot1, lot2 = so.lot(1), so.lot(2)
    assert _names(lot1.matches, full=True) == {"Voirie Solidaire Essonne", "Travaux Publics Solidaires 94", "ETTI Essonne Travaux",
                                                "ETTI Val-de-Marne", "Handi Intérim Ouest", "Interim Handi Paris"}
    # couvre 94 mais pas 91 : gardée, signalée comme partielle, jamais comptée pour réserver
    assert {"ETTI Paris Bâtiment", "GEIQ BTP Seine-et-Marne"} <= _names(lot1.matches, full=False)
    assert "Routes et Réseaux 78" not in _names(lot1.matches)  # 78, 95, 92 seulement
    voirie = next(m for m in lot1.matches if m.structure.nom.startswith("Voirie Solidaire"))
    assert voirie.activity.libelle.startswith("Voirie")
    assert "45233140" in voirie.sector_text and "département 91" in voirie.perimeter_text and "département 94" in voirie.perimeter_text
    partial = next(m for m in lot1.matches if m.structure.nom.startswith("ETTI Paris"))
    assert "ne couvre pas : 91" in partial.perimeter_text
    assert _names(lot2.matches, full=True) == {"ETTI Val-de-Marne", "Handi Intérim Ouest", "Interim Handi Paris"}
    assert lot1.counts()["ETTI"] == 3 and lot1.counts()["EI"] == 2
    assert lot1.advice == "clause" and lot2.advice == "clause"


def test_radius_is_approximated_by_the_departement_and_said_so(ws):
    so = _source(ws, make_case(cpv=["90911200"], lieux_execution=[{"departement": "93", "commune": "93066"}]))
    m = next(x for x in so.lots[0].matches if x.structure.nom.startswith("Net'Avenir"))
    assert m.activity.perimetre.type == "rayon"
    assert "approché par le département 93" in m.perimeter_text and "COG" in m.perimeter_text


def _cleaning_93(ws):
    return _source(ws, make_case(cpv=["90911200"], montant_estime_ht=300_000, duree_mois=12))


def test_advice_changes_when_structures_are_removed(tmp_path):
    repo = copy_repo(tmp_path / "depot")
    ws = open_workspace(repo)
    first = _cleaning_93(ws).lots[0]
    assert first.advice == "reservation" and first.reservable["reserve_ea_esat"] == 3
    assert "rules/sourcing.yaml#avis.reservation_min_structures" in first.text
    _by_name(ws, "Handi-Net Paris").path.unlink()
    second = _cleaning_93(open_workspace(repo)).lots[0]
    # 2 EA/ESAT : plus assez pour un marché réservé aux seules EA/ESAT ; la réservation conjointe
    # EA + SIAE (3 structures) reste possible
    assert second.reservable["reserve_ea_esat"] == 2 and second.reservable["reserve_ea_siae"] == 3
    assert second.advice == "reservation"
    for m in second.matches:
        m.structure.path.unlink()
    third = _cleaning_93(open_workspace(repo)).lots[0]
    assert third.advice == "aucune" and third.matches == []
    assert set(third.networks) == {"grafie", "reseau-iae-93", "unea", "cress"}
    assert "GRAFIE" in third.text and "UNEA" in third.text


def test_advice_changes_when_a_range_shrinks(tmp_path):
    repo = copy_repo(tmp_path / "depot")
    ws = open_workspace(repo)
    path = _by_name(ws, "EA Créteil Services").path
    text = path.read_text(encoding="utf-8")
    assert 'departements: ["94", "93", "77"]' in text
    path.write_text(text.replace('departements: ["94", "93", "77"]', 'departements: ["94", "77"]'), encoding="utf-8")
    lot = _cleaning_93(open_workspace(repo)).lots[0]
    assert "EA Créteil Services" not in _names(lot.matches)
    assert lot.reservable["reserve_ea_esat"] == 2  # l'EA de Créteil ne couvre plus le 93


def test_economic_dependency_is_flagged_against_the_rules_threshold(tmp_path):
    repo = copy_repo(tmp_path / "depot")
    ws = open_workspace(repo)
    lot = _cleaning_93(ws).lots[0]
    esat = next(m for m in lot.matches if m.structure.nom.startswith("ESAT Les Ateliers"))
    assert esat.dependency == pytest.approx(300_000 / 950_000) and esat.dependent  # 31,6 % > 30 %
    assert esat not in lot.capable
    from guichet_cli.core.sourcing.advice import dependency_text
    assert "DÉPENDANCE ÉCONOMIQUE" in dependency_text(ws, esat) and "30 %" in dependency_text(ws, esat)
    rules = repo / "rules" / "sourcing.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("  seuil: 0.3\n", "  seuil: 0.35\n"), encoding="utf-8")
    lot = _cleaning_93(open_workspace(repo)).lots[0]
    esat = next(m for m in lot.matches if m.structure.nom.startswith("ESAT Les Ateliers"))
    assert not esat.dependent and lot.reservable["reserve_ea_esat"] == 4


def test_inactive_structures_are_never_proposed(tmp_path):
    repo = copy_repo(tmp_path / "depot")
    path = _by_name(open_workspace(repo), "Adaptplus").path
    path.write_text(path.read_text(encoding="utf-8").replace("en_activite: true", "en_activite: false"), encoding="utf-8")
    assert "Adaptplus Services" not in _names(_cleaning_93(open_workspace(repo)).lots[0].matches)


# --- commande, enregistrement, .eml, réponses, due, bilan ----------------------------------------


def test_sourcing_command_output_cites_rules_and_reasons(shared_repo, cli):
    out = cli("sourcing", "GRCS-2026-7F3K", repo=shared_repo).output
    assert "== Lot 1 – Bâtiments administratifs ==" in out and "== Lot 2 – Écoles ==" in out
    assert "Structures trouvées : ACI 1, AI 1, EA 3" in out
    assert "activité « Nettoyage de locaux et de bureaux »" in out and "périmètre : département 93 dans la liste" in out
    assert "rules/sourcing.yaml#avis.reservation_min_structures" in out and "rules/sourcing.yaml#dependance_economique" in out
    assert "--- Demande de sourcing (non envoyée) : demande de sourcing : GRAFIE ---" in out


def test_write_records_consultations_then_answers_and_due_and_report(tmp_path, cli):
    repo = init_git(copy_repo(tmp_path / "depot"))
    out = cli("sourcing", "GRCS-2026-7F3K", "--write", "--eml", str(tmp_path / "eml"), repo=repo).output
    assert "Sourcing enregistré dans cases/2026/GRCS-2026-7F3K.yaml" in out
    body = git(repo, "log", "-1", "--format=%B")
    assert "Guichet-Dossier: GRCS-2026-7F3K" in body and "Guichet-Action: sourcing" in body
    emls = sorted(p.name for p in (tmp_path / "eml").glob("*.eml"))
    assert emls == [f"GRCS-2026-7F3K-sourcing-{p}.eml" for p in ("cress", "grafie", "reseau-iae-93", "unea")]
    msg = email.message_from_bytes((tmp_path / "eml" / "GRCS-2026-7F3K-sourcing-unea.eml").read_bytes(), policy=email.policy.default)
    assert msg["X-Unsent"] == "1" and "[GRCS-2026-7F3K] Demande de sourcing" in msg["Subject"]
    text = msg.get_content()
    assert "Adaptplus Services" in text and "Lot 2 – Écoles" in text
    case = open_workspace(repo).store.case("GRCS-2026-7F3K")
    today = dt.date.today()
    assert [c.reseau for c in case.sourcing.consultations] == ["grafie", "reseau-iae-93", "cress", "unea"]
    assert all(c.envoyee_le == today and c.reponse is None for c in case.sourcing.consultations)
    unea = case.sourcing.consultations[3]
    assert _by_name(open_workspace(repo), "Adaptplus").siret in unea.structures
    # relancer le même jour ne change rien
    assert "Dossier déjà à jour" in cli("sourcing", "GRCS-2026-7F3K", "--write", repo=repo).output
    # réponses : un réseau, une structure ; une réponse inconnue est refusée sans rien écrire
    adapt = _by_name(open_workspace(repo), "Adaptplus").siret
    cli("sourcing", "GRCS-2026-7F3K", "--answer", "grafie=pas_interessee", "--answer", f"{adapt}=interessee", repo=repo)
    bad = cli("sourcing", "GRCS-2026-7F3K", "--answer", "urtie=interessee", repo=repo, code=2)
    assert "« urtie » n'a pas été consulté" in bad.output
    case = open_workspace(repo).store.case("GRCS-2026-7F3K")
    assert case.sourcing.consultations[0].reponse == "pas_interessee" and case.sourcing.interested == (adapt,)
    cli("validate", repo=repo)
    # due : les réseaux sans réponse après le délai des règles (15 jours), pas celui qui a répondu
    from guichet_cli.core.due import compute_due
    later = compute_due(open_workspace(repo), on=today + dt.timedelta(days=20), use_history=False)
    waiting = {i.actor_id for i in later.items if i.case_id == "GRCS-2026-7F3K" and "sourcing" in i.waiting_for}
    assert waiting == {"reseau-iae-93", "cress", "unea"}
    # ce qu'une personne lit : le délai et la date d'envoi en clair, ni chemin de règle ni chemin de champ
    item = next(i for i in later.items if i.actor_id == "unea")
    assert item.waiting_for == "réponse à la demande de sourcing (délai de 15 jours dépassé)"
    assert item.source_label == "date d'envoi de la demande de sourcing au réseau"
    soon = compute_due(open_workspace(repo), on=today + dt.timedelta(days=10), use_history=False)
    assert not [i for i in soon.items if "sourcing" in i.waiting_for]
    # analyse : la recommandation cite l'offre et les réponses
    an_out = cli("analyse", "GRCS-2026-7F3K", repo=repo).output
    assert "offre connue du registre structures/" in an_out and "1 structure intéressée" in an_out
    # bilan annuel : le sourcing est compté
    from guichet_cli.core.sourcing.followup import indicators
    ind = indicators(open_workspace(repo).store.cases(), str)
    assert ind["dossiers_sources"] == 1 and ind["consultations"] == 4 and ind["structures_interessees"] == 1
    assert ind["reponses"] == {"attendue": 3, "pas_interessee": 1}
    year = str(case.recue_le.year)
    report = cli("report", "--year", year, "--buyer", case.donneur_ordre, "--format", "json", "--out", str(tmp_path / "b"), repo=repo)
    produced = next((tmp_path / "b").rglob("*.json"))
    assert report.exit_code == 0 and json.loads(produced.read_text(encoding="utf-8"))["indicateurs"]["sourcing"]["consultations"] == 4


# --- crochet de l'analyse -------------------------------------------------------------------------


def _analyse(ws, data: dict):
    from guichet_cli.core.analysis.recommend import analyse_case

    return analyse_case(ws, _case(ws, data), today=dt.date(2026, 6, 1))


def _principal(an):
    return next(o for o in an.units[0].options if o.role == "principale")


def test_reservation_is_not_ranked_first_without_supply(tmp_path):
    repo = copy_repo(tmp_path / "depot")
    green = make_case(cpv=["77310000"], montant_estime_ht=300_000, duree_mois=12)
    ws = open_workspace(repo)
    main = _principal(_analyse(ws, green))
    assert main.disposition == "reserve_siae"  # une structure capable : la réservation reste en tête
    _by_name(ws, "Jardins Solidaires").path.unlink()
    ws = open_workspace(repo)
    an = _analyse(ws, green)
    assert _principal(an).disposition not in ("reserve_siae", "reserve_ea_esat", "reserve_ea_siae")
    siae = next(o for o in an.units[0].options if o.disposition == "reserve_siae")
    assert siae.role == "alternative" and any("aucune structure du registre" in c.text for c in siae.checks)
    assert an.recommendations()[0]["disposition"] != "reserve_siae"


def test_reservation_is_proposed_where_the_registry_knows_enough(tmp_path):
    repo = copy_repo(tmp_path / "depot")
    ws = open_workspace(repo)
    data = make_case(cpv=["90911200"], montant_estime_ht=300_000, duree_mois=12)
    recs = [r["disposition"] for r in _analyse(ws, data).recommendations()]
    assert recs[0] == "clause_insertion" and "reserve_ea_esat" in recs
    _by_name(ws, "Handi-Net Paris").path.unlink()
    recs = [r["disposition"] for r in _analyse(open_workspace(repo), data).recommendations()]
    assert "reserve_ea_esat" not in recs


def test_empty_registry_leaves_the_analysis_alone(tmp_path):
    repo = copy_repo(tmp_path / "depot")
    for p in (repo / "structures").glob("*.yaml"):
        p.unlink()
    an = _analyse(open_workspace(repo), make_case(cpv=["77310000"], montant_estime_ht=300_000, duree_mois=12))
    assert _principal(an).disposition == "reserve_siae"
    assert any("registre des structures vide" in n for n in an.notes)


def test_sourcing_schema_is_referenced_by_one_line():
    text = (PROJECT / "schemas" / "demande.schema.json").read_text(encoding="utf-8")
    assert text.count("sourcing.schema.json") == 1
    assert isinstance(json.loads(text)["properties"]["sourcing"], dict)


def test_no_structures_dir_is_fine(tmp_path, cli):
    repo = copy_repo(tmp_path / "depot")
    for p in (repo / "structures").glob("*.yaml"):
        p.unlink()
    (repo / "structures").rmdir()
    out = cli("sourcing", "GRCS-2026-7F3K", repo=repo).output
    assert "Registre : 0 structures" in out and "aucune structure connue du registre" in out
    assert Path(repo / "cases").is_dir()


def test_validate_checks_the_sourcing_block_of_a_case(repo, cli):
    path = repo / "cases" / "2026" / "GRCS-2026-7F3K.yaml"
    path.write_text(path.read_text(encoding="utf-8") + (
        "sourcing:\n  effectue_le: \"2026-04-20\"\n  consultations:\n"
        "    - reseau: grafy\n      envoyee_le: \"2026-04-20\"\n      lots: [7]\n      structures: [\"12345678901234\"]\n"
        "      reponse: peut-etre\n"), encoding="utf-8")
    out = cli("validate", str(path), repo=repo, code=1).output
    assert "$.sourcing.consultations[0].reponse: valeur inconnue « peut-etre »" in out and "cases/2026/GRCS-2026-7F3K.yaml:64:" in out
    path.write_text(path.read_text(encoding="utf-8").replace("      reponse: peut-etre\n", "      repondu_le: \"2026-04-01\"\n"), encoding="utf-8")
    out = cli("validate", str(path), repo=repo, code=1).output
    assert "réseau « grafy » introuvable dans partners/" in out and "lot 7 absent de marche.lots" in out
    assert "structure 12345678901234 absente du registre structures/" in out and "réponse datée d'avant l'envoi" in out


def test_sourcing_of_an_unknown_case_is_a_usage_error(shared_repo, cli):
    out = cli("sourcing", "GRCS-2026-ZZZZ", repo=shared_repo, code=2).output
    assert "introuvable" in out and "Traceback" not in out


def test_a_contact_may_belong_to_a_structure(repo, cli):
    siret = sorted((repo / "structures").glob("*.yaml"))[0].stem
    (repo / "contacts" / "contact-siae-01.yaml").write_text(
        f"id: contact-siae-01\nfictif: true\nnom: Exemple\norganisation: \"{siret}\"\nbase_legale_rgpd: consentement\n", encoding="utf-8")
    cli("validate", str(repo / "contacts" / "contact-siae-01.yaml"), repo=repo)


def _lot_options(cli, repo, case_id: str, lot: int) -> list[dict]:
    data = json.loads(cli("analyse", case_id, "--format", "json", repo=repo).output)
    return next(u for u in data["unites"] if u["lot"] == lot)["dispositions"]


def test_obligation_checks_follow_the_principal_after_a_reservation_is_demoted(shared_repo, cli):
    # GRCS-2026-E8F3 lot 3 : la réservation SIAE (défaut du secteur) n'a aucune structure capable ; le
    # marché d'insertion devient principal : c'est lui qui porte L2112-2-1, pas la réservation écartée.
    options = _lot_options(cli, shared_repo, "GRCS-2026-E8F3", 3)
    principal = next(d for d in options if d["role"] == "principale")
    siae = next(d for d in options if d["disposition"] == "reserve_siae")
    assert principal["disposition"] != "reserve_siae" and siae["role"] == "alternative"
    assert any(c["texte"].startswith("L2112-2-1 :") for c in principal["controles"])
    for d in options:
        if d is not principal:
            texts = [c["texte"] for c in d["controles"]]
            assert not any(t.startswith("L2112-2-1 :") or "une réservation seule" in t for t in texts), (d["disposition"], texts)
    # le marché d'insertion n'est pas une réservation : pas de lecture « réservation seule »
    assert not any("une réservation seule" in c["texte"] for c in principal["controles"])


def test_each_check_appears_once_per_option_on_every_sample_case(shared_repo, cli):
    # GRCS-2026-E8F3 lot 3 : la réservation SIAE écartée portait deux fois « aucune structure du registre »
    from guichet_cli.core.analysis.recommend import analyse_case

    ws = open_workspace(shared_repo)
    seen = 0
    for case in ws.store.cases():
        for ur in analyse_case(ws, case, today=dt.date(2026, 12, 3)).units:
            for o in ur.options:
                texts = [c.text for c in o.checks]
                assert len(texts) == len(set(texts)), (case.id, ur.unit.label, o.disposition, texts)
                seen += 1
    assert seen > 20
    out = cli("analyse", "GRCS-2026-E8F3", repo=shared_repo).output
    assert out.count("✗ aucune structure du registre (EI, AI, ACI, ETTI, EITI)") == 1
