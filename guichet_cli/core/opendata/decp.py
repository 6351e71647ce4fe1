"""Lecture en flux des DECP v2 (schéma 2.0.3) : `{"marches": {"marche": [...], "contrat-concession": [...]}}`.

Le fichier n'est jamais chargé en entier (ijson) : un enregistrement à la fois, mémoire constante.
Un enregistrement non conforme est signalé avec ses motifs et écarté ; un montant invraisemblable
(1e17…) est signalé et ignoré ; les contrats de concession sont lus et dits hors du champ.
Sans le schéma officiel (--schema), un contrôle réduit aux champs utilisés par le guichet s'applique.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.errors import EnvironmentProblem, UsageError

MARCHE = "marche"
CONCESSION = "contrat-concession"
SOCIAL_VALUES = ("Clause sociale", "Critère social", "Marché réservé", "Pas de considération sociale")
NO_SOCIAL = "Pas de considération sociale"
# Clé DECP des titulaires d'un marché publié (homonyme du champ des demandes, mais c'est un enregistrement DECP)
DECP_HOLDERS = "titulaires"
RESERVED = "Marché réservé"
_SIRET = re.compile(r"^[0-9]{14}$")
_CPV = re.compile(r"^[0-9]{8}(-[0-9])?$")


@dataclass(frozen=True, slots=True)
class DecpHolder:
    type_identifiant: str
    id: str

    @property
    def siret(self) -> str | None:
        return self.id if self.type_identifiant == "SIRET" and _SIRET.match(self.id) else None


@dataclass(frozen=True, slots=True)
class Amendment:
    """Une modification (avenant) publiée dans `modifications[]`, appliquée à l'enregistrement."""

    id: int | None
    notified: dt.date | None  # dateNotificationModification
    montant: float | None = None  # nouveau montant HT (None : inchangé, ou invraisemblable et ignoré)
    duree_mois: int | None = None
    holders: tuple[DecpHolder, ...] = ()  # titulaires après la modification (vide : inchangés)


@dataclass(frozen=True)
class DecpRecord:
    """Un marché DECP lu et contrôlé (les champs utilisés par le guichet, et l'enregistrement tel quel)."""

    source: str
    index: int  # rang dans le fichier (1 = premier marché)
    id: str
    buyer: str
    objet: str
    cpv: str | None
    montant: float | None  # None : absent ou invraisemblable (signalé)
    notified: dt.date | None
    place_code: str | None
    place_type: str | None
    duree_mois: int | None
    social: tuple[str, ...]
    holders: tuple[DecpHolder, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)
    # Modifications appliquées, dans l'ordre de leur notification : montant, durée et titulaires
    # ci-dessus sont ceux d'après la dernière modification qui les change ; `initial` garde les valeurs
    # publiées à la notification (montant, durée, titulaires).
    amendments: tuple[Amendment, ...] = ()
    initial: tuple[float | None, int | None, tuple[DecpHolder, ...]] | None = None

    @property
    def cpv8(self) -> str | None:
        return self.cpv[:8] if self.cpv else None

    @property
    def label(self) -> str:
        return f"{self.id} (acheteur {self.buyer})"


@dataclass(frozen=True, slots=True)
class Defect:
    """Un défaut du fichier : enregistrement écarté, montant ignoré, concession hors champ, fichier illisible."""

    source: str
    index: int | None
    record_id: str | None
    buyer: str | None
    kind: str  # rejete, montant, titulaire, modification, concession, illisible
    message: str


Event = DecpRecord | Defect


# --- contrôle d'un enregistrement -------------------------------------------------------------

Checker = Callable[[dict[str, Any]], list[str]]

_TYPES_FR = {"integer": "un nombre entier", "number": "un nombre", "string": "un texte", "boolean": "true ou false",
             "object": "un bloc { … }", "array": "une liste [ … ]"}


def _where(path: Any) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "enregistrement"


def french_reason(err: Any) -> str:
    """Motif français d'une erreur jsonschema (chemin DECP, valeur trouvée, attendu)."""
    where, v, inst = _where(err.absolute_path), err.validator, err.instance
    if v == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        return f"{where} : {json.dumps(inst, ensure_ascii=False)} n'est pas {' ou '.join(_TYPES_FR.get(t, t) for t in expected)}"
    if v == "enum":
        return f"{where} : valeur « {inst} » hors de la liste du schéma ({', '.join(map(str, err.validator_value))})"
    if v == "required":
        missing = [k for k in err.validator_value if isinstance(inst, dict) and k not in inst]
        return f"{where} : champ obligatoire absent : {', '.join(missing)}"
    if v == "additionalProperties":
        known = set(err.schema.get("properties") or {})
        extra = sorted(k for k in inst if k not in known) if isinstance(inst, dict) else []
        return f"{where} : champ non prévu par le schéma : {', '.join(extra)}"
    if v in ("minimum", "exclusiveMinimum"):
        return f"{where} : {inst} est inférieur au minimum {err.validator_value}"
    if v in ("maximum", "exclusiveMaximum"):
        return f"{where} : {inst} dépasse le maximum {err.validator_value}"
    if v == "pattern":
        return f"{where} : « {inst} » n'a pas la forme attendue ({err.validator_value})"
    if v in ("minItems", "minLength"):
        return f"{where} : valeur vide ou trop courte"
    if v == "maxLength":
        return f"{where} : texte trop long ({len(inst)} caractères, au plus {err.validator_value})"
    if v == "uniqueItems":
        return f"{where} : valeurs en double"
    return f"{where} : valeur non conforme au schéma ({v})"


def schema_checker(schema_path: Path, definition: str = MARCHE) -> Checker:
    """Contrôle par le schéma officiel DECP (draft-07), définition `marche` ; dates vérifiées en plus
    (le motif de date du schéma n'est pas ancré : « x2024-01-01x » y passerait)."""
    from jsonschema import Draft7Validator

    try:
        root = json.loads(schema_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"schéma DECP introuvable : {schema_path}", "indiquer le fichier schema_decp_v2.0.3.json avec --schema") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvironmentProblem(f"schéma DECP illisible : {schema_path} ({exc})", "indiquer le schéma officiel v2.0.3 (JSON)") from None
    if definition not in (root.get("definitions") or {}):
        raise UsageError(f"{schema_path} n'est pas le schéma DECP v2 (pas de définition « {definition} »)",
                         "indiquer schema_decp_v2.0.3.json")
    validator = Draft7Validator(_inline(root["definitions"][definition], root))

    def check(rec: dict[str, Any]) -> list[str]:
        errors = sorted(validator.iter_errors(rec), key=lambda e: [str(p) for p in e.absolute_path])
        return list(dict.fromkeys([french_reason(e) for e in errors] + _date_reasons(rec)))

    return check


def _inline(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """Remplace les « $ref » internes par leur contenu : le schéma DECP n'est pas récursif, et chaque
    résolution de référence coûte cher quand on valide 100 000 enregistrements."""
    if depth > 20:
        raise EnvironmentProblem("schéma DECP : références trop imbriquées (schéma récursif ?)", "indiquer le schéma officiel v2.0.3")
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part]
            return _inline(target, root, depth + 1)
        return {k: _inline(v, root, depth) for k, v in node.items() if k != "definitions"}
    if isinstance(node, list):
        return [_inline(v, root, depth) for v in node]
    return node


def _date_reasons(rec: dict[str, Any]) -> list[str]:
    out = []
    for key in ("dateNotification", "datePublicationDonnees"):
        value = rec.get(key)
        if isinstance(value, str) and _parse_date(value) is None:
            out.append(f"{key} : « {value} » n'est pas une date AAAA-MM-JJ")
    return out


def builtin_check(rec: dict[str, Any]) -> list[str]:
    """Contrôle réduit (sans schéma officiel) : les seuls champs dont le guichet se sert."""
    out: list[str] = []
    if not isinstance(rec.get("id"), str) or not rec.get("id"):
        out.append("id : champ obligatoire absent ou vide")
    buyer = rec.get("acheteur")
    if not isinstance(buyer, dict) or not isinstance(buyer.get("id"), str) or not _SIRET.match(buyer["id"]):
        out.append("acheteur.id : SIRET à 14 chiffres attendu")
    if not isinstance(rec.get("objet"), str):
        out.append("objet : champ obligatoire absent")
    if not isinstance(rec.get("codeCPV"), str) or not _CPV.match(rec["codeCPV"]):
        out.append(f"codeCPV : « {rec.get('codeCPV')} » n'est pas un code CPV (8 chiffres)")
    if not isinstance(rec.get("dateNotification"), str):
        out.append("dateNotification : champ obligatoire absent")
    m = rec.get("montant")
    if isinstance(m, bool) or not isinstance(m, int | float) or m < 1:
        out.append(f"montant : {json.dumps(m, ensure_ascii=False)} n'est pas un montant (nombre ≥ 1)")
    d = rec.get("dureeMois")
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        out.append(f"dureeMois : {json.dumps(d, ensure_ascii=False)} n'est pas un nombre entier de mois")
    if not _holders(rec.get(DECP_HOLDERS))[0]:
        out.append("titulaires : au moins un titulaire { titulaire: { typeIdentifiant, id } } attendu")
    social = (rec.get("considerationsSociales") or {}) if isinstance(rec.get("considerationsSociales"), dict) else {}
    values = social.get("considerationSociale")
    if not isinstance(values, list) or not values or any(v not in SOCIAL_VALUES for v in values):
        out.append(f"considerationsSociales.considerationSociale : {json.dumps(values, ensure_ascii=False)} hors de la liste "
                   f"({', '.join(SOCIAL_VALUES)})")
    return out + _date_reasons(rec)


def _holders(value: Any) -> tuple[tuple[DecpHolder, ...], list[str]]:
    holders, broken = [], []
    for i, item in enumerate(value if isinstance(value, list) else []):
        t = item.get("titulaire") if isinstance(item, dict) else None
        if isinstance(t, dict) and isinstance(t.get("id"), str) and isinstance(t.get("typeIdentifiant"), str):
            holders.append(DecpHolder(t["typeIdentifiant"], t["id"]))
        else:
            broken.append(f"titulaires.{i} : titulaire illisible ({json.dumps(item, ensure_ascii=False)[:80]})")
    return tuple(holders), broken


def _parse_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


# --- lecture en flux --------------------------------------------------------------------------


# Jetons que Python écrit dans du « JSON » (json.dumps(float('nan'))) mais que JSON interdit : vus dans des
# DECP réelles. Remplacés par la chaîne "NaN" : l'enregistrement qui les porte est alors écarté avec un
# motif lisible (« "NaN" n'est pas un nombre ») au lieu d'arrêter la lecture du fichier. Les textes
# (entre guillemets) ne sont jamais touchés : l'état « dans une chaîne » suit le flux bloc par bloc.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*(?:"|\Z)|([:,\[]\s*)(-?Infinity|NaN)(?=[\s,}\]])', re.S)
_STRING_REST = re.compile(rb'(?:[^"\\]|\\.)*"', re.S)
_ESCAPE = re.compile(rb"\\.", re.S)
_CARRY = 64
_APOSTROPHE = "\u2019".encode()
_APOSTROPHE_ESCAPED = b"\\u2019"
_UNSAFE = frozenset(b" \t\r\n:,[-\\" + bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123)))


def _quote_bare(m: re.Match[bytes]) -> bytes:
    return m.group(0) if m.group(2) is None else m.group(1) + b'"' + m.group(2) + b'"'


class _NanFilter:
    """Flux binaire qui rend les NaN / Infinity nus lisibles par un analyseur JSON strict."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.tail = b""
        self.in_string = False

    def read(self, size: int = 65536) -> bytes:
        if size == 0:  # ijson lit 0 octet pour savoir si le flux est binaire
            return b""
        chunk = self.raw.read(max(size, _CARRY * 2))
        buf = self.tail + chunk
        if not chunk:
            self.tail = b""
            return self._fix(buf)
        # Couper après un caractère sûr : ni au milieu d'un jeton « : NaN » (avec ce qui le suit), ni
        # dans une séquence d'échappement. Au plus _CARRY octets en arrière (un jeton est plus court).
        cut = len(buf) - _CARRY
        for _ in range(_CARRY):
            if cut <= 0 or buf[cut - 1] not in _UNSAFE:
                break
            cut -= 1
        while buf[max(cut - 2, 0):cut] in (b"\xe2", b"\xe2\x80") or buf[cut - 1:cut] == b"\xe2":  # ’ coupé en deux
            cut -= 1
        head, self.tail = buf[:cut], buf[cut:]
        return self._fix(head) if head else self.read(size)

    def _fix(self, buf: bytes) -> bytes:
        # apostrophe typographique ’ (UTF-8 ou échappée \u2019) → ' : les listes DECP utilisent U+0027
        buf = buf.replace(_APOSTROPHE, b"'").replace(_APOSTROPHE_ESCAPED, b"'")
        start_in = self.in_string
        plain = _ESCAPE.sub(b"", buf) if b"\\" in buf else buf
        self.in_string = start_in ^ (plain.count(b'"') % 2 == 1)
        if b"NaN" not in buf and b"Infinity" not in buf:
            return buf
        pos = 0
        if start_in:  # le bloc commence au milieu d'un texte : le sauter jusqu'au guillemet fermant
            m = _STRING_REST.match(buf)
            if m is None:
                return buf
            pos = m.end()
        return buf[:pos] + _TOKEN.sub(_quote_bare, buf[pos:])


def _shape(path: Path) -> str:
    """Forme du fichier d'après ses premiers événements : v2 (marches: {…}), v1 (marches: […]) ou autre."""
    import ijson

    with path.open("rb") as fh:
        events = ijson.parse(_NanFilter(fh))
        first = next(events, None)
        if first is None or first[1] != "start_map":
            return "autre"
        for prefix, event, value in events:
            if prefix == "" and event == "map_key" and value == "marches":
                _, kind, _ = next(events)
                return "v2" if kind == "start_map" else ("v1" if kind == "start_array" else "autre")
            if prefix == "" and event == "map_key":
                # clé de premier niveau autre que « marches » : sauter sa valeur sans la construire
                continue
    return "autre"


def _stream(path: Path, prefix: str) -> Iterator[Any]:
    import ijson

    with path.open("rb") as fh:
        yield from ijson.items(_NanFilter(fh), prefix, use_float=True)


def read(path: Path, check: Checker, *, max_amount: float, source: str | None = None) -> Iterator[Event]:
    """Enregistrements et défauts de `path`, dans l'ordre du fichier (marchés puis concessions)."""
    import ijson

    src = source or str(path)
    try:
        shape = _shape(path)
    except FileNotFoundError:
        raise UsageError(f"fichier introuvable : {path}", "vérifier le chemin du fichier DECP") from None
    except ijson.JSONError as exc:
        yield Defect(src, None, None, None, "illisible", f"fichier JSON illisible ({exc}) : rien n'a été lu")
        return
    if shape == "autre":
        yield Defect(src, None, None, None, "illisible",
                     "ce fichier n'a pas la forme DECP v2 {\"marches\": {\"marche\": [ … ]}} : rien n'a été lu")
        return
    prefixes = [("marches.marche.item", MARCHE), ("marches.contrat-concession.item", CONCESSION)] if shape == "v2" \
        else [("marches.item", MARCHE)]
    for prefix, kind in prefixes:
        n = 0
        try:
            for n, item in enumerate(_stream(path, prefix), start=1):
                yield from _one(src, n, kind, item, check, max_amount)
        except ijson.JSONError as exc:
            yield Defect(src, n + 1, None, None, "illisible",
                         f"JSON illisible après l'enregistrement {n} ({exc}) : la suite du fichier n'a pas été lue")
            return


def _one(src: str, n: int, kind: str, rec: Any, check: Checker, max_amount: float) -> Iterator[Event]:
    if not isinstance(rec, dict):
        yield Defect(src, n, None, None, "rejete", f"enregistrement {n} : bloc {{ … }} attendu, trouvé {type(rec).__name__}")
        return
    rid = rec.get("id") if isinstance(rec.get("id"), str) else None
    buyer_block = rec.get("acheteur") or rec.get("autoriteConcedante")
    buyer = buyer_block.get("id") if isinstance(buyer_block, dict) and isinstance(buyer_block.get("id"), str) else None
    if kind == CONCESSION or rec.get("_type") == "Contrat de concession":
        yield Defect(src, n, rid, buyer, "concession",
                     "contrat de concession : lu, hors du champ du rapprochement (le guichet suit les marchés)")
        return
    montant = rec.get("montant")
    usable_amount: float | None = float(montant) if isinstance(montant, int | float) and not isinstance(montant, bool) else None
    if usable_amount is not None and usable_amount > max_amount:
        yield Defect(src, n, rid, buyer, "montant",
                     f"montant invraisemblable ({fr.eur(usable_amount)} HT, au-delà de {fr.eur(max_amount)} HT) : signalé, non utilisé")
        usable_amount = None
    reasons = check(rec)
    if reasons:
        yield Defect(src, n, rid, buyer, "rejete", "enregistrement écarté : " + " ; ".join(reasons))
        return
    holders, broken = _holders(rec.get(DECP_HOLDERS))
    for b in broken:
        yield Defect(src, n, rid, buyer, "titulaire", b)
    social = tuple((rec.get("considerationsSociales") or {}).get("considerationSociale") or ())
    lieu = rec.get("lieuExecution") if isinstance(rec.get("lieuExecution"), dict) else {}
    duree = rec.get("dureeMois")
    duree_mois = duree if isinstance(duree, int) and not isinstance(duree, bool) else None
    amendments: list[Amendment] = []
    for problem, amendment in _amendments(rec.get("modifications"), max_amount):
        if problem is not None:
            yield Defect(src, n, rid, buyer, *problem)
        if amendment is not None:
            amendments.append(amendment)
    initial = (usable_amount, duree_mois, holders) if amendments else None
    for a in amendments:  # dans l'ordre de notification : la dernière modification qui change un champ l'emporte
        usable_amount = a.montant if a.montant is not None else usable_amount
        duree_mois = a.duree_mois if a.duree_mois is not None else duree_mois
        holders = a.holders or holders
    yield DecpRecord(
        source=src, index=n, id=str(rid), buyer=str(buyer), objet=str(rec.get("objet") or ""),
        cpv=rec.get("codeCPV") if isinstance(rec.get("codeCPV"), str) else None, montant=usable_amount,
        notified=_parse_date(rec.get("dateNotification")),
        place_code=str(lieu["code"]) if lieu.get("code") is not None else None,
        place_type=lieu.get("typeCode") if isinstance(lieu.get("typeCode"), str) else None,
        duree_mois=duree_mois, social=tuple(str(s) for s in social), holders=holders, raw=rec,
        amendments=tuple(amendments), initial=initial,
    )


def _amendments(value: Any, max_amount: float) -> Iterator[tuple[tuple[str, str] | None, Amendment | None]]:
    """Modifications d'un marché (`modifications: [{modification: {…}}]`), triées par date de notification
    puis par numéro ; chacune avec le défaut qu'elle porte (montant invraisemblable, titulaire illisible)."""
    found: list[tuple[dt.date, int, Amendment]] = []
    for i, item in enumerate(value if isinstance(value, list) else [], start=1):
        mod = item.get("modification") if isinstance(item, dict) else None
        if not isinstance(mod, dict):
            yield ("modification", f"modifications.{i - 1} : bloc {{ modification: {{ … }} }} attendu, modification ignorée"), None
            continue
        num = mod.get("id") if isinstance(mod.get("id"), int) and not isinstance(mod.get("id"), bool) else None
        label = f"modification {num}" if num is not None else f"modification n° {i} de la liste"
        amount = mod.get("montant")
        montant = float(amount) if isinstance(amount, int | float) and not isinstance(amount, bool) and amount >= 1 else None
        if montant is not None and montant > max_amount:
            yield ("montant", f"{label} : montant invraisemblable ({fr.eur(montant)} HT, au-delà de {fr.eur(max_amount)} HT) : "
                              "signalé, non utilisé"), None
            montant = None
        duree = mod.get("dureeMois")
        holders, broken = _holders(mod.get(DECP_HOLDERS))
        for b in broken:
            yield ("titulaire", f"{label} : {b}"), None
        found.append((_parse_date(mod.get("dateNotificationModification")) or dt.date.min, num or 0, Amendment(
            num, _parse_date(mod.get("dateNotificationModification")), montant,
            duree if isinstance(duree, int) and not isinstance(duree, bool) and duree >= 1 else None, holders)))
    for _, _, amendment in sorted(found, key=lambda f: (f[0], f[1])):
        yield None, amendment
