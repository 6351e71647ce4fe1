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
import itertools
from collections.abc import Iterator
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


CHUNK = 1 << 20  # lecture par blocs d'un Mio : la mémoire ne dépend pas de la taille du fichier


def stream_encoding(path: Path) -> str:
    """L'encodage que `decode_csv` choisirait pour tout le fichier, établi en flux (sans le charger).

    Mêmes règles : BOM, octets nuls (UTF-16 sans BOM), UTF-8 valide d'un bout à l'autre, sinon
    CP1252 (ou ISO-8859-1 pour les octets que CP1252 ne définit pas). Un UTF-16 mal formé est
    refusé ici, avant toute ligne lue. Rend un nom Python (« latin-1 » pour ce dernier cas).
    """
    try:
        with path.open("rb") as fh:
            encoding = detect_encoding(fh.read(4000))
            if encoding in ("utf-8", "cp1252"):  # l'échantillon ne suffit pas : tout le fichier doit être de l'UTF-8
                encoding = "utf-8" if _decodes(fh, "utf-8") else "cp1252"
            if encoding == "cp1252":
                return "cp1252" if _decodes(fh, "cp1252") else "latin-1"
            if encoding != "utf-8" and not _decodes(fh, encoding):
                raise DataError(f"{path.name} : texte illisible (encodage {ENCODING_LABELS[encoding]} mal formé)",
                                "réenregistrer le fichier depuis le tableur en « CSV UTF-8 »")
            return encoding
    except OSError as exc:
        raise DataError(f"{path.name} : fichier illisible ({os_problem(exc)})", "vérifier les droits du fichier") from None


def _decodes(fh: Any, encoding: str) -> bool:
    """Le fichier `fh` se décode-t-il en `encoding` d'un bout à l'autre ? Par blocs (décodeur
    incrémental : une séquence coupée entre deux blocs reste valide)."""
    fh.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := fh.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def iter_csv_rows(path: Path) -> Iterator[list[str]]:
    """Lignes d'un CSV une à une (séparateur ; , ou tabulation deviné sur les 20 premières lignes).

    Décodage incrémental (même choix d'encodage que `decode_csv`), analyse ligne à ligne : la
    mémoire ne dépend pas du nombre de lignes. Une erreur de lecture en cours de route lève la
    même DataError qu'avant.
    """
    encoding = stream_encoding(path)
    try:
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="\n")  # lignes coupées sur \n seul, comme avant
            head = list(itertools.islice(text, 20))
            sample = "".join(head)
            counts = {d: sample.count(d) for d in (";", ",", "\t")}
            delimiter = max(counts, key=lambda d: (counts[d], d == ";"))
            if head:  # BOM restant (UTF-16 sans BOM lu en -le/-be, BOM doublé) : retiré comme avant
                head[0] = head[0].lstrip("\ufeff")
            lines = (line.replace("\x00", "") for line in itertools.chain(head, text))
            for row in csv.reader(lines, delimiter=delimiter):
                yield [clean_cell(c) for c in row]
    except csv.Error:
        raise DataError(f"{path.name} : CSV mal formé (retour à la ligne ou octet inattendu : fichier binaire ?)", "réenregistrer le fichier depuis le tableur en « CSV UTF-8 »") from None
    except OSError as exc:
        raise DataError(f"{path.name} : fichier illisible ({os_problem(exc)})", "vérifier les droits du fichier") from None


def read_csv_rows(path: Path) -> list[list[str]]:
    """Toutes les lignes d'un CSV (voir `iter_csv_rows`)."""
    return list(iter_csv_rows(path))


def iter_xlsx_rows(path: Path) -> Iterator[list[Any]]:
    """Lignes de la première feuille une à une (lecture seule en flux), valeurs calculées (jamais les
    formules), toutes les lignes même après une balise `<dimension>` périmée."""
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
        for r in sheet.iter_rows(values_only=True):
            yield [clean_cell(c) for c in r]
    except GeneratorExit:
        raise
    except Exception as exc:  # noqa: BLE001
        raise DataError(f"{path.name} : classeur XLSX illisible ({type(exc).__name__})",
                        "enregistrer le fichier au format .xlsx ou .csv puis relancer") from None
    finally:
        wb.close()


def read_xlsx_rows(path: Path) -> list[list[Any]]:
    """Toutes les lignes de la première feuille (voir `iter_xlsx_rows`)."""
    return list(iter_xlsx_rows(path))


def clean_cell(value: Any) -> Any:
    """Une cellule texte sans caractère de contrôle (ils casseraient le DOCX, le XLSX ou un courriel)."""
    return xml_safe(value) if isinstance(value, str) else value


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path.name} : fichier illisible ({os_problem(exc)})", "vérifier les droits du fichier") from None
