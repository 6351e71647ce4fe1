"""Ce qu'une personne lit montre des libellés, pas des codes (issue 17)."""

from __future__ import annotations


def test_route_shows_labels_and_facilitator_names(cli, repo):
    # le routage recalculé (--write) : sans --write, route suit le routage enregistré dans le dossier (issue 15)
    out = cli("route", "GRCS-2026-7F3K", "--write", "--no-commit", repo=repo).stdout
    assert "suit clause_insertion" not in out
    assert "accompagne : clause d'insertion (condition d'exécution)" in out
    fac = next(line for line in out.splitlines() if line.strip().startswith(("Facilitateur :", "Facilitateurs :")))
    assert "(facilitateur-93-" in fac and fac.split(":", 1)[1].strip()[0].isupper()  # un nom, puis l'identifiant


def test_status_shows_status_labels(tmp_path, cli):
    from test_workflow_support import base_case, new_git_repo

    root = new_git_repo(tmp_path, [base_case("GRCS-2026-AAAA")])
    out = cli("status", "GRCS-2026-AAAA", "en_analyse", "--date", "05/03/2026", repo=root).stdout
    assert "reçue → en analyse" in out and "recue → en_analyse" not in out


def test_field_label_reads_the_schema_description():
    """Chemin de champ → libellé : la description du schéma, à travers les « $ref » et les listes."""
    from conftest import PROJECT

    from guichet_cli.core.facts.labels import field_label
    from guichet_cli.core.workspace import open_workspace

    ws = open_workspace(PROJECT)
    assert field_label(ws, "execution.notifie_le") == "date de notification du marché"
    assert field_label(ws, "sourcing.consultations[].envoyee_le") == "date d'envoi de la demande de sourcing au réseau"
    assert field_label(ws, "inconnu.champ") == "inconnu.champ"
