"""`guichet remind` : courriels de relance (.eml, un par destinataire) de ce que `guichet due` liste.

Rien n'est envoyé. Chaque relance est notée dans la demande (suivi.relances : date, destinataire,
attente, rang) ; la relance suivante de la même attente prend le rang d'après et, à partir de
`rang_escalade` (rules/suivi.yaml), met la MACS en copie et le dit. Relancer deux fois le même jour
ne change rien.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core import yamlio
from guichet_cli.core.analysis.eml import POLICY
from guichet_cli.core.due import DueItem, compute_due
from guichet_cli.core.followup.importer import flow_entry
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.workspace import Workspace

DOMAIN = "guichet-clauses-sociales.invalid"


@dataclass
class ReminderDraft:
    recipient: str
    recipient_id: str
    address: str | None
    rank: int
    items: list[tuple[DueItem, int]] = field(default_factory=list)  # (attente, rang de sa relance)
    path: Path | None = None


@dataclass
class RemindResult:
    drafts: list[ReminderDraft]
    changed: list[Path] = field(default_factory=list)
    sha: str | None = None


def _address(reg: Registry, actor_id: str) -> str | None:
    buyer = reg.buyers.get(actor_id)
    if buyer is not None:
        contact = next((reg.contacts.get(c) for c in buyer.contacts_dedies if reg.contacts.get(c)), None)
        return contact.courriel if contact else None
    fac = reg.facilitators.get(actor_id)
    if fac is not None:
        contact = reg.contacts.get(fac.contact)
        return contact.courriel if contact else None
    partner = reg.partners.get(actor_id)
    if partner is not None:
        return next(iter(partner.emails), None)
    return None  # titulaire : adresse à compléter (aucune donnée de contact des entreprises dans le dépôt)


def _key(item: DueItem) -> str:
    return item.kind or item.waiting_for


def plan(ws: Workspace, on: dt.date) -> list[ReminderDraft]:
    report = compute_due(ws, on)
    reg = ws.store.registry
    cases = {c.id: c for c in ws.store.cases()}
    drafts: dict[str, ReminderDraft] = {}
    for item in sorted(report.items, key=lambda i: (i.actor_id, i.case_id, i.since)):
        case = cases.get(item.case_id)
        previous = [r for r in (case.suivi.relances if case and case.suivi else ())
                    if r.destinataire == item.actor_id and r.attente == _key(item)]
        today = next((r for r in previous if r.date == on), None)
        rank = today.rang if today else max((r.rang for r in previous), default=0) + 1
        d = drafts.setdefault(item.actor_id, ReminderDraft(item.actor, item.actor_id, _address(reg, item.actor_id), 0))
        d.items.append((item, rank))
        d.rank = max(d.rank, rank)
    return list(drafts.values())


def _body(d: ReminderDraft, on: dt.date, escalate: int, macs: str) -> tuple[str, str]:
    n = fr.count(len(d.items), "point", "points", plain=True)
    if d.rank >= escalate:
        subject = f"Relance n° {d.rank} (sans réponse) : {n} en attente — clauses sociales"
        opening = (f"Malgré nos relances précédentes, les points ci-dessous restent en attente. {macs} est en copie de ce "
                   "message ; sans réponse, la direction de votre structure en sera informée.")
    elif d.rank > 1:
        subject = f"Relance n° {d.rank} : {n} en attente — clauses sociales"
        opening = "Nous revenons vers vous : les points ci-dessous restent en attente."
    else:
        subject = f"Rappel : {n} en attente — clauses sociales"
        opening = "Pour le suivi des clauses sociales, les points ci-dessous sont en attente de votre part."
    lines = ["Bonjour,", "", opening, ""]
    for item, rank in d.items:
        lines.append(f"- {item.case_id} : {item.waiting_for}")
        lines.append(f"  en attente depuis le {dt.date.fromisoformat(item.since):%d/%m/%Y} ({item.days} jours)"
                     + (f", attendu par {item.waited_by}" if item.waited_by else "") + (f" — relance n° {rank}" if rank > 1 else ""))
    lines += ["", f"Faits arrêtés au {on:%d/%m/%Y} (guichet due).", "",
              "Bien cordialement,", "Le Guichet Régional des Clauses Sociales d'Île-de-France"]
    return subject, "\n".join(lines)


def _message(ws: Workspace, reg: Registry, d: ReminderDraft, on: dt.date, escalate: int) -> EmailMessage:
    macs = next((p for p in reg.partners.values() if p.type == "macs"), None)
    sender = next(iter(macs.emails), None) if macs is not None else None
    macs_name = (macs.sigle if macs is not None else None) or "MACS"
    subject, body = _body(d, on, escalate, f"la {macs_name}")
    msg = EmailMessage(policy=POLICY)
    msg["From"] = f'"{macs_name}" <{sender or "macs@" + DOMAIN}>'
    msg["To"] = f'"{d.recipient}" <{d.address}>' if d.address else f'"{d.recipient} (adresse à compléter)": ;'
    if d.rank >= escalate and sender:
        msg["Cc"] = f'"{macs_name}" <{sender}>'
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.combine(on, dt.time(9, 0), tzinfo=dt.UTC))
    msg["Message-ID"] = f"<relance.{_safe(d.recipient_id)}.{on.isoformat()}.{d.rank}@{DOMAIN}>"
    msg["X-Unsent"] = "1"
    msg.set_content(body + "\n", charset="utf-8")
    return msg


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)


def _record(data: Any, entries: list[dict[str, Any]]) -> None:
    if not isinstance(data.get("suivi"), dict):
        data["suivi"] = yamlio.to_commented({})
    suivi = data["suivi"]
    if not isinstance(suivi.get("relances"), list):
        suivi["relances"] = yamlio.to_commented([])
    have = {(str(r.get("date")), r.get("destinataire"), r.get("attente")) for r in suivi["relances"]}
    for e in entries:
        if (e["date"], e["destinataire"], e["attente"]) in have:
            continue
        suivi["relances"].append(flow_entry(e))


def draft_reminders(ws: Workspace, directory: Path, *, on: dt.date, write_: bool = True, no_commit: bool = False) -> RemindResult:
    from guichet_cli.core import audit

    drafts = plan(ws, on)
    res = RemindResult(drafts)
    if not write_ or not drafts:
        return res
    reg = ws.store.registry
    escalate = int(ws.store.rules("suivi")["rang_escalade"])
    per_case: dict[str, list[dict[str, Any]]] = {}
    for d in drafts:
        for item, rank in d.items:
            per_case.setdefault(item.path, []).append(
                {"date": on.isoformat(), "destinataire": d.recipient_id, "attente": _key(item)[:500], "rang": rank})
    paths = [ws.root / p for p in per_case]
    audit.check_can_commit(ws, paths, no_commit=no_commit)
    directory.mkdir(parents=True, exist_ok=True)
    for d in drafts:
        d.path = directory / f"relance-{on.isoformat()}-{_safe(d.recipient_id)}.eml"
        yamlio.atomic_write_bytes(d.path, _message(ws, reg, d, on, escalate).as_bytes())
    for rel, entries in per_case.items():
        ed = ws.store.edit(ws.root / rel, lambda data, e=entries: _record(data, e))
        if ed.changed:
            res.changed.append(ed.path)
    if res.changed:
        res.sha = audit.commit_changes(ws, res.changed, case_id=", ".join(sorted(p.stem for p in res.changed)), action="relance",
                                       subject=f"Relances rédigées le {on:%d/%m/%Y} : {fr.count(len(drafts), 'destinataire', 'destinataires', plain=True)}", no_commit=no_commit)
    return res
