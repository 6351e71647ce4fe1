"""Bilan en une page HTML autonome : aucun fichier ni réseau pour la lire (styles en ligne,
graphiques en SVG en ligne, pas de CDN ni de police externe), lisible sur un téléphone (mise en
page fluide, tableaux défilants), imprimable (feuille de style d'impression, en-têtes de tableau
répétés par le navigateur). Mêmes chiffres que les autres formats : les tableaux de tables.py et
les graphiques de chart_data.py. C'est la page qu'un partenaire ouvre depuis un artefact de CI ou
les pages d'une forge."""

from __future__ import annotations

from html import escape
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.report.chart_data import Chart, charts, value_text
from guichet_cli.core.report.tables import Table, formatted, provenance, row_kind

_NUMERIC = ("int", "money", "hours", "pct", "num", "days")
_COLORS = ("#9aa5b1", "#1f4e79", "#4e9a06", "#c55a11")
_CSS = """
:root{--bleu:#1f4e79;--gris:#595959;--fond:#f4f6f8}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;margin:0;color:#1b1b1b;line-height:1.45;background:#fff}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{border-bottom:3px solid var(--bleu);padding-top:1rem;padding-bottom:.5rem}
header p{margin:.2rem 0;color:var(--gris)}
h1{color:var(--bleu);font-size:1.6rem;margin:.3rem 0}
h2{color:var(--bleu);font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
h3{color:var(--bleu);font-size:1.05rem}
nav ol{columns:2 16rem;padding-left:1.2rem}
.note{color:var(--gris);font-size:.9rem}
.table{overflow-x:auto;margin:.5rem 0 1rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;vertical-align:top}
th{background:var(--fond);text-align:left}
td.n{text-align:right;white-space:nowrap}
figure{margin:1rem 0}
figcaption{font-weight:bold;margin-bottom:.3rem}
svg{max-width:100%;height:auto}
footer{border-top:1px solid #d0d7de;margin-top:2rem;padding-top:.5rem;padding-bottom:2rem;color:var(--gris);font-size:.85rem}
@media (max-width:40rem){h1{font-size:1.3rem}table{font-size:.85rem}nav ol{columns:1}
  .chart{overflow-x:auto}.chart svg{max-width:none;width:36rem}}
@media print{
  @page{size:A4;margin:15mm}
  body{font-size:10pt}
  nav{display:none}
  h2{break-after:avoid}
  figure,tr{break-inside:avoid}
  thead{display:table-header-group}
  .table,.chart{overflow:visible}
  .chart svg{width:auto;max-width:100%}
}
"""


def _table(table: Table) -> str:
    cols, rows = formatted(table)
    if not rows:
        return "<p>Aucune donnée pour cette année.</p>"
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in cols)
    body = []
    for r, full in zip(rows, table.rows, strict=True):
        cells = []
        for c, text in enumerate(r):
            numeric = row_kind(table, full, c) in _NUMERIC
            tag = "th" if c == 0 else "td"
            attrs = ' scope="row"' if c == 0 else (' class="n"' if numeric else "")
            cells.append(f"<{tag}{attrs}>{escape(fr.typography(text))}</{tag}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="table"><table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


_LABEL_CHARS = 30  # ~ 224 px de colonne de libellés à 12 px (DejaVu Sans, 7,2 px par caractère en moyenne)
_LINE = 13


def _wrap_label(text: str, width: int = _LABEL_CHARS, max_lines: int = 2) -> list[str]:
    """Libellé de catégorie sur deux lignes au plus, coupé entre les mots ; « … » s'il reste du texte
    (le libellé entier est dans l'infobulle)."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= width:
            line += " " + words.pop(0)
        lines.append(line)
    if words or any(len(line) > width for line in lines):
        last = " ".join([lines[-1], *words])
        lines[-1] = last[: width - 1].rstrip() + "…"
    return [line if len(line) <= width else line[: width - 1] + "…" for line in lines] or [""]


def svg_chart(chart: Chart) -> str:
    """Barres horizontales groupées en SVG : une rangée par catégorie, une barre par série, valeur
    écrite au bout (lisible sans couleur, à l'impression en noir et blanc aussi)."""
    if not chart.categories:  # la note dit pourquoi (secret statistique, part non calculée…)
        return (f'<p class="note">{escape(fr.typography(chart.title + " : aucune donnée pour cette année."))}'
                + (f" {escape(fr.typography(chart.note))}" if chart.note else "") + "</p>")
    n_series = len(chart.series)
    bar, gap, label_w, width = 16, 10, 230, 640
    plot_w = width - label_w - 70
    top = 8 + (20 if n_series > 1 else 0)
    wrapped = [_wrap_label(c) for c in chart.categories]
    blocks = [max(n_series * bar, len(lines) * _LINE + 2) for lines in wrapped]
    height = top + sum(b + gap for b in blocks) + 4
    peak = max((v for _, values in chart.series for v in values), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(chart.title)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">']
    if n_series > 1:
        x = label_w
        for s, (name, _values) in enumerate(chart.series):
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{_COLORS[s % len(_COLORS)]}"/>'
                         f'<text x="{x + 16}" y="14">{escape(name)}</text>')
            x += 30 + 8 * len(name)
    def color(s: int) -> str:  # une série : bleu ; plusieurs : gris (prévues) puis bleu (réalisées)…
        return _COLORS[1] if n_series == 1 else _COLORS[s % len(_COLORS)]

    y = top
    for i, category in enumerate(chart.categories):
        lines, block = wrapped[i], blocks[i]
        first = y + block / 2 + 4 - (len(lines) - 1) * _LINE / 2
        spans = "".join(f'<tspan x="{label_w - 6}" y="{first + k * _LINE:.0f}">{escape(line)}</tspan>' for k, line in enumerate(lines))
        parts.append(f'<text text-anchor="end"><title>{escape(category)}</title>{spans}</text>')
        y += (block - n_series * bar) / 2  # barres centrées sur un libellé de deux lignes
        for s, (name, values) in enumerate(chart.series):
            v = values[i]
            w = max(0.0, v / peak * plot_w)
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{color(s)}">'
                         f"<title>{escape(name)} : {escape(value_text(v, chart.unit))}</title></rect>"
                         f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 5}">{escape(value_text(v, chart.unit))}</text>')
            y += bar
        y += (block - n_series * bar) / 2 + gap
    parts.append("</svg>")
    note = f'<p class="note">{escape(fr.typography(chart.note))}</p>' if chart.note else ""
    # sur un téléphone, le graphique garde une taille lisible (texte à ~12 px) et défile de côté
    return f'<figure><figcaption>{escape(chart.title)}</figcaption><div class="chart">{"".join(parts)}</div>{note}</figure>'


def _evolution(report: dict[str, Any], previous: dict[str, Any] | None, labels: dict[str, dict[str, str]]) -> str:
    """Panorama d'une année sur l'autre : marchés notifiés et heures réalisées par département,
    disposition et secteur, année précédente et année du bilan côte à côte."""
    pano, before = report.get("panorama"), (previous or {}).get("panorama")
    if not pano or not before:
        return ""
    from guichet_cli.core.report.tables import department_label

    year, prev = report["bilan"]["annee"], previous["bilan"]["annee"]  # type: ignore[index]
    names = {"par_departement": None, "par_disposition": labels.get("dispositions", {}), "par_secteur": {}}
    titles = {"par_departement": "Par département d'exécution", "par_disposition": "Par disposition retenue",
              "par_secteur": "Par secteur (CPV principal)"}
    out = [f"<h2 id=\"evolution\">Évolution {prev}–{year}</h2>"]
    for key, title in titles.items():
        old = {g["cle"]: g for g in before[key]}
        new = {g["cle"]: g for g in pano[key]}
        rows = []
        for k in dict.fromkeys([*new, *old]):
            label = department_label(labels, k) if names[key] is None else names[key].get(k, k)
            a, b = old.get(k, {}), new.get(k, {})
            rows.append([label, a.get("marches_notifies"), b.get("marches_notifies"), a.get("heures_realisees"),
                         b.get("heures_realisees")])
        table = Table(f"evolution_{key}", f"{title} : {prev} et {year}",
                      [title.removeprefix("Par ").capitalize(), f"Marchés notifiés {prev}", f"Marchés notifiés {year}",
                       f"Heures réalisées {prev}", f"Heures réalisées {year}"],
                      ["text", "int", "int", "hours", "hours"], rows)
        out.append(_table(table))
    return "".join(out)


def to_html(report: dict[str, Any], tables: list[Table], labels: dict[str, dict[str, str]],
            previous: dict[str, Any] | None = None) -> bytes:
    b = report["bilan"]
    title, _, who = b["titre"].partition(" — ")
    sections = [t for t in tables if t.key != "dossiers"]
    annex = next((t for t in tables if t.key == "dossiers"), None)
    nav = [f'<li><a href="#{t.key}">{escape(t.title)}</a></li>' for t in sections]
    nav.insert(1, '<li><a href="#graphiques">Graphiques</a></li>')  # après la synthèse
    evolution = _evolution(report, previous, labels)
    if evolution:
        nav.append('<li><a href="#evolution">Évolution d\'une année sur l\'autre</a></li>')
    if annex:
        nav.append('<li><a href="#dossiers">Annexe : dossiers pris en compte</a></li>')
    version = ("Version publiable : aucune donnée personnelle ; effectifs inférieurs à "
               f"{b.get('secret_statistique_seuil')} masqués (secret statistique)." if b["version"] == "publique"
               else "Version interne du guichet : elle contient des informations de suivi détaillées et n'est pas destinée "
               "à être diffusée.")
    body = [f"<section id=\"{t.key}\"><h2>{escape(fr.typography(t.title))}</h2>{_table(t)}</section>" for t in sections]
    source = provenance(report)
    html = [
        "<!DOCTYPE html>",
        '<html lang="fr">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(b['titre'])}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><p>{escape(b['guichet'])}</p><h1>{escape(title)}</h1>"
        + (f"<p><strong>{escape(who)}</strong></p>" if who else "")
        + f"<p>Bilan quantitatif et qualitatif de l'année {b['annee']}</p><p class=\"note\">{escape(fr.typography(version))}</p></header>",
        "<main>",
        f'<nav aria-label="Sommaire"><h2>Sommaire</h2><ol>{"".join(nav)}</ol></nav>',
        *body[:1],  # la synthèse, puis les graphiques, puis le détail
        '<section id="graphiques"><h2>Graphiques</h2>' + "".join(svg_chart(c) for c in charts(report, labels)) + "</section>",
        *body[1:],
        evolution,
        (f'<section id="dossiers"><h2>Annexe{fr.NBSP}: dossiers pris en compte</h2><p>{escape(fr.typography(source))}</p>'
         f"{_table(annex)}</section>") if annex else "",
        "</main>",
        f"<footer>{escape(b['guichet'])} — {escape(b['titre'])}</footer>",
        "</body>",
        "</html>",
    ]
    return ("\n".join(part for part in html if part) + "\n").encode("utf-8")
