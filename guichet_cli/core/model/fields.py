"""Lecture typée d'un arbre YAML déjà analysé : chaque champ lu garde son chemin JSON.

Le schéma reste le contrat ; ce module en est la lecture typée. Quand un champ n'a pas le type
attendu (fichier qui n'a pas passé le schéma, ou qui l'a contourné), `ModelError` nomme le
fichier, le chemin JSON et ce qu'il fallait : la ligne et la colonne sont retrouvées seulement
à ce moment-là (relecture aller-retour du seul fichier fautif), jamais pour un fichier sain.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from guichet_cli.core.errors import DataError
from guichet_cli.core.findings import json_path

T = TypeVar("T")
Pointer = tuple[str | int, ...]


def describe(value: Any) -> str:
    """Ce qu'est une valeur, en français (« une liste », « le texte « oui » »…)."""
    if value is None:
        return "une valeur vide"
    if isinstance(value, bool):
        return f"le booléen {'true' if value else 'false'}"
    if isinstance(value, dict):
        return "un bloc de champs"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, int | float):
        return f"le nombre {value}"
    text = str(value)
    return f"le texte « {text[:40]}{'…' if len(text) > 40 else ''} »"


class ModelError(DataError):
    """Un champ illisible : fichier, position, chemin JSON, ce qui était attendu."""

    def __init__(self, path: Path, pointer: Pointer, problem: str, hint: str | None = None, *, line: int | None = None,
                 column: int | None = None) -> None:
        self.path = path
        self.pointer = pointer
        self.problem = problem
        self.line, self.column = line, column
        super().__init__(problem, hint or "corriger le champ (« guichet validate » détaille les problèmes du fichier)")
        self._refresh()

    def _refresh(self) -> None:
        where = f"{self.path}:{self.line or 1}:{self.column or 1}"
        self.message = f"{where}: {json_path(self.pointer)} : {self.problem}"
        self.args = (self.message,)

    def locate(self, display_path: str | None = None, text: str | None = None) -> ModelError:
        """Complète ligne et colonne d'après le fichier (ou `text`, version lue dans git)."""
        from guichet_cli.core import yamlio

        if self.line is None:
            try:
                data = yamlio.parse_roundtrip(self.path, text) if text is not None else yamlio.load_roundtrip(self.path).data
                self.line, self.column = yamlio.locate(data, self.pointer)
            except (DataError, OSError):
                self.line, self.column = 1, 1
        if display_path is not None:
            self.path = Path(display_path)
        self._refresh()
        return self


class Fields:
    """Un bloc `clé: valeur` du fichier `path`, au chemin `pointer`."""

    __slots__ = ("data", "path", "pointer")

    def __init__(self, data: Any, path: Path, pointer: Pointer = ()) -> None:
        if not isinstance(data, dict):
            raise ModelError(path, pointer, f"bloc de champs « clé: valeur » attendu, trouvé {describe(data)}")
        self.data = data
        self.path = path
        self.pointer = pointer

    def error(self, key: str | int, problem: str, hint: str | None = None) -> ModelError:
        return ModelError(self.path, (*self.pointer, key), problem, hint)

    def has(self, key: str) -> bool:
        value = self.data.get(key)
        return value is not None and value != "" and value != [] and value != {}

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            raise ModelError(self.path, self.pointer, f"champ obligatoire « {key} » absent")
        return value

    # --- scalaires ------------------------------------------------------------------------

    def text(self, key: str) -> str:
        value = self._get(key, True)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"texte attendu, trouvé {describe(value)}")
        return value

    def opt_text(self, key: str) -> str | None:
        return None if self.data.get(key) is None else self.text(key)

    def number(self, key: str) -> float | int:
        value = self._get(key, True)
        return self._number(key, value)

    def opt_number(self, key: str) -> float | int | None:
        value = self.data.get(key)
        return None if value is None else self._number(key, value)

    def _number(self, key: str | int, value: Any) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"nombre attendu, trouvé {describe(value)}", "écrire un nombre sans espace ni symbole (1450000)")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(key, "nombre attendu, trouvé une valeur non finie (.nan ou .inf)", "écrire un nombre réel")
        if isinstance(value, int) and abs(value) > 10**15:
            raise self.error(key, "nombre démesuré (plus de 15 chiffres)", "vérifier le montant saisi")
        return value

    def integer(self, key: str) -> int:
        value = self._get(key, True)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"nombre entier attendu, trouvé {describe(value)}")
        self._number(key, value)
        return value

    def opt_integer(self, key: str) -> int | None:
        return None if self.data.get(key) is None else self.integer(key)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, f"true ou false attendu, trouvé {describe(value)}")
        return value

    def opt_flag(self, key: str) -> bool | None:
        return None if self.data.get(key) is None else self.flag(key)

    def date(self, key: str) -> dt.date:
        value = self._get(key, True)
        return self._date(key, value)

    def opt_date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        return None if value is None else self._date(key, value)

    def _date(self, key: str | int, value: Any) -> dt.date:
        from guichet_cli.core.facts.dates import DateError, parse_iso

        if not isinstance(value, str | dt.date):
            raise self.error(key, f"date attendue (AAAA-MM-JJ), trouvé {describe(value)}")
        try:
            return parse_iso(value)
        except DateError as exc:
            raise self.error(key, exc.message, 'écrire la date au format AAAA-MM-JJ entre guillemets, par exemple "2026-03-02"') from None

    def choice(self, key: str, allowed: Any) -> str:
        value = self.text(key)
        if value not in allowed:
            shown = ", ".join(sorted(allowed))
            raise self.error(key, f"valeur « {value} » inconnue", f"valeurs possibles : {shown}")
        return value

    def opt_choice(self, key: str, allowed: Any) -> str | None:
        return None if self.data.get(key) is None else self.choice(key, allowed)

    # --- conteneurs -------------------------------------------------------------------------

    def _list(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, f"liste attendue, trouvé {describe(value)}", "écrire une liste : [a, b] ou des lignes « - a »")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        out = []
        for i, item in enumerate(self._list(key)):
            if not isinstance(item, str) or not item.strip():
                raise ModelError(self.path, (*self.pointer, key, i), f"texte attendu, trouvé {describe(item)}")
            out.append(item)
        return tuple(out)

    def integers(self, key: str) -> tuple[int, ...]:
        out = []
        for i, item in enumerate(self._list(key)):
            if isinstance(item, bool) or not isinstance(item, int):
                raise ModelError(self.path, (*self.pointer, key, i), f"nombre entier attendu, trouvé {describe(item)}")
            out.append(item)
        return tuple(out)

    def block(self, key: str) -> Fields | None:
        value = self.data.get(key)
        if value is None:
            return None
        return Fields(value, self.path, (*self.pointer, key))

    def items(self, key: str) -> Iterator[Fields]:
        for i, item in enumerate(self._list(key)):
            yield Fields(item, self.path, (*self.pointer, key, i))

    def build(self, key: str, ctor: Callable[[Fields], T]) -> T | None:
        sub = self.block(key)
        return None if sub is None else ctor(sub)

    def build_all(self, key: str, ctor: Callable[[Fields], T]) -> tuple[T, ...]:
        return tuple(ctor(f) for f in self.items(key))

    def counts(self, key: str) -> dict[str, int | float]:
        """Bloc de compteurs `clé: nombre` (répartitions par public, par modalité…)."""
        sub = self.block(key)
        if sub is None:
            return {}
        return {str(k): sub._number(str(k), v) for k, v in sub.data.items() if v is not None}
