"""Présentation en français d'une analyse, et report des résultats dans le dossier (aller-retour YAML)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core import yamlio
from guichet_cli.core.analysis.calibrate import text_lines
from guichet_cli.core.analysis.recommend import REFUSED, Analysis, calibration_fields
from guichet_cli.core.analysis.route import Routing
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry

_MARK = {True: "✓", False: "✗"}
_COMPUTED = ("base", "base_commentaire", "montant_retenu_ht", "part_main_oeuvre", "taux_insertion", "cout_horaire", "heures", "heures_par_an", "etp", "lots")


def analysis_lines(an: Analysis, case: Case) -> list[str]:
    out = [f"Dossier {an.case_id} — {case.marche.objet}", ""]
    out.append(f"Seuil européen : {an.threshold.text()}  [{an.threshold.regle}]")
    out.append(f"Obligation sociale : {an.obligation.reason}  [{an.obligation.regle}]")
    if an.obligation.derogation:
        out.append(f"Dérogation enregistrée : {an.obligation.derogation_label or an.obligation.derogation.motif}")
    for ur in an.units:
        u = ur.unit
        out += ["", f"{u.label[0].upper()}{u.label[1:]} — CPV {', '.join(u.cpv)}, {fr.eur(u.amount)} HT — secteur : {u.sector_label}  [{'rules/secteurs.yaml#' + u.sector_key}]"]
        for i, o in enumerate(ur.options, start=1):
            out.append(f"  {i}. {o.label} ({o.base_legale}) — {o.role}" + (f", {o.status}" if o.status != "retenue" else ""))
            for c in o.checks:
                out.append(f"     {_MARK[c.ok]} {c.text}" + (f"  [{c.regle}]" if c.regle else ""))
        if any(o.disposition == "clause_insertion" and o.status != REFUSED for o in ur.options):
            out.append("  Calibrage de la clause d'insertion :")
            out += ["    " + line for line in text_lines(u.calibration)]
        if u.sector.get("notes"):
            out.append(f"  Note du secteur : {u.sector['notes']}")
    out += ["", "Recommandation :"]
    for r in an.recommendations():
        lots = f" (lots {', '.join(str(x) for x in r['lots'])})" if r.get("lots") else ""
        out.append(f"  {r['rang']}. {r['disposition']}{lots} — {r['base_legale']}  [{r['regle']}]")
    if an.total_hours:
        cal = an.units[0].unit.calibration
        years = max(cal.years, 1.0)
        yearly = an.total_hours / years
        span = f" sur {fr.smart(cal.years)} ans, soit {fr.h(round(yearly))} par an" if cal.years > 1 else ""
        unit = "ETP par an" if cal.years >= 1 else f"ETP sur {fr.smart(round(cal.years * 12))} mois"
        out.append(f"Heures d'insertion au total : {fr.h(an.total_hours)}{span} ({fr.n(yearly / cal.etp_hours, 2)} {unit})")
    out += [f"Note : {n}" for n in an.notes]
    return out


def _set(mapping: Any, key: str, value: Any, after: tuple[str, ...] = ()) -> None:
    """Remplace ou insère `key` (après la première clé existante de `after`, dans l'ordre du schéma)."""
    value = yamlio.to_commented(value)
    if key in mapping:
        mapping[key] = value
        return
    keys = list(mapping.keys())
    pos = len(keys)
    for k in after:
        if k in keys:
            pos = keys.index(k) + 1
            break
    mapping.insert(pos, key, value)


def apply_analysis(data: Any, an: Analysis, today: dt.date) -> None:
    """Écrit analyse.recommandation et analyse.calibrage (les clés saisies à la main sont gardées)."""
    if "analyse" not in data or data["analyse"] is None:
        _set(data, "analyse", {}, after=("marche",))
    analyse = data["analyse"]
    if "debutee_le" not in analyse:
        _set(analyse, "debutee_le", yamlio.double_quoted(today.isoformat()))
    _set(analyse, "recommandation", an.recommendations(), after=("dispositions_envisagees", "debutee_le"))
    cal = calibration_fields(an)
    if cal is not None:
        if "calibrage" not in analyse or not isinstance(analyse.get("calibrage"), dict):
            _set(analyse, "calibrage", cal, after=("recommandation",))
        else:
            current = analyse["calibrage"]
            for k in _COMPUTED:
                if k in current and k not in cal:
                    yamlio.delete_key(current, k)
            for k in _COMPUTED:
                if k in cal:
                    _set(current, k, cal[k], after=tuple(reversed(_COMPUTED[: _COMPUTED.index(k)])))


def _facilitator(reg: Registry, fid: str) -> str:
    """« Hugo Haddad (facilitateur-93-02) » : le nom du registre, l'identifiant pour le retrouver."""
    fac = reg.facilitators.get(fid)
    person = reg.contacts.get(fac.contact) if fac else None
    name = " ".join(x for x in (person.prenom, person.nom) if x) if person else ""
    return f"{name} ({fid})" if name and name != "à compléter" else fid


def routing_lines(routing: Routing, reg: Registry) -> list[str]:
    out = ["Routage :"]
    out.append(f"  {fr.agree(len(routing.coordinations), 'Coordination', 'Coordinations')} : " + ", ".join(f"{reg.partner_label(p)} ({p})" for p in routing.coordinations))
    if routing.lead:
        out.append(f"  Cheffe de file : {reg.partner_label(routing.lead)} ({routing.lead})")
    out.append("  Réseaux : " + (", ".join(f"{reg.partner_label(p)} ({p})" for p in routing.networks) or "aucun"))
    out.append(f"  {fr.agree(len(routing.facilitators), 'Facilitateur', 'Facilitateurs')} : " + (", ".join(_facilitator(reg, f) for f in routing.facilitators) or "aucun"))
    out.append("  Motifs :")
    out += [f"    - {reg.partner_label(r.partner)} : {r.motif}  [{r.regle}]" for r in routing.reasons]
    return out


def apply_routing(data: Any, routing: Routing) -> None:
    fields = routing.fields()
    if "routage" not in data or data["routage"] is None:
        _set(data, "routage", fields, after=("analyse", "marche"))
        return
    current = data["routage"]
    for k in ("coordinations", "chef_de_file", "reseaux", "facilitateurs", "motifs"):
        if k in fields:
            _set(current, k, fields[k], after=tuple(reversed(("coordinations", "chef_de_file", "reseaux", "facilitateurs", "motifs")[: ("coordinations", "chef_de_file", "reseaux", "facilitateurs", "motifs").index(k)])))
        elif k in current:
            yamlio.delete_key(current, k)
