"""Qui est attendu : libellé et identifiant d'un acteur, pour `due`, le suivi et les relances.

Un seul endroit, parce que les attentes du cycle de vie (`core/due.py`) et celles du suivi
(`core/followup/duties.py`) désignent les mêmes acteurs et doivent les nommer de la même façon.
"""

from __future__ import annotations

from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry

Actor = tuple[str, str]  # (libellé lu par une personne, identifiant)


def buyer(reg: Registry, case: Case) -> Actor:
    return f"donneur d'ordre : {reg.buyer_name(case.donneur_ordre)}", case.donneur_ordre


def facilitator(reg: Registry, case: Case) -> Actor:
    """Le premier facilitateur du dossier, sinon la coordination cheffe de file, sinon le guichet."""
    if case.facilitators:
        fid = case.facilitators[0]
        return f"facilitateur : {reg.facilitator_label(fid)}", fid
    lead = case.routage.lead if case.routage else None
    if lead:
        return f"coordination : {reg.partner_label(lead)}", lead
    return "guichet : routage à faire", "guichet"
