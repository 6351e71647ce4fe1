"""`guichet import decp` : lire un ou plusieurs fichiers DECP, rapprocher, contrôler, écrire (--write).

Les enregistrements défilent un par un (mémoire constante) : on ne garde que les rapprochements
(confiants ou douteux), les défauts et les incohérences ; les marchés sans demande sont comptés.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from guichet_cli.core.opendata import checks, decp, matcher, writer
from guichet_cli.core.workspace import Workspace


@dataclass
class FileStats:
    source: str
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class ImportReport:
    files: list[FileStats] = field(default_factory=list)
    defects: list[decp.Defect] = field(default_factory=list)
    matches: list[matcher.Match] = field(default_factory=list)  # confiants et douteux
    inconsistencies: list[checks.Inconsistency] = field(default_factory=list)
    written: list[writer.Written] = field(default_factory=list)
    schema: str | None = None  # schéma officiel utilisé, ou None (contrôle réduit)
    case_problems: int = 0

    @property
    def has_findings(self) -> bool:
        bad = {"rejete", "montant", "titulaire", "illisible"}
        return bool(self.inconsistencies) or any(d.kind in bad for d in self.defects)

    def total(self, key: str) -> int:
        return sum(f.counts[key] for f in self.files)


COUNT_KEYS = ("marches", "concessions", "ecartes", "montants_ignores", "filtres", "confiants", "douteux", "sans_demande")


def registry_lookup(ws: Workspace) -> checks.StructureLookup:
    """Le registre des structures du dépôt (structures/, par le magasin), pour le contrôle des marchés réservés."""
    categories = ws.store.rules("donnees_ouvertes")["decp"].get("categories_structures") or {}
    return checks.structures_lookup(ws.store.structures, categories)


def run(ws: Workspace, files: list[Path], *, schema: Path | None = None, buyer: str | None = None,
        since: dt.date | None = None, write: bool = False, no_commit: bool = False,
        lookup: checks.StructureLookup | None = None, today: dt.date | None = None) -> ImportReport:
    today = today or dt.date.today()
    rules = ws.store.rules("donnees_ouvertes")
    check = decp.schema_checker(schema) if schema else decp.builtin_check
    cases, problems = ws.store.load_cases()
    registry = ws.store.registry
    lookup = checks.chain(lookup, checks.holders_lookup(cases))
    match = matcher.Matcher(cases, rules["rapprochement"])
    report = ImportReport(schema=str(schema) if schema else None, case_problems=len(problems))
    confident: list[matcher.Match] = []
    for path in files:
        stats = FileStats(str(path))
        report.files.append(stats)
        for ev in decp.read(path, check, max_amount=float(rules["decp"]["montant_invraisemblable"])):
            if isinstance(ev, decp.Defect):
                if buyer and ev.buyer and ev.buyer != buyer:
                    continue
                report.defects.append(ev)
                if ev.kind == "rejete":
                    stats.counts["marches"] += 1  # lu, puis écarté
                stats.counts[{"concession": "concessions", "rejete": "ecartes", "montant": "montants_ignores"}.get(ev.kind, "autres")] += 1
                continue
            stats.counts["marches"] += 1
            if (buyer and ev.buyer != buyer) or (since and (ev.notified is None or ev.notified < since)):
                stats.counts["filtres"] += 1
                continue
            m = match.match(ev)
            if m.verdict == matcher.NONE:
                stats.counts["sans_demande"] += 1
                report.inconsistencies += checks.check_reserved(ev, lookup, rules["decp"], ess_allowed=True)
                continue
            (confident if m.verdict == matcher.CONFIDENT else report.matches).append(m)
            stats.counts["confiants" if m.verdict == matcher.CONFIDENT else "douteux"] += 1
    # Plusieurs marchés publiés pour une même demande (lots publiés à part ?) : une personne tranche.
    per_case = Counter(m.best.case.id for m in confident if m.best)
    for m in confident:
        if m.best and per_case[m.best.case.id] > 1:
            m.verdict = matcher.DOUBTFUL
            m.note = f"{per_case[m.best.case.id]} marchés publiés rapprochés de la même demande {m.best.case.id} (lots publiés à part ?)"
            _move(report, m)
        report.matches.append(m)
    report.matches.sort(key=lambda m: (m.verdict != matcher.CONFIDENT, m.record.source, m.record.index))
    for m in report.matches:
        best = m.best
        if best is None:
            continue
        if m.verdict == matcher.CONFIDENT:
            report.inconsistencies += checks.check_match(ws, m.record, best.case, best.lot, registry, lookup, rules["decp"], today)
            if write:
                report.written.append(writer.write_match(ws, m.record, best.case, best.lot, best.score, lookup=lookup,
                                                         today=today, no_commit=no_commit))
    return report


def _move(report: ImportReport, m: matcher.Match) -> None:
    for stats in report.files:
        if stats.source == m.record.source:
            stats.counts["confiants"] -= 1
            stats.counts["douteux"] += 1
