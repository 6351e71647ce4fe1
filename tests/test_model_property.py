"""Propriété : quelle que soit la valeur mise dans un champ d'une demande, aucune commande qui lit
les demandes ne finit en « Erreur interne » (code 3) ni en trace Python.

Les valeurs sont conformes au schéma mais inhabituelles (zéro, listes vides, dates limites…) ou
non conformes (mauvais type, bloc à la place d'un texte, nombres démesurés) ; les commandes sont
lancées par la vraie CLI (CliRunner) sur une copie du dépôt d'exemple.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import copy_repo, init_git
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_domain_model import READ_COMMANDS
from typer.testing import CliRunner

from guichet_cli.cli.app import app
from guichet_cli.core import yamlio

CASE = "cases/2026/GRCS-2026-7F3K.yaml"
FIELDS = [
    "statut", "recue_le", "donneur_ordre", "demandeur", "fictif", "canal",
    "marche", "marche.objet", "marche.nature", "marche.cpv", "marche.montant_estime_ht", "marche.montant_maximum_ht",
    "marche.duree_mois", "marche.forme", "marche.lancement_prevu", "marche.lieux_execution", "marche.lots",
    "analyse", "analyse.recommandation", "analyse.calibrage", "analyse.calibrage.heures", "analyse.transmise_le",
    "routage", "routage.coordinations", "routage.facilitateurs", "routage.chef_de_file",
    "decision", "decision.suite", "decision.date", "execution", "execution.notifie_le", "resultats", "cloture", "notes",
]
# Les commandes de lecture de test_domain_model, plus celles qui écrivent ou produisent des pièces.
COMMANDS = [
    *READ_COMMANDS,
    ("status", "GRCS-2026-7F3K", "decision_rendue", "--decision", "suivie", "--no-commit"),
    ("render", "GRCS-2026-7F3K", "--out", "{tmp}/rendu"),
    ("report", "--year", "2026", "--all", "--format", "json", "--out", "{tmp}/bilans"),
]

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**18, max_value=10**18), st.floats(allow_nan=True, allow_infinity=True),
    _text, st.sampled_from(["2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31", "", "recue", "clause_insertion", "93"]),
)
VALUES = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_text, inner, max_size=3)),
                      max_leaves=6)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_git(copy_repo(tmp_path_factory.mktemp("propriete") / "depot"))


# Sans réduction (shrink) : chaque exemple lance la vraie CLI ; l'exemple fautif est affiché tel quel.
@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), value=VALUES, command=st.sampled_from(COMMANDS))
def test_no_command_ends_in_an_internal_error(base: Path, tmp_path: Path, field: str, value: object, command: tuple[str, ...]):
    original = (base / CASE).read_bytes()
    try:
        doc = yamlio.load_roundtrip(base / CASE)
        yamlio.set_field(doc.data, field, yamlio.to_commented(value))
        (base / CASE).write_text(yamlio.dumps_roundtrip(doc), encoding="utf-8")
        argv = [a.replace("{tmp}", str(tmp_path)) for a in command]
        res = CliRunner().invoke(app, argv, env={"GUICHET_REPO": str(base)}, catch_exceptions=True)
        shown = f"guichet {' '.join(argv)} avec {field} = {value!r} :\n{res.stdout}\n{res.stderr}"
        assert res.exit_code in (0, 1, 2), shown
        assert "Erreur interne" not in res.stderr and "Traceback" not in res.stderr + res.stdout, shown
        assert res.exception is None or isinstance(res.exception, SystemExit), shown
    finally:
        (base / CASE).write_bytes(original)
        shutil.rmtree(tmp_path / "rendu", ignore_errors=True)
        shutil.rmtree(tmp_path / "bilans", ignore_errors=True)
