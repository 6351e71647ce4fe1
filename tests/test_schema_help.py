"""Aide dans l'éditeur (issue 17) : chaque propriété du schéma des demandes a une description et un
errorMessage en français, et le vrai yaml-language-server les affiche sur une demande cassée."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import PROJECT, copy_repo

SCHEMA = PROJECT / "schemas" / "demande.schema.json"
NODE_DIR = PROJECT / "tests" / ".node"  # dossier local aux tests (ignoré par git)
ENGLISH = ("Value is not accepted", "Incorrect type", "Expected", "is not a RFC3339", "Missing property",
           "is not allowed", "String does not match", "Property ")


def _properties(node, path=""):
    for key, sub in (node.get("properties") or {}).items():
        dotted = f"{path}.{key}" if path else key
        yield dotted, sub
        yield from _properties(sub, dotted)
        if isinstance(sub.get("items"), dict):
            yield from _properties(sub["items"], dotted + "[]")


def test_every_property_has_french_description_and_error_message():
    props = list(_properties(json.loads(SCHEMA.read_text(encoding="utf-8"))))
    assert len(props) >= 129
    missing = [p for p, sub in props if not sub.get("description") or not sub.get("errorMessage")]
    assert missing == []
    english = [p for p, sub in props if any(w in sub["errorMessage"] for w in ENGLISH)]
    assert english == []


def test_field_reference_is_generated_from_the_schema():
    res = subprocess.run([sys.executable, str(PROJECT / "tools" / "gen_reference.py"), "--check"], capture_output=True, text=True,
                         cwd=PROJECT)
    assert res.returncode == 0, res.stdout + res.stderr
    page = (PROJECT / "docs" / "reference-champs.md").read_text(encoding="utf-8")
    assert "Contact qui a fait la demande" in page  # une description écrite dans le schéma


@pytest.fixture(scope="module")
def yaml_language_server():
    server = NODE_DIR / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
    if not server.is_file():
        if shutil.which("npm") is None or shutil.which("node") is None:
            pytest.skip("npm ou node absent : le test de l'éditeur (yaml-language-server) n'est pas lancé")
        NODE_DIR.mkdir(exist_ok=True)
        res = subprocess.run(["npm", "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--silent",
                              "yaml-language-server"], capture_output=True, text=True, timeout=600)
        if res.returncode != 0 or not server.is_file():
            pytest.skip(f"installation de yaml-language-server impossible (registre npm injoignable ?) : {res.stderr[-300:]}")
    return server


def test_editor_shows_french_messages_and_help(tmp_path, yaml_language_server):
    from lsp_client import LanguageServer

    root = copy_repo(tmp_path / "depot")
    path = root / "cases/2026/GRCS-2026-7F3K.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    broken = []
    for line in lines:
        if line.startswith("statut:"):
            line = "statut: inconnu"
        elif line.startswith("recue_le:"):
            line = "recue_le: 2026-13-45"
        elif line.strip().startswith("duree_mois:"):
            line = line.split(":")[0] + ": quarante"
        broken.append(line)
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    server = LanguageServer(yaml_language_server, root)
    try:
        diags = server.diagnostics(path)
        messages = [d["message"] for d in diags]
        assert diags, "aucun diagnostic du serveur"
        by_line = {d["range"]["start"]["line"]: d["message"] for d in diags}
        statut = next(i for i, t in enumerate(broken) if t.startswith("statut:"))
        duree = next(i for i, t in enumerate(broken) if "duree_mois" in t)
        assert by_line[statut].startswith("valeur possible : recue"), messages
        assert "nombre entier" in by_line[duree], messages
        assert not [m for m in messages if any(w in m for w in ENGLISH)], messages
        marche = next(i for i, t in enumerate(broken) if t.startswith("marche:"))
        assert "le marché envisagé par le donneur d'ordre" in server.hover(path, marche, 2)
    finally:
        server.close()
