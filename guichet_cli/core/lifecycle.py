"""Cycle de vie des demandes, tel que décrit dans rules/cycle_de_vie.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace

_MISSING = object()


def get_field(data: Any, dotted: str) -> Any:
    """Valeur au chemin pointé `a.b.c`, ou _MISSING (valeur vide = absente)."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    if node is None or node == [] or node == {} or node == "":
        return _MISSING
    return node


def has_field(data: Any, dotted: str) -> bool:
    return get_field(data, dotted) is not _MISSING


def recommended_dispositions(case: dict[str, Any]) -> list[str]:
    recs = (case.get("analyse") or {}).get("recommandation") or []
    return [r.get("disposition") for r in recs if isinstance(r, dict) and r.get("disposition")]


@dataclass
class Requirement:
    field: str
    message: str
    only_if: str | None


class Lifecycle:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.statuses: dict[str, dict[str, Any]] = data["statuts"]
        self.initial: str = data["statut_initial"]

    def label(self, status: str) -> str:
        return self.statuses.get(status, {}).get("libelle", status)

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

    def missing(self, case: dict[str, Any], status: str | None = None) -> list[Requirement]:
        status = status or case.get("statut", "")
        recs = recommended_dispositions(case)
        return [
            r for r in self.requirements(status) if (r.only_if is None or r.only_if in recs) and not has_field(case, r.field)
        ]


def load_lifecycle(ws: Workspace) -> Lifecycle:
    return Lifecycle(load_rules(ws, "cycle_de_vie"))
