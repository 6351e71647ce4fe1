"""Le bilan en tableaux (titre, colonnes, types, lignes) : source commune du DOCX, XLSX, CSV, Markdown
et de l'affichage terminal. Les valeurs restent brutes (nombres) ; chaque sortie les met en forme."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts import dates

# Types de colonne : text, int, money, hours, pct, num, days, date
NONE = "—"


@dataclass
class Table:
    key: str  # nom court (feuille XLSX, CSV)
    title: str
    columns: list[str]
    kinds: list[str]
    rows: list[list[Any]]


def fmt(value: Any, kind: str) -> str:
    """Valeur mise en forme à la française (DOCX, Markdown, terminal)."""
    if value is None:
        return NONE
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return fr.date_long(value)
    if kind == "money":
        return fr.money(value)
    if kind == "pct":
        return fr.percent(value, 1)
    if kind == "hours":
        return f"{fr.integer(value)}\u00a0h"
    if kind == "int":
        return fr.integer(value)
    if kind == "days":
        return f"{fr.decimal(value, 1)}\u00a0j"
    if kind == "num":
        return fr.decimal(value)
    return str(value)


_FIELD_PATH = re.compile(r" \([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*\)")


def _readable(text: str) -> str:
    """« heures prévues non renseignées (resultats[0].heures_prevues) » → sans le chemin du champ."""
    return _FIELD_PATH.sub("", text)


def department_label(labels: dict[str, dict[str, str]], code: Any) -> str:
    """« 93 » → « Seine-Saint-Denis (93) » : un libellé, pas un code (une clé inconnue reste telle quelle)."""
    name = labels.get("departements", {}).get(str(code))
    return f"{name} ({code})" if name else str(code)


def _date(iso: str | None) -> dt.date | None:
    return dates.parse_iso(iso[:10]) if iso else None


def _labelled(values: dict[str, Any], labels: dict[str, str]) -> list[list[Any]]:
    return [[labels.get(k, k), v] for k, v in values.items()]


def build_tables(report: dict[str, Any], labels: dict[str, dict[str, str]]) -> list[Table]:
    i = report["indicateurs"]
    year = report["bilan"]["annee"]
    public = report["bilan"]["version"] == "publique"
    h, p, m, d = i["heures"], i["participants"], i["marches"], i["delais"]
    rec = i["recommandations"]
    synth = [
        ["Demandes reçues", i["demandes"]["recues"], "int"],
        ["Décisions rendues sur une recommandation", rec["decisions"], "int"],
        ["Taux de recommandations suivies", rec["taux_suivi"], "pct"],
        ["Taux de recommandations suivies en tout ou partie", rec["taux_suivi_total_ou_partiel"], "pct"],
        ["Marchés notifiés", m["notifies"], "int"],
        ["Marchés notifiés avec une disposition sociale", m["avec_disposition_sociale"], "int"],
        ["Montant notifié HT", m["montant_notifie_ht"], "money"],
        ["Montant notifié HT avec une disposition sociale", m["montant_avec_disposition_sociale_ht"], "money"],
        ["Heures d'insertion prévues", h["prevues"], "hours"],
        ["Heures d'insertion réalisées", h["realisees"], "hours"],
        # Le taux ne compare que des marchés comparables : ceux qui ont des heures prévues
        # (un marché réservé ou d'insertion réalise des heures sans objectif chiffré).
        ["Heures réalisées sur les marchés à heures prévues", h["realisees_sur_marches_avec_heures_prevues"], "hours"],
        ["Taux de réalisation des heures", h["taux_realisation"], "pct"],
        [f"ETP réalisés (1 ETP = {fr.integer(h['etp_heures'])} h)", h["etp_realises"], "num"],
        ["Participants (somme par marché)", p["total"], "int"],
        ["Contrats de travail", i["contrats"]["total"], "int"],
        ["Sorties à 6 mois renseignées", i["sorties"]["total"], "int"],
        ["Taux de sorties dynamiques", i["sorties"]["taux_sorties_dynamiques"], "pct"],
        ["Entreprises inclusives mobilisées (SIAE, EA…)", i["entreprises_inclusives"]["nombre"], "int"],
        ["Chiffre d'affaires confié aux entreprises inclusives HT", i["entreprises_inclusives"]["chiffre_affaires_ht"], "money"],
        ["Délai moyen de recommandation (jours)", d["moyen_jours"], "days"],
        ["Délai médian de recommandation (jours)", d["median_jours"], "days"],
    ]
    t: list[Table] = [Table("synthese", "Synthèse", ["Indicateur", "Valeur", "Type"], ["text", "num", "text"], [])]
    # la colonne « type » sert à la mise en forme ligne par ligne, elle n'est pas montrée
    t[0].rows = [[a, b, c] for a, b, c in synth]
    t.append(Table("demandes", "Demandes reçues par statut", ["Statut", "Demandes"], ["text", "int"],
                   _labelled(i["demandes"]["par_statut"], labels.get("statuts", {}))))
    t.append(Table("suites", "Suite donnée aux recommandations", ["Suite", "Décisions"], ["text", "int"],
                   _labelled(rec["par_suite"], labels.get("suites", {}))))
    if not public:
        t.append(Table("motifs", "Motifs donnés quand la recommandation n'est pas suivie", ["Dossier", "Suite", "Motif"],
                       ["text", "text", "text"],
                       [[x["dossier"], labels.get("suites", {}).get(x["suite"] or "", x["suite"]), x["motif"]] for x in rec["motifs"]]))
    t.append(Table("marches", "Marchés notifiés par famille de disposition", ["Famille", "Marchés", "Montant HT"],
                   ["text", "int", "money"], [[v["libelle"], v["marches"], v["montant_ht"]] for v in m["par_famille"].values()]))
    t.append(Table("decp", "Considération sociale déclarée (DECP)", ["Considération sociale", "Marchés"], ["text", "int"],
                   [[k, v] for k, v in m["considerations_sociales_decp"].items()]))
    t.append(Table("modalites", "Heures réalisées par modalité", ["Modalité", "Heures"], ["text", "hours"],
                   _labelled(h["par_modalite"], labels.get("modalites", {}))))
    t.append(Table("profil", "Participants par sexe et âge", ["Catégorie", "Participants"], ["text", "int"],
                   _labelled(p["profil"], labels.get("profil", {}))))
    t.append(Table("publics", "Participants par public éligible", ["Public", "Participants"], ["text", "int"],
                   _labelled(p["par_public"], labels.get("publics", {}))))
    t.append(Table("contrats", "Contrats de travail par type", ["Type de contrat", "Contrats"], ["text", "int"],
                   _labelled(i["contrats"]["par_type"], labels.get("contrats", {}))))
    t.append(Table("sorties", "Sorties à 6 mois", ["Sortie", "Personnes"], ["text", "int"],
                   _labelled(i["sorties"]["par_type"], labels.get("sorties", {}))))
    if i.get("suivi_titulaires"):
        mods = labels.get("modalites", {})
        t.append(Table("titulaires", "Heures réalisées par lot et titulaire (relevés de suivi)",
                       ["Dossier", "Lot", "Titulaire", "Heures dues", f"Faites en {year}", "Cumul fait", "Par modalité"],
                       ["text", "text", "text", "hours", "hours", "hours", "text"],
                       [[r["dossier"], f"lot {r['lot']}" if r["lot"] else NONE, r["nom"], r["heures_dues"], r["heures_realisees_annee"],
                         r["heures_realisees_cumul"],
                         ", ".join(f"{mods.get(k, k)} {fr.integer(v)} h" for k, v in r["heures_par_modalite"].items() if v)]
                        for r in i["suivi_titulaires"]]))
    t.append(Table("partenaires", "Partenaires mobilisés", ["Partenaire", "Dossiers"], ["text", "int"],
                   [[x["libelle"], x["dossiers"]] for x in i["partenaires"]]))
    so = i.get("sourcing")
    if so:
        answer_labels = {"interessee": "intéressé", "pas_interessee": "pas intéressé", "sans_reponse": "sans réponse", "attendue": "réponse attendue"}
        rows = [["Dossiers avec sourcing qualifié", so["dossiers_sources"]], ["Consultations de réseaux", so["consultations"]]]
        rows += [[f"Réponses : {answer_labels.get(k, k)}", v] for k, v in so["reponses"].items()]
        rows += [[f"Consultation : {x['libelle']}", x["consultations"]] for x in so["par_reseau"]]
        rows.append(["Structures intéressées", so["structures_interessees"]])
        t.append(Table("sourcing", "Sourcing qualifié auprès des réseaux", ["Indicateur", "Nombre"], ["text", "int"],
                       rows if so["dossiers_sources"] else []))
    eng_labels = {
        "facilitateur_au_calibrage": "Facilitateur associé au calibrage",
        "facilitateur_a_la_reunion_de_lancement": "Facilitateur présent à la réunion de lancement",
        "notification_signalee": "Notification signalée au guichet",
        "resultats_transmis": "Résultats annuels transmis",
    }
    t.append(Table("engagements", "Engagements de la charte tenus", ["Engagement", "Tenus", "Sur", "Taux"],
                   ["text", "int", "int", "pct"],
                   [[eng_labels[k], v["oui"], v["sur"], v["taux"]] for k, v in i["engagements"].items()]))
    cmp_ = report.get("comparaison")
    if cmp_:
        t.append(Table("comparaison", f"Comparaison avec {cmp_['annee_precedente']}",
                       ["Indicateur", str(cmp_["annee_precedente"]), str(year), "Évolution"], ["text", "num", "num", "pct"],
                       [[r["indicateur"], r["precedent"], r["courant"], r["evolution"]] for r in cmp_["indicateurs"]]))
    pano = report.get("panorama")
    if pano:
        cols = ["Demandes reçues", "Marchés notifiés", "Montant notifié HT", "Heures réalisées"]
        kinds = ["text", "int", "int", "money", "hours"]

        def rows(key: str) -> list[list[Any]]:
            return [[g["cle"], g["demandes_recues"], g["marches_notifies"], g["montant_notifie_ht"], g["heures_realisees"]]
                    for g in pano[key]]

        dispo_labels = labels.get("dispositions", {})
        t.append(Table("departements", "Par département d'exécution", ["Département", *cols], kinds,
                       [[department_label(labels, r[0]), *r[1:]] for r in rows("par_departement")]))
        t.append(Table("dispositions", "Par disposition retenue (marchés notifiés)", ["Disposition", *cols], kinds,
                       [[dispo_labels.get(r[0], r[0]), *r[1:]] for r in rows("par_disposition")]))
        t.append(Table("secteurs", "Par secteur (CPV principal)", ["Secteur", *cols], kinds, rows("par_secteur")))
        t.append(Table("donneurs", "Principaux donneurs d'ordre (heures réalisées)",
                       ["Donneur d'ordre", "SIRET", "Heures réalisées", "Marchés notifiés", "Montant notifié HT"],
                       ["text", "text", "hours", "int", "money"],
                       [[x["nom"], x["siret"], x["heures_realisees"], x["marches_notifies"], x["montant_notifie_ht"]]
                        for x in pano["principaux_donneurs"]]))
        s = pano["seuil_europeen"]
        t.append(Table("seuil", "Marchés notifiés au-dessus du seuil européen", ["Indicateur", "Valeur"], ["text", "num"], [
            ["Marchés au-dessus du seuil européen", s["marches_au_dessus_du_seuil"]],
            ["… dont avec une considération sociale", s["avec_consideration_sociale"]],
            ["Part avec une considération sociale", s["part"]],
            *[[f"… dont au {label}", v["marches"]] for label, v in (s.get("par_type_de_seuil") or {}).items()],
            ["Marchés soumis à l'obligation (lancés depuis le " + (fr.date_long(s["date_obligation"]) if s["date_obligation"] else "?")
             + ")", s["soumis_a_l_obligation"]],
            ["… dont avec une considération sociale", s["soumis_avec_consideration_sociale"]],
            ["Part des marchés soumis avec une considération sociale", s["part_soumis"]],
        ]))
    t.append(Table("qualitatif", "Partie qualitative", ["Dossier", "Objet", "Faits marquants", "Difficultés", "Perspectives"],
                   ["text"] * 5,
                   [[q["dossier"], q["objet"], q.get("faits_marquants"), q.get("difficultes"), q.get("perspectives")]
                    for q in report["qualitatif"]]))
    if public:  # l'acheteur lit le dossier et le problème, sans chemin de fichier ni champ technique
        t.append(Table("manquantes", "Données manquantes", ["Dossier", "Problème"], ["text"] * 2,
                       [[x["dossier"], _readable(x["probleme"])] for x in report["donnees_manquantes"]]))
    else:
        t.append(Table("manquantes", "Données manquantes", ["Dossier", "Fichier", "Problème"], ["text"] * 3,
                       [[x["dossier"], x["fichier"], x["probleme"]] for x in report["donnees_manquantes"]]))
    if report.get("dossiers_ecartes") and not public:  # problème de données du guichet, pas du lecteur
        t.append(Table("ecartes", "Dossiers écartés (données invalides)", ["Dossier", "Fichier", "Problème"], ["text"] * 3,
                       [[x["dossier"], x["fichier"], x["probleme"]] for x in report["dossiers_ecartes"]]))
    # Provenance lisible par un acheteur (dossier, date de mise à jour) ; fichier et commit seulement
    # dans la version interne, pour le guichet.
    cols = ["Dossier", "Objet", "Prise en compte", "Mis à jour le", "Délai (jours)"]
    kinds = ["text", "text", "text", "date", "int"]
    tech = [] if public else ["Fichier", "Commit"]
    t.append(Table("dossiers", "Annexe : dossiers pris en compte", cols + tech, kinds + ["text"] * len(tech),
                   [[x["dossier"], x["objet"], ", ".join(x["contributions"]), _date(x["date_commit"]), x["delai_jours"]]
                    + ([] if public else [x["fichier"], x["commit"] or NONE]) for x in report["annexe"]]))
    return t


def row_kind(table: Table, row: list[Any], col: int) -> str:
    """Type de la cellule : la synthèse porte le type de chaque ligne dans sa 3e colonne."""
    if table.key in ("synthese",) and col == 1:
        return str(row[2])
    if table.key == "seuil" and col == 1:
        return "pct" if str(row[0]).startswith("Part") else "int"
    return table.kinds[col]


def visible(table: Table) -> tuple[list[str], list[list[Any]]]:
    """Colonnes et lignes à montrer (sans la colonne technique « Type » de la synthèse)."""
    if table.key == "synthese":
        return table.columns[:2], [r[:2] for r in table.rows]
    return table.columns, table.rows


def formatted(table: Table) -> tuple[list[str], list[list[str]]]:
    cols, rows = visible(table)
    return cols, [[fmt(v, row_kind(table, full, c)) for c, v in enumerate(r)] for r, full in zip(rows, table.rows, strict=True)]


def provenance(report: dict[str, Any]) -> str:
    """D'où viennent les chiffres, lisible par un acheteur : les dossiers et leur date de mise à jour ;
    le détail technique (fichiers, commits) seulement dans la version interne. Le même texte en DOCX,
    HTML et Markdown."""
    when = [x["date_commit"] for x in report["annexe"] if x.get("date_commit")]
    text = "Chaque chiffre de ce bilan provient des dossiers de l'annexe, tenus par le guichet" + (
        f", dans leur état du {fr.date_long(max(when))}." if when else ".")
    if report["bilan"]["version"] != "publique":
        text += f" Détail technique (version interne) : {report['bilan']['historique']}."
    return text
