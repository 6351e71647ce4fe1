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
from guichet_cli.core.errors import DataError, UsageError
from guichet_cli.core.lifecycle import has_field, load_lifecycle
from guichet_cli.core.rules import load_rules
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


def _set_dotted(data: Any, dotted: str, value: Any) -> None:
    from ruamel.yaml.comments import CommentedMap

    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = CommentedMap()
        node = node[part]
    node[parts[-1]] = value


def parse_date(value: str | None, option: str = "--date") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"date invalide pour {option} : « {value} »", "écrire la date au format AAAA-MM-JJ, par exemple 2026-11-28") from None


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
    lc = load_lifecycle(ws)
    if new not in lc.statuses:
        raise UsageError(f"statut inconnu « {new} »", "statuts possibles : " + ", ".join(lc.statuses))
    path = ws.find_case(ref)
    doc = yamlio.load_roundtrip(path)
    data = doc.data
    case_id = str(data.get("id") or path.stem)
    old = data.get("statut")
    if old == new:
        raise UsageError(f"la demande {case_id} est déjà au statut « {lc.label(new)} »")
    if old not in lc.statuses or not lc.allowed(old, new):
        nexts = lc.next_statuses(old) if old in lc.statuses else []
        raise UsageError(
            f"transition refusée pour {case_id} : « {lc.label(str(old))} » → « {lc.label(new)} » n'est pas permise par le cycle de vie",
            ("statuts possibles depuis « " + lc.label(str(old)) + " » : " + ", ".join(nexts)) if nexts else "cette demande est à un statut final",
        )
    spec = (load_rules(ws, "transitions").get("statuts") or {}).get(new) or {}
    filled: list[str] = []
    if spec.get("date") and (date is not None or not has_field(data, spec["date"])):
        _set_dotted(data, spec["date"], (date or today or dt.date.today()).isoformat())
        filled.append(spec["date"])
    if reason is not None:
        if not spec.get("motif"):
            raise UsageError(f"--reason n'a pas de sens pour le statut « {lc.label(new)} »", "l'indiquer dans notes: si besoin")
        _set_dotted(data, spec["motif"], reason)
        filled.append(spec["motif"])
    if decision is not None:
        if not spec.get("suite"):
            raise UsageError(f"--decision n'a pas de sens pour le statut « {lc.label(new)} »", "l'utiliser avec decision_rendue")
        choices = decision_choices(ws)
        if decision not in choices:
            raise UsageError(f"décision inconnue « {decision} »", "valeurs possibles : " + ", ".join(choices))
        _set_dotted(data, spec["suite"], decision)
        filled.append(spec["suite"])
    data["statut"] = new
    plain = yamlio.to_plain(data)
    missing = lc.missing(plain, new)
    if missing:
        raise UsageError(
            f"impossible de passer {case_id} au statut « {lc.label(new)} » : il manque\n  - "
            + "\n  - ".join(f"{m.field} : {m.message}" for m in missing),
            "compléter ces champs dans " + ws.rel(path) + " puis relancer (rien n'a été écrit)",
        )
    audit.check_can_commit(ws, [path], no_commit=no_commit)
    try:
        audit.write_validated(ws, path, yamlio.dumps_roundtrip(doc))
    except DataError as exc:
        # Dire quelles options de la commande remplissent quels champs (rules/transitions.yaml).
        fills = [f"{opt} → {spec[key]}" for key, opt in (("date", "--date"), ("motif", "--reason"), ("suite", "--decision"))
                 if spec.get(key)]
        if not fills:
            raise
        raise DataError(exc.message, f"{exc.hint} ; pour ce statut, {', '.join(fills)}") from None
    sha = audit.commit_changes(
        ws, [path], case_id=case_id, action="statut", subject=f"{case_id} : {lc.label(new)}",
        status_change=(old, new), no_commit=no_commit,
    )
    return StatusResult(path, case_id, old, new, filled, sha)
