"""Création d'une demande : identifiant, contenu, écriture par le module YAML unique, validation.

L'identifiant `GRCS-<année>-XXXX` porte 4 caractères aléatoires (base32 de Crockford, sans I, L,
O ni U) tirés par `secrets` : deux agents qui créent une demande en même temps sur deux branches
n'obtiennent presque jamais le même (1 chance sur ~1 million par paire, et `guichet validate`
attrape le reste en intégration continue). Un identifiant déjà présent dans le dépôt est retiré.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from guichet_cli.core import yamlio
from guichet_cli.core.errors import DataError, EnvironmentProblem, UsageError
from guichet_cli.core.facts import amounts, dates
from guichet_cli.core.store import FindingsError
from guichet_cli.core.workspace import Workspace

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SUFFIX_LEN = 4
MAX_ATTEMPTS = 50  # comme reno : au-delà, le dépôt est anormalement plein pour l'année
SCHEMA_HEADER = "yaml-language-server: $schema=../../schemas/demande.schema.json"
# champ de la demande → option de `guichet new`, pour dire à l'agent quelle option corriger
_OPTION_OF = {
    "donneur_ordre": "--buyer", "demandeur": "--requester", "canal": "--channel", "recue_le": "--received",
    "marche.objet": "--object", "marche.nature": "--nature", "marche.cpv": "--cpv", "marche.type_acheteur": "--buyer-type",
    "marche.montant_estime_ht": "--amount", "marche.montant_maximum_ht": "--max-amount", "marche.duree_mois": "--duration",
    "marche.forme": "--form", "marche.procedure": "--procedure", "marche.lancement_prevu": "--launch",
    "marche.lieux_execution": "--department/--commune",
}


@dataclass
class NewCase:
    """Ce que l'agent saisit pour une nouvelle demande (options ou questions)."""

    buyer: str
    requester: str
    object: str
    nature: str
    cpv: list[str]
    amount: str | float
    duration: int
    form: str
    departments: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)
    max_amount: str | float | None = None
    procedure: str | None = None
    launch: str | None = None
    buyer_type: str | None = None
    received: str | None = None
    channel: str | None = None


def parse_date(value: str, option: str) -> str:
    """Date AAAA-MM-JJ réelle, sinon UsageError qui dit pourquoi (« le 30 février 2026 n'existe pas ») ; facts/dates.py."""
    return dates.parse_option(value, option).isoformat()


def parse_amount(value: str | float, option: str) -> int | float:
    """Montant en euros HT : même lecture que calibrate et les plans d'achat (facts/amounts.py)."""
    try:
        return amounts.plain(amounts.parse_amount(value))
    except amounts.AmountError as exc:
        raise UsageError(f"{option} : {exc.message}", "écrire le montant en euros HT, par exemple 1450000, « 1 450 000 € » ou « 1,45 M€ »") from None


def _plausible(ws: Workspace, value: int | float, option: str) -> int | float:
    """Un montant hors de la plage plausible des règles est refusé (rien n'est écrit)."""
    if (why := amounts.implausible(ws, float(value))) is not None:
        raise UsageError(f"{option} : {why}", "écrire le montant estimé HT en euros, par exemple 1450000 ou « 1,45 M€ »")
    return value


def new_id(ws: Workspace, year: int, taken: set[str] | None = None) -> str:
    """Identifiant libre pour `year` ; `taken` (en majuscules) évite de relire le dépôt."""
    prefix = ws.setting("prefixe_identifiant", "GRCS")
    used = taken if taken is not None else {p.stem.upper() for p in ws.case_files()}
    for _ in range(MAX_ATTEMPTS):
        suffix = "".join(secrets.choice(CROCKFORD) for _ in range(SUFFIX_LEN))
        cid = f"{prefix}-{year}-{suffix}"
        if cid.upper() not in used:
            return cid
    raise EnvironmentProblem(
        f"impossible de trouver un identifiant libre pour {year} après {MAX_ATTEMPTS} essais",
        "vérifier le contenu de cases/ (fichiers en trop ?)",
    )


def _places(departments: list[str], communes: list[str]) -> list[dict[str, str]]:
    """Lieux d'exécution : chaque commune est rattachée au département qui la contient."""
    deps = list(dict.fromkeys(d.strip() for d in departments))
    by_dep: dict[str, list[str]] = {d: [] for d in deps}
    for c in (c.strip() for c in communes):
        dep = c[:2]
        if dep not in by_dep:
            if deps:
                raise UsageError(
                    f"--commune {c} : cette commune n'est dans aucun des départements indiqués ({', '.join(deps)})",
                    f"ajouter --department {dep} ou corriger le code INSEE de la commune",
                )
            by_dep[dep] = []  # département déduit de la commune
        by_dep[dep].append(c)
    places: list[dict[str, str]] = []
    for dep, cs in by_dep.items():
        if cs:
            places.extend({"departement": yamlio.double_quoted(dep), "commune": yamlio.double_quoted(c)} for c in cs)
        else:
            places.append({"departement": yamlio.double_quoted(dep)})
    return places


def build_case(ws: Workspace, spec: NewCase, case_id: str, received: str) -> dict[str, Any]:
    """Le dictionnaire de la demande, dans l'ordre des clés du schéma."""
    marche: dict[str, Any] = {"objet": spec.object.strip(), "nature": spec.nature}
    if spec.buyer_type:
        marche["type_acheteur"] = spec.buyer_type
    marche["cpv"] = [yamlio.double_quoted(c.strip()) for c in spec.cpv]
    marche["montant_estime_ht"] = _plausible(ws, parse_amount(spec.amount, "--amount"), "--amount")
    if spec.max_amount is not None:
        marche["montant_maximum_ht"] = _plausible(ws, parse_amount(spec.max_amount, "--max-amount"), "--max-amount")
    marche["duree_mois"] = spec.duration
    marche["forme"] = spec.form
    if spec.procedure:
        marche["procedure"] = spec.procedure
    if spec.launch:
        marche["lancement_prevu"] = yamlio.double_quoted(spec.launch)
    marche["lieux_execution"] = _places(spec.departments, spec.communes)
    case: dict[str, Any] = {
        "id": case_id,
        "statut": ws.store.lifecycle.initial,
        "recue_le": yamlio.double_quoted(received),
    }
    if spec.channel:
        case["canal"] = spec.channel
    case["donneur_ordre"] = yamlio.double_quoted(spec.buyer.strip().replace(" ", ""))
    case["demandeur"] = spec.requester.strip()
    case["marche"] = marche
    return case


def create_case(ws: Workspace, spec: NewCase, today: dt.date | None = None) -> tuple[str, Path]:
    """Valide la nouvelle demande en mémoire puis l'écrit ; si elle serait invalide, DataError
    énumère les problèmes par option (rien n'est écrit)."""
    today = today or dt.date.today()
    received = parse_date(spec.received, "--received") if spec.received else today.isoformat()
    launch = parse_date(spec.launch, "--launch") if spec.launch else None
    spec = replace(spec, launch=launch)
    year = int(received[:4])
    case_id = new_id(ws, year)
    path = ws.cases_dir / str(year) / f"{case_id}.yaml"
    data = build_case(ws, spec, case_id, received)
    doc = yamlio.new_document(path, data, SCHEMA_HEADER)
    try:
        ws.store.create(path, doc)  # validé en mémoire : rien n'est écrit si la demande serait invalide
    except FindingsError as exc:
        lines = [f"{_option_for(f.pointer)} : {f.message}" + (f" — {f.hint}" if f.hint else "") for f in exc.findings]
        raise DataError(
            "la demande n'a pas été créée, car elle ne serait pas valide :\n  " + "\n  ".join(lines),
            "corriger les options indiquées puis relancer « guichet new »",
        ) from None
    return case_id, path


def _option_for(pointer: tuple[str | int, ...]) -> str:
    keys = [str(p) for p in pointer if not isinstance(p, int)]
    for n in range(len(keys), 0, -1):
        option = _OPTION_OF.get(".".join(keys[:n]))
        if option:
            return option
    return ".".join(keys) or "demande"
