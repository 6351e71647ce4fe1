"""`guichet sourcing DOSSIER` de bout en bout : rapprochement, avis, demandes aux réseaux,
enregistrement dans le dossier (et commit) avec --write ou --answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from guichet_cli.core.analysis import eml
from guichet_cli.core.audit import commit_changes
from guichet_cli.core.facts import confidentiality
from guichet_cli.core.model.case import Case
from guichet_cli.core.sourcing import record, request
from guichet_cli.core.sourcing.advice import Sourcing, source_market
from guichet_cli.core.workspace import Workspace


@dataclass
class SourcingRun:
    case: Case
    sourcing: Sourcing
    drafts: list[eml.Draft]
    written: bool = False
    sha: str | None = None
    eml_files: list[Path] = field(default_factory=list)


def run(ws: Workspace, ref: str, *, write: bool = False, answers: list[str] | None = None, eml_dir: Path | None = None,
        no_commit: bool = False, today: dt.date | None = None) -> SourcingRun:
    today = today or dt.date.today()
    case = ws.store.case(ref, checked=True)
    parsed = record.parse_answers(answers or [])
    reg = ws.store.registry
    so = source_market(ws, case.marche, case.id, registry=reg)
    if parsed:
        # Avec --write, les réseaux qui vont être consultés peuvent déjà répondre.
        record.check_answers(case, parsed, so if write else None)
    out = SourcingRun(case, so, request.drafts(case, reg, so, confidentiality.masks(ws), today))
    if eml_dir is not None:
        out.eml_files = eml.write_eml(ws, reg, out.drafts, case.id, eml_dir, today)
    if write or parsed:
        def mutate(data: object) -> None:
            if write:
                record.apply_sourcing(data, so, today)
            if parsed:
                record.apply_answers(data, parsed, today)

        out.written = ws.store.edit(case.path, mutate).changed
        if out.written:
            what = "réponses de sourcing enregistrées" if parsed else "sourcing enregistré"
            out.sha = commit_changes(ws, [case.path], case_id=case.id, action="sourcing", subject=f"{case.id} : {what}", no_commit=no_commit)
    return out
