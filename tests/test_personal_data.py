"""Données personnelles hors de contacts/ (ticket 15) et secret statistique secondaire."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guichet_cli.core.report.secrecy import SECRET, make_public
from guichet_cli.core.rgpd import patterns

CASE = "cases/2026/GRCS-2026-K3M7.yaml"  # demande d'exemple avec un texte qualitatif publiable


@pytest.mark.parametrize("text, kind", [
    ("Mme Martin embauchée en CDDI", "civilite_nom"),
    ("suivi par M. Dupont", "civilite_nom"),
    ("écrire à jean.dupont@mairie.fr", "courriel"),
    ("rappeler au 06 12 34 56 78", "telephone"),
    ("tél. +33 1 23 45 67 89", "telephone"),
    ("NIR 2 95 10 99 126 111 93", "nir"),
    ("IBAN FR76 3000 6000 0112 3456 7890 189", "iban"),
])
def test_personal_data_is_recognised(text, kind):
    assert kind in {m.kind for m in patterns.find(text)}


@pytest.mark.parametrize("text", [
    "Monsieur le Maire a validé", "Nettoyage des locaux administratifs", "SIRET 21930066200018", "1 450 000 €",
    "marché n° 2026-0042 du 12/03/2026", "lots 1 et 2", "CPV 90911200", "4 personnes embauchées en CDDI",
])
def test_ordinary_text_is_not_flagged(text):
    assert list(patterns.find(text)) == []


def test_validate_refuses_personal_data_in_free_text(cli, repo):
    path = repo / CASE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("faits_marquants: Ouverture", "faits_marquants: Mme Martin embauchée en CDDI. Ouverture"),
                    encoding="utf-8")
    res = cli("validate", str(path), repo=repo, code=1)
    assert "donnée personnelle dans un texte libre : civilité suivie d'un nom" in res.stdout
    assert "Martin" not in res.stdout  # le message ne recopie pas la donnée
    assert "contact" in res.stdout and "effectif" in res.stdout


def test_validate_refuses_an_email_in_a_partner_mission(cli, repo):
    path = repo / "partners" / "coordination-93.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("animation des facilitateurs du département", "animation, contacter paul.x@cd93.fr"),
                    encoding="utf-8")
    res = cli("validate", str(path), repo=repo, code=1)
    assert "adresse électronique" in res.stdout


def test_public_report_refuses_a_personal_datum(cli, repo, tmp_path):
    """Même si validate n'a pas été lancé : la sortie publique refait le repérage avant d'écrire."""
    path = repo / CASE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("faits_marquants: Ouverture", "faits_marquants: Mme Martin embauchée en CDDI. Ouverture"),
                    encoding="utf-8")
    buyer = "20091237600106"
    for fmt in ("md", "docx", "json"):
        res = cli("report", "--year", "2026", "--buyer", buyer, "--public", "--format", fmt, "--out", str(tmp_path / fmt),
                  repo=repo, code=1)
        assert "bilan public refusé : donnée personnelle" in res.stdout + res.stderr
        assert not (tmp_path / fmt).exists() or not list((tmp_path / fmt).glob("*public*"))


# --- secret statistique secondaire ---------------------------------------------------------------


def _solutions(cells: dict[str, object], total: object, threshold: int) -> list[dict[str, int]] | None:
    """Toutes les valeurs possibles des cases masquées vues du lecteur (None si le total est masqué)."""
    if not isinstance(total, int):
        return None
    known = sum(v for v in cells.values() if isinstance(v, int))
    hidden = [k for k, v in cells.items() if not isinstance(v, int)]
    ranges = [range(1, threshold) if cells[k] == f"< {threshold}" else range(1, total + 1) for k in hidden]
    return [dict(zip(hidden, combo, strict=True)) for combo in itertools.product(*ranges) if known + sum(combo) == total]


def _report(profil: dict[str, int], contrats: dict[str, int]) -> dict:
    total = sum(profil[k] for k in ("femmes", "hommes"))
    return {
        "bilan": {"version": "interne"},
        "indicateurs": {
            "participants": {"total": total, "profil": dict(profil), "par_public": {}},
            "contrats": {"total": sum(contrats.values()), "par_type": dict(contrats)},
            "sorties": {"total": 0, "par_type": {}, "taux_sorties_dynamiques": None},
            "recommandations": {"motifs": []},
        },
        "qualitatif": [],
    }


@pytest.mark.parametrize("femmes, hommes, jeunes, milieu, seniors, cdd, cddi", [
    (2, 0, 1, 1, 0, 1, 1),   # « femmes < 3 | hommes 0 » : femmes = total
    (2, 5, 2, 5, 0, 2, 5),   # « femmes < 3 | hommes 5 » : femmes = total − 5
    (1, 1, 1, 1, 0, 2, 0),   # total < seuil
    (4, 5, 2, 5, 2, 9, 0),   # deux tranches masquées qui se retrouvaient (2 + 2 = 9 − 5)
    (6, 7, 4, 5, 4, 13, 0),  # rien à masquer
])
def test_no_masked_cell_can_be_recomputed(femmes, hommes, jeunes, milieu, seniors, cdd, cddi):
    threshold = 3
    raw = _report({"femmes": femmes, "hommes": hommes, "moins_26_ans": jeunes, "de_26_a_49_ans": milieu, "plus_50_ans": seniors},
                  {"cdd": cdd, "cddi": cddi})
    pub = make_public(raw, threshold)["indicateurs"]
    groups = [
        (pub["participants"]["profil"], ("femmes", "hommes"), pub["participants"]["total"]),
        (pub["participants"]["profil"], ("moins_26_ans", "de_26_a_49_ans", "plus_50_ans"), pub["participants"]["total"]),
        (pub["contrats"]["par_type"], ("cdd", "cddi"), pub["contrats"]["total"]),
    ]
    raw_ind = raw["indicateurs"]
    for cells_all, keys, total in groups:
        cells = {k: cells_all[k] for k in keys}
        for k, v in cells.items():  # toute petite valeur non nulle est masquée
            original = (raw_ind["participants"]["profil"] | raw_ind["contrats"]["par_type"])[k]
            if 0 < original < threshold:
                assert not isinstance(v, int), (k, cells)
        sols = _solutions(cells, total, threshold)
        if sols is None:
            continue
        for k in (k for k, v in cells.items() if not isinstance(v, int)):
            assert len({s[k] for s in sols}) > 1, f"{k} se recalcule : {cells}, total {total}"
    assert SECRET in json.dumps(pub) or all(v >= threshold or v == 0 for v in (femmes, hommes, jeunes, milieu, seniors, cdd, cddi))


def test_secret_statistique_is_applied_in_every_format(cli, tmp_path):
    from report_data import BUYER_A, build_repo

    repo = build_repo(tmp_path / "depot")
    for fmt in ("json", "md", "csv", "xlsx", "docx"):
        cli("report", "--year", "2026", "--buyer", BUYER_A, "--public", "--format", fmt, "--out", str(tmp_path / "o"), repo=repo)
    from test_report_public import _all_text

    for p in (tmp_path / "o").iterdir():
        assert "secret" in _all_text(p), p.name


# --- le tri préalable de patterns.find ne perd aucune donnée personnelle ------------------------

def _find_without_gates(text: str) -> list[tuple[str, str]]:
    """Les cinq motifs appliqués sans tri préalable (la définition de référence)."""
    from stdnum import iban as stdnum_iban
    from stdnum.fr import nir as stdnum_nir

    if not text or len(text) < 4:
        return []
    out = [("courriel", m.group()) for m in patterns._EMAIL.finditer(text)]
    out += [("telephone", m.group()) for m in patterns._PHONE.finditer(text)]
    out += [("civilite_nom", m.group()) for m in patterns._CIVILITY.finditer(text)]
    out += [("nir", m.group()) for m in patterns._NIR.finditer(text) if stdnum_nir.is_valid(m.group().replace(" ", ""))]
    out += [("iban", m.group()) for m in patterns._IBAN.finditer(text) if stdnum_iban.is_valid(m.group().replace(" ", ""))]
    return out


_PIECES = st.sampled_from(["Mme Martin", "M. Dupont", "Dr Leroy", "Maître Petit", "01 23 45 67 89", "+33 6 12 34 56 78",
                           "0033612345678", "1 84 12 75 123 456 78", "2 84 12 2A 123 456 89", "FR76 3000 6000 0112 3456 7890 189",
                           "jean.dupont@exemple.fr", "a@b.fr", "2026-01-02", "GRCS-2026-7F3K", "21930066200018", " ", "-", ".",
                           "recue", "clause d'insertion", "Madame", "D", "M", "0", "FR", "76"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(alphabet="0123456789 .-+MDmeFRAB@", max_size=12)), max_size=6))
def test_gated_find_gives_the_ungated_matches(parts: list[str]) -> None:
    text = "".join(parts)
    assert [(m.kind, m.text) for m in patterns.find(text)] == _find_without_gates(text)
