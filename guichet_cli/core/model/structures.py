"""Registre des structures inclusives (structures/<SIRET>.yaml), typé : SIAE, GEIQ, EA, EATT, ESAT.

L'unité rapprochée d'un besoin est l'ACTIVITÉ d'une structure : des codes CPV (d'où le secteur,
par core/facts/sectors), des types de prestation et un périmètre. Aucune donnée personnelle ici :
les personnes sont des références `contact-…` au registre contacts/.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from guichet_cli.core.model.fields import Fields


@dataclass(frozen=True, slots=True)
class Figure:
    """Un chiffre daté et sourcé (effectif, ETP, chiffre d'affaires)."""

    valeur: float
    date: dt.date
    source: str

    @classmethod
    def from_fields(cls, f: Fields) -> Figure:
        return cls(f.number("valeur"), f.date("date"), f.text("source"))


@dataclass(frozen=True, slots=True)
class Perimeter:
    type: str  # national, rayon, liste
    km: float | None = None
    communes: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> Perimeter:
        return cls(f.text("type"), f.opt_number("km"), f.texts("communes"), f.texts("departements"), f.texts("regions"))


@dataclass(frozen=True, slots=True)
class Activity:
    libelle: str
    cpv: tuple[str, ...]
    prestations: tuple[str, ...]
    perimetre: Perimeter

    @classmethod
    def from_fields(cls, f: Fields) -> Activity:
        per = f.build("perimetre", Perimeter.from_fields)
        if per is None:
            raise f.error("perimetre", "champ obligatoire « perimetre » absent")
        return cls(f.text("libelle"), f.texts("cpv"), f.texts("prestations"), per)


@dataclass(frozen=True, slots=True)
class Structure:
    path: Path
    siret: str
    nom: str
    type: str
    nature: str
    commune: str
    departement: str
    activites: tuple[Activity, ...]
    source: str
    mis_a_jour_le: dt.date
    fictif: bool = False
    enseigne: str | None = None
    siege: str | None = None
    forme_juridique: str | None = None
    en_activite: bool = True
    adresse: str | None = None
    qpv: bool | None = None
    zrr: bool | None = None
    figures: dict[str, Figure] = field(default_factory=dict)
    marche_public_3_ans: bool | None = None
    labels: tuple[str, ...] = ()
    reseaux: tuple[str, ...] = ()
    groupements: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, path: Path, data: object) -> Structure:
        f = Fields(data, path)
        figures: dict[str, Figure] = {}
        block = f.block("chiffres")
        if block is not None:
            for key in ("salaries_insertion", "salaries_permanents", "etp", "chiffre_affaires_ht"):
                fig = block.build(key, Figure.from_fields)
                if fig is not None:
                    figures[key] = fig
        return cls(
            path=path, siret=f.text("siret"), nom=f.text("nom"), type=f.text("type"), nature=f.text("nature"),
            commune=f.text("commune"), departement=f.text("departement"), activites=f.build_all("activites", Activity.from_fields),
            source=f.text("source"), mis_a_jour_le=f.date("mis_a_jour_le"), fictif=f.flag("fictif"), enseigne=f.opt_text("enseigne"),
            siege=f.opt_text("siege"), forme_juridique=f.opt_text("forme_juridique"), en_activite=f.flag("en_activite", True),
            adresse=f.opt_text("adresse"), qpv=f.opt_flag("qpv"), zrr=f.opt_flag("zrr"), figures=figures,
            marche_public_3_ans=f.opt_flag("marche_public_3_ans"), labels=f.texts("labels"), reseaux=f.texts("reseaux"),
            groupements=f.texts("groupements"), contacts=f.texts("contacts"),
        )

    @property
    def label(self) -> str:
        return f"{self.enseigne} ({self.nom})" if self.enseigne else self.nom

    @property
    def turnover(self) -> Figure | None:
        return self.figures.get("chiffre_affaires_ht")


@dataclass
class StructureRegistry:
    """Les structures du dépôt, par SIRET, dans l'ordre des fichiers."""

    by_siret: dict[str, Structure] = field(default_factory=dict)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.by_siret.values())

    def __len__(self) -> int:
        return len(self.by_siret)

    def get(self, siret: str) -> Structure | None:
        return self.by_siret.get(siret)
