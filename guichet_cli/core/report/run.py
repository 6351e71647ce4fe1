"""Production des bilans : rendu dans un format, écriture atomique, lot --all tolérant aux erreurs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import formats
from guichet_cli.core import frformat as fr
from guichet_cli.core.errors import DataError
from guichet_cli.core.report import text_out
from guichet_cli.core.report.build import ReportContext, buyer_report, has_activity, region_report
from guichet_cli.core.report.dataset import APART
from guichet_cli.core.report.tables import build_tables
from guichet_cli.core.yamlio import atomic_write_bytes

FORMATS = formats.REPORT
EXTENSIONS = {"docx": "docx", "xlsx": "xlsx", "md": "md", "csv": "csv", "json": "json", "html": "html"}


def stamp_for(year: int) -> dt.datetime:
    """Date figée des propriétés de document : fin de l'année du bilan (mêmes données → mêmes octets)."""
    return dt.datetime(year, 12, 31, 0, 0, 0)


def render(ctx: ReportContext, report: dict[str, Any], fmt: str) -> bytes:
    labels = ctx.settings.labels
    if fmt == "json":
        return text_out.to_json(report)
    tables = build_tables(report, labels)
    if fmt == "md":
        return text_out.to_markdown(report, tables, labels)
    if fmt == "csv":
        return text_out.to_csv(tables)
    if fmt == "table":
        return text_out.to_terminal(report, tables, detail=ctx.terminal_detail).encode("utf-8")
    year = report["bilan"]["annee"]
    if fmt == "xlsx":
        from guichet_cli.core.report.xlsx_out import to_xlsx

        return to_xlsx(report, tables, stamp_for(year), labels)
    if fmt == "html":
        from guichet_cli.core.report.html_out import to_html

        return to_html(report, tables, labels, previous_year(ctx, report))
    if fmt == "docx":
        from guichet_cli.core.report.docx_out import TEMPLATE, to_docx

        return to_docx(report, tables, labels, ctx.ws.data_dir("report_templates") / TEMPLATE, stamp_for(year))
    raise ValueError(fmt)


def previous_year(ctx: ReportContext, report: dict[str, Any]) -> dict[str, Any] | None:
    """Le même bilan pour l'année précédente (même version), pour le panorama d'une année sur l'autre ;
    None si cette année-là n'a pas de données lisibles."""
    b = report["bilan"]
    public = b["version"] == "publique"
    try:
        if b["donneur"]:
            return buyer_report(ctx, b["donneur"]["siret"], b["annee"] - 1, public=public)
        return region_report(ctx, b["annee"] - 1, public=public)
    except DataError:
        return None


def file_name(report: dict[str, Any], fmt: str) -> str:
    b = report["bilan"]
    who = b["donneur"]["siret"] if b["donneur"] else "region"
    suffix = "-public" if b["version"] == "publique" else ""
    return f"bilan-{b['annee']}-{who}{suffix}.{EXTENSIONS[fmt]}"


@dataclass
class Outcome:
    written: list[Path] = field(default_factory=list)
    without_activity: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (SIRET, message)
    missing: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (SIRET ou « région », donnée manquante)
    terminal: list[str] = field(default_factory=list)  # sorties « table »


def produce(ctx: ReportContext, report: dict[str, Any], fmt: str, out_dir: Path, outcome: Outcome) -> None:
    who = report["bilan"]["donneur"]["siret"] if report["bilan"]["donneur"] else "région"
    outcome.missing += [(who, m) for m in report["donnees_manquantes"]]
    data = render(ctx, report, fmt)
    if fmt == "table":
        outcome.terminal.append(data.decode("utf-8"))
        return
    path = out_dir / file_name(report, fmt)
    atomic_write_bytes(path, data)
    outcome.written.append(path)


def run_buyers(
    ctx: ReportContext,
    year: int,
    sirets: list[str],
    fmt: str,
    out_dir: Path,
    *,
    public: bool = False,
    skip_inactive: bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Un bilan par donneur ; les données invalides d'un donneur sont signalées, les autres bilans produits."""
    outcome = Outcome()
    for siret in sirets:
        try:
            report = buyer_report(ctx, siret, year, public=public)
            if skip_inactive and not has_activity(report):
                outcome.without_activity.append(siret)
            else:
                produce(ctx, report, fmt, out_dir, outcome)
        except DataError as exc:
            outcome.failed.append((siret, exc.message))
        if on_progress:
            on_progress(siret)
    return outcome


def run_region(ctx: ReportContext, year: int, fmt: str, out_dir: Path, *, public: bool = False) -> Outcome:
    outcome = Outcome()
    report = region_report(ctx, year, public=public)
    produce(ctx, report, fmt, out_dir, outcome)
    outcome.failed += [(r["fichier"] or "?", r["probleme"]) for r in report.get("dossiers_ecartes", [])]
    return outcome


def apart(ctx: ReportContext) -> list[tuple[str, str]]:
    """Les dossiers illisibles dont le donneur d'ordre n'a pas pu être lu : listés à part, en erreur."""
    return [(APART, u.message) for u in ctx.dataset.apart]


def unknown_buyer(ctx: ReportContext, siret: str) -> DataError:
    message = f"aucun dossier pour le donneur d'ordre {siret}"
    if ctx.dataset.apart:
        message += f" ; {fr.count(len(ctx.dataset.apart), 'dossier illisible', 'dossiers illisibles', plain=True)} au donneur inconnu : " + " ; ".join(
            u.message for u in ctx.dataset.apart)
    return DataError(message, "vérifier le SIRET (donneurs/<siret>.yaml) ou lister avec --all")
