"""Le seul module qui lit et écrit du YAML dans guichet.

Deux chargeurs :
- rapide (`load_fast`) : `YAML(typ='safe')` avec l'analyseur C, dates gardées en chaînes, pour
  valider des milliers de fichiers ;
- aller-retour (`load_roundtrip` / `dump_roundtrip`) : garde commentaires, guillemets et mise en
  page, donne ligne et colonne de chaque nœud ; utilisé pour toute écriture et pour situer une
  erreur dans un fichier qui ne valide pas.

Les contrôles de texte brut (encodage, marqueurs de conflit, tabulations, ancres, taille) sont
faits avant l'analyse pour donner un message français précis au lieu d'une erreur d'analyseur.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as _dt
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tag import Tag
from ruamel.yaml.tokens import CommentToken

from guichet_cli.core import safety
from guichet_cli.core.errors import DataError
from guichet_cli.core.findings import json_path

# Nombre d'analyses par fichier depuis le démarrage : les tests vérifient qu'une commande analyse
# chaque dossier au plus une fois (deux pour une commande qui l'édite : lecture + aller-retour).
PARSES: collections.Counter[str] = collections.Counter()

MAX_FILE_BYTES = 2 * 1024 * 1024  # un dossier fait quelques Ko ; au-delà c'est une erreur de saisie
_BOM = "\ufeff"
_CONFLICT_RE = re.compile(r"^(<{7}|={7}|>{7})(?:\s|$)", re.MULTILINE)
_SCHEMA_LINE_RE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)", re.MULTILINE)


@dataclass(eq=False)
class YamlProblem(DataError):
    """Fichier YAML illisible : porte le chemin et la position (1-based) pour le rapport."""

    path: Path
    line: int
    column: int
    problem: str
    hint_text: str | None = None
    pointer: tuple[str | int, ...] = ()  # champ en cause quand il est connu (core/safety.py)

    def __post_init__(self) -> None:
        where = f"{self.path}:{self.line}:{self.column}: "
        field = f"{json_path(self.pointer)} : " if self.pointer else ""
        DataError.__init__(self, where + field + self.problem, self.hint_text)


@dataclass
class TextInfo:
    """Ce qu'il faut savoir du texte brut pour le réécrire à l'identique."""

    text: str
    bom: bool
    newline: str
    raw_bytes: bytes | None = None  # octets lus, pour savoir sans relire si une réécriture change le fichier


# --- lecture du texte brut -------------------------------------------------------------------


def read_text(path: Path, raw: bytes | None = None) -> TextInfo:
    """Lit un fichier en UTF-8 strict ; BOM et fins de ligne CRLF acceptés et mémorisés."""
    if raw is None:
        try:
            size = path.stat().st_size
        except FileNotFoundError as exc:
            raise YamlProblem(path, 1, 1, "fichier introuvable") from exc
        if size > MAX_FILE_BYTES:
            raise YamlProblem(
                path,
                1,
                1,
                f"fichier trop volumineux ({f'{size / 1024 / 1024:.1f}'.replace('.', ',')} Mo, maximum {MAX_FILE_BYTES // 1024 // 1024} Mo)",
                "un dossier fait quelques kilo-octets : vérifier qu'il ne s'agit pas d'un autre fichier",
            )
        raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            path,
            line,
            col,
            f"octet 0x{raw[exc.start]:02X} invalide : le fichier n'est pas encodé en UTF-8",
            "réenregistrer le fichier en UTF-8 dans l'éditeur (souvent : « Enregistrer sous… » → Encodage UTF-8)",
        ) from None
    bom = text.startswith(_BOM)
    if bom:
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\n"
    if newline == "\r\n":
        text = text.replace("\r\n", "\n")
    return TextInfo(text=text, bom=bom, newline=newline, raw_bytes=raw)


def _precheck(path: Path, text: str) -> None:
    """Contrôles que l'analyseur YAML ferait mal ou trop tard."""
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise YamlProblem(path, 1, 1, "fichier vide", "compléter le fichier ou le supprimer")
    m = _CONFLICT_RE.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise YamlProblem(
            path,
            line,
            1,
            f"conflit de fusion non résolu ({m.group(1)})",
            "terminer la fusion (garder la bonne version et supprimer les lignes <<<<<<<, ======= et >>>>>>>) avant de valider",
        )
    for lineno, ln in enumerate(text.split("\n"), start=1):
        indent = ln[: len(ln) - len(ln.lstrip(" \t"))]
        if "\t" in indent:
            raise YamlProblem(
                path,
                lineno,
                indent.index("\t") + 1,
                "tabulation dans l'indentation : le YAML n'accepte que des espaces",
                "remplacer la tabulation par des espaces (2 par niveau)",
            )


# --- chargeur rapide -------------------------------------------------------------------------


_T = "tag:yaml.org,2002:"
_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_SCALAR_TAGS = {_T + "str", _T + "timestamp", _T + "null", _T + "bool", _T + "int", _T + "float"}


class _Unusual(Exception):
    """Un nœud que la construction directe ne traite pas : le constructeur de ruamel s'en charge."""


class _DirectConstruction:
    """Construit l'arbre d'un document ordinaire (blocs, listes, textes, nombres, booléens, nul)
    directement depuis les nœuds de l'analyseur C, sans la machinerie générique de ruamel
    (générateurs, étiquettes reconverties à chaque accès : la moitié du temps de lecture).

    Tout le reste — étiquette explicite, clé de fusion « << », clé complexe, clé en double,
    imbrication très profonde — repasse par le constructeur de ruamel, pour tout le document : mêmes
    valeurs, mêmes erreurs, aux mêmes positions (tests/test_yaml_c_parser.py compare les deux sur
    la yaml-test-suite)."""

    def construct_document(self, node: Any) -> Any:
        try:
            return self._direct(node)
        except (_Unusual, RecursionError):
            return super().construct_document(node)  # type: ignore[misc]

    def _direct(self, node: Any) -> Any:
        ctag = node.ctag
        if ctag is None or ctag.handle is not None or "%" in ctag.suffix:
            raise _Unusual
        tag = ctag.suffix
        if tag == _T + "map":
            out: dict[Any, Any] = {}
            for knode, vnode in node.value:
                kctag = knode.ctag
                if (kctag is None or kctag.handle is not None or kctag.suffix not in _SCALAR_TAGS
                        or type(knode.value) is not str):
                    raise _Unusual  # « << », « = », clé complexe ou étiquetée
                key = self._direct(knode)
                if key in out:
                    raise _Unusual  # ruamel donne l'erreur « clé en double » avec ses positions
                out[key] = self._direct(vnode)
            return out
        if tag == _T + "seq":
            return [self._direct(item) for item in node.value]
        if type(node.value) is not str:
            raise _Unusual
        if tag == _T + "str" or tag == _T + "timestamp":  # les dates restent des chaînes
            return node.value
        if tag == _T + "null":
            return None
        if tag == _T + "bool":
            return self.construct_yaml_bool(node)  # type: ignore[attr-defined]
        if tag == _T + "int":
            if _PLAIN_INT.match(node.value):  # « 12 », « -3 » : ce que ruamel rend aussi, sans ses cas 1.1
                return int(node.value)
            return self.construct_yaml_int(node)  # type: ignore[attr-defined]
        if tag == _T + "float":
            return self.construct_yaml_float(node)  # type: ignore[attr-defined]
        raise _Unusual


def _make_safe_loader() -> YAML:
    y = YAML(typ="safe", pure=False)
    # Les dates restent des chaînes : le schéma JSON les contrôle avec format « date »,
    # et un dossier relu donne les mêmes valeurs que celles écrites (cf. check-jsonschema).
    ctor = type("GuichetSafeConstructor", (_DirectConstruction, y.Constructor), {})
    ctor.yaml_constructors = dict(y.Constructor.yaml_constructors)
    ctor.yaml_constructors["tag:yaml.org,2002:timestamp"] = ctor.yaml_constructors["tag:yaml.org,2002:str"]
    y.Constructor = ctor
    y.Resolver = _OnceResolver
    return y


class _OnceResolver(VersionedResolver):
    """Le résolveur de ruamel, qui cherche sa table de types implicites une fois par fichier.

    ruamel recalcule la version YAML à chaque scalaire (deux exceptions AttributeError par appel
    avec l'analyseur C : un tiers du temps de lecture) ; elle ne change pas au cours d'un document
    lu par l'analyseur C, qui ne transmet pas la directive %YAML au résolveur. Mêmes types, mêmes
    valeurs (tests/test_yaml_c_parser.py, yaml-test-suite)."""

    _memo: dict[tuple[Any, str], Any] = {}  # (version, texte) → étiquette : les mêmes valeurs reviennent partout

    @property
    def versioned_resolver(self) -> Any:
        table = self.__dict__.get("_once_table")
        if table is None:
            table = self.__dict__["_once_table"] = VersionedResolver.versioned_resolver.fget(self)  # type: ignore[attr-defined]
            self.__dict__["_once_version"] = self.processing_version
        return table

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode or not implicit[0] or self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        table = self.versioned_resolver
        key = (self.__dict__["_once_version"], value)
        tag = self._memo.get(key)
        if tag is None:
            # l'algorithme de ruamel, sans allonger la liste de sa table (« resolvers += … »)
            resolvers = table.get(value[0] if value else "", []) + table.get(None, [])
            tag = next((Tag(suffix=t) for t, regexp in resolvers if regexp.match(value)), self.DEFAULT_SCALAR_TAG)
            if len(self._memo) > 50_000:
                self._memo.clear()  # mémoire bornée sur un très gros dépôt
            if len(value) <= 64:
                self._memo[key] = tag
        return tag


_SAFE = _make_safe_loader()


def c_parser_active() -> bool:
    """Vrai si YAML(typ='safe') utilise bien l'analyseur C (ruamel.yaml.clib)."""
    return "CParser" in getattr(_SAFE.Parser, "__name__", "")


def _check_no_anchors(path: Path, text: str) -> None:
    # Ancres et alias sont refusés : un fichier « billion laughs » ne doit pas bloquer la
    # validation, et un booléen ancré devient un entier (ScalarBoolean). On ne parcourt les
    # événements que si le texte contient & ou * : la plupart des fichiers n'en ont pas.
    if "&" not in text and "*" not in text:
        return
    try:
        for event in _SAFE.parse(text):
            anchor = getattr(event, "anchor", None)
            kind = type(event).__name__
            if kind == "AliasEvent" or anchor:
                mark = event.start_mark
                raise YamlProblem(
                    path,
                    (mark.line + 1) if mark else 1,
                    (mark.column + 1) if mark else 1,
                    "ancres et alias YAML (& et *) interdits dans les fichiers du guichet",
                    "recopier la valeur en clair à chaque endroit où elle sert",
                )
    except YamlProblem:
        raise
    except YAMLError:
        return  # l'analyse complète donnera l'erreur de syntaxe avec sa position


_PROBLEM_FR = [
    (re.compile(r"found duplicate key \"?(.*?)\"? with value"), "clé en double « {0} »"),
    (re.compile(r"found character '\\t' that cannot start any token"), "tabulation interdite"),
    (re.compile(r"mapping values are not allowed (?:here|in this context)"), "« : » inattendu (valeur contenant « : » non entourée de guillemets ?)"),
    (re.compile(r"could not find expected ':'"), "« : » attendu après la clé"),
    (re.compile(r"found unexpected end of stream"), "fin de fichier inattendue (guillemet ou crochet non fermé ?)"),
    (re.compile(r"found undefined alias"), "alias non défini (les alias * sont interdits)"),
    (re.compile(r"did not find expected key"), "clé attendue (indentation incohérente ?)"),
    (re.compile(r"did not find expected '-' indicator"), "élément de liste « - » attendu (indentation incohérente ?)"),
    (re.compile(r"found unknown escape character"), "séquence d'échappement inconnue dans une chaîne entre guillemets"),
    (re.compile(r"expected <block end>, but found"), "indentation incohérente"),
    (re.compile(r"could not determine a constructor for the tag '([^']*)'"), "étiquette YAML « {0} » non prise en charge (les étiquettes ! et !! sont interdites)"),
    (re.compile(r"found invalid Unicode character escape code"), "séquence \\u invalide (demi-caractère UTF-16 ou code inconnu)"),
    (re.compile(r"while scanning a quoted scalar"), "guillemet non fermé"),
]


def _translate(problem: str | None, context: str | None) -> str:
    text = " ".join(p for p in (context, problem) if p)
    for pattern, fr in _PROBLEM_FR:
        m = pattern.search(text)
        if m:
            return fr.format(*m.groups())
    return f"syntaxe YAML invalide ({problem or context or 'erreur inconnue'})"


def _first_occurrence(text: str, mark: Any, start: int) -> int | None:
    """Ligne (1-based) de la première occurrence d'une clé en double : même colonne, même texte."""
    lines = text.split("\n")
    dup = lines[mark.line][mark.column:]
    key = dup.split(":", 1)[0].rstrip()
    for i in range(start, mark.line):
        ln = lines[i]
        if ln[: mark.column].strip(" -") == "" and ln[mark.column:].split(":", 1)[0].rstrip() == key:
            return i + 1
    return None


def _yaml_problem(path: Path, exc: YAMLError, text: str | None = None) -> YamlProblem:
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = _translate(exc.problem, exc.context)
        hint = None
        if msg.startswith("clé en double") and exc.context_mark is not None and exc.problem_mark is not None:
            # context_mark est le début du bloc, pas la première occurrence : la retrouver dans le texte
            first = _first_occurrence(text, exc.problem_mark, exc.context_mark.line) if text else None
            where = f"ligne {first}" if first else f"plus haut dans le bloc qui commence ligne {exc.context_mark.line + 1}"
            hint = f"la clé est déjà définie {where} : garder une seule occurrence"
        return YamlProblem(path, line, col, msg, hint)
    return YamlProblem(path, 1, 1, _translate(str(exc), None))


def parse_fast(path: Path, text: str) -> Any:
    """Analyse `text` (déjà décodé) avec le chargeur C ; lève YamlProblem."""
    PARSES[str(path)] += 1
    _precheck(path, text)
    _check_no_anchors(path, text)
    try:
        data = _SAFE.load(text)
    except YAMLError as exc:
        raise _yaml_problem(path, exc, text) from None
    except Exception as exc:  # clé complexe, entier démesuré, imbrication : traduits par safety
        raise _loader_problem(path, text, exc) from None
    issue = safety.scan(data)
    if issue is not None:
        raise YamlProblem(path, *safety.locate_text(path, text, issue), issue.problem, issue.hint, issue.pointer)
    return data


def _loader_problem(path: Path, text: str, exc: BaseException) -> YamlProblem:
    failure = safety.loader_failure(text, exc)
    return YamlProblem(path, failure.line, failure.column, failure.problem, failure.hint)


def events(text: str) -> Any:
    """Événements YAML de `text` (analyseur C), pour situer un problème sans construire d'arbre."""
    return _SAFE.parse(text)


def load_fast(path: Path, raw: bytes | None = None) -> Any:
    """Lit et analyse un fichier avec le chargeur rapide ; `raw` : ses octets, s'ils sont déjà lus."""
    return parse_fast(path, read_text(path, raw).text)


def load_mapping_fast(path: Path) -> dict[str, Any]:
    data = load_fast(path)
    if not isinstance(data, dict):
        raise YamlProblem(
            path,
            1,
            1,
            f"le fichier doit contenir un dictionnaire de clés (« clé: valeur »), pas {kind_of(data)}",
        )
    return data


def kind_of(value: Any) -> str:
    """Ce qu'est la racine d'un fichier qui n'est pas un bloc de champs (pour les messages)."""
    if isinstance(value, list):
        return "une liste"
    if value is None:
        return "une valeur vide"
    return "une valeur isolée"


# --- chargeur aller-retour -------------------------------------------------------------------


def _make_rt() -> YAML:
    y = YAML(typ="rt")
    # Réglages vérifiés octet pour octet sur les fichiers d'exemple (tests/test_yamlio.py).
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    y.preserve_quotes = True
    # Une valeur absente s'écrit « null » comme dans les fichiers faits à la main, pas « clé: »
    # (défaut de ruamel, qui ferait changer ces lignes à chaque réécriture).
    rep = type("GuichetRepresenter", (y.Representer,), {})
    rep.yaml_representers = dict(y.Representer.yaml_representers)
    rep.yaml_representers[type(None)] = lambda r, _data: r.represent_scalar("tag:yaml.org,2002:null", "null")
    rep.yaml_representers[str] = _represent_str
    y.Representer = rep
    return y


def _represent_str(rep: Any, data: str) -> Any:
    # Une chaîne qui se lirait comme une date, un nombre ou un booléen doit être entre
    # guillemets ; ruamel choisirait '…', les fichiers du guichet utilisent "…" (dates, SIRET).
    from ruamel.yaml.nodes import ScalarNode

    tag = "tag:yaml.org,2002:str"
    if "\n" not in data and rep.dumper.resolver.resolve(ScalarNode, data, (True, False)) != tag:
        return rep.represent_scalar(tag, data, style='"')
    return rep.represent_str(data)


_RT = _make_rt()


@dataclass
class Document:
    """Un fichier YAML chargé en aller-retour, prêt à être modifié puis réécrit."""

    path: Path
    data: Any
    info: TextInfo


def load_roundtrip(path: Path) -> Document:
    info = read_text(path)
    return Document(path=path, data=parse_roundtrip(path, info.text), info=info)


def parse_roundtrip(path: Path, text: str) -> Any:
    """Analyse aller-retour de `text` (positions, commentaires) ; lève YamlProblem."""
    PARSES[str(path)] += 1
    _precheck(path, text)
    _check_no_anchors(path, text)
    try:
        return _RT.load(text)
    except YAMLError as exc:
        raise _yaml_problem(path, exc, text) from None
    except Exception as exc:  # ruamel pur Python : RecursionError, NotImplementedError (P94K)…
        raise _loader_problem(path, text, exc) from None


def dumps_roundtrip(doc: Document) -> str:
    global _RT
    buf = io.StringIO()
    try:
        _RT.dump(doc.data, buf)
    except Exception:
        # Un échec en cours de sérialisation laisse l'émetteur de ruamel dans un état
        # incohérent : les écritures suivantes sortiraient vides. On repart d'une instance neuve.
        _RT = _make_rt()
        raise
    text = buf.getvalue()
    if doc.info.newline != "\n":
        text = text.replace("\n", doc.info.newline)
    if doc.info.bom:
        text = _BOM + text
    return text


def dump_roundtrip(doc: Document, path: Path | None = None) -> None:
    atomic_write_text(path or doc.path, dumps_roundtrip(doc))


def new_document(path: Path, data: dict[str, Any], header_comment: str) -> Document:
    """Document neuf : `header_comment` (lignes sans « # ») est placé en tête du fichier."""
    cm = to_commented(data)
    cm.yaml_set_start_comment(header_comment)
    return Document(path=path, data=cm, info=TextInfo(text="", bom=False, newline="\n"))


def double_quoted(text: str) -> str:
    """Chaîne écrite entre guillemets doubles, comme les dates, SIRET et codes des fichiers faits à la main."""
    return DoubleQuotedScalarString(text)


def to_commented(value: Any) -> Any:
    if isinstance(value, dict):
        cm = CommentedMap()
        for k, v in value.items():
            cm[k] = to_commented(v)
        return cm
    if isinstance(value, list):
        cs = CommentedSeq()
        # Petites listes de scalaires en ligne ([a, b]) : comme les exemples faits à la main.
        if value and all(isinstance(v, str | int | float) for v in value):
            cs.fa.set_flow_style()
        for v in value:
            cs.append(to_commented(v))
        return cs
    return value


def _parent(data: Any, dotted: str) -> tuple[Any, str]:
    """(bloc parent, dernière clé) du chemin pointé `a.b.c` ; les blocs manquants sont créés."""
    node = data
    *parents, last = dotted.split(".")
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = CommentedMap()
        node = node[part]
    return node, last


def set_field(data: Any, dotted: str, value: Any) -> None:
    """Écrit `value` au chemin pointé `a.b.c` d'un arbre aller-retour (blocs créés au besoin)."""
    node, last = _parent(data, dotted)
    node[last] = value


def set_item(data: Any, dotted: str, index: int | None, value: Any) -> None:
    """Remplace l'élément `index` de la liste pointée `a.b` (None : l'ajoute à la fin ; liste créée au besoin)."""
    node, last = _parent(data, dotted)
    seq = node.get(last)
    if not isinstance(seq, list):
        node[last] = to_commented([value])
    elif index is None or index >= len(seq):
        seq.append(value)
    else:
        seq[index] = value


def _tail_slot(container: Any, k: Any) -> tuple[list[Any], int]:
    """Emplacement du jeton de commentaire qui suit l'entrée `k` (fin de ligne + lignes suivantes)."""
    value = container[k]
    if isinstance(value, CommentedMap | CommentedSeq) and len(value) and not value.fa.flow_style():
        last = list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        return _tail_slot(value, last)
    entry = container.ca.items.setdefault(k, [None, None, None, None])
    return entry, (2 if isinstance(container, CommentedMap) else 0)


def delete_key(mapping: CommentedMap, key: Any) -> None:
    """Supprime `key` en gardant les commentaires des clés voisines.

    ruamel range les lignes de commentaire qui précèdent une clé dans le jeton de l'entrée
    d'avant (engineering-notes §5) : un simple `del` emporte le commentaire de la clé suivante et
    laisse celui de la clé supprimée orphelin. Ici le commentaire propre à la clé part avec elle,
    celui de la suivante est recollé à sa place.
    """
    keys = list(mapping)
    i = keys.index(key)
    entry, pos = _tail_slot(mapping, key)
    tok = entry[pos]
    following = tok.value.partition("\n")[2] if tok is not None else ""
    del mapping[key]
    if i > 0:
        pentry, ppos = _tail_slot(mapping, keys[i - 1])
        ptok = pentry[ppos]
        if ptok is not None:
            ptok.value = ptok.value.partition("\n")[0] + "\n" + following
        elif following:
            pentry[ppos] = CommentToken("\n" + following, CommentMark(0), None)
    elif following and len(keys) > 1:
        nentry = mapping.ca.items.setdefault(keys[1], [None, None, None, None])
        nentry[1] = [CommentToken(following, CommentMark(0), None), *(nentry[1] or [])]


def to_plain(value: Any) -> Any:
    """Convertit un arbre aller-retour en types Python simples (dates → chaînes ISO)."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def locate(data: Any, path: Iterable[str | int], *, key: bool = False) -> tuple[int, int]:
    """Ligne et colonne (1-based) du nœud au chemin `path` dans un arbre aller-retour.

    Si le chemin ne mène nulle part (clé absente), rend la position du dernier conteneur
    atteint. `key=True` vise la clé plutôt que la valeur (clé inconnue).
    """
    node = data
    pos = (getattr(getattr(data, "lc", None), "line", 0) or 0, getattr(getattr(data, "lc", None), "col", 0) or 0)
    parts = list(path)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and part in node:
                if lc is not None:
                    pos = lc.key(part) if (last and key) else lc.value(part)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                if lc is not None:
                    pos = lc.item(part)
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
        sub_lc = getattr(node, "lc", None)
        if not last and sub_lc is not None and sub_lc.line is not None:
            pos = (sub_lc.line, sub_lc.col)
    if not pos or pos[0] is None or pos[1] is None:  # nœud sans position (!!omap, J7PZ de la yaml-test-suite)
        return 1, 1
    return pos[0] + 1, pos[1] + 1


def schema_comment(text: str) -> str | None:
    m = _SCHEMA_LINE_RE.search(text)
    return m.group(1) if m else None


# --- écriture atomique -----------------------------------------------------------------------


# Fichiers écrits (complets) depuis le début de la commande : dit jusqu'où est allé un lot
# interrompu (Ctrl-C, disque plein) ; remis à zéro par cli/app.py à chaque commande.
WRITTEN = safety.WRITTEN


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Écrit via un fichier temporaire du même dossier puis `os.replace` : jamais de fichier à moitié écrit.

    Une erreur du système (disque plein, lecture seule, droits) devient une EnvironmentProblem en
    français ; l'ancien fichier reste intact et aucun fichier temporaire ne reste.
    """
    try:
        _atomic_write(path, data)
    except OSError as exc:
        raise safety.write_problem(path, exc) from None
    WRITTEN.append(path)


def _atomic_write(path: Path, data: bytes) -> None:
    with _atomic_file(path) as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """Fichier écrit au fil de l'eau (sortie en flux), atomiquement comme `atomic_write_bytes` :
    `with atomic_writer(p) as fh: fh.write(...)`. Une exception dans le bloc (données fautives,
    Ctrl-C) laisse l'ancien fichier intact et aucun fichier temporaire ; une erreur du système
    devient une EnvironmentProblem en français."""
    try:
        with _atomic_file(path) as fh:
            yield fh
    except OSError as exc:
        raise safety.write_problem(path, exc) from None
    WRITTEN.append(path)


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[BinaryIO]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    done = False
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, (path.stat().st_mode & 0o777) if path.exists() else 0o644)
        os.replace(tmp, path)
        done = True
    finally:
        if not done:  # échec ou interruption : l'ancien fichier reste intact, pas de reste temporaire
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
