"""Sorties texte du bilan : JSON (outils), Markdown (forge), CSV (tableurs, format long), tableau terminal."""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from guichet_cli.core import frformat as fr
from guichet_cli.core import sheets
from guichet_cli.core.report.tables import Table, formatted, provenance, visible
from guichet_cli.core.sheets import neutralize  # commun à tous les tableurs


def to_json(report: dict[str, Any]) -> bytes:
    return (json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def _md_cell(text: str) -> str:
    """Cellule Markdown : typographie française (espaces insécables, comme le DOCX et le HTML), « | » échappé."""
    return fr.typography(text).replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def _md_table(cols: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(_md_cell(c) for c in cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
            + ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows] + [""])


def _md_charts(report: dict[str, Any], labels: dict[str, dict[str, str]]) -> list[str]:
    """Les valeurs derrière chaque graphique du DOCX et du HTML (chart_data, les mêmes que la feuille
    « Graphiques » du XLSX), en tableaux : la forge n'affiche pas les graphiques."""
    from guichet_cli.core.report.chart_data import charts, value_text

    lines = ["## Graphiques (valeurs)", ""]
    for chart in charts(report, labels):
        lines += [f"### {fr.typography(chart.title)}", ""]
        if chart.categories:
            cols = [chart.axis] + [name if chart.unit in name else f"{name} ({chart.unit})" for name, _ in chart.series]
            lines += _md_table(cols, [[cat] + [value_text(values[n], chart.unit) for _, values in chart.series]
                                      for n, cat in enumerate(chart.categories)])
        else:
            lines += ["Aucune donnée pour cette année.", ""]
        if chart.note:
            lines += [f"*{fr.typography(chart.note)}*", ""]
    return lines


def to_markdown(report: dict[str, Any], tables: list[Table], labels: dict[str, dict[str, str]]) -> bytes:
    """Le bilan en Markdown (forge) : tous les tableaux, puis après la synthèse les valeurs des
    graphiques ; typographie française (espaces insécables avant « ; : ! ? » et les unités, dans les
    guillemets, séparateurs de milliers) comme dans le DOCX et le HTML."""
    b = report["bilan"]
    lines = [f"# {fr.typography(b['titre'])}", ""]
    lines.append(fr.typography(f"*{b['guichet']} — version {b['version']}*" + (
        f" — effectifs inférieurs à {b['secret_statistique_seuil']} masqués (secret statistique)" if b["version"] == "publique" else "")))
    lines.append("")
    for n, t in enumerate(tables):
        cols, rows = formatted(t)
        lines += [f"## {fr.typography(t.title)}", ""]
        lines += _md_table(cols, rows) if rows else ["Aucune donnée pour cette année.", ""]
        if n == 0:  # la synthèse, puis les graphiques, puis le détail (comme le HTML)
            lines += _md_charts(report, labels)
    lines.append(fr.typography(f"Traçabilité : {provenance(report)}"))
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_csv(tables: list[Table]) -> bytes:
    """Format long (tableau, ligne, colonne, valeur) : tous les tableaux dans un seul fichier, valeurs
    brutes aux conventions françaises (core/sheets.py : « ; », virgule décimale, dates jj/mm/aaaa,
    UTF-8 avec BOM), pour qu'Excel en français lise les nombres comme des nombres."""
    rows: list[list[Any]] = [["Tableau", "Ligne", "Colonne", "Valeur"]]
    for t in tables:
        cols, body = visible(t)
        for r in body:
            label = r[0]
            for c, v in enumerate(r[1:], start=1):
                value = "" if v is None else (", ".join(map(str, v)) if isinstance(v, list) else v)
                rows.append([neutralize(t.title), neutralize(label), neutralize(cols[c]), neutralize(value)])
    return sheets.french_csv(rows)


# Tableaux de la synthèse en terminal ; les autres (par secteur, par donneur d'ordre, partie
# qualitative, annexe…) viennent avec --detail ou dans un fichier (--format xlsx, md, docx).
SUMMARY = ("synthese", "demandes", "suites", "marches", "engagements", "seuil", "comparaison")
WIDTH = 100  # colonnes d'un terminal ordinaire


def _fit(t: Table, cols: list[str], rows: list[list[str]], width: int) -> str:
    """Le tableau dans `width` colonnes : textes longs repliés, sinon une fiche par ligne."""
    text = tabulate(rows, headers=cols, tablefmt="simple", disable_numparse=True)
    if max(map(len, text.splitlines())) <= width:
        return text
    # Replier les colonnes de texte (les nombres gardent leur largeur), la première en dernier.
    numeric = [k != "text" for k in (t.kinds + ["text"] * len(cols))[: len(cols)]]
    # Colonnes de nombres : la largeur de leurs valeurs (l'en-tête se replie mot à mot).
    num_w = {i: max(max((len(w) for w in c.split()), default=1), *(len(r[i]) for r in rows))
             for i, c in enumerate(cols) if numeric[i]}
    fixed = sum(w + 2 for w in num_w.values())
    texts = [i for i in range(len(cols)) if not numeric[i]]
    if texts:
        room = (width - fixed - 2 * len(texts)) // len(texts)
        while room >= 12:  # les en-têtes repliés peuvent élargir un peu : on resserre jusqu'à ce que ça tienne
            widths = [num_w.get(i, room) for i in range(len(cols))]
            text = tabulate(rows, headers=cols, tablefmt="simple", disable_numparse=True,
                            maxcolwidths=[None if numeric[i] else room for i in range(len(cols))], maxheadercolwidths=widths)
            if max(map(len, text.splitlines())) <= width:
                return text
            room -= 2
    # Trop de colonnes : une fiche par ligne (« colonne : valeur »), repliée elle aussi.
    import textwrap

    out: list[str] = []
    for r in rows:
        out.append(r[0])
        for c, v in zip(cols[1:], r[1:], strict=False):
            out += textwrap.wrap(f"{c} : {v}", width=width - 2, initial_indent="  ", subsequent_indent="    ") or [f"  {c} :"]
        out.append("")
    return "\n".join(out).rstrip("\n")


def to_terminal(report: dict[str, Any], tables: list[Table], *, skip: tuple[str, ...] = ("dossiers",), detail: bool = False,
                width: int = WIDTH) -> str:
    """Tableaux pour le terminal, jamais plus larges que `width` ; la synthèse seule sans `detail`."""
    out = [report["bilan"]["titre"], ""]
    left: list[str] = []
    for t in tables:
        if t.key in skip:
            continue
        cols, rows = formatted(t)
        if not rows:
            continue
        if not detail and t.key not in SUMMARY:
            left.append(t.title)
            continue
        out += [t.title, _fit(t, cols, rows, width), ""]
    if left:
        import textwrap

        out += textwrap.wrap("Détail (" + ", ".join(left) + ") : relancer avec --detail, ou écrire le bilan dans un "
                             "fichier (--format xlsx, md ou docx).", width=width)
    return "\n".join(out)
