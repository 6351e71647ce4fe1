"""`guichet sourcing DOSSIER` : structures inclusives qui peuvent répondre, avis, demandes aux réseaux
(couche typer mince ; logique dans core/sourcing/)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.common import RepoOption, echo, workspace


def sourcing(
    case: Annotated[str, typer.Argument(metavar="DOSSIER", help="Identifiant (GRCS-2026-7F3K) ou chemin du dossier.", show_default=False)],
    write: Annotated[bool, typer.Option("--write", help="Enregistre dans le dossier les réseaux et structures consultés (et committe).")] = False,
    answer: Annotated[list[str] | None, typer.Option("--answer", metavar="RESEAU=REPONSE", help="Enregistre une réponse reçue : RESEAU=interessee, pas_interessee ou sans_reponse (ou SIRET=… pour une structure). Répétable.", show_default=False)] = None,
    eml: Annotated[Path | None, typer.Option("--eml", metavar="DOSSIER_SORTIE", help="Écrit les demandes de sourcing (.eml, une par réseau) ; rien n'est envoyé.", show_default=False)] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Écrit la modification sans la committer.")] = False,
    repo: RepoOption = None,
) -> None:
    """Sourcing qualifié : par lot, les structures du registre structures/ qui peuvent répondre (et
    pourquoi), leurs effectifs par type, la dépendance économique, l'avis (réservation, clause ou
    aucune) avec les seuils de rules/sourcing.yaml, et la demande à chaque réseau concerné.

    Exemples :

      guichet sourcing GRCS-2026-7F3K

      guichet sourcing GRCS-2026-7F3K --write --eml brouillons/

      guichet sourcing GRCS-2026-7F3K --answer grafie=interessee --answer unea=sans_reponse
    """
    from guichet_cli.core.analysis import eml as eml_mod
    from guichet_cli.core.sourcing import present, service

    ws = workspace(repo)
    out = service.run(ws, case, write=write, answers=answer, eml_dir=eml, no_commit=no_commit)
    for line in present.lines(ws, out.case, out.sourcing, ws.store.registry):
        echo(line)
    for d in out.drafts:
        echo("")
        echo(f"--- Demande de sourcing (non envoyée) : {d.title} ---")
        echo(eml_mod.to_text(d))
    for p in out.eml_files:
        echo(f"Courriel écrit (non envoyé) : {p}")
    if write or answer:
        echo(f"Sourcing enregistré dans {ws.rel(out.case.path)}" if out.written else "Dossier déjà à jour : rien à enregistrer.")
        if out.sha:
            echo(f"Commit {out.sha[:10]}")


def register(app: typer.Typer) -> None:
    app.command("sourcing")(sourcing)
