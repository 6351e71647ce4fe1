"""Chronologie d'une demande : l'ordre des faits datés et l'interdiction des faits à venir.

Un seul endroit pour `guichet status` (avant d'écrire) et `guichet validate` (contrôle case_chronology).
Les faits (réception, analyse, calibrage validé, transmission, décision, notification, réunion de
lancement, clôture, abandon) ont eu lieu : aucun n'est dans le futur. Les dates prévues
(marche.lancement_prevu) ne sont pas des faits et ne sont pas contrôlées ici.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from guichet_cli.core.model.case import Case

Pointer = tuple[str | int, ...]


@dataclass(frozen=True)
class DateProblem:
    pointer: Pointer
    message: str


def steps(case: Case) -> list[tuple[Pointer, dt.date | None, str, str]]:
    """(champ, date, libellé, date qui doit la précéder) dans l'ordre de la vie d'une demande.

    La dernière colonne nomme l'étape de référence (la plus récente des précédentes par défaut) ;
    les étapes parallèles (calibrage, réunion) ne sont comparées qu'à leur prérequis.
    """
    a, e, d = case.analyse, case.execution, case.decision
    cal = a.calibrage if a else None
    kick = e.reunion_lancement if e else None
    return [
        (("recue_le",), case.recue_le, "réception", ""),
        (("analyse", "debutee_le"), a.debutee_le if a else None, "début de l'analyse", "réception"),
        (("analyse", "calibrage", "valide_le"), cal.valide_le if cal else None, "validation du calibrage", "réception"),
        (("analyse", "transmise_le"), a.transmise_le if a else None, "transmission de la recommandation", ""),
        (("decision", "date"), d.date if d else None, "décision", ""),
        (("execution", "notifie_le"), e.notifie_le if e else None, "notification", ""),
        (("execution", "reunion_lancement", "date"), kick.date if kick else None, "réunion de lancement", ""),
        (("cloture", "date"), case.cloture.date if case.cloture else None, "clôture", ""),
        (("abandon", "date"), case.abandon.date if case.abandon else None, "abandon", "réception"),
    ]


def problems(case: Case, today: dt.date) -> Iterator[DateProblem]:
    last: tuple[dt.date, str] | None = None
    seen: dict[str, dt.date] = {}
    for pointer, d, label, after in steps(case):
        if d is None:
            continue
        if d > today and pointer != ("recue_le",):  # réception future : case_identity le dit déjà
            yield DateProblem(pointer, f"la date de {label} ({d.isoformat()}) est dans le futur : on n'enregistre qu'un fait qui a eu lieu")
        ref = (seen[after], after) if after and after in seen else last
        if ref and d < ref[0]:
            yield DateProblem(pointer, f"la date de {label} ({d.isoformat()}) précède celle de {ref[1]} ({ref[0].isoformat()})")
        seen[label] = d
        if not after:
            last = (d, label)
