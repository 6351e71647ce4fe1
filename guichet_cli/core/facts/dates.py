"""Dates : une seule lecture pour les options de la ligne de commande, les dossiers et les plans d'achat.

- `parse_iso` : date AAAA-MM-JJ réelle (option saisie, champ de dossier) ; sinon DateError qui dit
  pourquoi (« le 30 février 2026 n'existe pas ») ; `parse_option` en fait l'erreur d'une option ;
- `read` : date enregistrée (dossier, règles, historique) ou None si absente ou illisible ;
- `parse_sheet` : cellule de tableur (plan d'achat) : ISO, JJ/MM/AAAA, date Excel, et périodes
  (« mars 2027 », « 03/2027 », « T3 2026 », « S2 2026 »…) qui donnent leur dernier jour.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]
_MONTH_NUMBERS = {unicodedata.normalize("NFKD", m).encode("ascii", "ignore").decode(): i for i, m in enumerate(MONTHS, start=1)}
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
SHEET_FORMATS = "AAAA-MM-JJ, JJ/MM/AAAA, MM/AAAA, « mars 2027 », « T3 2026 » ou « S2 2026 »"


class DateError(ValueError):
    """Date illisible ; le message (français) dit pourquoi, `detail` le dit sans répéter la valeur."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def _show(value: Any) -> str:
    text = str(value)
    return f"« {text[:80]}{'…' if len(text) > 80 else ''} »"


def problem(value: str) -> str:
    """Explique pourquoi une chaîne n'est pas une date AAAA-MM-JJ réelle."""
    m = _ISO.fullmatch(value.strip())
    if not m:
        return f"{_show(value)} n'est pas une date au format AAAA-MM-JJ"
    y, mo, d = (int(x) for x in m.groups())
    if not 1 <= mo <= 12:
        return f"{_show(value)} : le mois {mo} n'existe pas"
    try:
        dt.date(y, mo, d)
    except ValueError:
        return f"{_show(value)} : le {d} {MONTHS[mo - 1]} {y} n'existe pas"
    return f"{_show(value)} n'est pas une date valide"


def _real(year: int, month: int, day: int, text: str) -> dt.date:
    if not 1 <= month <= 12:
        raise DateError(f"{_show(text)} : le mois {month} n'existe pas", f"le mois {month} n'existe pas")
    try:
        return dt.date(year, month, day)
    except ValueError:
        detail = f"le {day} {MONTHS[month - 1]} {year} n'existe pas"
        raise DateError(f"{_show(text)} : {detail}", detail) from None


def parse_iso(value: Any) -> dt.date:
    """Date AAAA-MM-JJ réelle ; une date déjà lue (YAML) est rendue telle quelle."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = _ISO.fullmatch(text)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        if 1 <= mo <= 12:
            try:
                return dt.date(y, mo, d)
            except ValueError:
                pass
    raise DateError(problem(text))


INPUT_FORMATS = "AAAA-MM-JJ ou JJ/MM/AAAA, par exemple 2026-03-02 ou 02/03/2026"


def parse_input(value: Any) -> dt.date:
    """Date saisie par une personne : AAAA-MM-JJ ou JJ/MM/AAAA (« 15/03/2027 »), jour réel exigé."""
    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{4}", text):
        return parse_sheet(text.replace(".", "/"))[0]
    return parse_iso(text)


def parse_option(value: str, option: str) -> dt.date:
    """Date saisie dans une option de commande (--date, --received…) : UsageError (code 2) qui
    nomme l'option et dit pourquoi la date est refusée."""
    from guichet_cli.core.errors import UsageError

    try:
        return parse_input(value)
    except DateError as exc:
        raise UsageError(f"{option} : {exc.message}", f"écrire la date au format {INPUT_FORMATS}") from None


def read(value: Any) -> dt.date | None:
    """Date enregistrée, ou None si absente ou illisible (le schéma la signale ailleurs).

    Une date suivie d'une heure (« 2026-03-02T10:00:00+01:00 ») donne le jour.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not re.match(r"\d{4}-\d{2}-\d{2}(?:$|[T ])", text):
        return None
    try:
        return parse_iso(text[:10])
    except DateError:
        return None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _words(text: str) -> str:
    """« 2e Trimestre (2027) » → « 2e trimestre 2027 » : minuscules, sans accents ni ponctuation."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    if re.sub(r"\(.*?\)", "", t).strip():
        t = re.sub(r"\(.*?\)", " ", t)
    return " ".join(w for w in re.split(r"[^a-z0-9]+", t) if w)


def parse_sheet(value: Any) -> tuple[dt.date, bool]:
    """Cellule de tableur → (date, approchée ?).

    Une période (« mars 2027 », « 03/2027 », « T3 2026 », « 2e trimestre 2027 », « S2 2026 ») donne
    son DERNIER jour : l'obligation L2112-2-1 (consultations lancées à partir du 22/08/2026) est
    ainsi signalée dès qu'une partie de la période tombe après la date d'application.
    """
    if isinstance(value, dt.datetime):
        return value.date(), False
    if isinstance(value, dt.date):
        return value, False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # numéro de série d'une date Excel (cellule au format nombre)
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value)), False
        raise DateError(f"{_show(value)} n'est pas une date ({SHEET_FORMATS})")
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", text):
        return _real(int(m[1]), int(m[2]), int(m[3]), text), False
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        return _real(int(m[3]), int(m[2]), int(m[1]), text), False
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", text):
        _real(int(m[2]), int(m[1]), 1, text)  # mois 1 à 12
        return _month_end(int(m[2]), int(m[1])), True
    t = _words(text)
    if (m := re.fullmatch(r"(?:(\d{1,2})(?: ?er)? )?([a-z]+) (\d{4})", t)) and m[2] in _MONTH_NUMBERS:
        if m[1]:
            return _real(int(m[3]), _MONTH_NUMBERS[m[2]], int(m[1]), text), False
        return _month_end(int(m[3]), _MONTH_NUMBERS[m[2]]), True
    # T3 2026, 3e trimestre 2026, 3eme trim 2026, Q3 2026 ; S2 2026, 2e semestre 2026
    if m := re.fullmatch(r"(?:t|q)([1-4]) (\d{4})|([1-4])(?:er|e|eme|re) trim(?:estre)? (\d{4})", t):
        quarter, year = int(m[1] or m[3]), int(m[2] or m[4])
        return _month_end(year, quarter * 3), True
    if m := re.fullmatch(r"s([12]) (\d{4})|([12])(?:er|e|eme|re) semestre (\d{4})", t):
        half, year = int(m[1] or m[3]), int(m[2] or m[4])
        return _month_end(year, half * 6), True
    raise DateError(f"{_show(text)} n'est pas une date reconnue ({SHEET_FORMATS})")
