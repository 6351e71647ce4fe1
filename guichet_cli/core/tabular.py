"""Lecture des tableaux importés (plans d'achat, relevés) : CSV de tous les tableurs, XLSX.

Une seule fonction décode un CSV (`decode_csv`) : UTF-8 avec ou sans BOM, UTF-16 (« Texte
Unicode » d'Excel, avec BOM, ou sans BOM reconnu à ses octets nuls), CP1252 (« CSV (séparateur :
point-virgule) » d'Excel français). Les importeurs (criblage, relevés de suivi) passent par ici.

`read_xlsx_rows` lit TOUTES les lignes d'un classeur : en lecture seule, openpyxl se fie à la
balise `<dimension>` écrite par le logiciel qui a produit le fichier ; une balise périmée (8
lignes annoncées, 108 présentes) faisait perdre les lignes suivantes sans un mot.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Any

from guichet_cli.core.errors import DataError
from guichet_cli.core.safety import os_problem, xml_safe

ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (avec BOM)", "utf-16": "UTF-16", "utf-16-le": "UTF-16",
                   "utf-16-be": "UTF-16", "cp1252": "Windows-1252 (Excel français)"}


def detect_encoding(raw: bytes) -> str:
    """Encodage probable d'un CSV : nom Python (utf-8-sig, utf-16, utf-16-le, utf-16-be, utf-8, cp1252)."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = raw[:4000]
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 4:
        # UTF-16 sans BOM : un octet sur deux est nul pour un texte latin
        return "utf-16-le" if sample[1::2].count(0) >= sample[0::2].count(0) else "utf-16-be"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def decode_csv(raw: bytes, name: str = "fichier") -> tuple[str, str]:
    """(texte, encodage) d'un CSV ; DataError en français si aucun encodage ne convient."""
    encoding = detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "cp1252":
            raise DataError(f"{name} : texte illisible (encodage {ENCODING_LABELS[encoding]} mal formé)",
                            "réenregistrer le fichier depuis le tableur en « CSV UTF-8 »") from None
        text = raw.decode("latin-1")  # octets non définis en CP1252 (0x81, 0x8D…) : ISO-8859-1 les lit tous
    return text.lstrip("\ufeff"), encoding


def read_csv_rows(path: Path) -> list[list[str]]:
    """Lignes d'un CSV (séparateur ; , ou tabulation deviné sur les premières lignes)."""
    text, _enc = decode_csv(read_bytes(path), path.name)
    head = "\n".join(text.splitlines()[:20])
    counts = {d: head.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ";"))
    try:
        return [[clean_cell(c) for c in row] for row in csv.reader(io.StringIO(text.replace("\x00", "")), delimiter=delimiter)]
    except csv.Error:
        raise DataError(f"{path.name} : CSV mal formé (retour à la ligne ou octet inattendu : fichier binaire ?)", "réenregistrer le fichier depuis le tableur en « CSV UTF-8 »") from None


def read_xlsx_rows(path: Path) -> list[list[Any]]:
    """Lignes de la première feuille, valeurs calculées (jamais les formules), toutes les lignes."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise DataError(f"{path.name} : fichier illisible ({os_problem(exc)})", "vérifier les droits du fichier") from None
    except Exception as exc:  # noqa: BLE001 — openpyxl lève des erreurs variées sur un fichier corrompu
        raise DataError(f"{path.name} : classeur XLSX illisible ({type(exc).__name__})",
                        "enregistrer le fichier au format .xlsx ou .csv puis relancer") from None
    try:
        sheet = wb.worksheets[0]
        sheet.reset_dimensions()  # ne pas croire <dimension> : lire jusqu'à la dernière ligne présente
        return [[clean_cell(c) for c in r] for r in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # noqa: BLE001
        raise DataError(f"{path.name} : classeur XLSX illisible ({type(exc).__name__})",
                        "enregistrer le fichier au format .xlsx ou .csv puis relancer") from None
    finally:
        wb.close()


def clean_cell(value: Any) -> Any:
    """Une cellule texte sans caractère de contrôle (ils casseraient le DOCX, le XLSX ou un courriel)."""
    return xml_safe(value) if isinstance(value, str) else value


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path.name} : fichier illisible ({os_problem(exc)})", "vérifier les droits du fichier") from None
