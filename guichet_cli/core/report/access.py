"""Lecture typée d'un champ de dossier : une valeur du mauvais type est une erreur de données
nommant le fichier et le champ (le bilan de ce donneur est signalé, les autres sont produits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guichet_cli.core.errors import DataError


def _fail(rel: str, where: str, expected: str, value: Any) -> DataError:
    return DataError(
        f"{rel} : champ {where} : {expected} attendu, trouvé « {value!r} »",
        f"corriger le dossier puis vérifier avec « guichet validate {rel} »",
    )


def get(obj: Any, *keys: str | int) -> Any:
    for key in keys:
        if isinstance(key, int):
            obj = obj[key] if isinstance(obj, list) and len(obj) > key else None
        else:
            obj = obj.get(key) if isinstance(obj, dict) else None
        if obj is None:
            return None
    return obj


def mapping(rel: str, where: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(rel, where, "un dictionnaire", value)
    return value


def items(rel: str, where: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(rel, where, "une liste", value)
    return value


def number(rel: str, where: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(rel, where, "un nombre", value)
    if value < 0:
        raise _fail(rel, where, "un nombre positif", value)
    return value


def count(rel: str, where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(rel, where, "un nombre entier positif", value)
    return value


def date(rel: str, where: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _fail(rel, where, "une date AAAA-MM-JJ", value) from None


def text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
