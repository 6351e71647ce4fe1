"""Enregistrement du sourcing dans la demande (bloc `sourcing`, schemas/sourcing.schema.json) :
réseaux et structures consultés, quand, avis par lot ; puis les réponses reçues.

Relancer l'enregistrement garde les consultations déjà faites et leurs réponses : il n'ajoute
que les réseaux pas encore consultés et met à jour l'avis par lot."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guichet_cli.core import yamlio
from guichet_cli.core.errors import UsageError
from guichet_cli.core.model.case import Case
from guichet_cli.core.rules import rule_ref
from guichet_cli.core.sourcing.advice import Sourcing

ANSWERS = ("interessee", "pas_interessee", "sans_reponse")


def apply_sourcing(data: Any, so: Sourcing, today: dt.date) -> None:
    block = data.get("sourcing")
    if not isinstance(block, dict):
        block = yamlio.to_commented({"effectue_le": yamlio.double_quoted(today.isoformat()), "regle": rule_ref("sourcing"),
                                     "lots": [], "consultations": []})
        data["sourcing"] = block
    block["effectue_le"] = yamlio.double_quoted(today.isoformat())
    lots = []
    for lot in so.lots:
        entry: dict[str, Any] = {} if lot.need.lot is None else {"numero": lot.need.lot}
        entry.update({"avis": lot.advice, "structures": len(lot.matches)})
        lots.append(entry)
    block["lots"] = yamlio.to_commented(lots)
    consultations = block.get("consultations")
    if consultations is None:
        block["consultations"] = consultations = yamlio.to_commented([])
    done = {c.get("reseau") for c in consultations}
    for pid in so.networks:
        if pid in done:
            continue
        concerned = [x for x in so.lots if pid in x.networks]
        entry = {"reseau": pid, "envoyee_le": yamlio.double_quoted(today.isoformat())}
        nums = [x.need.lot for x in concerned if x.need.lot is not None]
        if nums:
            entry["lots"] = nums
        sirets = list(dict.fromkeys(yamlio.double_quoted(m.structure.siret) for x in concerned for m in x.matches if pid in m.structure.reseaux))
        if sirets:
            entry["structures"] = sirets
        consultations.append(yamlio.to_commented(entry))


def parse_answers(values: list[str]) -> list[tuple[str, str]]:
    out = []
    for raw in values:
        key, sep, answer = raw.partition("=")
        key, answer = key.strip(), answer.strip()
        if not sep or answer not in ANSWERS:
            raise UsageError(f"réponse « {raw} » illisible", "écrire RESEAU=REPONSE ou SIRET=REPONSE, REPONSE parmi : " + ", ".join(ANSWERS))
        out.append((key, answer))
    return out


def check_answers(case: Case, answers: list[tuple[str, str]], pending: Sourcing | None = None) -> None:
    """Chaque réponse vise un réseau consulté ou une structure signalée à un réseau consulté
    (`pending` : le sourcing qui va être enregistré dans la même commande)."""
    rec = case.sourcing
    networks = {c.reseau for c in rec.consultations} if rec else set()
    sirets = {s for c in rec.consultations for s in c.structures} if rec else set()
    if pending is not None:
        networks |= set(pending.networks)
        sirets |= {m.structure.siret for lot in pending.lots for m in lot.matches
                   if any(n in m.structure.reseaux for n in lot.networks)}
    if not networks:
        raise UsageError(f"aucune consultation enregistrée dans {case.id}", f"enregistrer d'abord la demande : guichet sourcing {case.id} --write")
    for key, _ in answers:
        if key not in networks and key not in sirets:
            raise UsageError(f"« {key} » n'a pas été consulté pour {case.id}",
                             "réseaux consultés : " + ", ".join(sorted(networks)) + (" ; structures : " + ", ".join(sorted(sirets)) if sirets else ""))


def apply_answers(data: Any, answers: list[tuple[str, str]], today: dt.date) -> None:
    consultations = data["sourcing"]["consultations"]
    day = yamlio.double_quoted(today.isoformat())
    for key, answer in answers:
        for c in consultations:
            if c.get("reseau") == key:
                c["reponse"] = answer
                c["repondu_le"] = day
            elif key in [str(s) for s in (c.get("structures") or [])]:
                replies = c.get("reponses_structures")
                if replies is None:
                    c["reponses_structures"] = replies = yamlio.to_commented([])
                existing = next((r for r in replies if r.get("siret") == key), None)
                if existing is None:
                    replies.append(yamlio.to_commented({"siret": yamlio.double_quoted(key), "reponse": answer, "le": day}))
                else:
                    existing["reponse"], existing["le"] = answer, day
