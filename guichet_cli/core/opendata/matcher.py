"""Rapprochement d'un marché DECP avec les demandes du guichet : même acheteur (SIRET), puis indices
(CPV, montant, lieu, dates, mots de l'objet) notés selon rules/donnees_ouvertes.yaml#rapprochement.

Chaque point attribué a son motif en français : la personne qui tranche un cas douteux voit pourquoi.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts.sectors import cpv_base
from guichet_cli.core.model.case import Case
from guichet_cli.core.opendata.decp import DecpRecord

CONFIDENT = "confiant"
DOUBTFUL = "douteux"
NONE = "sans_demande"

_STOP = frozenset("les des une pour par aux avec sur dans sans lot lots marche marches accord cadre relatif relative "
                  "prestations prestation travaux services service fourniture fournitures the and".split())


@dataclass(frozen=True)
class Candidate:
    case: Case
    score: float
    reasons: tuple[str, ...]
    lot: int | None = None
    recorded: bool = False  # l'identifiant DECP est déjà enregistré dans la demande


@dataclass
class Match:
    record: DecpRecord
    verdict: str  # confiant, douteux, sans_demande
    candidates: list[Candidate] = field(default_factory=list)
    note: str | None = None
    accepted: bool = False  # décidé par une personne (--accept)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def words(text: str) -> frozenset[str]:
    """Mots significatifs d'un objet : minuscules, sans accents, 3 lettres ou plus, hors mots vides."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return frozenset(w for w in re.split(r"[^a-z0-9]+", plain) if len(w) >= 3 and w not in _STOP)


def _department(code: str | None, kind: str | None) -> str | None:
    if not code:
        return None
    if kind in ("Code commune", "Code postal", "Code arrondissement", "Code canton"):
        return code[:3] if code.startswith("97") else code[:2]
    if kind == "Code département":
        return code
    return None


def _months_between(a: Any, b: Any) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


class Matcher:
    """Les demandes indexées par SIRET d'acheteur ; `match(record)` note chaque demande du même acheteur."""

    def __init__(self, cases: Iterable[Case], rules: dict[str, Any], rejected: Iterable[tuple[str, str]] = ()) -> None:
        """`rejected` : couples (identifiant DECP, demande) refusés dans cette commande même (--reject),
        en plus de ceux que les demandes portent (rapprochements_refuses)."""
        self.rules = rules
        self.points = rules["points"]
        self.rejected = set(rejected)
        self.by_buyer: dict[str, list[Case]] = defaultdict(list)
        for case in cases:
            self.by_buyer[case.donneur_ordre].append(case)

    def refused(self, rec: DecpRecord, case: Case) -> bool:
        return (rec.id, case.id) in self.rejected or case.rejects(rec.id, rec.buyer)

    def match(self, rec: DecpRecord) -> Match:
        all_cases = self.by_buyer.get(rec.buyer, [])
        if not all_cases:
            return Match(rec, NONE, note=f"aucune demande de l'acheteur {rec.buyer}")
        cases = [c for c in all_cases if not self.refused(rec, c)]
        if not cases:
            return Match(rec, NONE, note=f"rapprochement refusé pour {', '.join(c.id for c in all_cases)} (--reject)")
        cands = sorted((self.score(rec, c) for c in cases), key=lambda c: -c.score)
        best = cands[0]
        second = cands[1].score if len(cands) > 1 else None
        kept = [c for c in cands if c.score >= self.rules["douteux"]]
        if best.score >= self.rules["confiant"] and (second is None or best.score - second >= self.rules["ecart_minimal"]):
            return Match(rec, CONFIDENT, [best])
        if kept:
            note = None
            if best.score >= self.rules["confiant"]:
                note = f"deux demandes trop proches (écart de {best.score - (second or 0):.0f} points, il en faut {self.rules['ecart_minimal']})"
            return Match(rec, DOUBTFUL, kept, note)
        return Match(rec, NONE, note=f"aucune demande de l'acheteur {rec.buyer} n'atteint {self.rules['douteux']} points "
                                     f"(meilleure : {best.case.id}, {best.score:.0f})")

    def score(self, rec: DecpRecord, case: Case) -> Candidate:
        pub = case.execution.donnees_essentielles if case.execution else None
        if pub is not None and pub.id == rec.id:
            return Candidate(case, 100.0, (f"identifiant DECP {rec.id} déjà enregistré dans la demande",), recorded=True)
        p, reasons, total = self.points, [f"même acheteur (SIRET {rec.buyer})"], 0.0
        m = case.marche
        lot = None
        # CPV : le marché et chaque lot ; le meilleur niveau de parenté l'emporte
        if rec.cpv8:
            best_cpv, best_why = 0.0, None
            for code, where in [(c, "marché") for c in m.cpv] + [(c, f"lot {lt.numero}") for lt in m.lots for c in lt.cpv]:
                base = cpv_base(code)
                for size, key, label in ((8, "cpv_identique", "même code CPV"), (3, "cpv_meme_groupe", "même groupe CPV"),
                                         (2, "cpv_meme_division", "même division CPV")):
                    if base[:size] == rec.cpv8[:size]:
                        if p[key] > best_cpv:
                            best_cpv, best_why = p[key], f"{label} ({rec.cpv8} / {base}, {where})"
                            lot = int(where.split()[1]) if where.startswith("lot") else lot
                        break
            if best_why:
                total += best_cpv
                reasons.append(f"{best_why} : +{best_cpv:.0f}")
        # Montant : comparé à l'estimation du marché, au maximum, à chaque lot
        if rec.montant is not None:
            refs = [(m.montant_estime_ht, "estimation du marché")]
            if m.montant_maximum_ht:
                refs.append((m.montant_maximum_ht, "maximum du marché"))
            refs += [(lt.montant_estime_ht, f"lot {lt.numero}") for lt in m.lots]
            gap, ref, where = min(((abs(rec.montant - r) / max(r, 1.0), r, w) for r, w in refs if r), default=(None, None, None))
            if gap is not None and gap <= self.rules["ecart_montant_voisin"]:
                key = "montant_proche" if gap <= self.rules["ecart_montant_proche"] else "montant_voisin"
                total += p[key]
                reasons.append(f"montant {fr.money(rec.montant)} proche de {fr.money(ref)} ({where}, écart {gap:.0%}) : +{p[key]:.0f}")
                if where and where.startswith("lot") and lot is None:
                    lot = int(where.split()[1])
        # Lieu d'exécution
        if rec.place_code:
            dep = _department(rec.place_code, rec.place_type)
            if rec.place_type == "Code commune" and rec.place_code in m.communes:
                total += p["lieu_commune"]
                reasons.append(f"même commune ({rec.place_code}) : +{p['lieu_commune']:.0f}")
            elif dep and dep in m.departements:
                total += p["lieu_departement"]
                reasons.append(f"même département ({dep}) : +{p['lieu_departement']:.0f}")
        # Dates : la notification suit la demande, dans un délai plausible
        if rec.notified:
            if rec.notified < case.recue_le:
                total += p["date_impossible"]
                reasons.append(f"notifié le {fr.date_long(rec.notified)}, avant la réception de la demande "
                               f"({fr.date_long(case.recue_le)}) : {p['date_impossible']:.0f}")
            elif _months_between(case.recue_le, rec.notified) <= self.rules["delai_max_mois"]:
                total += p["date_plausible"]
                reasons.append(f"notifié le {fr.date_long(rec.notified)}, après la demande : +{p['date_plausible']:.0f}")
        # Objet : mots en commun (indice de Jaccard), avec l'intitulé d'un lot s'il y en a
        mine = words(rec.objet)
        if mine:
            texts = [(m.objet, None)] + [(f"{m.objet} {lt.intitule}", lt.numero) for lt in m.lots]
            jac, num = max(((len(mine & words(t)) / len(mine | words(t)) if mine | words(t) else 0.0, n) for t, n in texts),
                           key=lambda x: x[0])
            if jac > 0:
                pts = round(jac * p["objet_max"], 1)
                total += pts
                common = sorted(mine & words(texts[0][0] if num is None else texts[[n for _, n in texts].index(num)][0]))
                reasons.append(f"objet : mots en commun {', '.join(common[:6])} : +{pts:g}")
                if num is not None and lot is None:
                    lot = num
        return Candidate(case, max(0.0, min(100.0, total)), tuple(reasons), lot)
