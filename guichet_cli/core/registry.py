"""Registres du dépôt : partenaires (partners/), donneurs d'ordre (donneurs/), contacts (contacts/).

Chargés avec le chargeur rapide ; un fichier illisible est simplement ignoré ici (la validation le
signale avec sa position).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import yamlio
from guichet_cli.core.workspace import Workspace


def _load_dir(directory: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    out: dict[str, tuple[Path, dict[str, Any]]] = {}
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yamlio.load_fast(path)
        except yamlio.YamlProblem:
            continue
        if isinstance(data, dict):
            out[path.stem] = (path, data)
    return out


@dataclass
class Registry:
    partners: dict[str, dict[str, Any]] = field(default_factory=dict)
    buyers: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    facilitators: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → {coordination, contact, …}
    files: dict[str, Path] = field(default_factory=dict)

    def coordination_for(self, departement: str) -> dict[str, Any] | None:
        for p in self.partners.values():
            if p.get("type") == "coordination_departementale" and departement in (p.get("departements") or []):
                return p
        return None

    def iae_network_for(self, departement: str) -> dict[str, Any] | None:
        for p in self.partners.values():
            if p.get("type") == "reseau_iae_departemental" and departement in (p.get("departements") or []):
                return p
        return None

    def partner_label(self, pid: str) -> str:
        p = self.partners.get(pid) or {}
        return p.get("sigle") or p.get("nom") or pid

    def contact_name(self, cid: str) -> str:
        c = self.contacts.get(cid) or {}
        return " ".join(x for x in (c.get("prenom"), c.get("nom")) if x) or cid


def load_registry(ws: Workspace) -> Registry:
    reg = Registry()
    for stem, (path, data) in _load_dir(ws.partners_dir).items():
        pid = str(data.get("id", stem))
        reg.partners[pid] = data
        reg.files[pid] = path
        for fac in data.get("facilitateurs") or []:
            if isinstance(fac, dict) and fac.get("id"):
                reg.facilitators[str(fac["id"])] = {**fac, "coordination": pid}
    for stem, (path, data) in _load_dir(ws.buyers_dir).items():
        key = str(data.get("siret", stem))
        reg.buyers[key] = data
        reg.files[key] = path
    for stem, (path, data) in _load_dir(ws.contacts_dir).items():
        cid = str(data.get("id", stem))
        reg.contacts[cid] = data
        reg.files[cid] = path
    return reg
