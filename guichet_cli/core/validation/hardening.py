"""Contrôles de durcissement : ce qu'un champ ne doit pas contenir pour ne rien casser en aval.

L'objet du marché et l'intitulé des lots deviennent l'objet (« Subject: ») des courriels de mise
en relation : un saut de ligne y permettrait d'ajouter des en-têtes (« \\r\\nBcc: … », injection
d'en-têtes). Ils tiennent sur une ligne. (Les caractères de contrôle, eux, sont refusés dès la
lecture du fichier : core/safety.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from guichet_cli.core.findings import Finding
from guichet_cli.core.model.case import Case
from guichet_cli.core.validation.context import KIND_CASE, CheckContext, file_check

_LINE_BREAKS = ("\n", "\r", "\u2028", "\u2029", "\x85")


def has_line_break(text: str | None) -> bool:
    return bool(text) and any(b in text for b in _LINE_BREAKS)  # type: ignore[operator]


@file_check(KIND_CASE)
def single_line_titles(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    hint = "écrire l'objet sur une seule ligne (il sert d'objet aux courriels) ; les précisions vont dans notes:"
    if has_line_break(case.marche.objet):
        yield Finding(path, "l'objet du marché doit tenir sur une ligne (saut de ligne interdit)", ("marche", "objet"),
                      hint=hint, code="securite")
    for i, lot in enumerate(case.marche.lots):
        if has_line_break(lot.intitule):
            yield Finding(path, "l'intitulé du lot doit tenir sur une ligne (saut de ligne interdit)",
                          ("marche", "lots", i, "intitule"), hint=hint, code="securite")
