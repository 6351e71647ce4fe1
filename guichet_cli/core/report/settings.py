"""Paramètres du bilan lus dans les données : règles (rules/), réglages du dépôt (guichet.yaml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from guichet_cli.core.errors import GuichetError
from guichet_cli.core.facts import dates, labels, sectors
from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace


@dataclass(frozen=True)
class ReportSettings:
    etp_hours: float
    etp_source: str
    secrecy_threshold: int
    top_buyers: int
    labels: dict[str, dict[str, str]]
    dispositions: dict[str, dict[str, Any]]
    thresholds: dict[str, Any] | None  # rules/seuils.yaml, s'il existe
    obligation_date: dt.date | None  # rules/obligation_sociale.yaml date_application
    sectors: dict[str, dict[str, Any]]  # table de rules/secteurs.yaml ({} si le fichier manque)
    response_days: int | None
    # (CPV principal, nature) → libellé du secteur : la même table et la même règle que l'analyse
    sector_label: Callable[[str, str | None], str] = lambda cpv, nature: "non renseigné"
    followup: Any = None
    disposition_years: int = 3  # années du graphique des dispositions (rules/bilan.yaml annees_dispositions)  # conversion des relevés de suivi (core/followup/figures.Conversion), si rules/suivi.yaml existe

    def label(self, table: str, code: str) -> str:
        return self.labels.get(table, {}).get(code, code)


def _optional(ws: Workspace, name: str) -> dict[str, Any] | None:
    try:
        return load_rules(ws, name)
    except GuichetError:
        return None


def load_settings(ws: Workspace) -> ReportSettings:
    bilan = load_rules(ws, "bilan")
    calib = _optional(ws, "calibrage") or {}
    etp = calib.get("etp") if isinstance(calib.get("etp"), dict) else {}
    if etp.get("heures"):
        etp_hours, etp_source = float(etp["heures"]), "rules/calibrage.yaml#etp.heures"
    else:
        etp_hours, etp_source = float(bilan["etp_heures"]), "rules/bilan.yaml#etp_heures"
    oblig = _optional(ws, "obligation_sociale") or {}
    odate = oblig.get("date_application")
    table = (_optional(ws, "secteurs") or {}).get("secteurs") or {}
    dispositions = load_rules(ws, "dispositions").get("dispositions") or {}
    names = labels.of(ws)
    tables = {k: v for k, v in bilan.items() if isinstance(v, dict)}
    # statuts et dispositions : listes partagées de schemas/defs.schema.json (facts/labels.py)
    tables["statuts"] = names.table("statut")
    tables["dispositions"] = names.table("disposition")
    tables["departements"] = names.table("departement")
    return ReportSettings(
        etp_hours=etp_hours,
        etp_source=etp_source,
        secrecy_threshold=int(ws.setting("secret_statistique_seuil", bilan.get("secret_statistique_seuil_defaut", 3))),
        top_buyers=int(bilan.get("principaux_donneurs", 10)),
        labels=tables,
        dispositions=dispositions,
        thresholds=_optional(ws, "seuils"),
        obligation_date=dates.parse_iso(odate) if odate else None,
        sectors={str(k): v for k, v in table.items() if isinstance(v, dict)},
        response_days=ws.setting("delai_reponse_jours", None),
        sector_label=(lambda cpv, nature: sectors.sector_for(ws, cpv, nature).label) if table else (lambda cpv, nature: "non renseigné"),
        followup=_followup(ws),
        disposition_years=int(bilan.get("annees_dispositions", 3)),
    )


def _followup(ws: Workspace) -> Any:
    from guichet_cli.core.followup.figures import conversion

    rules = _optional(ws, "suivi")
    return conversion(rules) if rules else None
