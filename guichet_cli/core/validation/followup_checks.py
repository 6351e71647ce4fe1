"""Contrôles du bloc « suivi » : titulaires connus (SIRET vérifié), lots du marché, un relevé par période."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from guichet_cli.core.findings import Finding
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.followup import NO_LOT
from guichet_cli.core.validation.checks import siret_problem
from guichet_cli.core.validation.context import KIND_CASE, CheckContext, file_check


@file_check(KIND_CASE)
def followup_consistency(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    suivi = case.suivi
    if suivi is None:
        return
    if case.execution is None:
        if suivi.engagements or suivi.releves or suivi.evenements:  # les relances seules vont à toute demande
            yield Finding(path, "suivi sans exécution : le marché notifié (execution) doit être renseigné d'abord", ("suivi",), code="suivi")
        return
    holders = {t.siret for t in case.execution.titulaires}
    lots = {lot.numero for lot in case.marche.lots}
    hint = "déclarer le titulaire dans execution.titulaires (siret, nom, lots)"
    groups = (("engagements", suivi.engagements), ("releves", suivi.releves))
    for name, items in groups:
        for i, item in enumerate(items):
            problem = siret_problem(item.titulaire)
            if problem:
                yield Finding(path, problem, ("suivi", name, i, "titulaire"), code="siret")
            elif item.titulaire not in holders:
                yield Finding(path, f"titulaire {item.titulaire} absent de execution.titulaires", ("suivi", name, i, "titulaire"),
                              hint=hint, code="suivi")
            if item.lot != NO_LOT and lots and item.lot not in lots:
                yield Finding(path, f"lot {item.lot} absent du marché (lots : {', '.join(map(str, sorted(lots)))})",
                              ("suivi", name, i, "lot"), code="suivi")
    seen: dict[tuple[str, int, str], int] = {}
    for i, st in enumerate(suivi.releves):
        if st.key in seen:
            yield Finding(path, f"deuxième relevé pour la même période {st.periode} (déjà au relevé {seen[st.key] + 1})",
                          ("suivi", "releves", i, "periode"), hint="fusionner les deux relevés", code="suivi")
        seen.setdefault(st.key, i)
    for i, ev in enumerate(suivi.evenements):
        for key in ("titulaire", "nouveau_titulaire"):
            siret = getattr(ev, key)
            if siret and siret not in holders:
                yield Finding(path, f"titulaire {siret} absent de execution.titulaires", ("suivi", "evenements", i, key),
                              hint=hint, code="suivi")
        if ev.type == "remplacement_titulaire" and not (ev.titulaire and ev.nouveau_titulaire):
            yield Finding(path, "remplacement : indiquer titulaire (remplacé) et nouveau_titulaire", ("suivi", "evenements", i),
                          code="suivi")
        if ev.type == "penalite" and ev.decision is None:
            yield Finding(path, "pénalité sans décision de l'acheteur (decision : a_decider, appliquee ou levee)",
                          ("suivi", "evenements", i), code="suivi")
