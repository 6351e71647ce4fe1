"""Contrôles du registre des structures (structures/) et du bloc `sourcing` des demandes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from guichet_cli.core.findings import Finding
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.structures import Structure
from guichet_cli.core.validation.checks import siret_problem
from guichet_cli.core.validation.context import KIND_CASE, KIND_STRUCTURE, CheckContext, file_check
from guichet_cli.core.validation.messages import did_you_mean


def commune_department(commune: str) -> str:
    """Département d'un code commune INSEE : 3 caractères outre-mer (97x), 2 sinon."""
    return commune[:3] if commune.startswith("97") else commune[:2]


@file_check(KIND_STRUCTURE)
def structure_identity(ctx: CheckContext, path: Path, s: Structure) -> Iterator[Finding]:
    if path.stem != s.siret:
        yield Finding(path, f"le nom du fichier ({path.name}) doit être le SIRET « {s.siret} »", ("siret",),
                      hint=f"renommer le fichier en {s.siret}.yaml (git mv)", code="identifiant")
    problem = siret_problem(s.siret)
    if problem:
        yield Finding(path, problem, ("siret",), hint="recopier le SIRET depuis l'avis de situation SIRENE (annuaire-entreprises.data.gouv.fr)", code="siret")
    if s.nature == "antenne" and not s.siege:
        yield Finding(path, "une antenne indique le SIRET de son siège (champ siege)", ("nature",), code="registre")
    if s.siege and siret_problem(s.siege):
        yield Finding(path, "SIRET du siège invalide (clé de contrôle)", ("siege",), code="siret")
    if commune_department(s.commune) != s.departement:
        yield Finding(path, f"la commune {s.commune} n'est pas dans le département {s.departement}", ("departement",), code="registre")
    reg = ctx.registry
    for i, pid in enumerate(s.reseaux):
        if pid not in reg.partners:
            yield Finding(path, f"réseau « {pid} » introuvable dans partners/", ("reseaux", i), hint=did_you_mean(pid, list(reg.partners)), code="reference")
    for i, cid in enumerate(s.contacts):
        if cid not in reg.contacts:
            yield Finding(path, f"contact « {cid} » introuvable dans contacts/", ("contacts", i), hint=did_you_mean(cid, list(reg.contacts)), code="reference")


@file_check(KIND_CASE)
def case_sourcing(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    rec = case.sourcing
    if rec is None:
        return
    reg = ctx.registry
    structures = ctx.ws.store.structures
    lots = {lot.numero for lot in case.marche.lots}
    for i, c in enumerate(rec.consultations):
        base = ("sourcing", "consultations", i)
        if c.reseau not in reg.partners:
            yield Finding(path, f"réseau « {c.reseau} » introuvable dans partners/", (*base, "reseau"), hint=did_you_mean(c.reseau, list(reg.partners)), code="reference")
        for j, n in enumerate(c.lots):
            if n not in lots:
                yield Finding(path, f"lot {n} absent de marche.lots", (*base, "lots", j), code="reference")
        for j, siret in enumerate(c.structures):
            if structures.get(siret) is None:
                yield Finding(path, f"structure {siret} absente du registre structures/", (*base, "structures", j), code="reference")
        if c.repondu_le and c.repondu_le < c.envoyee_le:
            yield Finding(path, "réponse datée d'avant l'envoi de la demande", (*base, "repondu_le"), code="chronologie")
        for j, a in enumerate(c.reponses_structures):
            if a.siret not in c.structures:
                yield Finding(path, f"réponse d'une structure ({a.siret}) qui n'a pas été signalée à ce réseau", (*base, "reponses_structures", j, "siret"),
                              code="reference")
