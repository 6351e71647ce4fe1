"""Lecture des dossiers pour les bilans : chaque fichier est analysé UNE fois, puis réparti par donneur.

Un fichier illisible n'arrête pas le lot : il est rattaché à son donneur d'ordre quand la ligne
`donneur_ordre:` se lit encore (son bilan est alors signalé en erreur), sinon listé à part.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import yamlio
from guichet_cli.core.workspace import Workspace

_BUYER_LINE = re.compile(r"^donneur_ordre:\s*[\"']?([0-9]{14})", re.MULTILINE)


@dataclass(frozen=True)
class Case:
    path: Path
    rel: str
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.data.get("id") or self.path.stem)

    @property
    def buyer(self) -> str:
        return str(self.data.get("donneur_ordre") or "")


@dataclass
class Dataset:
    cases: list[Case] = field(default_factory=list)
    unreadable: dict[str, list[str]] = field(default_factory=dict)  # SIRET ("" si inconnu) → messages

    def by_buyer(self) -> dict[str, list[Case]]:
        out: dict[str, list[Case]] = defaultdict(list)
        for case in self.cases:
            out[case.buyer].append(case)
        return dict(out)


def load_dataset(ws: Workspace) -> Dataset:
    ds = Dataset()
    for path in ws.case_files():
        rel = ws.rel(path)
        try:
            data = yamlio.load_fast(path)  # seul appel d'analyse par fichier (compté par bench/bench_report.py)
        except yamlio.YamlProblem as exc:
            _unreadable(ds, path, str(exc))
            continue
        if not isinstance(data, dict):
            _unreadable(ds, path, f"{rel} : le fichier doit contenir un dictionnaire de clés")
            continue
        ds.cases.append(Case(path, rel, data))
    ds.cases.sort(key=lambda c: (c.id, c.rel))
    return ds


def _unreadable(ds: Dataset, path: Path, message: str) -> None:
    try:
        m = _BUYER_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        m = None
    ds.unreadable.setdefault(m.group(1) if m else "", []).append(message)
