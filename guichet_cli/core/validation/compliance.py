"""Contrôle L2112-2-1 : au-delà du seuil européen, pour une consultation lancée depuis la date
d'application, « aucune considération sociale » exige un motif de dérogation enregistré.

Seuils, date et motifs sont lus dans rules/seuils.yaml et rules/obligation_sociale.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts import amounts, legal_frame, thresholds
from guichet_cli.core.findings import Finding
from guichet_cli.core.model.case import Case
from guichet_cli.core.rules import rule_ref
from guichet_cli.core.validation.context import KIND_CASE, CheckContext, file_check, repo_check
from guichet_cli.core.validation.messages import did_you_mean


def _none_targets(case: Case) -> Iterator[tuple[str | int, ...]]:
    for i, rec in enumerate(case.recommendations):
        if rec.disposition == "aucune":
            yield ("analyse", "recommandation", i, "disposition")
    for i, disp in enumerate(case.retained_dispositions):
        if disp == "aucune":
            yield ("decision", "dispositions_retenues", i)


def _without_condition(ctx: CheckContext, case: Case, rules: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], list[str]]]:
    """Listes (recommandation, dispositions retenues) sans « aucune » mais sans condition d'exécution ni
    réservation : un critère ou une variante seuls ne satisfont pas L2112-2-1 (familles_conformes)."""
    families = set(rules.get("familles_conformes") or [])
    excluded = set(rules.get("dispositions_non_conformes") or [])
    table = ctx.rules("dispositions").get("dispositions") or {}

    def conforming(disp: Any) -> bool:
        return disp not in excluded and (table.get(disp) or {}).get("famille") in families

    recs = list(case.recommended_dispositions)
    kept = list(case.retained_dispositions)
    for pointer, disps in ((("analyse", "recommandation"), recs), (("decision", "dispositions_retenues"), kept)):
        if disps and "aucune" not in disps and not any(conforming(d) for d in disps):
            yield pointer, [str(d) for d in disps]


def _lots_without_condition(ctx: CheckContext, case: Case, rules: dict[str, Any]
                            ) -> Iterator[tuple[tuple[str | int, ...], str, list[str]]]:
    """Lots d'un marché alloti qu'aucune recommandation conforme ne couvre (une recommandation sans
    `lots` couvre tous les lots). Chaque lot est soumis à L2112-2-1 comme le besoin entier."""
    if not rules.get("par_lot", True) or not case.marche.lots or not case.recommendations:
        return
    families = set(rules.get("familles_conformes") or [])
    excluded = set(rules.get("dispositions_non_conformes") or [])
    table = ctx.rules("dispositions").get("dispositions") or {}
    for i, lot in enumerate(case.marche.lots):
        mine = [r.disposition for r in case.recommendations if not r.lots or lot.numero in r.lots]
        if "aucune" in mine:
            continue  # signalé par _none_targets
        if not any(d not in excluded and (table.get(d) or {}).get("famille") in families for d in mine):
            yield ("marche", "lots", i), f"lot n° {lot.numero} ({lot.intitule})", [str(d) for d in mine]


@file_check(KIND_CASE)
def social_obligation(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    rules = ctx.rules("obligation_sociale")
    deroga = case.analyse.derogation if case.analyse else None
    motifs = rules.get("motifs_derogation") or {}
    if deroga is not None and deroga.motif not in motifs:
        yield Finding(path, f"motif de dérogation « {deroga.motif} » inconnu", ("analyse", "derogation", "motif"),
                      hint=did_you_mean(deroga.motif, list(motifs)) or f"motifs possibles : {', '.join(motifs)} ({rule_ref('obligation_sociale', 'motifs_derogation')})",
                      code="droit")
    targets = list(_none_targets(case))
    partial = list(_without_condition(ctx, case, rules))
    # Recommandation entière sans disposition conforme : un seul constat, pas un par lot.
    lots = [] if any(p == ("analyse", "recommandation") for p, _ in partial) else list(_lots_without_condition(ctx, case, rules))
    marche = case.marche
    launch = thresholds.launch_date(ctx.ws, marche)
    # Seul un motif de L2112-2-1 lève l'obligation : un motif inconnu garde le constat.
    if not (targets or partial or lots) or launch is None or (deroga is not None and deroga.motif in motifs):
        return
    btype = thresholds.buyer_type(ctx.ws, marche, case.donneur_ordre, ctx.registry)
    th = thresholds.check_threshold(ctx.ws, marche, btype, launch)
    ob = thresholds.check_obligation(ctx.ws, marche, th, ctx.today, deroga)
    if not ob.applies:
        return
    for pointer, label, disps in lots:
        yield Finding(path, f"{label} sans condition d'exécution sociale ni réservation ({', '.join(disps) or 'aucune disposition'}) : "
                            f"chaque lot d'un besoin au-dessus du seuil y est soumis ; {ob.reason} ; {th.text()}", pointer,
                      hint=f"recommander pour ce lot une clause (condition d'exécution) ou une réservation, ou enregistrer analyse.derogation ({rule_ref('obligation_sociale', 'par_lot')})",
                      code="droit")
    for pointer in targets:
        yield Finding(path, f"« aucune considération sociale » interdite sans dérogation : {ob.reason} ; {th.text()}", pointer,
                      hint=f"recommander une condition d'exécution sociale, ou enregistrer analyse.derogation (motif et justification ; {rule_ref('obligation_sociale', 'motifs_derogation')})",
                      code="droit")
    for pointer, disps in partial:
        yield Finding(path, f"aucune condition d'exécution sociale ni réservation parmi {', '.join(disps)} : {ob.reason} ; {th.text()}", pointer,
                      hint=f"ajouter une condition d'exécution sociale (clause) ou une réservation, ou enregistrer analyse.derogation ({rule_ref('obligation_sociale', 'familles_conformes')})",
                      code="droit")


@file_check(KIND_CASE)
def plausible_amounts(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    """Montants hors de la plage plausible des règles (1e17 € des DECP) : refusés, jamais calculés."""
    marche = case.marche
    fields: list[tuple[tuple[str | int, ...], float | None]] = [
        (("marche", "montant_estime_ht"), marche.montant_estime_ht), (("marche", "montant_maximum_ht"), marche.montant_maximum_ht)]
    fields += [(("marche", "lots", i, "montant_estime_ht"), lot.montant_estime_ht) for i, lot in enumerate(marche.lots)]
    if case.execution is not None:
        fields.append((("execution", "montant_notifie_ht"), case.execution.montant_notifie_ht))
    for pointer, value in fields:
        if value is not None and (why := amounts.implausible(ctx.ws, float(value))) is not None:
            yield Finding(path, why, pointer, hint="corriger le montant HT en euros (par exemple 1450000)", code="montant")


@repo_check
def ess_reaward(ctx: CheckContext, loaded: dict[Path, Any]) -> Iterator[Finding]:
    """L2113-15 : pas de nouveau marché réservé ESS au même organisme, par le même acheteur et pour les
    mêmes services, dans les 3 ans. Tout l'historique n'est lu que si un dossier validé est concerné."""
    from guichet_cli.core.analysis import ess

    def concerned(model: Any) -> bool:
        return (isinstance(model, Case) and model.execution is not None
                and ess.ESS in (model.retained_dispositions or model.recommended_dispositions))

    if ctx.summarized(loaded):
        # Les demandes ne sont plus en mémoire : L2113-15 lit leurs résumés (ess.Award), aucune n'est relue.
        mine = [(path, ent.award) for path, ent in loaded.items() if getattr(ent, "award", None) is not None]
        if not mine:
            return
        awards = ctx.case_summaries(loaded, "award", ess.award_of)
        for path, award in mine:
            if not _voluntary(ctx, award):
                yield from _reaward_findings(path, ess.conflicts(ctx.ws, award, awards=awards))
        return
    mine_cases = [ent.model for ent in loaded.values() if concerned(getattr(ent, "model", None))]
    if not mine_cases:
        return
    history = ctx.ws.store.load_cases()[0]
    for case in mine_cases:
        if legal_frame.for_case(ctx.ws, case, ctx.registry).voluntary:
            continue  # acheteur privé : hors code, la règle de L2113-15 ne lui est pas opposée
        yield from _reaward_findings(case.path, ess.conflicts(ctx.ws, case, history))


def _voluntary(ctx: CheckContext, award: Any) -> bool:
    """Acheteur privé (type du marché, sinon du registre) : hors code, L2113-15 ne lui est pas opposé."""
    kind = award.buyer_type or (ctx.registry.buyer_type(award.buyer) if award.buyer and ctx.registry is not None else None)
    return legal_frame.frame(ctx.ws, kind).voluntary


def _reaward_findings(path: Path, found: list[Any]) -> Iterator[Finding]:
    from guichet_cli.core.analysis import ess

    for i, prior in found:
        yield Finding(path, f"marché réservé ESS (L2113-15) attribué à {prior.nom} ({prior.siret}), déjà titulaire d'un marché réservé "
                            f"du même acheteur pour les mêmes services notifié le {fr.date_fr(prior.notified.isoformat())} ({prior.case_id}) : "
                            "moins de 3 ans", ("execution", "titulaires", i, "siret"),
                      hint=f"un même organisme ne peut pas recevoir un tel marché dans les 3 ans ({ess.reference()})", code="droit")
