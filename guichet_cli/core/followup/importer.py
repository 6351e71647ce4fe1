"""`guichet followup import` : relevés des facilitateurs (CSV, XLSX) rapprochés des demandes.

Lecture commune avec le criblage (core/analysis/plan.py : CSV ou XLSX, séparateur deviné, UTF-8 ou
Windows-1252, en-têtes normalisés) et nombres à la française (facts/amounts.py). Chaque ligne est
rapprochée d'une demande par son identifiant, ou par SIRET de l'acheteur + SIRET du titulaire +
référence du marché (suivi.reference_marche) ; une ligne non rapprochée ou illisible est rendue
avec son numéro et n'arrête pas les autres. Un relevé par titulaire, lot et période : réimporter le
même fichier ne change rien.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stdnum.fr import siret as stdnum_siret

from guichet_cli.core import frformat as fr
from guichet_cli.core import yamlio
from guichet_cli.core.analysis.plan import norm, read_rows
from guichet_cli.core.errors import DataError
from guichet_cli.core.facts import amounts, dates, periods
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.followup import NO_LOT
from guichet_cli.core.workspace import Workspace

MODALITIES = ("embauche_directe", "mise_a_disposition", "sous_traitance_co_traitance", "formation")
# champ → variantes d'en-tête normalisées (docs/suivi.md donne la liste, dont les exports usuels des facilitateurs)
HEADERS: dict[str, list[str]] = {
    "dossier": ["dossier", "id dossier", "identifiant dossier", "n dossier", "numero dossier", "demande", "reference guichet",
                "id guichet", "identifiant guichet"],
    "siret_acheteur": ["siret acheteur", "siret donneur d ordre", "siret du donneur d ordre", "siret maitre d ouvrage",
                       "siret mo", "siret de l acheteur", "siret maitre d ouvrage donneur d ordre", "siret client"],
    "siret_titulaire": ["siret titulaire", "siret entreprise", "siret attributaire", "siret de l entreprise", "siret du titulaire",
                        "siret entreprise attributaire", "siret"],
    "reference": ["reference marche", "reference du marche", "n marche", "n de marche", "numero marche", "numero du marche",
                  "ref marche", "marche", "n operation", "reference operation"],
    "lot": ["lot", "n lot", "n de lot", "numero lot", "numero de lot"],
    "periode": ["periode", "mois", "trimestre", "annee", "periode de realisation", "periode du releve", "periode declaree"],
    "modalite": ["modalite", "modalite de realisation", "modalite de mise en oeuvre", "type de modalite"],
    "heures": ["heures", "heures realisees", "nombre d heures", "nombre d heures realisees", "nb heures realisees", "nb heures",
               "volume horaire", "heures d insertion realisees"],
    "chiffre_affaires": ["chiffre d affaires", "chiffre d affaires sous traite", "ca sous traite", "montant sous traite",
                         "chiffre d affaires sous traitance co traitance", "ca sous traitance", "montant confie"],
    "nb_participants": ["participants", "nombre de participants", "nouveaux participants", "nb participants", "personnes",
                     "nombre de personnes"],
    "transmis_par": ["transmis par", "facilitateur", "saisi par", "auteur", "declare par"],
    "transmis_le": ["transmis le", "date de transmission", "date de saisie", "date du releve", "date de declaration"],
}
_MODALITY_WORDS = {
    "embauche_directe": ["embauche directe", "embauche", "recrutement direct", "embauche directe par le titulaire"],
    "mise_a_disposition": ["mise a disposition", "mad", "interim d insertion", "interim", "mise a disposition etti ai geiq"],
    "sous_traitance_co_traitance": ["sous traitance co traitance", "sous traitance", "co traitance", "cotraitance",
                                    "sous traitance siae", "co traitance siae"],
    "formation": ["formation", "heures de formation"],
}
_PREFIXES = {"participants_par_public": ("participants ", "public "), "contrats": ("contrats ", "contrat "),
             "sorties_6_mois": ("sorties a 6 mois ", "sorties 6 mois ", "sorties ", "sortie ")}


@dataclass
class Problem:
    file: str
    row: int
    problems: list[str]


@dataclass
class ImportResult:
    files: list[str]
    lines: int = 0
    matched: int = 0
    problems: list[Problem] = field(default_factory=list)
    statements: dict[Path, dict[tuple[str, int, str], dict[str, Any]]] = field(default_factory=dict)
    case_ids: dict[Path, str] = field(default_factory=dict)
    changed: list[Path] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    sha: str | None = None

    def summary(self) -> list[tuple[str, Any]]:
        return [("Fichiers lus", ", ".join(self.files)), ("Lignes lues", self.lines), ("Lignes rapprochées", self.matched),
                ("Lignes refusées", len(self.problems)),
                ("Relevés", sum(len(v) for v in self.statements.values())),
                ("Demandes concernées", len(self.statements)), ("Relevés nouveaux", self.added),
                ("Relevés modifiés", self.updated), ("Relevés inchangés", self.unchanged)]


def _columns(header: list[Any], labels: dict[str, dict[str, str]]) -> dict[int, tuple[str, str | None]]:
    """Colonne → (champ, clé) ; clé : modalité, public, type de contrat ou de sortie."""
    out: dict[int, tuple[str, str | None]] = {}
    taken: set[str] = set()
    for i, raw in enumerate(header):
        h = norm(raw)
        if not h:
            continue
        for fieldname, variants in HEADERS.items():
            if fieldname not in taken and h in variants:
                out[i] = (fieldname, None)
                taken.add(fieldname)
                break
        if i in out:
            continue
        if h.startswith(("heures ", "nombre d heures ", "nb heures ")):
            mod = _modality(h.split(" ", 1)[1] if not h.startswith(("nombre d heures ", "nb heures ")) else h.split("heures ", 1)[1])
            if mod:
                out[i] = ("heures_mod", mod)
                continue
        if h.startswith(("chiffre d affaires ", "ca ")) and "sous" in h or "co traitance" in h and h.startswith(("chiffre", "ca ")):
            out[i] = ("chiffre_affaires", None)
            continue
        for fieldname, prefixes in _PREFIXES.items():
            for p in prefixes:
                if h.startswith(p):
                    code = _code(h[len(p):], labels[fieldname])
                    if code:
                        out[i] = (fieldname, code)
                    break
            if i in out:
                break
    return out


def _modality(text: str) -> str | None:
    t = norm(text)
    for code, words in _MODALITY_WORDS.items():
        if t == code.replace("_", " ") or t in words:
            return code
    for code, words in _MODALITY_WORDS.items():  # « sous-traitance avec une SIAE » → commence par un mot connu
        if any(t.startswith(w + " ") for w in words):
            return code
    return None


def _code(text: str, table: dict[str, str]) -> str | None:
    """« RSA », « rsa », « allocataires du RSA », « emploi durable » → code de la liste."""
    t = norm(text)
    for code, label in table.items():
        if t in (norm(code), norm(code.replace("_", " ")), norm(label)):
            return code
    return None


def _hours(value: Any) -> float:
    v = amounts.parse_amount(value)
    return int(v) if float(v).is_integer() else round(float(v), 2)


def _count(value: Any) -> int:
    v = amounts.parse_amount(value)
    if not float(v).is_integer():
        raise ValueError("effectif non entier")
    return int(v)


class _Index:
    """Demandes indexées une fois : par identifiant, et par (SIRET acheteur, référence du marché)."""

    def __init__(self, cases: list[Case]) -> None:
        self.by_id = {c.id: c for c in cases}
        self.by_ref: dict[tuple[str, str], list[Case]] = {}
        for c in cases:
            if c.suivi and c.suivi.reference_marche:
                self.by_ref.setdefault((c.donneur_ordre, _ref(c.suivi.reference_marche)), []).append(c)


def _ref(text: Any) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(text).upper())


def _siret(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value)).zfill(14)
    s = re.sub(r"[\s.\u00a0]", "", str(value))
    if not re.fullmatch(r"\d{14}", s):
        raise ValueError("14 chiffres attendus")
    if not stdnum_siret.is_valid(s):
        raise ValueError("clé de contrôle fausse")
    return s


def _match(idx: _Index, cells: dict[str, Any], problems: list[str]) -> tuple[Case, str, int] | None:
    holder = None
    raw_holder = cells.get("siret_titulaire")
    if raw_holder in (None, ""):
        problems.append("SIRET du titulaire manquant")
    else:
        try:
            holder = _siret(raw_holder)
        except ValueError as exc:
            problems.append(f"SIRET du titulaire illisible : « {str(raw_holder)[:20]} » ({exc})")
    case = None
    if cells.get("dossier") not in (None, ""):
        cid = str(cells["dossier"]).strip().upper()
        case = idx.by_id.get(cid)
        if case is None:
            problems.append(f"dossier « {cid} » inconnu")
    else:
        buyer_raw, ref = cells.get("siret_acheteur"), cells.get("reference")
        if buyer_raw in (None, "") or ref in (None, ""):
            problems.append("ni identifiant de dossier, ni SIRET de l'acheteur et référence du marché : ligne impossible à rapprocher")
        else:
            try:
                buyer = _siret(buyer_raw)
            except ValueError as exc:
                problems.append(f"SIRET de l'acheteur illisible : « {str(buyer_raw)[:20]} » ({exc})")
                return None
            found = idx.by_ref.get((buyer, _ref(ref)), [])
            if holder:
                found = [c for c in found if c.execution and any(t.siret == holder for t in c.execution.titulaires)] or found
            if not found:
                problems.append(f"aucune demande de l'acheteur {buyer} avec la référence de marché « {ref} »")
            elif len(found) > 1:
                problems.append(f"plusieurs demandes pour la référence « {ref} » : {', '.join(c.id for c in found)} (indiquer le dossier)")
            else:
                case = found[0]
    if case is None or holder is None:
        return None
    titulaires = {t.siret: t for t in case.execution.titulaires} if case.execution else {}
    if holder not in titulaires:
        problems.append(f"le titulaire {holder} n'est pas déclaré dans {case.id} (execution.titulaires)")
        return None
    lots = titulaires[holder].lots
    raw_lot = cells.get("lot")
    if raw_lot not in (None, ""):
        m = re.search(r"\d+", str(raw_lot))
        lot = int(m.group()) if m else -1
        if lot < 1 or (lots and lot not in lots) or (not lots and case.marche.lots and case.marche.lot(lot) is None):
            problems.append(f"lot « {raw_lot} » : pas un lot de ce titulaire dans {case.id}")
            return None
    elif len(lots) > 1:
        problems.append(f"lot à préciser : le titulaire a les lots {', '.join(map(str, lots))} dans {case.id}")
        return None
    else:
        lot = lots[0] if lots else NO_LOT
    return case, holder, lot


def read_file(ws: Workspace, path: Path, idx: _Index, result: ImportResult, labels: dict[str, dict[str, str]]) -> None:
    rows = list(read_rows(path))  # en-tête cherché sur les 20 premières lignes, puis toutes
    header_idx = next((i for i, r in enumerate(rows[:20])
                       if {"periode"} <= {f for f, _ in _columns(list(r), labels).values()}), None)
    if header_idx is None:
        raise DataError(f"{path.name} : ligne d'en-tête introuvable (colonne « Période » attendue)",
                        "nommer les colonnes par exemple « Dossier ; SIRET titulaire ; Lot ; Période ; Heures embauche directe ; … » (docs/suivi.md)")
    cols = _columns(list(rows[header_idx]), labels)
    names = {f for f, _ in cols.values()}
    if "siret_titulaire" not in names or not ({"dossier"} <= names or {"siret_acheteur", "reference"} <= names):
        raise DataError(f"{path.name} : colonnes de rapprochement absentes",
                        "il faut « SIRET titulaire » et soit « Dossier », soit « SIRET acheteur » et « Référence marché » (docs/suivi.md)")
    if not names & {"heures", "heures_mod", "chiffre_affaires", "nb_participants", "participants_par_public", "contrats", "sorties_6_mois"}:
        raise DataError(f"{path.name} : aucune colonne d'heures ni d'effectifs reconnue",
                        "colonnes « Heures embauche directe », « Modalité » + « Heures », « Participants RSA »… (docs/suivi.md)")
    for rownum, row in enumerate(rows[header_idx + 1:], start=header_idx + 2):
        cells: dict[str, Any] = {}
        keyed: list[tuple[str, str, Any]] = []
        for i, (fieldname, key) in cols.items():
            value = row[i] if i < len(row) else None
            if isinstance(value, str):
                value = value.strip()
            if key is None:
                cells[fieldname] = value
            elif value not in (None, ""):
                keyed.append((fieldname, key, value))
        if all(v in (None, "") for v in cells.values()) and not keyed:
            continue
        result.lines += 1
        problems: list[str] = []
        target = _match(idx, cells, problems)
        st: dict[str, Any] = {}
        period = None
        if cells.get("periode") in (None, ""):
            problems.append("période manquante")
        else:
            try:
                period = periods.parse(cells["periode"])
            except (ValueError, dates.DateError) as exc:
                problems.append(f"période illisible : {exc}")
        hours: dict[str, float] = {}
        turnover: dict[str, float] = {}
        counters: dict[str, dict[str, int]] = {}
        if cells.get("heures") not in (None, ""):
            mod = _modality(cells.get("modalite") or "")
            if mod is None:
                problems.append(f"modalité « {cells.get('modalite') or ''} » inconnue (embauche directe, mise à disposition, "
                                "sous-traitance ou co-traitance, formation)")
            elif (v := _num(problems, "heures", cells["heures"], _hours)) is not None:
                hours[mod] = v
        if cells.get("chiffre_affaires") not in (None, ""):
            if (v := _num(problems, "chiffre d'affaires", cells["chiffre_affaires"], _hours)) is not None:
                turnover["sous_traitance_co_traitance"] = v
        for fieldname, key, value in keyed:
            if fieldname == "heures_mod":
                if (v := _num(problems, f"heures {key}", value, _hours)) is not None:
                    hours[key] = hours.get(key, 0) + v
            elif (n := _num(problems, f"{fieldname} {key}", value, _count)) is not None:
                counters.setdefault(fieldname, {})[key] = n
        if cells.get("nb_participants") not in (None, ""):
            if (n := _num(problems, "participants", cells["nb_participants"], _count)) is not None:
                st["participants"] = n
        sent = None
        if cells.get("transmis_le") not in (None, ""):
            try:
                sent = dates.parse_sheet(cells["transmis_le"])[0].isoformat()
            except (ValueError, dates.DateError) as exc:
                problems.append(f"date de transmission illisible : {exc}")
        if problems or target is None or period is None:
            result.problems.append(Problem(path.name, rownum, problems or ["ligne non rapprochée"]))
            continue
        case, holder, lot = target
        result.matched += 1
        if hours:
            st["heures_par_modalite"] = hours
        if turnover:
            st["chiffre_affaires_ht"] = turnover
        st.update(counters)
        if cells.get("transmis_par") not in (None, ""):
            st["transmis_par"] = str(cells["transmis_par"])[:200]
        if sent:
            st["transmis_le"] = sent
        key3 = (holder, lot, period)
        bucket = result.statements.setdefault(case.path, {})
        result.case_ids[case.path] = case.id
        merged = bucket.setdefault(key3, {"lines": []})
        merged["lines"].append(rownum)
        _merge(merged, st)
        merged["source"] = path.name


def _num(problems: list[str], label: str, raw: Any, parse: Any) -> Any:
    """Nombre lu, ou None et le problème noté (la ligne sera refusée)."""
    try:
        return parse(raw)
    except (ValueError, TypeError) as exc:
        problems.append(f"{label} illisible : « {str(raw)[:30]} » ({getattr(exc, 'detail', None) or exc})")
        return None


def _merge(into: dict[str, Any], st: dict[str, Any]) -> None:
    """Plusieurs lignes pour le même relevé (une par modalité ou par public) : compteurs additionnés."""
    for k, v in st.items():
        if isinstance(v, dict):
            d = into.setdefault(k, {})
            for kk, vv in v.items():
                d[kk] = d.get(kk, 0) + vv
        elif k == "participants":
            into[k] = into.get(k, 0) + v
        else:
            into[k] = v


def _order(holder: str, lot: int, period: str, st: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"titulaire": holder}
    if lot != NO_LOT:
        out["lot"] = lot
    out["periode"] = period
    for k in ("heures_par_modalite", "chiffre_affaires_ht", "participants", "participants_par_public", "contrats",
              "sorties_6_mois", "transmis_par", "transmis_le"):
        if k in st:
            out[k] = st[k]
    lines = st["lines"]
    out["source"] = f"{st['source']}, ligne{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
    return out


def flow_entry(entry: dict[str, Any]) -> Any:
    """Une entrée sur une ligne (comme les exemples faits à la main), chaînes entre guillemets doubles :
    en style en ligne, « : » ou « , » dans une chaîne nue serait mal relu."""
    cm = yamlio.to_commented({k: _quoted(v) for k, v in entry.items()})
    cm.fa.set_flow_style()
    return cm


def _quoted(value: Any) -> Any:
    if isinstance(value, str):
        return yamlio.double_quoted(value)
    if isinstance(value, dict):
        return {k: _quoted(v) for k, v in value.items()}
    return value


def _commented(st: dict[str, Any]) -> Any:
    return flow_entry(st)


def run_import(ws: Workspace, files: list[Path]) -> ImportResult:

    bilan = ws.store.rules("bilan")
    labels = {"participants_par_public": dict(bilan.get("publics") or {}), "contrats": dict(bilan.get("contrats") or {}),
              "sorties_6_mois": dict(bilan.get("sorties") or {})}
    result = ImportResult([f.name for f in files])
    idx = _Index(ws.store.cases())
    for f in files:
        read_file(ws, f, idx, result, labels)
    return result


def plan_changes(ws: Workspace, result: ImportResult) -> dict[Path, list[dict[str, Any]]]:
    """Relevés à écrire par fichier de demande ; compte nouveaux, modifiés, inchangés."""
    out: dict[Path, list[dict[str, Any]]] = {}
    for path, statements in result.statements.items():
        case = ws.store.case(path)
        existing = {st.key: st for st in (case.suivi.releves if case.suivi else ())}
        raw = {(r.get("titulaire"), r.get("lot") or NO_LOT, r.get("periode")): r
               for r in ((case.raw.get("suivi") or {}).get("releves") or [])}
        todo = []
        for key, st in statements.items():
            new = _order(*key, st)
            if key not in existing:
                result.added += 1
            elif _same(raw.get(key), new):
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            todo.append(new)
        if todo:
            out[path] = todo
    return out


def _same(old: Any, new: dict[str, Any]) -> bool:
    return isinstance(old, dict) and yamlio.to_plain(old) == new


def write(ws: Workspace, result: ImportResult, todo: dict[Path, list[dict[str, Any]]]) -> None:
    for path, statements in todo.items():
        def mutate(data: Any, statements: list[dict[str, Any]] = statements) -> None:
            if not isinstance(data.get("suivi"), dict):
                data["suivi"] = yamlio.to_commented({})
            suivi = data["suivi"]
            if not isinstance(suivi.get("releves"), list):
                suivi["releves"] = yamlio.to_commented([])
            rel = suivi["releves"]
            pos = {(r.get("titulaire"), r.get("lot") or NO_LOT, r.get("periode")): i for i, r in enumerate(rel)}
            for st in statements:
                key = (st["titulaire"], st.get("lot", NO_LOT), st["periode"])
                if key in pos:
                    rel[pos[key]] = _commented(st)
                else:
                    rel.append(_commented(st))
        ed = ws.store.edit(path, mutate, hint="corriger la ligne du fichier importé puis relancer")
        if ed.changed:
            result.changed.append(path)


def import_files(ws: Workspace, files: list[Path], *, write_: bool, no_commit: bool = False) -> ImportResult:
    """Lit, rapproche et (avec `write_`) écrit les relevés, puis un seul commit pour tout l'import."""
    from guichet_cli.core import audit

    result = run_import(ws, files)
    todo = plan_changes(ws, result)
    if not write_ or not todo:
        return result
    audit.check_can_commit(ws, list(todo), no_commit=no_commit)
    write(ws, result, todo)
    if result.changed:
        ids = sorted(result.case_ids[p] for p in result.changed)
        subject = (f"Relevés de suivi importés ({', '.join(result.files)}) : {fr.count(result.added, 'nouveau', 'nouveaux', plain=True)}, "
                   f"{fr.count(result.updated, 'modifié', 'modifiés', plain=True)}, {fr.count(len(ids), 'demande', 'demandes', plain=True)}")
        result.sha = audit.commit_changes(ws, result.changed, case_id=", ".join(ids), action="suivi-import",
                                          subject=subject, no_commit=no_commit)
    return result
