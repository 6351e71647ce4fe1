"""guichet render sur le modèle typé et le magasin : une lecture par fichier, refus localisé, pièces inchangées."""

from __future__ import annotations

import hashlib
from pathlib import Path

import docx
from render_helpers import docx_text

from guichet_cli.core import frformat as fr
from guichet_cli.core import yamlio

CASE = "GRCS-2026-7F3K"
CASE_FILE = f"cases/2026/{CASE}.yaml"
REGISTRY_DIRS = ("partners", "donneurs", "contacts")

# Texte des pièces de GRCS-2026-7F3K (instantané revu à la main, issue 11 : lettre écrite comme par
# un agent, sans « (nom à confirmer) » ni texte de contrôle) : un changement du modèle ou du
# contexte qui modifie une lettre des documents doit mettre à jour cet instantané, sciemment.
CLAUSE_SHA256 = "e616b7ebf4196e355cc50d15bf000a799db991d82d8efd37f27a91e73275a97b"
LETTER_SHA256 = "d967c86c8aecaf8536f0fdcffeb1ae62dc32fa8d2737312f7cbf2994a85812fe"
LETTER = """\
Guichet Régional des Clauses Sociales d'Île-de-France
Mission d'appui au développement des clauses sociales (MACS) – GIP Maximilien
Courriel : macs@maximilien.fr

Ville de Saint-Denis-sur-Exemple
À l’attention de Mme Hélène Exemple
responsable de la commande publique (fictif)

Le 14 avril 2026

Nos références : dossier GRCS-2026-7F3K (demande reçue le 2 mars 2026)
Objet : recommandation de dispositions sociales pour le marché « Nettoyage des locaux administratifs et des écoles »

Madame,
Vous avez sollicité le guichet le 2 mars 2026 au sujet du marché de services « Nettoyage des locaux administratifs et des écoles », accord-cadre à bons de commande d’une durée de 48 mois et d’un montant estimé de 1 450 000 € HT (un million quatre cent cinquante mille euros hors taxes). Nous vous remercions de cette démarche.
Après analyse de votre projet, nous vous recommandons la disposition suivante.
Pour les lots n° 1 et 2 : clause d’insertion (condition d’exécution), sur le fondement de l’article L2112-2 du code de la commande publique.
Marché de main-d’œuvre (nettoyage), au-dessus du seuil européen et lancé après le 22 août 2026.
Nous proposons de retenir 1 933 heures de travail d’insertion sur la durée du marché, soit environ 483 heures par an (1,21 équivalent temps plein). Ce volume est calculé sur 362 500 € HT (montant annuel estimé), avec un taux d’insertion de 5 %. Il a été validé avec le facilitateur le 10 avril 2026.
Vous trouverez ci-joint un projet de rédaction pour chaque disposition, à intégrer aux pièces de la consultation (cahier des clauses administratives particulières, règlement de la consultation, avis de marché) après relecture par votre service juridique.
Votre interlocuteur pour la mise en œuvre sera M. Hugo Haddad, facilitateur·rice des clauses sociales (fictif) (Conseil départemental de la Seine-Saint-Denis), que vous pouvez joindre à l’adresse hugo.haddad@exemple.invalid ou au 01 00 00 09 93.
La mise en œuvre sur votre territoire est coordonnée par le Conseil départemental de la Seine-Saint-Denis (CD93) ; le Groupement Régional des Acteurs Franciliens de l’Insertion par l’Economique (GRAFIE) peut vous aider à identifier les structures en mesure de répondre.
Nous vous remercions de nous faire connaître la suite que vous donnerez à cette recommandation : elle nourrit le bilan annuel du guichet. Nous restons à votre disposition pour toute précision.
Nous vous prions d’agréer, Madame, l’expression de nos salutations distinguées.

Pour le Guichet Régional des Clauses Sociales d'Île-de-France,
Nom, fonction et signature : ………………………………
Pièces jointes : projets de rédaction des dispositions recommandées."""
CLAUSE_LINES = (
    "Le titulaire réalise au minimum 1 933 heures (mille neuf cent trente-trois heures) de travail d’insertion sur la durée totale "
    "du marché (48 mois), soit environ 483 heures par an.",
    "Ce volume résulte du calcul suivant : 362 500 € HT (montant annuel estimé) × part de main-d’œuvre de 80 % × taux d’insertion "
    "de 5 % ÷ coût horaire chargé de 30 € de l’heure.",
    "M. Hugo Haddad, facilitateur·rice des clauses sociales (fictif), Conseil départemental de la Seine-Saint-Denis (CD93)",
    "une pénalité de 45 € HT par heure d’insertion non réalisée",
)


def _norm(text: str) -> str:
    return text.replace(fr.NBSP, " ").replace("\u202f", " ")


def _counts(repo: Path, *dirs: str) -> dict[str, int]:
    roots = tuple(str(repo / d) + "/" for d in dirs)
    return {p: n for p, n in yamlio.PARSES.items() if p.startswith(roots)}


def _break(repo: Path) -> Path:
    path = repo / CASE_FILE
    text = path.read_text(encoding="utf-8")
    assert "montant_estime_ht: 1450000" in text
    path.write_text(text.replace("montant_estime_ht: 1450000", "montant_estime_ht: beaucoup"), encoding="utf-8")
    return path


def test_render_one_case_parses_the_case_and_each_registry_file_once(cli, repo: Path, tmp_path: Path) -> None:
    yamlio.PARSES.clear()
    cli("render", CASE, "--out", str(tmp_path / "sortie"), repo=repo)
    cases = _counts(repo, "cases")
    assert cases == {str(repo / CASE_FILE): 1}  # le seul dossier rédigé, lu une fois
    registry = _counts(repo, *REGISTRY_DIRS)
    assert len(registry) >= 20 and max(registry.values()) <= 1
    assert max(yamlio.PARSES.values()) <= 1  # règles et réglages compris


def test_render_all_parses_each_case_once(cli, repo: Path, tmp_path: Path) -> None:
    yamlio.PARSES.clear()
    cli("render", "--all", "--out", str(tmp_path / "sortie"), repo=repo)
    cases = _counts(repo, "cases")
    assert len(cases) == len(list((repo / "cases").rglob("*.yaml"))) and max(cases.values()) <= 1
    assert max(_counts(repo, *REGISTRY_DIRS).values()) <= 1


def test_wrongly_typed_field_is_refused_with_file_line_and_field(cli, repo: Path, tmp_path: Path) -> None:
    _break(repo)
    out = tmp_path / "sortie"
    result = cli("render", CASE, "--out", str(out), repo=repo, code=1)
    err = result.stderr
    assert CASE_FILE in err and "n'est pas valide, rédaction refusée" in err
    assert "ligne 14" in err and "marche.montant_estime_ht" in err and "« beaucoup »" in err
    assert "guichet validate" in err
    assert "Erreur interne" not in err
    assert not out.exists()


def test_batch_reports_the_badly_typed_case_and_renders_the_others(cli, repo: Path, tmp_path: Path) -> None:
    _break(repo)
    out = tmp_path / "sortie"
    result = cli("render", "--all", "--year", "2026", "--out", str(out), repo=repo, code=1)
    flat = " ".join(result.stdout.split())  # le tableau replie les longues cellules
    assert "ÉCHEC" in flat and f"{CASE_FILE} n'est pas valide" in flat
    assert "ligne 14" in flat and "marche.montant_estime_ht" in flat and "1 en échec" in flat
    written = {p.name.split("_")[0] for p in out.iterdir()}
    assert CASE not in written and len(written) >= 5


def test_rendered_documents_are_unchanged_by_the_typed_model(cli, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "sortie"
    cli("render", CASE, "--out", str(out), repo=repo)
    clause = docx_text((out / f"{CASE}_clause_insertion_2026-04-14.docx").read_bytes())
    letter = docx_text((out / f"{CASE}_lettre_accompagnement_2026-04-14.docx").read_bytes())
    assert _norm(letter) == LETTER
    for line in CLAUSE_LINES:
        assert line in _norm(clause)
    # typographie comprise (espaces insécables et fines insécables) : texte identique à l'octet
    assert hashlib.sha256(letter.encode()).hexdigest() == LETTER_SHA256
    assert hashlib.sha256(clause.encode()).hexdigest() == CLAUSE_SHA256
    props = docx.Document(str(out / f"{CASE}_lettre_accompagnement_2026-04-14.docx")).core_properties
    assert props.created.date().isoformat() == "2026-04-14" and props.title == f"{CASE} – Lettre d'accompagnement"
