"""Acheteur privé (type_acheteur « prive » du registre donneurs/) : hors code de la commande publique.

Ni l'analyse (texte, JSON, Markdown), ni la validation, ni les projets de rédaction et la lettre ne
lui présentent un article du code comme une obligation : les dispositions sont volontaires, avec la
formulation de rules/dispositions.yaml#cadre_volontaire. Le même dossier chez un acheteur public
garde l'obligation (témoin)."""

from __future__ import annotations

import json

from analysis_helpers import BUYER_93, make_case, write_case
from render_helpers import docx_text

from guichet_cli.core import yamlio

PRIVATE = "84291077000101"  # donneurs/84291077000101.yaml : type_acheteur prive


def _plain(text: str) -> str:
    """Espaces insécables (typographie française du rendu) → espaces ordinaires."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _case(case_id: str, buyer: str, **extra) -> dict:
    # 1,2 M€ de nettoyage lancé en octobre 2026 : au-dessus du seuil pour un acheteur public
    marche = {"cpv": ["90911200"], "montant_estime_ht": 1_200_000, "duree_mois": 24, "lancement_prevu": "2026-10-05", **extra}
    case = make_case(case_id, **marche)
    case["donneur_ordre"] = buyer
    case["demandeur"] = "contact-0014" if buyer == PRIVATE else case["demandeur"]
    return case


def test_registry_private_buyer_gets_no_obligation_finding_but_a_public_one_does(cli, repo):
    for case_id, buyer in (("GRCS-2026-ZP01", PRIVATE), ("GRCS-2026-ZP02", BUYER_93)):
        case = _case(case_id, buyer)
        case["analyse"] = {"recommandation": [{"disposition": "aucune", "base_legale": "—", "justification": "Pas de clause."}]}
        write_case(repo, case)
    private = cli("validate", str(repo / "cases/2026/GRCS-2026-ZP01.yaml"), repo=repo, code=0).stdout
    assert "L2112-2-1" not in private and "aucun problème" in private
    public = cli("validate", str(repo / "cases/2026/GRCS-2026-ZP02.yaml"), repo=repo, code=1).stdout
    assert "L2112-2-1" in public and "condition d'exécution sociale obligatoire" in public


def test_private_buyer_is_not_held_to_the_ess_reservation_conditions(cli, repo):
    # Réservation ESS de 48 mois par un acheteur privé : le code (L2113-15, 36 mois, pouvoirs adjudicateurs)
    # ne lui est pas opposé ; chez l'acheteur public, les deux constats demeurent.
    for case_id, buyer in (("GRCS-2026-ZP03", PRIVATE), ("GRCS-2026-ZP04", BUYER_93)):
        case = _case(case_id, buyer, cpv=["85312000"], montant_estime_ht=200_000, duree_mois=48)
        case["analyse"] = {"recommandation": [{"disposition": "reserve_ess", "base_legale": "L2113-15", "justification": "ESS."}]}
        write_case(repo, case)
    cli("validate", str(repo / "cases/2026/GRCS-2026-ZP03.yaml"), repo=repo, code=0)
    public = cli("validate", str(repo / "cases/2026/GRCS-2026-ZP04.yaml"), repo=repo, code=1).stdout
    assert "au-delà du maximum de 36 mois" in public


def test_analyse_presents_dispositions_as_voluntary_in_text_json_and_md(cli, repo):
    write_case(repo, _case("GRCS-2026-ZP05", PRIVATE))
    text = cli("analyse", "GRCS-2026-ZP05", repo=repo).stdout
    assert "Cadre : démarche volontaire" in text and "[rules/dispositions.yaml#cadre_volontaire]" in text
    assert "(démarche volontaire, sur le modèle de L2112-2)" in text
    assert "condition d'exécution sociale obligatoire" not in text
    assert "clause d'insertion (condition d'exécution) — démarche volontaire, sur le modèle de L2112-2" in text
    data = json.loads(cli("analyse", "GRCS-2026-ZP05", "--format", "json", repo=repo).stdout)
    assert data["cadre"]["volontaire"] is True and data["obligation"]["applicable"] is False
    assert data["recommandation"][0]["base_legale_texte"] == "démarche volontaire, sur le modèle de L2112-2"
    assert all(d["base_legale_texte"].startswith("démarche volontaire") for u in data["unites"] for d in u["dispositions"]
               if d["base_legale"] not in ("", "—"))
    md = cli("analyse", "GRCS-2026-ZP05", "--format", "md", repo=repo).stdout
    assert md.startswith("# Dossier GRCS-2026-ZP05") and "**Cadre** : démarche volontaire" in md
    # témoin public : aucun cadre volontaire, l'obligation est dite
    write_case(repo, _case("GRCS-2026-ZP06", BUYER_93))
    public = cli("analyse", "GRCS-2026-ZP06", repo=repo).stdout
    assert "démarche volontaire" not in public and "condition d'exécution sociale obligatoire" in public
    assert json.loads(cli("analyse", "GRCS-2026-ZP06", "-f", "json", repo=repo).stdout)["cadre"]["volontaire"] is False


def test_drafts_and_cover_letter_use_the_voluntary_wording(cli, repo, tmp_path):
    rules = yamlio.load_fast(repo / "rules" / "dispositions.yaml")
    for case_id, buyer in (("GRCS-2026-ZP07", PRIVATE), ("GRCS-2026-ZP08", BUYER_93)):
        write_case(repo, _case(case_id, buyer))
        cli("analyse", case_id, "--write", "--no-commit", repo=repo)
        cli("render", case_id, "--out", str(tmp_path / case_id), repo=repo)
    private = {p.name.split("_", 1)[1].rsplit("_", 1)[0]: _plain(docx_text(p.read_bytes())) for p in (tmp_path / "GRCS-2026-ZP07").glob("*.docx")}
    public = {p.name.split("_", 1)[1].rsplit("_", 1)[0]: _plain(docx_text(p.read_bytes())) for p in (tmp_path / "GRCS-2026-ZP08").glob("*.docx")}
    assert set(private) == set(public) == {"clause_insertion", "critere_social", "lettre_accompagnement"}
    for code in ("clause_insertion", "critere_social"):
        wording = {k: _plain(v) for k, v in rules["dispositions"][code]["fondement"].items()}
        assert wording["volontaire"] in private[code] and wording["public"] not in private[code]
        assert wording["public"] in public[code]
        assert "repris à titre volontaire" in private[code] and "repris à titre volontaire" not in public[code]
    assert "L2112-2-1" not in private["clause_insertion"] and "En application" not in private["clause_insertion"]
    assert "L2112-2-1" in public["clause_insertion"]
    letter = private["lettre_accompagnement"]
    assert _plain(rules["cadre_volontaire"]["lettre"]) in letter and "à titre volontaire, sur le modèle de l’article L2112-2" in letter
    assert "sur le fondement de" not in letter
    assert "sur le fondement de l’article L2112-2" in public["lettre_accompagnement"]
    assert _plain(rules["cadre_volontaire"]["lettre"]) not in public["lettre_accompagnement"]
