"""guichet templates check : les modèles DOCX respectent-ils le contrat de contexte ?

Pour chaque modèle de clause_templates/ :
1. variables de premier niveau (`get_undeclared_template_variables` avec notre environnement)
   comparées aux propriétés du contrat schemas/contexte_modele.schema.json ;
2. chemins pointés (`marche.objet`, `lot.heures_texte` dans une boucle) vérifiés dans le contrat ;
3. rendu contre chaque dossier d'exemple auquel le modèle s'applique, relu avec python-docx :
   aucune balise Jinja ne doit rester.
Erreurs : variable non déclarée, variable de premier niveau du contrat utilisée par aucun modèle,
modèle illisible ou qui échoue au rendu. Avertissements : champ imbriqué du contrat inutilisé.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from guichet_cli.core.errors import DataError, EnvironmentProblem, GuichetError
from guichet_cli.core.render.docx import leftover_tags, make_environment
from guichet_cli.core.workspace import Workspace

CONTRACT = "contexte_modele.schema.json"


@dataclass
class TemplateCheck:
    errors: list[tuple[str, str]] = field(default_factory=list)  # (modèle, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    templates: int = 0
    renders: int = 0
    cases: int = 0
    skipped_cases: list[tuple[str, str]] = field(default_factory=list)


def load_contract(ws: Workspace) -> dict[str, Any]:
    path = ws.schemas_dir / CONTRACT
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EnvironmentProblem(f"contrat de contexte illisible ({ws.rel(path)}) : {exc}", "restaurer le fichier depuis git") from None


def _leaf_paths(schema: dict[str, Any], prefix: str) -> set[str]:
    if schema.get("type") == "array":
        return _leaf_paths(schema.get("items") or {}, prefix)
    props = schema.get("properties")
    if schema.get("type") == "object" and props:
        out: set[str] = set()
        for key, sub in props.items():
            out |= _leaf_paths(sub, f"{prefix}.{key}" if prefix else key)
        return out
    return {prefix}


def _child(schema: dict[str, Any] | None, attr: str) -> dict[str, Any] | None:
    """Sous-schéma de `attr`, ou None si le contrat ne le déclare pas."""
    if schema is None:
        return None
    if schema.get("type") == "object":
        return (schema.get("properties") or {}).get(attr)
    return None


def _items(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    if schema and schema.get("type") == "array":
        return schema.get("items") or {}
    return None


class _PathVisitor:
    """Parcourt l'arbre Jinja et vérifie chaque chaîne `nom.attr.attr` dans le contrat."""

    def __init__(self, contract: dict[str, Any]) -> None:
        self.root = contract.get("properties") or {}
        self.used: set[str] = set()  # chemins complets (préfixe canonique) utilisés
        self.unknown: set[str] = set()

    def _resolve(self, node: nodes.Node, scope: dict[str, tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]] | None:
        chain: list[str] = []
        while isinstance(node, nodes.Getattr):
            chain.append(node.attr)
            node = node.node
        if not isinstance(node, nodes.Name):
            return None
        if node.name in scope:
            path, schema = scope[node.name]
        elif node.name in self.root:
            path, schema = node.name, self.root[node.name]
        else:
            return None  # variable inconnue : déjà signalée au premier niveau
        for attr in reversed(chain):
            sub = _child(schema, attr)
            if sub is None:
                self.unknown.add(f"{path}.{attr}")
                return None
            path, schema = f"{path}.{attr}", sub
        self.used.add(path)
        return path, schema

    def visit(self, node: nodes.Node, scope: dict[str, tuple[str, dict[str, Any]]]) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            resolved = self._resolve(node.iter, scope) if isinstance(node.iter, nodes.Getattr | nodes.Name) else None
            inner = dict(scope)
            items = _items(resolved[1]) if resolved else None
            if resolved and items is not None and isinstance(node.target, nodes.Name):
                inner[node.target.name] = (resolved[0], items)
            for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
                self.visit(child, inner)
            return
        if isinstance(node, nodes.Getattr):
            base = node
            while isinstance(base, nodes.Getattr):
                base = base.node
            if isinstance(base, nodes.Name):
                self._resolve(node, scope)
                return
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            self._resolve(node, scope)
        for child in node.iter_child_nodes():
            self.visit(child, scope)


def _template_source(path: Path) -> str:
    """XML du modèle (corps, en-têtes, pieds) après les réparations de docxtpl, comme au rendu."""
    from docx import Document
    from docx.opc.oxml import parse_xml
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(path))
    doc = Document(str(path))
    xml = tpl.patch_xml(tpl.xml_to_string(doc._element.body))
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for rel in doc._part.rels.values():
            if rel.reltype == uri and rel.target_part.blob:
                xml += tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob)))
    return xml


def check_templates(ws: Workspace, render_samples: bool = True) -> TemplateCheck:
    from docxtpl import DocxTemplate

    contract = load_contract(ws)
    declared = set(contract.get("properties") or {})
    env = make_environment()
    result = TemplateCheck()
    used_top: set[str] = set()
    visitor = _PathVisitor(contract)
    templates = sorted(ws.templates_dir.glob("*.docx"))
    if not templates:
        raise EnvironmentProblem(f"aucun modèle .docx dans {ws.rel(ws.templates_dir)}", "régénérer les modèles : python tools/build_clause_templates.py")
    for path in templates:
        if path.name.startswith(("~$", ".~lock")):
            continue  # fichiers de verrou de Word / LibreOffice
        result.templates += 1
        try:
            names = DocxTemplate(str(path)).get_undeclared_template_variables(jinja_env=env)
            ast = env.parse(_template_source(path))
        except jinja2.TemplateSyntaxError as exc:
            result.errors.append((path.name, f"balise mal formée : {exc.message} (voir docs/modeles.md)"))
            continue
        except Exception as exc:  # DOCX corrompu, XML illisible : un modèle cassé n'arrête pas les autres
            result.errors.append((path.name, f"modèle illisible : {exc}"))
            continue
        for name in sorted(names - declared):
            result.errors.append((path.name, f"variable non déclarée dans le contrat {CONTRACT} : « {name} »"))
        used_top |= names & declared
        before = set(visitor.unknown)
        visitor.visit(ast, {})
        for dotted in sorted(visitor.unknown - before):
            result.errors.append((path.name, f"champ non déclaré dans le contrat {CONTRACT} : « {dotted} »"))
    for name in sorted(declared - used_top):
        result.errors.append((CONTRACT, f"variable « {name} » déclarée mais utilisée par aucun modèle"))
    leaves = _leaf_paths({"type": "object", "properties": contract.get("properties") or {}}, "")
    for leaf in sorted(leaves):
        if not any(u == leaf or u.startswith(leaf + ".") for u in visitor.used):
            result.warnings.append((CONTRACT, f"champ « {leaf} » utilisé par aucun modèle"))
    if render_samples:
        _render_samples(ws, result)
    return result


def _render_samples(ws: Workspace, result: TemplateCheck) -> None:
    import docx

    from guichet_cli.core.render.drafts import Renderer

    renderer = Renderer(ws)
    for path in ws.case_files():
        try:
            plan = renderer.render_case(path)
        except DataError as exc:
            result.skipped_cases.append((ws.rel(path), exc.message))
            continue
        except GuichetError as exc:
            result.errors.append((ws.rel(path), exc.message))
            continue
        result.cases += 1
        for draft in plan.drafts:
            result.renders += 1
            document = docx.Document(io.BytesIO(draft.data))
            texts = [p.text for p in document.paragraphs]
            texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
            left = leftover_tags("\n".join(texts))
            if left:
                result.errors.append((draft.template.name, f"balises restées dans le rendu de {plan.case_id} : {' '.join(left)}"))
