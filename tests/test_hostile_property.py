"""Propriétés (hypothesis) : chargeur YAML, validateur, importeurs de plans, rédaction DOCX.

Quelle que soit l'entrée : une valeur lue, ou un problème français (YamlProblem, DataError,
constat de validation) ; jamais une autre exception (RecursionError, ValueError de la limite
des entiers, TypeError « unhashable », ValueError « XML compatible »…).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from conftest import copy_repo
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guichet_cli.core import safety, yamlio
from guichet_cli.core.errors import GuichetError

YAML_ALPHABET = "[]{}:,-?&*!|>'\"#% \n\tab01.~\x0b\x00\x07\u00e9\ufffe"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.text(alphabet=YAML_ALPHABET, max_size=80) | st.text(max_size=80))
def test_loaders_give_data_or_a_french_problem(text):
    for parse in (yamlio.parse_fast, yamlio.parse_roundtrip):
        try:
            parse(Path("x.yaml"), text)
        except yamlio.YamlProblem as exc:
            assert exc.problem and exc.line >= 1 and exc.column >= 1


@SETTINGS
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["[", "{a: ", "- "]))
@example(40, "- ").via("limite : 40 listes, acceptées")
@example(41, "- ").via("limite : 41 listes, refusées")
@example(40, "[").via("limite : bloc de tête + 40 listes, refusés")
def test_any_depth_is_refused_with_a_position(depth, opener):
    if opener == "- ":
        text = "".join("  " * i + "-\n" for i in range(depth)) + "  " * depth + "x\n"
    else:
        closer = "]" if opener == "[" else "}"
        text = "x: " + opener * depth + "1" + closer * depth + "\n"
    containers = depth + (opener != "- ")  # « x: [[…]] » : le bloc de tête compte aussi
    try:
        yamlio.parse_fast(Path("x.yaml"), text)
        assert containers <= safety.MAX_DEPTH  # jusqu'à 40 niveaux de blocs ou de listes : accepté
    except yamlio.YamlProblem as exc:
        assert "imbrication trop profonde" in exc.problem or "syntaxe" in exc.problem
        assert containers > safety.MAX_DEPTH or "syntaxe" in exc.problem


_hostile_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20) | st.sampled_from(
    ["a\x0bb", "\x00", "x\r\nBcc: p@exemple.invalid", "\ufffe", "a|b", "=1+1", "<w:t>", "&amp;"])
_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=10**17, max_value=10**40),
                    st.floats(), _hostile_text)
_values = st.recursive(_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_hostile_text, inner, max_size=3),
                       max_leaves=8)
FIELDS = ["marche.objet", "marche.montant_estime_ht", "marche.lots", "marche.duree_mois", "notes", "analyse.calibrage.heures",
          "routage.coordinations", "statut", "marche.cpv", "resultats"]


@pytest.fixture(scope="module")
def prop_repo(tmp_path_factory):
    return copy_repo(tmp_path_factory.mktemp("prop") / "depot")


def _set(data: dict, dotted: str, value) -> None:
    node = data
    parts = dotted.split(".")
    for p in parts[:-1]:
        if not isinstance(node.get(p), dict):
            node[p] = {}
        node = node[p]
    node[parts[-1]] = value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FIELDS), _values)
def test_validator_and_renderer_never_crash(prop_repo, tmp_path_factory, field, value):
    from ruamel.yaml import YAML

    from guichet_cli.core.render.drafts import Renderer
    from guichet_cli.core.validation import engine
    from guichet_cli.core.workspace import open_workspace

    path = prop_repo / "cases" / "2026" / "GRCS-2026-7F3K.yaml"
    original = path.read_bytes()
    try:
        data = yamlio.load_fast(path)
        _set(data, field, value)
        buf = io.StringIO()
        YAML(typ="safe", pure=True).dump(data, buf)  # le vrai émetteur : contrôles échappés entre guillemets
        path.write_text(buf.getvalue(), encoding="utf-8")
        ws = open_workspace(prop_repo)
        report = engine.validate(ws, [path], repo_checks=False)
        for f in report.findings:
            assert f.message and f.line is not None
        if report.ok and ws.store.case_entry(path).ok:
            try:
                plan = Renderer(ws).render_case(path)
            except GuichetError:
                return
            from docx import Document

            for d in plan.drafts:
                Document(io.BytesIO(d.data))  # le DOCX s'ouvre : pas de caractère que XML refuse
    finally:
        path.write_bytes(original)


@SETTINGS
@given(st.binary(max_size=400))
def test_plan_importer_on_any_bytes(tmp_path_factory, raw):
    from guichet_cli.core.analysis.plan import read_plan

    path = tmp_path_factory.mktemp("plan") / "plan.csv"
    path.write_bytes(raw)
    try:
        lines, bad = read_plan(path)
    except GuichetError as exc:
        assert exc.message
        return
    for line in lines:
        for v in line.values.values():
            assert not (isinstance(v, float) and not math.isfinite(v))


@SETTINGS
@given(st.lists(st.lists(_hostile_text | st.sampled_from(["1e400", "nan", "-inf", "9" * 5000, "1 000 000 €", "12 mois"]),
                         min_size=6, max_size=6), max_size=6))
def test_plan_rows_any_cells(rows):
    from guichet_cli.core.analysis.plan import parse_rows

    header = ["Intitulé", "Code CPV", "Montant estimé (€ HT)", "Durée (mois)", "Lieu d'exécution", "Date de lancement prévue"]
    try:
        lines, bad = parse_rows([header, *rows])
    except GuichetError:
        return
    assert len(lines) + len(bad) <= len(rows)


# --- safety.scan : le tri rapide ne laisse passer aucun problème ------------------------------

_LEAVES = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.integers(), st.integers(min_value=2**62, max_value=2**70),
                    st.text(alphabet="ab \x00\x07\x0b\x1f\x7f\ufffe\u00e9", max_size=6))
_KEYS = st.one_of(st.text(alphabet="ab\x00\x7f", max_size=4), st.integers(), st.none(), st.booleans(), st.tuples(st.integers()))
_TREES = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3), max_leaves=12)


def _nest(value, depth: int):
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


@settings(max_examples=400, deadline=None)
@given(_TREES, st.sampled_from([0, 1, safety.MAX_DEPTH - 2, safety.MAX_DEPTH - 1, safety.MAX_DEPTH, safety.MAX_DEPTH + 3]))
def test_fast_screen_never_hides_an_issue(tree, depth):
    tree = _nest(tree, depth)
    full = safety._scan_with_paths(tree)
    if not safety._may_have_issue(tree):
        assert full is None
    assert safety.scan(tree) == full
