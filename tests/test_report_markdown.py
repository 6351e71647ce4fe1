"""Bilan en Markdown (`report --format md`, issue 11) : typographie française (espaces insécables
avant « ; : ! ? » et les unités, dans les guillemets, séparateurs de milliers de core/frformat.py) et
section « Graphiques (valeurs) » : les valeurs derrière chaque graphique du DOCX et du HTML, les
mêmes que la feuille « Graphiques » du XLSX.

Chiffres à la main sur le dépôt connu (tests/report_data.py), donneur A, 2026 : 1 362 heures prévues,
1 300 réalisées sur les marchés à heures prévues ; 6 000 000 € HT notifiés ; 2025 : aucune heure
prévue, 500 réalisées sur des marchés sans heures prévues.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import docx
import openpyxl
import pytest
from report_data import BUYER_A, build_repo

NBSP, NNBSP = "\u00a0", "\u202f"
PLAIN_BEFORE = re.compile(r" [:;!?»%€]")  # une espace ordinaire là où le français veut une insécable
PLAIN_AFTER = re.compile(r"« ")
PLAIN_THOUSANDS = re.compile(r"(?<![\d,])\d{1,3}(?: \d{3})+(?!\d)")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from conftest import Cli, init_git

    base = tmp_path_factory.mktemp("markdown")
    repo = init_git(build_repo(base / "depot"))
    cli = Cli()
    out: dict[str, Path] = {}
    for fmt in ("md", "xlsx", "html", "docx"):
        cli("report", "--year", "2026", "--buyer", BUYER_A, "--format", fmt, "--out", str(base / "a"), repo=repo)
        out[fmt] = base / "a" / f"bilan-2026-{BUYER_A}.{fmt}"
        cli("report", "--year", "2026", "--region", "--public", "--format", fmt, "--out", str(base / "r"), repo=repo)
        out["region_" + fmt] = base / "r" / f"bilan-2026-region-public.{fmt}"
    return out


def _md(outputs: dict[str, Path], scope: str) -> str:
    return outputs[scope + "md"].read_text(encoding="utf-8")


def _plain(text: str) -> str:
    return text.replace(NBSP, " ").replace(NNBSP, " ")


def md_charts(md: str) -> dict[str, tuple[list[str], list[list[str]], str]]:
    """Section « Graphiques (valeurs) » : par titre, (en-tête, lignes, note)."""
    section = md.split("## Graphiques (valeurs)\n", 1)[1].split("\n## ", 1)[0]
    out = {}
    for block in section.split("### ")[1:]:
        title, _, rest = block.partition("\n")
        table = [line for line in rest.splitlines() if line.startswith("| ")]
        cells = [[c.strip() for c in line.strip("|").split(" | ")] for line in table]
        notes = [line.strip("*") for line in rest.splitlines() if line.startswith("*")]
        out[_plain(title)] = (cells[0] if cells else [], cells[1:], _plain(" ".join(notes)))
    return out


def _number(text: str) -> float:
    return float(_plain(text).replace(" ", "").rstrip("%").replace(",", "."))


@pytest.mark.parametrize("scope", ["", "region_"])
def test_french_typography(outputs: dict[str, Path], scope: str) -> None:
    md = _md(outputs, scope)
    lines = [line for line in md.splitlines() if not line.startswith("|---")]
    problems = [line for line in lines if PLAIN_BEFORE.search(line) or PLAIN_AFTER.search(line) or PLAIN_THOUSANDS.search(line)]
    assert problems == []
    # les séparateurs sont ceux de core/frformat.py (espace fine insécable des milliers, insécable avant l'unité)
    assert f"## Annexe{NBSP}: dossiers pris en compte" in md
    assert f"Traçabilité{NBSP}:" in md


def test_buyer_figures_and_hours_chart(outputs: dict[str, Path]) -> None:
    md = _md(outputs, "")
    assert f"| Montant notifié HT | 6{NNBSP}000{NNBSP}000{NBSP}€{NBSP}HT |" in md
    assert f"| Heures d'insertion prévues | 1{NNBSP}362{NBSP}h |" in md
    # après la synthèse, avant le détail (comme le HTML)
    assert md.index("## Synthèse") < md.index("## Graphiques (valeurs)") < md.index("## Demandes reçues par statut")
    head, rows, note = md_charts(md)["Heures d'insertion prévues et réalisées (marchés à heures prévues)"]
    assert head == ["Année", "prévues (heures)", "réalisées (heures)"]
    assert rows == [["2025", "0", "0"], ["2026", f"1{NNBSP}362", f"1{NNBSP}300"]]
    # 2026 : toutes les heures réalisées le sont sur des marchés à heures prévues ; GRCS-2025-AAA4 n'a pas
    # transmis ses résultats (test_report_chart_notes.py)
    assert note == "Sans les résultats non transmis de 1 dossier (voir « Données manquantes »)."


def _xlsx_charts(path: Path) -> dict[str, tuple[list[str], list[list[float | str]]]]:
    ws = openpyxl.load_workbook(path)["Graphiques"]
    rows = list(ws.iter_rows(values_only=True))
    out = {}
    for n, r in enumerate(rows):
        if r[0] and ws.cell(row=n + 1, column=1).font.bold and n + 1 < len(rows) and ws.cell(row=n + 2, column=1).font.bold:
            head = [c for c in rows[n + 1] if c is not None]
            body = []
            for data in rows[n + 2:]:
                if data[0] is None or data[1] is None:
                    break
                body.append(list(data[: len(head)]))
            out[r[0]] = (head, body)
    return out


@pytest.mark.parametrize("scope", ["", "region_"])
def test_chart_values_are_those_of_the_xlsx_html_and_docx(outputs: dict[str, Path], scope: str) -> None:
    md = md_charts(_md(outputs, scope))
    xlsx = _xlsx_charts(outputs[scope + "xlsx"])
    assert set(md) == set(xlsx) and len(md) >= 5
    for title, (head, rows, _note) in md.items():
        x_head, x_rows = xlsx[title]
        if not rows:  # graphique vide : « Aucune donnée pour cette année. » partout
            assert x_rows == [] and head == [], title
            continue
        assert head[0] == x_head[0] and len(head) == len(x_head), title
        assert [r[0] for r in rows] == [_plain(str(r[0])) for r in x_rows], title
        for r, x in zip(rows, x_rows, strict=True):
            assert [_number(v) for v in r[1:]] == [pytest.approx(round(float(v), 1 if "%" in head[1] else 0)) for v in x[1:]], title
    html = outputs[scope + "html"].read_text(encoding="utf-8")
    drawn = {t for t, (_h, rows, _n) in md.items() if rows}
    assert drawn == {_plain(unescape(t)) for t in re.findall(r"<figcaption>(.*?)</figcaption>", html)}
    assert all(f"{t} : aucune donnée" in _plain(unescape(html)) for t in set(md) - drawn)
    captions = {_plain(p.text).rstrip(".") for p in docx.Document(str(outputs[scope + "docx"])).paragraphs if p.style.name == "Caption"}
    assert set(md) == captions


def test_region_public_secrecy_and_shares(outputs: dict[str, Path]) -> None:
    charts = md_charts(_md(outputs, "region_"))
    head, rows, _ = charts["Part des marchés notifiés avec une considération sociale"]
    assert head[1] == "part (%)" and all(re.fullmatch(r"\d+(?:,\d)?\u00a0%", r[1]) for r in rows)
    assert "Marchés notifiés par département d'exécution" in charts
    # les valeurs de la version publique sont celles du graphique : aucun effectif masqué n'y devient un chiffre
    assert all("<" not in v for _h, body, _n in charts.values() for r in body for v in r[1:])


def test_provenance_is_the_same_readable_sentence_in_every_format(outputs: dict[str, Path]) -> None:
    """Public : « Chaque chiffre de ce bilan provient des dossiers de l'annexe… », sans git ni commit,
    la même phrase en Markdown, HTML et DOCX ; la version interne y ajoute le détail technique."""
    public_md = _md(outputs, "region_")
    line = next(x for x in public_md.splitlines() if x.startswith("Traçabilité"))
    assert "Chaque chiffre de ce bilan provient des dossiers de l" in line
    assert not re.search(r"commit|\bgit\b|branche", line, re.I), line
    sentence = line.split(f"Traçabilité{NBSP}: ", 1)[1]
    assert sentence in unescape(outputs["region_html"].read_text(encoding="utf-8"))
    assert any(p.text == sentence for p in docx.Document(str(outputs["region_docx"])).paragraphs)
    internal = next(x for x in _md(outputs, "").splitlines() if x.startswith("Traçabilité"))
    assert "Détail technique (version interne)" in internal and "commit" in internal
