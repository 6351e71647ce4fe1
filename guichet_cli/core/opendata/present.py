"""Mise en forme du compte rendu d'import DECP : texte (tableau récapitulatif), JSON, CSV."""

from __future__ import annotations

import json
from typing import Any

from guichet_cli.core.opendata.importer import COUNT_KEYS, ImportReport
from guichet_cli.core.opendata.matcher import CONFIDENT

HEADERS = {"marches": "marchés lus", "concessions": "concessions (hors champ)", "ecartes": "écartés",
           "montants_ignores": "montants ignorés", "filtres": "hors filtre", "confiants": "rapprochés",
           "douteux": "douteux", "sans_demande": "sans demande"}
KIND_LABELS = {"rejete": "enregistrement écarté", "montant": "montant invraisemblable", "titulaire": "titulaire illisible",
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
        out += ["", "Écritures (--write) :"]
        for w in rep.written:
            if w.skipped:
                out.append(f"  {w.case_id} : {w.skipped}")
                continue
            st = f" ; statut {w.status[0]} → {w.status[1]}" if w.status else ""
            sha = f" ; commit {w.sha[:10]}" if w.sha else ""
            out.append(f"  {w.case_id} : {', '.join(w.fields)}{st}{sha}")
    if rep.case_problems:
        out += ["", f"{rep.case_problems} demande(s) illisible(s) ignorée(s) : lancer « guichet validate »."]
    return out


def to_data(rep: ImportReport) -> dict[str, Any]:
    def cand(c: Any) -> dict[str, Any]:
        return {"demande": c.case.id, "score": round(c.score, 1), "lot": c.lot, "motifs": list(c.reasons)}

    return {
        "schema": rep.schema,
        "fichiers": [{"fichier": f.source, **{k: f.counts[k] for k in COUNT_KEYS}} for f in rep.files],
        "rapprochements": [{"fichier": m.record.source, "enregistrement": m.record.index, "id": m.record.id,
                            "acheteur": m.record.buyer, "objet": m.record.objet, "verdict": m.verdict, "note": m.note,
                            "candidats": [cand(c) for c in m.candidates]} for m in rep.matches],
        "incoherences": [{"type": i.kind, "libelle": INCONSISTENCY_LABELS[i.kind], "id": i.record.id, "acheteur": i.record.buyer,
                          "demande": i.case_id, "message": i.message, "regle": i.regle} for i in rep.inconsistencies],
        "defauts": [{"fichier": d.source, "enregistrement": d.index, "id": d.record_id, "acheteur": d.buyer, "type": d.kind,
                     "libelle": KIND_LABELS[d.kind], "message": d.message} for d in rep.defects],
        "ecritures": [{"demande": w.case_id, "champs": list(w.fields), "statut": list(w.status) if w.status else None,
                       "commit": w.sha, "non_ecrit": w.skipped} for w in rep.written],
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
    for i in rep.inconsistencies:
        rows.append([f"incohérence : {INCONSISTENCY_LABELS[i.kind]}", i.record.source, i.record.index, i.record.id, i.record.buyer,
                     i.case_id or "", "", i.message])
    for d in rep.defects:
        rows.append([f"défaut : {KIND_LABELS[d.kind]}", d.source, d.index or "", d.record_id or "", d.buyer or "", "", "", d.message])
    return french_csv_text(rows)
