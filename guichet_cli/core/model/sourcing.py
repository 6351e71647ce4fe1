"""Bloc `sourcing` d'une demande (schemas/sourcing.schema.json) : réseaux et structures consultés,
quand, et leurs réponses. Écrit par `guichet sourcing DOSSIER --write`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from guichet_cli.core.model.fields import Fields

INTERESTED, NOT_INTERESTED, NO_ANSWER = "interessee", "pas_interessee", "sans_reponse"


@dataclass(frozen=True, slots=True)
class StructureAnswer:
    siret: str
    reponse: str
    le: dt.date | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> StructureAnswer:
        return cls(f.text("siret"), f.text("reponse"), f.opt_date("le"))


@dataclass(frozen=True, slots=True)
class Consultation:
    reseau: str
    envoyee_le: dt.date
    lots: tuple[int, ...] = ()
    structures: tuple[str, ...] = ()
    reponse: str | None = None
    repondu_le: dt.date | None = None
    reponses_structures: tuple[StructureAnswer, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> Consultation:
        return cls(f.text("reseau"), f.date("envoyee_le"), f.integers("lots"), f.texts("structures"), f.opt_text("reponse"),
                   f.opt_date("repondu_le"), f.build_all("reponses_structures", StructureAnswer.from_fields))

    @property
    def answered(self) -> bool:
        """Le réseau a répondu, ou le guichet a constaté qu'il ne répondrait pas (sans_reponse)."""
        return self.reponse is not None


@dataclass(frozen=True, slots=True)
class LotAdvice:
    avis: str
    structures: int
    numero: int | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> LotAdvice:
        return cls(f.text("avis"), f.integer("structures"), f.opt_integer("numero"))


@dataclass(frozen=True, slots=True)
class SourcingRecord:
    effectue_le: dt.date
    consultations: tuple[Consultation, ...] = ()
    lots: tuple[LotAdvice, ...] = ()
    regle: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> SourcingRecord:
        return cls(f.date("effectue_le"), f.build_all("consultations", Consultation.from_fields),
                   f.build_all("lots", LotAdvice.from_fields), f.opt_text("regle"))

    @property
    def interested(self) -> tuple[str, ...]:
        """SIRET des structures qui se sont dites intéressées."""
        return tuple(dict.fromkeys(a.siret for c in self.consultations for a in c.reponses_structures if a.reponse == INTERESTED))
