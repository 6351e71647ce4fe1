"""Graphique des dispositions recommandées et retenues par année (issue 11) : calculé une fois dans les
indicateurs du bilan, dessiné avec les mêmes chiffres dans le DOCX (image), le HTML (SVG en ligne)
et le XLSX (graphique Excel natif) ; libellés des dispositions tirés des données, jamais les codes.

Chiffres calculés à la main sur le dépôt connu (tests/report_data.py), donneur A :
- recommandations transmises : A3 le 21/05/2025 (EA/ESAT) ; A1 le 30/01/2026 (clause d'insertion) ;
  A2 le 31/03/2026 (SIAE et clause d'insertion) ;
- décisions : A5 le 01/04/2025 et A4 le 01/07/2025 (clause d'insertion), A3 le 01/06/2025 (EA/ESAT) ;
  A1 le 15/02/2026 (clause d'insertion), A2 le 20/04/2026 (aucune).
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import docx
import openpyxl
import pytest
from report_data import BUYER_A, build_repo

CLAUSE = "clause d'insertion (condition d'exécution)"
EA = "marché réservé aux entreprises adaptées et ESAT"
SIAE = "marché réservé aux structures d'insertion par l'activité économique (SIAE)"
NONE = "aucune considération sociale"
REC_TITLE = "Dispositions recommandées par le guichet, par année"
RET_TITLE = "Dispositions retenues par le donneur d'ordre, par année"
# par titre : {libellé : (2025, 2026)}
EXPECTED = {
    REC_TITLE: {CLAUSE: (0, 2), EA: (1, 0), SIAE: (0, 1)},
    RET_TITLE: {CLAUSE: (2, 1), EA: (1, 0), NONE: (0, 1)},
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from conftest import Cli, init_git

    base = tmp_path_factory.mktemp("dispositions")
    repo = init_git(build_repo(base / "depot"))
    cli = Cli()
    out = {}
    for fmt in ("json", "docx", "html", "xlsx"):
        cli("report", "--year", "2026", "--buyer", BUYER_A, "--format", fmt, "--out", str(base / "a"), repo=repo)
        out[fmt] = base / "a" / f"bilan-2026-{BUYER_A}.{fmt}"
        cli("report", "--year", "2026", "--region", "--format", fmt, "--out", str(base / "r"), repo=repo)
        out["region_" + fmt] = base / "r" / f"bilan-2026-region.{fmt}"
    out["repo"] = repo
    return out


def test_indicator_counts_by_hand(outputs: dict[str, Path]) -> None:
    for key in ("json", "region_json"):
        d = json.loads(outputs[key].read_text(encoding="utf-8"))["indicateurs"]["dispositions_par_annee"]
        assert d["annees"] == [2025, 2026]
        rows = {r["disposition"]: (r["libelle"], r["recommandees"], r["retenues"]) for r in d["par_disposition"]}
        assert rows == {
            "clause_insertion": (CLAUSE, [0, 2], [2, 1]),
            "reserve_ea_esat": (EA, [1, 0], [1, 0]),
            "reserve_siae": (SIAE, [0, 1], [0, 0]),
            "aucune": (NONE, [0, 0], [0, 1]),
        }


def _xlsx_chart(path: Path, title: str) -> dict[str, tuple[int, int]]:
    from openpyxl.chart import BarChart

    ws = openpyxl.load_workbook(path)["Graphiques"]
    rows = list(ws.iter_rows(values_only=True))
    start = next(n for n, r in enumerate(rows) if r[0] == title)
    assert rows[start + 1][:3] == ("Disposition", "2025", "2026")
    found = {}
    for r in rows[start + 2:]:
        if not r[0] or r[1] is None:
            break
        found[r[0]] = (r[1], r[2])
    # un graphique Excel natif, ancré sur la ligne du titre, qui lit ces deux colonnes
    charts = [c for c in ws._charts if c.anchor._from.row == start]
    assert len(charts) == 1 and isinstance(charts[0], BarChart) and charts[0].type == "bar"
    refs = [s.val.numRef.f for s in charts[0].series]
    assert refs == [f"'Graphiques'!$B${start + 3}:$B${start + 2 + len(found)}",
                    f"'Graphiques'!$C${start + 3}:$C${start + 2 + len(found)}"]
    return found


def _html_chart(path: Path, title: str) -> dict[str, tuple[int, int]]:
    html = path.read_text(encoding="utf-8")
    fig = next(f for f in re.findall(r"<figure>.*?</figure>", html, re.S)
               if unescape(re.search(r"<figcaption>(.*?)</figcaption>", f).group(1)) == title)
    found: dict[str, tuple[int, int]] = {}
    # une rangée : le libellé complet (infobulle), puis une barre par année « 2025 : n »
    for label, bars in re.findall(r"<text [^>]*><title>([^<]*)</title>.*?</text>((?:<rect .*?</rect><text [^>]*>[^<]*</text>)+)",
                                  fig, re.S):
        values = dict(re.findall(r"<title>(\d{4}) : (\d+)</title>", bars))
        found[unescape(label)] = (int(values["2025"]), int(values["2026"]))
    assert "2025" in fig and "2026" in fig  # légende des années
    return found


@pytest.mark.parametrize("scope", ["", "region_"])
def test_same_figures_in_xlsx_and_html(outputs: dict[str, Path], scope: str) -> None:
    for title, expected in EXPECTED.items():
        assert _xlsx_chart(outputs[scope + "xlsx"], title) == expected, title
        assert _html_chart(outputs[scope + "html"], title) == expected, title


@pytest.mark.parametrize("scope", ["", "region_"])
def test_docx_has_both_charts(outputs: dict[str, Path], scope: str) -> None:
    d = docx.Document(str(outputs[scope + "docx"]))
    captions = [p.text.replace("\u00a0", " ").rstrip(".") for p in d.paragraphs if p.style.name == "Caption"]
    assert REC_TITLE in captions and RET_TITLE in captions
    assert len(d.inline_shapes) == len(captions)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "clause_insertion" not in text and "reserve_" not in text


def test_docx_chart_images_are_drawn_from_the_figures(outputs: dict[str, Path]) -> None:
    """L'image du DOCX est celle que dessinent les chiffres des indicateurs ; un chiffre de plus la change."""
    import zipfile

    from guichet_cli.core.report import chart_data, charts

    report = json.loads(outputs["json"].read_text(encoding="utf-8"))
    by = chart_data.disposition_year_charts(report["indicateurs"]["dispositions_par_annee"])
    assert [c.title for c in by] == [REC_TITLE, RET_TITLE]
    png = charts.grouped_barh_chart(by[1].categories, by[1].series, by[1].unit)  # la note est en texte sous la légende
    assert png.startswith(b"\x89PNG")
    with zipfile.ZipFile(outputs["docx"]) as z:
        media = [z.read(n) for n in sorted(z.namelist()) if n.startswith("word/media/")]
    assert png in media  # la même image que celle du DOCX (rendu reproductible)
    by[1].series[1][1][0] += 1
    assert charts.grouped_barh_chart(by[1].categories, by[1].series, by[1].unit) not in media


def test_years_follow_the_data_and_the_rule(outputs: dict[str, Path], tmp_path: Path) -> None:
    """Une décision de 2023 : hors des 3 années par défaut (2024 à 2026, 2024 à zéro) ; dans la
    période avec annees_dispositions: 4 (rules/bilan.yaml)."""
    import shutil

    from conftest import Cli

    repo = tmp_path / "depot"
    shutil.copytree(outputs["repo"], repo)
    a3 = repo / "cases" / "2025" / "GRCS-2025-AAA3.yaml"
    data = json.loads(a3.read_text(encoding="utf-8"))
    data.update(id="GRCS-2023-AAA6", recue_le="2023-01-10")
    data["analyse"]["transmise_le"] = "2023-02-01"
    data["decision"]["date"] = "2023-03-01"
    data["execution"]["notifie_le"] = "2023-06-01"
    data["resultats"] = []
    (repo / "cases" / "2023").mkdir()
    (repo / "cases" / "2023" / "GRCS-2023-AAA6.yaml").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cli = Cli()

    def by_year() -> dict:
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)
        cli("report", "--year", "2026", "--buyer", BUYER_A, "--format", "json", "--out", str(out), repo=repo)
        return json.loads((out / f"bilan-2026-{BUYER_A}.json").read_text(encoding="utf-8"))["indicateurs"]["dispositions_par_annee"]

    d = by_year()
    assert d["annees"] == [2024, 2025, 2026]
    ea = next(r for r in d["par_disposition"] if r["disposition"] == "reserve_ea_esat")
    assert ea["recommandees"] == [0, 1, 0] and ea["retenues"] == [0, 1, 0]
    rules = repo / "rules" / "bilan.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("annees_dispositions: 3", "annees_dispositions: 4"),
                     encoding="utf-8")
    d = by_year()
    assert d["annees"] == [2023, 2024, 2025, 2026]
    ea = next(r for r in d["par_disposition"] if r["disposition"] == "reserve_ea_esat")
    assert ea["recommandees"] == [1, 0, 1, 0] and ea["retenues"] == [1, 0, 1, 0]
