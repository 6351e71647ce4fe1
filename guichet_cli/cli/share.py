"""`guichet share` : exporter pour un partenaire exactement ce dont il a besoin sur une demande."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.choices import ShareFormat
from guichet_cli.cli.common import RepoOption, echo, workspace


def share(
    case: Annotated[str, typer.Argument(metavar="DOSSIER", help="Identifiant ou chemin de la demande.")],
    partner: Annotated[str, typer.Option("--partner", metavar="PARTENAIRE", help="Identifiant du partenaire destinataire (partners/) : coordination-93, grafie…")],
    format_: ShareFormat = "yaml",
    out: Annotated[Path, typer.Option("--out", metavar="DOSSIER_SORTIE", help="Dossier où écrire l'export.")] = Path("partage"),
    repo: RepoOption = None,
) -> None:
    """Exporte une demande pour un partenaire qui n'a pas accès au dépôt : le marché, la
    recommandation, pourquoi il est sollicité et ses propres contacts sur la demande ; aucune autre
    donnée personnelle, aucune autre demande. Refusé si le partenaire n'est pas orienté sur la
    demande (routage enregistré). Rien n'est envoyé ni committé.

    Exemples :

      guichet share GRCS-2026-7F3K --partner coordination-93

      guichet share GRCS-2026-7F3K --partner grafie --format docx --out envois/
    """
    from guichet_cli.core import share as share_mod
    from guichet_cli.core.yamlio import atomic_write_bytes, atomic_write_text

    ws = workspace(repo)
    result = share_mod.build(ws, ws.store.case(case, checked=True), partner)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{result.stem}.{format_}"
    if format_ == "docx":
        atomic_write_bytes(path, share_mod.to_docx(result))
    else:
        atomic_write_text(path, share_mod.to_yaml(result))
    echo(f"Partage de {result.case.id} avec {partner} écrit : {path}")
    echo("Réservé à ce partenaire : à transmettre par un canal sûr, ne pas diffuser.")


def register(app: typer.Typer) -> None:
    app.command("share")(share)
