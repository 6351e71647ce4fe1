"""`guichet share DOSSIER --partner ID` (ticket 15) : ce dont le partenaire a besoin, rien d'autre.

Pour chaque demande orientée du dépôt d'exemple et chaque partenaire orienté : l'export (YAML relu,
DOCX rouvert) ne contient aucune donnée personnelle d'un autre contact que les propres
facilitateurs de ce partenaire sur la demande, ni aucun motif reconnu de donnée personnelle ;
refus en français pour un partenaire non orienté.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROJECT, copy_repo
from ruamel.yaml import YAML

from guichet_cli.core.rgpd import patterns
from guichet_cli.core.workspace import open_workspace


@pytest.fixture(scope="module")
def share_repo(tmp_path_factory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("partage") / "depot")


def _docx_text(path: Path) -> str:
    from guichet_cli.core.docx_text import docx_text

    # la mise en page commune met des espaces insécables devant « : ; ! ? » (typographie française)
    return docx_text(path).replace("\u00a0", " ").replace("\u202f", " ")


def _own_contacts(reg, case, partner: str) -> set[str]:
    return {reg.facilitators[f].contact for f in case.routage.facilitateurs
            if f in reg.facilitators and reg.facilitators[f].coordination == partner}


def _personal_data(contact) -> list[str]:
    return [x for x in (contact.courriel, contact.telephone, contact.full_name if contact.prenom else None) if x]


def test_no_share_export_holds_another_contacts_personal_data(cli, share_repo, tmp_path):
    ws = open_workspace(share_repo)
    reg = ws.store.registry
    cases = [c for c in ws.store.cases() if c.partners]
    assert len(cases) >= 15
    out = tmp_path / "partage"
    written = own_seen = 0
    for case in cases:
        for i, partner in enumerate(case.partners):
            formats = ("yaml", "docx") if i == 0 else ("yaml",)
            for fmt in formats:
                res = cli("share", case.id, "--partner", partner, "--format", fmt, "--out", str(out), repo=share_repo)
                path = out / f"{case.id}-{partner}.{fmt}"
                assert str(path) in res.stdout
                text = path.read_text(encoding="utf-8") if fmt == "yaml" else _docx_text(path)
                written += 1
                assert case.marche.objet in text  # le partenaire orienté voit la demande
                own = _own_contacts(reg, case, partner)
                allowed = {x for cid in own for x in _personal_data(reg.contacts[cid])}  # numéro de standard commun
                for cid, contact in reg.contacts.items():
                    data = _personal_data(contact)
                    if cid in own:
                        own_seen += all(x in text for x in data)
                        continue
                    leaked = [x for x in data if x in text and x not in allowed]
                    assert not leaked, f"{path.name} : données de {cid} ({leaked})"
                if fmt == "yaml":
                    data = YAML(typ="safe").load(text)
                    assert data["demande"]["id"] == case.id
                    data.pop("vos_contacts", None)
                    data.pop("pour_joindre_le_guichet")
                    found = [(p, m.kind) for p, m in patterns.scan_tree(data)]
                    assert found == [], f"{path.name} : {found}"
                    # rien d'une autre demande
                    others = [c.id for c in ws.store.cases() if c.id != case.id and c.id in text]
                    assert others == [], path.name
    assert written >= 40
    assert own_seen >= 1  # les propres facilitateurs du partenaire, eux, y sont


def test_share_is_refused_to_a_partner_not_routed(cli, share_repo, tmp_path):
    out = tmp_path / "partage"
    res = cli("share", "GRCS-2026-7F3K", "--partner", "coordination-75", "--out", str(out), repo=share_repo, code=2)
    err = res.stdout + res.stderr
    assert "partage refusé : EPEC (coordination-75) n'est pas orienté sur GRCS-2026-7F3K" in err
    assert "guichet route GRCS-2026-7F3K --write" in err
    assert "Traceback" not in err
    assert not out.exists() or not list(out.iterdir())


def test_share_unknown_partner_and_unrouted_case(cli, share_repo, tmp_path):
    res = cli("share", "GRCS-2026-7F3K", "--partner", "inconnu", "--out", str(tmp_path), repo=share_repo, code=2)
    assert "partenaire « inconnu » inconnu du registre partners/" in res.stdout + res.stderr
    res = cli("share", "GRCS-2026-A2B9", "--partner", "coordination-95", "--out", str(tmp_path), repo=share_repo, code=2)
    assert "n'a pas encore de routage enregistré" in res.stdout + res.stderr
    assert not list(tmp_path.glob("*.yaml"))


def test_share_refuses_a_personal_datum_in_a_free_text(cli, tmp_path):
    """Même sans la validation préalable, l'export refait le repérage (core/share.py) : voir le test suivant."""
    repo = copy_repo(tmp_path / "depot")
    path = repo / "cases" / "2026" / "GRCS-2026-7F3K.yaml"
    text = path.read_text(encoding="utf-8")
    assert "justification: Marché de main-d'œuvre" in text
    path.write_text(text.replace("justification: Marché de main-d'œuvre", "justification: Vu avec Mme Martin, marché de main-d'œuvre"),
                    encoding="utf-8")
    out = tmp_path / "partage"
    res = cli("share", "GRCS-2026-7F3K", "--partner", "coordination-93", "--out", str(out), repo=repo, code=1)
    err = res.stdout + res.stderr
    # la demande est validée avant tout partage : refus avec fichier, ligne et colonne
    assert "cases/2026/GRCS-2026-7F3K.yaml:" in err and "donnée personnelle dans un texte libre : civilité suivie d'un nom" in err
    assert "Martin" not in err
    assert not out.exists() or not list(out.iterdir())


def test_share_rescans_the_export(tmp_path):
    """Défense en profondeur : l'export lui-même est passé au crible (si un texte a échappé à validate)."""
    from guichet_cli.core import share
    from guichet_cli.core.errors import DataError

    repo = copy_repo(tmp_path / "depot")
    ws = open_workspace(repo)
    with pytest.raises(DataError) as exc:
        share._check_no_personal_data({"marche": {"objet": "appeler jean.dupont@mairie.fr"}}, "GRCS-2026-7F3K")
    assert "partage refusé : donnée personnelle dans GRCS-2026-7F3K (marche.objet : adresse électronique" in exc.value.message
    assert "jean.dupont" not in exc.value.message
    assert ws.store.case("GRCS-2026-7F3K").marche.objet


def test_confidential_case_is_shared_with_its_routed_partner_only(cli, tmp_path):
    repo = copy_repo(tmp_path / "depot")
    path = repo / "cases" / "2026" / "GRCS-2026-7F3K.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("marche:\n", 'confidentielle_jusqu_au: "2099-01-01"\nmarche:\n', 1),
                    encoding="utf-8")
    out = tmp_path / "partage"
    cli("share", "GRCS-2026-7F3K", "--partner", "grafie", "--out", str(out), repo=repo)
    data = YAML(typ="safe").load((out / "GRCS-2026-7F3K-grafie.yaml").read_text(encoding="utf-8"))
    assert data["partage"]["confidentielle_jusqu_au"] == "2099-01-01"
    assert "vos_contacts" not in data  # GRAFIE n'a pas de facilitateur : aucun contact
    cli("share", "GRCS-2026-7F3K", "--partner", "unea", "--out", str(out), repo=repo, code=2)
    assert not (out / "GRCS-2026-7F3K-unea.yaml").exists()


def test_share_help_is_french():
    from typer.testing import CliRunner

    from guichet_cli.cli.app import app

    res = CliRunner().invoke(app, ["share", "--help"])
    assert res.exit_code == 0
    assert "Exporte une demande pour un partenaire" in res.stdout and "Exemples" in res.stdout
    assert (PROJECT / "docs" / "rgpd.md").read_text(encoding="utf-8").count("guichet share") >= 2
