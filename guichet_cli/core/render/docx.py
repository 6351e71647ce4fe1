"""Rendu DOCX sûr et reproductible d'un modèle docxtpl.

- Toujours notre propre environnement Jinja : bac à sable (un modèle venu d'un partenaire ne
  peut pas exécuter de code), échappement automatique (sinon « & » disparaît et le XML casse),
  variables strictes (une faute de frappe dans un modèle est une erreur, pas un blanc).
- Mêmes entrées, mêmes octets : archive réécrite avec dates fixes et entrées triées, propriétés
  du document tirées du dossier (jamais « maintenant »), pour qu'une rédaction regénérée ne
  change pas dans git.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from guichet_cli.core import frformat as fr
from guichet_cli.core.errors import EnvironmentProblem
from guichet_cli.core.render.layout import apply_layout
from guichet_cli.core.render.sandbox import LimitedSandbox, TemplateLimitError
from guichet_cli.core.safety import os_problem, xml_safe

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_LINE_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')


def multiline(value: Any) -> Markup:
    """Filtre « multiligne » : texte échappé, retours à la ligne rendus comme sauts de ligne Word."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return Markup(_LINE_BREAK).join(escape(line) for line in text.split("\n"))


def _finalize(value: Any) -> Any:
    # Un caractère que XML refuse ferait échouer l'enregistrement du DOCX (python-docx) : défense en
    # profondeur, la validation les refuse déjà dans les dossiers (core/safety.py).
    return xml_safe(value) if isinstance(value, str) else value


def make_environment() -> SandboxedEnvironment:
    env = LimitedSandbox(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True, finalize=_finalize)
    env.filters.update(
        {
            "montant": fr.money,
            "date_longue": fr.date_long,
            "pourcentage": fr.percent,
            "heures": fr.hours,
            "entier": fr.integer,
            "en_lettres": fr.words,
            "multiligne": multiline,
        }
    )
    return env


@lru_cache(maxsize=64)
def _template_bytes(path: Path, mtime_ns: int) -> bytes:
    return path.read_bytes()


def template_bytes(path: Path) -> bytes:
    try:
        return _template_bytes(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise EnvironmentProblem(
            f"modèle introuvable : {path.name}",
            "restaurer clause_templates/ depuis git, ou régénérer les modèles : python tools/build_clause_templates.py",
        ) from None
    except OSError as exc:
        raise EnvironmentProblem(f"modèle illisible : {path.name} ({os_problem(exc)})",
                                 "vérifier les droits du fichier (il doit être lisible par la personne qui lance guichet)") from None


def _template_error(name: str, exc: Exception) -> EnvironmentProblem:
    where = ""
    ctx = getattr(exc, "docx_context", None)
    if ctx:
        snippet = " ".join(s.strip() for s in ctx if s.strip())[:200]
        where = f" (près de : « {snippet} »)"
    if isinstance(exc, TemplateLimitError):
        return EnvironmentProblem(f"le modèle « {name} » dépasse les limites d'exécution : {exc}{where}",
                                  "un modèle ne fait que placer les variables du dossier : retirer la boucle ou le calcul en cause")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return EnvironmentProblem(
            f"le modèle « {name} » tente une opération interdite, bloquée par le bac à sable : {exc}{where}",
            "un modèle ne peut utiliser que les variables du contrat schemas/contexte_modele.schema.json ; retirer cette balise",
        )
    if isinstance(exc, jinja2.exceptions.UndefinedError):
        return EnvironmentProblem(
            f"le modèle « {name} » utilise une variable absente du contexte : {exc}{where}",
            "corriger le nom de la variable (liste dans schemas/contexte_modele.schema.json) ; vérifier avec « guichet templates check »",
        )
    if isinstance(exc, jinja2.exceptions.TemplateSyntaxError):
        return EnvironmentProblem(
            f"balise mal formée dans le modèle « {name} » : {exc.message}{where}",
            "voir docs/modeles.md (espaces dans les délimiteurs, {%p %} sur un paragraphe à part, pas de guillemets typographiques)",
        )
    return EnvironmentProblem(f"rendu impossible du modèle « {name} » : {exc}{where}", "vérifier le modèle avec « guichet templates check »")


def normalize_zip(data: bytes) -> bytes:
    """Réécrit l'archive : [Content_Types].xml d'abord, puis entrées triées, dates et droits fixes."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        names = sorted(zin.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 0
                info.external_attr = 0o644 << 16
                zout.writestr(info, zin.read(name), compresslevel=6)
    return out.getvalue()


def render_docx(
    template_path: Path,
    context: dict[str, Any],
    env: SandboxedEnvironment,
    *,
    stamp: dt.datetime,
    title: str,
    author: str,
    subject: str = "",
    footer: str = "",
) -> bytes:
    """Rend un modèle en mémoire et renvoie les octets DOCX reproductibles (rien n'est écrit ici).
    Mise en page commune (A4, fr-FR, en-tête au nom du guichet, « page n sur N ») : layout.apply_layout."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(template_bytes(template_path)))
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.exceptions.TemplateError as exc:
        raise _template_error(template_path.name, exc) from None
    apply_layout(tpl.docx, header=author, footer=footer or title)
    props = tpl.docx.core_properties
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.title = title[:250]
    props.subject = subject[:250]
    props.author = author
    props.last_modified_by = author
    props.comments = "Projet de rédaction produit par guichet render à partir du dossier ; à relire par le service juridique."
    props.language = "fr-FR"
    buf = io.BytesIO()
    tpl.save(buf)
    return normalize_zip(buf.getvalue())


_LEFTOVER = re.compile(r"\{\{|\{%|%\}|\}\}|\{#|#\}")


def leftover_tags(text: str) -> list[str]:
    """Délimiteurs Jinja restés dans un texte rendu (signe d'un modèle cassé)."""
    return sorted(set(_LEFTOVER.findall(text)))
