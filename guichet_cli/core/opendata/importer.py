"""`guichet import decp` : lire un ou plusieurs fichiers DECP, rapprocher, contrôler, écrire (--write).

Les enregistrements défilent un par un (mémoire constante) : on ne garde que les rapprochements
(confiants ou douteux), les défauts et les incohérences ; les marchés sans demande sont comptés.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from guichet_cli.core.errors import UsageError
from guichet_cli.core.facts import amounts
from guichet_cli.core.model.case import Case
from guichet_cli.core.opendata import checks, decp, matcher, writer
from guichet_cli.core.workspace import Workspace

ACCEPTED_NOTE = "rapprochement accepté par une personne (--accept)"


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
    rejected: list[writer.Written] = field(default_factory=list)  # refus notés (--reject)
    schema: str | None = None  # schéma officiel utilisé, ou None (contrôle réduit)
    case_problems: int = 0

    @property
    def has_findings(self) -> bool:
        bad = {"rejete", "montant", "titulaire", "modification", "illisible"}
        return bool(self.inconsistencies) or any(d.kind in bad for d in self.defects)

    def total(self, key: str) -> int:
        return sum(f.counts[key] for f in self.files)


COUNT_KEYS = ("marches", "concessions", "ecartes", "montants_ignores", "filtres", "modifies", "confiants", "douteux", "sans_demande")


def registry_lookup(ws: Workspace) -> checks.StructureLookup:
    """Le registre des structures du dépôt (structures/, par le magasin), pour le contrôle des marchés réservés."""
    categories = ws.store.rules("donnees_ouvertes")["decp"].get("categories_structures") or {}
    return checks.structures_lookup(ws.store.structures, categories)


Pair = tuple[str, str]  # (identifiant DECP, identifiant de demande)


def parse_pair(value: str, option: str) -> Pair:
    """« DECP_ID=DEMANDE » d'une option --accept / --reject."""
    decp_id, sep, case_id = value.partition("=")
    if not sep or not decp_id.strip() or not case_id.strip():
        raise UsageError(f"{option} « {value} » : forme attendue IDENTIFIANT_DECP=DEMANDE",
                         f"par exemple {option} 2026NET01=GRCS-2026-P4Q5 (identifiants lus dans la liste des rapprochements douteux)")
    return decp_id.strip(), case_id.strip()


def _decisions(cases: list[Case], accept: list[Pair], reject: list[Pair]) -> tuple[dict[Pair, Case], dict[Pair, Case]]:
    """Demandes des décisions d'une personne, indexées par (identifiant DECP, SIRET de l'acheteur de la demande)."""
    by_id = {c.id: c for c in cases}
    both = set(accept) & set(reject)
    if both:
        d, c = sorted(both)[0]
        raise UsageError(f"le rapprochement {d}={c} est à la fois accepté et refusé", "garder --accept ou --reject, pas les deux")
    out: tuple[dict[Pair, Case], dict[Pair, Case]] = ({}, {})
    for pairs, option, table in ((accept, "--accept", out[0]), (reject, "--reject", out[1])):
        for decp_id, case_id in pairs:
            case = by_id.get(case_id)
            if case is None:
                raise UsageError(f"{option} {decp_id}={case_id} : demande « {case_id} » introuvable",
                                 "indiquer l'identifiant d'une demande (GRCS-AAAA-XXXX), tel qu'il apparaît dans les rapprochements douteux")
            key = (decp_id, case.donneur_ordre)
            if key in table and table[key].id != case.id:
                raise UsageError(f"{option} : le marché {decp_id} est donné pour deux demandes ({table[key].id}, {case.id})",
                                 "un marché publié se rapproche d'une seule demande")
            pub = case.execution.donnees_essentielles if case.execution else None
            if option == "--reject" and pub is not None and pub.id == decp_id:
                raise UsageError(f"--reject {decp_id}={case_id} : ce marché est déjà enregistré dans la demande "
                                 "(execution.donnees_essentielles)",
                                 f"si ce rapprochement était une erreur, corriger le bloc execution de {case.path.name} "
                                 "(guichet history pour retrouver le commit), puis relancer")
            if option == "--accept" and case.rejects(decp_id, case.donneur_ordre):
                raise UsageError(f"--accept {decp_id}={case_id} : ce rapprochement a été refusé auparavant",
                                 f"retirer le marché {decp_id} de rapprochements_refuses dans {case.path.name}, puis relancer")
            table[key] = case
    return out


def run(ws: Workspace, files: list[Path], *, schema: Path | None = None, buyer: str | None = None,
        since: dt.date | None = None, write: bool = False, no_commit: bool = False,
        lookup: checks.StructureLookup | None = None, today: dt.date | None = None,
        accept: list[Pair] | None = None, reject: list[Pair] | None = None) -> ImportReport:
    """`accept` : rapprochements décidés par une personne, écrits (et committés) comme les confiants ;
    `reject` : refusés, notés dans la demande pour ne plus être proposés. Une décision dont le marché
    n'est pas dans les fichiers lus est une erreur d'usage, levée avant toute écriture."""
    today = today or dt.date.today()
    rules = ws.store.rules("donnees_ouvertes")
    check = decp.schema_checker(schema) if schema else decp.builtin_check
    cases, problems = ws.store.load_cases()
    accepted_cases, rejected_cases = _decisions(cases, accept or [], reject or [])
    registry = ws.store.registry
    lookup = checks.chain(lookup, checks.holders_lookup(cases))
    match = matcher.Matcher(cases, rules["rapprochement"], rejected=[(d, c.id) for (d, _), c in rejected_cases.items()])
    report = ImportReport(schema=str(schema) if schema else None, case_problems=len(problems))
    confident: list[matcher.Match] = []
    accepted: list[matcher.Match] = []
    rejected_found: set[Pair] = set()
    for path in files:
        stats = FileStats(str(path))
        report.files.append(stats)
        for ev in decp.read(path, check, max_amount=amounts.plausible_range(ws)[1]):
            if isinstance(ev, decp.Defect):
                if buyer and ev.buyer and ev.buyer != buyer:
                    continue
                report.defects.append(ev)
                if ev.kind == "rejete":
                    stats.counts["marches"] += 1  # lu, puis écarté
                stats.counts[{"concession": "concessions", "rejete": "ecartes", "montant": "montants_ignores"}.get(ev.kind, "autres")] += 1
                continue
            stats.counts["marches"] += 1
            if ev.amendments:
                stats.counts["modifies"] += 1
            key = (ev.id, ev.buyer)
            if key in rejected_cases:
                rejected_found.add(key)
            if key in accepted_cases:
                case = accepted_cases.pop(key)
                cand = match.score(ev, case)
                accepted.append(matcher.Match(ev, matcher.CONFIDENT, [matcher.Candidate(
                    case, cand.score, (ACCEPTED_NOTE,) + cand.reasons, cand.lot, cand.recorded)], ACCEPTED_NOTE, accepted=True))
                stats.counts["confiants"] += 1
                continue
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
    missing = [f"--accept {d}={c.id}" for (d, _), c in accepted_cases.items()]
    missing += [f"--reject {d}={c.id}" for (d, b), c in rejected_cases.items() if (d, b) not in rejected_found]
    if missing:
        raise UsageError("marché absent des fichiers lus (rien n'a été écrit) : " + ", ".join(missing),
                         "vérifier l'identifiant DECP et la demande (même acheteur), et donner le fichier qui contient ce marché")
    # Plusieurs marchés publiés pour une même demande (lots publiés à part ?) : une personne tranche.
    # Un marché dont l'identifiant est déjà enregistré dans la demande (ou accepté) reste rapproché ; les autres
    # marchés rapprochés de cette demande attendent alors une personne.
    held = {m.best.case.id: m.record.id for m in confident + accepted if m.best and (m.best.recorded or m.accepted)}
    per_case = Counter(m.best.case.id for m in confident if m.best and not m.best.recorded)
    for m in confident:
        b = m.best
        if b and not b.recorded and (b.case.id in held or per_case[b.case.id] > 1):
            m.verdict = matcher.DOUBTFUL
            m.note = (f"la demande {b.case.id} porte déjà le marché {held[b.case.id]} (lot publié à part ?)" if b.case.id in held
                      else f"{per_case[b.case.id]} marchés publiés rapprochés de la même demande {b.case.id} (lots publiés à part ?)")
            _move(report, m)
        report.matches.append(m)
    report.matches += accepted
    report.matches.sort(key=lambda m: (m.verdict != matcher.CONFIDENT, m.record.source, m.record.index))
    for m in report.matches:
        best = m.best
        if best is None:
            continue
        if m.verdict == matcher.CONFIDENT:
            report.inconsistencies += checks.check_match(ws, m.record, best.case, best.lot, registry, lookup, rules["decp"], today)
            if write or m.accepted:
                report.written.append(writer.write_match(ws, m.record, best.case, best.lot, best.score, lookup=lookup,
                                                         today=today, no_commit=no_commit, accepted=m.accepted))
    for key, case in rejected_cases.items():
        report.rejected.append(writer.write_rejection(ws, key[0], key[1], case, today=today, no_commit=no_commit))
    return report


def _move(report: ImportReport, m: matcher.Match) -> None:
    for stats in report.files:
        if stats.source == m.record.source:
            stats.counts["confiants"] -= 1
            stats.counts["douteux"] += 1
