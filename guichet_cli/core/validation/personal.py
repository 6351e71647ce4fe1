"""Données personnelles hors du registre contacts/ : refusées dans les demandes et les registres.

Le repérage (courriel, téléphone, « Mme Martin », NIR, IBAN) est dans core/rgpd/patterns.py ;
les sorties publiques appliquent le même repérage avant d'écrire (core/rgpd/public.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.findings import WARNING, Finding
from guichet_cli.core.rgpd import patterns
from guichet_cli.core.validation.context import (
    KIND_BUYER,
    KIND_CASE,
    KIND_PARTNER,
    CheckContext,
    file_check,
    repo_check,
)


def _findings(ctx: CheckContext, path: Path, skip: frozenset[str]) -> Iterator[Finding]:
    data = ctx.ws.store.entry(path).data
    for pointer, m in patterns.scan_tree(data, skip_keys=skip):
        yield Finding(path, f"donnée personnelle dans un texte libre : {m.label} (« {m.masked} »)", pointer,
                      hint=patterns.HINT, code="rgpd")


@file_check(KIND_CASE)
def case_personal_data(ctx: CheckContext, path: Path, _case: Any) -> Iterator[Finding]:
    yield from _findings(ctx, path, frozenset())


@file_check(KIND_PARTNER)
def partner_personal_data(ctx: CheckContext, path: Path, _partner: Any) -> Iterator[Finding]:
    yield from _findings(ctx, path, patterns.CONTACT_KEYS)


@file_check(KIND_BUYER)
def buyer_personal_data(ctx: CheckContext, path: Path, _buyer: Any) -> Iterator[Finding]:
    yield from _findings(ctx, path, patterns.CONTACT_KEYS)


@repo_check
def retention_passed(ctx: CheckContext, _loaded: dict[Path, Any]) -> Iterator[Finding]:
    """Avertissement : contacts gardés au-delà de la durée de conservation (guichet rgpd due)."""
    from guichet_cli.core.rgpd import people

    # Les constats portent sur les fiches de contact : rien à dire si aucune n'est validée ici
    # (validate --since, validate sur quelques demandes), et alors aucune demande n'est relue.
    contacts = {os.path.abspath(p) for p in ctx.targets if Path(p).parent.name == "contacts"}
    if not contacts:
        return
    uses = ctx.case_summaries(_loaded, "use", people.use_of) if ctx.summarized(_loaded) else None
    for d in people.due(ctx.ws, ctx.today, uses):
        if os.path.abspath(d.contact.path) not in contacts:
            continue
        yield Finding(d.contact.path, f"durée de conservation dépassée depuis le {fr.date_fr(d.since)} ({d.reason})", ("id",),
                      hint=f"effacer la fiche : guichet rgpd erase {d.contact.id}", code="rgpd", severity=WARNING)
