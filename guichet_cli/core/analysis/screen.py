"""Criblage d'un plan d'achat : pour chaque ligne, dispositions, heures, seuil, obligation, priorité.

Priorité : « haute » si la condition sociale est obligatoire (L2112-2-1), « moyenne » si une
disposition est retenue sans réserve, « basse » sinon (seules des dispositions déconseillées).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from guichet_cli.core import frformat as fr
from guichet_cli.core import sheets, yamlio
from guichet_cli.core.analysis import recommend
from guichet_cli.core.analysis.plan import BadLine, PlanLine, iter_plan
from guichet_cli.core.errors import UsageError
from guichet_cli.core.facts import amounts, labels
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.workspace import Workspace

HIGH, MEDIUM, LOW = "haute", "moyenne", "basse"
COLUMNS = [
    ("ligne", "Ligne"), ("objet", "Objet"), ("cpv", "CPV"), ("montant", "Montant HT"), ("duree", "Durée (mois)"),
    ("departements", "Départements"), ("lancement", "Lancement"), ("secteur", "Secteur"), ("dispositions", "Dispositions"),
    ("heures", "Heures d'insertion"), ("seuil", "Seuil européen"), ("type_seuil", "Type de seuil"), ("au_dessus", "Au-dessus du seuil"),
    ("obligation", "Condition sociale obligatoire"), ("priorite", "Priorité"), ("regle", "Règle"), ("notes", "Notes"),
]
NUMERIC = {"ligne", "montant", "duree", "heures", "seuil"}


@dataclass
class Screened:
    line: PlanLine
    row: dict[str, Any]
    principal: str | None
    analysis: recommend.Analysis | None  # None une fois gardée dans un ScreenResult : la ligne seule suffit aux sorties


@dataclass
class ScreenResult:
    """Le criblage d'un plan : les lignes criblées (gardées seulement si la sortie les demande toutes :
    tableau, Markdown, XLSX, --create-cases), les lignes rejetées, et les comptes de la synthèse,
    tenus ligne à ligne (`add`) pour qu'un CSV écrit en flux ait la même synthèse."""

    source: str
    lines: list[Screened] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    keep: bool = True
    count: int = 0
    above: int = 0
    mandatory: int = 0
    hours: float = 0
    priorities: Counter = field(default_factory=Counter)
    principals: Counter = field(default_factory=Counter)
    thresholds: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        lines, self.lines = self.lines, []
        for s in lines:
            self.add(s)

    def add(self, s: Screened) -> None:
        self.count += 1
        self.above += s.row["au_dessus"] == "oui"
        self.mandatory += s.row["obligation"] == "oui"
        self.hours += s.row["heures"] or 0
        self.priorities[s.row["priorite"]] += 1
        self.principals[s.principal or "aucune"] += 1
        self.thresholds[s.row["type_seuil"]] += 1
        if self.keep:
            self.lines.append(Screened(s.line, s.row, s.principal, None))  # l'analyse complète pèserait des Gio sur 1 M de lignes

    def summary(self) -> list[tuple[str, Any]]:
        prio = self.priorities
        out: list[tuple[str, Any]] = [
            ("Plan d'achat", self.source),
            ("Lignes analysées", self.count),
            ("Lignes rejetées", len(self.bad)),
            ("Au-dessus du seuil européen", self.above),
            ("Condition sociale obligatoire (L2112-2-1)", self.mandatory),
            ("Priorité haute", prio.get(HIGH, 0)),
            ("Priorité moyenne", prio.get(MEDIUM, 0)),
            ("Priorité basse", prio.get(LOW, 0)),
            ("Heures d'insertion calibrées", self.hours),
        ]
        out += [(f"Disposition principale : {k}", v) for k, v in sorted(self.principals.items())]
        out += [(f"Lignes au {k}" if k.startswith("seuil") else f"Lignes sans seuil : {k}", v) for k, v in sorted(self.thresholds.items())]
        return out


def screen_lines(ws: Workspace, lines: list[PlanLine], **kwargs: Any) -> list[Screened]:
    return list(iter_screen(ws, lines, **kwargs))


def iter_screen(ws: Workspace, lines: Iterable[PlanLine], *, buyer: str | None = None, buyer_type: str | None = None,
                today: dt.date | None = None, registry: Registry | None = None) -> Iterator[Screened]:
    """Chaque ligne criblée dès qu'elle est lue (`lines` peut être un flux)."""
    today = today or dt.date.today()
    reg = registry if registry is not None else ws.store.registry
    names = labels.of(ws)
    kinds = names.choices("type_acheteur")
    if buyer_type and buyer_type not in kinds:
        raise UsageError(f"--buyer-type : type d'acheteur « {buyer_type} » inconnu", "types possibles : " + ", ".join(kinds))
    for line in lines:
        v = line.values
        an = recommend.analyse_market(ws, line.market(buyer_type), case_id=f"ligne {line.row}", buyer=buyer, today=today, registry=reg)
        ur = an.units[0]
        chosen = ur.chosen
        principal = next((o for o in chosen if o.role == "principale"), None)
        if an.obligation.applies and not an.obligation.derogation:
            priority = HIGH
        elif principal is not None and principal.status == recommend.RETAINED:
            priority = MEDIUM
        else:
            priority = LOW
        has_clause = any(o.disposition == "clause_insertion" for o in chosen)
        notes = list(line.notes) + [n for n in an.notes if not n.startswith("type d'acheteur")]
        if "lancement_prevu" not in v and an.obligation.applies:
            notes.append("date de lancement inconnue : obligation L2112-2-1 évaluée à la date du jour")
        if principal is not None and principal.status != recommend.RETAINED:
            notes.append(f"{names.disposition(principal.disposition)} déconseillée : " + "; ".join(c.text for c in principal.checks if not c.ok))
        row = {
            "ligne": line.row, "objet": v["objet"], "cpv": ", ".join(v["cpv"]), "montant": v["montant_estime_ht"],
            "duree": v["duree_mois"], "departements": ", ".join(f"{names.departement(d)} ({d})" for d in v.get("departements") or []), "lancement": v.get("lancement_prevu", ""),
            "secteur": ur.unit.sector_label,
            "dispositions": " + ".join(names.disposition(o.disposition) for o in chosen) or names.disposition("aucune"),
            "heures": ur.unit.calibration.hours if has_clause else None,
            "seuil": an.threshold.threshold, "type_seuil": an.threshold.label,
            "au_dessus": "oui" if an.threshold.above else "non",
            "obligation": "oui" if an.obligation.applies else "non", "priorite": priority,
            "regle": principal.regle if principal else f"rules/secteurs.yaml#{ur.unit.sector_key}",
            "notes": " ; ".join(notes),
        }
        yield Screened(line, row, principal.disposition if principal else None, an)


def implausible(ws: Workspace, line: PlanLine) -> BadLine | None:
    """La ligne rejetée si un de ses montants n'est pas plausible (rules/seuils.yaml#montants_plausibles)."""
    v = line.values
    why = [w for key in ("montant_estime_ht", "montant_maximum_ht") if key in v
           for w in [amounts.implausible(ws, float(v[key]))] if w]
    return BadLine(line.row, why) if why else None


def plausible_lines(ws: Workspace, lines: list[PlanLine]) -> tuple[list[PlanLine], list[BadLine]]:
    """Lignes aux montants plausibles, et les autres rejetées (rules/seuils.yaml#montants_plausibles)."""
    kept: list[PlanLine] = []
    bad: list[BadLine] = []
    for line in lines:
        refused = implausible(ws, line)
        if refused is not None:
            bad.append(refused)
        else:
            kept.append(line)
    return kept, bad


Progress = Callable[[int], None]


def screen_file(ws: Workspace, path: Path, *, keep: bool = True, each: Callable[[Screened], None] | None = None,
                progress: Progress | None = None, **kwargs: Any) -> ScreenResult:
    """Crible le plan `path` en flux : chaque ligne est lue, analysée puis passée à `each` (sortie
    écrite au fil de l'eau) ; `keep=False` ne garde que les comptes et les lignes rejetées, la
    mémoire ne dépend plus du nombre de lignes. `progress(n)` reçoit le nombre de lignes lues."""
    res = ScreenResult(path.name, keep=keep)
    seen = 0

    def readable() -> Iterator[PlanLine]:
        nonlocal seen
        for item in iter_plan(path, labels.of(ws)):
            seen += 1
            if progress is not None:
                progress(seen)
            refused = implausible(ws, item) if isinstance(item, PlanLine) else item
            if refused is not None:
                res.bad.append(refused)
            else:
                yield item  # type: ignore[misc]

    for s in iter_screen(ws, readable(), **kwargs):
        res.add(s)
        if each is not None:
            each(s)
    res.bad.sort(key=lambda b: b.row)
    return res


# --- sorties ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """1200000.0 → 1200000 : un montant entier s'écrit sans décimale dans le CSV et le classeur."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


neutralise = sheets.neutralize  # une cellule « =… » serait une formule dans un tableur (core/sheets.py)


def _display(key: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if key in ("montant", "seuil"):
        return fr.eur(value)
    if key == "heures":
        return fr.n(value)
    if key == "lancement":
        return fr.date_fr(value)
    return str(value)


def to_table(res: ScreenResult, markdown: bool = False) -> str:
    from tabulate import tabulate

    # terminal (100 colonnes) : le type de seuil est dans la synthèse ; Markdown : aussi en colonne
    hidden = ("regle", "notes", "seuil", "secteur") if markdown else ("regle", "notes", "seuil", "type_seuil", "secteur")
    keys = [k for k, _ in COLUMNS if k not in hidden] + ["regle"]
    labels = dict(COLUMNS)
    rows = [[_display(k, s.row[k]) for k in keys] for s in res.lines]
    if markdown:  # un « | » dans un objet couperait la cellule du tableau Markdown
        rows = [[cell.replace("|", "\\|") for cell in row] for row in rows]
    text = tabulate(rows, headers=[labels[k] for k in keys], tablefmt="github" if markdown else "simple",
                    disable_numparse=True, colalign=["right" if k in NUMERIC else "left" for k in keys])
    parts = [text, ""]
    if res.bad:
        parts.append("**Lignes rejetées**" if markdown else "Lignes rejetées :")
        parts += [f"{'- ' if markdown else '  '}ligne {b.row} : {' ; '.join(b.problems)}" for b in res.bad]
        parts.append("")
    parts.append("**Synthèse**" if markdown else "Synthèse :")
    parts += [f"{'- ' if markdown else '  '}{k} : {fr.n(v) if isinstance(v, int) else v}" for k, v in res.summary()]
    return "\n".join(parts) + "\n"


def _typed(key: str, value: Any) -> Any:
    """Valeur d'une cellule de tableur : la date de lancement comme date, pas comme texte."""
    if key == "lancement" and isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return _plain(value)


def _csv_row(s: Screened) -> list[Any]:
    return [neutralise("" if s.row[k] is None else _typed(k, s.row[k])) for k, _ in COLUMNS]


def _csv_bad(b: BadLine) -> list[Any]:
    return [b.row, neutralise("LIGNE REJETÉE : " + " ; ".join(b.problems))] + [""] * (len(COLUMNS) - 2)


def to_csv(res: ScreenResult) -> bytes:
    """CSV à la française (core/sheets.py) : « ; », virgule décimale, dates jj/mm/aaaa, UTF-8 avec BOM."""
    rows: list[list[Any]] = [[label for _, label in COLUMNS]]
    rows += [_csv_row(s) for s in res.lines]
    rows += [_csv_bad(b) for b in res.bad]
    return sheets.french_csv(rows)


def screen_csv(ws: Workspace, path: Path, fh: TextIO, **kwargs: Any) -> ScreenResult:
    """Crible `path` et écrit le CSV (mêmes octets que `to_csv`) dans `fh` ligne à ligne, les lignes
    rejetées à la fin ; `kwargs` : ceux de `screen_file` (keep, progress, buyer…)."""
    out = sheets.FrenchCsv(fh)
    out.writerow([label for _, label in COLUMNS])
    res = screen_file(ws, path, each=lambda s: out.writerow(_csv_row(s)), **kwargs)
    for b in res.bad:
        out.writerow(_csv_bad(b))
    return res


def screen_csv_file(ws: Workspace, path: Path, target: Path, **kwargs: Any) -> ScreenResult:
    """Le CSV du criblage écrit en flux dans `target`, atomiquement (fichier temporaire puis
    renommage : une erreur en cours de lecture ne laisse ni fichier partiel ni fichier temporaire)."""
    with yamlio.atomic_writer(target) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        res = screen_csv(ws, path, text, **kwargs)
        text.flush()
        text.detach()
    return res


def to_xlsx(res: ScreenResult) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = "Criblage"
    sheet.append([label for _, label in COLUMNS])
    for s in res.lines:
        sheet.append([neutralise(_typed(k, s.row[k])) for k, _ in COLUMNS])
    for col, (key, _label) in enumerate(COLUMNS, start=1):
        if key in ("montant", "seuil", "heures"):
            for r in range(2, sheet.max_row + 1):
                sheet.cell(row=r, column=col).number_format = "#,##0"
    summary = wb.create_sheet("Synthèse")
    summary.append(["Indicateur", "Valeur"])
    for k, v in res.summary():
        summary.append([k, neutralise(v)])
    bad = wb.create_sheet("Lignes rejetées")
    bad.append(["Ligne", "Problèmes", "Contenu"])
    for b in res.bad:
        bad.append([b.row, neutralise(" ; ".join(b.problems)), neutralise(b.raw)])
    for ws_ in wb.worksheets:
        sheets.finish_sheet(ws_)  # en-tête figé, largeurs, renvoi à la ligne, dates typées
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(res: ScreenResult, fmt: str) -> str | bytes:
    if fmt == "table":
        return to_table(res)
    if fmt == "md":
        return to_table(res, markdown=True)
    if fmt == "csv":
        return to_csv(res).decode("utf-8")  # BOM compris : il part avec le fichier ou la redirection
    if fmt == "xlsx":
        return to_xlsx(res)
    raise UsageError(f"format « {fmt} » inconnu", "choisir --format table, csv, md ou xlsx")


def write_output(path: Path, content: str | bytes) -> None:
    data = content if isinstance(content, bytes) else content.encode("utf-8")  # le CSV porte déjà son BOM
    yamlio.atomic_write_bytes(path, data)


# --- création des demandes -------------------------------------------------------------------


@dataclass
class Created:
    row: int
    case_id: str | None
    path: Path | None
    problem: str | None = None
    sha: str | None = None
    existing: str | None = None  # demande déjà créée depuis cette ligne (relance de --create-cases)


def _plan_key(buyer: str, objet: str, cpv: list[str] | tuple[str, ...], launch: Any) -> tuple[str, str, str, str]:
    """Ce qui reconnaît une ligne de plan déjà devenue demande : donneur, objet, CPV principal, lancement."""
    from guichet_cli.core.facts import dates

    when = launch if isinstance(launch, dt.date) else dates.read(launch)
    return (buyer, " ".join(str(objet).split()).casefold(), str(cpv[0]) if cpv else "", when.isoformat() if when else "")


def _already_created(ws: Workspace, buyer: str) -> dict[tuple[str, str, str, str], str]:
    out: dict[tuple[str, str, str, str], str] = {}
    for case in ws.store.cases():
        if case.canal == "plan_achat" and case.donneur_ordre == buyer:
            out.setdefault(_plan_key(buyer, case.marche.objet, case.marche.cpv, case.marche.lancement_prevu), case.id)
    return out


def create_cases(ws: Workspace, res: ScreenResult, buyer: str, requester: str | None = None, *, no_commit: bool = False,
                 today: dt.date | None = None) -> list[Created]:
    """Une demande (statut initial) par ligne retenue (priorité haute ou moyenne), via core/cases.py.

    Une ligne qui ne donnerait pas une demande valide est signalée et les autres sont créées. Une
    ligne déjà devenue demande (même donneur d'ordre, objet, CPV principal et lancement, canal
    plan_achat) n'est pas recréée : relancer la commande ne fait pas de doublons.
    """
    from guichet_cli.core.cases import NewCase, create_case
    from guichet_cli.core.errors import GuichetError

    reg = ws.store.registry
    info = reg.buyers.get(buyer)
    if info is None:
        raise UsageError(f"donneur d'ordre {buyer} absent du registre donneurs/", "indiquer le SIRET d'un donneur d'ordre du registre avec --buyer")
    requester = requester or next(iter(info.contacts_dedies), None)
    if not requester:
        raise UsageError("aucun contact demandeur connu pour ce donneur d'ordre", "indiquer le contact avec --requester contact-XXXX")
    from guichet_cli.core import audit

    out: list[Created] = []
    done = _already_created(ws, buyer)
    for s in res.lines:
        if s.row["priorite"] == LOW:
            continue
        v = s.line.values
        key = _plan_key(buyer, v["objet"], list(v["cpv"]), v.get("lancement_prevu"))
        if key in done:
            out.append(Created(s.line.row, None, None, existing=done[key]))
            continue
        deps = list(v.get("departements") or []) or ([info.departement] if info.departement else [])
        spec = NewCase(buyer=buyer, requester=requester, object=v["objet"], nature=v["nature"], cpv=list(v["cpv"]),
                       amount=v["montant_estime_ht"], duration=v["duree_mois"], form=v["forme"], departments=deps,
                       max_amount=v.get("montant_maximum_ht"), launch=v.get("lancement_prevu"), channel="plan_achat")
        with ws.store.writing():  # création et commit sous le verrou du dépôt (core/locking.py)
            try:
                cid, path = create_case(ws, spec, today=today)
            except GuichetError as exc:
                out.append(Created(s.line.row, None, None, exc.message))
                continue
            done[key] = cid  # deux lignes identiques dans le même plan : une seule demande
            sha = audit.commit_changes(ws, [path], case_id=cid, action="creation", subject=f"{cid} : demande reçue (plan d'achat)",
                                       status_change=(None, "recue"), no_commit=no_commit)
        out.append(Created(s.line.row, cid, path, None, sha))
    return out
