"""Rédaction DOCX : chaque modèle rendu contre chaque dossier d'exemple concerné et un dossier riche."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import jsonschema
import pytest
from conftest import copy_repo
from render_helpers import LONG, RICH_ID, SPECIAL, VERY_LONG, add_rich_case, docx_text

from guichet_cli.core import frformat as fr
from guichet_cli.core import yamlio
from guichet_cli.core.render.context import build_context
from guichet_cli.core.render.drafts import LETTER, CaseDrafts, Renderer
from guichet_cli.core.workspace import open_workspace

LEFTOVERS = ("{{", "{%", "}}", "%}", "{#", "#}")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Renderer, dict[str, CaseDrafts], dict[str, dict]]:
    """Un seul rendu en mémoire de tous les dossiers d'exemple qui ont une recommandation + le dossier riche."""
    repo = copy_repo(tmp_path_factory.mktemp("rendu") / "depot")
    add_rich_case(repo)
    ws = open_workspace(repo)
    renderer = Renderer(ws)
    plans, cases = {}, {}
    for path in ws.case_files():
        data = yamlio.load_fast(path)
        if not (data.get("analyse") or {}).get("recommandation"):
            continue
        cases[path.stem] = data
        plans[path.stem] = renderer.render_case(path)
    return renderer, plans, cases


def _norm(text: str) -> str:
    """Espaces insécables → espaces, pour chercher une valeur quelle que soit la typographie."""
    return text.replace(fr.NBSP, " ").replace("\u202f", " ")


def test_every_sample_with_a_recommendation_renders(rendered) -> None:
    renderer, plans, cases = rendered
    assert len(plans) >= 10
    for case_id, plan in plans.items():
        recs = [r["disposition"] for r in cases[case_id]["analyse"]["recommandation"] if r["disposition"] != "aucune"]
        assert [d.disposition for d in plan.drafts] == [*sorted(recs, key=lambda c: next(r.get("rang", 999) for r in cases[case_id]["analyse"]["recommandation"] if r["disposition"] == c)), LETTER]
        date = plan.drafts[0].filename.rsplit("_", 1)[1].removesuffix(".docx")
        assert date in (cases[case_id]["analyse"].get("transmise_le"), cases[case_id]["recue_le"])
        for draft in plan.drafts:
            assert draft.filename == f"{case_id}_{draft.disposition}_{date}.docx"


def test_every_template_is_exercised(rendered) -> None:
    renderer, plans, _ = rendered
    used = {d.template.name for plan in plans.values() for d in plan.drafts}
    declared = {e["fichier"] for e in renderer.redaction["modeles"].values()} | {renderer.redaction["lettre_accompagnement"]}
    assert used == declared
    assert declared == {p.name for p in renderer.ws.templates_dir.glob("*.docx")}


def test_rendered_text_has_no_tags_and_carries_the_case_facts(rendered) -> None:
    renderer, plans, cases = rendered
    for case_id, plan in plans.items():
        case = cases[case_id]
        calibrage = case["analyse"].get("calibrage") or {}
        for draft in plan.drafts:
            text = docx_text(draft.data)
            for tag in LEFTOVERS:
                assert tag not in text, f"{draft.filename} : « {tag} » resté"
            plain = _norm(text)
            assert case["marche"]["objet"] in plain, draft.filename
            if draft.disposition == LETTER:
                assert _norm(fr.money(case["marche"]["montant_estime_ht"])) in plain
                if calibrage:
                    assert _norm(fr.hours(calibrage["heures"])) in plain
                continue
            # acheteur privé (R7S1) : hors code, l'obligation L2112-2-1 n'est pas citée (démarche volontaire)
            private = (case["marche"].get("type_acheteur") or renderer.registry.buyer_type(case["donneur_ordre"])) == "prive"
            for article in renderer.dispositions[draft.disposition]["articles"]:
                if private and article == "L2112-2-1":
                    assert article not in plain, f"{draft.filename} : obligation {article} citée à un acheteur privé"
                    continue
                assert article in plain, f"{draft.filename} : article {article} absent"
            assert ("À titre volontaire" in plain) == private, draft.filename
            if private:
                assert "En application" not in plain and "Conformément" not in plain, draft.filename
            if draft.disposition == "clause_insertion":
                assert _norm(fr.hours(calibrage["heures"])) in plain
                assert "article 16" in plain


def test_rich_case_special_characters_line_breaks_and_long_text(rendered) -> None:
    _, plans, _ = rendered
    plan = plans[RICH_ID]
    assert len(plan.drafts) == 11
    letter = docx_text(plan.drafts[-1].data)
    assert SPECIAL in letter and LONG in letter
    # la justification sur deux lignes devient un saut de ligne Word, caractères spéciaux intacts
    # … et reçoit les espaces insécables de la typographie française (texte libre saisi par un agent)
    assert "Première ligne\u00a0: marché de main-d’œuvre & <propreté>.\nDeuxième ligne «\u00a0citée\u00a0»." in letter
    assert "1\u202f234\u202f567\u00a0€\u00a0HT" in letter
    assert "un million deux cent trente-quatre mille cinq cent soixante-sept euros" in letter
    assert "1er\u00a0octobre 2026" in letter or "1er octobre 2026" in letter
    siae = docx_text(next(d for d in plan.drafts if d.disposition == "reserve_siae").data)
    assert VERY_LONG in siae and "50\u00a0%" in siae
    clause = docx_text(plan.drafts[0].data)
    assert "833\u00a0heures" in clause and "Nettoyage & entretien <bâtiments> «\u00a0A\u00a0»" in clause
    assert "5\u00a0%" in clause and "ANRU" in clause
    with zipfile.ZipFile(io.BytesIO(plan.drafts[0].data)) as z:
        xml = z.read("word/document.xml").decode()
    assert "Dupont &amp; Fils &lt;SARL&gt;" in xml  # échappé dans le XML, donc lisible par Word


def test_same_inputs_same_bytes_and_fixed_properties(rendered) -> None:
    renderer, plans, _ = rendered
    again = renderer.render_case(renderer.ws.cases_dir / "2026" / f"{RICH_ID}.yaml")
    assert [d.data for d in again.drafts] == [d.data for d in plans[RICH_ID].drafts]
    with zipfile.ZipFile(io.BytesIO(again.drafts[0].data)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"
    props = docx.Document(io.BytesIO(again.drafts[0].data)).core_properties
    assert props.created.date().isoformat() == "2026-11-28" == props.modified.date().isoformat()
    assert RICH_ID in props.title


def test_every_context_honours_the_contract(rendered) -> None:
    renderer, _, cases = rendered
    contract = json.loads((renderer.ws.schemas_dir / "contexte_modele.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(contract)
    for case in cases.values():
        for code in [None, *(r["disposition"] for r in case["analyse"]["recommandation"])]:
            context = build_context(renderer.ws.store.case(case["id"]), renderer.registry, renderer.dispositions, renderer.redaction,
                                    renderer.ws.config, code)
            errors = [f"{list(e.absolute_path)} {e.message}" for e in validator.iter_errors(context)]
            assert not errors, (case["id"], code, errors)


def test_template_generator_is_reproducible(tmp_path: Path) -> None:
    import importlib.util

    tool = Path(__file__).resolve().parent.parent / "tools" / "build_clause_templates.py"
    spec = importlib.util.spec_from_file_location("build_clause_templates", tool)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for out in ("a", "b"):
        assert module.main([str(tmp_path / out)]) == 0
    names = sorted(p.name for p in (tmp_path / "a").glob("*.docx"))
    assert len(names) == 11
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        first = docx.Document(str(tmp_path / "a" / name)).paragraphs[0].text
        assert first.startswith("{#p Modèle guichet") and first.endswith("#}") and "Variables utilisées" in first


def test_free_text_gets_french_non_breaking_spaces() -> None:
    """Le texte libre d'une justification suit la même typographie que les montants mis en forme."""
    assert fr.typography("seuil (216 000 €) ; taux de 10 % : lot n° 2") == (
        "seuil (216\u202f000\u00a0€)\u00a0; taux de 10\u00a0%\u00a0: lot n°\u00a02")
    assert fr.typography("en 2026 123 heures, https://exemple.invalid:80") == "en 2026 123 heures, https://exemple.invalid:80"


def test_letter_cites_the_legal_basis_in_full_and_closes_the_list(rendered) -> None:
    """La lettre cite « article L2112-2 du code de la commande publique », pas un code nu « (L2112-2) »,
    et la liste des recommandations se termine par un point, pas par « ; »."""
    from guichet_cli.core.render.context import _legal_basis_text

    assert _legal_basis_text("L2113-13, R2113-7") == "articles L2113-13 et R2113-7 du code de la commande publique"
    assert _legal_basis_text("R2123-1 3°") == "article R2123-1 3° du code de la commande publique"
    assert _legal_basis_text("—") == ""
    _, plans, _ = rendered
    letter = docx.Document(io.BytesIO(plans[RICH_ID].drafts[-1].data))
    bullets = [p.text for p in letter.paragraphs if p.style.name == "List Bullet" and "Pour " in p.text]
    assert len(bullets) >= 3
    assert "sur le fondement de l’article L2112-2 du code de la commande publique" in bullets[0]
    assert not any("(L2112-2)" in b for b in bullets)
    assert all(b.endswith(".") for b in bullets)  # chaque recommandation est une phrase
