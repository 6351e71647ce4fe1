"""`guichet share DOSSIER --partner ID` : ce dont un partenaire a besoin, et rien d'autre.

Pour un partenaire sans accès au dépôt (charte, dispositions RGPD : les données ne sont partagées
qu'avec les partenaires qui interviennent sur la demande). L'export contient :
- la demande telle que le routage en a besoin : identifiant, statut, donneur d'ordre (une
  organisation, pas une personne), le marché (objet, nature, CPV, montants, durée, lieux, lots),
  la recommandation et le calibrage, la décision et l'exécution (titulaires : des entreprises) ;
- l'orientation : pourquoi CE partenaire est sollicité, la cheffe de file, les autres partenaires ;
- ses PROPRES contacts seulement : les facilitateurs de ce partenaire désignés sur la demande.
Jamais : le demandeur ni aucun autre contact, les notes internes, l'historique, les autres demandes.

Refusé (UsageError) si le partenaire n'est pas orienté sur la demande (routage enregistré) : une
demande confidentielle (core/facts/confidentiality.py) n'a donc jamais à être masquée ici.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core import safety, yamlio
from guichet_cli.core.errors import DataError, UsageError
from guichet_cli.core.facts import confidentiality, labels
from guichet_cli.core.model.case import Case
from guichet_cli.core.rgpd import patterns
from guichet_cli.core.workspace import Workspace

CONTACTS_KEY = "vos_contacts"


@dataclass(frozen=True)
class Share:
    case: Case
    partner: str
    data: dict[str, Any]

    @property
    def stem(self) -> str:
        return f"{self.case.id}-{self.partner}"


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, [], {}, "")}


def build(ws: Workspace, case: Case, partner_id: str, *, today: dt.date | None = None) -> Share:
    today = today or dt.date.today()
    reg = ws.store.registry
    partner = reg.partners.get(partner_id)
    if partner is None:
        raise UsageError(f"partenaire « {partner_id} » inconnu du registre partners/",
                         "donner l'identifiant d'un fichier de partners/ (coordination-93, grafie…)")
    if case.routage is None or not case.partners:
        raise UsageError(f"{case.id} n'a pas encore de routage enregistré : rien ne peut être partagé",
                         f"orienter d'abord la demande : guichet route {case.id} --write")
    if partner_id not in case.partners:
        routed = ", ".join(case.partners)
        raise UsageError(f"partage refusé : {partner.label} ({partner_id}) n'est pas orienté sur {case.id} "
                         f"(partenaires orientés : {routed})",
                         "la charte ne permet de partager une demande qu'avec les partenaires qui interviennent sur elle ; "
                         f"modifier le routage (guichet route {case.id} --write) si ce partenaire doit être sollicité")
    lab = labels.of(ws)
    m = case.marche
    r = case.routage
    export: dict[str, Any] = {
        "partage": _drop_empty({
            "destinataire": f"{partner.nom} ({partner_id})",
            "etabli_le": today.isoformat(),
            "par": str(ws.setting("guichet", "Guichet Régional des Clauses Sociales d'Île-de-France")),
            "avertissement": ("Document réservé à ce partenaire pour le traitement de la demande (charte du Guichet, "
                              "dispositions RGPD) : ne pas le diffuser."),
            "confidentielle_jusqu_au": _date(case.confidentielle_jusqu_au)
            if confidentiality.is_confidential(case, today) else None,
        }),
        "demande": _drop_empty({
            "id": case.id,
            "statut": lab.statut(case.statut),
            "recue_le": case.recue_le.isoformat(),
            "donneur_ordre": _drop_empty({"siret": case.donneur_ordre, "nom": reg.buyer_name(case.donneur_ordre),
                                          "departement": getattr(reg.buyers.get(case.donneur_ordre), "departement", None)}),
        }),
        "marche": _drop_empty({
            "objet": m.objet,
            "nature": lab.nature(m.nature),
            "cpv": list(m.cpv),
            "montant_estime_ht": fr.eur(m.montant_estime_ht),
            "montant_maximum_ht": fr.eur(m.montant_maximum_ht) if m.montant_maximum_ht is not None else None,
            "duree_mois": m.duree_mois,
            "forme": lab.forme(m.forme),
            "procedure": lab.procedure(m.procedure) if m.procedure else None,
            "lancement_prevu": _date(m.lancement_prevu),
            "lieux_execution": [_drop_empty({"departement": p.departement, "commune": p.commune,
                                             "part": fr.pct(p.part) if p.part is not None else None})
                                for p in m.lieux_execution],
            "lots": [{"numero": lot.numero, "intitule": lot.intitule, "cpv": list(lot.cpv),
                      "montant_estime_ht": fr.eur(lot.montant_estime_ht)} for lot in m.lots],
        }),
    }
    a = case.analyse
    if a is not None and (a.recommandation or a.calibrage):
        export["recommandation"] = _drop_empty({
            "dispositions": [_drop_empty({"rang": x.rang, "disposition": lab.disposition(x.disposition),
                                          "base_legale": x.base_legale, "lots": list(x.lots),
                                          "justification": x.justification}) for x in a.recommandation],
            "heures_insertion": fr.h(a.calibrage.heures) if a.calibrage else None,
            "heures_par_lot": [{"lot": x.numero, "heures": fr.h(x.heures)} for x in a.calibrage.lots] if a.calibrage else [],
            "transmise_le": _date(a.transmise_le),
        })
    mine = [x.motif for x in r.motifs if x.partenaire == partner_id]
    export["orientation"] = _drop_empty({
        "pourquoi_vous": mine,
        "cheffe_de_file": reg.partner_label(r.lead) if r.lead else None,
        "partenaires_orientes": [f"{reg.partner_label(p)} ({p})" for p in case.partners],
        "mise_en_relation_le": _date(r.mis_en_relation_le),
    })
    if case.decision is not None:
        export["decision"] = _drop_empty({"suite": case.decision.suite, "date": case.decision.date.isoformat(),
                                        "dispositions_retenues": [lab.disposition(x) for x in case.decision.dispositions_retenues]})
    e = case.execution
    if e is not None:
        export["execution"] = _drop_empty({
            "notifie_le": e.notifie_le.isoformat(),
            "montant_notifie_ht": fr.eur(e.montant_notifie_ht) if e.montant_notifie_ht is not None else None,
            "heures_contractuelles": fr.h(e.heures_contractuelles) if e.heures_contractuelles is not None else None,
            "titulaires": [_drop_empty({"siret": t.siret, "nom": t.nom, "lots": list(t.lots)}) for t in e.titulaires],
            "reunion_lancement": e.reunion_lancement.date.isoformat() if e.reunion_lancement else None,
        })
    _check_no_personal_data(export, case.id)
    contacts = []
    for fid in r.facilitateurs:
        fac = reg.facilitators.get(fid)
        if fac is None or fac.coordination != partner_id:
            continue
        c = reg.contacts.get(fac.contact)
        contacts.append(_drop_empty({"role": "facilitateur", "identifiant": fid,
                                     "nom": c.full_name if c else fac.contact, "courriel": c.courriel if c else None,
                                     "telephone": c.telephone if c else None}))
    if contacts:
        export[CONTACTS_KEY] = contacts
    export["pour_joindre_le_guichet"] = str(ws.setting("contact_rgpd", "macs@maximilien.fr"))
    return Share(case, partner_id, export)


def _check_no_personal_data(data: dict[str, Any], case_id: str) -> None:
    """Défense en profondeur (validate refuse déjà ces textes) : aucune donnée personnelle hors des
    propres contacts du partenaire."""
    for ptr, match in patterns.scan_tree(data):
        where = ".".join(str(p) for p in ptr)
        raise DataError(f"partage refusé : donnée personnelle dans {case_id} ({where} : {match.label}, « {match.masked} »)",
                        patterns.HINT + " ; puis relancer guichet validate")


def to_yaml(share: Share) -> str:
    head = (f"Partage de la demande {share.case.id} avec {share.partner} (guichet share).\n"
            "Document réservé à ce partenaire : ne pas le diffuser.")
    doc = yamlio.new_document(share.case.path, share.data, head)
    return yamlio.dumps_roundtrip(doc)


SECTION_TITLES = {
    "partage": "Partage", "demande": "Demande", "marche": "Marché", "recommandation": "Recommandation du Guichet",
    "orientation": "Orientation", "decision": "Décision du donneur d'ordre", "execution": "Exécution",
    CONTACTS_KEY: "Vos contacts sur cette demande", "pour_joindre_le_guichet": "Pour joindre le Guichet",
}


# Libellés français des clés de l'export (document Word).
FIELD_LABELS = {
    "destinataire": "destinataire", "etabli_le": "établi le", "par": "par", "avertissement": "avertissement",
    "confidentielle_jusqu_au": "confidentielle jusqu'au", "id": "identifiant", "statut": "statut", "recue_le": "reçue le",
    "donneur_ordre": "donneur d'ordre", "siret": "SIRET", "nom": "nom", "departement": "département", "objet": "objet",
    "nature": "nature", "cpv": "CPV", "montant_estime_ht": "montant estimé HT", "montant_maximum_ht": "montant maximum HT",
    "duree_mois": "durée (mois)", "forme": "forme", "procedure": "procédure", "lancement_prevu": "lancement prévu",
    "lieux_execution": "lieux d'exécution", "commune": "commune", "part": "part", "lots": "lots", "numero": "lot",
    "intitule": "intitulé", "dispositions": "dispositions", "rang": "rang", "disposition": "disposition",
    "base_legale": "base légale", "justification": "justification", "heures_insertion": "heures d'insertion",
    "heures_par_lot": "heures par lot", "lot": "lot", "heures": "heures", "transmise_le": "transmise le",
    "pourquoi_vous": "pourquoi vous êtes sollicités", "cheffe_de_file": "cheffe de file",
    "partenaires_orientes": "partenaires orientés", "mise_en_relation_le": "mise en relation le", "suite": "suite",
    "date": "date", "dispositions_retenues": "dispositions retenues", "notifie_le": "notifié le",
    "montant_notifie_ht": "montant notifié HT", "heures_contractuelles": "heures contractuelles", "titulaires": "titulaires",
    "reunion_lancement": "réunion de lancement", "role": "rôle", "identifiant": "identifiant", "courriel": "courriel",
    "telephone": "téléphone",
}


def _label(key: str) -> str:
    return FIELD_LABELS.get(key, key.replace("_", " "))


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return " ; ".join(f"{_label(k)} : {_flat(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(_flat(v) for v in value)
    return str(value)


def to_docx(share: Share) -> bytes:
    import docx

    data = safety.xml_safe_tree(share.data)
    document = docx.Document()
    document.add_heading(f"Demande {share.case.id} — partage avec {share.partner}", level=1)
    document.add_paragraph(data["partage"]["avertissement"])
    for key, value in data.items():
        document.add_heading(SECTION_TITLES.get(key, key), level=2)
        if isinstance(value, dict):
            table = document.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for k, v in value.items():
                row = table.add_row().cells
                row[0].text = _label(k)
                row[1].text = _flat(v)
        elif isinstance(value, list):
            for item in value:
                document.add_paragraph(_flat(item), style="List Bullet")
        else:
            document.add_paragraph(str(value))
    # Comme toute pièce du guichet : A4, fr-FR, en-tête au nom du guichet, « page n sur N ».
    from guichet_cli.core.render.layout import apply_layout

    apply_layout(document, header=str(data["partage"].get("par") or ""),
                 footer=f"Demande {share.case.id} — partage avec {share.partner}")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
