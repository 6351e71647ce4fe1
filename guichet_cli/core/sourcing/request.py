"""Demande de sourcing à chaque réseau concerné : texte et .eml (rien n'est envoyé).

Réutilise le brouillon de courriel de la mise en relation (core/analysis/eml.py) : mêmes en-têtes
déterministes, destinataire sans adresse connue laissé « à compléter »."""

from __future__ import annotations

import datetime as dt

from guichet_cli.core import frformat as fr
from guichet_cli.core.analysis.eml import Draft
from guichet_cli.core.facts import confidentiality
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.sourcing.advice import ADVICE_LABELS, Sourcing


def drafts(case: Case, reg: Registry, so: Sourcing, masks: confidentiality.Masks, today: dt.date) -> list[Draft]:
    """Une demande par réseau. Un réseau consulté qui n'est pas orienté sur une demande
    confidentielle n'en reçoit ni l'objet ni les montants (core/facts/confidentiality.py)."""
    m = case.marche
    out = []
    for pid in so.networks:
        shown = confidentiality.View(case, confidentiality.hidden_for(case, [pid], today), masks)
        partner = reg.partners.get(pid)
        name = partner.label if partner is not None else pid
        mails = list(partner.emails) if partner is not None else []
        recipients: list[tuple[str, str | None]] = [(name, x) for x in mails] or [(name, None)]
        body = ["Bonjour,", "",
                "Le Guichet Régional des Clauses Sociales prépare la recommandation d'un marché et vous demande quelles",
                "structures de votre réseau pourraient y répondre (sourcing qualifié, charte du guichet).", "",
                f"Dossier : {case.id}", f"Donneur d'ordre : {reg.buyer_name(case.donneur_ordre)}", f"Objet : {shown.objet}",
                f"Durée : {m.duree_mois} mois" + (f" ; lancement prévu : {fr.date_fr(m.lancement_prevu.isoformat())}" if m.lancement_prevu else ""),
                ""]
        for lot in (x for x in so.lots if pid in x.networks):
            need = lot.need
            places = ", ".join(p.departement + (f" ({p.commune})" if p.commune else "") for p in need.places)
            label = (f"lot {need.numero}" if need.numero is not None else "marché") if shown.hidden else need.label
            body.append(f"* {label[0].upper() + label[1:]} : {', '.join(need.sectors.values())} (CPV {', '.join(need.cpv)})")
            body.append(f"  lieux d'exécution : {places} ; montant annuel estimé : {shown.eur(need.yearly)} HT")
            body.append(f"  état du registre : {ADVICE_LABELS[lot.advice]}")
            known = [x for x in lot.matches if pid in x.structure.reseaux]
            if known:
                body.append("  structures de votre réseau déjà repérées (merci de confirmer leur intérêt) :")
                body.extend(f"    - {x.structure.label} (SIRET {x.structure.siret})" for x in known)
        body += ["", "Merci de nous indiquer, pour chaque lot, les structures intéressées (ou l'absence de structure) ;",
                 "vos réponses sont enregistrées dans le dossier et citées dans la recommandation.", "",
                 "Cordialement,", "La MACS – Guichet Régional des Clauses Sociales"]
        out.append(Draft(f"sourcing-{pid}", f"demande de sourcing : {name}", recipients,
                         f"[{case.id}] Demande de sourcing – {shown.objet}", "\n".join(body)))
    return out
