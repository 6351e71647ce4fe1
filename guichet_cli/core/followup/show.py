"""`guichet followup show` : tableau par lot et titulaire (dû, réalisé, reste, rythme, prévision, pénalités)."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core import sheets
from guichet_cli.core.analysis.screen import neutralise
from guichet_cli.core.followup import figures as F
from guichet_cli.core.model.case import Case
from guichet_cli.core.workspace import Workspace

COLUMNS = [("lot", "Lot"), ("titulaire", "SIRET titulaire"), ("nom", "Titulaire"), ("due", "Heures dues"),
           ("done", "Heures réalisées"), ("remaining", "Heures restantes"), ("rate", "Taux de réalisation"),
           ("elapsed", "Part de la période écoulée"), ("pace", "Rythme"), ("forecast_rate", "Taux prévu en fin de marché"),
           ("at_stake", "Pénalités en jeu"), ("debut", "Début"), ("fin", "Fin")]


@dataclass
class Shown:
    case: Case
    on: dt.date
    figures: list[F.Figures]
    penalties: list[F.Penalty]
    modality_labels: dict[str, str]
    decision_labels: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"dossier": self.case.id, "au": self.on.isoformat(), "lignes": [f.as_json() for f in self.figures],
                "penalites": [p.as_json() for p in self.penalties],
                "total": {"heures_dues": round(sum(f.due for f in self.figures), 2),
                          "heures_realisees": round(sum(f.done for f in self.figures), 2)}}


def build(ws: Workspace, case: Case, on: dt.date) -> Shown:
    rules = ws.store.rules("suivi")
    conv = F.conversion(rules)
    figs = F.figures(case, conv, on)
    modalities = dict(ws.store.rules("bilan").get("modalites") or {})
    return Shown(case, on, figs, F.penalties(case, conv, figs), modalities, dict(rules.get("decisions") or {}))


def _cell(key: str, f: F.Figures) -> str:
    v = getattr(f, key)
    if v is None:
        return "—"
    if key == "lot":
        return str(v) if v else "—"
    if key in ("due", "done", "remaining"):
        return fr.n(v, 1 if not float(v).is_integer() else 0)
    if key in ("rate", "elapsed", "pace", "forecast_rate"):
        return fr.pct(v)
    if key == "at_stake":
        return fr.eur(round(v, 2))
    if key in ("debut", "fin"):
        return v.strftime("%d/%m/%Y")
    return str(v)


def to_table(s: Shown) -> str:
    from tabulate import tabulate

    keys = ["lot", "nom", "due", "done", "remaining", "rate", "elapsed", "pace", "forecast_rate", "at_stake"]
    labels = {**dict(COLUMNS), "due": "Dues (h)", "done": "Réalisées (h)", "remaining": "Restantes (h)", "rate": "Réalisation",
              "elapsed": "Temps écoulé", "forecast_rate": "Prévu en fin", "at_stake": "Pénalités en jeu"}
    rows = [[_cell(k, f) for k in keys] for f in s.figures]
    out = [f"Suivi de {s.case.id} au {s.on:%d/%m/%Y} (rythme : heures réalisées ÷ heures attendues à la fin de la "
           "dernière période relevée ; prévu en fin : ce rythme prolongé)", "",
           tabulate(rows, headers=[labels[k] for k in keys], tablefmt="simple", disable_numparse=True,
                    colalign=["left", "left"] + ["right"] * (len(keys) - 2)) if rows else "aucun titulaire à suivre (execution.titulaires vide)"]
    for f in s.figures:
        detail = [f"{s.modality_labels.get(k, k)} {fr.n(v)} h" for k, v in f.by_modality.items() if v]
        out.append(f"\nLot {f.lot or '—'}, {f.nom} ({f.titulaire}) : du {f.debut:%d/%m/%Y} au {f.fin:%d/%m/%Y} ; heures dues : {f.source}")
        if detail:
            out.append("  par modalité : " + ", ".join(detail))
        out += [f"  {n}" for n in f.notes]
    if s.penalties:
        out.append("\nPénalités :")
        for p in s.penalties:
            amount = fr.eur(round(p.amount, 2)) if p.amount is not None else "taux non renseigné (suivi.engagements.taux_penalite_heure)"
            out.append(f"  {p.date:%d/%m/%Y} lot {p.lot or '—'}, {p.nom} : {fr.n(p.missing)} h manquantes × "
                       f"{fr.eur(p.rate) if p.rate is not None else '?'} = {amount} — {s.decision_labels.get(p.decision, p.decision)}")
    return "\n".join(out) + "\n"


def _value(key: str, f: F.Figures) -> Any:
    """Valeur brute d'une cellule de tableur : date comme date, nombre arrondi à 4 décimales."""
    v = getattr(f, key)
    return round(v, 4) if isinstance(v, float) else v


def to_csv(s: Shown) -> str:
    """CSV aux conventions françaises (core/sheets.py : « ; », virgule décimale, dates jj/mm/aaaa, BOM)."""
    rows: list[list[Any]] = [["Dossier"] + [label for _, label in COLUMNS]]
    rows += [[s.case.id] + [_value(k, f) for k, _ in COLUMNS] for f in s.figures]
    return sheets.french_csv_text(rows)


def to_xlsx(s: Shown) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = "Suivi"
    sheet.append(["Dossier"] + [label for _, label in COLUMNS])
    for f in s.figures:
        sheet.append([s.case.id] + [neutralise(_value(k, f)) for k, _ in COLUMNS])
    pen = wb.create_sheet("Pénalités")
    pen.append(["Date", "Lot", "SIRET titulaire", "Titulaire", "Heures manquantes", "Taux par heure", "Montant", "Décision"])
    for p in s.penalties:
        pen.append([p.date, p.lot or None, p.titulaire, neutralise(p.nom), round(p.missing, 2), p.rate,
                    None if p.amount is None else round(p.amount, 2), s.decision_labels.get(p.decision, p.decision)])
    for ws_ in wb.worksheets:
        sheets.finish_sheet(ws_)  # en-tête figé, largeurs, dates typées (jj/mm/aaaa)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(s: Shown, fmt: str) -> str | bytes:
    if fmt == "json":
        return json.dumps(s.as_json(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return to_csv(s)
    if fmt == "xlsx":
        return to_xlsx(s)
    return to_table(s)
