"""Cycle de vie des demandes, tel que décrit dans rules/cycle_de_vie.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guichet_cli.core.model.case import Case


@dataclass
class Requirement:
    field: str
    message: str
    only_if: str | None


class Lifecycle:
    def __init__(self, data: dict[str, Any], labels: dict[str, str] | None = None) -> None:
        self.data = data
        self.statuses: dict[str, dict[str, Any]] = data["statuts"]
        self.initial: str = data["statut_initial"]
        # libellés des statuts : schemas/defs.schema.json (facts/labels.py), comme le bilan
        self.labels: dict[str, str] = labels or {}

    def label(self, status: str) -> str:
        return self.labels.get(status, status)

    def actor(self, status: str) -> str:
        return self.statuses.get(status, {}).get("acteur", "guichet")

    def next_statuses(self, status: str) -> list[str]:
        return list(self.statuses.get(status, {}).get("suivants", []))

    def allowed(self, old: str, new: str) -> bool:
        return old == new or new in self.next_statuses(old)

    def reachable(self, old: str, new: str) -> bool:
        """Vrai si `new` est atteignable depuis `old` par une suite de transitions permises."""
        seen, todo = {old}, [old]
        while todo:
            cur = todo.pop()
            for nxt in self.next_statuses(cur):
                if nxt == new:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return old == new

    def requirements(self, status: str) -> list[Requirement]:
        out = []
        for item in self.statuses.get(status, {}).get("exige", []):
            champ = item["champ"]
            msg = item.get("message") or f"champ « {champ} » exigé au statut « {self.label(status)} »"
            out.append(Requirement(champ, msg, item.get("si_disposition")))
        return out

    def missing(self, case: Case, status: str | None = None) -> list[Requirement]:
        status = status or case.statut
        recs = case.recommended_dispositions
        return [r for r in self.requirements(status) if (r.only_if is None or r.only_if in recs) and not case.has_field(r.field)]
