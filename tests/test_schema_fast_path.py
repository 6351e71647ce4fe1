"""Le validateur compilé (jsonschema-rs) ne dit « conforme » que si jsonschema ne trouve aucun écart.

`validate` ne demande à jsonschema (Python, lent) de décrire les écarts que des fichiers que le
validateur compilé refuse (core/schemas.py, validation/engine.py). Si le compilé acceptait un fichier
que jsonschema refuse, un constat disparaîtrait sans bruit : ces tests l'interdisent, sur tous les
fichiers du dépôt d'exemple et sur des milliers de variantes cassées.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guichet_cli.core import yamlio
from guichet_cli.core.schemas import fast_validator_for, is_valid_fast, validator_for
from guichet_cli.core.validation import engine
from guichet_cli.core.workspace import open_workspace

WS = open_workspace(PROJECT)
FILES = [(p, engine.classify(WS, p)) for p in engine.repository_files(WS)]
SAMPLES = [(p, kinds[1], yamlio.load_fast(p)) for p, kinds in FILES if kinds is not None and kinds[1].is_file()]


def _python_errors(schema: Path, data: Any) -> list[str]:
    return [e.message for e in validator_for(schema).iter_errors(data)]


def test_every_sample_file_is_valid_for_both_validators():
    assert len(SAMPLES) > 150
    for path, schema, data in SAMPLES:
        assert is_valid_fast(schema, data), path
        assert _python_errors(schema, data) == [], path


# Valeurs de remplacement : tout ce qu'un YAML peut donner, y compris ce qui trompe une expression
# régulière (fin de ligne avant « $ », espaces Unicode, chiffres non latins) ou un format de date.
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20), st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["", " ", "12345678901234", "12345678901234\n", "1234567890123\u0663", "2026-02-30", "2026-02-28",
                     "2026-13-01", "2026-1-01", "２０２６-01-01", "GRCS-2026-7F3K", "GRCS-2026-7F3K\n", "a@b.fr", "a\u00a0@b.fr",
                     "a\x1c@b.fr", "recue", "75", "2A001", "oui", "35 h", "reserve_siae", "clause_insertion", "85312000"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                      max_leaves=6)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(data: Any, where: tuple, how: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not where:
        return value if how == "replace" else data
    parent = data
    for part in where[:-1]:
        parent = parent[part]
    last = where[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif how == "add" and isinstance(parent, dict):
        parent[f"{last}_inconnu"] = value
    elif how == "add" and isinstance(parent, list):
        parent.append(value)
    return data


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0), st.integers(min_value=0), st.sampled_from(["replace", "delete", "add"]), VALUES)
def test_fast_validator_never_accepts_what_jsonschema_refuses(pick: int, where: int, how: str, value: Any):
    path, schema, data = SAMPLES[pick % len(SAMPLES)]
    paths = _paths(data)
    broken = _mutate(data, paths[where % len(paths)], how, value)
    errors = _python_errors(schema, broken)
    if is_valid_fast(schema, broken):
        assert errors == [], f"{path} : le validateur compilé accepte ce que jsonschema refuse : {errors}"


@pytest.mark.parametrize("data", [{1: "clé entière"}, {None: "clé nulle"}, {"id": {2: "x"}}])
def test_tree_the_compiled_validator_cannot_read_goes_to_jsonschema(data):
    """Une clé non textuelle (possible en YAML) : le compilé ne sait pas la lire, jsonschema décrit l'écart."""
    schema = PROJECT / "schemas" / "demande.schema.json"
    if len(data) == 1 and not isinstance(next(iter(data)), str):
        with pytest.raises(ValueError):
            fast_validator_for(schema).is_valid(data)
    assert is_valid_fast(schema, data) is False
    assert _python_errors(schema, data)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet="0123456789-T:Z \n\u0663\uff12", max_size=12),
                 st.dates().map(str), st.sampled_from(["2026-02-29", "2024-02-29", "0000-01-01", "2026-1-1", "20260101"]),
                 st.integers(), st.none()))
def test_date_format_is_the_one_of_jsonschema(value):
    from jsonschema import Draft202012Validator

    from guichet_cli.core.schemas import _date_format

    assert _date_format(value) == Draft202012Validator.FORMAT_CHECKER.conforms(value, "date")


@pytest.mark.parametrize("value", ["\x1c@a.fr", "a@b\x1f.fr", "x\x1d@y.fr", "a\x1e@b.fr"])
def test_python_only_spaces_are_spaces_for_the_compiled_validator_too(value: str) -> None:
    """U+001C–U+001F sont des espaces pour `\\s` en Python, pas pour le validateur compilé : trouvé par
    le test ci-dessus (« \\x1f@0.aa » accepté par le compilé, refusé par jsonschema)."""
    path, schema, data = next(s for s in SAMPLES if s[0].name == "coordination-75.yaml")
    target = next(p for p in _paths(data) if p and p[-1] == "courriel")
    broken = _mutate(data, target, "replace", value)
    assert _python_errors(schema, broken)
    assert not is_valid_fast(schema, broken), f"{path} : {value!r}"
