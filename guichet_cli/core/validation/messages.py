"""Traduction des erreurs jsonschema en messages français qui disent quoi faire."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts import amounts, dates

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_TYPES = {
    "string": "un texte",
    "number": "un nombre",
    "integer": "un nombre entier",
    "boolean": "true ou false",
    "array": "une liste",
    "object": "un ensemble de champs (clé: valeur)",
    "null": "vide",
}


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "vide"
    if isinstance(value, dict):
        return "un ensemble de champs"
    if isinstance(value, list):
        return "une liste"
    text = str(value)
    return f"« {text[:80]}{'…' if len(text) > 80 else ''} »"


def did_you_mean(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"vouliez-vous dire « {close[0]} » ?" if close else None


def date_problem(value: str) -> str:
    """Explique pourquoi une chaîne n'est pas une date AAAA-MM-JJ réelle (facts/dates.py)."""
    return dates.problem(value)


def _number_hint(value: Any) -> str | None:
    if isinstance(value, str):
        try:
            num = amounts.parse_amount(value)  # même lecture que guichet new et les plans d'achat
        except amounts.AmountError:
            return None
        return f"écrire {amounts.plain(num)} (sans espace, sans symbole, point décimal)"
    return None


def translate(err: ValidationError) -> tuple[tuple[str | int, ...], str, str | None, bool]:
    """Rend (chemin, message, conseil, position_sur_la_clé)."""
    path = tuple(err.absolute_path)
    v = err.validator
    schema = err.schema if isinstance(err.schema, dict) else {}
    custom = schema.get("x-message")
    inst = err.instance

    if v == "required":
        m = re.search(r"'([^']+)' is a required property", err.message)
        name = m.group(1) if m else "?"
        return path, f"champ obligatoire « {name} » manquant", None, False
    if v == "additionalProperties":
        extras = re.findall(r"'([^']+)'", err.message.split("(")[-1]) or ["?"]
        allowed = list((schema.get("properties") or {}).keys())
        name = extras[0]
        hint = did_you_mean(name, allowed) or (f"clés possibles : {', '.join(allowed)}" if allowed else None)
        return (*path, name), f"clé inconnue « {name} »", hint, True
    if v == "propertyNames":
        name = str(inst) if not isinstance(inst, dict) else "?"
        choices = list((schema.get("propertyNames") or {}).get("enum", []))
        # jsonschema donne le dictionnaire parent comme instance : retrouver la clé fautive
        if isinstance(inst, dict):
            bad = [k for k in inst if k not in choices]
            name = bad[0] if bad else "?"
        hint = did_you_mean(name, choices) or (f"clés possibles : {', '.join(choices)}" if choices else None)
        return (*path, name), f"clé inconnue « {name} »", hint, True
    if v == "type":
        expected = schema.get("type")
        exp = expected if isinstance(expected, list) else [expected]
        label = " ou ".join(_TYPES.get(str(t), str(t)) for t in exp)
        hint = _number_hint(inst) if ("number" in exp or "integer" in exp) else None
        if hint is None and "string" in exp and isinstance(inst, int | float) and not isinstance(inst, bool):
            hint = f'entourer la valeur de guillemets : "{inst}"'
        return path, f"{show(inst)} n'est pas {label}", hint or custom, False
    if v == "enum":
        choices = [str(c) for c in schema.get("enum", [])]
        hint = did_you_mean(str(inst), choices) or f"valeurs possibles : {', '.join(choices)}"
        return path, f"valeur inconnue {show(inst)}", hint, False
    if v == "const":
        return path, f"{show(inst)} : valeur attendue {show(schema.get('const'))}", None, False
    if v == "not":
        return path, f"{show(inst)} n'est pas admis ici", custom, False
    if v == "format":
        if err.validator_value == "date" and isinstance(inst, str):
            return path, date_problem(inst), 'écrire la date entre guillemets au format AAAA-MM-JJ, par exemple "2026-03-02"', False
        return path, f"{show(inst)} n'est pas au format {err.validator_value}", custom, False
    if v == "pattern":
        return path, f"{show(inst)} n'a pas la forme attendue", custom, False
    if v in ("minimum", "exclusiveMinimum"):
        return path, f"{show(inst)} est trop petit (minimum {err.validator_value}{', exclu' if v == 'exclusiveMinimum' else ''})", custom, False
    if v in ("maximum", "exclusiveMaximum"):
        return path, f"{show(inst)} est trop grand (maximum {err.validator_value})", custom, False
    if v == "minItems":
        return path, f"la liste doit contenir au moins {fr.count(err.validator_value, 'élément', 'éléments', plain=True)}", None, False
    if v == "maxItems":
        return path, f"la liste contient trop d'éléments (maximum {err.validator_value})", None, False
    if v == "uniqueItems":
        return path, "la liste contient des doublons", "supprimer les valeurs répétées", False
    if v == "minLength":
        return path, "texte vide", "compléter ou supprimer le champ", False
    if v == "maxLength":
        return path, f"texte trop long ({len(inst)} caractères, maximum {err.validator_value})", None, False
    return path, f"valeur non conforme ({err.message})", custom, False
