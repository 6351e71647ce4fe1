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

from guichet_cli.core import yamlio
from guichet_cli.core.audit import git_toplevel, has_commits
from guichet_cli.core.history import SHALLOW_HINT, History, is_shallow, load_history
from guichet_cli.core.lifecycle import get_field, has_field, recommended_dispositions
from guichet_cli.core.registry import Registry, load_registry
from guichet_cli.core.workspace import Workspace

_STATUS_RE = re.compile(rb"^statut:[ \t]*[\"']?([a-z_]+)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_json(self) -> dict[str, Any]:
        """Clés françaises, les mêmes que l'en-tête du CSV (plus le chemin du fichier)."""
        return {"acteur": self.actor, "identifiant_acteur": self.actor_id, "dossier": self.case_id, "chemin": self.path,
                "attente": self.waiting_for, "depuis": self.since, "jours": self.days, "source": self.source}


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


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _field_date(case: dict[str, Any], dotted: str) -> dt.date | None:
    return _date(get_field(case, dotted)) if has_field(case, dotted) else None


def _buyer(reg: Registry, case: dict[str, Any]) -> tuple[str, str]:
    siret = str(case.get("donneur_ordre", ""))
    name = (reg.buyers.get(siret) or {}).get("nom") or siret
    return f"donneur d'ordre : {name}", siret


def _facilitator(reg: Registry, case: dict[str, Any]) -> tuple[str, str]:
    routage = case.get("routage") or {}
    facs = routage.get("facilitateurs") or []
    if facs:
        return f"facilitateur : {facs[0]}", str(facs[0])
    lead = routage.get("chef_de_file") or ((routage.get("coordinations") or [None])[0])
    if lead:
        return f"coordination : {reg.partner_label(lead)}", str(lead)
    return "guichet : routage à faire", "guichet"


def _has_clause(case: dict[str, Any]) -> bool:
    retained = (case.get("decision") or {}).get("dispositions_retenues") or []
    return "clause_insertion" in retained or "clause_insertion" in recommended_dispositions(case)


def compute_due(ws: Workspace, on: dt.date | None = None, *, use_history: bool = True) -> DueReport:
    on = on or dt.date.today()
    reg = load_registry(ws)
    # L'historique n'est lu que si un dossier n'a pas la date attendue (une seule fois, paresseusement).
    cache: dict[str, History | None] = {}

    def history() -> History | None:
        if "h" not in cache:
            top = git_toplevel(ws.root) if use_history else None
            cache["h"] = load_history(ws, allow_shallow=True) if top is not None and has_commits(top) else None
        return cache["h"]
    response_days = int(ws.setting("delai_reponse_jours", DEFAULT_RESPONSE_DAYS))
    kickoff_days = int(ws.setting("delai_reunion_lancement_jours", DEFAULT_KICKOFF_DAYS))
    items: list[DueItem] = []

    def since_status(path: Path, status: str) -> tuple[dt.date | None, str]:
        hist = history()
        if hist is None:
            return None, ""
        ev = hist.status_since(ws.rel(path), status)
        return (_date(ev.date), "historique git") if ev else (None, "")

    def add(actor: tuple[str, str], case: dict[str, Any], path: Path, what: str, since: dt.date, source: str) -> None:
        if since > on:  # --on dans le passé : ce qui n'était pas encore arrivé n'attend pas
            return
        items.append(DueItem(actor[0], actor[1], str(case.get("id", path.stem)), ws.rel(path), what,
                             since.isoformat(), (on - since).days, source))

    for path in ws.case_files():
        # Tri rapide sur la ligne « statut: » : seuls les dossiers à un statut qui peut attendre
        # quelqu'un sont analysés (l'analyse YAML coûte ~2 ms par fichier, 20 s pour 10 000).
        m = _STATUS_RE.search(path.read_bytes())
        if m and m.group(1).decode() not in _WAITING_STATUSES:
            continue
        try:
            case = yamlio.load_fast(path)
        except yamlio.YamlProblem:
            continue  # signalé par guichet validate
        if not isinstance(case, dict):
            continue
        status = case.get("statut")
        if status == "recommandation_transmise":
            since, source = _field_date(case, "analyse.transmise_le"), "analyse.transmise_le"
            if since is None:
                since, source = since_status(path, status)
            if since and (on - since).days > response_days:
                add(_buyer(reg, case), case, path, f"réponse à la recommandation (délai de {response_days} jours dépassé)", since, source)
        if status in ("marche_notifie", "en_execution") and not has_field(case, "execution.reunion_lancement.date"):
            since, source = _field_date(case, "execution.notifie_le"), "execution.notifie_le"
            if since and (on - since).days > kickoff_days:
                add(_facilitator(reg, case), case, path,
                    f"réunion de lancement avec le titulaire (délai de {kickoff_days} jours après notification dépassé)", since, source)
        if status == "en_execution" and _has_clause(case):
            last_year = on.year - 1
            notified = _field_date(case, "execution.notifie_le")
            years = {r.get("annee") for r in case.get("resultats") or [] if isinstance(r, dict)}
            if notified and notified.year <= last_year and last_year not in years:
                add(_facilitator(reg, case), case, path, f"bilan {last_year} de la clause (résultats de l'année)",
                    dt.date(last_year + 1, 1, 1), "fin d'année")
        decision = case.get("decision") or {}
        if decision.get("suite") in ("non_suivie", "partiellement_suivie") and not decision.get("motif"):
            since = _date(decision.get("date")) or since_status(path, "decision_rendue")[0]
            if since:
                add(_buyer(reg, case), case, path, "motif de la recommandation non suivie (decision.motif)", since, "decision.date")
    hist = cache.get("h")
    warning = hist.warning if hist else None
    if "h" not in cache and use_history:
        top = git_toplevel(ws.root)
        if top is not None and has_commits(top) and is_shallow(top):
            warning = "historique incomplet (clone superficiel) : " + SHALLOW_HINT
    return DueReport(on=on, items=items, warning=warning, git_processes=hist.git_processes if hist else 0)
