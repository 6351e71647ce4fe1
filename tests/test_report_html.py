"""guichet report --format html : page autonome (ni réseau ni fichier annexe), HTML5 valide, mêmes
chiffres que le JSON, graphiques SVG en ligne, panorama d'une année sur l'autre ; chargée dans un
vrai Chromium sans erreur de console, rendu non blanc (issue 11)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from guichet_cli.core import frformat as fr

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Drapeaux du Chromium sans écran, lancé en root, sur une machine sans réseau (docs de la machine)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--log-level=0"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from conftest import Cli, copy_repo, init_git

    base = tmp_path_factory.mktemp("html")
    repo = init_git(copy_repo(base / "depot"))
    cli = Cli()
    out = base / "bilans"
    for fmt in ("html", "json"):
        cli("report", "--year", "2026", "--region", "--format", fmt, "--out", str(out), repo=repo, code=None)
        cli("report", "--year", "2026", "--region", "--public", "--format", fmt, "--out", str(out), repo=repo, code=None)
        cli("report", "--year", "2026", "--buyer", "21930066200018", "--public", "--format", fmt, "--out", str(out), repo=repo,
            code=None)
    return {p.name: p for p in out.iterdir()}


def test_pages_are_valid_html5(pages: dict[str, Path]) -> None:
    import html5lib

    htmls = [p for n, p in pages.items() if n.endswith(".html")]
    assert len(htmls) == 3
    for path in htmls:
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(path.read_bytes())  # lève ParseError à la première faute
        assert parser.errors == []


def test_pages_are_self_contained(pages: dict[str, Path]) -> None:
    for name, path in pages.items():
        if not name.endswith(".html"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", text), name
        assert "<script" not in text and "<link" not in text and "@import" not in text and "url(" not in text, name
        assert text.count("<svg") >= (5 if "region" in name else 2) and 'lang="fr"' in text and 'name="viewport"' in text, name
        assert "@media print" in text


def test_same_figures_as_json(pages: dict[str, Path]) -> None:
    report = json.loads(pages["bilan-2026-region.json"].read_text(encoding="utf-8"))
    text = pages["bilan-2026-region.html"].read_text(encoding="utf-8")
    i = report["indicateurs"]
    assert f"<th scope=\"row\">Demandes reçues</th><td class=\"n\">{fr.integer(i['demandes']['recues'])}</td>" in text
    assert fr.money(i["marches"]["montant_notifie_ht"]) in text
    assert f"{fr.integer(i['heures']['realisees'])}\u00a0h" in text


def test_panorama_year_over_year(pages: dict[str, Path]) -> None:
    text = pages["bilan-2026-region.html"].read_text(encoding="utf-8")
    assert 'id="evolution"' in text and "Marchés notifiés 2025" in text and "Marchés notifiés 2026" in text
    for title in ("Par département d'exécution : 2025 et 2026", "Par disposition retenue : 2025 et 2026",
                  "Par secteur (CPV principal) : 2025 et 2026"):
        assert title.replace("'", "&#x27;") in text
    assert "Seine-Saint-Denis (93)" in text  # libellé, pas le code seul


def test_chart_labels_fit_their_column(pages: dict[str, Path]) -> None:
    """Un libellé de catégorie long (« demandeurs d'emploi de longue durée ») passe sur deux lignes
    qui tiennent dans la colonne des libellés (30 caractères à 12 px), au lieu d'être rogné à gauche ;
    le libellé entier reste dans l'infobulle."""
    html = pages["bilan-2026-region.html"].read_text(encoding="utf-8")
    labels = re.findall(r'<text text-anchor="end"><title>([^<]*)</title>((?:<tspan[^>]*>[^<]*</tspan>)+)</text>', html)
    assert len(labels) >= 20
    lines = {title: re.findall(r"<tspan[^>]*>([^<]*)</tspan>", spans) for title, spans in labels}
    assert all(len(line.replace("&#x27;", "'")) <= 30 for ls in lines.values() for line in ls), lines
    assert lines["demandeurs d&#x27;emploi de longue durée"] == ["demandeurs d&#x27;emploi de longue", "durée"]
    assert all(1 <= len(ls) <= 2 for ls in lines.values())


def test_public_page_shows_no_file_path_or_commit(pages: dict[str, Path]) -> None:
    for name in ("bilan-2026-region-public.html", "bilan-2026-21930066200018-public.html"):
        text = pages[name].read_text(encoding="utf-8")
        assert ".yaml" not in text and "commit" not in text.lower() and "--public" not in text


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent : installer le paquet Debian « chromium » "
                    "(fait par .ci/run quand la machine le permet) pour vérifier le bilan HTML dans un navigateur")
@pytest.mark.parametrize("size", ["1280,900", "390,844"], ids=["ordinateur", "telephone"])
def test_page_loads_in_chromium_without_console_error(pages: dict[str, Path], tmp_path: Path, size: str) -> None:
    import matplotlib.image

    for name in ("bilan-2026-region.html", "bilan-2026-21930066200018-public.html"):
        shot = tmp_path / f"{name}.png"
        profile = tmp_path / f"profil-{name}"
        result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
                                 f"--screenshot={shot}", pages[name].as_uri()],
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr[-2000:]
        console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
        assert console == [], console
        pixels = matplotlib.image.imread(str(shot))
        width, height = (int(x) for x in size.split(","))
        assert pixels.shape[1] == width and pixels.shape[0] == height
        dark = (pixels[:, :, :3].mean(axis=2) < 0.8).mean()  # part des pixels qui ne sont pas du fond blanc
        assert dark > 0.02, f"capture presque blanche ({dark:.1%}) : {name}"


def test_charts_keep_a_readable_size_on_a_phone(pages: dict[str, Path]) -> None:
    """Sur un écran étroit, un graphique ne rétrécit pas jusqu'à un texte de 6 px : il garde sa
    largeur (36rem) dans un cadre qui défile de côté ; à l'impression, il reprend la largeur de la page."""
    html = pages["bilan-2026-21930066200018-public.html"].read_text(encoding="utf-8")
    phone = re.search(r"@media \(max-width:40rem\)\{(.*?)\}\}", html, re.S)
    assert phone and ".chart{overflow-x:auto}" in phone.group(1) and ".chart svg{max-width:none;width:36rem" in phone.group(1)
    svgs = html.count("<svg ")
    assert svgs >= 3 and html.count('<div class="chart"><svg ') == svgs
