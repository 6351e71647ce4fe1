"""Ce qu'un agent enregistre sans éditer de YAML : donneur d'ordre, contact, calibrage validé,
notification du marché, réunion de lancement.

Chaque fonction reçoit des valeurs déjà lues (core/facts/inputs.py), écrit par le magasin
(`ws.store.create` / `ws.store.edit` : validé en mémoire, écriture atomique, rien d'écrit sinon),
puis committe avec les trailers de la piste d'audit (core/audit.py). La couche typer
(cli/record.py) pose les questions et lit les options.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guichet_cli.core import audit, yamlio
from guichet_cli.core.errors import DataError, UsageError
from guichet_cli.core.model.case import Case
from guichet_cli.core.store import FindingsError
from guichet_cli.core.workspace import Workspace

BUYER_HEADER = "yaml-language-server: $schema=../schemas/donneur.schema.json"
CONTACT_HEADER = ("yaml-language-server: $schema=../schemas/contact.schema.json\n"
                  "Données personnelles (RGPD) : seulement dans contacts/, jamais recopiées dans une demande.")


@dataclass
class Recorded:
    path: Path
    ident: str
    sha: str | None
    status_change: tuple[str, str] | None = None


def _create(ws: Workspace, path: Path, data: dict[str, Any], header: str, what: str) -> None:
    if path.exists():
        raise UsageError(f"{ws.rel(path)} existe déjà : {what} est déjà enregistré", "le modifier par une demande de fusion")
    try:
        ws.store.create(path, yamlio.new_document(path, data, header))
    except FindingsError as exc:
        lines = [f"{f.json_path} : {f.message}" + (f" — {f.hint}" if f.hint else "") for f in exc.findings]
        raise DataError(f"{what} n'a pas été enregistré, car la fiche ne serait pas valide :\n  " + "\n  ".join(lines),
                        "corriger les valeurs indiquées puis relancer") from None


def add_buyer(ws: Workspace, *, siret: str, nom: str, type_acheteur: str, departement: str, categorie: str | None = None,
              contacts: list[str] | None = None, no_commit: bool = False) -> Recorded:
    path = ws.root / "donneurs" / f"{siret}.yaml"
    audit.check_can_commit(ws, [path], no_commit=no_commit)
    data: dict[str, Any] = {"siret": yamlio.double_quoted(siret), "nom": nom, "type_acheteur": type_acheteur}
    if categorie:
        data["categorie"] = categorie
    data["departement"] = yamlio.double_quoted(departement)
    if contacts:
        data["contacts_dedies"] = list(contacts)
    _create(ws, path, data, BUYER_HEADER, f"le donneur d'ordre {siret}")
    sha = audit.commit_changes(ws, [path], case_id="-", action="donneur", subject=f"Donneur d'ordre ajouté : {nom} ({siret})",
                               no_commit=no_commit)
    return Recorded(path, siret, sha)


def next_contact_id(ws: Workspace) -> str:
    nums = [int(m.group(1)) for cid in ws.store.registry.contacts if (m := re.fullmatch(r"contact-(\d+)", cid))]
    return f"contact-{(max(nums) + 1) if nums else 1:04d}"


def add_contact(ws: Workspace, *, nom: str, organisation: str, prenom: str | None = None, civilite: str | None = None,
                courriel: str | None = None, telephone: str | None = None, fonction: str | None = None,
                base_legale_rgpd: str | None = None, no_commit: bool = False) -> Recorded:
    reg = ws.store.registry
    if organisation not in reg.partners and organisation not in reg.buyers:
        raise UsageError(f"organisation « {organisation} » inconnue : ni partenaire (partners/) ni donneur d'ordre (donneurs/)",
                         "indiquer l'identifiant d'un partenaire (coordination-93…) ou le SIRET d'un donneur d'ordre enregistré "
                         "(guichet buyer add)")
    cid = next_contact_id(ws)
    path = ws.root / "contacts" / f"{cid}.yaml"
    audit.check_can_commit(ws, [path], no_commit=no_commit)
    data: dict[str, Any] = {"id": cid}
    for key, value in (("civilite", civilite), ("prenom", prenom), ("nom", nom), ("courriel", courriel),
                       ("telephone", telephone), ("fonction", fonction)):
        if value:
            data[key] = value
    data["organisation"] = yamlio.double_quoted(organisation) if organisation.isdigit() else organisation
    if base_legale_rgpd:
        data["base_legale_rgpd"] = base_legale_rgpd
    _create(ws, path, data, CONTACT_HEADER, f"le contact {cid}")
    # Pas de nom dans le message de commit : l'historique git n'est pas le registre des données personnelles.
    sha = audit.commit_changes(ws, [path], case_id="-", action="contact", subject=f"Contact ajouté : {cid} ({organisation})",
                               no_commit=no_commit)
    return Recorded(path, cid, sha)


def _edit_case(ws: Workspace, ref: str, values: dict[str, Any], *, action: str, subject: str, no_commit: bool,
               new_status: str | None = None, hint: str) -> Recorded:
    case = ws.store.case(ref)
    path = case.path
    ws.store.require_inside(path)
    audit.check_can_commit(ws, [path], no_commit=no_commit)
    change = (case.statut, new_status) if new_status and new_status != case.statut else None
    if change:
        values = {**values, "statut": new_status}

    def mutate(data: Any) -> None:
        for dotted, value in values.items():
            yamlio.set_field(data, dotted, value)

    ws.store.edit(path, mutate, hint=hint)
    sha = audit.commit_changes(ws, [path], case_id=case.id, action=action, subject=f"{case.id} : {subject}",
                               status_change=change, no_commit=no_commit)
    return Recorded(path, case.id, sha, change)


def validate_calibration(ws: Workspace, ref: str, *, by: str, on: dt.date, no_commit: bool = False) -> Recorded:
    case = ws.store.case(ref)
    if case.calibration is None:
        raise UsageError(f"{case.id} n'a pas de calibrage à valider (analyse.calibrage)",
                         f"calculer d'abord le calibrage : guichet analyse {case.id} --write")
    if by not in ws.store.registry.facilitators:
        raise UsageError(f"facilitateur « {by} » inconnu du registre partners/", "voir les facilitateurs proposés par la commande")
    return _edit_case(ws, ref, {"analyse.calibrage.valide_par": by, "analyse.calibrage.valide_le": yamlio.double_quoted(on.isoformat())},
                      action="calibrage", subject=f"calibrage validé par {by}", no_commit=no_commit,
                      hint="vérifier la date de validation (après la réception de la demande)")


def notify(ws: Workspace, ref: str, *, holders: list[tuple[str, str]], on: dt.date, amount: float | None = None,
           hours: float | None = None, no_commit: bool = False) -> Recorded:
    """Marché notifié : date, titulaires (SIRET, nom), montant ; une décision rendue passe à « marché notifié »."""
    case = ws.store.case(ref)
    if not holders:
        raise UsageError("indiquer au moins un titulaire (--holder SIRET)")
    values: dict[str, Any] = {
        "execution.notifie_le": yamlio.double_quoted(on.isoformat()),
        "execution.titulaires": yamlio.to_commented([{"siret": yamlio.double_quoted(s), "nom": n} for s, n in holders]),
    }
    if amount is not None:
        values["execution.montant_notifie_ht"] = amount
    if hours is not None:
        values["execution.heures_contractuelles"] = hours
    moves = ws.store.lifecycle.allowed(case.statut, "marche_notifie") and case.statut == "decision_rendue"
    return _edit_case(ws, ref, values, action="notification", subject="marché notifié", no_commit=no_commit,
                      new_status="marche_notifie" if moves else None,
                      hint="la notification suit la décision du donneur d'ordre (guichet status … decision_rendue)")


def kickoff(ws: Workspace, ref: str, *, on: dt.date, facilitator_present: bool, no_commit: bool = False) -> Recorded:
    case: Case = ws.store.case(ref)
    if case.execution is None:
        raise UsageError(f"le marché de {case.id} n'est pas encore notifié : la réunion de lancement suit la notification",
                         f"enregistrer d'abord la notification : guichet notify {case.id} --holder SIRET --date AAAA-MM-JJ")
    meeting = yamlio.to_commented({"date": yamlio.double_quoted(on.isoformat()), "facilitateur_present": facilitator_present})
    return _edit_case(ws, ref, {"execution.reunion_lancement": meeting},
                      action="reunion_lancement", subject="réunion de lancement", no_commit=no_commit,
                      hint="la réunion de lancement suit la notification du marché")


def record_results(ws: Workspace, ref: str, *, year: int, hours_done: float, participants: dict[str, int],
                   hours_planned: float | None = None, transmitted: dt.date | None = None, replace: bool = False,
                   no_commit: bool = False) -> Recorded:
    """Résultats d'une année d'exécution (resultats[]) : heures et participants (effectifs, jamais de noms)."""
    case = ws.store.case(ref)
    years = [r.annee for r in case.resultats]
    if year in years and not replace:
        raise UsageError(f"les résultats {year} de {case.id} sont déjà enregistrés",
                         "relancer avec --replace pour les remplacer (la version précédente reste dans l'historique git)")
    block: dict[str, Any] = {"annee": year}
    if hours_planned is not None:
        block["heures_prevues"] = hours_planned
    block["heures_realisees"] = hours_done
    block["participants"] = participants
    if transmitted is not None:
        block["transmis_le"] = yamlio.double_quoted(transmitted.isoformat())
    entry = yamlio.to_commented(block)
    path = case.path
    ws.store.require_inside(path)
    audit.check_can_commit(ws, [path], no_commit=no_commit)

    index = years.index(year) if year in years else None  # position lue dans le modèle typé

    def mutate(data: Any) -> None:
        yamlio.set_item(data, "resultats", index, entry)

    ws.store.edit(path, mutate, hint="les résultats se déclarent pour un marché en exécution (guichet status … en_execution)")
    sha = audit.commit_changes(ws, [path], case_id=case.id, action="resultats", subject=f"{case.id} : résultats {year}",
                               no_commit=no_commit)
    return Recorded(path, case.id, sha)
