"""`guichet migrate` : les anciens résultats annuels (resultats[]) repris en relevés annuels de suivi.

Pour chaque année de resultats[] qu'aucun relevé ne couvre encore, et si la demande n'a qu'un
titulaire (sinon les heures ne se répartissent pas sans le facilitateur) : un relevé « AAAA » avec
les heures par modalité (sans répartition par modalité, aucune n'est supposée : l'année est
signalée et laissée à compléter), les participants et leur répartition par public,
les contrats et les sorties. resultats[] est gardé : profil, entreprises inclusives et partie
qualitative y restent. Relancer la migration ne change rien.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.followup.importer import flow_entry
from guichet_cli.core.followup.yearly import statements_of
from guichet_cli.core.model.case import Case
from guichet_cli.core.workspace import Workspace


@dataclass
class Migration:
    planned: dict[Path, list[dict[str, Any]]] = field(default_factory=dict)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # (dossier, année, raison)
    changed: list[Path] = field(default_factory=list)
    sha: str | None = None


def _plain(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def plan(ws: Workspace) -> Migration:
    mig = Migration()
    for case in ws.store.cases():
        for res in case.resultats:
            if statements_of(case, res.annee):
                continue
            why = _cannot(case, res.heures_par_modalite, res.heures_realisees)
            if why:
                mig.skipped.append((case.id, res.annee, why))
                continue
            holder = case.execution.titulaires[0]  # type: ignore[union-attr]
            st: dict[str, Any] = {"titulaire": holder.siret}
            if len(holder.lots) == 1:
                st["lot"] = holder.lots[0]
            st["periode"] = str(res.annee)
            st["heures_par_modalite"] = {k: _plain(v) for k, v in res.heures_par_modalite.items()}
            st["participants"] = res.participants.total
            for key, values in (("participants_par_public", res.participants.par_public), ("contrats", res.contrats),
                                ("sorties_6_mois", res.sorties)):
                if values:
                    st[key] = {k: int(v) for k, v in values.items()}
            if res.transmis_le:
                st["transmis_le"] = res.transmis_le.isoformat()
            st["source"] = f"guichet migrate : resultats[{res.annee}]"
            mig.planned.setdefault(case.path, []).append(st)
    return mig


def _cannot(case: Case, by_modality: dict[str, Any], done: float) -> str | None:
    if case.execution is None or not case.execution.titulaires:
        return "pas de titulaire déclaré (execution.titulaires)"
    if len(case.execution.titulaires) > 1:
        return f"{len(case.execution.titulaires)} titulaires : répartir les heures par titulaire à la main (suivi.releves)"
    if len(case.execution.titulaires[0].lots) > 1:
        return "titulaire de plusieurs lots : répartir les heures par lot à la main (suivi.releves)"
    if abs(sum(by_modality.values()) - done) > 0.5:
        return "heures par modalité absentes ou différentes des heures réalisées : compléter heures_par_modalite"
    return None


def run(ws: Workspace, *, write_: bool, no_commit: bool = False) -> Migration:
    from guichet_cli.core import audit

    mig = plan(ws)
    if not write_ or not mig.planned:
        return mig
    audit.check_can_commit(ws, list(mig.planned), no_commit=no_commit)
    for path, statements in mig.planned.items():
        def mutate(data: Any, statements: list[dict[str, Any]] = statements) -> None:
            from guichet_cli.core import yamlio

            if not isinstance(data.get("suivi"), dict):
                data["suivi"] = yamlio.to_commented({})
            if not isinstance(data["suivi"].get("releves"), list):
                data["suivi"]["releves"] = yamlio.to_commented([])
            for st in statements:
                data["suivi"]["releves"].append(flow_entry(st))
        if ws.store.edit(path, mutate).changed:
            mig.changed.append(path)
    if mig.changed:
        ids = ", ".join(sorted(p.stem for p in mig.changed))
        mig.sha = audit.commit_changes(ws, mig.changed, case_id=ids, action="migration",
                                       subject=f"Migration des résultats annuels en relevés de suivi ({fr.count(len(mig.changed), 'demande', 'demandes', plain=True)})",
                                       no_commit=no_commit)
    return mig
