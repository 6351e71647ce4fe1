"""Rédactions d'un dossier : quelles pièces, dans quels fichiers, avec quels contrôles préalables.

Un dossier donne une pièce DOCX par disposition recommandée qui a un modèle, plus une lettre
d'accompagnement. Tout est rendu en mémoire avant la moindre écriture : un refus ou une erreur
de modèle ne laisse aucun fichier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core import yamlio
from guichet_cli.core.errors import DataError, EnvironmentProblem
from guichet_cli.core.facts import labels, legal_frame
from guichet_cli.core.findings import ERROR
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.render.context import build_context, reference_date, reference_datetime
from guichet_cli.core.render.docx import make_environment, render_docx
from guichet_cli.core.safety import os_problem
from guichet_cli.core.workspace import Workspace

LETTER = "lettre_accompagnement"


@dataclass
class Draft:
    disposition: str  # code de disposition, ou « lettre_accompagnement »
    template: Path
    filename: str
    data: bytes = b""


@dataclass
class CaseDrafts:
    case_id: str
    path: Path
    drafts: list[Draft] = field(default_factory=list)
    without_template: list[str] = field(default_factory=list)  # dispositions recommandées sans modèle


class Renderer:
    """Registres et règles du magasin (`ws.store`, lus une fois), environnement Jinja construit une
    fois ; rend ensuite autant de dossiers qu'il faut."""

    def __init__(self, ws: Workspace, registry: Registry | None = None) -> None:
        self.ws = ws
        self.registry = registry or ws.store.registry
        self.dispositions: dict[str, Any] = ws.store.rules("dispositions")["dispositions"]
        self.redaction: dict[str, Any] = ws.store.rules("redaction")
        self.env = make_environment()

    def template_path(self, disposition: str | None) -> Path | None:
        if disposition is None:
            return self.ws.templates_dir / self.redaction["lettre_accompagnement"]
        entry = (self.redaction.get("modeles") or {}).get(disposition)
        return self.ws.templates_dir / entry["fichier"] if entry else None

    def load_case(self, path: Path) -> Case:
        """Le dossier typé, s'il est valide (schéma et contrôles métier) ; sinon DataError qui nomme
        fichier, ligne, colonne et champ de chaque erreur (rien n'est rendu)."""
        errors = [f for f in self.ws.store.check(path) if f.severity == ERROR]
        if errors:
            rel = self.ws.rel(path)
            first = "; ".join(
                f"ligne {f.line or 1}, colonne {f.column or 1}" + (f", champ {f.json_path.removeprefix('$.')}" if f.pointer else "")
                + f" : {f.message}"
                for f in errors[:3]
            )
            more = f" (et {fr.count(len(errors) - 3, 'autre', 'autres', plain=True)})" if len(errors) > 3 else ""
            fix = f"{errors[0].hint} ; " if len(errors) == 1 and errors[0].hint else ""
            raise DataError(
                f"{rel} n'est pas valide, rédaction refusée : {first}{more}",
                f"{fix}corriger le dossier, puis vérifier avec « guichet validate {rel} »",
            )
        return self.ws.store.case(path)

    def plan(self, path: Path, case: Case) -> CaseDrafts:
        """Pièces à produire pour un dossier valide, ou DataError disant quoi compléter."""
        rel = self.ws.rel(path)
        if not case.recommendations:
            raise DataError(
                f"{rel} : aucune recommandation enregistrée (analyse.recommandation), rien à rédiger",
                "compléter analyse.recommandation (disposition, lots, base_legale, justification) après l'analyse du dossier",
            )
        date = reference_date(case)
        out = CaseDrafts(case_id=case.id, path=path)
        for rec in case.ranked_recommendations:
            code = rec.disposition
            if code == "aucune":
                continue
            template = self.template_path(code)
            if template is None:
                out.without_template.append(code)
                continue
            entry = self.redaction["modeles"][code]
            if entry.get("exige_calibrage") and case.calibration is None:
                raise DataError(
                    f"{rel} : la disposition « {code} » demande un calibrage (analyse.calibrage.heures) qui n'est pas enregistré",
                    "calibrer la clause avec le facilitateur et renseigner analyse.calibrage (heures, montant retenu, taux…)",
                )
            out.drafts.append(Draft(code, template, f"{out.case_id}_{code}_{date}.docx"))
        letter = self.template_path(None)
        assert letter is not None
        out.drafts.append(Draft(LETTER, letter, f"{out.case_id}_{LETTER}_{date}.docx"))
        return out

    def render_case(self, path: Path) -> CaseDrafts:
        """Rend toutes les pièces d'un dossier en mémoire (aucune écriture)."""
        case = self.load_case(path)
        plan = self.plan(path, case)
        stamp = reference_datetime(case)
        author = str(self.ws.setting("guichet", "Guichet Régional des Clauses Sociales"))
        for draft in plan.drafts:
            code = None if draft.disposition == LETTER else draft.disposition
            context = build_context(case, self.registry, self.dispositions, self.redaction, self.ws.config, code,
                                    labels.of(self.ws), legal_frame.for_case(self.ws, case, self.registry))
            label = "Lettre d'accompagnement" if code is None else context["disposition"]["libelle"]
            draft.data = render_docx(
                draft.template,
                context,
                self.env,
                stamp=stamp,
                title=f"{plan.case_id} – {label}",
                author=author,
                subject=context["marche"]["objet"],
                footer=f"{label} – dossier {plan.case_id}",
            )
        return plan


def write_drafts(plan: CaseDrafts, out_dir: Path) -> list[Path]:
    """Écrit les pièces déjà rendues, chacune atomiquement."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(f"impossible de créer le dossier de sortie {out_dir} : {os_problem(exc)}") from None
    written = []
    for draft in plan.drafts:
        target = out_dir / draft.filename
        yamlio.atomic_write_bytes(target, draft.data)
        written.append(target)
    return written
