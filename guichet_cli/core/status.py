"""`guichet status` : faire avancer une demande dans son cycle de vie, par une édition aller-retour.

Transitions permises et champs exigés : rules/cycle_de_vie.yaml. Où vont --date et --reason :
rules/transitions.yaml. Rien n'est écrit si la transition est refusée ou si un champ manque.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guichet_cli.core import audit, yamlio
from guichet_cli.core.errors import UsageError
from guichet_cli.core.facts import dates
from guichet_cli.core.model.case import Case
from guichet_cli.core.schemas import load_schema
from guichet_cli.core.workspace import Workspace


@dataclass
class StatusResult:
    path: Path
    case_id: str
    old: str | None
    new: str
    filled: list[str]
    sha: str | None


def parse_date(value: str | None, option: str = "--date") -> dt.date | None:
    return None if value is None else dates.parse_option(value, option)


def decision_choices(ws: Workspace) -> list[str]:
    """Valeurs permises de decision.suite, lues dans le schéma des demandes (une seule source)."""
    schema = load_schema(ws.schemas_dir / "demande.schema.json")
    return list(schema["properties"]["decision"]["properties"]["suite"]["enum"])


def retained_for(ws: Workspace, case: Case, decision: str, retained: list[str] | None) -> list[str]:
    """Dispositions retenues par le donneur d'ordre : ce que le bilan compte (L2112-2-1, part régionale)."""
    from guichet_cli.core.facts import labels

    recommended = [d for d in case.recommended_dispositions if d != "aucune"]
    names = labels.of(ws)
    if decision == "non_suivie":
        if retained:
            raise UsageError("--retained n'a pas de sens pour une recommandation non suivie")
        return []  # rien de retenu ; le motif (--reason) est exigé
    if not recommended:
        raise UsageError(f"{case.id} n'a pas de recommandation enregistrée (analyse.recommandation) : rien à suivre",
                         "enregistrer d'abord la recommandation (guichet analyse --write)")
    if decision == "suivie":
        if retained and sorted(set(retained)) != sorted(recommended):
            raise UsageError("une recommandation suivie retient toutes les dispositions recommandées",
                             "pour n'en retenir qu'une partie : --decision partiellement_suivie --retained …")
        return recommended
    shown = ", ".join(f"{d} ({names.disposition(d)})" for d in recommended)
    if not retained:
        raise UsageError("décision partiellement suivie : indiquer les dispositions retenues",
                         f"ajouter --retained pour chacune, parmi : {shown}")
    unknown = [d for d in retained if d not in recommended]
    if unknown:
        raise UsageError(f"--retained {', '.join(unknown)} : pas dans la recommandation", f"choisir parmi : {shown}")
    if sorted(set(retained)) == sorted(recommended):
        raise UsageError("toutes les dispositions recommandées sont retenues : la recommandation est suivie",
                         "utiliser --decision suivie")
    return list(dict.fromkeys(retained))


def chronology_problem(case: Case, today: dt.date) -> str | None:
    """Premier problème de dates du dossier (ordre des faits, fait daté dans le futur) ; facts/dates."""
    from guichet_cli.core import chronology

    for problem in chronology.problems(case, today):
        return problem.message
    return None


def change_status(
    ws: Workspace,
    ref: str,
    new: str,
    *,
    reason: str | None = None,
    date: dt.date | None = None,
    decision: str | None = None,
    retained: list[str] | None = None,
    no_commit: bool = False,
    today: dt.date | None = None,
) -> StatusResult:
    """`retained` : dispositions retenues d'une décision partiellement suivie (suivie : la
    recommandation entière ; non suivie : « aucune »)."""
    # Verrou du dépôt avant de lire le statut actuel, gardé jusqu'après le commit : deux
    # `guichet status` simultanés passent l'un après l'autre (core/locking.py).
    with ws.store.writing():
        return _change_status(ws, ref, new, reason=reason, date=date, decision=decision, retained=retained,
                              no_commit=no_commit, today=today)


def _change_status(ws: Workspace, ref: str, new: str, *, reason: str | None, date: dt.date | None, decision: str | None,
                   retained: list[str] | None, no_commit: bool, today: dt.date | None) -> StatusResult:
    store = ws.store
    lc = store.lifecycle
    if new not in lc.statuses:
        raise UsageError(f"statut inconnu « {new} »", "statuts possibles : " + ", ".join(lc.statuses))
    case = store.case(ref)  # lecture typée : un dossier illisible est une erreur de données (exit 1)
    path, case_id, old = case.path, case.id, case.statut
    store.require_inside(path)
    if old == new:
        raise UsageError(f"la demande {case_id} est déjà au statut « {lc.label(new)} »")
    if old not in lc.statuses or not lc.allowed(old, new):
        nexts = lc.next_statuses(old) if old in lc.statuses else []
        raise UsageError(
            f"transition refusée pour {case_id} : « {lc.label(old)} » → « {lc.label(new)} » n'est pas permise par le cycle de vie",
            ("statuts possibles depuis « " + lc.label(old) + " » : " + ", ".join(nexts)) if nexts else "cette demande est à un statut final",
        )
    spec = (store.rules("transitions").get("statuts") or {}).get(new) or {}
    values: dict[str, Any] = {}
    today = today or dt.date.today()
    if date is not None and date > today:
        raise UsageError(f"--date {date.isoformat()} est dans le futur : on n'enregistre qu'un fait qui a eu lieu",
                         f"indiquer la date du fait (au plus tard aujourd'hui, {today.isoformat()})")
    if spec.get("date") and (date is not None or not case.has_field(spec["date"])):
        values[spec["date"]] = (date or today).isoformat()
    if reason is not None:
        if not spec.get("motif"):
            raise UsageError(f"--reason n'a pas de sens pour le statut « {lc.label(new)} »", "l'indiquer dans notes: si besoin")
        values[spec["motif"]] = reason
    if decision is not None:
        if not spec.get("suite"):
            raise UsageError(f"--decision n'a pas de sens pour le statut « {lc.label(new)} »", "l'utiliser avec decision_rendue")
        choices = decision_choices(ws)
        if decision not in choices:
            raise UsageError(f"décision inconnue « {decision} »", "valeurs possibles : " + ", ".join(choices))
        values[spec["suite"]] = decision
        kept = retained_for(ws, case, decision, retained)
        if kept:
            values[spec["suite"].rsplit(".", 1)[0] + ".dispositions_retenues"] = kept
    elif retained:
        raise UsageError("--retained accompagne --decision partiellement_suivie", "ajouter --decision partiellement_suivie")
    values["statut"] = new

    def mutate(data: Any) -> None:
        for dotted, value in values.items():
            yamlio.set_field(data, dotted, value)

    def require_fields(updated: Case | None) -> None:
        if updated is not None:
            order = chronology_problem(updated, today)
            if order:
                raise UsageError(f"{case_id} : {order}", "corriger --date (rien n'a été écrit)")
        missing = lc.missing(updated, new) if updated is not None else []
        if missing:
            raise UsageError(
                f"impossible de passer {case_id} au statut « {lc.label(new)} » : il manque\n  - "
                + "\n  - ".join(f"{m.field} : {m.message}" for m in missing),
                "compléter ces champs dans " + ws.rel(path) + " puis relancer (rien n'a été écrit)",
            )

    audit.check_can_commit(ws, [path], no_commit=no_commit)
    # Dire quelles options de la commande remplissent quels champs (rules/transitions.yaml).
    fills = [f"{opt} → {spec[key]}" for key, opt in (("date", "--date"), ("motif", "--reason"), ("suite", "--decision")) if spec.get(key)]
    hint = "compléter les champs indiqués puis relancer" + (f" ; pour ce statut, {', '.join(fills)}" if fills else "")
    store.edit(path, mutate, hint=hint, before_write=require_fields)
    sha = audit.commit_changes(
        ws, [path], case_id=case_id, action="statut", subject=f"{case_id} : {lc.label(new)}",
        status_change=(old, new), no_commit=no_commit,
    )
    return StatusResult(path, case_id, old, new, list(values)[:-1], sha)
