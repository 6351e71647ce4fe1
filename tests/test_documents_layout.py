"""Chaque DOCX que le guichet livre ou produit (modèles, rédactions, lettres, bilans) est un document
qu'une administration française accepte tel quel : A4, fr-FR, « page n sur N », identification du
guichet, accords en nombre, typographie, niveaux de titres, provenance lisible (issue 11)."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from guichet_cli.core import frformat as fr

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((PROJECT / "clause_templates").glob("*.docx")) + [PROJECT / "report_templates" / "bilan.docx"]
GIT_HASH = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b")  # pas un SIRET (chiffres seuls)


def _layout_problems(path: Path) -> list[str]:
    d = docx.Document(str(path))
    out = []
    for s in d.sections:
        if abs(s.page_width.mm - 210) > 0.5 or abs(s.page_height.mm - 297) > 0.5:
            out.append(f"format {s.page_width.mm:.1f} × {s.page_height.mm:.1f} mm")
        instr = " ".join(i.text or "" for i in s.footer._element.iter(qn("w:instrText")))
        if "PAGE" not in instr.split() or "NUMPAGES" not in instr.split():
            out.append("pas de champs PAGE / NUMPAGES dans le pied de page")
        footer = "".join(p.text for p in s.footer.paragraphs)
        if "page" not in footer.lower() or " sur " not in footer:
            out.append(f"pied de page sans « page n sur N » : {footer!r}")
        if not "".join(p.text for p in s.header.paragraphs).strip():
            out.append("en-tête vide (identification du guichet)")
    langs = {lang.get(qn("w:val")) for part in (d.styles.element, d.element.body) for lang in part.iter(qn("w:lang"))}
    if langs != {"fr-FR"}:
        out.append(f"langues déclarées : {sorted(x or '?' for x in langs)}")
    theme = d.settings.element.find(qn("w:themeFontLang"))
    if theme is None or theme.get(qn("w:val")) != "fr-FR":
        out.append("langue du thème différente de fr-FR")
    return out


def _text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _heading_jumps(path: Path) -> list[str]:
    levels = [int(p.style.name.split()[-1]) for p in docx.Document(str(path)).paragraphs
              if p.style.name.startswith("Heading ") and p.text.strip()]
    return [f"{a} → {b}" for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_shipped_templates_are_a4_french_and_numbered(template: Path) -> None:
    assert _layout_problems(template) == []


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Toutes les pièces rédigées des dossiers d'exemple et tous les bilans DOCX 2025 et 2026 (région,
    chaque donneur, versions interne et publique), par la vraie CLI sur une copie du dépôt."""
    from conftest import Cli, copy_repo, init_git

    base = tmp_path_factory.mktemp("documents")
    repo = init_git(copy_repo(base / "depot"))
    cli = Cli()
    cli("render", "--all", "--out", str(base / "redactions"), repo=repo)
    reports = base / "bilans"
    for year in ("2025", "2026"):
        for who in ("--region", "--all"):
            for public in ((), ("--public",)):
                cli("report", "--year", year, who, *public, "--format", "docx", "--out", str(reports), repo=repo, code=None)
    cli("share", "GRCS-2026-7F3K", "--partner", "coordination-93", "--format", "docx", "--out", str(base / "partages"), repo=repo)
    drafts = sorted((base / "redactions").glob("*.docx"))
    return {"drafts": drafts, "letters": [p for p in drafts if "lettre_accompagnement" in p.name],
            "reports": sorted(reports.glob("*.docx")), "shares": sorted((base / "partages").glob("*.docx"))}


def test_every_produced_docx_is_a4_french_and_numbered(produced: dict[str, list[Path]]) -> None:
    assert len(produced["drafts"]) >= 40 and len(produced["reports"]) >= 20
    assert len(produced["shares"]) == 1
    problems = {p.name: _layout_problems(p) for p in produced["drafts"] + produced["reports"] + produced["shares"]}
    assert {k: v for k, v in problems.items() if v} == {}


def test_no_plural_in_parentheses_and_no_heading_jump(produced: dict[str, list[Path]]) -> None:
    for path in produced["drafts"] + produced["reports"]:
        text = _text(path)
        assert not re.search(r"\w\(s\)", text), (path.name, re.findall(r"\S+\(s\)\S*", text)[:5])
        assert _heading_jumps(path) == [], path.name


def test_colons_have_a_non_breaking_space(produced: dict[str, list[Path]]) -> None:
    for path in produced["drafts"] + produced["reports"]:
        bad = re.findall(r"\S+ [:;!?»]", _text(path))
        assert bad == [], (path.name, bad[:5])


def test_buyer_reads_no_code_path_hash_or_command(produced: dict[str, list[Path]]) -> None:
    public = [p for p in produced["reports"] if p.name.endswith("-public.docx")]
    assert public
    for path in public:
        text = _text(path)
        assert ".yaml" not in text and "cases/" not in text, path.name
        assert not GIT_HASH.search(text), (path.name, GIT_HASH.findall(text)[:3])
        assert "guichet report" not in text and "--public" not in text, path.name
        assert "Mis à jour le" in text  # la provenance reste, sous une forme lisible
    for path in produced["reports"] + produced["letters"]:
        assert "--public" not in _text(path), path.name


def test_staff_version_keeps_the_technical_provenance(produced: dict[str, list[Path]]) -> None:
    region = next(p for p in produced["reports"] if p.name == "bilan-2026-region.docx")
    text = _text(region).replace("\u200b", "")
    assert "cases/2026/" in text and ".yaml\ncommit " in text


def test_report_tables_repeat_their_header_and_rows_do_not_split(produced: dict[str, list[Path]]) -> None:
    region = docx.Document(str(next(p for p in produced["reports"] if p.name == "bilan-2026-region.docx")))
    assert len(region.tables) >= 10
    for t in region.tables:
        first = t.rows[0]._tr.trPr
        assert first is not None and first.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None for r in t.rows[1:])


def test_no_word_is_split_in_report_tables(produced: dict[str, list[Path]]) -> None:
    """Chaque colonne est au moins aussi large que son plus long mot (« Nettoya|ge », « Comm|it »)."""
    from docx.shared import Mm

    char = Mm(2.0)  # 9 pt (docx_out._TABLE_PT)
    for path in produced["reports"]:
        for t in docx.Document(str(path)).tables:
            for c, column in enumerate(t.columns):
                cells = column.cells
                body = [w for cell in cells[1:] for w in re.split(r"[ \u200b\n]", cell.text)]
                head = re.split(r"[ \u200b\n]", cells[0].text)
                longest = max([len(w) for w in body] + [len(w) * 1.45 for w in head])  # en-tête en gras
                # + 2 caractères : les marges intérieures de la cellule (sans elles, Word coupe le mot)
                assert column.width >= char * (longest + 2) * 0.99, (path.name, c, max(body + head, key=len))


def test_long_reports_have_a_table_of_contents(produced: dict[str, list[Path]]) -> None:
    region = docx.Document(str(next(p for p in produced["reports"] if p.name == "bilan-2026-region.docx")))
    instr = " ".join(i.text or "" for i in region.element.body.iter(qn("w:instrText")))
    assert "TOC" in instr
    texts = [p.text for p in region.paragraphs]
    assert "Sommaire" in texts and texts.index("Sommaire") < texts.index("Synthèse")


def test_letters_are_written_as_a_person_would(produced: dict[str, list[Path]]) -> None:
    letters = produced["letters"]
    assert len(letters) >= 15
    for path in letters:
        text = _text(path)
        assert "à confirmer" not in text, path.name
        assert "≥" not in text and " ; marché de main-d" not in text, path.name  # texte de contrôle de l'analyse
        assert "Nos références\u00a0: dossier GRCS-" in text, path.name
        assert "Objet\u00a0:" in text and "Pour le Guichet" in text, path.name
        # l'appel nomme le destinataire connu
        if "À l’attention de Mme " in text:
            assert "\nMadame,\n" in text and "Madame, Monsieur" not in text, path.name
        if "À l’attention de M. " in text:
            assert "\nMonsieur,\n" in text and "Madame, Monsieur" not in text, path.name
        italic = [r.text for p in docx.Document(str(path)).paragraphs for r in p.runs if r.italic and r.text.strip()]
        assert all(t.startswith("Pièces jointes") for t in italic), (path.name, italic)


def test_letter_shows_the_buyer_postal_address_from_the_registry(tmp_path: Path) -> None:
    from conftest import Cli, copy_repo

    repo = copy_repo(tmp_path / "depot")
    buyer = repo / "donneurs" / "21930066200018.yaml"
    buyer.write_text(buyer.read_text(encoding="utf-8") + "adresse:\n  - Hôtel de ville (fictif)\n  - 1 place de l'Exemple\n"
                     "  - 93200 Saint-Denis-sur-Exemple\n", encoding="utf-8")
    Cli()("render", "GRCS-2026-7F3K", "--out", str(tmp_path / "out"), repo=repo)
    letter = docx.Document(str(next((tmp_path / "out").glob("*lettre*.docx"))))
    texts = [p.text for p in letter.paragraphs]
    i = texts.index("Ville de Saint-Denis-sur-Exemple")
    assert texts[i + 1:i + 6] == ["À l’attention de Mme Hélène Exemple", "responsable de la commande publique (fictif)",
                                  "Hôtel de ville (fictif)", "1 place de l'Exemple", "93200 Saint-Denis-sur-Exemple"]


def test_count_agrees_in_number() -> None:
    assert fr.count(0, "demande reçue", "demandes reçues") == "0\u00a0demande reçue"
    assert fr.count(1, "demande reçue", "demandes reçues") == "1\u00a0demande reçue"
    assert fr.count(2, "demande reçue", "demandes reçues") == "2\u00a0demandes reçues"
    assert fr.count(1234, "marché", "marchés") == "1\u202f234\u00a0marchés"
    assert fr.count("< 3", "participant", "participants") == "< 3\u00a0participants"
