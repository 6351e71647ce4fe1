"""Commandes du travail au fil de git : status, history, log, due, codeowners, init."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from guichet_cli.cli.choices import DueFormat, HistoryFormat
from guichet_cli.cli.common import RepoOption, echo, interactive, workspace
from guichet_cli.core.errors import EXIT_FINDINGS, UsageError

NoCommitOption = Annotated[
    bool, typer.Option("--no-commit", help="Écrit la modification sans la committer (elle reste dans la copie de travail).")
]


def _count(n: int, singular: str, plural: str) -> str:
    """Nombre accordé, texte simple (frformat.count : l'import de babel attend la commande, pas l'aide)."""
    from guichet_cli.core import frformat as fr

    return fr.count(n, singular, plural, plain=True)


def _date_opt(value: str | None, option: str) -> dt.date | None:
    from guichet_cli.core.status import parse_date

    return parse_date(value, option)


def _arrow(old: str | None, new: str | None, label: Any = str) -> str:
    """« reçue → en analyse » : libellés des statuts (schemas/defs.schema.json), pas leurs codes."""
    return f"{label(old) if old else 'aucun'} → {label(new)}" if new and old != new else ""


def status(
    case: Annotated[str, typer.Argument(metavar="DEMANDE", help="Identifiant de la demande (GRCS-2026-7F3K) ou chemin du fichier.", show_default=False)],
    new_status: Annotated[str, typer.Argument(metavar="STATUT", help="Nouveau statut (recue, en_analyse, recommandation_transmise, decision_rendue, marche_notifie, en_execution, cloturee, abandonnee).", show_default=False)],
    reason: Annotated[str | None, typer.Option("--reason", metavar="MOTIF", help="Motif (abandon.motif, decision.motif selon le statut).", show_default=False)] = None,
    date: Annotated[str | None, typer.Option("--date", metavar="AAAA-MM-JJ", help="Date du fait (AAAA-MM-JJ) ; par défaut aujourd'hui si le champ est vide.", show_default=False)] = None,
    decision: Annotated[str | None, typer.Option("--decision", metavar="SUITE", help="Suite donnée par le donneur d'ordre (decision_rendue) : suivie (toute la recommandation est retenue), partiellement_suivie (avec --retained) ou non_suivie (avec --reason).", show_default=False)] = None,
    retained: Annotated[list[str] | None, typer.Option("--retained", metavar="DISPOSITION", help="Avec --decision partiellement_suivie : disposition retenue par le donneur d'ordre, parmi celles recommandées ; répéter l'option. Demandée dans un terminal.", show_default=False)] = None,
    no_commit: NoCommitOption = False,
    repo: RepoOption = None,
) -> None:
    """Fait avancer une demande dans son cycle de vie et committe le changement.

    Refuse les transitions que rules/cycle_de_vie.yaml ne permet pas, et nomme chaque champ exigé
    par le nouveau statut qui manque encore.

    Exemples :

      guichet status GRCS-2026-7F3K en_analyse

      guichet status GRCS-2026-7F3K recommandation_transmise --date 2026-04-14

      guichet status GRCS-2026-7F3K decision_rendue --decision suivie --date 2026-05-02

      guichet status GRCS-2026-7F3K decision_rendue --decision partiellement_suivie --retained clause_insertion --reason "variante écartée"

      guichet status GRCS-2026-7F3K decision_rendue --decision non_suivie --reason "budget contraint"

      guichet status GRCS-2026-7F3K abandonnee --reason "projet d'achat reporté"
    """
    from guichet_cli.core.status import change_status

    ws = workspace(repo)
    if decision == "partiellement_suivie" and not retained and interactive():
        retained = _ask_retained(ws, case)
    res = change_status(ws, case, new_status, reason=reason, date=_date_opt(date, "--date"), decision=decision,
                        retained=retained, no_commit=no_commit)
    lc = ws.store.lifecycle
    echo(f"{res.case_id} : {lc.label(res.old) if res.old else 'aucun'} → {lc.label(res.new)}"
         + (f" (renseigné : {', '.join(res.filled)})" if res.filled else ""))
    echo(f"commit {res.sha[:10]}" if res.sha else "modification écrite, non committée")


def _ask_retained(ws: Any, ref: str) -> list[str]:
    """Décision partiellement suivie : quelles dispositions recommandées sont retenues (re-demandé si faux)."""
    from guichet_cli.core.facts import labels

    case = ws.store.case(ref)
    recommended = [d for d in case.recommended_dispositions if d != "aucune"]
    if not recommended:
        return []
    names = labels.of(ws)
    for i, d in enumerate(recommended, start=1):
        echo(f"  {i}. {names.disposition(d)} ({d})")
    while True:
        answer = typer.prompt("Dispositions retenues (numéros séparés par des virgules)")
        picks = [p.strip() for p in answer.split(",") if p.strip()]
        if picks and all(p.isdigit() and 1 <= int(p) <= len(recommended) for p in picks):
            return [recommended[int(p) - 1] for p in dict.fromkeys(picks)]
        echo(f"Réponse non comprise : écrire un ou plusieurs numéros entre 1 et {len(recommended)}, par exemple 1", err=True)


def history(
    case: Annotated[str, typer.Argument(metavar="DEMANDE", help="Identifiant de la demande ou chemin du fichier.", show_default=False)],
    fmt: HistoryFormat = "text",
    repo: RepoOption = None,
) -> None:
    """Chronologie d'une demande : date, auteur, action, statut avant → après, fusion éventuelle.

    Un changement arrivé par une demande de fusion est un seul événement (le commit de fusion).

    Exemples :

      guichet history GRCS-2026-7F3K

      guichet history cases/2026/GRCS-2026-7F3K.yaml --format json
    """
    from guichet_cli.core import frformat as fr
    from guichet_cli.core.history import load_history

    ws = workspace(repo)
    path = ws.find_case(case)
    hist = load_history(ws, only=[ws.rel(path)])
    events = hist.events_for(ws.rel(path))
    if fmt == "json":
        echo(json.dumps({"dossier": path.stem, "fichier": ws.rel(path), "evenements": [e.as_json() for e in events]},
                        ensure_ascii=False, indent=2))
        return
    if not events:
        echo(f"Historique de {path.stem} ({ws.rel(path)}) : aucun événement — le fichier n'a pas encore été committé "
             "(« git add » puis « git commit », ou une commande guichet sans --no-commit)")
        return
    echo(f"Historique de {path.stem} ({ws.rel(path)}) : {_count(len(events), 'événement', 'événements')}, du plus récent au plus ancien")
    label = ws.store.lifecycle.label
    for e in events:
        arrow = _arrow(e.status_before, e.status_after, label) or "-"
        line = f"{fr.date_fr(e.date)}  {e.author:<22} {(e.action or '-'):<14} {arrow:<45} {e.sha[:8]}"
        echo(line.rstrip())
        echo(f"            {e.subject}")
        if e.merge:
            echo(f"            fusion {e.sha[:8]} par {e.merged_by}")
        if e.change == "R" and e.old_path:
            echo(f"            renommé depuis {e.old_path}")


def log(
    since: Annotated[str | None, typer.Option("--since", metavar="AAAA-MM-JJ", help="Depuis cette date (AAAA-MM-JJ) ; par défaut les 7 derniers jours.", show_default=False)] = None,
    partner: Annotated[str | None, typer.Option("--partner", metavar="PARTENAIRE", help="Seulement les demandes routées vers ce partenaire (coordination-93, grafie…).", show_default=False)] = None,
    repo: RepoOption = None,
) -> None:
    """Activité récente sur toutes les demandes, pour la réunion hebdomadaire.

    Exemples :

      guichet log

      guichet log --since 2026-11-01 --partner coordination-93
    """
    from guichet_cli.core import frformat as fr
    from guichet_cli.core.history import load_history

    ws = workspace(repo)
    start = _date_opt(since, "--since") or (dt.date.today() - dt.timedelta(days=7))
    if partner is not None:
        if partner not in ws.store.registry.partners:
            raise UsageError(f"partenaire « {partner} » inconnu du registre partners/", "voir la liste : ls partners/")
    hist = load_history(ws, only=[])
    events = [e for e in hist.events if e.date[:10] >= start.isoformat()]
    hist.resolve(hist.keys_for(events))
    if partner is not None:
        # Dossiers actuels (une lecture chacun) ; un dossier supprimé n'a plus de routage à filtrer.
        present = sorted({ws.root / e.path for e in events if (ws.root / e.path).is_file()})
        routed = {ws.rel(c.path) for c in ws.store.cases(present) if partner in c.partners}
        events = [e for e in events if e.path in routed]
    echo(f"Activité depuis le {fr.date_fr(start)}" + (f" (partenaire {partner})" if partner else "") + f" : {_count(len(events), 'événement', 'événements')}")
    label = ws.store.lifecycle.label
    for e in events:
        arrow = _arrow(e.status_before, e.status_after, label)
        echo(f"{fr.date_fr(e.date)}  {e.case_id:<16} {e.author:<22} {e.subject}" + (f"  [{arrow}]" if arrow else ""))


def due(
    on: Annotated[str | None, typer.Option("--on", metavar="AAAA-MM-JJ", help="Date de référence (AAAA-MM-JJ) ; par défaut aujourd'hui.", show_default=False)] = None,
    fmt: DueFormat = "text",
    repo: RepoOption = None,
) -> None:
    """Ce qui attend qui, et depuis quand : réponses des donneurs d'ordre, réunions de lancement,
    bilans annuels, motifs de décisions non suivies ; suivi de l'exécution (notification non
    signalée, lancement sans facilitateur, relevés manquants, titulaire en retard). Délais :
    guichet.yaml et rules/suivi.yaml.

    Exemples :

      guichet due

      guichet due --on 2026-12-01 --format csv > relances.csv
    """
    from guichet_cli.core import frformat as fr
    from guichet_cli.core.due import compute_due

    ws = workspace(repo)
    report = compute_due(ws, _date_opt(on, "--on"))
    if report.warning:
        echo(f"Attention : {report.warning}", err=True)
    if fmt == "json":
        echo(json.dumps({"date": report.on.isoformat(), "attentes": [i.as_json() for i in report.items]}, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        typer.echo(report.to_csv(), nl=False)  # conventions françaises, BOM compris (core/sheets.py)
        return
    if not report.items:
        echo(f"Rien en attente au {fr.date_fr(report.on)}.")
        return
    echo(f"En attente au {fr.date_fr(report.on)} : {_count(len(report.items), 'point', 'points')}")
    for actor, items in report.by_actor().items():
        echo(f"\n{actor}")
        for i in items:
            echo(f"  {i.case_id:<16} depuis le {fr.date_fr(i.since)} ({i.days} j) : {i.waiting_for}")
            if i.waited_by:
                echo(f"  {'':<16} attendu par {i.waited_by}")


def codeowners(
    check: Annotated[bool, typer.Option("--check", help="N'écrit rien ; échoue si CODEOWNERS n'est pas à jour (pour la CI).")] = False,
    repo: RepoOption = None,
) -> None:
    """Génère CODEOWNERS : chaque demande est relue par la MACS et les équipes des partenaires routés.

    Exemples :

      guichet codeowners

      guichet codeowners --check     (dans l'intégration continue)
    """
    from guichet_cli.core.codeowners import FILE_NAME, is_stale, write_codeowners

    ws = workspace(repo)
    if check:
        if is_stale(ws):
            echo(f"{FILE_NAME} n'est pas à jour avec le routage des demandes.", err=True)
            echo("→ le régénérer avec « guichet codeowners » et le committer", err=True)
            raise typer.Exit(EXIT_FINDINGS)
        echo(f"{FILE_NAME} est à jour.")
        return
    path = write_codeowners(ws)
    echo(f"{ws.rel(path)} écrit.")


def init(
    directory: Annotated[Path, typer.Argument(metavar="DOSSIER", help="Dossier du nouveau dépôt (créé ; doit être absent ou vide).", show_default=False)],
    name: Annotated[str, typer.Option("--name", metavar="NOM", help="Nom du guichet.")] = "Guichet des clauses sociales",
    prefix: Annotated[str, typer.Option("--prefix", metavar="PRÉFIXE", help="Préfixe des identifiants de demande (2 à 8 majuscules).")] = "GRCS",
    organisation: Annotated[str, typer.Option("--organisation", metavar="ORGANISATION", help="Organisation sur la forge (GitHub ou GitLab).")] = "guichet-idf",
    macs_team: Annotated[str, typer.Option("--macs-team", metavar="@ORG/ÉQUIPE", help="Équipe de la MACS sur la forge.")] = "@guichet-idf/macs",
    toolkit: Annotated[str | None, typer.Option("--toolkit", metavar="SOURCE", help="D'où la CI installe guichet : adresse git du dépôt de l'outil (git+https://…/guichet.git, épinglée à l'étiquette de cette version) ou chemin d'une roue .whl copiée dans vendor/. Par défaut : git+https://github.com/ORGANISATION/guichet.git.", show_default=False)] = None,
    no_commit: NoCommitOption = False,
) -> None:
    """Crée un dépôt de demandes neuf (registres, schémas, règles, modèles, CI, pre-commit,
    CODEOWNERS, README) et fait son premier commit.

    Exemples :

      guichet init ../guichet-essai

      guichet init /srv/depots/guichet-77 --name "Guichet de Seine-et-Marne" --prefix GSM

      guichet init ../guichet-95 --toolkit dist/guichet_cli-0.1.0-py3-none-any.whl
    """
    import re

    from guichet_cli.core.scaffold import init_repository

    if not re.fullmatch(r"[A-Z]{2,8}", prefix):
        raise UsageError(f"préfixe invalide « {prefix} »", "2 à 8 lettres majuscules, par exemple GRCS")
    if not re.fullmatch(r"@[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?", macs_team):
        raise UsageError(f"équipe de forge invalide « {macs_team} »", "écrire @organisation/equipe, par exemple @guichet-idf/macs")
    root, sha = init_repository(directory, name=name, prefix=prefix, organisation=organisation, macs_team=macs_team, no_commit=no_commit,
                                 toolkit=toolkit)
    echo(f"Dépôt créé : {root}" + (f" (premier commit {sha[:10]})" if sha else " (sans commit)"))
    echo(f"→ ensuite : se placer dans le dépôt (cd {root}), activer la vérification à chaque commit "
         "(« pre-commit install »), puis le pousser vers la forge du guichet")


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("history")(history)
    app.command("log")(log)
    app.command("due")(due)
    app.command("codeowners")(codeowners)
    app.command("init")(init)
