"""Garde-fous sur les données lues : ce qu'un fichier hostile ou abîmé ne doit pas faire passer.

Le chargeur YAML (core/yamlio.py) et le magasin (core/store.py) appellent ce module :

- `scan(data)` parcourt un arbre déjà chargé SANS récursion et rend le premier problème :
  imbrication trop profonde (RecursionError plus loin), entier démesuré (limite de conversion
  de Python), caractère de contrôle ou demi-paire UTF-16 dans un texte (DOCX et XLSX les
  refusent ; « \\r\\n » dans un objet ouvrirait une injection d'en-tête dans un courriel) ;
- `loader_failure(path, text, exc)` traduit en français une exception du chargeur qui n'est pas
  une erreur de syntaxe (clé complexe « unhashable type », entier de plus de 4300 chiffres…) ;
- `xml_safe(text)` / `xml_safe_tree(value)` nettoient, par défense, ce qui part vers DOCX et XLSX.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guichet_cli.core.findings import json_path

# Fichiers écrits (complets) depuis le début de la commande (yamlio.atomic_write_bytes) : dit jusqu'où
# est allé un lot interrompu ; ici (module léger) pour que cli/app.py le lise sans importer ruamel.
WRITTEN: list[Path] = []
MAX_DEPTH = 40  # une demande a 5 niveaux ; au-delà, fichier fabriqué ou collage accidentel
MAX_INT_BITS = 63  # au-delà de 9,2 × 10^18 ce n'est plus un montant ni un nombre d'heures
# Caractères que XML 1.0 refuse (python-docx, openpyxl) ou qui n'ont rien à faire dans un champ :
# contrôles C0 sauf tabulation et saut de ligne, DEL, retour chariot isolé (injection d'en-têtes),
# demi-paires UTF-16 et non-caractères U+FFFE/U+FFFF.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_CHAR_NAMES = {
    0x00: "caractère nul",
    0x07: "caractère de sonnerie",
    0x0B: "tabulation verticale (saut de ligne manuel de Word)",
    0x0C: "saut de page",
    0x0D: "retour chariot",
    0x1F: "séparateur d'unité",
}
_LONG_DIGITS = re.compile(r"[0-9_]{300,}")


@dataclass(frozen=True)
class Issue:
    """Un problème de sécurité dans un arbre : où (chemin JSON), quoi, quoi faire."""

    pointer: tuple[str | int, ...]
    problem: str
    hint: str
    kind: str  # "profondeur", "entier", "caractere"

    @property
    def message(self) -> str:
        where = json_path(self.pointer)
        return self.problem if where == "$" else f"{where} : {self.problem}"


def char_problem(text: str) -> tuple[str, str] | None:
    """(problème, conseil) si `text` contient un caractère interdit, sinon None."""
    m = _BAD_CHAR.search(text)
    if m is None:
        return None
    code = ord(m.group())
    if 0xD800 <= code <= 0xDFFF:
        what = f"demi-caractère U+{code:04X} (paire UTF-16 incomplète, texte mal converti)"
    else:
        what = f"{_CHAR_NAMES.get(code, 'caractère de contrôle')} U+{code:04X}"
    pos = m.start() + 1
    return (f"{what} interdit dans un texte (position {pos})",
            "retaper le texte sans ce caractère invisible (souvent venu d'un copier-coller depuis Word ou un PDF)")


def _may_have_issue(data: Any) -> bool:
    """Vrai si l'arbre a peut-être un problème : même parcours que `scan`, sans construire le chemin
    de chaque nœud (le cas de presque tous les fichiers, trois fois plus vite). Un type inattendu
    répond « peut-être » : `scan` tranche."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    pop, push, bad = stack.pop, stack.append, _BAD_CHAR.search
    while stack:
        value, depth = pop()
        kind = type(value)
        if kind is str:
            if bad(value):
                return True
        elif kind is dict:
            if depth >= MAX_DEPTH:
                return True
            for k, v in value.items():
                kk = type(k)
                if kk is str:
                    if bad(k):
                        return True
                elif kk not in (int, float, bool) and k is not None:
                    return True
                push((v, depth + 1))
        elif kind is list:
            if depth >= MAX_DEPTH:
                return True
            for v in value:
                push((v, depth + 1))
        elif kind is int:
            if value.bit_length() > MAX_INT_BITS:
                return True
        elif kind not in (float, bool) and value is not None:
            return True
    return False


def scan(data: Any) -> Issue | None:
    """Premier problème de l'arbre `data` (profondeur, entier, caractère), parcours sans récursion."""
    return _scan_with_paths(data) if _may_have_issue(data) else None


def _scan_with_paths(data: Any) -> Issue | None:
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, ptr = stack.pop()
        if isinstance(value, dict | list):
            if len(ptr) >= MAX_DEPTH:
                return Issue(ptr[:4], f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux de blocs ou de listes)",
                             "un dossier a quelques niveaux : vérifier que le fichier n'a pas été collé ou généré par erreur",
                             "profondeur")
            if isinstance(value, dict):
                items = list(value.items())
                for k, _v in items:
                    if not isinstance(k, str | int | float | bool) and k is not None:  # clé liste ou bloc (tuple)
                        return Issue(ptr, "clé complexe (une liste ou un bloc utilisé comme nom de clé) interdite",
                                     "un nom de clé est un simple mot : écrire « clé: valeur »", "cle")
                    if isinstance(k, str) and (cp := char_problem(k)):
                        return Issue((*ptr, k), "nom de clé : " + cp[0], cp[1], "caractere")
                stack.extend(((v, (*ptr, k if isinstance(k, str | int) else str(k))) for k, v in reversed(items)))
            else:
                stack.extend(((v, (*ptr, i)) for i, v in reversed(list(enumerate(value)))))
        elif isinstance(value, str):
            cp = char_problem(value)
            if cp:
                return Issue(ptr, cp[0], cp[1], "caractere")
        elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
            return Issue(ptr, "nombre démesuré (plus de 18 chiffres)",
                         "écrire le nombre réel (un montant en euros, un nombre d'heures)", "entier")
    return None


# --- traduction des échecs du chargeur ---------------------------------------------------------


@dataclass(frozen=True)
class LoaderFailure:
    line: int
    column: int
    problem: str
    hint: str


def _events(text: str) -> Iterator[Any]:
    from guichet_cli.core import yamlio

    return yamlio.events(text)


def find_structure(text: str) -> tuple[str, int, int] | None:
    """Cherche dans les événements YAML (sans construire d'arbre) une clé complexe ou une
    imbrication trop profonde : (« cle » ou « profondeur », ligne, colonne) 1-based."""
    stack: list[list[Any]] = []  # [type, prochain nœud est une clé]

    def done() -> None:
        if stack and stack[-1][0] == "map":
            stack[-1][1] = not stack[-1][1]

    try:
        for ev in _events(text):
            name = type(ev).__name__
            mark = getattr(ev, "start_mark", None)
            where = ((mark.line + 1, mark.column + 1) if mark is not None else (1, 1))
            if name in ("MappingStartEvent", "SequenceStartEvent"):
                if stack and stack[-1][0] == "map" and stack[-1][1]:
                    return ("cle", *where)
                stack.append(["map" if name == "MappingStartEvent" else "seq", True])
                if len(stack) > MAX_DEPTH:
                    return ("profondeur", *where)
            elif name in ("ScalarEvent", "AliasEvent"):
                done()
            elif name in ("MappingEndEvent", "SequenceEndEvent"):
                stack.pop()
                done()
    except Exception:  # noqa: BLE001 — texte illisible : la position restera inconnue
        return None
    return None


def loader_failure(text: str, exc: BaseException) -> LoaderFailure:
    """Message français pour une exception du chargeur qui n'est pas une erreur de syntaxe YAML."""
    msg = str(exc)
    if isinstance(exc, ValueError) and "integer string conversion" in msg:
        m = _LONG_DIGITS.search(text)
        line, col = _line_col(text, m.start()) if m else (1, 1)
        return LoaderFailure(line, col, "nombre démesuré (des milliers de chiffres)",
                             "écrire le nombre réel (un montant en euros, un nombre d'heures)")
    found = find_structure(text)
    if isinstance(exc, RecursionError) or (found and found[0] == "profondeur"):
        line, col = found[1:] if found else (1, 1)
        return LoaderFailure(line, col, f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux de blocs ou de listes)",
                             "un dossier a quelques niveaux : vérifier que le fichier n'a pas été collé ou généré par erreur")
    if found and found[0] == "cle":
        return LoaderFailure(found[1], found[2], "clé complexe (une liste ou un bloc utilisé comme nom de clé) interdite",
                             "un nom de clé est un simple mot : écrire « clé: valeur »")
    if isinstance(exc, TypeError) and "unhashable" in msg:
        return LoaderFailure(1, 1, "clé complexe (une liste ou un bloc utilisé comme nom de clé) interdite",
                             "un nom de clé est un simple mot : écrire « clé: valeur »")
    return LoaderFailure(1, 1, "structure YAML que guichet ne sait pas lire (clé, étiquette ou commentaire inhabituels)",
                         "réécrire le fichier en « clé: valeur » simples, comme les exemples du dépôt")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- erreurs du système de fichiers ------------------------------------------------------------

_ERRNO_FR = {
    errno.EACCES: "droits insuffisants",
    errno.EPERM: "opération non permise",
    errno.ENOENT: "fichier introuvable",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota disque dépassé",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.ELOOP: "trop de liens symboliques",
}


def os_problem(exc: OSError) -> str:
    """Ce que dit une erreur du système (droits, disque plein…), en français."""
    return _ERRNO_FR.get(exc.errno or -1, exc.strerror or type(exc).__name__)


def write_problem(path: Path, exc: OSError) -> Any:
    """EnvironmentProblem pour une écriture refusée par le système (disque plein, lecture seule…)."""
    from guichet_cli.core.errors import EnvironmentProblem

    hints = {
        errno.ENOSPC: "libérer de la place sur le disque (ou choisir un autre dossier avec --out) puis relancer",
        errno.EDQUOT: "libérer de la place dans son espace disque puis relancer",
        errno.EROFS: "le dossier est en lecture seule : travailler dans une copie accessible en écriture, ou choisir --out",
        errno.EACCES: "vérifier les droits d'écriture sur le dossier, ou choisir un autre dossier avec --out",
    }
    return EnvironmentProblem(
        f"écriture impossible de {path} : {os_problem(exc)} ; le fichier n'a pas été modifié, aucun fichier partiel n'est resté",
        hints.get(exc.errno or -1, "vérifier le disque et les droits du dossier puis relancer"),
    )


# --- nettoyage défensif des sorties -------------------------------------------------------------


def xml_safe(text: str) -> str:
    """`text` sans les caractères que DOCX et XLSX refusent (remplacés par une espace)."""
    return _BAD_CHAR.sub(" ", text) if _BAD_CHAR.search(text) else text


def xml_safe_tree(value: Any) -> Any:
    """Copie de `value` (dict, list, tuple, texte) où chaque texte est passé par `xml_safe`."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {k: xml_safe_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [xml_safe_tree(v) for v in value]
    if isinstance(value, tuple):
        return tuple(xml_safe_tree(v) for v in value)
    return value


def locate_text(path: Path, text: str, issue: Issue) -> tuple[int, int]:
    """Ligne et colonne de `issue` dans `text` (1-based), par une relecture aller-retour si possible."""
    if issue.kind == "profondeur":
        found = find_structure(text)
        return (found[1], found[2]) if found else (1, 1)
    from guichet_cli.core import yamlio

    try:
        return yamlio.locate(yamlio.parse_roundtrip(path, text), issue.pointer)
    except Exception:  # noqa: BLE001 — la position est un confort, le message suffit
        return 1, 1


# --- parcours de dossiers sans perte silencieuse -------------------------------------------------


def walk_files(base: Path, suffixes: tuple[str, ...] = (".yaml", ".yml")) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Fichiers de `base` (récursif) et dossiers qu'on n'a pas pu lire, avec la raison.

    `Path.rglob` saute en silence un dossier illisible : un `cases/2025/` sans droits ferait dire
    à validate « aucun problème » et à report « 0 demande ».
    """
    names, unreadable = walk_names(base, suffixes)
    return [Path(n) for n in names], unreadable


def walk_names(base: Path, suffixes: tuple[str, ...] = (".yaml", ".yml")) -> tuple[list[str], list[tuple[Path, str]]]:
    """Comme walk_files, mais les chemins en chaînes : 100 000 `Path` coûtent plus d'une seconde."""
    import os

    files: list[str] = []
    unreadable: list[tuple[Path, str]] = []

    def walk(folder: str) -> None:
        # Entrées triées par nom à chaque niveau : l'ordre de sorted() sur les chemins, sans trier
        # 100 000 Path ; le type vient du dossier (d_type), sans stat par fichier.
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            unreadable.append((Path(exc.filename) if exc.filename else base, os_problem(exc)))
            return
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False):
                    walk(e.path)
                elif e.name.endswith(suffixes) and e.is_file() and not e.is_dir():
                    files.append(e.path)
            except OSError:
                continue

    walk(os.fspath(base))
    return files, unreadable
