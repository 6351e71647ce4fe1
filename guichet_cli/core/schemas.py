"""Chargement des schémas JSON et des validateurs, construits une seule fois par schéma."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from guichet_cli.core.errors import EnvironmentProblem


@lru_cache(maxsize=64)
def load_schema(path: Path) -> dict[str, Any]:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EnvironmentProblem(
            f"schéma introuvable : {path}",
            "réinstaller guichet ou restaurer le dossier schemas/ du dépôt (git checkout -- schemas/)",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvironmentProblem(f"schéma illisible : {path} ({exc})", "restaurer le fichier depuis git") from None
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise EnvironmentProblem(f"schéma invalide : {path} ({exc.message})", "corriger ou restaurer le schéma") from None
    return schema


@lru_cache(maxsize=64)
def validator_for(path: Path) -> Draft202012Validator:
    # Le vérificateur de formats est indispensable : sans lui « 2026-02-30 » passerait.
    return Draft202012Validator(load_schema(path), format_checker=Draft202012Validator.FORMAT_CHECKER)
