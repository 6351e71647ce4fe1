"""Lecture d'un plan d'achat (CSV ou XLSX) : en-têtes variés, nombres et dates à la française.

Chaque ligne devient un marché (mêmes clés que marche dans une demande) ou une erreur avec son
numéro de ligne dans le fichier (la ligne d'en-tête est la ligne 1) ; une ligne fautive n'arrête
pas la lecture des autres.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core.analysis.sectors import nature_from_cpv
from guichet_cli.core.errors import DataError, UsageError

# champ → variantes d'en-tête (normalisées : minuscules, sans accents ni ponctuation)
HEADERS: dict[str, list[str]] = {
    "objet": ["objet", "intitule", "libelle", "objet du marche", "designation", "objet de l achat", "intitule du marche"],
    "cpv": ["cpv", "code cpv", "codes cpv", "code cpv principal"],
    "montant": ["montant", "montant estime", "montant ht", "montant estime ht", "montant previsionnel", "montant eur ht",
                "montant estime eur ht", "budget", "estimation", "montant total ht"],
    "montant_max": ["montant maximum", "montant maximum ht", "maximum", "montant max"],
    "duree": ["duree", "duree mois", "duree en mois", "duree du marche", "duree marche mois"],
    "lieu": ["lieu", "departement", "lieu d execution", "lieux d execution", "lieu execution", "departement d execution", "dept"],
    "lancement": ["date de lancement", "lancement prevu", "lancement", "date de lancement prevue", "date previsionnelle de lancement",
                  "date lancement", "publication prevue", "date de publication"],
    "nature": ["nature", "type de marche", "nature du marche"],
    "forme": ["forme", "forme du marche"],
}
REQUIRED = ("objet", "cpv", "montant")
DEPARTMENTS = {"75": "paris", "77": "seine et marne", "78": "yvelines", "91": "essonne", "92": "hauts de seine",
               "93": "seine saint denis", "94": "val de marne", "95": "val d oise"}
_MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
           "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}


@dataclass
class PlanLine:
    row: int
    values: dict[str, Any]  # objet, cpv[], montant_estime_ht, montant_maximum_ht?, duree_mois, departements[], lancement_prevu?, nature, forme
    notes: list[str] = field(default_factory=list)


@dataclass
class BadLine:
    row: int
    problems: list[str]
    raw: str = ""


def norm(text: Any) -> str:
    """« Durée (mois) » → « duree » ; « Montant estimé (€ HT) » → « montant estime »."""
    t = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    if re.sub(r"\(.*?\)", "", t).strip():
        t = re.sub(r"\(.*?\)", " ", t)
    words = [w for w in re.split(r"[^a-z0-9]+", t) if w and w not in ("eur", "euros", "ht", "ttc")]
    return " ".join(words)


def map_headers(headers: list[Any]) -> dict[int, str]:
    """Colonne → champ ; exact d'abord, puis « commence par » (« Montant estimé 2027 (€ HT) »)."""
    out: dict[int, str] = {}
    taken: set[str] = set()
    normed = [norm(h) for h in headers]
    for exact in (True, False):
        for i, h in enumerate(normed):
            if i in out or not h:
                continue
            for fieldname, variants in HEADERS.items():
                if fieldname in taken:
                    continue
                if (h in variants) if exact else any(h.startswith(v + " ") for v in variants):
                    out[i] = fieldname
                    taken.add(fieldname)
                    break
    return out


def parse_amount(value: Any) -> float:
    """1 200 000,00 € ; 1.200.000 ; 1200000 ; 1,2 M€ ; 350 k€ → nombre."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().lower().replace("\u00a0", " ").replace("\u202f", " ")
    mult = 1.0
    m = re.search(r"(m|k)\s*(€|eur|euros)?\s*(ht)?$", text)
    if m and re.search(r"\d\s*(m|k)\s*(€|eur|euros)?\s*(ht)?$", text):
        mult = 1e6 if m.group(1) == "m" else 1e3
        text = text[: m.start()]
    text = re.sub(r"(€|eur|euros|ht|h\.t\.)", "", text).replace(" ", "").replace("'", "")
    if not text:
        raise ValueError
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 and not re.fullmatch(r"\d{1,3}(,\d{3})+", text) else text.replace(",", "")
    elif text.count(".") > 1 or re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    result = float(text) * mult
    if result < 0:
        raise ValueError
    return result


def parse_duration(value: Any) -> int:
    """48 ; « 48 mois » ; « 4 ans » ; « 2,5 ans » → mois."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(round(value))
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().lower().replace(",", ".").strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(mois|m|ans?|annees?)?", text)
    if not m:
        raise ValueError
    number = float(m.group(1))
    return int(round(number * 12)) if (m.group(2) or "").startswith("an") else int(round(number))


def parse_cpv(value: Any) -> list[str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    codes = re.findall(r"\b(\d{8})(?:-\d)?\b", str(value))
    if not codes:
        raise ValueError
    return list(dict.fromkeys(codes))


def parse_places(value: Any) -> list[str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    text = norm(value)
    found: list[str] = []
    for token in re.findall(r"\b\d{5}\b|\b\d{2}\b", text):
        dep = token[:2]
        if dep in DEPARTMENTS and dep not in found:
            found.append(dep)
    for code, name in DEPARTMENTS.items():
        if name in text and code not in found:
            found.append(code)
    if not found:
        raise ValueError
    return found


def parse_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", text):
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", text):
        return dt.date(int(m[2]), int(m[1]), 1).isoformat()
    t = norm(text)
    if (m := re.fullmatch(r"(?:(\d{1,2}) )?([a-z]+) (\d{4})", t)) and m[2] in _MONTHS:
        return dt.date(int(m[3]), _MONTHS[m[2]], int(m[1] or 1)).isoformat()
    raise ValueError


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _rows_csv(path: Path) -> list[list[Any]]:
    text = _decode(path.read_bytes())
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    if first.count("\t") > max(first.count(";"), first.count(",")):
        delimiter = "\t"
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _rows_xlsx(path: Path) -> list[list[Any]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl lève des erreurs variées sur un fichier corrompu
        raise DataError(f"{path.name} : classeur XLSX illisible ({type(exc).__name__})", "enregistrer le plan au format .xlsx ou .csv puis relancer") from None
    try:
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_rows(path: Path) -> list[list[Any]]:
    if not path.is_file():
        raise UsageError(f"plan d'achat introuvable : {path}", "vérifier le chemin du fichier")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _rows_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _rows_csv(path)
    raise UsageError(f"format de plan non pris en charge : {path.suffix or 'sans extension'}", "fournir un fichier .csv ou .xlsx")


def _take(cells: dict[str, Any], problems: list[str], fieldname: str, parser: Any, label: str, required: bool) -> Any:
    raw = cells.get(fieldname)
    if raw is None or str(raw).strip() == "":
        if required:
            problems.append(f"{label} manquant")
        return None
    try:
        return parser(raw)
    except (ValueError, TypeError, IndexError, KeyError):
        problems.append(f"{label} illisible : « {str(raw)[:40]} »")
        return None


def parse_rows(rows: list[list[Any]], name: str = "plan") -> tuple[list[PlanLine], list[BadLine]]:
    # La ligne d'en-tête est la première qui contient au moins deux champs reconnus (titres au-dessus tolérés).
    header_idx = next((i for i, r in enumerate(rows[:20]) if len(set(map_headers(list(r)).values()) & set(REQUIRED)) >= 2), None)
    if header_idx is None:
        raise DataError(f"{name} : ligne d'en-tête introuvable (colonnes objet, CPV et montant attendues)",
                        "nommer les colonnes par exemple « Objet ; Code CPV ; Montant estimé HT ; Durée (mois) ; Département ; Date de lancement »")
    cols = map_headers(list(rows[header_idx]))
    missing = [f for f in REQUIRED if f not in cols.values()]
    if missing:
        raise DataError(f"{name} : colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}",
                        "ajouter les colonnes objet, CPV et montant (en-têtes reconnus : " + ", ".join(HEADERS["montant"][:3]) + "…)")
    lines: list[PlanLine] = []
    bad: list[BadLine] = []
    for offset, row in enumerate(rows[header_idx + 1:], start=header_idx + 2):
        cells = {f: (row[i] if i < len(row) else None) for i, f in cols.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        problems: list[str] = []
        notes: list[str] = []
        values: dict[str, Any] = {}

        objet = _take(cells, problems, "objet", lambda v: str(v).strip()[:500], "objet", True)
        cpv = _take(cells, problems, "cpv", parse_cpv, "code CPV", True)
        amount = _take(cells, problems, "montant", parse_amount, "montant", True)
        maximum = _take(cells, problems, "montant_max", parse_amount, "montant maximum", False)
        duration = _take(cells, problems, "duree", parse_duration, "durée", False)
        places = _take(cells, problems, "lieu", parse_places, "lieu d'exécution", False)
        launch = _take(cells, problems, "lancement", parse_date, "date de lancement", False)
        nature = _take(cells, problems, "nature", lambda v: {"t": "travaux", "s": "services", "f": "fournitures"}[norm(v)[0]], "nature", False)
        if problems:
            bad.append(BadLine(offset, problems, " | ".join("" if c is None else str(c) for c in row)[:200]))
            continue
        if duration is None:
            duration = 12
            notes.append("durée inconnue : 12 mois retenus")
        elif not 1 <= duration <= 240:
            bad.append(BadLine(offset, [f"durée de {duration} mois hors de 1 à 240"]))
            continue
        values = {"objet": objet, "nature": nature or nature_from_cpv(cpv[0]), "cpv": cpv, "montant_estime_ht": amount,
                  "duree_mois": duration, "forme": "marche_ordinaire", "departements": places or []}
        if maximum is not None:
            values["montant_maximum_ht"] = maximum
        if launch:
            values["lancement_prevu"] = launch
        if not places:
            notes.append("lieu d'exécution inconnu")
        lines.append(PlanLine(offset, values, notes))
    return lines, bad


def read_plan(path: Path) -> tuple[list[PlanLine], list[BadLine]]:
    return parse_rows(read_rows(path), path.name)
