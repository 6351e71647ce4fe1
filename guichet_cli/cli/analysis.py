"""`guichet analyse`, `calibrate`, `route`, `screen` : analyse d'opportunité (couche typer mince ;
logique dans core/analysis/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from guichet_cli.cli.choices import AnalyseFormat
from guichet_cli.cli.common import RepoOption, echo, workspace
from guichet_cli.cli.screen import screen
from guichet_cli.core.errors import UsageError

NoCommit = Annotated[bool, typer.Option("--no-commit", help="Écrit la modification sans la committer.")]


def analyse(
    case: Annotated[str, typer.Argument(metavar="DOSSIER", help="Identifiant (GRCS-2026-7F3K) ou chemin du dossier.", show_default=False)],
    write: Annotated[bool, typer.Option("--write", help="Enregistre la recommandation et le calibrage dans le dossier (et committe).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Avec --write : remplace aussi une recommandation déjà transmise au donneur d'ordre.")] = False,
    no_commit: NoCommit = False,
    format_: AnalyseFormat = "text",
    repo: RepoOption = None,
) -> None:
    """Recommande la ou les dispositions sociales du marché et de chaque lot, vérifie l'obligation
    L2112-2-1 et calibre la clause d'insertion ; chaque décision cite la règle qui l'a produite.

    Exemples :

      guichet analyse GRCS-2026-7F3K

      guichet analyse GRCS-2026-7F3K --write

      guichet analyse GRCS-2026-7F3K --format json
    """
    import json

    from guichet_cli.core.analysis import present, service

    ws = workspace(repo)
    out, an = service.analyse(ws, case, write=write, no_commit=no_commit, force=force)
    if format_ == "json":
        echo(json.dumps(present.analysis_data(an, out.case), ensure_ascii=False, indent=2))
    elif format_ == "md":
        echo(present.analysis_markdown(an, out.case).rstrip("\n"))
    else:
        for line in present.analysis_lines(an, out.case):
            echo(line)
    if write:
        err = format_ != "text"  # un JSON ou un Markdown reste lisible : le compte rendu va sur la sortie d'erreur
        echo("", err=err)
        echo(f"Analyse enregistrée dans {ws.rel(out.path)}" if out.written else "Dossier déjà à jour : rien à enregistrer.", err=err)
        if out.sha:
            echo(f"Commit {out.sha[:10]} : {an.case_id} : analyse enregistrée", err=err)


def calibrate(
    amount: Annotated[str, typer.Option("--amount", metavar="MONTANT", help="Montant HT en euros, chiffres ou à la française (« 1 450 000 », « 1 450 000,50 € », « 1,2 M€ », « 800 k€ ») ; total sur la durée si --years.", show_default=False)],
    cpv: Annotated[str | None, typer.Option("--cpv", metavar="CPV", help="Code CPV (8 chiffres, chiffre de contrôle facultatif : 45000000 ou 45000000-7) : donne la part de main-d'œuvre de la table sectorielle.", show_default=False)] = None,
    rate: Annotated[str | None, typer.Option("--rate", metavar="TAUX", help="Taux d'insertion, entre 0 et 1 (0.05, 0,05 ou « 5 % »).", show_default=False)] = None,
    hourly_cost: Annotated[str | None, typer.Option("--hourly-cost", metavar="MONTANT", help="Coût horaire chargé en euros (30 ou 32,50).", show_default=False)] = None,
    labour_share: Annotated[str | None, typer.Option("--labour-share", metavar="PART", help="Part de main-d'œuvre, entre 0 et 1 ou en % (remplace la table sectorielle).", show_default=False)] = None,
    years: Annotated[float | None, typer.Option("--years", metavar="ANNÉES", help="Durée en années d'un accord-cadre : heures calculées sur le montant annuel.", show_default=False)] = None,
    duration: Annotated[int | None, typer.Option("--duration", metavar="MOIS", help="Durée d'exécution en mois (au lieu de --years) : heures et ETP par an, et total.", show_default=False)] = None,
    new_staff_share: Annotated[str | None, typer.Option("--new-staff-share", metavar="PART", help="Reprise du personnel : part du personnel nouvellement affecté, entre 0 et 1 ou en % (facteur P de la méthode propreté).", show_default=False)] = None,
    repo: RepoOption = None,
) -> None:
    """Calcule les heures d'insertion sans dossier (pour répondre à un acheteur au téléphone).

    heures = montant HT × part de main-d'œuvre × taux d'insertion ÷ coût horaire ; les valeurs
    non saisies viennent de rules/secteurs.yaml et rules/calibrage.yaml.

    Exemples :

      guichet calibrate --amount 1000000 --labour-share 0.5 --rate 0.05 --hourly-cost 30

      guichet calibrate --amount 1450000 --cpv 90911200 --years 4

      guichet calibrate --amount "1 200 000 €" --cpv 45000000 --rate "7 %"

      guichet calibrate --amount 600000 --cpv 90911200 --duration 36 --rate 0.05 --new-staff-share "30 %"
    """
    from guichet_cli.core.analysis import calibrate as calc

    ws = workspace(repo)
    cal = calc.quick(ws, calc.parse_number("--amount", amount), cpv, rate=calc.parse_number("--rate", rate, ratio=True),
                     hourly_cost=calc.parse_number("--hourly-cost", hourly_cost),
                     labour_share=calc.parse_number("--labour-share", labour_share, ratio=True), years=years, months=duration,
                     new_staff=calc.parse_number("--new-staff-share", new_staff_share, ratio=True))
    for line in calc.text_lines(cal):
        echo(line)


def route(
    case: Annotated[str | None, typer.Argument(metavar="[DOSSIER]", help="Identifiant ou chemin du dossier.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Route tous les dossiers du dépôt (affichage seulement).")] = False,
    write: Annotated[bool, typer.Option("--write", help="Enregistre le routage dans le dossier, régénère CODEOWNERS et committe.")] = False,
    eml: Annotated[Path | None, typer.Option("--eml", metavar="DOSSIER_SORTIE", help="Écrit les courriels de mise en relation (.eml, un par groupe de destinataires).", show_default=False)] = None,
    no_commit: NoCommit = False,
    repo: RepoOption = None,
) -> None:
    """Désigne les coordinations départementales (et la cheffe de file), les réseaux IAE et les
    réseaux partenaires à mobiliser, avec le motif de chacun, et prépare le courriel de mise en relation.

    Exemples :

      guichet route GRCS-2026-7F3K

      guichet route GRCS-2026-7F3K --write --eml brouillons/

      guichet route --all
    """
    from guichet_cli.core.analysis import eml as eml_mod
    from guichet_cli.core.analysis import present, service

    if (case is None) == (not all_):
        raise UsageError("indiquer un dossier, ou --all pour tous les dossiers", "par exemple : guichet route GRCS-2026-7F3K")
    if all_ and (write or eml):
        raise UsageError("--write et --eml s'utilisent avec un seul dossier", "relancer avec l'identifiant du dossier")
    ws = workspace(repo)
    reg = ws.store.registry
    today = dt.date.today()
    refs = [case] if case else [p.stem for p in ws.case_files()]
    for ref in refs:
        out, routing, recs, hours = service.route_case(ws, ref, write=write, no_commit=no_commit, registry=reg, today=today)
        cid = out.case.id
        if all_:
            coords = ", ".join(routing.coordinations)
            echo(f"{cid} : coordinations {coords} (cheffe de file {routing.lead}) ; réseaux {', '.join(routing.networks) or 'aucun'}")
            continue
        echo(f"Dossier {cid} — {out.case.marche.objet}")
        routing = _saved_routing(out.case, routing, write)
        for line in present.routing_lines(routing, reg):
            echo(line)
        drafts = eml_mod.drafts(ws, out.case, reg, routing, recs, hours, today=today, saved=write)
        for d in drafts:
            echo("")
            echo(f"--- Brouillon de courriel : {d.title} ---")
            echo(eml_mod.to_text(d))
        if eml is not None:
            for p in eml_mod.write_eml(ws, reg, drafts, cid, eml, today):
                echo(f"Courriel écrit : {p}")
        if write:
            echo(f"Routage enregistré dans {ws.rel(out.path)}" if out.written else "Dossier déjà à jour : rien à enregistrer.")
            if out.sha:
                echo(f"Commit {out.sha[:10]} : {cid} : routage enregistré")


def _saved_routing(case: Any, computed: Any, write: bool) -> Any:
    """Sans --write, les courriels suivent le routage ENREGISTRÉ (peut-être corrigé à la main) ;
    on prévient s'il diffère de celui que les règles donnent aujourd'hui."""
    from guichet_cli.core.analysis.route import from_saved

    if write or case.routage is None or not case.routage.coordinations:
        return computed
    saved = from_saved(case.routage)
    if saved.key() != computed.key():
        echo(f"Attention : le routage enregistré dans {case.id} diffère de celui que donnent les règles aujourd'hui "
             f"(enregistré : {', '.join(saved.coordinations + saved.networks)} ; recalculé : "
             f"{', '.join(computed.coordinations + computed.networks)}). Les courriels suivent le routage enregistré ; "
             "relancer avec --write pour le remplacer par le routage recalculé.", err=True)
    return saved


def register(app: typer.Typer) -> None:
    app.command("analyse")(analyse)
    app.command("calibrate")(calibrate)
    app.command("route")(route)
    app.command("screen")(screen)
