"""Registre des activités de traitement (ticket 15) : généré des schémas, de guichet.yaml, de partners/
et de rules/rgpd.yaml ; il suit chacune de ces sources et le --check voit la dérive."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import PROJECT, copy_repo

from guichet_cli.core.rgpd import people, register
from guichet_cli.core.workspace import open_workspace

TOOL = PROJECT / "tools" / "gen_register.py"


def _gen(repo, *args):
    return subprocess.run([sys.executable, str(TOOL), "--repo", str(repo), *args], capture_output=True, text=True, cwd=PROJECT)


def test_register_follows_each_source(tmp_path):
    repo = copy_repo(tmp_path / "depot", with_cases=False)
    (repo / "docs").mkdir()
    assert _gen(repo).returncode == 0
    page = (repo / "docs" / "registre-traitements.md").read_text(encoding="utf-8")
    assert _gen(repo, "--check").returncode == 0
    assert "**36 mois**" in page and "macs@maximilien.fr" in page
    assert "| GRAFIE |" in page and "| CD93 |" in page and "ATIGIP" not in page  # annexe 1 seulement
    for field in ("civilite", "prenom", "nom", "courriel", "telephone", "fonction"):
        assert f"`{field}`" in page
    assert "`demandeur`" in page and "`facilitateurs[].contact`" in page and "`contacts_dedies[]`" in page

    # réglage : durée de conservation
    cfg = repo / "guichet.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("conservation_contacts_mois: 36", "conservation_contacts_mois: 24"),
                   encoding="utf-8")
    proc = _gen(repo, "--check")
    assert proc.returncode == 1 and "n'est plus à jour" in proc.stderr
    _gen(repo)
    assert "**24 mois**" in (repo / "docs" / "registre-traitements.md").read_text(encoding="utf-8")

    # schéma : un nouveau champ marqué x-personnel entre dans les catégories
    path = repo / "schemas" / "contact.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["mobile"] = {"type": "string", "description": "téléphone portable", "x-personnel": True,
                                      "x-rgpd-categorie": "coordonnées professionnelles"}
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    assert _gen(repo, "--check").returncode == 1
    _gen(repo)
    assert "| coordonnées professionnelles | `mobile` | téléphone portable |" in \
        (repo / "docs" / "registre-traitements.md").read_text(encoding="utf-8")

    # registre des partenaires : un partenaire retiré n'est plus destinataire
    (repo / "partners" / "unea.yaml").unlink()
    assert _gen(repo, "--check").returncode == 1
    _gen(repo)
    assert "UNEA" not in (repo / "docs" / "registre-traitements.md").read_text(encoding="utf-8")


def test_register_refuses_a_legal_basis_without_label(tmp_path):
    repo = copy_repo(tmp_path / "depot", with_cases=False)
    path = repo / "schemas" / "contact.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["base_legale_rgpd"]["enum"].append("interet_legitime")
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    proc = _gen(repo, "--check")
    assert proc.returncode == 1
    assert "base légale sans libellé : interet_legitime" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_erased_fields_are_the_marked_fields():
    """L'effacement vide exactement les champs que le schéma marque comme personnels."""
    ws = open_workspace(PROJECT)
    assert set(people.PERSONAL_FIELDS) == {f.name for f in register.personal_fields(ws)}
