"""Confidentialité d'une demande : un seul endroit décide qui voit l'objet et les montants.

La charte : « La MACS et les parties prenantes du Guichet Régional s'engagent à ne pas diffuser
les éléments transmis dans le cadre de ce service. » Une demande porte `confidentielle_jusqu_au`
(date de publication prévue) : jusqu'à cette date, son objet et ses montants ne figurent que dans
les documents destinés aux partenaires orientés sur elle (bloc routage : coordinations, cheffe de
file, réseaux, et les facilitateurs de ces coordinations). Tout autre destinataire — un réseau
consulté pour le sourcing sans être orienté, un partenaire d'un routage pas encore enregistré, le
panorama régional diffusé à tous — reçoit les textes de remplacement de rules/rgpd.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from guichet_cli.core import frformat as fr
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.workspace import Workspace, packaged_data_dir

RULES = "rgpd"


@dataclass(frozen=True)
class Masks:
    object_text: str  # « … jusqu'à sa publication (le {date}) »
    amount_text: str
    source: str


def masks(ws: Workspace) -> Masks:
    """Les textes de remplacement (rules/rgpd.yaml#confidentialite ; celui livré avec guichet si le
    dépôt n'a pas encore ce fichier de règles)."""
    if (ws.rules_dir / f"{RULES}.yaml").is_file():
        data = ws.store.rules(RULES)
    else:
        data = ws.store.entry(packaged_data_dir("rules") / f"{RULES}.yaml").data or {}
    c = data["confidentialite"]
    return Masks(c["objet_masque"], c["montant_masque"], c["source"])


def is_confidential(case: Case, on: dt.date) -> bool:
    """Vrai tant que la date de publication n'est pas atteinte."""
    return case.confidentielle_jusqu_au is not None and on < case.confidentielle_jusqu_au


def routed(case: Case) -> frozenset[str]:
    """Partenaires orientés sur la demande (routage enregistré)."""
    return frozenset(case.partners)


def partner_of(reg: Registry, actor_id: str) -> str | None:
    """Le partenaire qu'un destinataire représente : lui-même, ou la coordination d'un facilitateur."""
    if actor_id in reg.partners:
        return actor_id
    fac = reg.facilitators.get(actor_id)
    return fac.coordination if fac is not None else None


def hidden_for(case: Case, recipients: Iterable[str], on: dt.date, *, also_routed: Iterable[str] = ()) -> bool:
    """Vrai si l'objet et les montants de `case` doivent être masqués dans un document destiné à
    `recipients` (identifiants de partenaires) : demande confidentielle et au moins un destinataire
    non orienté. `also_routed` : partenaires d'un routage enregistré par la même commande."""
    if not is_confidential(case, on):
        return False
    ok = routed(case) | frozenset(also_routed)
    recipients = list(recipients)
    return not recipients or any(p not in ok for p in recipients)


@dataclass(frozen=True)
class View:
    """Objet et montants d'une demande tels qu'un destinataire peut les voir."""

    case: Case
    hidden: bool
    masks: Masks

    @property
    def objet(self) -> str:
        if not self.hidden:
            return self.case.marche.objet
        until = self.case.confidentielle_jusqu_au
        return self.masks.object_text.format(date=fr.date_fr(until.isoformat()) if until else "")

    def eur(self, amount: float | int | None) -> str:
        return self.masks.amount_text if self.hidden else fr.eur(amount)


def view(ws: Workspace, case: Case, recipients: Iterable[str], on: dt.date, *, also_routed: Iterable[str] = ()) -> View:
    return View(case, hidden_for(case, recipients, on, also_routed=also_routed), masks(ws))


def public_view(ws: Workspace, case: Case, on: dt.date) -> View:
    """Document destiné à tous (panorama régional, bilan public) : masqué tant que la demande est confidentielle."""
    return View(case, is_confidential(case, on), masks(ws))
