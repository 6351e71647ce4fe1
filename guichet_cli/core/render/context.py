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
from guichet_cli.core.registry import Registry

NATURES = {"travaux": "marché de travaux", "services": "marché de services", "fournitures": "marché de fournitures"}
FORMES = {
    "marche_ordinaire": "marché ordinaire",
    "accord_cadre_bons_de_commande": "accord-cadre à bons de commande",
    "accord_cadre_marches_subsequents": "accord-cadre à marchés subséquents",
    "accord_cadre_mixte": "accord-cadre mixte",
    "marche_subsequent": "marché subséquent",
    "concession": "concession",
}
PROCEDURES = {
    "procedure_adaptee": "procédure adaptée",
    "appel_offres_ouvert": "appel d’offres ouvert",
    "appel_offres_restreint": "appel d’offres restreint",
    "procedure_avec_negociation": "procédure avec négociation",
    "dialogue_competitif": "dialogue compétitif",
    "sans_publicite_ni_mise_en_concurrence": "marché sans publicité ni mise en concurrence préalables",
    "procedure_privee": "procédure propre à l’acheteur",
}
BASES = {
    "montant_estime": "montant estimé du marché",
    "montant_maximum": "montant maximum de l’accord-cadre",
    "montant_annuel": "montant annuel estimé",
    "montant_annuel_maximum": "montant annuel maximum",
}


def reference_date(case: dict[str, Any]) -> str:
    """Date qui date la rédaction (nom de fichier, propriétés du document) : tirée du dossier, jamais « aujourd'hui »."""
    analyse = case.get("analyse") or {}
    calibrage = analyse.get("calibrage") or {}
    for value in (analyse.get("transmise_le"), calibrage.get("valide_le"), analyse.get("debutee_le"), case.get("recue_le")):
        if value:
            return str(value)[:10]
    raise ValueError("dossier sans date")


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
    c = reg.contacts.get(cid or "") or {}
    first_last = " ".join(str(x) for x in (c.get("prenom"), c.get("nom")) if x)
    return {
        "civilite": str(c.get("civilite") or ""),
        "nom_complet": first_last,
        "fonction": str(c.get("fonction") or ""),
        "courriel": str(c.get("courriel") or ""),
        "telephone": str(c.get("telephone") or ""),
    }


def _facilitator(reg: Registry, case: dict[str, Any]) -> dict[str, Any]:
    routage = case.get("routage") or {}
    calibrage = (case.get("analyse") or {}).get("calibrage") or {}
    candidates = list(routage.get("facilitateurs") or []) + ([calibrage["valide_par"]] if calibrage.get("valide_par") else [])
    for fid in candidates:
        fac = reg.facilitators.get(fid)
        if fac:
            contact = _contact(reg, fac.get("contact"))
            return {
                "present": True,
                **contact,
                "structure": reg.partner_label(str(fac.get("coordination"))),
                "structure_nom": str((reg.partners.get(str(fac.get("coordination"))) or {}).get("nom") or ""),
            }
    chef = routage.get("chef_de_file")
    return {
        "present": False,
        "civilite": "",
        "nom_complet": "",
        "fonction": "",
        "courriel": "",
        "telephone": "",
        "structure": reg.partner_label(chef) if chef else "",
        "structure_nom": str((reg.partners.get(chef or "") or {}).get("nom") or ""),
    }


def _market(case: dict[str, Any]) -> dict[str, Any]:
    m = case["marche"]
    lots = [
        {
            "numero": int(lot["numero"]),
            "intitule": str(lot["intitule"]),
            "montant_texte": fr.money(lot["montant_estime_ht"]),
            "cpv_texte": ", ".join(lot.get("cpv") or []),
        }
        for lot in (m.get("lots") or [])
    ]
    lieux = []
    for lieu in m.get("lieux_execution") or []:
        lieux.append(f"commune {lieu['commune']}" if lieu.get("commune") else f"département {lieu['departement']}")
    forme = str(m.get("forme") or "")
    return {
        "objet": str(m["objet"]),
        "nature": str(m["nature"]),
        "nature_libelle": NATURES.get(str(m["nature"]), str(m["nature"])),
        "forme_libelle": FORMES.get(forme, forme),
        "accord_cadre": forme.startswith("accord_cadre"),
        "procedure_libelle": PROCEDURES.get(str(m.get("procedure") or ""), ""),
        "duree_texte": fr.months(int(m["duree_mois"])),
        "montant_estime_texte": fr.money(m["montant_estime_ht"]),
        "montant_estime_lettres": fr.money_words(m["montant_estime_ht"]),
        "montant_maximum_texte": _money_or_empty(m.get("montant_maximum_ht")),
        "cpv_texte": ", ".join(m.get("cpv") or []),
        "lieux_texte": _list_text(lieux),
        "anru": bool(m.get("anru")),
        "lots": lots,
    }


def _calibration(case: dict[str, Any], reg: Registry, lots_by_number: dict[int, str]) -> dict[str, Any]:
    cal = (case.get("analyse") or {}).get("calibrage") or {}
    if not cal:
        return {"present": False, "heures_texte": "", "heures_lettres": "", "heures_par_an_texte": "", "etp_texte": "",
                "montant_retenu_texte": "", "part_main_oeuvre_texte": "", "taux_insertion_texte": "", "cout_horaire_texte": "",
                "base_libelle": "", "base_commentaire": "", "valide_le_texte": "", "lots": []}

    def opt(key: str, fmt: Any) -> str:
        value = cal.get(key)
        return fmt(value) if isinstance(value, int | float) else ""

    return {
        "present": True,
        "heures_texte": fr.hours(cal["heures"]),
        "heures_lettres": fr.words(cal["heures"]),
        "heures_par_an_texte": opt("heures_par_an", fr.hours),
        "etp_texte": opt("etp", lambda v: fr.number(v, 2)),
        "montant_retenu_texte": opt("montant_retenu_ht", fr.money),
        "part_main_oeuvre_texte": opt("part_main_oeuvre", fr.percent),
        "taux_insertion_texte": opt("taux_insertion", fr.percent),
        "cout_horaire_texte": opt("cout_horaire", lambda v: fr.money(v, ht=False) + fr.NBSP + "de l’heure"),
        "base_libelle": BASES.get(str(cal.get("base") or ""), ""),
        "base_commentaire": fr.typography(str(cal.get("base_commentaire") or "")),
        "valide_le_texte": fr.date_long(cal["valide_le"]) if cal.get("valide_le") else "",
        "lots": [
            {
                "numero": int(lot["numero"]),
                "intitule": lots_by_number.get(int(lot["numero"]), ""),
                "heures_texte": fr.hours(lot["heures"]),
                "montant_retenu_texte": opt_lot(lot, "montant_retenu_ht"),
            }
            for lot in (cal.get("lots") or [])
        ],
    }


def opt_lot(lot: dict[str, Any], key: str) -> str:
    value = lot.get(key)
    return fr.money(value) if isinstance(value, int | float) else ""


def _recommendation(
    rec: dict[str, Any], dispositions: dict[str, Any], market: dict[str, Any], duration: int, has_template: bool
) -> dict[str, Any]:
    code = str(rec["disposition"])
    rule = dispositions.get(code) or {}
    lots = [int(n) for n in (rec.get("lots") or [])]
    articles = [str(a) for a in (rule.get("articles") or [])]
    max_months = rule.get("duree_max_mois")
    share = rule.get("proportion_minimale")
    return {
        "decp": str(rule.get("decp") or ""),
        "proportion_minimale_texte": fr.percent(share) if isinstance(share, int | float) else "",
        "duree_max_texte": fr.months(int(max_months)) if isinstance(max_months, int) else "",
        "duree_depassee": isinstance(max_months, int) and duration > max_months,
        "code": code,
        "libelle": str(rule.get("libelle") or code),
        "base_legale": str(rec.get("base_legale") or rule.get("base_legale") or ""),
        "base_legale_texte": _legal_basis_text(str(rec.get("base_legale") or rule.get("base_legale") or "")),
        "articles": articles,
        "articles_texte": _list_text(["article " + a for a in articles]),
        "justification": fr.typography(str(rec.get("justification") or "")),
        "lots": lots,
        "perimetre_texte": _lots_text(lots),
        "lots_detail": [lot for lot in market["lots"] if not lots or lot["numero"] in lots],
        "modele": has_template,
    }


def build_context(
    case: dict[str, Any],
    reg: Registry,
    dispositions: dict[str, Any],
    redaction: dict[str, Any],
    settings: dict[str, Any],
    disposition: str | None,
) -> dict[str, Any]:
    """Contexte complet pour une disposition (None : lettre d'accompagnement)."""
    market = _market(case)
    lots_by_number = {lot["numero"]: lot["intitule"] for lot in market["lots"]}
    analyse = case.get("analyse") or {}
    templates = redaction.get("modeles") or {}
    recs = [
        _recommendation(r, dispositions, market, int(case["marche"]["duree_mois"]), r["disposition"] in templates)
        for r in sorted(analyse.get("recommandation") or [], key=lambda r: r.get("rang", 999))
    ]
    current = next((r for r in recs if r["code"] == disposition), None) if disposition else None
    buyer = reg.buyers.get(str(case["donneur_ordre"])) or {}
    routage = case.get("routage") or {}
    calibration = _calibration(case, reg, lots_by_number)
    cal_raw = analyse.get("calibrage") or {}
    penalty = redaction["penalite_heure"]
    hourly = cal_raw.get("cout_horaire") or penalty["cout_horaire_defaut"]
    crit = redaction["critere_social"]
    ref = reference_date(case)
    return {
        "dossier": {
            "id": str(case["id"]),
            "recue_le_texte": fr.date_long(case["recue_le"]),
            "date_texte": fr.date_long(ref),
        },
        "acheteur": {"nom": str(buyer.get("nom") or case["donneur_ordre"]), "siret": str(case["donneur_ordre"])},
        "demandeur": _contact(reg, case.get("demandeur")),
        "marche": market,
        "disposition": current or {},
        "recommandations": recs,
        "codes_recommandes": [r["code"] for r in recs],
        "calibrage": calibration,
        "facilitateur": _facilitator(reg, case),
        "routage": {
            "chef_de_file": reg.partner_label(routage["chef_de_file"]) if routage.get("chef_de_file") else "",
            "coordinations_texte": _list_text([reg.partner_label(p) for p in routage.get("coordinations") or []]),
            "reseaux_texte": _list_text([reg.partner_label(p) for p in routage.get("reseaux") or []]),
        },
        "redaction": {
            "penalite_heure_texte": fr.money(hourly * penalty["coefficient"], ht=True),
            "periodicite_suivi": str(redaction["periodicite_suivi"]),
            "critere_ponderation_texte": fr.percent(crit["ponderation"]),
            "sous_criteres": [
                {"libelle": str(s["libelle"]), "ponderation_texte": fr.percent(s["ponderation"])} for s in crit["sous_criteres"]
            ],
        },
        "guichet": {"nom": str(settings.get("guichet") or "Guichet Régional des Clauses Sociales")},
    }


def reference_datetime(case: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(reference_date(case) + "T00:00:00+00:00")
