"""Registres du dépôt, typés : donneurs d'ordre, parties prenantes (et leurs facilitateurs), contacts.

Les contacts sont le seul endroit des données personnelles (RGPD) : les autres types ne portent
que des références `contact-…`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from guichet_cli.core.model.fields import Fields

COORDINATION = "coordination_departementale"
IAE_NETWORK = "reseau_iae_departemental"


@dataclass(frozen=True, slots=True)
class Convention:
    partenaire: str
    objet: str | None = None
    debut: dt.date | None = None
    fin: dt.date | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Convention:
        return cls(f.text("partenaire"), f.opt_text("objet"), f.opt_date("debut"), f.opt_date("fin"))


@dataclass(frozen=True, slots=True)
class Buyer:
    path: Path
    siret: str
    nom: str
    type_acheteur: str
    departement: str
    fictif: bool = False
    categorie: str | None = None
    contacts_dedies: tuple[str, ...] = ()
    conventions: tuple[Convention, ...] = ()
    spaser: bool | None = None
    adresse: tuple[str, ...] = ()  # lignes de l'adresse postale (bloc destinataire des lettres)

    @classmethod
    def from_data(cls, path: Path, data: object) -> Buyer:
        f = Fields(data, path)
        return cls(path, f.text("siret"), f.text("nom"), f.text("type_acheteur"), f.text("departement"), f.flag("fictif"),
                   f.opt_text("categorie"), f.texts("contacts_dedies"), f.build_all("conventions", Convention.from_fields),
                   f.opt_flag("spaser"), f.texts("adresse"))


@dataclass(frozen=True, slots=True)
class Address:
    role: str
    courriel: str | None = None
    a_confirmer: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> Address:
        return cls(f.text("role"), f.opt_text("courriel"), f.flag("a_confirmer"))


@dataclass(frozen=True, slots=True)
class Facilitator:
    id: str
    contact: str
    coordination: str
    communes: tuple[str, ...] = ()
    fictif: bool = False


@dataclass(frozen=True, slots=True)
class Partner:
    path: Path
    id: str
    nom: str
    type: str
    source: str
    sigle: str | None = None
    nom_a_confirmer: bool = False
    departements: tuple[str, ...] = ()
    dispositions: tuple[str, ...] = ()
    secteurs_cpv: tuple[str, ...] = ()
    missions: tuple[str, ...] = ()
    adresses: tuple[Address, ...] = ()
    equipe_forge: str | None = None
    facilitateurs: tuple[Facilitator, ...] = ()

    @classmethod
    def from_data(cls, path: Path, data: object) -> Partner:
        f = Fields(data, path)
        pid = f.text("id")
        facs = tuple(
            Facilitator(x.text("id"), x.text("contact"), pid, x.texts("communes"), x.flag("fictif")) for x in f.items("facilitateurs")
        )
        return cls(path, pid, f.text("nom"), f.text("type"), f.text("source"), f.opt_text("sigle"), f.flag("nom_a_confirmer"),
                   f.texts("departements"), f.texts("dispositions"), f.texts("secteurs_cpv"), f.texts("missions"),
                   f.build_all("adresses", Address.from_fields), f.opt_text("equipe_forge"), facs)

    @property
    def label(self) -> str:
        """Nom court affiché : le sigle, sinon le nom."""
        return self.sigle or self.nom

    @property
    def emails(self) -> tuple[str, ...]:
        return tuple(a.courriel for a in self.adresses if a.courriel)


@dataclass(frozen=True, slots=True)
class Contact:
    path: Path
    id: str
    nom: str
    organisation: str
    fictif: bool = False
    civilite: str | None = None
    prenom: str | None = None
    courriel: str | None = None
    telephone: str | None = None
    fonction: str | None = None
    base_legale_rgpd: str | None = None
    conserver_jusqu_au: dt.date | None = None

    @classmethod
    def from_data(cls, path: Path, data: object) -> Contact:
        f = Fields(data, path)
        return cls(path, f.text("id"), f.text("nom"), f.text("organisation"), f.flag("fictif"), f.opt_text("civilite"),
                   f.opt_text("prenom"), f.opt_text("courriel"), f.opt_text("telephone"), f.opt_text("fonction"),
                   f.opt_text("base_legale_rgpd"), f.opt_date("conserver_jusqu_au"))

    @property
    def full_name(self) -> str:
        return " ".join(x for x in (self.prenom, self.nom) if x) or self.id


@dataclass
class Registry:
    """Les trois registres, indexés par identifiant (SIRET pour les donneurs d'ordre)."""

    partners: dict[str, Partner] = field(default_factory=dict)
    buyers: dict[str, Buyer] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    facilitators: dict[str, Facilitator] = field(default_factory=dict)

    def add_partner(self, p: Partner) -> None:
        self.partners[p.id] = p
        for fac in p.facilitateurs:
            self.facilitators[fac.id] = fac

    def coordination_for(self, departement: str) -> Partner | None:
        return next((p for p in self.partners.values() if p.type == COORDINATION and departement in p.departements), None)

    def iae_network_for(self, departement: str) -> Partner | None:
        return next((p for p in self.partners.values() if p.type == IAE_NETWORK and departement in p.departements), None)

    def partner_label(self, pid: str) -> str:
        p = self.partners.get(pid)
        return p.label if p else pid

    def facilitator_label(self, fid: str) -> str:
        """« Prénom Nom (coordination) » quand le contact est connu, sinon l'identifiant."""
        fac = self.facilitators.get(fid)
        if fac is None:
            return fid
        contact = self.contacts.get(fac.contact)
        who = contact.full_name if contact else fid
        return f"{who} ({self.partner_label(fac.coordination)})"

    def contact_name(self, cid: str) -> str:
        c = self.contacts.get(cid)
        return c.full_name if c else cid

    def buyer_name(self, siret: str) -> str:
        b = self.buyers.get(siret)
        return b.nom if b else siret

    def buyer_type(self, siret: str) -> str | None:
        b = self.buyers.get(siret)
        return b.type_acheteur if b else None
