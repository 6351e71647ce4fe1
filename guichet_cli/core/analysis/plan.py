"""Lecture d'un plan d'achat (CSV ou XLSX) : en-têtes variés, nombres et dates à la française.

Chaque ligne devient un marché (mêmes clés que marche dans une demande) ou une erreur avec son
numéro de ligne dans le fichier (la ligne d'en-tête est la ligne 1) ; une ligne fautive n'arrête
pas la lecture des autres.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.errors import DataError, UsageError
from guichet_cli.core.facts import amounts, dates, labels
from guichet_cli.core.facts.sectors import nature_from_cpv
from guichet_cli.core.model.case import Market, Place
from guichet_cli.core.tabular import iter_csv_rows, iter_xlsx_rows

# champ → variantes d'en-tête (normalisées : minuscules, sans accents ni ponctuation)
HEADERS: dict[str, list[str]] = {
    "objet": ["objet", "intitule", "libelle", "objet du marche", "designation", "objet de l achat", "intitule du marche",
              "description", "nom du marche"],
    "cpv": ["cpv", "code cpv", "codes cpv", "code cpv principal"],
    "montant": ["montant", "montant estime", "montant ht", "montant estime ht", "montant previsionnel", "montant eur ht",
                "montant estime eur ht", "budget", "estimation", "montant total ht", "valeur estimee", "valeur"],
    "montant_max": ["montant maximum", "montant maximum ht", "maximum", "montant max"],
    "duree": ["duree", "duree mois", "duree en mois", "duree du marche", "duree marche mois"],
    "lieu": ["lieu", "departement", "lieu d execution", "lieux d execution", "lieu execution", "departement d execution", "dept"],
    "lancement": ["date de lancement", "lancement prevu", "lancement", "date de lancement prevue", "date previsionnelle de lancement",
                  "date lancement", "publication prevue", "date de publication", "trimestre de lancement", "trimestre",
                  "mois de lancement", "periode de lancement", "lancement de la consultation"],
    "nature": ["nature", "type de marche", "nature du marche"],
    "forme": ["forme", "forme du marche", "type de contrat"],
}
REQUIRED = ("objet", "cpv", "montant")


@dataclass
class PlanLine:
    row: int
    values: dict[str, Any]  # objet, cpv[], montant_estime_ht, montant_maximum_ht?, duree_mois, departements[], lancement_prevu?, nature, forme
    notes: list[str] = field(default_factory=list)

    def market(self, buyer_type: str | None = None) -> Market:
        """Le marché de la ligne, comme celui d'une demande (`buyer_type` : --buyer-type du criblage)."""
        v = self.values
        maximum = v.get("montant_maximum_ht")
        return Market(
            objet=v["objet"], nature=v["nature"], cpv=tuple(v["cpv"]), montant_estime_ht=float(v["montant_estime_ht"]),
            duree_mois=int(v["duree_mois"]), forme=v["forme"],
            lieux_execution=tuple(Place(str(d)) for d in v.get("departements") or []), type_acheteur=buyer_type or None,
            montant_maximum_ht=float(maximum) if maximum is not None else None,
            lancement_prevu=dates.read(v.get("lancement_prevu")),
        )


@dataclass
class BadLine:
    row: int
    problems: list[str]
    raw: str = ""


def norm(text: Any) -> str:
    """« Durée (mois) » → « duree » ; « Montant estimé (€ HT) » → « montant estime »."""
    t = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    if re.sub(r"\(.*?\)", "", t).strip():
        t = re.sub(r"\(.*?\)", " ", t)
    words = [w for w in re.split(r"[^a-z0-9]+", t) if w and w not in ("eur", "euros", "ht")]
    return " ".join(words)


def map_headers(headers: list[Any]) -> dict[int, str]:
    """Colonne → champ ; exact d'abord, puis « commence par » (« Montant estimé 2027 (€ HT) »)."""
    out: dict[int, str] = {}
    taken: set[str] = set()
    normed = [norm(h) for h in headers]
    # « TTC » même entre parenthèses (« Montant (€ TTC) ») : la colonne n'est pas reprise
    ttc = [bool(re.search(r"\bttc\b", str(h or "").lower())) for h in headers]
    for exact in (True, False):
        for i, h in enumerate(normed):
            if i in out or not h or ttc[i]:  # un montant TTC n'est jamais pris pour le montant HT
                continue
            for fieldname, variants in HEADERS.items():
                if fieldname in taken:
                    continue
                if (h in variants) if exact else any(h.startswith(v + " ") for v in variants):
                    out[i] = fieldname
                    taken.add(fieldname)
                    break
    return out


def parse_duration(value: Any) -> int:
    """48 ; « 48 mois » ; « 4 ans » ; « 2,5 ans » → mois."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) > 1200:
            raise ValueError
        return int(round(value))
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().lower().replace(",", ".").strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(mois|m|ans?|annees?)?", text)
    if not m:
        raise ValueError
    number = float(m.group(1))
    if not math.isfinite(number) or number > 1200:  # 100 ans : au-delà, ce n'est pas une durée de marché
        raise ValueError
    return int(round(number * 12)) if (m.group(2) or "").startswith("an") else int(round(number))


def parse_cpv(value: Any) -> list[str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value)).zfill(8)  # cellule nombre : 03451000 devient 3451000
    codes = re.findall(r"\b(\d{8})(?:-\d)?\b", str(value))
    if not codes:
        raise ValueError
    return list(dict.fromkeys(codes))


def departments(names: labels.Labels | None = None) -> dict[str, str]:
    """Code → nom normalisé (« seine saint denis ») des départements de schemas/defs.schema.json."""
    return {code: norm(label) for code, label in (names or labels.packaged()).table("departement").items()}


def parse_places(value: Any, known: dict[str, str] | None = None) -> list[str]:
    known = known if known is not None else departments()
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    text = norm(value)
    if re.fullmatch(r"(toute l )?(ile de france|idf|region( ile de france)?)", text):
        return list(known)  # marché régional : les huit départements
    found: list[str] = []
    for token in re.findall(r"\b\d{5}\b|\b\d{2}\b", text):
        dep = token[:2]
        if dep in known and dep not in found:
            found.append(dep)
    for code, name in known.items():
        if name in text and code not in found:
            found.append(code)
    if not found:
        raise ValueError
    return found


def parse_launch(value: Any) -> tuple[str, bool]:
    """Date de lancement → (AAAA-MM-JJ, approchée ?) ; une période donne son dernier jour (facts/dates.py)."""
    day, approx = dates.parse_sheet(value)
    return day.isoformat(), approx


def parse_form(value: Any) -> str:
    """« Accord-cadre à bons de commande », « AC marchés subséquents », « Marché ordinaire »… → code du schéma."""
    t = norm(value)
    if "concession" in t or t == "dsp" or "delegation de service public" in t:
        return "concession"
    if "accord cadre" in t or t.startswith("ac ") or t == "ac":
        if "mixte" in t:
            return "accord_cadre_mixte"
        return "accord_cadre_marches_subsequents" if "subsequent" in t else "accord_cadre_bons_de_commande"
    if "subsequent" in t:
        return "marche_subsequent"
    if "marche" in t or "ordinaire" in t or "simple" in t:
        return "marche_ordinaire"
    raise ValueError


def read_rows(path: Path) -> Iterator[list[Any]]:
    """Les lignes du plan une à une (CSV décodé en flux, XLSX en lecture seule) : core/tabular.py."""
    if not path.is_file():
        raise UsageError(f"plan d'achat introuvable : {path}", "vérifier le chemin du fichier")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return iter_xlsx_rows(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return iter_csv_rows(path)  # décodage UTF-8/UTF-16/CP1252 partagé
    raise UsageError(f"format de plan non pris en charge : {path.suffix or 'sans extension'}", "fournir un fichier .csv ou .xlsx")


def _take(cells: dict[str, Any], problems: list[str], fieldname: str, parser: Any, label: str, required: bool) -> Any:
    raw = cells.get(fieldname)
    if raw is None or str(raw).strip() == "":
        if required:
            problems.append(f"{label} manquant")
        return None
    try:
        return parser(raw)
    except (ValueError, TypeError, IndexError, KeyError, ArithmeticError) as exc:  # ArithmeticError : 1e400, 10^5000
        # la raison précise du refus quand la lecture commune la donne (« un montant ne peut pas être négatif »)
        detail = getattr(exc, "detail", None) if not getattr(exc, "generic", False) else None
        problems.append(f"{label} illisible : « {str(raw)[:40]} »" + (f" ({detail})" if detail else ""))
        return None


def iter_lines(rows: Iterable[list[Any]], name: str = "plan", names: labels.Labels | None = None) -> Iterator[PlanLine | BadLine]:
    """Chaque ligne du plan, lue et analysée une à une : une PlanLine ou une BadLine (numéro de ligne
    du fichier). Seules les 20 premières lignes sont gardées, le temps de trouver l'en-tête."""
    known = departments(names)
    rows = iter(rows)
    # La ligne d'en-tête est la première qui contient au moins deux champs reconnus (titres au-dessus tolérés).
    header_idx = None
    for i, r in enumerate(itertools.islice(rows, 20)):
        if len(set(map_headers(list(r)).values()) & set(REQUIRED)) >= 2:
            header_idx, header = i, r
            break
    if header_idx is None:
        for _row in rows:  # un fichier mal formé plus loin (binaire) le dit d'abord, comme à la lecture entière
            pass
        raise DataError(f"{name} : ligne d'en-tête introuvable (colonnes objet, CPV et montant attendues)",
                        "nommer les colonnes par exemple « Objet ; Code CPV ; Montant estimé HT ; Durée (mois) ; Département ; Date de lancement »")
    cols = map_headers(list(header))
    missing = [f for f in REQUIRED if f not in cols.values()]
    if missing:
        raise DataError(f"{name} : {fr.agree(len(missing), 'colonne obligatoire absente', 'colonnes obligatoires absentes')} : {', '.join(missing)}",
                        "ajouter les colonnes objet, CPV et montant HT (en-têtes reconnus : " + ", ".join(HEADERS["montant"][:3])
                        + "… ; une colonne TTC n'est pas reprise)")
    for offset, row in enumerate(rows, start=header_idx + 2):
        cells = {f: (row[i] if i < len(row) else None) for i, f in cols.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        problems: list[str] = []
        notes: list[str] = []
        values: dict[str, Any] = {}

        objet = _take(cells, problems, "objet", lambda v: str(v).strip()[:500], "objet", True)
        cpv = _take(cells, problems, "cpv", parse_cpv, "code CPV", True)
        amount = _take(cells, problems, "montant", amounts.parse_amount, "montant", True)
        maximum = _take(cells, problems, "montant_max", amounts.parse_amount, "montant maximum", False)
        duration = _take(cells, problems, "duree", parse_duration, "durée", False)
        places = _take(cells, problems, "lieu", lambda v: parse_places(v, known), "lieu d'exécution", False)
        launch = _take(cells, problems, "lancement", parse_launch, "date de lancement", False)
        form = _take(cells, notes, "forme", parse_form, "forme du marché", False)  # facultative : note, pas rejet
        nature = _take(cells, problems, "nature", lambda v: {"t": "travaux", "s": "services", "f": "fournitures"}[norm(v)[0]], "nature", False)
        if problems:
            yield BadLine(offset, problems, " | ".join("" if c is None else str(c) for c in row)[:200])
            continue
        if duration is None:
            duration = 12
            notes.append("durée inconnue : 12 mois retenus")
        elif not 1 <= duration <= 240:
            yield BadLine(offset, [f"durée de {duration} mois hors de 1 à 240"])
            continue
        values = {"objet": objet, "nature": nature or nature_from_cpv(cpv[0]), "cpv": cpv, "montant_estime_ht": amount,
                  "duree_mois": duration, "forme": form or "marche_ordinaire", "departements": places or []}
        if maximum is not None:
            values["montant_maximum_ht"] = maximum
        if launch:
            values["lancement_prevu"] = launch[0]
            if launch[1]:
                notes.append(f"lancement « {cells['lancement']} » : dernier jour de la période retenu ({launch[0]})")
        if not places:
            notes.append("lieu d'exécution inconnu")
        yield PlanLine(offset, values, notes)


def parse_rows(rows: Iterable[list[Any]], name: str = "plan", names: labels.Labels | None = None) -> tuple[list[PlanLine], list[BadLine]]:
    """Toutes les lignes du plan, lues et rejetées (voir `iter_lines`)."""
    lines: list[PlanLine] = []
    bad: list[BadLine] = []
    for item in iter_lines(rows, name, names):
        (lines if isinstance(item, PlanLine) else bad).append(item)  # type: ignore[arg-type]
    return lines, bad


def iter_plan(path: Path, names: labels.Labels | None = None) -> Iterator[PlanLine | BadLine]:
    """Les lignes du plan `path` une à une, en flux ; `names` : listes du dépôt (labels.of(ws))."""
    return iter_lines(read_rows(path), path.name, names)


def read_plan(path: Path, names: labels.Labels | None = None) -> tuple[list[PlanLine], list[BadLine]]:
    """`names` : listes du dépôt (labels.of(ws)) ; à défaut, celles livrées avec guichet."""
    return parse_rows(read_rows(path), path.name, names)
