"""Sorties texte du bilan : JSON (outils), Markdown (forge), CSV (tableurs, format long), tableau terminal."""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from guichet_cli.core import sheets
from guichet_cli.core.report.tables import Table, formatted, visible

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Cellule texte commençant par = + - @ (ou tabulation, retour chariot) : préfixée d'une apostrophe,
    pour qu'un tableur l'affiche au lieu de l'exécuter (injection de formule)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_json(report: dict[str, Any]) -> bytes:
    return (json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def to_markdown(report: dict[str, Any], tables: list[Table]) -> bytes:
    b = report["bilan"]
    lines = [f"# {b['titre']}", ""]
    lines.append(f"*{b['guichet']} — version {b['version']}*" + (
        f" — effectifs inférieurs à {b['secret_statistique_seuil']} masqués (secret statistique)" if b["version"] == "publique" else ""))
    lines.append("")
    for t in tables:
        cols, rows = formatted(t)
        lines += [f"## {t.title}", ""]
        if not rows:
            lines += ["Aucune donnée pour cette année.", ""]
            continue
        lines.append("| " + " | ".join(_md_cell(c) for c in cols) + " |")
        lines.append("|" + "|".join("---" for _ in cols) + "|")
        lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
        lines.append("")
    lines.append(f"Traçabilité : {b['historique']}.")
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_csv(tables: list[Table]) -> bytes:
    """Format long (tableau, ligne, colonne, valeur) : tous les tableaux dans un seul fichier, valeurs
    brutes aux conventions françaises (core/sheets.py : « ; », virgule décimale, dates jj/mm/aaaa,
    UTF-8 avec BOM), pour qu'Excel en français lise les nombres comme des nombres."""
    rows: list[list[Any]] = [["tableau", "ligne", "colonne", "valeur"]]
    for t in tables:
        cols, body = visible(t)
        for r in body:
            label = r[0]
            for c, v in enumerate(r[1:], start=1):
                value = "" if v is None else (", ".join(map(str, v)) if isinstance(v, list) else v)
                rows.append([neutralize(t.title), neutralize(label), neutralize(cols[c]), neutralize(value)])
    return sheets.french_csv(rows)


def to_terminal(report: dict[str, Any], tables: list[Table], *, skip: tuple[str, ...] = ("dossiers",)) -> str:
    out = [report["bilan"]["titre"], ""]
    for t in tables:
        if t.key in skip:
            continue
        cols, rows = formatted(t)
        if not rows:
            continue
        out += [t.title, tabulate(rows, headers=cols, tablefmt="simple", disable_numparse=True), ""]
    return "\n".join(out)
