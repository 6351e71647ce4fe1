"""`guichet rgpd` : droits des personnes (accès, rectification, effacement) et durée de conservation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.common import RepoOption, echo, workspace
from guichet_cli.core.errors import EXIT_FINDINGS, UsageError

PersonArg = Annotated[str, typer.Argument(metavar="PERSONNE", help="Identifiant du contact (contact-0007) ou adresse électronique.")]


def export(
    person: PersonArg,
    format_: Annotated[str, typer.Option("--format", help="text (résumé en français) ou json.")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Fichier où écrire l'export (sinon : écran).", show_default=False)] = None,
    repo: RepoOption = None,
) -> None:
    """Tout ce que le dépôt détient sur une personne (droit d'accès) : sa fiche, les demandes et
    registres qui la désignent, les commits qui les ont modifiés.

    Exemples :

      guichet rgpd export contact-0007

      guichet rgpd export helene.exemple@exemple.invalid --format json --out acces.json
    """
    from guichet_cli.core.rgpd import people
    from guichet_cli.core.yamlio import atomic_write_text

    if format_ not in ("text", "json"):
        raise UsageError(f"format « {format_} » inconnu", "choisir --format text ou json")
    ws = workspace(repo)
    h = people.holding(ws, people.find_person(ws, person))
    text = json.dumps(h.as_json(), ensure_ascii=False, indent=2) + "\n" if format_ == "json" else people.summary_fr(h)
    if out is not None:
        atomic_write_text(out, text)
        echo(f"Export écrit : {out}")
    else:
        echo(text.rstrip("\n"))


def rectify(
    person: PersonArg,
    set_: Annotated[list[str], typer.Option("--set", metavar="CHAMP=VALEUR", help="Champ à corriger (répéter l'option).")],
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Écrit sans committer.")] = False,
    repo: RepoOption = None,
) -> None:
    """Corrige la fiche d'une personne (droit de rectification) et committe.

    Exemples :

      guichet rgpd rectify contact-0007 --set nom=Martin-Exemple --set courriel=h.martin@exemple.invalid
    """
    from guichet_cli.core.rgpd import people

    changes = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"« {item} » : écrire CHAMP=VALEUR", "par exemple --set nom=Martin")
        changes[key.strip()] = value.strip()
    ws = workspace(repo)
    sha = people.rectify(ws, people.find_person(ws, person), changes, no_commit=no_commit)
    echo("Fiche rectifiée" + (f" ; commit {sha[:10]}" if sha else " (non committée)") + ".")


def erase(
    person: PersonArg,
    rewrite_history: Annotated[bool, typer.Option("--rewrite-history", help="Purge aussi les versions passées de tout l'historique git (git-filter-repo, irréversible).")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Ne pas demander de confirmation avant la purge de l'historique.")] = False,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Écrit sans committer (pas de purge possible).")] = False,
    repo: RepoOption = None,
) -> None:
    """Efface les données personnelles d'une personne (droit à l'effacement) : sa fiche est vidée
    (l'identifiant reste, il ne désigne plus personne), le changement est committé. Les versions
    passées restent dans l'historique git tant que --rewrite-history n'est pas demandé.

    Exemples :

      guichet rgpd erase contact-0007

      guichet rgpd erase contact-0007 --rewrite-history
    """
    from guichet_cli.core.rgpd import people

    if rewrite_history and no_commit:
        raise UsageError("--rewrite-history demande un commit", "relancer sans --no-commit")
    ws = workspace(repo)
    contact = people.find_person(ws, person)
    secrets = people.secrets_of(contact)
    sha = people.erase(ws, contact, no_commit=no_commit)
    echo(f"Données personnelles de {contact.id} effacées de la fiche" + (f" ; commit {sha[:10]}" if sha else "") + ".")
    if not rewrite_history:
        echo("Attention : les versions passées de la fiche restent dans l'historique git. Pour les purger :")
        echo(f"  guichet rgpd erase {contact.id} --rewrite-history   (réécrit tout l'historique avec git-filter-repo)")
        return
    echo("La purge réécrit TOUT l'historique git : identifiants de commit changés, dépôt distant retiré, "
         "clones et copies à refaire.")
    if not yes and not typer.confirm("Continuer ?", default=False):
        raise UsageError("purge annulée : la fiche est effacée, l'historique est intact")
    people.rewrite_history(ws, secrets)
    echo("Historique purgé.")
    for line in people.FORGE_STEPS:
        echo(line)


def due(
    format_: Annotated[str, typer.Option("--format", help="text ou json.")] = "text",
    repo: RepoOption = None,
) -> None:
    """Contacts dont la durée de conservation (conservation_contacts_mois de guichet.yaml) est
    dépassée : à effacer avec « guichet rgpd erase ». Code 1 s'il y en a.

    Exemples :

      guichet rgpd due

      guichet rgpd due --format json
    """
    from guichet_cli.core.rgpd import people

    ws = workspace(repo)
    items = people.due(ws)
    if format_ == "json":
        echo(json.dumps([{"contact": d.contact.id, "depuis": d.since.isoformat(), "raison": d.reason} for d in items],
                        ensure_ascii=False, indent=2))
    else:
        from guichet_cli.core import frformat as fr

        for d in items:
            echo(f"{d.contact.id} : à effacer depuis le {fr.date_fr(d.since)} ({d.reason})")
        echo(f"{fr.count(len(items), 'contact', 'contacts', plain=True)} à effacer (conservation : {people.retention_months(ws)} mois après la clôture).")
    if items:
        raise typer.Exit(EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    group = typer.Typer(name="rgpd", help=(
        "Données personnelles (RGPD) : accès, rectification, effacement, durée de conservation.\n\n"
        "Exemples :\n\n  guichet rgpd export contact-0007\n\n  guichet rgpd erase contact-0007 --rewrite-history\n\n  guichet rgpd due"),
        no_args_is_help=True, rich_markup_mode=None)
    group.command("export")(export)
    group.command("rectify")(rectify)
    group.command("erase")(erase)
    group.command("due")(due)
    app.add_typer(group, name="rgpd")
