"""Suivi du sourcing après coup : réseaux qui n'ont pas répondu (`guichet due`) et chiffres du bilan annuel."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace

CLOSED = {"cloturee", "abandonnee"}


def unanswered(ws: Workspace, case: Case, reg: Registry, on: dt.date) -> list[tuple[tuple[str, str], str, dt.date, str]]:
    """(acteur, attente, depuis, source) de chaque réseau consulté sans réponse au-delà du délai des règles."""
    rec = case.sourcing
    if rec is None or case.statut in CLOSED:
        return []
    days = int(load_rules(ws, "sourcing")["reponses"]["delai_jours"]["valeur"])
    out = []
    for c in rec.consultations:
        if c.answered or (on - c.envoyee_le).days <= days:
            continue
        out.append(((f"réseau : {reg.partner_label(c.reseau)}", c.reseau),
                    f"réponse à la demande de sourcing (délai de {days} jours dépassé)",
                    c.envoyee_le, "sourcing.consultations[].envoyee_le"))
    return out


def indicators(cases: Iterable[Case], partner_label: Callable[[str], str]) -> dict[str, Any]:
    """Bilan annuel : dossiers sourcés, réseaux consultés, réponses, structures intéressées."""
    sourced = [c for c in cases if c.sourcing is not None]
    answers: Counter[str] = Counter()
    networks: Counter[str] = Counter()
    advice: Counter[str] = Counter()
    keen = 0
    for case in sourced:
        rec = case.sourcing
        assert rec is not None
        for c in rec.consultations:
            networks[c.reseau] += 1
            answers[c.reponse or "attendue"] += 1
        advice.update(lot.avis for lot in rec.lots)
        keen += len(rec.interested)
    return {
        "dossiers_sources": len(sourced),
        "consultations": sum(networks.values()),
        "reponses": dict(sorted(answers.items())),
        "avis_par_lot": dict(sorted(advice.items())),
        "structures_interessees": keen,
        "par_reseau": [{"id": pid, "libelle": partner_label(pid), "consultations": n}
                       for pid, n in sorted(networks.items(), key=lambda kv: (-kv[1], kv[0]))],
    }
