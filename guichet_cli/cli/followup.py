"""`guichet followup import|show` et `guichet remind` : suivi de l'exécution (logique dans core/followup/)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.choices import FollowupImportFormat, FollowupShowFormat
from guichet_cli.cli.common import RepoOption, echo, workspace
from guichet_cli.core.errors import EXIT_FINDINGS, UsageError

OnOption = Annotated[str | None, typer.Option("--on", help="Date de référence (AAAA-MM-JJ) ; par défaut aujourd'hui.", show_default=False)]


def _on(value: str | None):  # -> dt.date
    import datetime as dt

    from guichet_cli.core.facts import dates

    return dates.parse_option(value, "--on") if value else dt.date.today()


def followup_import(
    files: Annotated[list[Path], typer.Argument(metavar="FICHIER…", help="Relevés des facilitateurs (.csv ou .xlsx).", show_default=False)],
    write: Annotated[bool, typer.Option("--write", help="Enregistre les relevés dans les demandes et committe (un commit pour l'import).")] = False,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Avec --write : écrit sans committer.")] = False,
    format_: FollowupImportFormat = "text",
    repo: RepoOption = None,
) -> None:
    """Importe les relevés des facilitateurs : chaque ligne est rapprochée d'une demande, d'un lot
    et d'un titulaire (identifiant du dossier, ou SIRET de l'acheteur + SIRET du titulaire +
    référence du marché). Les lignes non rapprochées ou illisibles sont listées avec leur numéro ;
    les autres sont importées. Sans --write, rien n'est écrit. Réimporter le même fichier ne change rien.

    Exemples :

      guichet followup import releves-2026-T3.csv

      guichet followup import releves-2026-T3.xlsx export-facilitateur.csv --write
    """
    from guichet_cli.core.followup.importer import import_files

    for f in files:
        if not f.is_file():
            raise UsageError(f"fichier introuvable : {f}", "vérifier le chemin du fichier")
    ws = workspace(repo)
    res = import_files(ws, files, write_=write, no_commit=no_commit)
    if format_ == "json":
        echo(json.dumps({"resume": {k: v for k, v in res.summary()},
                         "lignes_refusees": [{"fichier": p.file, "ligne": p.row, "problemes": p.problems} for p in res.problems],
                         "demandes_modifiees": [ws.rel(p) for p in res.changed], "commit": res.sha}, ensure_ascii=False, indent=2))
    else:
        for k, v in res.summary():
            echo(f"{k} : {v}")
        if write:
            echo(f"commit {res.sha[:10]}" if res.sha else ("relevés écrits, non committés" if res.changed else "rien à écrire"))
        else:
            echo("Aperçu : rien n'a été écrit (relancer avec --write pour enregistrer).")
    for p in res.problems:
        echo(f"{p.file}: ligne {p.row} : {' ; '.join(p.problems)}", err=True)
    if res.problems:
        raise typer.Exit(EXIT_FINDINGS)


def followup_show(
    case: Annotated[str, typer.Argument(help="Identifiant de la demande (GRCS-2025-9KXA) ou chemin du fichier.", show_default=False)],
    format_: FollowupShowFormat = "table",
    out: Annotated[Path | None, typer.Option("--out", metavar="FICHIER", help="Fichier de sortie (obligatoire pour xlsx).", show_default=False)] = None,
    on: OnOption = None,
    repo: RepoOption = None,
) -> None:
    """Par lot et par titulaire : heures dues, réalisées, restantes, rythme au regard de la part de
    la période écoulée, taux prévu en fin de marché, pénalités en jeu et pénalités constatées.

    Exemples :

      guichet followup show GRCS-2025-9KXA

      guichet followup show GRCS-2025-3M8Q --format xlsx --out suivi-3M8Q.xlsx
    """
    from guichet_cli.core.analysis.screen import write_output
    from guichet_cli.core.followup import show

    if format_ == "xlsx" and out is None:
        raise UsageError("le format xlsx s'écrit dans un fichier", "ajouter --out suivi.xlsx")
    ws = workspace(repo)
    shown = show.build(ws, ws.store.case(case, checked=True), _on(on))
    content = show.render(shown, format_)
    if out is not None:
        write_output(out, content)
        echo(f"Suivi écrit : {out}")
    else:
        sys.stdout.flush()
        echo(content.rstrip("\n") if isinstance(content, str) else "")


def remind(
    out: Annotated[Path, typer.Option("--out", metavar="DOSSIER", help="Dossier où écrire les courriels .eml (un par destinataire).")] = Path("relances"),
    on: OnOption = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Écrit les relances dans les demandes sans committer.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montre les relances sans rien écrire.")] = False,
    repo: RepoOption = None,
) -> None:
    """Rédige les courriels de relance de ce que « guichet due » liste : un fichier .eml par
    destinataire, avec les faits et les dates. Rien n'est envoyé. Chaque relance est notée dans la
    demande (suivi.relances) : la suivante est d'un rang plus haut et monte d'un cran.

    Exemples :

      guichet remind --out relances/

      guichet remind --on 2027-01-15 --dry-run
    """
    from guichet_cli.core.followup.remind import draft_reminders

    ws = workspace(repo)
    res = draft_reminders(ws, out, on=_on(on), write_=not dry_run, no_commit=no_commit)
    if not res.drafts:
        echo("Aucune relance à rédiger : rien n'est en attente.")
        return
    from guichet_cli.core import frformat as fr

    for d in res.drafts:
        where = f" → {d.path}" if d.path else ""
        echo(f"{d.recipient} ({d.address or 'adresse inconnue'}) : {fr.count(len(d.items), 'attente', 'attentes', plain=True)}, "
             f"relance n° {d.rank}{where}")
    if dry_run:
        echo("Aperçu : rien n'a été écrit.")
    else:
        echo(f"commit {res.sha[:10]}" if res.sha else "relances notées dans les demandes, non committées")


def migrate(
    write: Annotated[bool, typer.Option("--write", help="Écrit les relevés dans les demandes et committe (un commit).")] = False,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Avec --write : écrit sans committer.")] = False,
    repo: RepoOption = None,
) -> None:
    """Reprend les anciens résultats annuels (resultats[]) en relevés annuels de suivi (suivi.releves),
    pour les demandes à un seul titulaire ; resultats[] est gardé (profil, qualitatif). Sans --write,
    montre ce qui serait repris. Relancer ne change rien.

    Exemples :

      guichet migrate

      guichet migrate --write
    """
    from guichet_cli.core.followup.migrate import run

    ws = workspace(repo)
    mig = run(ws, write_=write, no_commit=no_commit)
    for path, statements in mig.planned.items():
        for st in statements:
            echo(f"{path.stem} : resultats {st['periode']} → relevé annuel ({sum(st['heures_par_modalite'].values())} h)")
    for cid, year, why in mig.skipped:
        echo(f"{cid} : resultats {year} non repris — {why}")
    if not mig.planned:
        echo("Rien à migrer : chaque année de resultats[] a déjà ses relevés, ou doit être répartie à la main.")
    elif write:
        echo(f"commit {mig.sha[:10]}" if mig.sha else "relevés écrits, non committés")
    else:
        echo("Aperçu : rien n'a été écrit (relancer avec --write).")


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        name="followup",
        help=("Suivi de l'exécution des clauses : relevés des facilitateurs, heures dues et réalisées par lot et titulaire.\n\n"
              "Exemples :\n\n  guichet followup import releves.csv --write\n\n  guichet followup show GRCS-2025-9KXA"),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    group.command("import")(followup_import)
    group.command("show")(followup_show)
    app.add_typer(group, name="followup")
    app.command("remind")(remind)
    app.command("migrate")(migrate)
