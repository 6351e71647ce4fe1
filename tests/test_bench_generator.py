"""Le générateur des bancs d'essai (bench/generate.py) produit des dépôts valides et reproductibles.

Les durées mesurées n'ont de sens que sur des demandes valides : un dépôt généré qui donnerait des
constats (par exemple un même organisme titulaire de tous les marchés réservés ESS d'un acheteur,
L2113-15) mesurerait le coût d'un rapport d'erreurs, pas celui de la validation.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import subprocess
from pathlib import Path

from conftest import PROJECT

from guichet_cli.core.validation import engine
from guichet_cli.core.workspace import open_workspace


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", PROJECT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _head(root: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def test_generated_repository_is_valid_and_deterministic(tmp_path: Path) -> None:
    gen = _generator()
    # Un seul donneur par modèle : chaque copie d'une demande garde le même acheteur, le cas où un
    # titulaire ESS recopié tel quel déclencherait L2113-15 entre les copies.
    n_cases = 3 * len(gen.Templates().cases)
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        gen.generate(root, n_cases, 1, 120, 7, out=io.StringIO())
    assert _head(a) == _head(b), "même graine, même historique"
    report = engine.validate(open_workspace(a), today=dt.date(2026, 12, 3))
    assert len(open_workspace(a).case_files()) == n_cases
    assert [f"{f.path.name}:{f.line}: {f.message}" for f in report.findings] == []
