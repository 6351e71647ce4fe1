"""Aides des tests de rédaction : dossier riche construit dans le dépôt temporaire, texte d'un DOCX."""

from __future__ import annotations

import io
from pathlib import Path

import docx

RICH_ID = "GRCS-2026-ZZ9Z"
SPECIAL = "Dupont & Fils <SARL> \"Les Œuvres\" l'Été à Saint-Ouen-l'Aumône"
LONG = "Réhabilitation thermique " + "et mise en accessibilité des bâtiments scolaires " * 6 + "— fin"
VERY_LONG = "Accompagnement social renforcé des ménages relogés " * 100 + "— fin du lot"
# Toutes les dispositions qui ont un modèle, chacune sur son lot, avec une justification sur deux lignes.
RICH_CASE = f"""# yaml-language-server: $schema=../../schemas/demande.schema.json
id: {RICH_ID}
fictif: true
statut: recommandation_transmise
recue_le: "2026-10-01"
canal: courriel
donneur_ordre: "21930066200018"
demandeur: contact-0007
marche:
  objet: '{SPECIAL.replace("'", "''")} — {LONG}'
  nature: services
  type_acheteur: pouvoir_adjudicateur
  cpv: ["85312000"]
  montant_estime_ht: 1234567
  duree_mois: 36
  forme: accord_cadre_bons_de_commande
  procedure: appel_offres_ouvert
  lancement_prevu: "2026-12-15"
  lieux_execution:
    - departement: "93"
      commune: "93066"
  anru: true
  lots:
    - numero: 1
      intitule: "Nettoyage & entretien <bâtiments> « A »"
      cpv: ["85312000"]
      montant_estime_ht: 1000000
    - numero: 2
      intitule: "{VERY_LONG}"
      cpv: ["85312000"]
      montant_estime_ht: 234567
analyse:
  debutee_le: "2026-10-02"
  recommandation:
    - disposition: clause_insertion
      lots: [1]
      base_legale: L2112-2
      justification: "Première ligne : marché de main-d'œuvre & <propreté>.\\nDeuxième ligne « citée »."
      rang: 1
    - disposition: critere_social
      lots: [1]
      base_legale: R2152-7
      rang: 2
    - disposition: reserve_ess
      lots: [2]
      base_legale: L2113-15
      rang: 3
    - disposition: reserve_siae
      lots: [2]
      base_legale: L2113-13
      rang: 4
    - disposition: reserve_ea_esat
      lots: [2]
      base_legale: L2113-12
      rang: 5
    - disposition: reserve_ea_siae
      lots: [2]
      base_legale: L2113-14
      rang: 6
    - disposition: reserve_penitentiaire
      lots: [2]
      base_legale: L2113-13-1
      rang: 7
    - disposition: marche_insertion
      base_legale: R2123-1 3°
      rang: 8
    - disposition: clause_sociale_autre
      base_legale: L2112-2
      rang: 9
    - disposition: variante_sociale
      base_legale: R2151-8
      rang: 10
  calibrage:
    base: montant_estime
    montant_retenu_ht: 1000000
    part_main_oeuvre: 0.5
    taux_insertion: 0.05
    cout_horaire: 30
    heures: 833
    heures_par_an: 278
    etp: 0.52
    lots:
      - numero: 1
        heures: 833
    valide_par: facilitateur-93-02
    valide_le: "2026-10-20"
  transmise_le: "2026-11-28"
routage:
  coordinations: [coordination-93]
  chef_de_file: coordination-93
  reseaux: [grafie, reseau-iae-93]
  facilitateurs: [facilitateur-93-02]
"""


def add_rich_case(repo: Path) -> Path:
    path = repo / "cases" / "2026" / f"{RICH_ID}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RICH_CASE, encoding="utf-8")
    return path


def docx_text(data: bytes) -> str:
    """Texte des paragraphes et des cellules d'un DOCX (sauts de ligne Word rendus par « \\n »)."""
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def make_template(path: Path, *paragraphs: str) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
