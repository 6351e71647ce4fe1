"""Texte de `guichet sourcing DOSSIER` : par lot, les structures qui conviennent et pourquoi, les
effectifs par type, la dépendance, l'avis et les seuils cités."""

from __future__ import annotations

from guichet_cli.core import frformat as fr
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.sourcing.advice import ADVICE_LABELS, Sourcing, dependency_text, disp_label
from guichet_cli.core.sourcing.match import Match
from guichet_cli.core.workspace import Workspace


def _capacity(m: Match) -> str:
    parts = []
    names = {"salaries_insertion": "salariés en insertion", "etp": "ETP", "salaries_permanents": "permanents", "chiffre_affaires_ht": "CA"}
    for key, label in names.items():
        fig = m.structure.figures.get(key)
        if fig is not None:
            value = fr.eur(fig.valeur) if key == "chiffre_affaires_ht" else fr.smart(fig.valeur)
            parts.append(f"{label} {value} ({fr.date_fr(fig.date)})")
    return ", ".join(parts) or "capacité non renseignée"


def lines(ws: Workspace, case: Case, so: Sourcing, reg: Registry) -> list[str]:
    rules = load_rules(ws, "sourcing")
    kinds = rules["types_structure"]
    out = [f"Sourcing qualifié — {case.id} — {case.marche.objet}",
           f"Registre : {len(ws.store.structures)} structures (structures/) ; règles : {rule_ref('sourcing')}", ""]
    for lot in so.lots:
        need = lot.need
        places = ", ".join(p.departement + (f" ({p.commune})" if p.commune else "") for p in need.places)
        out.append(f"== {need.label[0].upper() + need.label[1:]} ==")
        out.append(f"  Secteur : {', '.join(need.sectors.values())} (CPV {', '.join(need.cpv)}) ; lieux : {places}")
        out.append(f"  Montant annuel : {fr.eur(need.yearly)} HT ; prestations utiles : {', '.join(need.services)}")
        counts = lot.counts()
        out.append("  Structures trouvées : " + (", ".join(f"{k} {n}" for k, n in counts.items()) if counts else "aucune"))
        for kind in counts:
            out.append(f"  {kind} – {kinds[kind]['libelle']} :")
            for m in (x for x in lot.matches if x.kind == kind):
                s = m.structure
                out.append(f"    - {s.label} (SIRET {s.siret}, {s.commune}){' [fictive]' if s.fictif and 'fictiv' not in s.nom.lower() else ''}")
                out.append(f"        activité « {m.activity.libelle} » ({', '.join(m.services)}) ; {m.sector_text}")
                out.append(f"        périmètre : {m.perimeter_text}")
                out.append(f"        capacité : {_capacity(m)}")
                out.append(f"        {dependency_text(ws, m)}")
                for note in m.notes:
                    if "dépendance" not in note:
                        out.append(f"        {note}")
        if lot.reservable:
            out.append("  Capables d'exécuter seules le lot sans dépendance, par réservation possible : "
                       + " ; ".join(f"{disp_label(ws, d)} : {n}" for d, n in lot.reservable.items()))
        out.append(f"  Avis : {ADVICE_LABELS[lot.advice]}")
        out.append(f"    {lot.text}")
        if lot.networks:
            out.append("  Réseaux concernés : " + ", ".join(reg.partner_label(p) for p in lot.networks))
        out.append("")
    seuil = rules["dependance_economique"]
    res = rules["avis"]["reservation_min_structures"]
    out.append("Seuils appliqués :")
    out.append(f"  - réservation : au moins {fr.smart(res['valeur'])} structures — {res['source']} ({rule_ref('sourcing', 'avis', 'reservation_min_structures')})")
    out.append(f"  - dépendance économique : montant annuel > {fr.pct(seuil['seuil'])} du chiffre d'affaires — {seuil['source']} "
               f"({rule_ref('sourcing', 'dependance_economique')})")
    out.append(f"  - rayon d'intervention : {rules['perimetre']['source']} ({rule_ref('sourcing', 'perimetre')})")
    return out
