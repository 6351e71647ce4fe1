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
from guichet_cli.core.registry import Registry
from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace

DOMAIN = "guichet-clauses-sociales.invalid"


@dataclass
class Draft:
    group: str  # coordinations, reseaux-iae, reseaux-partenaires
    title: str
    recipients: list[tuple[str, str | None]]  # (nom affiché, adresse ou None)
    subject: str
    body: str


def _partner_recipients(reg: Registry, pid: str) -> list[tuple[str, str | None]]:
    p = reg.partners.get(pid) or {}
    name = str(p.get("sigle") or p.get("nom") or pid)
    mails = [str(a["courriel"]) for a in p.get("adresses") or [] if isinstance(a, dict) and a.get("courriel")]
    return [(name, m) for m in mails] or [(name, None)]


def _facilitator_recipients(reg: Registry, fids: list[str]) -> list[tuple[str, str | None]]:
    out = []
    for fid in fids:
        fac = reg.facilitators.get(fid) or {}
        contact = reg.contacts.get(str(fac.get("contact"))) or {}
        out.append((reg.contact_name(str(fac.get("contact"))) if contact else fid, contact.get("courriel")))
    return out


def summary(ws: Workspace, case: dict[str, Any], reg: Registry, recs: list[dict[str, Any]], hours: int | None) -> list[str]:
    m = case["marche"]
    disp_rules = load_rules(ws, "dispositions")["dispositions"]
    buyer = reg.buyers.get(str(case.get("donneur_ordre"))) or {}
    places = ", ".join(p["departement"] + (f" ({p['commune']})" if p.get("commune") else "") for p in m.get("lieux_execution") or [])
    lines = [
        f"Dossier : {case.get('id')}",
        f"Donneur d'ordre : {buyer.get('nom', case.get('donneur_ordre'))}",
        f"Objet : {m['objet']}",
        f"Montant estimé : {fr.eur(m['montant_estime_ht'])} HT ; durée : {m['duree_mois']} mois",
        f"Lieux d'exécution : {places}",
    ]
    if m.get("lancement_prevu"):
        lines.append(f"Lancement prévu : {fr.date_fr(str(m['lancement_prevu']))}")
    for position, r in enumerate(recs, start=1):
        lab = (disp_rules.get(r["disposition"]) or {}).get("libelle", r["disposition"])
        lots = f" (lots {', '.join(str(x) for x in r['lots'])})" if r.get("lots") else ""
        basis = r.get("base_legale") or (disp_rules.get(r["disposition"]) or {}).get("base_legale", "")
        lines.append(f"Disposition recommandée n° {r.get('rang', position)} : {lab} – {basis}{lots}")
    if hours:
        lines.append(f"Heures d'insertion calibrées : {fr.h(hours)}")
    return lines


def drafts(ws: Workspace, case: dict[str, Any], reg: Registry, routing: Routing, recs: list[dict[str, Any]], hours: int | None) -> list[Draft]:
    cid = str(case.get("id"))
    objet = case["marche"]["objet"]
    facts = summary(ws, case, reg, recs, hours)
    motifs = {}
    for r in routing.reasons:
        motifs.setdefault(r.partner, []).append(r.motif)
    groups: list[tuple[str, str, list[str]]] = [
        ("coordinations", "coordination(s) départementale(s)", routing.coordinations),
        ("reseaux-iae", "réseau(x) IAE départemental(aux)", [p for p in routing.networks if (reg.partners.get(p) or {}).get("type") == "reseau_iae_departemental"]),
        ("reseaux-partenaires", "réseaux partenaires", [p for p in routing.networks if (reg.partners.get(p) or {}).get("type") == "reseau_partenaire"]),
    ]
    out = []
    for group, title, pids in groups:
        if not pids:
            continue
        recipients: list[tuple[str, str | None]] = []
        for pid in pids:
            recipients.extend(_partner_recipients(reg, pid))
        if group == "coordinations":
            recipients.extend(_facilitator_recipients(reg, routing.facilitators))
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
        out.append(Draft(group, title, recipients, f"[{cid}] Mise en relation – {objet}", body))
    return out


def _address(name: str, mail: str | None) -> str:
    return f'"{name}" <{mail}>' if mail else f'"{name}" (adresse à compléter)'


def to_text(d: Draft) -> str:
    to = ", ".join(_address(n, m) for n, m in d.recipients)
    return f"À : {to}\nObjet : {d.subject}\n\n{d.body}\n"


def to_message(ws: Workspace, reg: Registry, d: Draft, case_id: str, today: dt.date) -> EmailMessage:
    macs = next((p for p in reg.partners.values() if p.get("type") == "macs"), {})
    sender = next((a.get("courriel") for a in macs.get("adresses") or [] if isinstance(a, dict) and a.get("courriel")), None)
    msg = EmailMessage(policy=SMTPUTF8)
    msg["From"] = f'"{macs.get("sigle", "MACS")}" <{sender or "macs@" + DOMAIN}>'
    known = [f'"{n}" <{m}>' for n, m in d.recipients if m]
    unknown = [n for n, m in d.recipients if not m]
    # Destinataire sans adresse connue : groupe vide RFC 5322 (« Nom: ; »), à compléter avant envoi.
    msg["To"] = ", ".join(known + [f'"{n} (adresse à compléter)": ;' for n in unknown])
    msg["Subject"] = d.subject
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
