"""Écriture d'un rapprochement confiant dans la demande (--write) : date de notification, titulaires
(SIRET), montant notifié, considérations sociales publiées et bloc execution.donnees_essentielles
(identifiant DECP et champs publiés). Montant, durée et titulaires sont ceux d'après les modifications
publiées (decp.py les applique, la dernière notifiée l'emporte), dont les numéros sont notés. Édition aller-retour par le magasin, commit à trailers.

Ce qui est déjà renseigné dans la demande n'est jamais remplacé : seuls les champs vides sont remplis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guichet_cli.core import audit, yamlio
from guichet_cli.core.errors import UsageError
from guichet_cli.core.model.case import Case
from guichet_cli.core.opendata.checks import StructureLookup
from guichet_cli.core.opendata.decp import DecpRecord
from guichet_cli.core.workspace import Workspace

NOTIFIED = "marche_notifie"
ACTION = "donnees_essentielles"


@dataclass(frozen=True)
class Written:
    case_id: str
    path: Path
    fields: tuple[str, ...]
    status: tuple[str, str] | None
    sha: str | None
    skipped: str | None = None  # motif si rien n'a été écrit


def holder_name(siret: str) -> str:
    # Les DECP ne publient que l'identifiant du titulaire ; le nom reste à compléter par le guichet.
    return f"Titulaire SIRET {siret} (nom à compléter : les DECP ne publient pas le nom)"


def _categories(rules: dict[str, Any]) -> set[str]:
    """Valeurs de execution.titulaires[].structure_inclusive que la lecture des registres peut donner."""
    return set(rules["structures_reservataires"]) | set(rules.get("structures_reservataires_ess") or ()) | {"aucune"}


def _values(ws: Workspace, rec: DecpRecord, case: Case, lot: int | None, score: float, lookup: StructureLookup | None,
            today: dt.date) -> dict[str, Any]:
    """Champs à remplir (chemin pointé → valeur), sans ceux que la demande a déjà."""
    rules = ws.store.rules("donnees_ouvertes")["decp"]
    ex = case.execution
    values: dict[str, Any] = {}
    if ex is None and rec.notified is not None:
        values["execution.notifie_le"] = rec.notified.isoformat()
    if ex is None or not ex.titulaires:
        holders = []
        for h in rec.holders:
            if not h.siret:
                continue
            entry: dict[str, Any] = {"siret": h.siret, "nom": holder_name(h.siret)}
            if lot is not None:
                entry["lots"] = [lot]
            kind = lookup(h.siret) if lookup else None
            if kind in _categories(rules):  # « geiq » (registre des structures) n'est pas une valeur des demandes
                entry["structure_inclusive"] = kind
            holders.append(yamlio.to_commented(entry))
        if holders:
            values["execution.titulaires"] = yamlio.to_commented(holders)
    if (ex is None or ex.montant_notifie_ht is None) and rec.montant is not None:
        values["execution.montant_notifie_ht"] = int(rec.montant) if float(rec.montant).is_integer() else rec.montant
    if (ex is None or not ex.considerations_sociales) and rec.social:
        values["execution.considerations_sociales"] = yamlio.to_commented(list(rec.social))
    if ex is None or ex.donnees_essentielles is None:
        block: dict[str, Any] = {"id": rec.id, "source": Path(rec.source).name, "rapproche_le": today.isoformat(),
                                 "score": round(score, 1)}
        block.update({k: rec.raw[k] for k in rules["champs_recopies"] if k in rec.raw})
        if rec.amendments:  # montant, durée et titulaires écrits sont ceux d'après les modifications
            if rec.duree_mois is not None and "dureeMois" in rules["champs_recopies"]:
                block["dureeMois"] = rec.duree_mois
            block["modifications_appliquees"] = yamlio.to_commented([a.id for a in rec.amendments if a.id is not None])
        values["execution.donnees_essentielles"] = yamlio.to_commented(block)
    return values


def write_match(ws: Workspace, rec: DecpRecord, case: Case, lot: int | None, score: float, *,
                lookup: StructureLookup | None, today: dt.date, no_commit: bool = False, accepted: bool = False) -> Written:
    """Écrit un rapprochement confiant, ou accepté par une personne (`accepted`, --accept)."""
    path = case.path
    values = _values(ws, rec, case, lot, score, lookup, today)
    if "execution.notifie_le" in values and "execution.titulaires" not in values:
        return Written(case.id, path, (), None, None, "aucun titulaire identifié par un SIRET dans l'enregistrement : rien n'a été écrit")
    if not values:
        return Written(case.id, path, (), None, None, "la demande porte déjà ces informations")
    lc = ws.store.lifecycle
    status = (case.statut, NOTIFIED) if case.statut != NOTIFIED and case.statut in lc.statuses and lc.allowed(case.statut, NOTIFIED) else None

    def mutate(with_status: bool) -> Any:
        def apply(data: Any) -> None:
            for dotted, value in values.items():
                yamlio.set_field(data, dotted, value)
            if with_status:
                yamlio.set_field(data, "statut", NOTIFIED)
        return apply

    def require(updated: Case | None) -> None:
        missing = lc.missing(updated, NOTIFIED) if updated is not None else []
        if missing:
            raise UsageError("champs manquants pour le statut « marché notifié » : " + ", ".join(m.field for m in missing))

    audit.check_can_commit(ws, [path], no_commit=no_commit)
    if status is not None:
        try:
            ws.store.edit(path, mutate(True), before_write=require)
        except UsageError:
            status = None  # la demande n'a pas tout ce qu'exige « marché notifié » : on écrit sans changer le statut
    if status is None:
        ws.store.edit(path, mutate(False))
    subject = f"{case.id} : notification lue dans les DECP (marché {rec.id}" + (", rapprochement accepté)" if accepted else ")")
    sha = audit.commit_changes(ws, [path], case_id=case.id, action=ACTION, subject=subject, status_change=status,
                               no_commit=no_commit)
    return Written(case.id, path, tuple(values), status, sha)


REJECTED = "rapprochements_refuses"
REJECT_ACTION = "donnees_essentielles_refus"


def write_rejection(ws: Workspace, decp_id: str, buyer: str, case: Case, *, today: dt.date, no_commit: bool = False) -> Written:
    """Note dans la demande qu'une personne a refusé ce marché publié (--reject) : il ne sera plus proposé.
    Ajout en fin de liste rapprochements_refuses (édition aller-retour), commit à trailers."""
    path = case.path
    if case.rejects(decp_id, buyer):
        return Written(case.id, path, (), None, None, f"le marché {decp_id} est déjà refusé pour cette demande")
    entry = yamlio.to_commented({"id": decp_id, "acheteur": buyer, "refuse_le": today.isoformat()})
    audit.check_can_commit(ws, [path], no_commit=no_commit)
    ws.store.edit(path, lambda data: yamlio.set_item(data, REJECTED, None, entry))
    sha = audit.commit_changes(ws, [path], case_id=case.id, action=REJECT_ACTION,
                               subject=f"{case.id} : marché {decp_id} des DECP refusé (ce n'est pas cette demande)", no_commit=no_commit)
    return Written(case.id, path, (REJECTED,), None, sha)
