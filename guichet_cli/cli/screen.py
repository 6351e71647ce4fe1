"""`guichet screen` : criblage d'un plan d'achat (couche typer mince ; logique dans core/analysis/screen.py)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.choices import ScreenFormat
from guichet_cli.cli.common import RepoOption, echo, workspace
from guichet_cli.core.errors import UsageError


def screen(
    plan: Annotated[Path, typer.Argument(metavar="PLAN", help="Plan d'achat annuel (.csv ou .xlsx).", show_default=False)],
    format_: ScreenFormat = "table",
    out: Annotated[Path | None, typer.Option("--out", metavar="FICHIER", help="Fichier de sortie (par défaut : la sortie standard pour table, csv et md).", show_default=False)] = None,
    buyer: Annotated[str | None, typer.Option("--buyer", metavar="SIRET", help="SIRET du donneur d'ordre (type d'acheteur du registre ; obligatoire avec --create-cases).", show_default=False)] = None,
    buyer_type: Annotated[str | None, typer.Option("--buyer-type", metavar="TYPE", help="Type d'acheteur : etat, pouvoir_adjudicateur, entite_adjudicatrice, defense_securite, prive.", show_default=False)] = None,
    create_cases: Annotated[bool, typer.Option("--create-cases", help="Crée une demande (brouillon) par ligne de priorité haute ou moyenne.")] = False,
    requester: Annotated[str | None, typer.Option("--requester", metavar="CONTACT", help="Contact demandeur des demandes créées (par défaut : le premier contact dédié du donneur d'ordre).", show_default=False)] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Crée les demandes sans les committer.")] = False,
    repo: RepoOption = None,
) -> None:
    """Crible le plan d'achat d'un acheteur : pour chaque ligne, dispositions adaptées, heures
    d'insertion, seuil européen, condition sociale obligatoire (L2112-2-1) et priorité. Les lignes
    illisibles sont signalées avec leur numéro ; les autres sont criblées.

    Exemples :

      guichet screen plan-2027.csv

      guichet screen plan-2027.xlsx --buyer 21930066200018 --format xlsx --out criblage-2027.xlsx

      guichet screen plan-2027.csv --buyer 21930066200018 --create-cases
    """
    from guichet_cli.core.analysis import screen as core

    if format_ == "xlsx" and out is None:
        raise UsageError("le format xlsx s'écrit dans un fichier", "ajouter --out criblage.xlsx")
    if create_cases and not buyer:
        raise UsageError("--create-cases exige le donneur d'ordre", "ajouter --buyer SIRET")
    ws = workspace(repo)
    kwargs = {"buyer": buyer, "buyer_type": buyer_type, "keep": format_ != "csv" or create_cases}
    with _progress() as tick:
        # CSV : écrit ligne à ligne (fichier temporaire puis renommage), rien n'est gardé que les comptes
        if format_ == "csv" and out is not None:
            res = core.screen_csv_file(ws, plan, out, progress=tick, **kwargs)
        elif format_ == "csv":
            import io

            buf = io.StringIO()
            res = core.screen_csv(ws, plan, buf, progress=tick, **kwargs)
            content: str | bytes = buf.getvalue()
        else:
            res = core.screen_file(ws, plan, progress=tick, **kwargs)
            content = core.render(res, format_)
    if out is not None:
        if format_ != "csv":
            core.write_output(out, content)
        from guichet_cli.core import frformat as fr

        echo(f"Criblage écrit : {out} ({fr.count(res.count, 'ligne analysée', 'lignes analysées', plain=True)}, "
             f"{fr.count(len(res.bad), 'rejetée', 'rejetées', plain=True)})")
    else:
        sys.stdout.flush()
        # le CSV garde son BOM sur la sortie standard : « guichet screen plan.xlsx -f csv > criblage.csv » s'ouvre dans Excel
        echo(content.rstrip("\n") if isinstance(content, str) else "")
    for b in res.bad:
        echo(f"{plan.name}: ligne {b.row} : {' ; '.join(b.problems)}", err=True)
    if create_cases:
        assert buyer is not None
        to_err = out is None and format_ in ("csv", "md")  # ne pas mêler les messages à un CSV sur la sortie standard
        for c in core.create_cases(ws, res, buyer, requester, no_commit=no_commit):
            if c.existing:
                echo(f"Ligne {c.row} : déjà enregistrée ({c.existing}), pas de nouvelle demande", err=to_err)
            elif c.case_id:
                echo(f"Ligne {c.row} : demande créée {ws.rel(c.path) if c.path else c.case_id}" + (f" (commit {c.sha[:10]})" if c.sha else ""), err=to_err)
            else:
                echo(f"Ligne {c.row} : demande non créée : {c.problem}", err=True)


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[int], None] | None]:
    """Barre de progression sur la sortie d'erreur, seulement si c'est un terminal (jamais dans un
    tube, un fichier ou les tests) : lignes lues et débit."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from guichet_cli.core import frformat as fr

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), TextColumn("{task.fields[rate]}"),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Lignes analysées : 0", total=None, rate="")
        start = time.monotonic()
        last = 0

        def show(n: int) -> None:
            elapsed = time.monotonic() - start
            bar.update(task, completed=n, description=f"Lignes analysées : {fr.n(n)}",
                       rate=f"{fr.n(round(n / elapsed))} lignes/s" if elapsed > 0 else "")

        def tick(n: int) -> None:
            nonlocal last
            last = n
            if n % 250 == 0:  # mettre à jour la barre coûte : toutes les 250 lignes suffisent
                show(n)

        yield tick
        show(last)
