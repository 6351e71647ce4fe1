"""--public : aucune donnée personnelle (nom ou courriel d'un contact) dans aucun format, secret
statistique (« < 3 »), textes qualitatifs publiables seulement."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from report_data import BUYER_A, SECRET_MAIL, SECRET_NAME, build_repo

from guichet_cli.core import yamlio

FORMATS = ("json", "md", "csv", "xlsx", "docx")


def _all_text(path: Path) -> str:
    """Tout le texte d'un fichier, y compris chaque partie XML d'un DOCX/XLSX (images exclues)."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels")))
    return path.read_text(encoding="utf-8-sig")


def _personal_data(repo: Path) -> list[str]:
    needles = []
    for path in sorted((repo / "contacts").glob("*.yaml")):
        c = yamlio.load_fast(path)
        if c.get("prenom") and c.get("nom"):
            needles += [f"{c['prenom']} {c['nom']}", f"{c['nom']} {c['prenom']}"]
        if c.get("courriel"):
            needles.append(str(c["courriel"]))
    return needles


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    from conftest import Cli

    base = tmp_path_factory.mktemp("public")
    repo = build_repo(base / "depot")
    cli = Cli()
    public: dict[str, str] = {}
    internal: dict[str, str] = {}
    for fmt in FORMATS:
        for scope in (["--buyer", BUYER_A], ["--region"]):
            cli("report", "--year", "2026", *scope, "--format", fmt, "--public", "--out", str(base / "pub"), repo=repo)
            if fmt in ("json", "md"):  # la version interne sert seulement à prouver que le texte piégé existe
                cli("report", "--year", "2026", *scope, "--format", fmt, "--out", str(base / "int"), repo=repo)
    for path in sorted((base / "pub").iterdir()):
        public[path.name] = _all_text(path)
    for path in sorted((base / "int").iterdir()):
        internal[path.name] = _all_text(path)
    for scope in (["--buyer", BUYER_A], ["--region"]):
        public[f"table {scope[0]}"] = cli("report", "--year", "2026", *scope, "--format", "table", "--public", repo=repo).output
    return repo, public, internal


def test_public_outputs_have_no_contact_data(produced) -> None:  # noqa: ANN001
    repo, public, internal = produced
    assert len(public) == 2 * len(FORMATS) + 2
    needles = _personal_data(repo)
    assert SECRET_NAME in needles and SECRET_MAIL in needles and len(needles) > 10
    # la version interne contient bien le texte piégé : le contrôle ci-dessous peut échouer
    assert any(SECRET_NAME in text for text in internal.values())
    for name, text in public.items():
        for needle in needles:
            assert needle not in text, f"{needle!r} trouvé dans {name}"


def test_public_statistical_secrecy_and_texts(produced) -> None:  # noqa: ANN001
    _repo, public, _internal = produced
    r = json.loads(public[f"bilan-2026-{BUYER_A}-public.json"])
    assert r["bilan"]["version"] == "publique" and r["bilan"]["secret_statistique_seuil"] == 3
    p = r["indicateurs"]["participants"]
    assert p["total"] == 7  # ≥ 3 : publié
    assert p["par_public"] == {"DELD": "< 3", "RSA": "< 3", "QPV": "< 3"}
    # secret secondaire (ticket 15) : « femmes < 3 | hommes 3 » sur un total publié se recalculait
    assert p["profil"] == {"femmes": "secret", "hommes": "secret", "moins_26_ans": "secret", "de_26_a_49_ans": "secret",
                           "plus_50_ans": "secret"}
    assert r["indicateurs"]["contrats"]["par_type"] == {"cdd": "secret", "interim_insertion": "secret"}
    assert "motifs" not in r["indicateurs"]["recommandations"]
    assert r["indicateurs"]["recommandations"]["motifs_non_publies"] == 1
    assert [q["dossier"] for q in r["qualitatif"]] == ["GRCS-2026-AAA1"]  # A5 non publiable
    assert "< 3" in public[f"bilan-2026-{BUYER_A}-public.md"] and "secret" in public[f"bilan-2026-{BUYER_A}-public.md"]


def test_secrecy_threshold_from_settings(cli, tmp_path: Path) -> None:  # noqa: ANN001
    repo = build_repo(tmp_path / "depot")
    conf = repo / "guichet.yaml"
    conf.write_text(conf.read_text(encoding="utf-8").replace("secret_statistique_seuil: 3", "secret_statistique_seuil: 5"),
                    encoding="utf-8")
    cli("report", "--year", "2026", "--buyer", BUYER_A, "--public", "--format", "json", "--out", str(tmp_path / "o"), repo=repo)
    r = json.loads((tmp_path / "o" / f"bilan-2026-{BUYER_A}-public.json").read_text(encoding="utf-8"))
    assert r["indicateurs"]["participants"]["profil"]["hommes"] == "secret"  # < 5 : masqué avec son groupe
    assert r["indicateurs"]["participants"]["total"] == 7
