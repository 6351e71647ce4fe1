"""`analyse --write`, `route --write`, `--eml` et le contrôle L2112-2-1 de `guichet validate`, sur de vrais dépôts."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from analysis_helpers import make_case, write_case
from conftest import git

from guichet_cli.core import yamlio

COMMENTED = """\
# yaml-language-server: $schema=../../schemas/demande.schema.json
# En-tête écrit à la main : doit rester intact.
id: GRCS-2026-ZZ02
statut: en_analyse
recue_le: "2026-06-01"    # reçue par courriel
donneur_ordre: "21930066200018"
demandeur: contact-0007
marche:
  # bloc du marché, commenté par l'agent
  objet: Travaux de réhabilitation d'un groupe scolaire
  nature: travaux
  cpv: ["45000000"]
  montant_estime_ht: 1000000   # estimation de la maîtrise d'œuvre
  duree_mois: 12
  forme: marche_ordinaire
  lancement_prevu: "2026-06-15"
  lieux_execution:
    - departement: "93"
notes: "Note finale conservée."   # commentaire de fin
"""


def _commented_case(repo: Path) -> Path:
    path = repo / "cases" / "2026" / "GRCS-2026-ZZ02.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    return path


def test_analyse_write_keeps_comments_and_commits(cli, git_repo):
    path = _commented_case(git_repo)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "ajout")
    res = cli("analyse", "GRCS-2026-ZZ02", "--write", repo=git_repo)
    assert "833 h" in res.stdout and "Commit " in res.stdout
    text = path.read_text(encoding="utf-8")
    before, after = COMMENTED.split("notes:")
    assert text.startswith(before)  # tout ce qui précède le bloc ajouté est identique octet pour octet
    assert text.endswith('notes: "Note finale conservée."   # commentaire de fin\n')
    data = yamlio.load_fast(path)
    recs = data["analyse"]["recommandation"]
    assert recs[0]["disposition"] == "clause_insertion" and recs[0]["regle"] == "rules/secteurs.yaml#45"
    assert data["analyse"]["calibrage"]["heures"] == 833
    log = git(git_repo, "log", "-1", "--format=%s%n%b")
    assert "GRCS-2026-ZZ02 : analyse enregistrée" in log and "Guichet-Action: analyse" in log
    # deuxième passage : rien ne change, pas de commit vide
    count = git(git_repo, "rev-list", "--count", "HEAD")
    res = cli("analyse", "GRCS-2026-ZZ02", "--write", repo=git_repo)
    assert "déjà à jour" in res.stdout
    assert git(git_repo, "rev-list", "--count", "HEAD") == count
    cli("validate", str(path), repo=git_repo)


def test_analyse_write_outside_git_just_writes(cli, repo):
    path = _commented_case(repo)
    res = cli("analyse", str(path), "--write", repo=repo)
    assert "Analyse enregistrée" in res.stdout and "Commit" not in res.stdout
    assert "recommandation" in path.read_text(encoding="utf-8")


def test_analyse_of_invalid_case_writes_nothing(cli, repo):
    case = make_case("GRCS-2026-ZZ03")
    case["marche"]["duree_mois"] = 0  # invalide (schéma)
    path = write_case(repo, case)
    before = path.read_bytes()
    res = cli("analyse", "GRCS-2026-ZZ03", "--write", repo=repo, code=1)
    assert "n'est pas valide" in res.stderr
    assert path.read_bytes() == before


def test_route_multi_department_with_lead_and_codeowners(cli, git_repo):
    # donneur d'ordre du 93 ; marché sur 75 (60 %) et 93 (40 %) : le 93 est chef de file
    case = make_case("GRCS-2026-ZZ04", lieux_execution=[{"departement": "75", "part": 0.6}, {"departement": "93", "part": 0.4}])
    write_case(git_repo, case)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "ajout")
    res = cli("route", "GRCS-2026-ZZ04", "--write", repo=git_repo)
    assert "Cheffe de file" in res.stdout and "[partners/coordination-75.yaml#departements]" in res.stdout
    data = yamlio.load_fast(git_repo / "cases" / "2026" / "GRCS-2026-ZZ04.yaml")
    r = data["routage"]
    assert r["coordinations"] == ["coordination-75", "coordination-93"]
    assert r["chef_de_file"] == "coordination-93"
    assert "grafie" in r["reseaux"] and "urtie" in r["reseaux"] and "reseau-iae-93" in r["reseaux"]
    assert all(m["regle"].startswith("partners/") for m in r["motifs"])
    assert len(r["facilitateurs"]) == 2
    changed = git(git_repo, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["CODEOWNERS", "cases/2026/GRCS-2026-ZZ04.yaml"]
    assert "@guichet-idf/coordination-93" in (git_repo / "CODEOWNERS").read_text(encoding="utf-8")


def test_route_lead_is_largest_share_when_buyer_elsewhere(cli, repo):
    case = make_case("GRCS-2026-ZZ05", lieux_execution=[{"departement": "77", "part": 0.3}, {"departement": "91", "part": 0.7}])
    write_case(repo, case)
    res = cli("route", "GRCS-2026-ZZ05", repo=repo)
    assert "Cheffe de file : Inclusiv'Essonne (coordination-91)" in res.stdout or "(coordination-91)" in res.stdout.split("Cheffe de file")[1].splitlines()[0]
    assert "plus grande part" in res.stdout


def test_route_eml_files_are_standard_and_deterministic(cli, repo, tmp_path):
    write_case(repo, make_case("GRCS-2026-ZZ06", cpv=["85312000"], duree_mois=24))
    out1, out2 = tmp_path / "a", tmp_path / "b"
    cli("route", "GRCS-2026-ZZ06", "--eml", str(out1), repo=repo)
    cli("route", "GRCS-2026-ZZ06", "--eml", str(out2), repo=repo)
    names = sorted(p.name for p in out1.iterdir())
    assert names == ["GRCS-2026-ZZ06-coordinations.eml", "GRCS-2026-ZZ06-reseaux-partenaires.eml"]
    for name in names:
        raw = (out1 / name).read_bytes()
        assert raw == (out2 / name).read_bytes()
        msg = email.message_from_string(raw.decode("utf-8"), policy=email.policy.default)
        assert msg["Subject"].startswith("[GRCS-2026-ZZ06] Mise en relation")
        assert str(msg["Message-ID"]).strip().startswith("<GRCS-2026-ZZ06.")
        body = msg.get_content()
        assert "Bonjour" in body and "GRCS-2026-ZZ06" in body
        assert "contact-0007" not in body  # pas de données du demandeur
    partners = email.message_from_string((out1 / names[1]).read_text(encoding="utf-8"), policy=email.policy.default)
    assert "CRESS" in partners["To"]


def test_route_all_and_usage_errors(cli, repo):
    res = cli("route", "--all", repo=repo)
    assert "GRCS-2026-7F3K" in res.stdout
    cli("route", repo=repo, code=2)
    cli("route", "--all", "--write", repo=repo, code=2)


def test_validate_flags_none_above_threshold_after_date(cli, repo):
    case = make_case("GRCS-2026-ZZ07", montant_estime_ht=400_000, lancement_prevu="2026-08-22")
    case["analyse"] = {"recommandation": [{"disposition": "aucune", "base_legale": "—", "justification": "aucune"}]}
    write_case(repo, case)
    res = cli("validate", str(repo / "cases/2026/GRCS-2026-ZZ07.yaml"), repo=repo, code=1)
    assert "aucune considération sociale" in res.stdout + res.stderr
    # la veille de la date d'application : pas de constat
    case["marche"]["lancement_prevu"] = "2026-08-21"
    write_case(repo, case)
    cli("validate", str(repo / "cases/2026/GRCS-2026-ZZ07.yaml"), repo=repo, code=0)
    # avec une dérogation enregistrée : pas de constat
    case["marche"]["lancement_prevu"] = "2026-09-01"
    case["analyse"]["derogation"] = {"motif": "restriction_concurrence_ou_difficulte_execution", "justification": "marché de niche"}
    write_case(repo, case)
    cli("validate", str(repo / "cases/2026/GRCS-2026-ZZ07.yaml"), repo=repo, code=0)


def test_validate_keeps_obligation_finding_when_reason_is_not_statutory(cli, repo):
    # « durée d'exécution courte » n'est pas un motif de L2112-2-1 : le constat d'obligation demeure.
    case = make_case("GRCS-2026-ZZ09", montant_estime_ht=400_000, lancement_prevu="2026-09-01")
    case["analyse"] = {"recommandation": [{"disposition": "aucune", "base_legale": "—", "justification": "aucune"}],
                       "derogation": {"motif": "duree_execution_courte", "justification": "travaux de 4 mois"}}
    write_case(repo, case)
    res = cli("validate", str(repo / "cases/2026/GRCS-2026-ZZ09.yaml"), repo=repo, code=1)
    out = res.stdout + res.stderr
    assert "« aucune considération sociale » interdite sans dérogation" in out
    assert "motif de dérogation « duree_execution_courte » inconnu" in out


def test_validate_flags_unknown_derogation_reason(cli, repo):
    case = make_case("GRCS-2026-ZZ08")
    case["analyse"] = {"derogation": {"motif": "absence_lien_obj", "justification": "x"}}
    write_case(repo, case)
    res = cli("validate", str(repo / "cases/2026/GRCS-2026-ZZ08.yaml"), repo=repo, code=1)
    assert "absence_lien_objet" in res.stdout + res.stderr


def test_rules_files_are_validated(cli, repo):
    cli("validate", str(repo / "rules"), repo=repo)
    path = repo / "rules" / "seuils.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("travaux: 5404000", "travaux: cinq"), encoding="utf-8")
    cli("validate", str(path), repo=repo, code=1)


def test_transmitted_recommendation_is_not_rewritten_without_force(cli, repo):
    case = make_case("GRCS-2026-ZZ09", cpv=["45000000"], nature="travaux", montant_estime_ht=1_000_000)
    case["statut"] = "recommandation_transmise"
    case["analyse"] = {"recommandation": [{"disposition": "critere_social", "base_legale": "R2152-7", "justification": "choix du guichet"}],
                       "transmise_le": "2026-07-01"}
    path = write_case(repo, case)
    before = path.read_bytes()
    res = cli("analyse", "GRCS-2026-ZZ09", "--write", repo=repo, code=2)
    assert "déjà été transmise" in res.stderr and path.read_bytes() == before
    cli("analyse", "GRCS-2026-ZZ09", repo=repo)  # lecture seule : permis
    # --force : la nouvelle clause exigerait un calibrage validé par un facilitateur à ce statut → refus, rien d'écrit
    res = cli("analyse", "GRCS-2026-ZZ09", "--write", "--force", repo=repo, code=1)
    assert "valide_par" in res.stderr and path.read_bytes() == before
    case["statut"] = "en_analyse"
    write_case(repo, case)
    cli("analyse", "GRCS-2026-ZZ09", "--write", "--force", repo=repo)
    assert yamlio.load_fast(path)["analyse"]["recommandation"][0]["disposition"] == "clause_insertion"


def test_validate_flags_criterion_or_variant_alone_above_threshold(cli, repo):
    """L2112-2-1 impose une condition d'exécution : un critère ou une variante seuls ne suffisent pas."""
    case = make_case("GRCS-2026-ZZ09", montant_estime_ht=400_000, lancement_prevu="2026-08-22")
    case["analyse"] = {"recommandation": [
        {"disposition": "critere_social", "base_legale": "R2152-7", "justification": "critère seul"},
        {"disposition": "variante_sociale", "base_legale": "R2151-8", "justification": "variante"}]}
    path = write_case(repo, case)
    res = cli("validate", str(path), repo=repo, code=1)
    assert "aucune condition d'exécution sociale ni réservation parmi critere_social, variante_sociale" in res.stdout
    assert "obligation_sociale.yaml#familles_conformes" in res.stdout
    # avec une clause en plus : conforme ; la veille de la date d'application : pas de constat
    case["analyse"]["recommandation"].append({"disposition": "clause_insertion", "base_legale": "L2112-2", "justification": "clause"})
    write_case(repo, case)
    cli("validate", str(path), repo=repo, code=0)
    case["analyse"]["recommandation"].pop()
    case["marche"]["lancement_prevu"] = "2026-08-21"
    write_case(repo, case)
    cli("validate", str(path), repo=repo, code=0)


def test_validate_flags_decision_keeping_only_a_criterion(cli, repo):
    case = make_case("GRCS-2026-ZZ10", montant_estime_ht=400_000, lancement_prevu="2026-09-01")
    case["decision"] = {"suite": "partiellement_suivie", "date": "2026-07-01", "dispositions_retenues": ["critere_social"],
                        "motif": "clause jugée trop contraignante"}
    path = write_case(repo, case)
    res = cli("validate", str(path), repo=repo, code=1)
    assert "dispositions_retenues" in res.stdout and "parmi critere_social" in res.stdout
