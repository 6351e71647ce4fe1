"""`guichet import decp` et `guichet export decp|ocds` : données ouvertes (couche typer mince ;
logique dans core/opendata/). Les imports lourds sont dans les fonctions (démarrage rapide)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated

import typer

from guichet_cli.cli.choices import ImportFormat
from guichet_cli.cli.common import RepoOption, echo, workspace
from guichet_cli.core.errors import EXIT_FINDINGS, UsageError

SCHEMA_ENV = "GUICHET_DECP_SCHEMA"
SchemaOption = Annotated[Path | None, typer.Option(
    "--schema", help=f"Schéma officiel DECP v2.0.3 (schema_decp_v2.0.3.json) pour un contrôle complet (variable : {SCHEMA_ENV}).",
    show_default=False)]
NoCommit = Annotated[bool, typer.Option("--no-commit", help="Écrit les modifications sans les committer.")]

import_app = typer.Typer(help="Lit des données ouvertes (DECP) et les rapproche des demandes.", no_args_is_help=True)
export_app = typer.Typer(help="Publie les données sociales du guichet (DECP, OCDS).", no_args_is_help=True)


def _schema(value: Path | None) -> Path | None:
    if value is not None:
        return value
    env = os.environ.get(SCHEMA_ENV)
    return Path(env) if env else None


def _siret(value: str | None) -> str | None:
    if value is None:
        return None
    siret = value.replace(" ", "")
    if not re.fullmatch(r"[0-9]{14}", siret):
        raise UsageError(f"SIRET « {value} » invalide", "14 chiffres, par exemple --buyer 21930066200018")
    return siret


@import_app.command("decp")
def import_decp(
    files: Annotated[list[Path], typer.Argument(metavar="FICHIER…", help="Fichiers DECP v2 (JSON) à lire.", show_default=False)],
    buyer: Annotated[str | None, typer.Option("--buyer", help="Seulement les marchés de cet acheteur (SIRET).", show_default=False)] = None,
    since: Annotated[str | None, typer.Option("--since", help="Seulement les marchés notifiés à partir de cette date (AAAA-MM-JJ).",
                                              show_default=False)] = None,
    write: Annotated[bool, typer.Option("--write", help="Écrit les rapprochements confiants dans les demandes (et committe).")] = False,
    accept: Annotated[list[str] | None, typer.Option(
        "--accept", metavar="DECP_ID=DEMANDE", show_default=False,
        help="Accepte un rapprochement douteux : l'écrit dans la demande comme un confiant (et committe). Répétable.")] = None,
    reject: Annotated[list[str] | None, typer.Option(
        "--reject", metavar="DECP_ID=DEMANDE", show_default=False,
        help="Refuse un rapprochement douteux : noté dans la demande (rapprochements_refuses), il n'est plus proposé. Répétable.")] = None,
    fmt: ImportFormat = "text",
    schema: SchemaOption = None,
    no_commit: NoCommit = False,
    repo: RepoOption = None,
) -> None:
    """Lit des fichiers DECP (données essentielles de la commande publique), rapproche chaque marché
    des demandes du même acheteur (score et motifs), signale les incohérences et les défauts.

    Un enregistrement non conforme est écarté avec son motif ; un montant invraisemblable est
    signalé et ignoré ; les contrats de concession sont lus et dits hors champ. Code de sortie 1
    s'il y a des incohérences ou des défauts.

    Exemples :

      guichet import decp decp-2026.json

      guichet import decp decp-2026.json --buyer 21930066200018 --since 2026-01-01

      guichet import decp decp-2026.json --write

      guichet import decp decp-2026.json --accept 2026NET01=GRCS-2026-P4Q5 --reject 2026NET02=GRCS-2026-P4Q5

      guichet import decp decp-2026.json --format csv > rapprochements.csv
    """
    from guichet_cli.core.facts import dates
    from guichet_cli.core.opendata import importer, present

    since_date = dates.parse_option(since, "--since") if since else None
    accepted = [importer.parse_pair(v, "--accept") for v in accept or ()]
    rejected = [importer.parse_pair(v, "--reject") for v in reject or ()]
    ws = workspace(repo)
    rep = importer.run(ws, files, schema=_schema(schema), buyer=_siret(buyer), since=since_date, write=write, no_commit=no_commit,
                       lookup=importer.registry_lookup(ws), accept=accepted, reject=rejected)
    if fmt == "json":
        echo(present.to_json(rep))
    elif fmt == "csv":
        typer.echo(present.to_csv(rep), nl=False)
    else:
        for line in present.text_lines(rep):
            echo(line)
    if rep.has_findings:
        raise typer.Exit(EXIT_FINDINGS)


def _write(out: Path | None, text: str) -> None:
    if out is None:
        typer.echo(text)
        return
    from guichet_cli.core.yamlio import atomic_write_text

    atomic_write_text(out, text + "\n")
    echo(f"Écrit : {out}", err=True)


YearOption = Annotated[int | None, typer.Option("--year", help="Seulement l'année de notification AAAA.", show_default=False)]
OutOption = Annotated[Path | None, typer.Option("--out", help="Fichier de sortie (par défaut : la sortie standard).", show_default=False)]


@export_app.command("decp")
def export_decp(year: YearOption = None, out: OutOption = None, schema: SchemaOption = None, repo: RepoOption = None) -> None:
    """Publie les demandes notifiées au format DECP v2 (enregistrements « marche ») ; liste, par
    demande, les champs obligatoires qui manquent (la demande n'est alors pas publiée).

    Exemples :

      guichet export decp --year 2026 --out decp-guichet-2026.json

      guichet export decp --schema schema_decp_v2.0.3.json
    """
    from guichet_cli.core.opendata import export

    ws = workspace(repo)
    cases, _ = ws.store.load_cases()
    result = export.export_decp(ws, cases, year)
    doc = result.document()
    path = _schema(schema)
    errors = export.validate_decp(doc, path) if path and result.records else []
    if errors:
        raise UsageError("l'export ne valide pas le schéma DECP officiel, rien n'a été écrit :\n  " + "\n  ".join(errors[:20]),
                         "signaler ce cas à l'équipe guichet avec la demande concernée")
    _write(out, json.dumps(doc, ensure_ascii=False, indent=2))
    from guichet_cli.core import frformat as fr

    echo(fr.count(len(result.records), "marché publié", "marchés publiés", plain=True) + (f", conformes au schéma {path.name}" if path and result.records else ""),
         err=True)
    for inc in result.incomplete:
        for line in export.missing_lines(inc):
            echo(line, err=True)
    if result.incomplete:
        raise typer.Exit(EXIT_FINDINGS)


@export_app.command("ocds")
def export_ocds(year: YearOption = None, out: OutOption = None, repo: RepoOption = None) -> None:
    """Publie un paquet de publications OCDS (release package) : objectifs sociaux
    (tender.sustainability) et réservations (tender.otherRequirements.reservedParticipation),
    par la table de correspondance de rules/donnees_ouvertes.yaml.

    Exemples :

      guichet export ocds --year 2026 --out ocds-guichet-2026.json
    """
    from guichet_cli.core.opendata import export

    ws = workspace(repo)
    cases, _ = ws.store.load_cases()
    package, ids = export.export_ocds(ws, cases, year)
    _write(out, json.dumps(package, ensure_ascii=False, indent=2))
    from guichet_cli.core import frformat as fr

    echo(fr.count(len(ids), "publication OCDS", "publications OCDS", plain=True), err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
