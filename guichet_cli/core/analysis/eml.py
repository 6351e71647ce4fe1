"""Brouillon de courriel de mise en relation, et fichiers .eml (un par groupe de destinataires).

En-têtes déterministes (date du jour à 09:00 UTC, Message-ID dérivé du dossier) pour que deux
exécutions donnent les mêmes fichiers. Seules données personnelles : les facilitateurs destinataires.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTPUTF8
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core import yamlio
from guichet_cli.core.analysis.route import Routing
from guichet_cli.core.facts import confidentiality, labels
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace

DOMAIN = "guichet-clauses-sociales.invalid"
# Lignes d'en-tête jusqu'à la limite de la RFC 5322 (998) : le pliage de Python avec utf8=True perd
# les guillemets d'un nom affiché non ASCII qui contient « : » ou des parenthèses (« donneur
# d'ordre : Ville… (fictif) » devenait un groupe et un commentaire), ce qui change les destinataires.
POLICY = SMTPUTF8.clone(max_line_length=998)


@dataclass
class Draft:
    group: str  # coordinations, reseaux-iae, reseaux-partenaires
    title: str
    recipients: list[tuple[str, str | None]]  # (nom affiché, adresse ou None)
    subject: str
    body: str


def _partner_recipients(reg: Registry, pid: str) -> list[tuple[str, str | None]]:
    p = reg.partners.get(pid)
    name = (p.sigle or p.nom or pid) if p is not None else pid
    mails = list(p.emails) if p is not None else []
    return [(name, m) for m in mails] or [(name, None)]


def _facilitator_recipients(reg: Registry, fids: list[str]) -> list[tuple[str, str | None]]:
    out = []
    for fid in fids:
        fac = reg.facilitators.get(fid)
        contact = reg.contacts.get(fac.contact) if fac is not None else None
        out.append((contact.full_name, contact.courriel) if contact is not None else (fid, None))
    return out


def summary(ws: Workspace, case: Case, reg: Registry, recs: list[dict[str, Any]], hours: int | None,
            shown: confidentiality.View | None = None) -> list[str]:
    """Les faits de la demande ; objet et montants selon ce que le destinataire peut voir (`shown`)."""
    m = case.marche
    shown = shown or confidentiality.View(case, False, confidentiality.masks(ws))
    disp_rules = load_rules(ws, "dispositions")["dispositions"]
    places = ", ".join(p.departement + (f" ({p.commune})" if p.commune else "") for p in m.lieux_execution)
    lines = [
        f"Dossier : {case.id}",
        f"Donneur d'ordre : {reg.buyer_name(case.donneur_ordre)}",
        f"Objet : {shown.objet}",
        f"Montant estimé : {shown.eur(m.montant_estime_ht)} HT ; durée : {m.duree_mois} mois",
        f"Lieux d'exécution : {places}",
    ]
    if m.lancement_prevu:
        lines.append(f"Lancement prévu : {fr.date_fr(m.lancement_prevu.isoformat())}")
    for position, r in enumerate(recs, start=1):
        lab = labels.of(ws).disposition(r["disposition"])
        lots = f" (lots {', '.join(str(x) for x in r['lots'])})" if r.get("lots") else ""
        basis = r.get("base_legale") or (disp_rules.get(r["disposition"]) or {}).get("base_legale", "")
        lines.append(f"Disposition recommandée n° {r.get('rang', position)} : {lab} – {basis}{lots}")
    if hours:
        lines.append(f"Heures d'insertion calibrées : {fr.h(hours)}")
    return lines


def drafts(ws: Workspace, case: Case, reg: Registry, routing: Routing, recs: list[dict[str, Any]], hours: int | None,
           *, today: dt.date | None = None, saved: bool = False) -> list[Draft]:
    """Un brouillon par groupe de destinataires. Une demande confidentielle ne montre son objet et
    ses montants qu'aux partenaires orientés (routage enregistré ; `saved` : `routing` vient d'être
    enregistré par la même commande) — core/facts/confidentiality.py."""
    cid = case.id
    today = today or dt.date.today()
    also = [*routing.coordinations, *([routing.lead] if routing.lead else []), *routing.networks] if saved else []
    motifs = {}
    for r in routing.reasons:
        motifs.setdefault(r.partner, []).append(r.motif)
    groups: list[tuple[str, tuple[str, str], list[str]]] = [
        ("coordinations", ("coordination départementale", "coordinations départementales"), routing.coordinations),
        ("reseaux-iae", ("réseau IAE départemental", "réseaux IAE départementaux"),
         [p for p in routing.networks if _type(reg, p) == "reseau_iae_departemental"]),
        ("reseaux-partenaires", ("réseau partenaire", "réseaux partenaires"),
         [p for p in routing.networks if _type(reg, p) == "reseau_partenaire"]),
    ]
    out = []
    for group, forms, pids in groups:
        if not pids:
            continue
        title = fr.agree(len(pids), *forms)
        recipients: list[tuple[str, str | None]] = []
        for pid in pids:
            recipients.extend(_partner_recipients(reg, pid))
        if group == "coordinations":
            recipients.extend(_facilitator_recipients(reg, routing.facilitators))
        shown = confidentiality.view(ws, case, pids, today, also_routed=also)
        facts = summary(ws, case, reg, recs, hours, shown)
        why = [f"- {reg.partner_label(p)} : {' ; '.join(motifs.get(p, []))}" for p in pids]
        lead = ""
        if group == "coordinations" and routing.lead and len(routing.coordinations) > 1:
            lead = f"\nCoordination cheffe de file : {reg.partner_label(routing.lead)}.\n"
        body = "\n".join([
            "Bonjour,",
            "",
            "Le Guichet Régional des Clauses Sociales vous transmet une demande d'accompagnement.",
            "",
            *facts,
            lead,
            "Pourquoi vous êtes sollicités :",
            *why,
            "",
            "Merci de prendre contact avec le donneur d'ordre et de nous indiquer la suite donnée.",
            "",
            "Cordialement,",
            "La MACS – Guichet Régional des Clauses Sociales",
        ])
        out.append(Draft(group, title, recipients, f"[{cid}] Mise en relation – {shown.objet}", body))
    return out


def _type(reg: Registry, pid: str) -> str | None:
    p = reg.partners.get(pid)
    return p.type if p is not None else None


def _address(name: str, mail: str | None) -> str:
    return f'"{name}" <{mail}>' if mail else f'"{name}" (adresse à compléter)'


def to_text(d: Draft) -> str:
    to = ", ".join(_address(n, m) for n, m in d.recipients)
    return f"À : {to}\nObjet : {d.subject}\n\n{d.body}\n"


def to_message(ws: Workspace, reg: Registry, d: Draft, case_id: str, today: dt.date) -> EmailMessage:
    macs = next((p for p in reg.partners.values() if p.type == "macs"), None)
    sender = next(iter(macs.emails), None) if macs is not None else None
    msg = EmailMessage(policy=POLICY)
    msg["From"] = f'"{(macs.sigle if macs is not None else None) or "MACS"}" <{sender or "macs@" + DOMAIN}>'
    known = [f'"{n}" <{m}>' for n, m in d.recipients if m]
    unknown = [n for n, m in d.recipients if not m]
    # Destinataire sans adresse connue : groupe vide RFC 5322 (« Nom: ; »), à compléter avant envoi.
    msg["To"] = ", ".join(known + [f'"{n} (adresse à compléter)": ;' for n in unknown])
    msg["Subject"] = " ".join(d.subject.split())  # défense : jamais de saut de ligne dans un en-tête (validate le refuse déjà)
    msg["Date"] = format_datetime(dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC))
    msg["Message-ID"] = f"<{case_id}.{d.group}.{today.isoformat()}@{DOMAIN}>"
    msg["X-Unsent"] = "1"  # ouvert comme brouillon par les messageries qui le reconnaissent
    msg.set_content(d.body + "\n", charset="utf-8")
    return msg


def write_eml(ws: Workspace, reg: Registry, ds: list[Draft], case_id: str, directory: Path, today: dt.date) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for d in ds:
        path = directory / f"{case_id}-{d.group}.eml"
        yamlio.atomic_write_bytes(path, to_message(ws, reg, d, case_id, today).as_bytes())
        paths.append(path)
    return paths
