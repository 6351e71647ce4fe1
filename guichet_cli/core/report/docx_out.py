"""Bilan DOCX : modèle docxtpl (report_templates/bilan.docx), même environnement Jinja en bac à sable et
même mise en forme française que les rédactions de clauses ; tableaux en sous-documents, graphiques
matplotlib en images ; octets reproductibles (dates fixes, archive normalisée)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import jinja2
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from guichet_cli.core import frformat as fr
from guichet_cli.core.errors import EnvironmentProblem
from guichet_cli.core.render.docx import make_environment, normalize_zip, template_bytes
from guichet_cli.core.render.layout import apply_layout, french_spacing, insert_toc
from guichet_cli.core.report import chart_data, charts
from guichet_cli.core.report.tables import Table, fmt, formatted, provenance, row_kind

TEMPLATE = "bilan.docx"
_NUMERIC = ("int", "money", "hours", "pct", "num", "days")
_MARK_OPEN, _MARK_CLOSE = "\u27e6", "\u27e7"
_MARK = re.compile(_MARK_OPEN + r"tableau:([a-z_]+)" + _MARK_CLOSE)
_TEXT_LABELS = {"faits_marquants": "Faits marquants", "difficultes": "Difficultés", "perspectives": "Perspectives"}


def _marker(table: Table) -> str:
    return f"{_MARK_OPEN}tableau:{table.key}{_MARK_CLOSE}"


_TABLE_PT = 9
_ZWSP = "\u200b"  # espace sans chasse : point de coupure permis (après « / » d'un chemin)
_TOC_MARK = "\u27e6sommaire\u27e7"


def _docx_view(table: Table, cols: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Annexe des dossiers du DOCX (version interne) : la provenance technique (fichier, commit) sous
    l'identifiant du dossier, dans la même cellule, coupable aux « / » (sept colonnes étroites
    coupaient « Nettoya|ge », « Comm|it », « recommandat|ion »)."""
    if table.key != "dossiers" or "Fichier" not in cols:
        return cols, rows
    fi, ci = cols.index("Fichier"), cols.index("Commit")
    keep = [c for c in range(len(cols)) if c not in (fi, ci)]
    out = []
    for r in rows:
        source = r[fi].replace("/", "/" + _ZWSP) + (f"\ncommit {r[ci][:8]}" if r[ci] != "—" else "")
        cells = [r[c] for c in keep]
        cells[0] = f"{cells[0]}\n{source}"
        out.append(cells)
    return [cols[c] for c in keep], out


def repeat_header(row: Any) -> None:
    """Rangée d'en-tête répétée en haut de chaque page où le tableau continue."""
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def keep_row_together(row: Any) -> None:
    """Une rangée n'est pas coupée entre deux pages."""
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _words(text: str) -> list[str]:
    return [w for line in text.split("\n") for part in line.split(" ") for w in part.split(_ZWSP)]


def _set_widths(doc: Any, t: Any, cols: list[str], rows: list[list[str]]) -> None:
    """Largeurs de colonnes selon leur contenu (colonnes égales : « 1 740 000 € H/T » coupé, « Départemen/t »).
    Chaque colonne reçoit au moins la largeur de son plus long mot (un montant, avec ses espaces
    insécables, est un seul mot) ; la place restante va aux colonnes de texte qui peuvent passer à la ligne."""
    section = doc.sections[0]
    usable = section.page_width - section.left_margin - section.right_margin
    # largeur moyenne d'un caractère à 9 pt, prudente : la police de substitution de LibreOffice (DejaVu) est plus large que Calibri
    char = Mm(2.0 * _TABLE_PT / 9)
    minimum, wanted = [], []
    for c, name in enumerate(cols):
        cells = [name] + [r[c] for r in rows]
        # en-tête en gras (≈ 1,45 caractère, police de substitution comprise) ; + 2 pour les marges de cellule ; mots coupés aux espaces ordinaires seulement
        head = max(len(w) for w in _words(name)) * 1.45
        minimum.append(max([head] + [len(w) for text in cells[1:] for w in _words(text)]) + 2)
        wanted.append(max(minimum[-1], min(max(len(text) for text in cells), 45) + 2))
    budget = usable / char
    if sum(wanted) <= budget:
        chars = [w * budget / sum(wanted) for w in wanted]
    elif sum(minimum) >= budget:
        chars = [m * budget / sum(minimum) for m in minimum]
    else:
        extra = [w - m for w, m in zip(wanted, minimum, strict=True)]
        chars = [m + e * (budget - sum(minimum)) / sum(extra) for m, e in zip(minimum, extra, strict=True)]
    t.autofit = False
    for c, n in enumerate(chars):
        width = int(char * n)
        t.columns[c].width = width
        for cell in t.columns[c].cells:
            cell.width = width


def _insert_tables(doc: Any, tables: dict[str, Table]) -> None:
    """Remplace chaque paragraphe repère « ⟦tableau:clé⟧ » par le tableau python-docx correspondant
    (évite les sous-documents docxtpl, qui exigent docxcompose)."""
    for p in list(doc.paragraphs):
        m = _MARK.fullmatch(p.text.strip())
        if not m or m.group(1) not in tables:
            continue
        table = tables[m.group(1)]
        cols, rows = formatted(table)
        if not rows:
            for run in p.runs[1:]:
                run._r.getparent().remove(run._r)
            p.runs[0].text = "Aucune donnée pour cette année."
            continue
        cols, rows = _docx_view(table, cols, rows)
        # typographie avant le calcul des largeurs : « professionnelle : » devient un seul mot insécable
        rows = [[fr.typography(text) for text in r] for r in rows]
        t = doc.add_table(rows=1, cols=len(cols))
        t.style = "Table Grid"
        for c, name in enumerate(cols):
            t.rows[0].cells[c].paragraphs[0].add_run(name).bold = True
        repeat_header(t.rows[0])
        for r, full in zip(rows, table.rows, strict=True):
            row = t.add_row()
            keep_row_together(row)
            for c, text in enumerate(r):
                row.cells[c].text = text
                if c < len(full) and row_kind(table, full, c) in _NUMERIC and table.key != "dossiers":
                    row.cells[c].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for row in t.rows:
            for cell in row.cells:
                for para in cell.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(_TABLE_PT)
        _set_widths(doc, t, cols, rows)
        p._p.addprevious(t._tbl)
        p._p.getparent().remove(p._p)


def _summary(report: dict[str, Any], synth: Table) -> list[str]:
    """Phrases de la synthèse, accordées en nombre (jamais « demande(s) »)."""
    i, year = report["indicateurs"], report["bilan"]["annee"]
    raw = {row[0]: row[1] for row in synth.rows}
    v = {row[0]: fmt(row[1], row[2]) for row in synth.rows}
    done, planned = v["Heures d'insertion réalisées"], v["Heures d'insertion prévues"]
    decisions = i["recommandations"]["decisions"]
    notified, with_social = raw["Marchés notifiés"], i["marches"]["avec_disposition_sociale"]
    out = [
        f"{fr.count(raw['Demandes reçues'], 'demande reçue', 'demandes reçues')} en {year} ; "
        + (f"{fr.count(decisions, 'décision rendue', 'décisions rendues')} sur une recommandation, dont "
           f"{v['Taux de recommandations suivies']} {'suivie' if decisions < 2 else 'suivies'} entièrement."
           if decisions else "aucune décision rendue sur une recommandation."),
        f"{fr.count(notified, 'marché notifié', 'marchés notifiés')}"
        + (f", dont {fr.integer(with_social)} avec une disposition sociale ({v['Montant notifié HT avec une disposition sociale']})."
           if with_social else "."),
        f"{done} d'insertion réalisées, soit {fr.decimal(i['heures']['etp_realises'])} ETP ; sur les marchés à heures "
        f"prévues, {v['Heures réalisées sur les marchés à heures prévues']} réalisées pour {planned} prévues "
        f"(taux de réalisation : {v['Taux de réalisation des heures']}).",
        f"{fr.count(raw['Participants (somme par marché)'], 'participant', 'participants')} et "
        f"{fr.count(raw['Contrats de travail'], 'contrat de travail', 'contrats de travail')}.",
    ]
    missing = len(report["donnees_manquantes"])
    if missing:
        out.append(f"{fr.count(missing, 'donnée manquante', 'données manquantes')} : voir la section « Données manquantes ».")
    return [fr.typography(line) for line in out]


def _charts(tpl: Any, report: dict[str, Any], labels: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """Les graphiques du DOCX, des mêmes données que le HTML et le XLSX (chart_data) : image, légende
    et note en texte sous la légende (ce que le graphique omet ou masque), lisible et cherchable."""
    from docxtpl import InlineImage

    out = []
    for chart in chart_data.charts(report, labels):
        if chart.key == "heures":
            series, _ = chart_data.hours_series(report)
            png = charts.hours_chart(series)
        elif chart.key.startswith("dispositions_"):
            png = charts.grouped_barh_chart(chart.categories, chart.series, chart.unit)
        else:
            png = charts.barh_chart(list(zip(chart.categories, chart.series[0][1], strict=True)), chart.unit)
        out.append({"image": InlineImage(tpl, io.BytesIO(png), width=Mm(150)), "legende": fr.typography(chart.title + "."),
                    "note": fr.typography(chart.note)})
    return out


def context(tpl: Any, report: dict[str, Any], tables: list[Table], labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    b = report["bilan"]
    by_key = {t.key: t for t in tables}
    skip = {"synthese", "qualitatif", "manquantes", "dossiers"}
    return {
        "titre": b["titre"],
        "titre_principal": b["titre"].split(" — ", 1)[0],
        "titre_complement": b["titre"].split(" — ", 1)[1] if " — " in b["titre"] else "",
        "sommaire": _TOC_MARK,
        "provenance": fr.typography(provenance(report)),
        "sous_titre": f"Bilan quantitatif et qualitatif de l'année {b['annee']}",
        "guichet": b["guichet"],
        "publique": b["version"] == "publique",
        "seuil": b.get("secret_statistique_seuil") or "",
        "historique": b["historique"],
        "resume": _summary(report, by_key["synthese"]),
        "tableau_synthese": _marker(by_key["synthese"]),
        "graphiques": _charts(tpl, report, labels),
        "sections": [{"titre": fr.typography(t.title), "tableau": _marker(t)} for t in tables if t.key not in skip],
        "qualitatif": [
            {"titre": f"{q['dossier']} — {q['objet']}",
             "textes": [{"libelle": lab, "texte": fr.typography(q[k])} for k, lab in _TEXT_LABELS.items() if q.get(k)]}
            for q in report["qualitatif"]
        ],
        "manquantes": bool(report["donnees_manquantes"]),
        "tableau_manquantes": _marker(by_key["manquantes"]),
        "tableau_annexe": _marker(by_key["dossiers"]),
    }


def to_docx(report: dict[str, Any], tables: list[Table], labels: dict[str, dict[str, str]], template: Path,
            stamp: dt.datetime) -> bytes:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(template_bytes(template)))
    try:
        tpl.render(context(tpl, report, tables, labels), jinja_env=make_environment(), autoescape=True)
    except jinja2.exceptions.TemplateError as exc:
        raise EnvironmentProblem(
            f"rendu impossible du modèle de bilan {template.name} : {exc}",
            "régénérer le modèle : python tools/build_report_template.py (ou corriger les balises retouchées dans Word)",
        ) from None
    apply_layout(tpl.docx, header=report["bilan"]["guichet"], footer=report["bilan"]["titre"])
    _insert_tables(tpl.docx, {t.key: t for t in tables})
    french_spacing(tpl.docx)  # les tableaux insérés après la mise en page
    insert_toc(tpl.docx, _TOC_MARK)
    props = tpl.docx.core_properties
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.title = report["bilan"]["titre"][:250]
    props.subject = f"Bilan {report['bilan']['annee']} des clauses sociales"
    props.author = props.last_modified_by = report["bilan"]["guichet"][:250]
    props.comments = "Bilan produit par guichet report à partir des dossiers du dépôt."
    props.language = "fr-FR"
    buf = io.BytesIO()
    tpl.save(buf)
    return normalize_zip(buf.getvalue())
