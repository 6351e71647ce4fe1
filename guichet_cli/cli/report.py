"""guichet report : bilans annuels des clauses sociales (couche typer mince ; logique dans core/report)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.choices import ReportFormat
from guichet_cli.cli.common import RepoOption, echo, workspace
from guichet_cli.core.errors import DataError, UsageError


def report(
    year: Annotated[int, typer.Option("--year", metavar="ANNÉE", help="Année du bilan (AAAA).", show_default=False)],
    buyer: Annotated[str | None, typer.Option("--buyer", metavar="SIRET", help="SIRET du donneur d'ordre (un seul bilan).", show_default=False)] = None,
    all_buyers: Annotated[bool, typer.Option("--all", help="Un bilan par donneur d'ordre ayant une activité dans l'année.")] = False,
    region: Annotated[bool, typer.Option("--region", help="Panorama régional (tous les donneurs d'ordre).")] = False,
    public: Annotated[bool, typer.Option("--public", help="Version publiable : secret statistique, aucune donnée personnelle.")] = False,
    fmt: ReportFormat = "docx",
    detail: Annotated[bool, typer.Option("--detail", help="Avec --format table : tous les tableaux (par défaut : la synthèse, qui tient dans 100 colonnes).")] = False,
    out: Annotated[Path | None, typer.Option("--out", metavar="DOSSIER", help="Dossier de sortie (défaut : bilans/AAAA/ dans le dépôt).",
                                             show_default=False)] = None,
    repo: RepoOption = None,
) -> None:
    """Produit le bilan annuel quantitatif et qualitatif d'un donneur d'ordre, de tous, ou le panorama régional.

    Exemples :

      guichet report --year 2026 --buyer 27920061200109

      guichet report --year 2026 --buyer 27920061200109 --public --format md

      guichet report --year 2026 --all --format xlsx --out /tmp/bilans

      guichet report --year 2026 --region --format table
    """
    from guichet_cli.core.report import run
    from guichet_cli.core.report.build import candidate_buyers, prepare

    if not 2015 <= year <= 2100:
        raise UsageError(f"année {year} hors limites", "donner une année sur quatre chiffres, par exemple --year 2026")
    if buyer and all_buyers:
        raise UsageError("--buyer et --all sont incompatibles", "choisir un donneur d'ordre (--buyer SIRET) ou tous (--all)")
    if not (buyer or all_buyers or region):
        raise UsageError("quel bilan produire ?", "ajouter --buyer SIRET, --all ou --region")
    if buyer is not None and not re.fullmatch(r"[0-9]{14}", buyer.replace(" ", "")):
        raise UsageError(f"SIRET « {buyer} » invalide", "14 chiffres sans espace, par exemple --buyer 21930066200018")
    ws = workspace(repo)
    out_dir = out if out is not None else ws.root / "bilans" / str(year)
    ctx = prepare(ws)
    ctx.terminal_detail = detail
    outcome = run.Outcome()
    if buyer:
        siret = buyer.replace(" ", "")
        if siret not in ctx.dataset.buyers:
            raise run.unknown_buyer(ctx, siret)
        outcome = run.run_buyers(ctx, year, [siret], fmt, out_dir, public=public, skip_inactive=False)
    elif all_buyers:
        outcome = _batch(ctx, year, candidate_buyers(ctx), fmt, out_dir, public)
    if not region:  # le panorama les liste déjà dans ses « dossiers écartés »
        outcome.failed += run.apart(ctx)
    if region:
        reg = run.run_region(ctx, year, fmt, out_dir, public=public)
        outcome.written += reg.written
        outcome.missing += reg.missing
        outcome.terminal += reg.terminal
        outcome.failed += reg.failed
    for text in outcome.terminal:
        echo(text)
    _summary(outcome, year, ws.rel)


def _batch(ctx, year: int, sirets: list[str], fmt: str, out_dir: Path, public: bool):  # noqa: ANN001, ANN202
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from guichet_cli.core.report import run

    console = Console(stderr=True)
    with Progress(TextColumn("Bilans {task.fields[who]}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("bilans", total=len(sirets), who="")

        def step(siret: str) -> None:
            progress.update(task, advance=1, who=siret)

        return run.run_buyers(ctx, year, sirets, fmt, out_dir, public=public, on_progress=step)


def _summary(outcome, year: int, rel) -> None:  # noqa: ANN001
    from guichet_cli.core import frformat as fr

    lines = []
    if outcome.written:
        lines.append(f"Bilans {year} : {fr.count(len(outcome.written), 'fichier écrit', 'fichiers écrits', plain=True)}")
        lines += [f"  {rel(p)}" for p in outcome.written[:20]]
        if len(outcome.written) > 20:
            lines.append(f"  … et {fr.count(len(outcome.written) - 20, 'autre', 'autres', plain=True)}")
    if outcome.without_activity:
        lines.append(f"{fr.count(len(outcome.without_activity), 'donneur', 'donneurs', plain=True)} sans activité en {year} : pas de bilan.")
    if outcome.missing:
        lines.append(f"Données manquantes : {len(outcome.missing)} (détail dans la section « Données manquantes » des bilans)")
        import textwrap

        for who, m in outcome.missing[:50]:  # 100 colonnes au plus, comme les tableaux
            lines += textwrap.wrap(f"{who} — {m['dossier']} ({m['fichier']}) : {m['probleme']}", width=100,
                                   initial_indent="  ", subsequent_indent="      ")
    else:
        lines.append("Données manquantes : aucune.")
    echo("\n".join(lines), err=bool(outcome.terminal))
    if outcome.failed:
        for who, msg in outcome.failed:
            echo(f"  {who} : {msg}", err=True)
        raise DataError(
            f"{fr.count(len(outcome.failed), 'bilan ou dossier', 'bilans ou dossiers', plain=True)} en erreur (données invalides), "
            "les autres bilans ont été produits",
            "corriger les dossiers signalés (guichet validate) puis relancer la commande",
        )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
