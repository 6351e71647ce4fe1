"""Mise en forme du compte rendu d'import DECP : texte (tableau récapitulatif), JSON, CSV."""

from __future__ import annotations

import json
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.opendata.decp import DecpRecord
from guichet_cli.core.opendata.importer import COUNT_KEYS, ImportReport
from guichet_cli.core.opendata.matcher import CONFIDENT

HEADERS = {"marches": "marchés lus", "concessions": "concessions (hors champ)", "ecartes": "écartés",
           "montants_ignores": "montants ignorés", "filtres": "hors filtre", "modifies": "modifiés", "confiants": "rapprochés",
           "douteux": "douteux", "sans_demande": "sans demande"}
KIND_LABELS = {"rejete": "enregistrement écarté", "montant": "montant invraisemblable", "titulaire": "titulaire illisible",
               "modification": "modification illisible",
               "concession": "concession hors champ", "illisible": "fichier illisible"}
INCONSISTENCY_LABELS = {"clause_non_publiee": "clause suivie mais non publiée",
                        "obligation_l2112_2_1": "obligation L2112-2-1 sans considération sociale",
                        "reserve_titulaire": "marché réservé, titulaire hors SIAE/EA"}


def text_lines(rep: ImportReport) -> list[str]:
    from tabulate import tabulate

    rows = [[f.source] + [f.counts[k] for k in COUNT_KEYS] for f in rep.files]
    if len(rep.files) > 1:
        rows.append(["total"] + [rep.total(k) for k in COUNT_KEYS])
    out = [tabulate(rows, headers=["fichier"] + [HEADERS[k] for k in COUNT_KEYS], tablefmt="simple"), ""]
    if rep.schema is None:
        out.append("Contrôle réduit aux champs utilisés par le guichet (schéma officiel DECP non indiqué : --schema).")
    confident = [m for m in rep.matches if m.verdict == CONFIDENT]
    doubtful = [m for m in rep.matches if m.verdict != CONFIDENT]
    if confident:
        out += ["", "Rapprochements confiants :"]
        for m in confident:
            b = m.best
            assert b is not None
            out.append(f"  {m.record.label} → {b.case.id} (score {b.score:.0f}/100)")
            out += [f"      · {r}" for r in b.reasons]
    if doubtful:
        out += ["", "Rapprochements douteux (à trancher par une personne) :"]
        for m in doubtful:
            out.append(f"  {m.record.label} — {m.record.objet[:80]}" + (f" — {m.note}" if m.note else ""))
            for c in m.candidates:
                out.append(f"    ? {c.case.id} (score {c.score:.0f}/100) : " + " ; ".join(c.reasons))
        first = doubtful[0]
        pair = f"{first.record.id}={first.best.case.id}" if first.best else "IDENTIFIANT_DECP=DEMANDE"
        out.append(f"  Pour trancher : relancer avec --accept {pair} (écrit le rapprochement) "
                   f"ou --reject {pair} (ne le propose plus).")
    amended = [m for m in rep.matches if m.record.amendments]
    if amended:
        out += ["", "Marchés modifiés (modifications DECP appliquées avant le rapprochement et l'écriture) :"]
        for m in amended:
            out.append(f"  {m.record.label} :")
            out += [f"      · {line}" for line in amendment_lines(m.record)]
    if rep.inconsistencies:
        out += ["", "Incohérences :"]
        out += [f"  [{INCONSISTENCY_LABELS[i.kind]}] {i.message}" + (f" ({i.regle})" if i.regle else "") for i in rep.inconsistencies]
    shown = rep.defects
    if shown:
        out += ["", "Défauts des fichiers :"]
        for d in shown:
            where = f"enregistrement {d.index}" if d.index else "fichier"
            rid = f" {d.record_id}" if d.record_id else ""
            out.append(f"  {d.source} ({where}{rid}) : [{KIND_LABELS[d.kind]}] {d.message}")
    if rep.written:
        out += ["", "Écritures (--write, --accept) :"]
        for w in rep.written:
            if w.skipped:
                out.append(f"  {w.case_id} : {w.skipped}")
                continue
            st = f" ; statut {w.status[0]} → {w.status[1]}" if w.status else ""
            sha = f" ; commit {w.sha[:10]}" if w.sha else ""
            out.append(f"  {w.case_id} : {', '.join(w.fields)}{st}{sha}")
    if rep.rejected:
        out += ["", "Rapprochements refusés (--reject) :"]
        for w in rep.rejected:
            sha = f" ; commit {w.sha[:10]}" if w.sha else ""
            out.append(f"  {w.case_id} : {w.skipped or 'noté dans rapprochements_refuses, ne sera plus proposé'}{sha}")
    if rep.case_problems:
        out += ["", fr.count(rep.case_problems, "demande illisible ignorée", "demandes illisibles ignorées", plain=True)
               + " : lancer « guichet validate »."]
    return out


def amendment_lines(rec: DecpRecord) -> list[str]:
    """Ce que chaque modification a changé, dans l'ordre appliqué, puis les valeurs retenues."""
    out = []
    for a in rec.amendments:
        what = []
        if a.montant is not None:
            what.append(f"montant {fr.money(a.montant)}")
        if a.duree_mois is not None:
            what.append(f"durée {a.duree_mois} mois")
        if a.holders:
            what.append("titulaires " + ", ".join(h.id for h in a.holders))
        num = f"modification {a.id}" if a.id is not None else "modification"
        when = f" du {fr.date_long(a.notified)}" if a.notified else ""
        out.append(f"{num}{when} : {', '.join(what) if what else 'sans changement de montant, de durée ni de titulaires'}")
    assert rec.initial is not None
    montant, duree, holders = rec.initial
    out.append(f"retenu : montant {_money(montant)} → {_money(rec.montant)} ; durée {duree or '—'} → {rec.duree_mois or '—'} mois ; "
               f"titulaires {', '.join(h.id for h in holders) or '—'} → {', '.join(h.id for h in rec.holders) or '—'}")
    return out


def _money(value: float | None) -> str:
    return fr.money(value) if value is not None else "—"


def _amendments_data(rec: DecpRecord) -> list[dict[str, Any]]:
    return [{"id": a.id, "notifiee_le": a.notified.isoformat() if a.notified else None, "montant": a.montant,
             "dureeMois": a.duree_mois, "titulaires": [h.id for h in a.holders]} for a in rec.amendments]


def to_data(rep: ImportReport) -> dict[str, Any]:
    def cand(c: Any) -> dict[str, Any]:
        return {"demande": c.case.id, "score": round(c.score, 1), "lot": c.lot, "motifs": list(c.reasons)}

    return {
        "schema": rep.schema,
        "fichiers": [{"fichier": f.source, **{k: f.counts[k] for k in COUNT_KEYS}} for f in rep.files],
        "rapprochements": [{"fichier": m.record.source, "enregistrement": m.record.index, "id": m.record.id,
                            "acheteur": m.record.buyer, "objet": m.record.objet, "verdict": m.verdict, "note": m.note,
                            "accepte": m.accepted, "montant_retenu": m.record.montant,
                            "modifications": _amendments_data(m.record),
                            "candidats": [cand(c) for c in m.candidates]} for m in rep.matches],
        "incoherences": [{"type": i.kind, "libelle": INCONSISTENCY_LABELS[i.kind], "id": i.record.id, "acheteur": i.record.buyer,
                          "demande": i.case_id, "message": i.message, "regle": i.regle} for i in rep.inconsistencies],
        "defauts": [{"fichier": d.source, "enregistrement": d.index, "id": d.record_id, "acheteur": d.buyer, "type": d.kind,
                     "libelle": KIND_LABELS[d.kind], "message": d.message} for d in rep.defects],
        "ecritures": [{"demande": w.case_id, "champs": list(w.fields), "statut": list(w.status) if w.status else None,
                       "commit": w.sha, "non_ecrit": w.skipped} for w in rep.written],
        "refus": [{"demande": w.case_id, "commit": w.sha, "non_ecrit": w.skipped} for w in rep.rejected],
    }


def to_json(rep: ImportReport) -> str:
    return json.dumps(to_data(rep), ensure_ascii=False, indent=2)


CSV_COLUMNS = ["Type", "Fichier", "Enregistrement", "Identifiant DECP", "Acheteur (SIRET)", "Demande", "Score", "Détail"]


def to_csv(rep: ImportReport) -> str:
    """Une ligne par fait : rapprochement, incohérence, défaut (format long, tableur), aux conventions
    françaises des tableurs (core/sheets.py : « ; », virgule décimale, UTF-8 avec BOM, formules neutralisées)."""
    from guichet_cli.core.sheets import french_csv_text

    rows: list[list[Any]] = [CSV_COLUMNS]
    for m in rep.matches:
        for c in m.candidates:
            rows.append([f"rapprochement {m.verdict}", m.record.source, m.record.index, m.record.id, m.record.buyer, c.case.id,
                         round(c.score, 1), " ; ".join(c.reasons)])
    for m in (m for m in rep.matches if m.record.amendments):
        for line in amendment_lines(m.record)[: len(m.record.amendments)]:
            rows.append(["modification appliquée", m.record.source, m.record.index, m.record.id, m.record.buyer,
                         m.best.case.id if m.best else "", "", line])
    for i in rep.inconsistencies:
        rows.append([f"incohérence : {INCONSISTENCY_LABELS[i.kind]}", i.record.source, i.record.index, i.record.id, i.record.buyer,
                     i.case_id or "", "", i.message])
    for d in rep.defects:
        rows.append([f"défaut : {KIND_LABELS[d.kind]}", d.source, d.index or "", d.record_id or "", d.buyer or "", "", "", d.message])
    return french_csv_text(rows)
