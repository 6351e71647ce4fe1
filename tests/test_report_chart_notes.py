"""Notes des graphiques du bilan (issue 11) : un graphique qui omet ou masque des effectifs ou des
parts (secret statistique, part non calculée, marchés non classés, résultats non transmis) le dit
en français sous le graphique, la même note en DOCX, HTML, XLSX et Markdown (textes de
rules/bilan.yaml, notes_graphiques).

Dépôt connu (tests/report_data.py), panorama 2026 : participants par public DELD 2, RSA 2, QPV 1,
tous sous le seuil de 3 en version publique ; un dossier en exécution sans résultats 2026
(GRCS-2025-AAA4) ; sans rules/seuils.yaml, le seul marché notifié en 2026 n'a pas de seuil connu.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import docx
import openpyxl
import pytest
from report_data import build_repo

PUBLICS = "Participants par public éligible"
HOURS = "Heures d'insertion prévues et réalisées (marchés à heures prévues)"
SHARES = "Part des marchés notifiés avec une considération sociale"
SECRET = ("Non représentés (secret statistique, effectifs inférieurs à 3) : demandeurs d'emploi de longue durée, "
          "allocataires du RSA, résidents des quartiers prioritaires.")
MISSING = "Sans les résultats non transmis de 1 dossier (voir « Données manquantes »)."
NO_SHARE = ("Non représentée : la part des marchés {}, aucun marché dans ce périmètre en 2026 (part non calculée).")
UNCLASSIFIED = "Hors 1 marché notifié sans montant ou seuil européen connu : ni au-dessus ni au-dessous du seuil."


def _plain(text: str) -> str:
    return re.sub(r"[\u00a0\u202f]", " ", text)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from conftest import Cli, init_git

    base = tmp_path_factory.mktemp("notes")
    public = init_git(build_repo(base / "depot"))
    without_thresholds = init_git(build_repo(base / "sans-seuils"))
    (without_thresholds / "rules" / "seuils.yaml").unlink()
    cli = Cli()
    out: dict[str, Path] = {}
    for fmt in ("md", "html", "xlsx", "docx"):
        cli("report", "--year", "2026", "--region", "--public", "--format", fmt, "--out", str(base / "p"), repo=public)
        out["public_" + fmt] = base / "p" / f"bilan-2026-region-public.{fmt}"
        cli("report", "--year", "2026", "--region", "--format", fmt, "--out", str(base / "s"), repo=without_thresholds, code=None)
        out["seuils_" + fmt] = base / "s" / f"bilan-2026-region.{fmt}"
    return out


def notes_md(path: Path) -> dict[str, str]:
    section = path.read_text(encoding="utf-8").split("## Graphiques (valeurs)\n", 1)[1].split("\n## ", 1)[0]
    out = {}
    for block in section.split("### ")[1:]:
        title, _, rest = block.partition("\n")
        out[_plain(title)] = _plain(" ".join(line.strip("*") for line in rest.splitlines() if line.startswith("*")))
    return out


def notes_html(path: Path) -> dict[str, str]:
    html = unescape(path.read_text(encoding="utf-8"))
    section = html.split('<section id="graphiques">', 1)[1].split("</section>", 1)[0]
    out = {}
    for fig in re.findall(r"<figure>.*?</figure>", section, re.S):
        title = re.search(r"<figcaption>(.*?)</figcaption>", fig).group(1)
        note = re.search(r'<p class="note">(.*?)</p>', fig)
        out[_plain(title)] = _plain(note.group(1)) if note else ""
    for p in re.findall(r'<p class="note">(.*?)</p>', re.sub(r"<figure>.*?</figure>", "", section, flags=re.S)):
        title, _, rest = _plain(p).partition(" : aucune donnée pour cette année.")
        out[title] = rest.strip()  # graphique vide : titre, « aucune donnée », puis la note
    return out


def notes_xlsx(path: Path, titles: list[str]) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)["Graphiques"]
    col = [c for (c,) in ws.iter_rows(min_col=1, max_col=1, values_only=True)]
    out = {}
    for title in titles:
        start = col.index(title)
        nxt = min([col.index(t) for t in titles if col.index(t) > start] or [len(col)])
        body = [c for c in col[start + 2:nxt] if isinstance(c, str)]
        # les catégories ont une valeur en colonne B ; la note est la dernière cellule de texte, seule sur sa ligne
        rows = list(ws.iter_rows(min_row=start + 3, max_row=nxt, max_col=2, values_only=True))
        texts = [a for a, b in rows if isinstance(a, str) and b is None and a != "Aucune donnée pour cette année."]
        out[title] = _plain(texts[-1]) if texts and body else ""
    return out


def notes_docx(path: Path) -> dict[str, str]:
    paragraphs = docx.Document(str(path)).paragraphs
    out = {}
    for n, p in enumerate(paragraphs):
        if p.style.name == "Caption":
            after = paragraphs[n + 1] if n + 1 < len(paragraphs) else None
            is_note = after is not None and after.runs and all(r.italic for r in after.runs) and after.text.strip()
            out[_plain(p.text).rstrip(".")] = _plain(after.text) if is_note else ""
    return out


def all_formats(outputs: dict[str, Path], scope: str) -> list[dict[str, str]]:
    md = notes_md(outputs[scope + "md"])
    return [md, notes_html(outputs[scope + "html"]), notes_xlsx(outputs[scope + "xlsx"], list(md)), notes_docx(outputs[scope + "docx"])]


@pytest.mark.parametrize("scope", ["public_", "seuils_"])
def test_same_note_in_every_format(outputs: dict[str, Path], scope: str) -> None:
    md, html, xlsx, docx_ = all_formats(outputs, scope)
    assert set(md) == set(html) == set(xlsx) == set(docx_) and len(md) >= 7
    for title, note in md.items():
        assert html[title] == xlsx[title] == docx_[title] == note, title


def test_statistical_secrecy_names_what_is_masked(outputs: dict[str, Path]) -> None:
    md = notes_md(outputs["public_md"])
    assert md[PUBLICS] == f"{SECRET} {MISSING}"  # les trois publics masqués, nommés, sans leur effectif
    assert md[HOURS] == MISSING
    text = outputs["public_md"].read_text(encoding="utf-8")
    publics = text.split(f"### {PUBLICS}", 1)[1].split("###", 1)[0]
    assert "Aucune donnée pour cette année." in publics and "< 3" not in publics


def test_shares_not_computed_and_unclassified_markets(outputs: dict[str, Path]) -> None:
    md = notes_md(outputs["seuils_md"])
    assert md[SHARES] == " ".join([NO_SHARE.format("au-dessus du seuil européen"),
                                   NO_SHARE.format("soumis à l'obligation (L2112-2-1)"), UNCLASSIFIED])
    assert "Non représentés (secret statistique" not in md[PUBLICS]  # version interne : rien n'est masqué
    # avec les seuils, les deux parts sont calculées : pas de note sur le graphique des parts
    assert notes_md(outputs["public_md"])[SHARES] == ""
