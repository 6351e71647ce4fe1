"""`guichet render` (rédaction DOCX des dispositions recommandées) et `guichet templates check`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.common import RepoOption, echo, workspace
from guichet_cli.core.errors import EXIT_FINDINGS, GuichetError, UsageError
from guichet_cli.core.workspace import Workspace

DEFAULT_OUT = "redactions"


def _out_dir(ws: Workspace, out: Path | None) -> Path:
    if out is None:
        return ws.root / DEFAULT_OUT
    return out if out.is_absolute() else Path.cwd() / out


def _statuses(ws: Workspace) -> list[str]:
    from guichet_cli.core.facts import labels

    return labels.of(ws).choices("statut")


def render(
    case: Annotated[str | None, typer.Argument(metavar="DEMANDE", help="Dossier à rédiger : identifiant (GRCS-2026-7F3K) ou chemin du fichier.", show_default=False)] = None,
    all_cases: Annotated[bool, typer.Option("--all", help="Rédige tous les dossiers qui ont une recommandation.")] = False,
    status: Annotated[list[str] | None, typer.Option("--status", metavar="STATUT", help="Avec --all : seulement les dossiers de ce statut (option répétable).", show_default=False)] = None,
    year: Annotated[int | None, typer.Option("--year", metavar="ANNÉE", help="Avec --all : seulement les dossiers de cette année (cases/AAAA/).", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", metavar="DOSSIER", help=f"Dossier de sortie (défaut : {DEFAULT_OUT}/ à la racine du dépôt).", show_default=False)] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Produit aussi un PDF de chaque pièce avec LibreOffice (soffice --headless).")] = False,
    repo: RepoOption = None,
) -> None:
    """Rédige en DOCX les dispositions sociales recommandées d'un dossier, avec une lettre d'accompagnement.

    Une pièce par disposition recommandée (article de CCAP, règlement de la consultation, avis),
    nommée <ID>_<disposition>_<AAAA-MM-JJ>.docx ; mêmes données, mêmes octets. Le dossier doit
    être valide et avoir une recommandation (analyse.recommandation).

    Exemples :

      guichet render GRCS-2026-7F3K

      guichet render GRCS-2026-7F3K --out ~/Documents/redactions --pdf

      guichet render --all --status recommandation_transmise --year 2026
    """
    ws = workspace(repo)
    if all_cases and case:
        raise UsageError("donner soit un dossier, soit --all, pas les deux")
    if not all_cases and (status or year is not None):
        raise UsageError("--status et --year ne s'utilisent qu'avec --all", "exemple : guichet render --all --year 2026")
    if not all_cases and not case:
        raise UsageError("quel dossier rédiger ?", "guichet render GRCS-2026-7F3K, ou guichet render --all")
    for s in status or []:
        if s not in _statuses(ws):
            raise UsageError(f"statut inconnu « {s} »", f"statuts possibles : {', '.join(_statuses(ws))}")
    office = None
    if pdf:
        from guichet_cli.core.render.pdf import find_office

        office = find_office()  # avant tout rendu : rien n'est écrit si LibreOffice manque
    out_dir = _out_dir(ws, out)
    if all_cases:
        _render_all(ws, out_dir, status or [], year, office)
    else:
        assert case is not None
        _render_one(ws, ws.find_case(case), out_dir, office)


def _render_one(ws: Workspace, path: Path, out_dir: Path, office: str | None) -> None:
    from guichet_cli.core.render.drafts import Renderer, write_drafts

    plan = Renderer(ws).render_case(path)
    for target in write_drafts(plan, out_dir):
        echo(f"écrit : {ws.rel(target)}")
        if office:
            from guichet_cli.core.render.pdf import to_pdf

            echo(f"écrit : {ws.rel(to_pdf(office, target))}")
    for code in plan.without_template:
        echo(f"pas de modèle de rédaction pour la disposition « {code} » : à rédiger avec le guichet (voir rules/redaction.yaml)")


def _render_all(ws: Workspace, out_dir: Path, statuses: list[str], year: int | None, office: str | None) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from tabulate import tabulate

    from guichet_cli.core.render.drafts import Renderer, write_drafts

    paths = [p for p in ws.case_files() if year is None or p.parent.name == str(year)]
    # chaque dossier est lu une fois par le magasin ; un dossier illisible n'arrête pas le lot :
    # il est gardé (statut inconnu) et son rendu le signale avec fichier, ligne et champ
    cases, _problems = ws.store.load_cases(paths)
    by_path = {c.path.resolve(): c for c in cases}
    selected: list[tuple[Path, str]] = []
    without_rec = 0
    for path in paths:
        found = by_path.get(path.resolve())
        if found is not None:
            if statuses and found.statut not in statuses:
                continue
            if not found.recommendations:
                without_rec += 1
                continue
        selected.append((path, ws.store.lifecycle.label(found.statut) if found is not None else "?"))

    renderer = Renderer(ws)
    rows: list[list[str]] = []
    failures = written = 0
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("Rédaction", total=len(selected))
        for path, statut in selected:
            progress.update(task, description=f"Rédaction {path.stem}")
            try:
                plan = renderer.render_case(path)
                targets = write_drafts(plan, out_dir)
                if office:
                    from guichet_cli.core.render.pdf import to_pdf

                    for target in targets:
                        to_pdf(office, target)
                written += len(targets)
                pieces = ", ".join(_piece(ws, d.disposition) for d in plan.drafts)
                rows.append([path.stem, statut, pieces, "rédigé"])
            except GuichetError as exc:  # un dossier en échec n'arrête pas les autres
                failures += 1
                rows.append([path.stem, statut, "", f"ÉCHEC : {exc.message}"])
            progress.advance(task)
    if rows:
        echo(tabulate(rows, headers=["Dossier", "Statut", "Pièces", "Résultat"], tablefmt="simple", maxcolwidths=[None, 16, 30, 34]))  # 100 colonnes
        echo()
    from guichet_cli.core import frformat as fr

    done = len(rows) - failures
    summary = (f"{fr.count(done, 'dossier rédigé', 'dossiers rédigés', plain=True)}, "
               f"{fr.count(written, 'pièce écrite', 'pièces écrites', plain=True)} dans {ws.rel(out_dir)}/")
    if failures:
        summary += f" ; {failures} en échec"
    if without_rec:
        summary += f" ; {fr.count(without_rec, 'dossier sans recommandation ignoré', 'dossiers sans recommandation ignorés', plain=True)}"
    echo(summary + ".")
    if failures:
        raise typer.Exit(EXIT_FINDINGS)


def templates_check(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Affiche aussi les avertissements et les dossiers d'exemple ignorés.")] = False,
    no_render: Annotated[bool, typer.Option("--no-render", help="Vérifie les variables sans rendre les dossiers d'exemple.")] = False,
    repo: RepoOption = None,
) -> None:
    """Vérifie les modèles de clause_templates/ contre le contrat schemas/contexte_modele.schema.json.

    Liste les variables non déclarées et celles du contrat qu'aucun modèle n'utilise, puis rend
    chaque modèle contre chaque dossier d'exemple concerné. Code de sortie 1 au moindre problème :
    à lancer en intégration continue.

    Exemples :

      guichet templates check

      guichet templates check -v
    """
    from guichet_cli.core.render.check import check_templates

    ws = workspace(repo)
    result = check_templates(ws, render_samples=not no_render)
    for where, message in result.errors:
        echo(f"{where} : {message}")
    if verbose:
        for where, message in result.warnings:
            echo(f"{where} : avertissement : {message}")
        for where, message in result.skipped_cases:
            echo(f"{where} : dossier d'exemple non rendu : {message}")
    from guichet_cli.core import frformat as fr

    line = fr.count(result.templates, "modèle vérifié", "modèles vérifiés", plain=True)
    if not no_render:
        line += (f", {fr.count(result.renders, 'rendu', 'rendus', plain=True)} sur "
                 + fr.count(result.cases, "dossier d'exemple", "dossiers d'exemple", plain=True))
    if result.warnings and not verbose:
        line += f", {fr.count(len(result.warnings), 'avertissement', 'avertissements', plain=True)} (voir -v)"
    if result.errors:
        echo(f"{line} : {fr.count(len(result.errors), 'problème', 'problèmes', plain=True)}.")
        raise typer.Exit(EXIT_FINDINGS)
    echo(f"{line} : aucun problème.")


def _piece(ws: Workspace, code: str) -> str:
    """Ce qui a été rédigé, en mots : « clause d'insertion (condition d'exécution) », « lettre d'accompagnement »."""
    from guichet_cli.core.facts import labels

    return "lettre d'accompagnement" if code == "lettre_accompagnement" else labels.of(ws).disposition(code)


def register(app: typer.Typer) -> None:
    app.command("render")(render)
    templates = typer.Typer(
        name="templates",
        help=(
            "Modèles de rédaction (clause_templates/) : vérification du contrat de contexte.\n\n"
            "Exemples :\n\n  guichet templates check\n\n  guichet templates check -v --no-render"
        ),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    templates.command("check")(templates_check)
    app.add_typer(templates, name="templates")
