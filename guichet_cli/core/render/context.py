"""Contexte de rendu d'un modèle : les seules données que les modèles voient.

Construit uniquement à partir de ce qui est enregistré dans le dossier (analyse.recommandation,
analyse.calibrage, routage) et dans les registres ; jamais en relançant l'analyse. Le contrat
(les noms de variables et leur forme) est schemas/contexte_modele.schema.json : toute clé
ajoutée ici doit y être déclarée pour qu'un modèle puisse l'utiliser.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts import labels, legal_frame
from guichet_cli.core.model.case import Case, Market, Recommendation
from guichet_cli.core.model.registry import Registry

# Libellés des natures, formes, procédures, bases de calibrage et dispositions : listes partagées
# de schemas/defs.schema.json (facts/labels.py), les mêmes que partout ailleurs.


def reference_date(case: Case) -> dt.date:
    """Date qui date la rédaction (nom de fichier, propriétés du document) : tirée du dossier, jamais « aujourd'hui »."""
    analyse, calibrage = case.analyse, case.calibration
    candidates = (analyse.transmise_le if analyse else None, calibrage.valide_le if calibrage else None,
                  analyse.debutee_le if analyse else None)
    return next((d for d in candidates if d is not None), case.recue_le)


def _list_text(items: list[str]) -> str:
    """['a', 'b', 'c'] → « a, b et c »."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _legal_basis_text(basis: str) -> str:
    """« L2113-13, R2113-7 » → « articles L2113-13 et R2113-7 du code de la commande publique »
    (une lettre à l'acheteur cite les articles en toutes lettres) ; « — » ou vide → ""."""
    refs = [r.strip() for r in re.split(r"[,;]| et ", basis) if re.match(r"\s*[LRD]\d", r)]
    if not refs:
        return ""
    word = "article" if len(refs) == 1 else "articles"
    return f"{word} {_list_text(refs)} du code de la commande publique"


def _lots_text(numbers: list[int]) -> str:
    if not numbers:
        return "l’ensemble du marché"
    nums = [str(n) for n in sorted(numbers)]
    return ("le lot n°" + fr.NBSP + nums[0]) if len(nums) == 1 else ("les lots n°" + fr.NBSP + _list_text(nums))


def _money_or_empty(value: Any) -> str:
    return fr.money(value) if isinstance(value, int | float) else ""


def _contact(reg: Registry, cid: str | None) -> dict[str, str]:
    c = reg.contacts.get(cid or "")
    if c is None:
        return {"civilite": "", "nom_complet": "", "fonction": "", "courriel": "", "telephone": ""}
    return {
        "civilite": c.civilite or "",
        "nom_complet": c.full_name,
        "fonction": c.fonction or "",
        "courriel": c.courriel or "",
        "telephone": c.telephone or "",
    }


def _partner_name(reg: Registry, pid: str | None) -> str:
    p = reg.partners.get(pid or "")
    return p.nom if p else ""


def _partner_in_letter(reg: Registry, pid: str) -> str:
    """Nom d'un partenaire tel qu'une lettre le cite (« Nom (SIGLE) ») ; "" si le registre ne
    connaît pas son nom exact (nom_a_confirmer) : une lettre ne montre pas « (nom à confirmer) »."""
    p = reg.partners.get(pid)
    if p is None or p.nom_a_confirmer or "à confirmer" in p.nom:
        return ""
    return f"{p.nom} ({p.sigle})" if p.sigle and p.sigle not in p.nom else p.nom


# Noms communs en tête d'un nom de structure : ils prennent l'article (« le Conseil départemental… ») ;
# un nom propre (« Initiatives 77 », « Inclusiv’Essonne ») n'en prend pas.
_MASCULINE = ("Conseil", "Groupement", "GIP", "Réseau", "Établissement", "Syndicat", "Département", "Centre", "Comité", "Pôle",
              "Service", "Ensemble")
_FEMININE = ("Union", "Maison", "Mission", "Ville", "Communauté", "Coordination", "Fédération", "Direction", "Plateforme",
             "Chambre", "Association", "Régie", "Agence", "Métropole", "Préfecture", "Région")


def _with_article(name: str) -> str:
    """« Conseil départemental … » → « le Conseil départemental … » ; « Union … » → « l’Union … »."""
    first = name.split(" ", 1)[0]
    if first in _FEMININE or first in _MASCULINE:
        if first[0] in "AEIOUÉÈ":
            return "l’" + name
        return ("la " if first in _FEMININE else "le ") + name
    return name


def _salutation(civilite: str) -> str:
    """Appel d'une lettre à un destinataire connu : « Madame, » / « Monsieur, » ; sinon les deux."""
    return {"Mme": "Madame", "M.": "Monsieur"}.get(civilite, "Madame, Monsieur")


def _is_generated(rec: Recommendation) -> bool:
    """Justification écrite par `guichet recommend --write` (elle porte la règle appliquée) : un
    texte de contrôle (« marché de main-d'œuvre (80 % ≥ 50 %) ; … ») qu'une lettre ne recopie pas."""
    return bool(rec.regle) or "≥" in (rec.justification or "")


def _facilitator(reg: Registry, case: Case) -> dict[str, Any]:
    calibrage = case.calibration
    candidates = [*case.facilitators, *([calibrage.valide_par] if calibrage and calibrage.valide_par else [])]
    for fid in candidates:
        fac = reg.facilitators.get(fid)
        if fac:
            contact = _contact(reg, fac.contact)
            return {
                "present": True,
                **contact,
                "structure": reg.partner_label(fac.coordination),
                "structure_nom": _partner_name(reg, fac.coordination),
            }
    chef = case.routage.chef_de_file if case.routage else None
    return {
        "present": False,
        "civilite": "",
        "nom_complet": "",
        "fonction": "",
        "courriel": "",
        "telephone": "",
        "structure": reg.partner_label(chef) if chef else "",
        "structure_nom": _partner_name(reg, chef),
    }


def _market(m: Market, names: labels.Labels) -> dict[str, Any]:
    lots = [
        {
            "numero": lot.numero,
            "intitule": lot.intitule,
            "montant_texte": fr.money(lot.montant_estime_ht),
            "cpv_texte": ", ".join(lot.cpv),
        }
        for lot in m.lots
    ]
    lieux = [f"commune {lieu.commune}" if lieu.commune else f"département {lieu.departement}" for lieu in m.lieux_execution]
    forme = m.forme
    return {
        "objet": m.objet,
        "nature": m.nature,
        "nature_libelle": names.nature(m.nature),
        "forme_libelle": names.forme(forme),
        "accord_cadre": forme.startswith("accord_cadre"),
        "procedure_libelle": names.label("procedure", m.procedure, ""),
        "duree_texte": fr.months(m.duree_mois),
        "montant_estime_texte": fr.money(m.montant_estime_ht),
        "montant_estime_lettres": fr.money_words(m.montant_estime_ht),
        "montant_maximum_texte": _money_or_empty(m.montant_maximum_ht),
        "cpv_texte": ", ".join(m.cpv),
        "lieux_texte": _list_text(lieux),
        "anru": m.anru,
        "lots": lots,
    }


def _calibration(case: Case, lots_by_number: dict[int, str], names: labels.Labels) -> dict[str, Any]:
    cal = case.calibration
    if cal is None:
        return {"present": False, "heures_texte": "", "heures_lettres": "", "heures_par_an_texte": "", "etp_texte": "",
                "montant_retenu_texte": "", "part_main_oeuvre_texte": "", "taux_insertion_texte": "", "cout_horaire_texte": "",
                "base_libelle": "", "base_commentaire": "", "valide_le_texte": "", "lots": []}

    def opt(value: float | None, fmt: Any) -> str:
        return "" if value is None else fmt(value)

    return {
        "present": True,
        "heures_texte": fr.hours(cal.heures),
        "heures_lettres": fr.words(cal.heures),
        "heures_par_an_texte": opt(cal.heures_par_an, fr.hours),
        "etp_texte": opt(cal.etp, lambda v: fr.number(v, 2)),
        "montant_retenu_texte": opt(cal.montant_retenu_ht, fr.money),
        "part_main_oeuvre_texte": opt(cal.part_main_oeuvre, fr.percent),
        "taux_insertion_texte": opt(cal.taux_insertion, fr.percent),
        "cout_horaire_texte": opt(cal.cout_horaire, lambda v: fr.money(v, ht=False) + fr.NBSP + "de l’heure"),
        "base_libelle": names.label("base_calibrage", cal.base, ""),
        "base_commentaire": fr.typography(cal.base_commentaire or ""),
        "valide_le_texte": fr.date_long(cal.valide_le) if cal.valide_le else "",
        "lots": [
            {
                "numero": lot.numero,
                "intitule": lots_by_number.get(lot.numero, ""),
                "heures_texte": fr.hours(lot.heures),
                "montant_retenu_texte": _money_or_empty(lot.montant_retenu_ht),
            }
            for lot in cal.lots
        ],
    }


def _recommendation(
    rec: Recommendation, dispositions: dict[str, Any], market: dict[str, Any], duration: int, has_template: bool,
    names: labels.Labels, frame: legal_frame.Frame,
) -> dict[str, Any]:
    code = rec.disposition
    rule = dispositions.get(code) or {}
    lots = list(rec.lots)
    articles = frame.articles([str(a) for a in (rule.get("articles") or [])])
    articles_text = _list_text(["article " + a for a in articles])
    max_months = rule.get("duree_max_mois")
    share = rule.get("proportion_minimale")
    basis = rec.base_legale or str(rule.get("base_legale") or "")
    return {
        "decp": str(rule.get("decp") or ""),
        "proportion_minimale_texte": fr.percent(share) if isinstance(share, int | float) else "",
        "duree_max_texte": fr.months(int(max_months)) if isinstance(max_months, int) else "",
        "duree_depassee": isinstance(max_months, int) and duration > max_months,
        "code": code,
        "libelle": names.disposition(code),
        "base_legale": basis,
        "base_legale_texte": _legal_basis_text(basis),
        "articles": articles,
        "articles_texte": articles_text,
        "fondement_texte": frame.opening(rule),
        "references_texte": frame.references(articles_text),
        "justification": fr.typography(rec.justification or ""),
        "justification_lettre": "" if _is_generated(rec) else fr.typography(_sentence(rec.justification or "")),
        "phrase": _recommendation_sentence(names.disposition(code), _lots_text(lots), frame.letter_basis(_legal_basis_text(basis))),
        "lots": lots,
        "perimetre_texte": _lots_text(lots),
        "lots_detail": [lot for lot in market["lots"] if not lots or lot["numero"] in lots],
        "modele": has_template,
    }


def _sentence(text: str) -> str:
    """Une phrase : majuscule initiale, point final."""
    text = text.strip()
    if not text:
        return ""
    text = (text[0].upper() + text[1:]).replace("'", "’")
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _recommendation_sentence(label: str, scope: str, basis: str) -> str:
    """« Pour l'ensemble du marché : un critère …, sur le fondement de l'article R2152-7 du code de la commande publique. »
    (`basis` : fin de phrase du cadre juridique, « sur le fondement de … » ou « à titre volontaire, sur le modèle de … »)."""
    return _sentence(f"pour {scope}{fr.NBSP}: {label}" + (f", {basis}" if basis else ""))


def _calibration_sentence(cal: dict[str, Any]) -> str:
    """Le calibrage en phrases, sans les blancs des valeurs inconnues."""
    if not cal["present"]:
        return ""
    text = f"Nous proposons de retenir {cal['heures_texte']} de travail d’insertion sur la durée du marché"
    if cal["heures_par_an_texte"]:
        text += f", soit environ {cal['heures_par_an_texte']} par an"
        if cal["etp_texte"]:
            text += f" ({cal['etp_texte']}{fr.NBSP}équivalent temps plein)"
    text += "."
    if cal["montant_retenu_texte"]:
        base = f" ({cal['base_libelle']})" if cal["base_libelle"] else ""
        text += f" Ce volume est calculé sur {cal['montant_retenu_texte']}{base}"
        text += f", avec un taux d’insertion de {cal['taux_insertion_texte']}." if cal["taux_insertion_texte"] else "."
    if cal["valide_le_texte"]:
        text += f" Il a été validé avec le facilitateur le {cal['valide_le_texte']}."
    return text


def _routing_sentence(reg: Registry, case: Case) -> str:
    routage = case.routage
    if routage is None:
        return ""
    lead = _partner_in_letter(reg, routage.chef_de_file) if routage.chef_de_file else ""
    networks = [n for n in (_partner_in_letter(reg, p) for p in routage.reseaux) if n]
    parts = []
    if lead:
        parts.append(f"La mise en œuvre sur votre territoire est coordonnée par {_with_article(lead)}")
    if networks:
        verb = "peut" if len(networks) == 1 else "peuvent"
        parts.append(f"{_list_text([_with_article(n) for n in networks])} {verb} vous aider à identifier les structures en mesure de répondre")
    return _sentence(" ; ".join(parts)) if parts else ""


def _sender(settings: dict[str, Any]) -> dict[str, Any]:
    """Identification du guichet (en-tête de lettre, signataire) : guichet.yaml, sans rien inventer."""
    sign = settings.get("signataire") or {}
    return {
        "nom": str(settings.get("guichet") or "Guichet Régional des Clauses Sociales"),
        "coordonnees": [str(x) for x in settings.get("coordonnees") or []],
        "signataire_nom": str(sign.get("nom") or ""),
        "signataire_fonction": str(sign.get("fonction") or ""),
    }


def build_context(
    case: Case,
    reg: Registry,
    dispositions: dict[str, Any],
    redaction: dict[str, Any],
    settings: dict[str, Any],
    disposition: str | None,
    names: labels.Labels | None = None,
    frame: legal_frame.Frame | None = None,
) -> dict[str, Any]:
    """Contexte complet pour une disposition (None : lettre d'accompagnement).

    `names` : libellés du dépôt (`labels.of(ws)`) ; à défaut, ceux livrés avec guichet. `frame` : cadre
    juridique de l'acheteur (`legal_frame.for_case`) ; à défaut, acheteur soumis au code."""
    names = names or labels.packaged()
    frame = frame or legal_frame.Frame(False, None)
    market = _market(case.marche, names)
    lots_by_number = {lot.numero: lot.intitule for lot in case.marche.lots}
    templates = redaction.get("modeles") or {}
    recs = [
        _recommendation(r, dispositions, market, case.marche.duree_mois, r.disposition in templates, names, frame)
        for r in case.ranked_recommendations
    ]
    current = next((r for r in recs if r["code"] == disposition), None) if disposition else None
    routage = case.routage
    calibration = _calibration(case, lots_by_number, names)
    penalty = redaction["penalite_heure"]
    hourly = (case.calibration.cout_horaire if case.calibration else None) or penalty["cout_horaire_defaut"]
    crit = redaction["critere_social"]
    ref = reference_date(case)
    buyer = reg.buyers.get(case.donneur_ordre)
    demandeur = _contact(reg, case.demandeur)
    demandeur["appel"] = _salutation(demandeur["civilite"])
    return {
        "dossier": {
            "id": case.id,
            "recue_le_texte": fr.date_long(case.recue_le),
            "date_texte": fr.date_long(ref),
        },
        "acheteur": {"nom": reg.buyer_name(case.donneur_ordre), "siret": case.donneur_ordre,
                     "adresse": list(buyer.adresse) if buyer else [],
                     "volontaire": frame.voluntary, "cadre_texte": frame.letter_notice},
        "demandeur": demandeur,
        "marche": market,
        "disposition": current or {},
        "recommandations": recs,
        "codes_recommandes": [r["code"] for r in recs],
        "calibrage": {**calibration, "phrase": _calibration_sentence(calibration)},
        "facilitateur": _facilitator(reg, case),
        "routage": {
            "chef_de_file": reg.partner_label(routage.chef_de_file) if routage and routage.chef_de_file else "",
            "coordinations_texte": _list_text([reg.partner_label(p) for p in routage.coordinations] if routage else []),
            "reseaux_texte": _list_text([reg.partner_label(p) for p in routage.reseaux] if routage else []),
            "phrase": _routing_sentence(reg, case),
        },
        "redaction": {
            "penalite_heure_texte": fr.money(hourly * penalty["coefficient"], ht=True),
            "periodicite_suivi": str(redaction["periodicite_suivi"]),
            "critere_ponderation_texte": fr.percent(crit["ponderation"]),
            "sous_criteres": [
                {"libelle": str(s["libelle"]), "ponderation_texte": fr.percent(s["ponderation"])} for s in crit["sous_criteres"]
            ],
        },
        "guichet": _sender(settings),
    }


def reference_datetime(case: Case) -> dt.datetime:
    return dt.datetime.combine(reference_date(case), dt.time(), tzinfo=dt.UTC)
