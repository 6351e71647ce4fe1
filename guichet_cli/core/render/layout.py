"""Mise en page commune de tous les DOCX produits (modèles livrés, rédactions, bilans).

Une seule étape, appliquée à chaque document après le rendu : format A4 (et non le « Letter »
américain du modèle par défaut de python-docx), langue fr-FR (sinon le correcteur de Word souligne
tout le texte), en-tête à l'identification du guichet et pied de page « page n sur N » en champs
PAGE / NUMPAGES (Word et LibreOffice les recalculent à l'ouverture et à l'impression).

Un en-tête ou un pied de page déjà porteur d'un champ PAGE (modèle retouché dans Word) est laissé
tel quel : on ne complète que ce qui manque.
"""

from __future__ import annotations

import re
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

LANG = "fr-FR"
NBSP = "\u00a0"
A4 = (Mm(210), Mm(297))
MARGIN = Mm(20)
_GREY = RGBColor(0x59, 0x59, 0x59)


def _set_lang(rpr: Any) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANG)
    lang.set(qn("w:eastAsia"), LANG)
    lang.set(qn("w:bidi"), "ar-SA")


def set_language(document: Any) -> None:
    """fr-FR partout où Word lit une langue : valeurs par défaut des styles, chaque style et chaque
    passage qui en déclarent une, langue des thèmes (réglages)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _set_lang(rpr)
    parts = [styles, document.element.body]
    for section in document.sections:
        parts += [section.header._element, section.footer._element] if not section.header.is_linked_to_previous else []
    for part in parts:
        for lang in part.iter(qn("w:lang")):
            lang.set(qn("w:val"), LANG)
            if lang.get(qn("w:eastAsia")):
                lang.set(qn("w:eastAsia"), LANG)
    settings = document.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is None:
        theme = OxmlElement("w:themeFontLang")
        settings.append(theme)
    theme.set(qn("w:val"), LANG)
    theme.set(qn("w:eastAsia"), LANG)


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    """Champ Word complet (début, instruction, séparateur, valeur affichée, fin)."""
    def run_with(child: Any) -> Any:
        run = paragraph.add_run()
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def has_page_field(part: Any) -> bool:
    return any("PAGE" in (i.text or "") for i in part._element.iter(qn("w:instrText"))) or any(
        "PAGE" in (f.get(qn("w:instr")) or "") for f in part._element.iter(qn("w:fldSimple")))


def _small(paragraph: Any) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = _GREY


def page_footer(footer: Any, text: str) -> None:
    """« texte — page n sur N » centré, en petits caractères gris."""
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.text = ""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{text} — page " if text else "Page ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" sur ")
    _field(paragraph, "NUMPAGES", "1")
    _small(paragraph)


def apply_layout(document: Any, *, header: str, footer: str) -> None:
    """A4 portrait, marges de 2 cm, fr-FR ; en-tête `header` et pied `footer — page n sur N` là où
    le document n'en a pas."""
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN
        section.header_distance = section.footer_distance = Mm(10)
        if section.footer.is_linked_to_previous or not has_page_field(section.footer):
            section.footer.is_linked_to_previous = False
            page_footer(section.footer, footer)
        head = section.header
        if header and (head.is_linked_to_previous or not "".join(p.text for p in head.paragraphs).strip()):
            head.is_linked_to_previous = False
            paragraph = head.paragraphs[0] if head.paragraphs else head.add_paragraph()
            paragraph.text = header
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _small(paragraph)
    set_language(document)
    french_spacing(document)


_SPACE_BEFORE = re.compile(r" (?=[:;!?»])")
_SPACE_AFTER = re.compile(r"(?<=«) ")


def french_spacing(document: Any) -> None:
    """Espace insécable avant « : ; ! ? » » et après « « », dans tout le texte (corps, tableaux,
    en-têtes, pieds), y compris quand l'espace finit un passage et le signe commence le suivant."""
    parts = [document.element.body]
    for section in document.sections:
        parts += [section.header._element, section.footer._element]
    for part in parts:
        previous = None
        for t in part.iter(qn("w:t")):
            text = t.text or ""
            if previous is not None and text[:1] in ":;!?»" and text and (previous.text or "").endswith(" "):
                previous.text = previous.text[:-1] + NBSP
            t.text = _SPACE_AFTER.sub(NBSP, _SPACE_BEFORE.sub(NBSP, text))
            previous = t


def insert_toc(document: Any, marker: str, *, min_headings: int = 6) -> None:
    """Sommaire à la place du paragraphe `marker` : champ TOC de Word (titres 1 et 2, mis à jour par
    Word ou LibreOffice), prérempli avec la liste des titres pour qu'il se lise tel quel. Un
    document trop court pour en avoir besoin perd simplement le repère."""
    target = next((p for p in document.paragraphs if p.text.strip() == marker), None)
    if target is None:
        return
    headings = [(int(p.style.name[-1]), p.text) for p in document.paragraphs
                if p.style.name in ("Heading 1", "Heading 2") and p.text.strip()]
    if len(headings) < min_headings:
        target._p.getparent().remove(target._p)
        return
    target.insert_paragraph_before("Sommaire", style="Heading 1")
    first = target.insert_paragraph_before()
    _begin_field(first, 'TOC \\o "1-2" \\h \\z \\u')
    for level, text in headings:
        para = target.insert_paragraph_before(text)
        para.paragraph_format.left_indent = Mm(0 if level == 1 else 6)
        if level == 1:
            for run in para.runs:
                run.bold = True
    last = target.insert_paragraph_before()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    last.add_run()._r.append(end)
    last.add_run().add_break(WD_BREAK.PAGE)
    target._p.getparent().remove(target._p)
    # Word propose de mettre à jour les champs (numéros de page du sommaire) à l'ouverture
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        upd = OxmlElement("w:updateFields")
        upd.set(qn("w:val"), "true")
        settings.append(upd)


def _begin_field(paragraph: Any, instruction: str) -> None:
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    paragraph.add_run()._r.append(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    paragraph.add_run()._r.append(sep)
