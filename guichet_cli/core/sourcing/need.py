"""Le besoin d'un lot (ou du marché sans lots) : secteurs, types de prestation utiles, lieux, montant annuel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guichet_cli.core.facts import sectors
from guichet_cli.core.model.case import Market, Place
from guichet_cli.core.rules import load_rules
from guichet_cli.core.workspace import Workspace


@dataclass(frozen=True)
class Need:
    lot: int | None
    label: str
    cpv: tuple[str, ...]
    sectors: dict[str, str]  # clé de rules/secteurs.yaml → libellé
    nature: str
    services: tuple[str, ...]  # types de prestation qui peuvent servir ce besoin
    amount: float  # montant estimé HT sur la durée
    yearly: float  # montant annuel HT (durée d'un an au moins)
    places: tuple[Place, ...]
    dispositions: tuple[str, ...]  # disposition du secteur et alternatives (table sectorielle)

    @property
    def departements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.departement for p in self.places))


def sector_map(ws: Workspace, cpv: tuple[str, ...], nature: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for code in cpv:
        s = sectors.sector_for(ws, code, nature)
        out.setdefault(s.key, s.label)
    return out


def needs_of(ws: Workspace, marche: Market) -> list[Need]:
    """Un besoin par lot (le marché entier s'il n'a pas de lots) ; les lieux d'exécution du marché valent pour chaque lot."""
    rules = load_rules(ws, "sourcing")
    services = tuple(rules["prestations_par_nature"][marche.nature])
    years = max(1.0, marche.duree_mois / 12)
    table = load_rules(ws, "secteurs")["secteurs"]
    units: list[tuple[int | None, str, tuple[str, ...], float]]
    if marche.lots:
        units = [(lot.numero, f"lot {lot.numero} – {lot.intitule}", lot.cpv, float(lot.montant_estime_ht)) for lot in marche.lots]
    else:
        units = [(None, "marché", marche.cpv, float(marche.montant_estime_ht))]
    out = []
    for numero, label, cpv, amount in units:
        secs = sector_map(ws, cpv, marche.nature)
        disps: list[str] = []
        for key in secs:
            entry: dict[str, Any] = table.get(key) or {}
            disps.extend([entry.get("disposition", ""), *(entry.get("alternatives") or [])])
        out.append(Need(numero, label, cpv, secs, marche.nature, services, amount, amount / years, marche.lieux_execution,
                        tuple(d for d in dict.fromkeys(disps) if d)))
    return out
