"""Assemble le bilan d'un donneur d'ordre ou le panorama régional (dictionnaire prêt à rendre)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.errors import DataError, GuichetError
from guichet_cli.core.facts import confidentiality
from guichet_cli.core.facts.thresholds import Checker, make_checker
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.report import indicators as ind
from guichet_cli.core.report.dataset import Dataset, load_dataset
from guichet_cli.core.report.facts import Facts, extract
from guichet_cli.core.report.secrecy import make_public
from guichet_cli.core.report.settings import ReportSettings, load_settings
from guichet_cli.core.workspace import Workspace


@dataclass
class ReportContext:
    ws: Workspace
    settings: ReportSettings
    registry: Registry
    dataset: Dataset
    last_commit: ind.LastCommit | None = None
    history_note: str = "historique indisponible"
    by_buyer: dict[str, list[Case]] = field(default_factory=dict)
    check: Checker | None = None
    terminal_detail: bool = False  # --format table : tous les tableaux (sinon la synthèse, 100 colonnes)

    def buyer_name(self, siret: str) -> str:
        return self.registry.buyer_name(siret)

    @property
    def desk(self) -> str:
        return str(self.ws.setting("guichet", "Guichet Régional des Clauses Sociales d'Île-de-France"))


def _history(ws: Workspace) -> tuple[ind.LastCommit | None, str]:
    """Dernier commit de chaque fichier, en un passage git ; sans git, le bilan le dit et continue."""
    from guichet_cli.core.history import load_history

    try:
        hist = load_history(ws, allow_shallow=True)
    except GuichetError as exc:
        return None, f"historique indisponible : {exc.message}"
    note = "dernier commit de chaque fichier (git, branche courante)"
    if hist.warning:
        note += f" ; {hist.warning}"
    return hist.last_commit, note


def prepare(ws: Workspace, *, with_history: bool = True) -> ReportContext:
    settings = load_settings(ws)
    ctx = ReportContext(ws=ws, settings=settings, registry=ws.store.registry, dataset=load_dataset(ws))
    if with_history:
        ctx.last_commit, ctx.history_note = _history(ws)
    ctx.by_buyer = ctx.dataset.by_buyer()
    ctx.check = make_checker(ws, ctx.registry, available=settings.thresholds is not None)
    return ctx


def _facts(ctx: ReportContext, cases: list[Case], year: int) -> list[Facts]:
    return [extract(c, year, ctx.settings, ctx.registry, ctx.check, ctx.dataset.rel(c)) for c in cases]


def _assemble(ctx: ReportContext, facts: list[Facts], prev: list[Facts], year: int, header: dict[str, Any]) -> dict[str, Any]:
    active = [f for f in facts if f.active]
    indicators = ind.compute(active, ctx.settings, partner_label=ctx.registry.partner_label)
    indicators["dispositions_par_annee"] = ind.dispositions_by_year(facts, year, ctx.settings)
    prev_active = [f for f in prev if f.active]
    comparison = None
    if prev_active:
        previous = ind.compute(prev_active, ctx.settings, partner_label=ctx.registry.partner_label)
        comparison = ind.comparison(indicators, previous, year - 1)
    return {
        "bilan": {
            **header,
            "annee": year,
            "guichet": ctx.desk,
            "version": "interne",
            "etp_source": ctx.settings.etp_source,
            "historique": ctx.history_note,
        },
        "indicateurs": indicators,
        "comparaison": comparison,
        "qualitatif": ind.qualitative(active),
        "donnees_manquantes": ind.missing(active),
        "annexe": ind.annex(active, ctx.last_commit),
    }


def candidate_buyers(ctx: ReportContext) -> list[str]:
    """Donneurs ayant au moins un dossier (lisible ou non), triés par SIRET."""
    return sorted(s for s in ctx.dataset.buyers if s)


def has_activity(report: dict[str, Any]) -> bool:
    return bool(report["annexe"])


def buyer_report(ctx: ReportContext, siret: str, year: int, *, public: bool = False) -> dict[str, Any]:
    unreadable = ctx.dataset.unreadable_of(siret)
    if unreadable:
        raise DataError(
            f"bilan {siret} non produit : {fr.agree(len(unreadable), 'dossier illisible', 'dossiers illisibles')} : " + " ; ".join(u.message for u in unreadable),
            "corriger le fichier puis vérifier avec « guichet validate »",
        )
    cases = ctx.by_buyer.get(siret, [])
    buyer = ctx.registry.buyers.get(siret)
    header = {
        "perimetre": "donneur",
        "titre": f"Bilan {year} des clauses sociales — {ctx.buyer_name(siret)}",
        "donneur": {"siret": siret, "nom": ctx.buyer_name(siret), "departement": buyer.departement if buyer else None},
    }
    report = _assemble(ctx, _facts(ctx, cases, year), _facts(ctx, cases, year - 1), year, header)
    return make_public(report, ctx.settings.secrecy_threshold) if public else report


def _safe_facts(ctx: ReportContext, year: int, rejected: list[dict[str, str]]) -> list[Facts]:
    out = []
    for case in ctx.dataset.cases:
        rel = ctx.dataset.rel(case)
        try:
            out.append(extract(case, year, ctx.settings, ctx.registry, ctx.check, rel))
        except DataError as exc:
            if not any(r["fichier"] == rel for r in rejected):
                rejected.append({"dossier": case.id, "fichier": rel, "probleme": exc.message})
    return out


def _mask_confidential(ctx: ReportContext, facts: list[Facts]) -> None:
    """Le panorama régional va à tous les partenaires : l'objet d'une demande encore confidentielle
    n'y figure pas (core/facts/confidentiality.py) ; ses montants n'y entrent que dans les totaux."""
    today = dt.date.today()
    for f in facts:
        if confidentiality.is_confidential(f.case, today):
            f.objet = confidentiality.public_view(ctx.ws, f.case, today).objet


def region_report(ctx: ReportContext, year: int, *, public: bool = False) -> dict[str, Any]:
    """Panorama régional : un dossier aux données invalides est écarté et listé, pas bloquant."""
    rejected: list[dict[str, str]] = []
    facts, prev = _safe_facts(ctx, year, rejected), _safe_facts(ctx, year - 1, rejected)
    header = {"perimetre": "region", "titre": f"Panorama régional {year} des clauses sociales — Île-de-France", "donneur": None}
    _mask_confidential(ctx, facts + prev)
    report = _assemble(ctx, facts, prev, year, header)
    report["panorama"] = ind.panorama([f for f in facts if f.active], ctx.settings, ctx.buyer_name)
    report["dossiers_ecartes"] = rejected + [
        {"dossier": u.case_id, "fichier": u.rel, "probleme": u.message} for u in ctx.dataset.unreadable
    ]
    return make_public(report, ctx.settings.secrecy_threshold) if public else report
