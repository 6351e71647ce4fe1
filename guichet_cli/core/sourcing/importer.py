"""`guichet structures import FICHIER` : charge l'export CSV ou XLSX d'un réseau (ou de la plateforme)
dans le registre structures/.

- colonnes reconnues par rules/import_structures.yaml (intitulés en données, pas en code) ;
- chaque ligne est contrôlée (SIRET, type, commune, CPV, prestation, périmètre) ; une ligne fautive
  est rapportée avec son numéro et laissée de côté, les autres sont importées ;
- les lignes d'un même SIRET sont fusionnées (une activité par ligne) ;
- un fichier par structure, écrit par le magasin (validé en mémoire, écriture atomique) ; les champs
  que l'export ne porte pas (contacts, labels…) sont gardés ; rien n'est réécrit si rien n'a changé,
  si bien qu'un second import du même fichier ne change rien.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stdnum.fr import siret as stdnum_siret

from guichet_cli.core import yamlio
from guichet_cli.core.errors import DataError, UsageError
from guichet_cli.core.facts.sectors import CpvError, parse_cpv
from guichet_cli.core.rules import load_rules
from guichet_cli.core.validation.structures import commune_department
from guichet_cli.core.workspace import Workspace

HEADER = ("# yaml-language-server: $schema=../schemas/structure.schema.json\n"
          "Fiche importée par « guichet structures import » : relire le diff avant de committer.")
# Champs que l'import remplace ; les autres (contacts, labels, groupements, fictif) restent tels quels.
IMPORTED = ("siret", "nom", "enseigne", "type", "nature", "siege", "forme_juridique", "en_activite", "adresse", "commune",
            "departement", "qpv", "zrr", "chiffres", "marche_public_3_ans", "reseaux", "activites")
COMMUNE_RE = re.compile(r"^([0-9]{2}|2A|2B)[0-9]{3}$")
DEPT_RE = re.compile(r"^([0-9]{2}|2A|2B|97[1-6])$")
REGION_RE = re.compile(r"^(?:R|REGION|RÉGION)\s*([0-9]{2})$", re.IGNORECASE)


@dataclass
class BadRow:
    line: int
    message: str


@dataclass
class ImportReport:
    source: str
    rows: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # champ → intitulé reconnu
    ignored_columns: list[str] = field(default_factory=list)
    codeowners: Path | None = None  # CODEOWNERS régénéré


def norm(text: Any) -> str:
    """Intitulé ou valeur comparable : minuscules, sans accents, apostrophes et espaces uniformisés."""
    s = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", s.replace("’", "'").replace("_", " ")).strip().casefold()


# --- lecture du fichier ------------------------------------------------------------------------


def read_table(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(numéro de ligne, cellules) ; la première ligne rendue est celle des intitulés."""
    if not path.is_file():
        raise UsageError(f"fichier introuvable : {path}", "vérifier le chemin du fichier exporté")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield from _read_xlsx(path)
    elif suffix in (".csv", ".txt"):
        yield from _read_csv(path)
    else:
        raise UsageError(f"format de fichier non reconnu : {path.name}", "exporter le tableau en CSV (séparateur ; ou ,) ou en XLSX")


def _read_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # export d'Excel en français
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, [c.strip() for c in row]
    except csv.Error as exc:
        raise DataError(f"{path.name}:{reader.line_num}: CSV illisible ({exc})", "vérifier les guillemets de la ligne indiquée") from None


def _read_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl lève des erreurs variées sur un fichier abîmé
        raise DataError(f"{path.name} : classeur XLSX illisible ({type(exc).__name__})", "rouvrir le fichier dans le tableur et l'enregistrer à nouveau en XLSX") from None
    sheet = wb.worksheets[0]
    for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield n, ["" if v is None else (v.isoformat()[:10] if isinstance(v, dt.date) else _cell(v)) for v in row]
    wb.close()


def _cell(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# --- une ligne → des champs ------------------------------------------------------------------


class RowError(ValueError):
    pass


class Mapper:
    def __init__(self, rules: dict[str, Any], header: list[str]) -> None:
        self.rules = rules
        aliases = {norm(a): fld for fld, names in rules["colonnes"].items() for a in [fld, *names]}
        self.index: dict[str, int] = {}
        self.ignored: list[str] = []
        self.labels: dict[str, str] = {}
        for i, h in enumerate(header):
            fld = aliases.get(norm(h))
            if fld and fld not in self.index:
                self.index[fld] = i
                self.labels[fld] = h
            elif h:
                self.ignored.append(h)
        self.values = {k: {norm(a): b for a, b in v.items()} for k, v in rules["valeurs"].items()}

    def managed(self, network: bool) -> tuple[str, ...]:
        """Champs de la fiche que cet export renseigne (les autres ne sont jamais touchés)."""
        cols = set(self.index)
        out = {"siret", "nom", "type", "commune", "departement", "activites", "nature"}
        out |= {f for f in ("enseigne", "siege", "forme_juridique", "adresse", "en_activite", "qpv", "zrr", "marche_public_3_ans") if f in cols}
        if self.figures():
            out.add("chiffres")
        if "reseaux" in cols or network:
            out.add("reseaux")
        return tuple(k for k in IMPORTED if k in out)

    def figures(self) -> tuple[str, ...]:
        """Chiffres que l'export porte : les autres chiffres de la fiche sont gardés."""
        return tuple(f for f in FIGURES if f in self.index)

    def missing(self) -> list[str]:
        return [f for f in self.rules["obligatoires"] if f not in self.index]

    def get(self, row: list[str], fld: str) -> str:
        i = self.index.get(fld)
        return row[i].strip() if i is not None and i < len(row) else ""

    def choice(self, row: list[str], fld: str, table: str, allowed: tuple[str, ...]) -> str:
        raw = self.get(row, fld)
        if raw in allowed:
            return raw
        value = self.values[table].get(norm(raw))
        if value is None:
            raise RowError(f"{self.labels.get(fld, fld)} « {raw} » non reconnu (attendu : {', '.join(allowed)})")
        return value

    def flag(self, row: list[str], fld: str) -> bool | None:
        raw = self.get(row, fld)
        if not raw:
            return None
        value = self.values["booleens"].get(norm(raw))
        if value is None:
            raise RowError(f"{self.labels.get(fld, fld)} « {raw} » : écrire oui ou non")
        return bool(value)

    def number(self, row: list[str], fld: str) -> float | None:
        raw = self.get(row, fld).replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "").replace(",", ".")
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise RowError(f"{self.labels.get(fld, fld)} « {self.get(row, fld)} » n'est pas un nombre") from None
        if value < 0 or value != value or value in (float("inf"), float("-inf")):
            raise RowError(f"{self.labels.get(fld, fld)} « {self.get(row, fld)} » : nombre positif attendu")
        return int(value) if value.is_integer() else value


KINDS = ("EI", "AI", "ACI", "ETTI", "EITI", "GEIQ", "EA", "EATT", "ESAT")
FIGURES = ("salaries_insertion", "salaries_permanents", "etp", "chiffre_affaires_ht")


def _split(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"[;,|]", text) if x.strip()]


def parse_row(m: Mapper, row: list[str], default_date: str, source: str) -> dict[str, Any]:
    """Champs d'une structure et son activité, d'après une ligne ; RowError qui dit ce qui ne va pas."""
    siret = re.sub(r"[\s.]", "", m.get(row, "siret"))
    if not siret:
        raise RowError("SIRET absent")
    if not stdnum_siret.is_valid(siret):
        raise RowError(f"SIRET « {m.get(row, 'siret')} » invalide (14 chiffres et clé de contrôle)")
    nom = m.get(row, "nom")
    if not nom:
        raise RowError("nom de la structure absent")
    kind = m.choice(row, "type", "type", KINDS)
    commune = m.get(row, "commune").upper().zfill(5) if m.get(row, "commune") else ""
    if not COMMUNE_RE.match(commune):
        raise RowError(f"code commune « {m.get(row, 'commune')} » invalide (code INSEE à 5 caractères)")
    dept = m.get(row, "departement").zfill(2) if m.get(row, "departement") else commune_department(commune)
    if dept != commune_department(commune):
        raise RowError(f"la commune {commune} n'est pas dans le département {dept}")
    out: dict[str, Any] = {"siret": siret, "nom": nom, "type": kind}
    out["nature"] = m.choice(row, "nature", "nature", ("siege", "antenne")) if m.get(row, "nature") else "siege"
    for fld in ("enseigne", "forme_juridique", "adresse"):
        if m.get(row, fld):
            out[fld] = m.get(row, fld)
    siege = re.sub(r"[\s.]", "", m.get(row, "siege"))
    if siege:
        if not stdnum_siret.is_valid(siege):
            raise RowError(f"SIRET du siège « {siege} » invalide")
        out["siege"] = siege
    elif out["nature"] == "antenne":
        raise RowError("antenne sans SIRET du siège")
    active = m.flag(row, "en_activite")
    if active is not None:
        out["en_activite"] = active
    out["commune"], out["departement"] = commune, dept
    for fld in ("qpv", "zrr", "marche_public_3_ans"):
        v = m.flag(row, fld)
        if v is not None:
            out[fld] = v
    date = m.get(row, "date_chiffres") or default_date
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        if re.fullmatch(r"\d{4}", date):
            date = f"{date}-12-31"
        elif re.fullmatch(r"\d{2}/\d{2}/\d{4}", date):
            d, mo, y = date.split("/")
            date = f"{y}-{mo}-{d}"
        else:
            raise RowError(f"date des chiffres « {date} » illisible (AAAA-MM-JJ, JJ/MM/AAAA ou AAAA)")
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise RowError(f"date des chiffres « {date} » impossible") from None
    figures = {}
    for fld in FIGURES:
        v = m.number(row, fld)
        if v is not None:
            figures[fld] = {"valeur": v, "date": date, "source": source}
    if figures:
        out["chiffres"] = figures
    nets = [norm(x).replace(" ", "-") for x in _split(m.get(row, "reseaux"))]
    if nets:
        out["reseaux"] = nets
    out["activites"] = [parse_activity(m, row)]
    return out


def parse_activity(m: Mapper, row: list[str]) -> dict[str, Any]:
    codes = []
    for raw in _split(m.get(row, "cpv")):
        try:
            codes.append(parse_cpv(raw))
        except CpvError as exc:
            raise RowError(exc.message) from None
    if not codes:
        raise RowError("aucun code CPV pour l'activité")
    services = []
    for raw in _split(m.get(row, "prestations")):
        value = raw if raw in ("prestation", "mise_a_disposition", "fourniture") else m.values["prestations"].get(norm(raw))
        if value is None:
            raise RowError(f"type de prestation « {raw} » non reconnu (prestation, mise à disposition ou fourniture)")
        services.append(value)
    if not services:
        raise RowError("type de prestation absent")
    kind = m.choice(row, "perimetre", "perimetre", ("national", "rayon", "liste"))
    per: dict[str, Any] = {"type": kind}
    if kind == "rayon":
        km = m.number(row, "rayon_km")
        if not km or km > 1000:
            raise RowError("périmètre « rayon » sans rayon en km valable (entre 1 et 1000)")
        per["km"] = km
    elif kind == "liste":
        communes, depts, regions = [], [], []
        for z in _split(m.get(row, "zones")):
            z = z.upper()
            if COMMUNE_RE.match(z):
                communes.append(z)
            elif DEPT_RE.match(z.zfill(2)):
                depts.append(z.zfill(2))
            elif REGION_RE.match(z):
                regions.append(REGION_RE.match(z).group(1))  # type: ignore[union-attr]
            else:
                raise RowError(f"zone « {z} » illisible (code commune à 5 caractères, département, ou R11 pour une région)")
        if not (communes or depts or regions):
            raise RowError("périmètre « liste » sans commune, département ni région")
        for key, vals in (("communes", communes), ("departements", depts), ("regions", regions)):
            if vals:
                per[key] = list(dict.fromkeys(vals))
    label = m.get(row, "activite") or "activité importée"
    return {"libelle": label[:200], "cpv": list(dict.fromkeys(codes)), "prestations": list(dict.fromkeys(services)), "perimetre": per}


# --- fusion et écriture ----------------------------------------------------------------------


def merge(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Lignes d'un même SIRET : la dernière ligne renseignée l'emporte, les activités s'ajoutent."""
    out: dict[str, Any] = {}
    acts: list[dict[str, Any]] = []
    for r in rows:
        for k, v in r.items():
            if k == "activites":
                acts.extend(a for a in v if a not in acts)
            elif k == "chiffres":
                out.setdefault("chiffres", {}).update(v)
            elif k == "reseaux":
                out["reseaux"] = list(dict.fromkeys([*out.get("reseaux", []), *v]))
            else:
                out[k] = v
    out["activites"] = acts
    return out


def _target(current: dict[str, Any], new: dict[str, Any], managed: tuple[str, ...], figures: tuple[str, ...]) -> dict[str, Any]:
    """La fiche après import : champs de l'export remplacés, chiffres fusionnés un à un, le reste gardé."""
    out = dict(current)
    for k in managed:
        if k == "chiffres":
            figs = {f: v for f, v in (current.get("chiffres") or {}).items() if f not in figures}
            figs.update(new.get("chiffres") or {})
            if figs:
                out["chiffres"] = {f: figs[f] for f in FIGURES if f in figs}
            else:
                out.pop("chiffres", None)
        elif k in new:
            out[k] = new[k]
        else:
            out.pop(k, None)
    return out


def _quoted(data: dict[str, Any]) -> dict[str, Any]:
    """Codes (SIRET, communes, CPV, dates) entre guillemets doubles, comme dans les fichiers faits à la main."""
    def q(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: q(x) for k, x in v.items()}
        if isinstance(v, list):
            return [q(x) for x in v]
        if isinstance(v, str) and re.fullmatch(r"[0-9][0-9A-Z-]*", v):
            return yamlio.double_quoted(v)
        return v
    return q(data)


def import_file(ws: Workspace, path: Path, *, network: str | None = None, dry_run: bool = False,
                today: dt.date | None = None) -> ImportReport:
    today = today or dt.date.today()
    rules = load_rules(ws, "import_structures")
    if network and network not in ws.store.registry.partners:
        raise UsageError(f"réseau « {network} » introuvable dans partners/", "donner l'identifiant d'un fichier de partners/ (grafie, unea…)")
    report = ImportReport(path.name)
    table = read_table(path)
    first = next(table, None)
    if first is None:
        raise DataError(f"{path.name} est vide", "exporter le tableau avec sa ligne d'intitulés")
    mapper = Mapper(rules, first[1])
    report.columns, report.ignored_columns = dict(mapper.labels), mapper.ignored
    missing = mapper.missing()
    if missing:
        wanted = "; ".join(f"{f} (« {rules['colonnes'][f][0]} »)" for f in missing)
        raise DataError(f"{path.name}:{first[0]}: colonnes obligatoires introuvables : {wanted}",
                        "renommer les colonnes de l'export, ou ajouter leurs intitulés dans rules/import_structures.yaml")
    source = f"import {path.name} du {today.isoformat()}" + (f" ({network})" if network else "")
    groups: dict[str, list[dict[str, Any]]] = {}
    lines: dict[str, list[int]] = {}
    for line, row in table:
        if not any(c.strip() for c in row):
            continue
        report.rows += 1
        try:
            parsed = parse_row(mapper, row, today.isoformat(), source)
        except RowError as exc:
            report.bad.append(BadRow(line, str(exc)))
            continue
        if network:
            parsed["reseaux"] = list(dict.fromkeys([*parsed.get("reseaux", []), network]))
        groups.setdefault(parsed["siret"], []).append(parsed)
        lines.setdefault(parsed["siret"], []).append(line)
    known = set(ws.store.registry.partners)
    directory = ws.root / "structures"
    if not dry_run:
        directory.mkdir(exist_ok=True)
    existing = ws.store.structures
    managed, figures = mapper.managed(bool(network)), mapper.figures()
    for siret, rows in groups.items():
        new = merge(rows)
        unknown = [n for n in new.get("reseaux", []) if n not in known]
        if unknown:
            report.bad.append(BadRow(lines[siret][0], f"SIRET {siret} : réseau « {unknown[0]} » inconnu de partners/ (lignes {_lines(lines[siret])})"))
            continue
        target = directory / f"{siret}.yaml"
        current = existing.get(siret)
        if current is None and target.is_file():
            report.bad.append(BadRow(lines[siret][0], f"{ws.rel(target)} existe mais n'est pas lisible : corriger la fiche avant l'import"))
            continue
        try:
            if current is None:
                if not dry_run:
                    _create(ws, target, new, source, today)
                report.added.append(siret)
            else:
                before = yamlio.to_plain(ws.store.entry(target).data)
                after = _target(before, yamlio.to_plain(_quoted(new)), managed, figures)
                if after == before:
                    report.unchanged.append(siret)
                    continue
                if not dry_run:
                    _update(ws, target, after, managed, source, today)
                report.changed.append(siret)
        except DataError as exc:
            report.bad.append(BadRow(lines[siret][0], f"SIRET {siret} (lignes {_lines(lines[siret])}) : fiche refusée — {exc.message}"))
    report.bad.sort(key=lambda b: b.line)
    if not dry_run and (report.added or report.changed) and (ws.root / "CODEOWNERS").is_file():
        from guichet_cli.core.codeowners import write_codeowners

        report.codeowners = write_codeowners(ws)  # relecteurs des nouvelles fiches (MACS et réseaux)
    return report


def _lines(nums: list[int]) -> str:
    return ", ".join(str(n) for n in nums[:5]) + (" …" if len(nums) > 5 else "")


def _create(ws: Workspace, target: Path, new: dict[str, Any], source: str, today: dt.date) -> None:
    data = {**_quoted(new), "mis_a_jour_le": yamlio.double_quoted(today.isoformat()), "source": source}
    doc = yamlio.new_document(target, {}, HEADER)
    for k, v in _commented(data).items():
        doc.data[k] = v
    ws.store.create(target, doc)
    ws.store.forget(target)


def _update(ws: Workspace, target: Path, after: dict[str, Any], managed: tuple[str, ...], source: str, today: dt.date) -> None:
    def mutate(data: Any) -> None:
        for k in managed:
            if k in after:
                if data.get(k) != after[k]:  # un bloc inchangé garde sa mise en forme (diff lisible)
                    data[k] = _commented(_quoted({k: after[k]}))[k]
            elif k in data:
                del data[k]
        data["mis_a_jour_le"] = yamlio.double_quoted(today.isoformat())
        data["source"] = source

    ws.store.edit(target, mutate)
    ws.store.forget(target)


def _commented(data: dict[str, Any]) -> Any:
    """Arbre à écrire : périmètres en ligne (`{type: rayon, km: 30}`), comme les fiches faites à la main."""
    cm = yamlio.to_commented(data)
    for act in cm.get("activites") or []:
        per = act.get("perimetre")
        if per is not None:
            per.fa.set_flow_style()
    return cm
