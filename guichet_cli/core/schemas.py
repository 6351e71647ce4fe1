"""Chargement des schémas JSON et des validateurs, construits une seule fois par schéma.

Les schémas renvoient aux listes partagées de schemas/defs.schema.json par des « $ref » relatifs
(`defs.schema.json#/$defs/statut`, `../defs.schema.json#/$defs/statut` depuis rules/). Ils sont
résolus hors ligne : un registre `referencing` est construit avec tous les fichiers du dossier des
schémas, rangés sous leur `$id` et sous leur chemin relatif ; aucune référence n'est téléchargée.

Deux validateurs par schéma : `fast_validator_for` (jsonschema-rs, compilé) dit seulement si un
fichier est conforme — c'est le cas de presque tous ; `validator_for` (jsonschema, Python) décrit
les écarts d'un fichier que le premier refuse. Le second reste la référence : le rapide reçoit les
mêmes schémas et le même contrôle de format « date » (celui de jsonschema, recopié dans
`_date_format`), et tests/test_schema_fast_path.py vérifie qu'ils disent la même chose sur des
fichiers conformes et cassés de toutes sortes. jsonschema (≈ 100 ms d'import) n'est importé que
si un fichier est refusé ou un schéma douteux.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guichet_cli.core.errors import EnvironmentProblem

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry


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
    _check_schema(schema, path)
    return schema


def _regexes(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        if isinstance(node.get("patternProperties"), dict):
            own += [k for k in node["patternProperties"] if isinstance(k, str)]
        return own + [r for v in node.values() for r in _regexes(v)]
    if isinstance(node, list):
        return [r for v in node for r in _regexes(v)]
    return []


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _check_schema(schema: dict[str, Any], path: Path) -> None:
    """EnvironmentProblem si le schéma n'est pas un schéma 2020-12 valide.

    Le méta-schéma est vérifié par jsonschema-rs (0,1 ms contre 40 ms par schéma, à chaque
    exécution) ; les expressions régulières par `re`, comme jsonschema le fait ; au moindre doute,
    jsonschema lui-même tranche et donne le message."""
    import jsonschema_rs

    if jsonschema_rs.meta.is_valid(schema) and all(_compiles(r) for r in _regexes(schema)):
        return
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise EnvironmentProblem(f"schéma invalide : {path} ({exc.message})", "corriger ou restaurer le schéma") from None


def schemas_root(path: Path) -> Path:
    """Dossier des schémas qui contient `path` (schemas/ pour schemas/rules/x.schema.json)."""
    path = path.resolve()
    for parent in path.parents:
        if (parent / "defs.schema.json").is_file():
            return parent
    return path.parent


def _with_id(schema: dict[str, Any], path: Path) -> dict[str, Any]:
    """Un schéma sans `$id` prend l'adresse de son fichier : ses « $ref » relatifs restent résolubles."""
    return schema if "$id" in schema else {"$id": path.resolve().as_uri(), **schema}


@lru_cache(maxsize=8)
def registry_for(root: Path) -> Registry:
    """Tous les schémas de `root`, sous leur `$id`, leur adresse de fichier et leur chemin relatif."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources: list[tuple[str, Resource[Any]]] = []
    for path in sorted(root.rglob("*.schema.json")):
        schema = _with_id(load_schema(path), path)
        resource = Resource.from_contents(schema, default_specification=DRAFT202012)
        rel = path.relative_to(root).as_posix()
        for uri in dict.fromkeys((str(schema["$id"]), path.resolve().as_uri(), rel)):
            resources.append((uri, resource))
    return Registry().with_resources(resources)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _no_download(uri: str) -> Any:
    raise ValueError(f"référence hors du dossier des schémas : {uri}")


# `\s` de Python (re) reconnaît aussi U+001C à U+001F (séparateurs de fichier, groupe, enregistrement,
# unité), que le `\s` du validateur compilé (Unicode White_Space) ne reconnaît pas : trouvé par
# tests/test_schema_fast_path.py. Le validateur compilé reçoit des motifs qui les ajoutent.
_PY_ONLY_SPACES = "\\x1c-\\x1f"


def _python_spaces(pattern: str) -> str:
    r"""Le motif, où `\s` et `\S` reconnaissent exactement ce qu'ils reconnaissent en Python."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "s":
                out.append(f"\\s{_PY_ONLY_SPACES}" if in_class else f"[\\s{_PY_ONLY_SPACES}]")
            elif nxt == "S" and not in_class:
                out.append(f"[^\\s{_PY_ONLY_SPACES}]")
            else:
                out.append(c + nxt)  # `\S` dans une classe : aucun motif de schemas/ ne l'emploie
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:  # comme en ECMA 262 (JSON Schema) : « ] » ferme toujours la classe
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


def _for_fast(node: Any) -> Any:
    """Copie du schéma pour le validateur compilé : motifs (`pattern`, clés de `patternProperties`)
    aux espaces de Python."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "pattern" and isinstance(v, str):
                out[k] = _python_spaces(v)
            elif k == "patternProperties" and isinstance(v, dict):
                out[k] = {_python_spaces(pk): _for_fast(pv) for pk, pv in v.items()}
            else:
                out[k] = _for_fast(v)
        return out
    if isinstance(node, list):
        return [_for_fast(v) for v in node]
    return node


@lru_cache(maxsize=8)
def _fast_registry(root: Path) -> Any:
    import jsonschema_rs  # module compilé : importé seulement quand un fichier est à valider

    resources: dict[str, Any] = {}
    for path in sorted(root.rglob("*.schema.json")):
        schema = _for_fast(_with_id(load_schema(path), path))
        for uri in (str(schema["$id"]), path.resolve().as_uri()):
            resources.setdefault(uri, schema)
    return jsonschema_rs.Registry(list(resources.items()), retriever=_no_download)


_RE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _date_format(value: object) -> bool:
    """Le format « date » exactement comme jsonschema le vérifie (jsonschema/_format.py, is_date) ;
    tests/test_schema_fast_path.py compare les deux."""
    if not isinstance(value, str):
        return True
    try:
        return bool(_RE_DATE.fullmatch(value) and dt.date.fromisoformat(value))
    except ValueError:
        return False


@lru_cache(maxsize=64)
def fast_validator_for(path: Path) -> Any:
    """Validateur compilé de `path` : `is_valid(data)` rend vrai si et seulement si `validator_for`
    ne trouverait aucun écart (référence : tests/test_schema_fast_path.py)."""
    import jsonschema_rs

    schema = _for_fast(_with_id(load_schema(path), path))
    try:
        return jsonschema_rs.validator_for(schema, registry=_fast_registry(schemas_root(path)), validate_formats=True,
                                           formats={"date": _date_format}, retriever=_no_download)
    except (jsonschema_rs.ReferencingError, ValueError):
        validator_for(path)  # référence introuvable : le message en français vient de là
        raise


def is_valid_fast(path: Path, data: Any) -> bool:
    """Vrai si `data` est conforme au schéma `path` ; faux s'il ne l'est pas OU si le validateur compilé
    ne sait pas lire l'arbre (clé non textuelle : c'est au validateur Python de décrire l'écart)."""
    try:
        return bool(fast_validator_for(path).is_valid(data))
    except ValueError:
        return False


@lru_cache(maxsize=64)
def validator_for(path: Path) -> Draft202012Validator:
    from jsonschema import Draft202012Validator
    from referencing.exceptions import Unresolvable

    root = schemas_root(path)
    schema = _with_id(load_schema(path), path)
    registry = registry_for(root)
    # Une référence introuvable est un problème d'installation, signalé avant toute validation.
    resolver = registry.resolver(base_uri=str(schema["$id"]))
    for ref in _refs(schema):
        if ref.startswith("#"):
            continue
        try:
            resolver.lookup(ref)
        except Unresolvable:
            raise EnvironmentProblem(
                f"schéma {path.name} : référence « {ref} » introuvable dans {root}",
                "restaurer le dossier schemas/ depuis git (schemas/defs.schema.json en particulier)",
            ) from None
    # Le vérificateur de formats est indispensable : sans lui « 2026-02-30 » passerait.
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def forget() -> None:
    """Oublie les schémas lus et les validateurs construits (gardés pour tout le processus : une
    commande ne voit pas les schémas changer pendant qu'elle tourne). Pour un processus qui dure et
    doit voir une modification de schemas/ (tests qui enchaînent plusieurs validations)."""
    for cached in (load_schema, registry_for, _fast_registry, fast_validator_for, validator_for):
        cached.cache_clear()
