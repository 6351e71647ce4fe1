"""Données des graphiques du bilan, les mêmes pour le DOCX (images), le HTML (SVG en ligne) et le
XLSX (graphiques Excel natifs) : tirées du bilan déjà calculé, jamais recalculées ici."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.report.tables import department_label

_DONE_WITH_PLAN = "heures réalisées sur les marchés à heures prévues"


@dataclass
class Chart:
    key: str
    title: str
    categories: list[str]
    series: list[tuple[str, list[float]]]  # (nom de la série, une valeur par catégorie)
    unit: str
    note: str = ""
    horizontal: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    axis: str = "Catégorie"  # en-tête de la colonne des catégories (feuille « Graphiques », Markdown)


def hours_series(report: dict[str, Any]) -> tuple[list[tuple[str, float, float]], str]:
    """Séries (année, prévues, réalisées) du graphique des heures et la note sur ce qui en est exclu."""
    i, year = report["indicateurs"], report["bilan"]["annee"]
    series = []
    cmp_ = report.get("comparaison")
    if cmp_:
        prev = {r["indicateur"]: r["precedent"] for r in cmp_["indicateurs"]}
        series.append((str(year - 1), prev["heures prévues"], prev[_DONE_WITH_PLAN]))
    # Comparer ce qui est comparable : les heures réalisées sur les seuls marchés à heures prévues
    # (un marché réservé ou d'insertion réalise des heures sans objectif chiffré) ; le reste en note.
    h = i["heures"]
    series.append((str(year), h["prevues"], h["realisees_sur_marches_avec_heures_prevues"]))
    extra = h["realisees"] - h["realisees_sur_marches_avec_heures_prevues"]
    hours_note = (f"Hors {fr.hours(extra)} réalisées sur des marchés sans heures prévues "
                  "(marchés réservés, marchés d'insertion)." if extra > 0 else "")
    return series, hours_note


def value_text(value: float, unit: str) -> str:
    """Valeur d'un graphique comme écrite au bout de sa barre (HTML) et dans le tableau des valeurs
    (Markdown) : 1 271 ; 45,3 % (séparateurs de core/frformat.py)."""
    return f"{fr.decimal(value, 1)}{fr.NBSP}%" if unit == "%" else fr.integer(value)


def _number(v: Any) -> float:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0


def disposition_year_charts(by_year: dict[str, Any] | None) -> list[Chart]:
    """Dispositions recommandées, puis retenues, une série par année (indicators.dispositions_by_year) ;
    une disposition jamais recommandée (ou retenue) sur la période n'a pas de barre."""
    if not by_year:
        return []
    years = [str(y) for y in by_year["annees"]]
    out = []
    for key, title, note in (
        ("recommandees", "Dispositions recommandées par le guichet, par année",
         "Année de transmission de la recommandation ; une fois par dossier."),
        ("retenues", "Dispositions retenues par le donneur d'ordre, par année",
         "Année de la décision du donneur d'ordre ; une fois par dossier."),
    ):
        rows = [d for d in by_year["par_disposition"] if any(d[key])]
        if len(years) == 1:  # une seule série, sans légende : l'année dans la note
            note = note.replace(" ;", f" ({years[0]}) ;", 1)
        out.append(Chart(f"dispositions_{key}", title, [d["libelle"] for d in rows],
                         [(y, [_number(d[key][n]) for d in rows]) for n, y in enumerate(years)],
                         "dossiers", note if rows else "", horizontal=True, axis="Disposition"))
    return out


def _join(*notes: str) -> str:
    return " ".join(n for n in notes if n)


def missing_note(report: dict[str, Any], notes: dict[str, str]) -> str:
    """Résultats non transmis (section « Données manquantes ») : ce que les heures et les participants
    ne comptent pas."""
    cases = {x["dossier"] for x in report.get("donnees_manquantes") or []}
    return notes["donnees_manquantes"].format(dossiers=fr.count(len(cases), "dossier", "dossiers")) if cases else ""


def secrecy_note(report: dict[str, Any], notes: dict[str, str], hidden: list[str]) -> str:
    """Catégories masquées par le secret statistique (version publique) : nommées, sans leur effectif."""
    if not hidden:
        return ""
    return notes["secret_statistique"].format(seuil=report["bilan"].get("secret_statistique_seuil"), categories=", ".join(hidden))


def charts(report: dict[str, Any], labels: dict[str, dict[str, str]]) -> list[Chart]:
    """Heures prévues et réalisées, participants par public, marchés par famille de disposition ;
    pour le panorama régional, marchés notifiés par département, disposition et secteur, et part des
    marchés avec une considération sociale. Chaque graphique dit en note ce qu'il omet ou masque
    (secret statistique, part non calculée, données manquantes : textes de rules/bilan.yaml)."""
    i = report["indicateurs"]
    notes = labels["notes_graphiques"]
    missing = missing_note(report, notes)
    series, hours_note = hours_series(report)
    out = [Chart("heures", "Heures d'insertion prévues et réalisées (marchés à heures prévues)", [y for y, _, _ in series],
                 [("prévues", [_number(p) for _, p, _ in series]), ("réalisées", [_number(d) for _, _, d in series])],
                 "heures", _join(hours_note, missing), axis="Année")]
    pub_labels = labels.get("publics", {})
    publics = [(pub_labels.get(k, k), v) for k, v in i["participants"]["par_public"].items() if isinstance(v, int | float) and v > 0]
    hidden = [pub_labels.get(k, k) for k, v in i["participants"]["par_public"].items() if isinstance(v, str)]
    out.append(Chart("publics", "Participants par public éligible", [k for k, _ in publics],
                     [("participants", [_number(v) for _, v in publics])], "participants",
                     _join(secrecy_note(report, notes, hidden), missing), horizontal=True, axis="Public éligible"))
    fams = [(v["libelle"], v["marches"]) for v in i["marches"]["par_famille"].values() if v["marches"]]
    out.append(Chart("dispositions", "Marchés notifiés par famille de disposition sociale", [k for k, _ in fams],
                     [("marchés notifiés", [_number(v) for _, v in fams])], "marchés notifiés", horizontal=True,
                     axis="Famille de disposition"))
    out += disposition_year_charts(i.get("dispositions_par_annee"))
    pano = report.get("panorama")
    if pano:
        dispo_labels = labels.get("dispositions", {})
        depts = {g["cle"]: department_label(labels, g["cle"]) for g in pano["par_departement"]}
        for key, title, names, axis in (("par_departement", "Marchés notifiés par département d'exécution", depts, "Département"),
                                        ("par_disposition", "Marchés notifiés par disposition retenue", dispo_labels, "Disposition"),
                                        ("par_secteur", "Marchés notifiés par secteur", {}, "Secteur")):
            rows = [g for g in pano[key] if _number(g["marches_notifies"]) > 0]
            out.append(Chart(key, title, [names.get(g["cle"], g["cle"]) for g in rows],
                             [("marchés notifiés", [_number(g["marches_notifies"]) for g in rows])], "marchés notifiés",
                             horizontal=True, axis=axis))
        s = pano.get("seuil_europeen") or {}
        groups = (("Au-dessus du seuil européen", "part"), ("Soumis à l'obligation (L2112-2-1)", "part_soumis"))
        shares = [(label, s.get(key)) for label, key in groups if isinstance(s.get(key), int | float)]
        # une part sans dénominateur (aucun marché dans le périmètre) n'a pas de barre : la note le dit
        absent = [notes["part_non_calculee"].format(categorie=label[0].lower() + label[1:], annee=report["bilan"]["annee"])
                  for label, key in groups if not isinstance(s.get(key), int | float)]
        unclassified = s.get("marches_non_classes") or 0
        note = _join(*absent, notes["non_classes"].format(nombre=fr.count(unclassified, "marché notifié", "marchés notifiés"))
                     if unclassified else "")
        out.append(Chart("conformite", "Part des marchés notifiés avec une considération sociale", [k for k, _ in shares],
                         [("part (%)", [round(_number(v) * 100, 1) for _, v in shares])], "%", note, horizontal=True,
                         axis="Périmètre"))
    return out
