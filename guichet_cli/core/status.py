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


def change_status(
    ws: Workspace,
    ref: str,
    new: str,
    *,
    reason: str | None = None,
    date: dt.date | None = None,
    decision: str | None = None,
    no_commit: bool = False,
    today: dt.date | None = None,
) -> StatusResult:
    # Verrou du dépôt avant de lire le statut actuel, gardé jusqu'après le commit : deux
    # `guichet status` simultanés passent l'un après l'autre (core/locking.py).
    with ws.store.writing():
        return _change_status(ws, ref, new, reason=reason, date=date, decision=decision, no_commit=no_commit, today=today)


def _change_status(ws: Workspace, ref: str, new: str, *, reason: str | None, date: dt.date | None, decision: str | None,
                   no_commit: bool, today: dt.date | None) -> StatusResult:
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
    if spec.get("date") and (date is not None or not case.has_field(spec["date"])):
        values[spec["date"]] = (date or today or dt.date.today()).isoformat()
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
    values["statut"] = new

    def mutate(data: Any) -> None:
        for dotted, value in values.items():
            yamlio.set_field(data, dotted, value)

    def require_fields(updated: Case | None) -> None:
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
