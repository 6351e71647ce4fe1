"""`guichet structures import FICHIER` : registre des structures inclusives (couche typer mince ;
logique dans core/sourcing/importer.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.common import RepoOption, echo, workspace
from guichet_cli.core.errors import DataError

structures_app = typer.Typer(help="Registre des structures inclusives (structures/) : import d'un export de réseau.",
                             no_args_is_help=True, rich_markup_mode=None)


@structures_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(metavar="FICHIER", help="Export CSV (séparateur ; ou ,) ou XLSX d'un réseau ou de la plateforme.", show_default=False)],
    network: Annotated[str | None, typer.Option("--network", help="Réseau qui fournit le fichier (identifiant de partners/) : ajouté aux réseaux de chaque structure.", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Dit ce qui serait ajouté ou modifié, sans rien écrire.")] = False,
    repo: RepoOption = None,
) -> None:
    """Charge un export dans structures/ : colonnes reconnues par rules/import_structures.yaml, SIRET
    contrôlé, lignes d'un même SIRET fusionnées, une fiche par structure. Les lignes fautives sont
    listées avec leur numéro et laissées de côté ; relancer le même import ne change rien.

    Exemples :

      guichet structures import export-grafie-2026.csv --network grafie

      guichet structures import export.xlsx --dry-run
    """
    from guichet_cli.core.sourcing import importer

    ws = workspace(repo)
    rep = importer.import_file(ws, file, network=network, dry_run=dry_run)
    from guichet_cli.core import frformat as fr

    echo(f"Import de {rep.source} : {fr.count(rep.rows, 'ligne lue', 'lignes lues', plain=True)}")
    echo("Colonnes reconnues : " + ", ".join(f"{h} → {f}" for f, h in rep.columns.items()))
    if rep.ignored_columns:
        echo("Colonnes ignorées : " + ", ".join(rep.ignored_columns))
    verb = "seraient " if dry_run else ""
    echo(f"Structures {verb}ajoutées : {len(rep.added)}")
    echo(f"Structures {verb}modifiées : {len(rep.changed)}")
    echo(f"Structures laissées telles quelles : {len(rep.unchanged)}")
    if rep.bad:
        echo(f"Lignes écartées : {len(rep.bad)}")
        for b in rep.bad[:200]:
            echo(f"  {rep.source}:{b.line}: {b.message}")
        if len(rep.bad) > 200:
            echo(f"  … et {fr.count(len(rep.bad) - 200, 'autre', 'autres', plain=True)}")
    if rep.codeowners is not None:
        echo(f"{ws.rel(rep.codeowners)} mis à jour (relecteurs des fiches)")
    if not dry_run and (rep.added or rep.changed):
        echo("Relire les fiches (git diff structures/), puis committer ou ouvrir une demande de fusion.")
    if rep.bad:
        raise DataError(f"{fr.count(len(rep.bad), 'ligne écartée', 'lignes écartées', plain=True)} ; les autres ont été {'examinées' if dry_run else 'importées'}",
                        "corriger les lignes indiquées dans le fichier puis relancer l'import (les lignes déjà importées ne changeront pas)")


def register(app: typer.Typer) -> None:
    app.add_typer(structures_app, name="structures")
