"""Schéma de contrôle d'un paquet de publications OCDS 1.1 : noyau + les deux extensions (fusion JSON Merge Patch).

Le schéma de publication officiel d'OCDS (release-schema.json / release-package-schema.json du dépôt
open-contracting/standard) n'est pas dans shared/reference et AUCUN paquet PyPI ne l'installe. Vérifié le
3 décembre 2026 en ouvrant les roues (pip download --no-deps) : ocdsextensionregistry 0.7.0, ocdskit 1.7.0,
libcoveocds 0.17.0, ocds-babel 0.3.7, jscc 0.5.0, ocdsmerge 0.8.0, ocdsmerge-rs 0.1.6, ocdscardinal 0.0.8,
ocdsnightingale 0.0.2, followthemoney-ocds 0.3.0, flattentool 0.28.0, tedective-etl 0.1.3, et les sources
ocdsadditions 0.1.0 et ocdsmetricsanalysis 0.1.0 : aucun fichier de schéma JSON installé. libcoveocds et
ocdsextensionregistry téléchargent le schéma depuis le site du standard à l'exécution (impossible hors
ligne) ; tedective-etl n'installe qu'un modèle pydantic généré d'après release-schema.json (2023), pas le
schéma. Le schéma officiel ne figure que dans les jeux d'essai des archives sources, jamais installés :
ocdsmerge 0.8.0 (tests/fixtures/release-schema-1__1__4.json), ocdskit 1.7.0 (tests/fixtures/a et b),
ocdsextensionregistry 0.7.0 (tests/fixtures/release-schema.json).

Le schéma officiel d'une publication (release-schema.json 1.1.4) est donc copié, vérifié par son empreinte,
depuis l'archive source d'ocdsmerge 0.8.0 dans tests/fixtures/ocds/ : `official_release_schema()` lui applique
les deux extensions et contrôle chaque publication (le contrôle indépendant). Le schéma du PAQUET
(release-package-schema.json) n'a pas de copie légère (ocdskit n'en a qu'une version déréférencée de 6 Mo) :
pour l'enveloppe du paquet, le NOYAU ci-dessous est notre lecture des règles obligatoires d'OCDS 1.1 (champs requis, listes
fermées tag / initiationType / mainProcurementCategory, formats de date) ; les deux EXTENSIONS, elles,
sont les fichiers officiels de shared/reference, appliquées telles quelles (RFC 7386), avec leurs listes
de codes.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import SHARED_REFERENCE

OCDS = SHARED_REFERENCE / "ocds"
EFORMS = SHARED_REFERENCE / "eforms" / "codelists"

_ORG_REF = {"type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1}}}
_VALUE = {"type": "object", "properties": {"amount": {"type": ["number", "null"]}, "currency": {"enum": ["EUR", None]}}}
CORE: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["uri", "publisher", "publishedDate", "releases", "version"],
    "properties": {
        "uri": {"type": "string", "format": "uri"},
        "version": {"const": "1.1"},
        "publishedDate": {"type": "string", "format": "date-time"},
        "publisher": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        "extensions": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "releases": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/Release"}},
    },
    "definitions": {
        "Release": {
            "type": "object",
            "required": ["ocid", "id", "date", "tag", "initiationType"],
            "properties": {
                "ocid": {"type": "string", "pattern": "^ocds-[a-z0-9]{6}-"},
                "id": {"type": "string", "minLength": 1},
                "date": {"type": "string", "format": "date-time"},
                "tag": {"type": "array", "minItems": 1, "items": {"enum": [
                    "planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate", "tenderCancellation", "award",
                    "awardUpdate", "awardCancellation", "contract", "contractUpdate", "contractAmendment", "implementation",
                    "implementationUpdate", "contractTermination", "compiled"]}},
                "initiationType": {"enum": ["tender"]},
                "language": {"type": "string"},
                "parties": {"type": "array", "items": {"$ref": "#/definitions/Organization"}},
                "buyer": {"$ref": "#/definitions/OrganizationReference"},
                "tender": {"$ref": "#/definitions/Tender"},
                "awards": {"type": "array", "items": {"$ref": "#/definitions/Award"}},
            },
        },
        "OrganizationReference": _ORG_REF,
        "Organization": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "identifier": {"type": "object", "properties": {"scheme": {"type": "string"}, "id": {"type": "string"}}},
            "roles": {"type": "array", "items": {"type": "string"}}}},
        "Tender": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string", "minLength": 1}, "title": {"type": "string"},
            "status": {"enum": ["planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"]},
            "value": _VALUE, "mainProcurementCategory": {"enum": ["goods", "works", "services"]},
            "items": {"type": "array", "items": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "classification": {"type": "object", "properties": {"scheme": {"type": "string"}, "id": {"type": "string"}}}}}}}},
        "Lot": {"type": "object", "properties": {}},
        "Award": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "date": {"type": "string", "format": "date-time"},
            "status": {"enum": ["pending", "active", "cancelled", "unsuccessful"]}, "value": _VALUE,
            "suppliers": {"type": "array", "items": _ORG_REF}}},
    },
}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 : la façon dont OCDS applique une extension à son schéma."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def package_schema() -> dict[str, Any]:
    schema: dict[str, Any] = CORE
    for ext in ("ocds_sustainability_extension", "ocds_otherRequirements_extension"):
        patch = json.loads((OCDS / ext / "release-schema.json").read_text(encoding="utf-8"))
        schema = merge_patch(schema, patch)
    return schema


OFFICIAL_RELEASE_SCHEMA = Path(__file__).parent / "fixtures" / "ocds" / "release-schema-1__1__4.json"
OFFICIAL_SHA256 = "4226ea4a3016030171db667166c11ab5c22777de5f75a44aa601a610809b5696"


def official_release_schema() -> dict[str, Any]:
    """Schéma OFFICIEL d'une publication OCDS 1.1.4 (copie vérifiée par son empreinte, voir
    tests/fixtures/ocds/README.md) avec les deux extensions officielles appliquées (RFC 7386)."""
    raw = OFFICIAL_RELEASE_SCHEMA.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == OFFICIAL_SHA256, "copie du schéma OCDS officiel modifiée"
    schema: dict[str, Any] = json.loads(raw)
    for ext in ("ocds_sustainability_extension", "ocds_otherRequirements_extension"):
        schema = merge_patch(schema, json.loads((OCDS / ext / "release-schema.json").read_text(encoding="utf-8")))
    return schema


def official_errors(package: dict[str, Any]) -> list[str]:
    """Erreurs de chaque publication du paquet au regard du schéma officiel (draft-04, formats contrôlés)."""
    from jsonschema import Draft4Validator, FormatChecker

    validator = Draft4Validator(official_release_schema(), format_checker=FormatChecker())
    return [f"{r.get('ocid')} {list(e.absolute_path)}: {e.message}" for r in package["releases"] for e in validator.iter_errors(r)]


def codelist(ext: str, name: str) -> set[str]:
    with (OCDS / ext / "codelists" / name).open(encoding="utf-8") as fh:
        return {row["Code"] for row in csv.DictReader(fh)}


def eforms_codes(name: str) -> set[str]:
    text = (EFORMS / f"{name}.gc").read_text(encoding="utf-8")
    return set(re.findall(r'<Value ColumnRef="code">\s*<SimpleValue>([^<]+)</SimpleValue>', text))
