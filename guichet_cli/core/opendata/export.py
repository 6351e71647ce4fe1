"""`guichet export decp|ocds` : publier les données sociales du guichet dans les formats ouverts.

DECP : pour chaque demande notifiée, l'enregistrement `marche` du schéma v2.0.3 (seulement ses
champs : `additionalProperties: false`) ; un enregistrement incomplet n'est pas publié, la liste de
ce qui manque est rendue. OCDS : un paquet de publications (release package) avec
tender.sustainability et tender.otherRequirements.reservedParticipation (crosswalk.py).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts.sectors import cpv_base
from guichet_cli.core.model.case import Case
from guichet_cli.core.opendata import crosswalk
from guichet_cli.core.workspace import Workspace

# Champs obligatoires de `marche` (schéma DECP v2.0.3, « required »), dans l'ordre du schéma, avec
# l'endroit de la demande qui les fournit (pour dire à l'agent quoi compléter).
REQUIRED = {
    "id": "execution.donnees_essentielles.id (identifiant DECP)",
    "acheteur": "donneur_ordre",
    "nature": "execution.donnees_essentielles.nature",
    "objet": "marche.objet",
    "codeCPV": "marche.cpv",
    "techniques": "execution.donnees_essentielles.techniques",
    "modalitesExecution": "execution.donnees_essentielles.modalitesExecution",
    "marcheInnovant": "execution.donnees_essentielles.marcheInnovant",
    "ccag": "execution.donnees_essentielles.ccag",
    "offresRecues": "execution.donnees_essentielles.offresRecues",
    "attributionAvance": "execution.donnees_essentielles.attributionAvance",
    "typeGroupementOperateurs": "execution.donnees_essentielles.typeGroupementOperateurs",
    "sousTraitanceDeclaree": "execution.donnees_essentielles.sousTraitanceDeclaree",
    "procedure": "marche.procedure (ou execution.donnees_essentielles.procedure)",
    "lieuExecution": "marche.lieux_execution (ou execution.donnees_essentielles.lieuExecution)",
    "dureeMois": "marche.duree_mois",
    "dateNotification": "execution.notifie_le",
    "datePublicationDonnees": "execution.donnees_essentielles.datePublicationDonnees",
    "montant": "execution.montant_notifie_ht",
    "typesPrix": "execution.donnees_essentielles.typesPrix",
    "formePrix": "execution.donnees_essentielles.formePrix",
    "titulaires": "execution.titulaires (SIRET)",
    "considerationsSociales": "execution.considerations_sociales (ou decision.dispositions_retenues)",
    "considerationsEnvironnementales": "execution.donnees_essentielles.considerationsEnvironnementales",
}
OPTIONAL = ("idAccordCadre", "tauxAvance")


PUBLISHED_BLOCK = "execution.donnees_essentielles"


@dataclass
class Incomplete:
    case_id: str
    missing: list[str]  # champs DECP obligatoires absents


def missing_lines(inc: Incomplete) -> list[str]:
    """Ce qui manque à une demande pour être publiée, regroupé par endroit où le renseigner."""
    copied = [k for k in inc.missing if REQUIRED[k].startswith(PUBLISHED_BLOCK)]
    others = [k for k in inc.missing if k not in copied]
    lines = [f"{inc.case_id} : non publié, il manque {fr.count(len(inc.missing), 'champ DECP obligatoire', 'champs DECP obligatoires', plain=True)}"]
    lines += [f"  - {k} : à renseigner dans {REQUIRED[k]}" for k in others]
    if copied:
        lines.append(f"  - {', '.join(copied)} : à renseigner dans {PUBLISHED_BLOCK} (« guichet import decp --write » "
                     "les recopie de l'enregistrement publié)")
    return lines


@dataclass
class DecpExport:
    records: list[dict[str, Any]] = field(default_factory=list)
    incomplete: list[Incomplete] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)  # demandes exportées, dans l'ordre des enregistrements

    def document(self) -> dict[str, Any]:
        return {"marches": {"marche": self.records}}


def _in_year(case: Case, year: int | None) -> bool:
    return year is None or (case.execution is not None and case.execution.notifie_le.year == year)


def decp_record(ws: Workspace, case: Case) -> tuple[dict[str, Any], list[str]]:
    """Enregistrement DECP d'une demande notifiée, et les champs obligatoires qui manquent."""
    ex = case.execution
    assert ex is not None
    rules = ws.store.rules("donnees_ouvertes")["decp"]
    pub = ex.donnees_essentielles
    copied = dict(pub.champs) if pub else {}
    m = case.marche
    rec: dict[str, Any] = {}
    if pub:
        rec["id"] = pub.id
    rec["acheteur"] = {"id": case.donneur_ordre}
    rec["objet"] = m.objet[:1000]
    if m.main_cpv:
        rec["codeCPV"] = cpv_base(m.main_cpv)
    if "procedure" in copied:
        rec["procedure"] = copied["procedure"]
    elif m.procedure in rules["procedures"]:
        rec["procedure"] = rules["procedures"][m.procedure]
    if "lieuExecution" in copied:
        rec["lieuExecution"] = copied["lieuExecution"]
    elif m.lieux_execution:
        place = m.lieux_execution[0]
        rec["lieuExecution"] = ({"code": place.commune, "typeCode": "Code commune"} if place.commune
                                else {"code": place.departement, "typeCode": "Code département"})
    rec["dureeMois"] = copied.get("dureeMois", m.duree_mois)
    rec["dateNotification"] = ex.notifie_le.isoformat()
    if ex.montant_notifie_ht is not None and ex.montant_notifie_ht >= 1:
        rec["montant"] = ex.montant_notifie_ht
    holders = [{"titulaire": {"typeIdentifiant": "SIRET", "id": h.siret}} for h in ex.titulaires]
    if holders:
        rec["titulaires"] = holders
    social = list(ex.considerations_sociales) or crosswalk.decp_values(ws, case.retained_dispositions)
    rec["considerationsSociales"] = {"considerationSociale": social}
    for key in list(REQUIRED) + list(OPTIONAL):
        if key not in rec and key in copied and copied[key] is not None:
            rec[key] = copied[key]
    ordered = {k: rec[k] for k in list(REQUIRED) + list(OPTIONAL) if k in rec}
    return ordered, [k for k in REQUIRED if k not in ordered]


def export_decp(ws: Workspace, cases: list[Case], year: int | None = None) -> DecpExport:
    out = DecpExport()
    for case in sorted(cases, key=lambda c: c.id):
        if case.execution is None or not _in_year(case, year):
            continue
        rec, missing = decp_record(ws, case)
        if missing:
            out.incomplete.append(Incomplete(case.id, missing))
        else:
            out.records.append(rec)
            out.cases.append(case.id)
    return out


def validate_decp(document: dict[str, Any], schema_path: Path) -> list[str]:
    """Erreurs du document au regard du schéma officiel (draft-07), en français."""
    from jsonschema import Draft7Validator

    from guichet_cli.core.opendata.decp import french_reason

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    return [french_reason(e) for e in Draft7Validator(schema).iter_errors(document)]


# --- OCDS -------------------------------------------------------------------------------------


def _org_id(siret: str) -> str:
    return f"FR-SIRET-{siret}"


def ocds_release(ws: Workspace, case: Case, buyer_name: str | None) -> dict[str, Any]:
    rules = ws.store.rules("donnees_ouvertes")["ocds"]
    m = case.marche
    ex = case.execution
    when = ex.notifie_le if ex else (case.decision.date if case.decision else case.recue_le)
    buyer = {"id": _org_id(case.donneur_ordre), "name": buyer_name or f"Acheteur SIRET {case.donneur_ordre}"}
    parties: list[dict[str, Any]] = [{**buyer, "identifier": {"scheme": "FR-SIRET", "id": case.donneur_ordre}, "roles": ["buyer"]}]
    tender: dict[str, Any] = {"id": case.id, "title": m.objet, "status": "complete" if ex else "active",
                              "value": {"amount": m.montant_maximum_ht or m.montant_estime_ht, "currency": "EUR"}}
    category = rules["categories"].get(m.nature)
    if category:
        tender["mainProcurementCategory"] = category
    if m.main_cpv:
        tender["items"] = [{"id": "1", "classification": {"scheme": "CPV", "id": cpv_base(m.main_cpv)}}]
    tender.update(crosswalk.ocds_tender(ws, case.retained_dispositions))
    release: dict[str, Any] = {
        "ocid": f"{rules['prefixe_ocid']}-{case.id}", "id": f"{case.id}-{when.isoformat()}",
        "date": f"{when.isoformat()}T00:00:00Z", "tag": ["award"] if ex else ["tender"], "initiationType": "tender",
        "language": "fr", "parties": parties, "buyer": buyer, "tender": tender,
    }
    if ex:
        suppliers = [{"id": _org_id(h.siret), "name": h.nom} for h in ex.titulaires]
        parties += [{**s, "identifier": {"scheme": "FR-SIRET", "id": h.siret}, "roles": ["supplier"]}
                    for s, h in zip(suppliers, ex.titulaires, strict=True)]
        award: dict[str, Any] = {"id": f"{case.id}-1", "date": f"{ex.notifie_le.isoformat()}T00:00:00Z", "status": "active",
                                 "suppliers": suppliers}
        if ex.montant_notifie_ht is not None:
            award["value"] = {"amount": ex.montant_notifie_ht, "currency": "EUR"}
        release["awards"] = [award]
    return release


def export_ocds(ws: Workspace, cases: list[Case], year: int | None = None, today: dt.date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Paquet de publications : une publication par demande dont la décision est rendue ou le marché notifié."""
    rules = ws.store.rules("donnees_ouvertes")["ocds"]
    reg = ws.store.registry
    releases, ids = [], []
    for case in sorted(cases, key=lambda c: c.id):
        if case.decision is None and case.execution is None:
            continue
        if year is not None and (case.execution.notifie_le.year if case.execution else case.recue_le.year) != year:
            continue
        buyer = reg.buyers.get(case.donneur_ordre)
        releases.append(ocds_release(ws, case, buyer.nom if buyer else None))
        ids.append(case.id)
    now = (today or dt.date.today()).isoformat()
    package = {
        "uri": f"urn:guichet:{rules['prefixe_ocid']}:{year or 'toutes'}:{now}",
        "version": "1.1", "publishedDate": f"{now}T00:00:00Z",
        "publisher": {"name": rules["editeur"]}, "extensions": list(rules["extensions"]), "releases": releases,
    }
    return package, ids
