"""La documentation suit le code : référence des champs à jour, liens internes valides."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import PROJECT


def test_field_reference_is_current() -> None:
    # Un schéma modifié sans régénérer docs/reference-champs.md fait échouer ce test.
    proc = subprocess.run([sys.executable, str(PROJECT / "tools" / "gen_reference.py"), "--check"],
                          capture_output=True, text=True, cwd=PROJECT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_docs_links_resolve() -> None:
    broken = []
    for page in [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not (page.parent / target).is_file():
                broken.append(f"{page.name} → {target}")
    assert not broken, broken


def test_processing_register_is_current() -> None:
    # Un schéma, guichet.yaml, partners/ ou rules/rgpd.yaml modifié sans régénérer le registre échoue ici.
    proc = subprocess.run([sys.executable, str(PROJECT / "tools" / "gen_register.py"), "--check"],
                          capture_output=True, text=True, cwd=PROJECT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
