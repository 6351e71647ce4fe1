"""Constats de validation : un problème = un fichier, une position, un chemin JSON, un message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ERROR = "erreur"
WARNING = "avertissement"


def json_path(parts: Iterable[str | int]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


@dataclass
class Finding:
    path: Path
    message: str
    pointer: tuple[str | int, ...] = ()
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    code: str = "schema"
    severity: str = ERROR
    key: bool = False  # la position à signaler est celle de la clé (clé inconnue), pas de la valeur
    anchor: tuple[str | int, ...] | None = None  # nœud à montrer quand `pointer` n'existe pas (champ manquant)

    @property
    def json_path(self) -> str:
        return json_path(self.pointer)

    def as_dict(self, display_path: str) -> dict[str, object]:
        d = asdict(self)
        d.pop("key")
        d.pop("anchor")
        d.pop("pointer")
        d["path"] = display_path
        d["json_path"] = self.json_path
        return d


@dataclass
class Report:
    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort(self) -> None:
        self.findings.sort(key=lambda f: (str(f.path), f.line or 0, f.column or 0, f.message))
