"""Bac à sable des modèles DOCX : un modèle est une donnée qu'un partenaire modifie.

`SandboxedEnvironment` empêche déjà d'exécuter du code et borne `range()` (100 000). Il reste
deux façons de bloquer la machine avec un modèle : calculer un texte géant (`'a' * 999999999`,
`'x'.ljust(10**9)`) et boucler longtemps (`range(100000)` dans `range(100000)`). Ici :

- `*` et `**` sont interceptés et refusés quand le résultat serait démesuré ;
- une méthode de texte appelée avec un entier démesuré est refusée ;
- l'assemblage du texte rendu (`concat`) compte la taille produite et le temps écoulé, et une
  alarme (SIGALRM, fil principal) interrompt une boucle qui ne produit rien.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterable
from typing import Any

from jinja2.exceptions import SecurityError, TemplateError, TemplateRuntimeError
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT_CHARS = 20_000_000  # un modèle rendu fait quelques centaines de Ko de XML
MAX_SECONDS = 20.0  # une pièce se rend en moins d'une seconde
MAX_INT_ARG = 1_000_000


class TemplateLimitError(SecurityError):
    """Le modèle dépasse une limite d'exécution (taille produite, temps, calcul démesuré)."""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


class LimitedSandbox(SandboxedEnvironment):
    """Bac à sable jinja2 avec limites de taille et de temps."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if _size(seq) and isinstance(count, int) and _size(seq) * count > MAX_OUTPUT_CHARS:
                    raise TemplateLimitError("texte ou liste démesuré demandé par le modèle (multiplication)")
        if operator == "**" and isinstance(right, int | float) and isinstance(left, int | float) and abs(right) > 100:
            raise TemplateLimitError("puissance démesurée demandée par le modèle")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (signature de jinja2)
        if isinstance(getattr(__obj, "__self__", None), str | list):
            if any(isinstance(a, int) and not isinstance(a, bool) and a > MAX_INT_ARG for a in (*args, *kwargs.values())):
                raise TemplateLimitError("texte démesuré demandé par le modèle (argument trop grand)")
        return super().call(__context, __obj, *args, **kwargs)

    def concat(self, parts: Iterable[str]) -> str:  # type: ignore[override]
        return limited_join(parts)


def limited_join(parts: Iterable[str]) -> str:
    """Assemble le texte rendu en bornant sa taille et la durée du rendu."""
    start = time.monotonic()
    out: list[str] = []
    total = 0
    try:
        with _alarm(MAX_SECONDS):
            for part in parts:  # chaque morceau est calculé ici : les erreurs du modèle surgissent ici
                total += len(part)
                if total > MAX_OUTPUT_CHARS:
                    raise TemplateLimitError(f"le modèle produit plus de {MAX_OUTPUT_CHARS // 1_000_000} millions de caractères")
                if time.monotonic() - start > MAX_SECONDS:
                    raise _timeout()
                out.append(part)
    except TemplateError:
        raise
    except OverflowError as exc:  # range() au-delà de MAX_RANGE
        raise TemplateLimitError(f"boucle démesurée demandée par le modèle ({exc})") from None
    except (ArithmeticError, TypeError, ValueError, LookupError, AttributeError, RecursionError, MemoryError) as exc:
        # Un calcul du modèle qui échoue (1/0, type inattendu) : erreur du modèle, pas de guichet.
        raise TemplateRuntimeError(f"calcul impossible dans le modèle ({type(exc).__name__} : {exc})") from None
    return "".join(out)


def _timeout() -> TemplateLimitError:
    return TemplateLimitError(f"le rendu du modèle dépasse {int(MAX_SECONDS)} secondes (boucle trop longue ?)")


class _alarm:  # noqa: N801 — gestionnaire de contexte
    """SIGALRM après `seconds` dans le fil principal (ailleurs : seul le contrôle dans concat joue)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        self.previous: Any = None
        self.previous_timer = (0.0, 0.0)

    def _fire(self, signum: int, frame: Any) -> None:
        raise _timeout()

    def __enter__(self) -> _alarm:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            self.previous_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
