"""Le suivi de l'exécution (bloc « suivi » d'une demande, schemas/suivi.schema.json), en dataclasses figées.

Engagements par lot et par titulaire, relevés périodiques des facilitateurs, événements du contrat
et relances rédigées. Effectifs seulement : aucun bénéficiaire n'est nommé ni identifié.
Les calculs (heures dues effectives, rythme, pénalités) sont dans core/followup/, pas ici.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from guichet_cli.core.model.fields import Fields

NO_LOT = 0  # marché sans lots : les relevés et engagements sans « lot »


@dataclass(frozen=True, slots=True)
class Commitment:
    titulaire: str
    lot: int = NO_LOT
    heures_dues: float | None = None
    montant_notifie_ht: float | None = None
    debut: dt.date | None = None
    fin: dt.date | None = None
    modalites: tuple[str, ...] = ()
    taux_penalite_heure: float | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Commitment:
        return cls(f.text("titulaire"), f.opt_integer("lot") or NO_LOT, f.opt_number("heures_dues"),
                   f.opt_number("montant_notifie_ht"), f.opt_date("debut"), f.opt_date("fin"), f.texts("modalites"),
                   f.opt_number("taux_penalite_heure"))


@dataclass(frozen=True, slots=True)
class Statement:
    titulaire: str
    periode: str
    lot: int = NO_LOT
    heures_par_modalite: dict[str, int | float] = field(default_factory=dict)
    chiffre_affaires_ht: dict[str, int | float] = field(default_factory=dict)
    participants: int | None = None
    participants_par_public: dict[str, int | float] = field(default_factory=dict)
    contrats: dict[str, int | float] = field(default_factory=dict)
    sorties_6_mois: dict[str, int | float] = field(default_factory=dict)
    transmis_par: str | None = None
    transmis_le: dt.date | None = None
    source: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Statement:
        return cls(
            titulaire=f.text("titulaire"), periode=f.text("periode"), lot=f.opt_integer("lot") or NO_LOT,
            heures_par_modalite=f.counts("heures_par_modalite"), chiffre_affaires_ht=f.counts("chiffre_affaires_ht"),
            participants=f.opt_integer("participants"), participants_par_public=f.counts("participants_par_public"),
            contrats=f.counts("contrats"), sorties_6_mois=f.counts("sorties_6_mois"), transmis_par=f.opt_text("transmis_par"),
            transmis_le=f.opt_date("transmis_le"), source=f.opt_text("source"),
        )

    @property
    def key(self) -> tuple[str, int, str]:
        """Un relevé par titulaire, lot et période : la clé qui rend une réimportation sans effet."""
        return (self.titulaire, self.lot, self.periode)


@dataclass(frozen=True, slots=True)
class ContractEvent:
    type: str
    date: dt.date
    lot: int = NO_LOT
    titulaire: str | None = None
    heures_dues: float | None = None
    montant_ht: float | None = None
    fin: dt.date | None = None
    nouveau_titulaire: str | None = None
    decision: str | None = None
    motif: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> ContractEvent:
        return cls(f.text("type"), f.date("date"), f.opt_integer("lot") or NO_LOT, f.opt_text("titulaire"),
                   f.opt_number("heures_dues"), f.opt_number("montant_ht"), f.opt_date("fin"), f.opt_text("nouveau_titulaire"),
                   f.opt_text("decision"), f.opt_text("motif"))


@dataclass(frozen=True, slots=True)
class Reminder:
    date: dt.date
    destinataire: str
    attente: str
    rang: int = 1

    @classmethod
    def from_fields(cls, f: Fields) -> Reminder:
        return cls(f.date("date"), f.text("destinataire"), f.text("attente"), f.opt_integer("rang") or 1)


@dataclass(frozen=True, slots=True)
class FollowUp:
    reference_marche: str | None = None
    periodicite: str | None = None
    engagements: tuple[Commitment, ...] = ()
    releves: tuple[Statement, ...] = ()
    evenements: tuple[ContractEvent, ...] = ()
    relances: tuple[Reminder, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> FollowUp:
        return cls(f.opt_text("reference_marche"), f.opt_text("periodicite"), f.build_all("engagements", Commitment.from_fields),
                   f.build_all("releves", Statement.from_fields), f.build_all("evenements", ContractEvent.from_fields),
                   f.build_all("relances", Reminder.from_fields))
