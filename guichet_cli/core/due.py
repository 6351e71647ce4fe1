"""`guichet due` : ce qui attend qui, et depuis quand (statuts, dates des dossiers et historique git).

Quatre attentes, d'après la charte :
- réponse du donneur d'ordre à une recommandation transmise, au-delà de `delai_reponse_jours` ;
- réunion de lancement avec le facilitateur après notification, au-delà de `delai_reunion_lancement_jours` ;
- bilan de l'année écoulée d'une clause en exécution (à partir du 1er janvier) ;
- décision « non suivie » ou « partiellement suivie » sans motif.
La date de départ est celle du dossier quand elle y est (analyse.transmise_le…), sinon celle du
passage au statut lue dans l'historique git (un seul `git log`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from guichet_cli.core import actors, gitrepo
from guichet_cli.core.facts import dates
from guichet_cli.core.facts.labels import field_label
from guichet_cli.core.followup.duties import compute as followup_duties
from guichet_cli.core.followup.duties import reported_in
from guichet_cli.core.history import SHALLOW_HINT, History, load_history
from guichet_cli.core.model.case import Case
from guichet_cli.core.workspace import Workspace

FIELD_PATH = re.compile(r"^[a-z_]+(\[\])?(\.[a-z_]+(\[\])?)+$")
_WAITING_STATUSES = {"recommandation_transmise", "decision_rendue", "marche_notifie", "en_execution"}
DEFAULT_RESPONSE_DAYS = 30
DEFAULT_KICKOFF_DAYS = 60


@dataclass
class DueItem:
    actor: str  # libellé de l'acteur attendu (donneur d'ordre, facilitateur, guichet)
    actor_id: str
    case_id: str
    path: str
    waiting_for: str
    since: str  # date ISO
    days: int
    source: str  # d'où vient la date : champ du dossier ou « historique git »
    waited_by: str = ""  # qui attend (suivi de l'exécution : guichet, facilitateur, donneur d'ordre)
    kind: str = ""  # clé de l'attente (relances : la même attente relancée monte d'un rang)
    source_label: str = ""  # la source en français (description du champ dans le schéma)

    @property
    def source_field(self) -> str | None:
        """Chemin du champ d'où vient la date (`execution.notifie_le`), None si elle vient d'ailleurs."""
        return self.source if FIELD_PATH.match(self.source) else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_json(self) -> dict[str, Any]:
        """Clés françaises, les mêmes que l'en-tête du CSV (plus le chemin du fichier)."""
        return {"acteur": self.actor, "identifiant_acteur": self.actor_id, "dossier": self.case_id, "chemin": self.path,
                "attente": self.waiting_for, "depuis": self.since, "jours": self.days,
                "source": self.source_label or self.source, "champ_source": self.source_field, "attendu_par": self.waited_by}


@dataclass
class DueReport:
    on: dt.date
    items: list[DueItem]
    warning: str | None = None
    git_processes: int = 0

    def by_actor(self) -> dict[str, list[DueItem]]:
        out: dict[str, list[DueItem]] = {}
        for it in sorted(self.items, key=lambda i: (i.actor, -i.days, i.case_id)):
            out.setdefault(it.actor, []).append(it)
        return out

    def to_csv(self) -> str:
        """Une ligne par attente, aux conventions françaises des tableurs (core/sheets.py) : « ; »,
        date jj/mm/aaaa, UTF-8 avec BOM ; en-têtes lisibles (les clés du JSON restent `--format json`)."""
        from guichet_cli.core.sheets import french_csv_text

        rows: list[list[Any]] = [CSV_COLUMNS]
        for i in sorted(self.items, key=lambda i: (i.actor, -i.days, i.case_id)):
            rows.append([i.actor, i.actor_id, i.case_id, i.waiting_for, dates.read(i.since) or i.since, i.days,
                         i.source_label or i.source, i.waited_by])
        return french_csv_text(rows)


CSV_COLUMNS = ["Acteur", "Identifiant de l'acteur", "Dossier", "Attente", "Depuis le", "Jours", "Source de la date", "Attendu par"]



def compute_due(ws: Workspace, on: dt.date | None = None, *, use_history: bool = True) -> DueReport:
    on = on or dt.date.today()
    reg = ws.store.registry
    # L'historique n'est lu que si un dossier n'a pas la date attendue (une seule fois, paresseusement).
    cache: dict[str, History | None] = {}

    def history() -> History | None:
        if "h" not in cache:
            repo = gitrepo.open_repo(ws.root) if use_history else None
            cache["h"] = load_history(ws, allow_shallow=True, repo=repo) if repo is not None and repo.has_commits() else None
        return cache["h"]
    response_days = int(ws.setting("delai_reponse_jours", DEFAULT_RESPONSE_DAYS))
    kickoff_days = int(ws.setting("delai_reunion_lancement_jours", DEFAULT_KICKOFF_DAYS))
    items: list[DueItem] = []

    def since_status(path: Path, status: str) -> tuple[dt.date | None, str]:
        hist = history()
        if hist is None:
            return None, ""
        ev = hist.status_since(ws.rel(path), status)
        return (dates.read(ev.date), "historique git") if ev else (None, "")

    def add(actor: tuple[str, str], case: Case, what: str, since: dt.date, source: str) -> None:
        if since > on:  # --on dans le passé : ce qui n'était pas encore arrivé n'attend pas
            return
        items.append(DueItem(actor[0], actor[1], case.id, ws.rel(case.path), what, since.isoformat(), (on - since).days, source))

    from guichet_cli.core.sourcing.followup import unanswered  # réseaux consultés sans réponse (issue 13)

    for case in ws.store.cases():
        for actor, what, since, source in unanswered(ws, case, reg, on):
            add(actor, case, what, since, source)
        if case.statut not in _WAITING_STATUSES:
            continue
        path, status = case.path, case.statut
        analyse, execution, decision = case.analyse, case.execution, case.decision
        if status == "recommandation_transmise":
            since, source = (analyse.transmise_le if analyse else None), "analyse.transmise_le"
            if since is None:
                since, source = since_status(path, status)
            if since and (on - since).days > response_days:
                add(actors.buyer(reg, case), case, f"réponse à la recommandation (délai de {response_days} jours dépassé)", since, source)
        if status in ("marche_notifie", "en_execution") and execution and execution.reunion_lancement is None:
            since, source = execution.notifie_le, "execution.notifie_le"
            if (on - since).days > kickoff_days:
                add(actors.facilitator(reg, case), case,
                    f"réunion de lancement avec le titulaire (délai de {kickoff_days} jours après notification dépassé)", since, source)
        if status == "en_execution" and case.has_insertion_clause and execution:
            last_year = on.year - 1
            if execution.notifie_le.year <= last_year and last_year not in case.result_years and not reported_in(case, last_year):
                add(actors.facilitator(reg, case), case, f"bilan {last_year} de la clause (résultats de l'année)",
                    dt.date(last_year + 1, 1, 1), "fin d'année")
        if decision and decision.suite in ("non_suivie", "partiellement_suivie") and not decision.motif:
            add(actors.buyer(reg, case), case, "motif de la décision (recommandation non suivie ou partiellement suivie)", decision.date, "decision.date")
    for case, duty in followup_duties(ws, on, ws.store.cases()):  # suivi de l'exécution (core/followup/duties.py)
        if duty.since <= on:
            items.append(DueItem(duty.actor[0], duty.actor[1], case.id, ws.rel(case.path), duty.what, duty.since.isoformat(),
                                 (on - duty.since).days, duty.source, duty.waited_by, duty.kind))
    for it in items:  # la source en français, lue une fois dans le schéma (core/facts/labels.py)
        it.source_label = field_label(ws, it.source_field) if it.source_field else it.source
    hist = cache.get("h")
    warning = hist.warning if hist else None
    if "h" not in cache and use_history:
        repo = gitrepo.open_repo(ws.root)
        if repo is not None and repo.has_commits() and repo.is_shallow():
            warning = "historique incomplet (clone superficiel) : " + SHALLOW_HINT
    return DueReport(on=on, items=items, warning=warning, git_processes=hist.git_processes if hist else 0)
