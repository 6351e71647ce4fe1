"""La demande et ses parties, en dataclasses figées : la lecture typée de schemas/demande.schema.json.

Chaque type a un constructeur `from_fields` qui lit un bloc du fichier et lève `ModelError`
(fichier, ligne, chemin JSON) sur un champ illisible. Les commandes ne lisent jamais le
dictionnaire brut d'une demande : elles reçoivent ces objets du magasin (core/store.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core.model.fields import Fields, ModelError
from guichet_cli.core.model.followup import FollowUp
from guichet_cli.core.model.sourcing import SourcingRecord

CLAUSE_INSERTION = "clause_insertion"


def field_value(data: Any, dotted: str) -> Any:
    """Valeur au chemin pointé `a.b.c` d'un arbre lu, ou None (valeur vide = absente)."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if node is None or node == [] or node == {} or node == "":
        return None
    return node


@dataclass(frozen=True, slots=True)
class Place:
    departement: str
    commune: str | None = None
    part: float | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Place:
        return cls(f.text("departement"), f.opt_text("commune"), f.opt_number("part"))


@dataclass(frozen=True, slots=True)
class Lot:
    numero: int
    intitule: str
    cpv: tuple[str, ...]
    montant_estime_ht: float
    part_main_oeuvre: float | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Lot:
        return cls(f.integer("numero"), f.text("intitule"), f.texts("cpv"), f.number("montant_estime_ht"),
                   f.opt_number("part_main_oeuvre"))

    @property
    def main_cpv(self) -> str | None:
        return self.cpv[0] if self.cpv else None


@dataclass(frozen=True, slots=True)
class Market:
    objet: str
    nature: str
    cpv: tuple[str, ...]
    montant_estime_ht: float
    duree_mois: int
    forme: str
    lieux_execution: tuple[Place, ...]
    type_acheteur: str | None = None
    montant_maximum_ht: float | None = None
    procedure: str | None = None
    lancement_prevu: dt.date | None = None
    calcul_sur_nouveau_personnel: bool = False
    part_nouveau_personnel: float | None = None
    anru: bool = False
    lots: tuple[Lot, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> Market:
        return cls(
            objet=f.text("objet"), nature=f.text("nature"), cpv=f.texts("cpv"), montant_estime_ht=f.number("montant_estime_ht"),
            duree_mois=f.integer("duree_mois"), forme=f.text("forme"), lieux_execution=f.build_all("lieux_execution", Place.from_fields),
            type_acheteur=f.opt_text("type_acheteur"), montant_maximum_ht=f.opt_number("montant_maximum_ht"),
            procedure=f.opt_text("procedure"), lancement_prevu=f.opt_date("lancement_prevu"),
            calcul_sur_nouveau_personnel=f.flag("calcul_sur_nouveau_personnel"),
            part_nouveau_personnel=f.opt_number("part_nouveau_personnel"), anru=f.flag("anru"),
            lots=f.build_all("lots", Lot.from_fields),
        )

    @property
    def main_cpv(self) -> str | None:
        return self.cpv[0] if self.cpv else None

    @property
    def departements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.departement for p in self.lieux_execution))

    @property
    def communes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.commune for p in self.lieux_execution if p.commune))

    def lot(self, numero: int) -> Lot | None:
        return next((lot for lot in self.lots if lot.numero == numero), None)


@dataclass(frozen=True, slots=True)
class ConsideredDisposition:
    disposition: str
    retenue: bool | None = None
    motif: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> ConsideredDisposition:
        return cls(f.text("disposition"), f.opt_flag("retenue"), f.opt_text("motif"))


@dataclass(frozen=True, slots=True)
class Recommendation:
    disposition: str
    lots: tuple[int, ...] = ()
    base_legale: str | None = None
    justification: str | None = None
    rang: int | None = None
    regle: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Recommendation:
        return cls(f.text("disposition"), f.integers("lots"), f.opt_text("base_legale"), f.opt_text("justification"),
                   f.opt_integer("rang"), f.opt_text("regle"))

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"disposition": self.disposition}
        for k in ("lots", "base_legale", "justification", "rang", "regle"):
            v = getattr(self, k)
            if v not in (None, ()):
                d[k] = list(v) if isinstance(v, tuple) else v
        return d


@dataclass(frozen=True, slots=True)
class LotCalibration:
    numero: int
    heures: float
    montant_retenu_ht: float | None = None
    part_main_oeuvre: float | None = None
    taux_insertion: float | None = None
    cout_horaire: float | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> LotCalibration:
        return cls(f.integer("numero"), f.number("heures"), f.opt_number("montant_retenu_ht"), f.opt_number("part_main_oeuvre"),
                   f.opt_number("taux_insertion"), f.opt_number("cout_horaire"))


@dataclass(frozen=True, slots=True)
class Calibration:
    heures: float
    base: str | None = None
    base_commentaire: str | None = None
    montant_retenu_ht: float | None = None
    part_main_oeuvre: float | None = None
    taux_insertion: float | None = None
    cout_horaire: float | None = None
    heures_par_an: float | None = None
    etp: float | None = None
    lots: tuple[LotCalibration, ...] = ()
    valide_par: str | None = None
    valide_le: dt.date | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Calibration:
        return cls(
            heures=f.number("heures"), base=f.opt_text("base"), base_commentaire=f.opt_text("base_commentaire"),
            montant_retenu_ht=f.opt_number("montant_retenu_ht"), part_main_oeuvre=f.opt_number("part_main_oeuvre"),
            taux_insertion=f.opt_number("taux_insertion"), cout_horaire=f.opt_number("cout_horaire"),
            heures_par_an=f.opt_number("heures_par_an"), etp=f.opt_number("etp"),
            lots=f.build_all("lots", LotCalibration.from_fields), valide_par=f.opt_text("valide_par"),
            valide_le=f.opt_date("valide_le"),
        )


@dataclass(frozen=True, slots=True)
class Derogation:
    motif: str
    justification: str
    date: dt.date | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Derogation:
        return cls(f.text("motif"), f.text("justification"), f.opt_date("date"))


@dataclass(frozen=True, slots=True)
class Analysis:
    debutee_le: dt.date | None = None
    dispositions_envisagees: tuple[ConsideredDisposition, ...] = ()
    recommandation: tuple[Recommendation, ...] = ()
    calibrage: Calibration | None = None
    derogation: Derogation | None = None
    transmise_le: dt.date | None = None
    redigee_par: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Analysis:
        return cls(
            debutee_le=f.opt_date("debutee_le"),
            dispositions_envisagees=f.build_all("dispositions_envisagees", ConsideredDisposition.from_fields),
            recommandation=f.build_all("recommandation", Recommendation.from_fields),
            calibrage=f.build("calibrage", Calibration.from_fields), derogation=f.build("derogation", Derogation.from_fields),
            transmise_le=f.opt_date("transmise_le"), redigee_par=f.opt_text("redigee_par"),
        )


@dataclass(frozen=True, slots=True)
class RoutingReason:
    partenaire: str
    motif: str
    regle: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> RoutingReason:
        return cls(f.text("partenaire"), f.text("motif"), f.opt_text("regle"))


@dataclass(frozen=True, slots=True)
class Routing:
    coordinations: tuple[str, ...] = ()
    chef_de_file: str | None = None
    reseaux: tuple[str, ...] = ()
    facilitateurs: tuple[str, ...] = ()
    motifs: tuple[RoutingReason, ...] = ()
    mis_en_relation_le: dt.date | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Routing:
        return cls(f.texts("coordinations"), f.opt_text("chef_de_file"), f.texts("reseaux"), f.texts("facilitateurs"),
                   f.build_all("motifs", RoutingReason.from_fields), f.opt_date("mis_en_relation_le"))

    @property
    def partners(self) -> tuple[str, ...]:
        """Coordinations, cheffe de file et réseaux : les parties prenantes qui travaillent sur la demande."""
        lead = (self.chef_de_file,) if self.chef_de_file else ()
        return tuple(dict.fromkeys((*self.coordinations, *lead, *self.reseaux)))

    @property
    def lead(self) -> str | None:
        return self.chef_de_file or (self.coordinations[0] if self.coordinations else None)


@dataclass(frozen=True, slots=True)
class Decision:
    suite: str
    date: dt.date
    dispositions_retenues: tuple[str, ...] = ()
    motif: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Decision:
        return cls(f.text("suite"), f.date("date"), f.texts("dispositions_retenues"), f.opt_text("motif"))


@dataclass(frozen=True, slots=True)
class Holder:
    siret: str
    nom: str
    lots: tuple[int, ...] = ()
    structure_inclusive: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Holder:
        return cls(f.text("siret"), f.text("nom"), f.integers("lots"), f.opt_text("structure_inclusive"))


@dataclass(frozen=True, slots=True)
class KickOff:
    date: dt.date
    facilitateur_present: bool

    @classmethod
    def from_fields(cls, f: Fields) -> KickOff:
        if f.data.get("facilitateur_present") is None:
            raise f.error("facilitateur_present", "champ obligatoire « facilitateur_present » absent (true ou false)")
        return cls(f.date("date"), f.flag("facilitateur_present"))


@dataclass(frozen=True, slots=True)
class PublishedRecord:
    """execution.donnees_essentielles : identifiant DECP et champs publiés recopiés (noms DECP)."""

    id: str
    source: str | None = None
    rapproche_le: dt.date | None = None
    score: float | None = None
    champs: dict[str, Any] = field(default_factory=dict)  # champs DECP recopiés, tels que publiés

    @classmethod
    def from_fields(cls, f: Fields) -> PublishedRecord:
        own = ("id", "source", "rapproche_le", "score", "modifications_appliquees")
        return cls(f.text("id"), f.opt_text("source"), f.opt_date("rapproche_le"), f.opt_number("score"),
                   {k: v for k, v in f.data.items() if k not in own})


@dataclass(frozen=True, slots=True)
class Execution:
    notifie_le: dt.date
    titulaires: tuple[Holder, ...] = ()
    montant_notifie_ht: float | None = None
    heures_contractuelles: float | None = None
    considerations_sociales: tuple[str, ...] = ()
    reunion_lancement: KickOff | None = None
    notification_signalee_le: dt.date | None = None
    donnees_essentielles: PublishedRecord | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Execution:
        return cls(f.date("notifie_le"), f.build_all("titulaires", Holder.from_fields), f.opt_number("montant_notifie_ht"),
                   f.opt_number("heures_contractuelles"), f.texts("considerations_sociales"),
                   f.build("reunion_lancement", KickOff.from_fields), f.opt_date("notification_signalee_le"),
                   f.build("donnees_essentielles", PublishedRecord.from_fields))


@dataclass(frozen=True, slots=True)
class Participants:
    total: int
    femmes: int | None = None
    hommes: int | None = None
    moins_26_ans: int | None = None
    de_26_a_49_ans: int | None = None
    plus_50_ans: int | None = None
    par_public: dict[str, int | float] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, f: Fields) -> Participants:
        return cls(f.integer("total"), f.opt_integer("femmes"), f.opt_integer("hommes"), f.opt_integer("moins_26_ans"),
                   f.opt_integer("de_26_a_49_ans"), f.opt_integer("plus_50_ans"), f.counts("par_public"))

    def count(self, name: str) -> int | float | None:
        """Effectif d'une catégorie (attribut ou clé de par_public) ; None si non renseigné."""
        if name in ("total", "femmes", "hommes", "moins_26_ans", "de_26_a_49_ans", "plus_50_ans"):
            return getattr(self, name)
        return self.par_public.get(name)


@dataclass(frozen=True, slots=True)
class InclusiveCompanies:
    nombre: int | None = None
    chiffre_affaires_ht: float | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> InclusiveCompanies:
        return cls(f.opt_integer("nombre"), f.opt_number("chiffre_affaires_ht"))


@dataclass(frozen=True, slots=True)
class Qualitative:
    faits_marquants: str | None = None
    difficultes: str | None = None
    perspectives: str | None = None
    publiable: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> Qualitative:
        return cls(f.opt_text("faits_marquants"), f.opt_text("difficultes"), f.opt_text("perspectives"), f.flag("publiable"))


@dataclass(frozen=True, slots=True)
class YearResult:
    annee: int
    heures_realisees: float
    participants: Participants
    heures_prevues: float | None = None
    contrats: dict[str, int | float] = field(default_factory=dict)
    heures_par_modalite: dict[str, int | float] = field(default_factory=dict)
    sorties: dict[str, int | float] = field(default_factory=dict)
    entreprises_inclusives: InclusiveCompanies | None = None
    qualitatif: Qualitative | None = None
    transmis_le: dt.date | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> YearResult:
        participants = f.build("participants", Participants.from_fields)
        if participants is None:
            raise f.error("participants", "champ obligatoire « participants » absent")
        return cls(
            annee=f.integer("annee"), heures_realisees=f.number("heures_realisees"), participants=participants,
            heures_prevues=f.opt_number("heures_prevues"), contrats=f.counts("contrats"),
            heures_par_modalite=f.counts("heures_par_modalite"), sorties=f.counts("sorties"),
            entreprises_inclusives=f.build("entreprises_inclusives", InclusiveCompanies.from_fields),
            qualitatif=f.build("qualitatif", Qualitative.from_fields), transmis_le=f.opt_date("transmis_le"),
        )


@dataclass(frozen=True, slots=True)
class Closure:
    date: dt.date
    bilan: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Closure:
        return cls(f.date("date"), f.opt_text("bilan"))


@dataclass(frozen=True, slots=True)
class Abandonment:
    date: dt.date
    motif: str

    @classmethod
    def from_fields(cls, f: Fields) -> Abandonment:
        return cls(f.date("date"), f.text("motif"))


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    """Un marché publié (DECP) qu'une personne a refusé de rapprocher de la demande (import decp --reject)."""

    id: str
    refuse_le: dt.date
    acheteur: str | None = None
    motif: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> RejectedRecord:
        return cls(f.text("id"), f.date("refuse_le"), f.opt_text("acheteur"), f.opt_text("motif"))


@dataclass(frozen=True, slots=True)
class Case:
    """Une demande au guichet, telle que lue dans cases/<année>/<id>.yaml."""

    path: Path
    id: str
    statut: str
    recue_le: dt.date
    donneur_ordre: str
    demandeur: str
    marche: Market
    fictif: bool = False
    canal: str | None = None
    analyse: Analysis | None = None
    routage: Routing | None = None
    decision: Decision | None = None
    execution: Execution | None = None
    resultats: tuple[YearResult, ...] = ()
    suivi: FollowUp | None = None
    cloture: Closure | None = None
    abandon: Abandonment | None = None
    notes: str | None = None
    sourcing: SourcingRecord | None = None
    rejected_records: tuple[RejectedRecord, ...] = ()
    # Confidentielle jusqu'à cette date (publication) : voir core/facts/confidentiality.py.
    confidentielle_jusqu_au: dt.date | None = None
    # Arbre lu, pour les seules règles qui nomment un champ par son chemin (rules/cycle_de_vie.yaml,
    # rules/transitions.yaml) : `field_value` / `has_field`, jamais lu directement par une commande.
    raw: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def from_data(cls, path: Path, data: Any) -> Case:
        f = Fields(data, path)
        marche = f.build("marche", Market.from_fields)
        if marche is None:
            raise ModelError(path, (), "bloc obligatoire « marche » absent")
        return cls(
            path=path, id=f.text("id"), statut=f.text("statut"), recue_le=f.date("recue_le"), donneur_ordre=f.text("donneur_ordre"),
            demandeur=f.text("demandeur"), marche=marche, fictif=f.flag("fictif"), canal=f.opt_text("canal"),
            analyse=f.build("analyse", Analysis.from_fields), routage=f.build("routage", Routing.from_fields),
            decision=f.build("decision", Decision.from_fields), execution=f.build("execution", Execution.from_fields),
            resultats=f.build_all("resultats", YearResult.from_fields),
            suivi=f.build("suivi", FollowUp.from_fields), cloture=f.build("cloture", Closure.from_fields),
            abandon=f.build("abandon", Abandonment.from_fields), notes=f.opt_text("notes"), raw=data,
            sourcing=f.build("sourcing", SourcingRecord.from_fields),
            rejected_records=f.build_all("rapprochements_refuses", RejectedRecord.from_fields),
            confidentielle_jusqu_au=f.opt_date("confidentielle_jusqu_au"),
        )

    def rejects(self, decp_id: str, buyer: str) -> bool:
        """Ce marché publié (identifiant DECP, acheteur) a-t-il été refusé pour cette demande ?"""
        return any(r.id == decp_id and (r.acheteur is None or r.acheteur == buyer) for r in self.rejected_records)

    def field_value(self, dotted: str) -> Any:
        """Valeur au chemin `a.b.c` nommé par une règle, ou None (valeur vide = absente)."""
        return field_value(self.raw, dotted)

    def has_field(self, dotted: str) -> bool:
        return self.field_value(dotted) is not None

    # --- faits dérivés, calculés ici et nulle part ailleurs ------------------------------------

    @property
    def year(self) -> int:
        return self.recue_le.year

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        return self.analyse.recommandation if self.analyse else ()

    @property
    def ranked_recommendations(self) -> tuple[Recommendation, ...]:
        """Recommandations par rang croissant ; sans rang : après les autres, dans l'ordre du fichier."""
        return tuple(sorted(self.recommendations, key=lambda r: 999 if r.rang is None else r.rang))

    @property
    def recommended_dispositions(self) -> tuple[str, ...]:
        return tuple(r.disposition for r in self.recommendations)

    @property
    def retained_dispositions(self) -> tuple[str, ...]:
        return self.decision.dispositions_retenues if self.decision else ()

    @property
    def calibration(self) -> Calibration | None:
        return self.analyse.calibrage if self.analyse else None

    @property
    def has_insertion_clause(self) -> bool:
        """Clause d'insertion retenue par le donneur d'ordre, ou à défaut recommandée par le guichet."""
        return CLAUSE_INSERTION in self.retained_dispositions or CLAUSE_INSERTION in self.recommended_dispositions

    @property
    def contract_hours(self) -> float | None:
        """Heures d'insertion contractuelles : celles de l'exécution, à défaut celles du calibrage."""
        if self.execution is not None and self.execution.heures_contractuelles is not None:
            return self.execution.heures_contractuelles
        return self.calibration.heures if self.calibration else None

    @property
    def facilitators(self) -> tuple[str, ...]:
        return self.routage.facilitateurs if self.routage else ()

    @property
    def partners(self) -> tuple[str, ...]:
        return self.routage.partners if self.routage else ()

    @property
    def result_years(self) -> frozenset[int]:
        return frozenset(r.annee for r in self.resultats)
