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
    if an.frame.voluntary:
        out.append(f"Cadre : {an.frame.wording.get('libelle', '')} — {an.frame.notice}  [{an.frame.regle}]")
    if an.obligation.derogation:
        out.append(f"Dérogation enregistrée : {an.obligation.derogation_label or an.obligation.derogation.motif}")
    for ur in an.units:
        u = ur.unit
        out += ["", f"{u.label[0].upper()}{u.label[1:]} — CPV {', '.join(u.cpv)}, {fr.eur(u.amount)} HT — secteur : {u.sector_label}  [{'rules/secteurs.yaml#' + u.sector_key}]"]
        for i, o in enumerate(ur.options, start=1):
            out.append(f"  {i}. {o.label} ({an.frame.basis(o.base_legale)}) — {o.role}" + (f", {o.status}" if o.status != "retenue" else ""))
            for c in o.checks:
                out.append(f"     {_MARK[c.ok]} {c.text}" + (f"  [{c.regle}]" if c.regle else ""))
        if any(o.disposition == "clause_insertion" and o.status != REFUSED for o in ur.options):
            out.append("  Calibrage de la clause d'insertion :")
            out += ["    " + line for line in text_lines(u.calibration)]
        if u.sector.get("notes"):
            out.append(f"  Note du secteur : {u.sector['notes']}")
    out += ["", "Recommandation :"]
    names = {o.disposition: o.label for ur in an.units for o in ur.options}  # libellés, pas les codes
    for r in an.recommendations():
        lots = f" (lots {', '.join(str(x) for x in r['lots'])})" if r.get("lots") else ""
        out.append(f"  {r['rang']}. {names.get(r['disposition'], r['disposition'])}{lots} — {an.frame.basis(r['base_legale'])}  [{r['regle']}]")
    total = _total_line(an)
    if total:
        out.append(f"Heures d'insertion au total : {total}")
    out += [f"Note : {n}" for n in an.notes]
    if an.unverified:
        out += ["", "À confirmer (lectures des règles non vérifiées) :"]
        out += [f"  - {u.sujet} — à confirmer : {u.motif}  [{u.regle}]" for u in an.unverified]
    return out


def _total_line(an: Analysis) -> str:
    """« 3 750 h sur 1,5 ans, soit 2 500 h par an (1,56 ETP par an) » ; "" sans clause d'insertion."""
    if an.total_hours:
        cal = an.units[0].unit.calibration
        years = max(cal.years, 1.0)
        yearly = an.total_hours / years
        span = f" sur {fr.smart(cal.years)} ans, soit {fr.h(round(yearly))} par an" if cal.years > 1 else ""
        unit = "ETP par an" if cal.years >= 1 else f"ETP en équivalent annuel, marché de {fr.smart(round(cal.years * 12))} mois"
        return f"{fr.h(an.total_hours)}{span} ({fr.n(yearly / cal.etp_hours, 2)} {unit})"
    return ""


def analysis_data(an: Analysis, case: Case) -> dict[str, Any]:
    """L'analyse en données (--format json) : les mêmes décisions, règles et textes que la sortie texte."""
    th, ob = an.threshold, an.obligation
    units = []
    for ur in an.units:
        u = ur.unit
        entry: dict[str, Any] = {
            "unite": u.label, "lot": u.lot, "cpv": list(u.cpv), "montant_ht": u.amount,
            "secteur": {"code": u.sector_key, "libelle": u.sector_label, "regle": "rules/secteurs.yaml#" + u.sector_key},
            "dispositions": [
                {"rang": i, "disposition": o.disposition, "libelle": o.label, "base_legale": o.base_legale,
                 "base_legale_texte": an.frame.basis(o.base_legale), "role": o.role, "statut": o.status, "regle": o.regle,
                 "controles": [{"ok": c.ok, "texte": c.text, "regle": c.regle} for c in o.checks]}
                for i, o in enumerate(ur.options, start=1)],
        }
        if any(o.disposition == "clause_insertion" and o.status != REFUSED for o in ur.options):
            cal = u.calibration
            entry["calibrage"] = {"heures": cal.hours, "heures_par_an": cal.hours_per_year, "etp_par_an": cal.etp,
                                  "formule": cal.formula, "lignes": text_lines(cal)}
        if u.sector.get("notes"):
            entry["note_secteur"] = u.sector["notes"]
        units.append(entry)
    recs = [{**r, "base_legale_texte": an.frame.basis(r["base_legale"])} for r in an.recommendations()]
    return {
        "dossier": an.case_id,
        "objet": case.marche.objet,
        "seuil": {"texte": th.text(), "regle": th.regle, "montant": th.threshold, "valeur_du_besoin": th.value,
                  "au_dessus": th.above, "type_acheteur": th.buyer_type, "periode": th.period},
        "obligation": {"applicable": ob.applies, "texte": ob.reason, "regle": ob.regle,
                       "derogation": ob.derogation.motif if ob.derogation else None, "derogation_libelle": ob.derogation_label},
        "cadre": {"volontaire": an.frame.voluntary, "libelle": str(an.frame.wording.get("libelle") or "") if an.frame.voluntary else "code de la commande publique",
                  "texte": an.frame.notice, "regle": an.frame.regle if an.frame.voluntary else None},
        "unites": units,
        "recommandation": recs,
        "heures_total": an.total_hours or None,
        "heures_total_texte": _total_line(an),
        "notes": list(an.notes),
        "a_confirmer": [{"sujet": u.sujet, "motif": u.motif, "regle": u.regle} for u in an.unverified],
    }


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def analysis_markdown(an: Analysis, case: Case) -> str:
    """L'analyse en Markdown (--format md), pour un ticket ou un courriel."""
    data = analysis_data(an, case)
    out = [f"# Dossier {an.case_id} — {_md(case.marche.objet)}", ""]
    out.append(f"- **Seuil européen** : {_md(data['seuil']['texte'])} (`{data['seuil']['regle']}`)")
    out.append(f"- **Obligation sociale** : {_md(data['obligation']['texte'])} (`{data['obligation']['regle']}`)")
    if an.frame.voluntary:
        out.append(f"- **Cadre** : {data['cadre']['libelle']} — {_md(data['cadre']['texte'])} (`{an.frame.regle}`)")
    if data["obligation"]["derogation"]:
        out.append(f"- **Dérogation enregistrée** : {_md(data['obligation']['derogation_libelle'] or data['obligation']['derogation'])}")
    for unit in data["unites"]:
        out += ["", f"## {unit['unite'][0].upper()}{unit['unite'][1:]} — CPV {', '.join(unit['cpv'])}, {fr.eur(unit['montant_ht'])} HT",
                "", f"Secteur : {_md(unit['secteur']['libelle'])} (`{unit['secteur']['regle']}`)", ""]
        for d in unit["dispositions"]:
            status = f", {d['statut']}" if d["statut"] != "retenue" else ""
            out.append(f"{d['rang']}. **{_md(d['libelle'])}** ({_md(d['base_legale_texte'])}) — {d['role']}{status}")
            for c in d["controles"]:
                out.append(f"    - {_MARK[c['ok']]} {_md(c['texte'])}" + (f" (`{c['regle']}`)" if c["regle"] else ""))
        if "calibrage" in unit:
            out += ["", "Calibrage de la clause d'insertion :", "", "```", *unit["calibrage"]["lignes"], "```"]
        if unit.get("note_secteur"):
            out += ["", f"Note du secteur : {_md(unit['note_secteur'])}"]
    out += ["", "## Recommandation", ""]
    for r in data["recommandation"]:
        lots = f" (lots {', '.join(str(x) for x in r['lots'])})" if r.get("lots") else ""
        out.append(f"{r['rang']}. `{r['disposition']}`{lots} — {_md(r['base_legale_texte'])} (`{r['regle']}`)")
    if data["heures_total_texte"]:
        out += ["", f"Heures d'insertion au total : {data['heures_total_texte']}"]
    if data["notes"]:
        out += ["", *[f"- Note : {_md(n)}" for n in data["notes"]]]
    if data["a_confirmer"]:
        out += ["", "## À confirmer", "", "Lectures des règles non vérifiées sur lesquelles l'analyse s'appuie :", ""]
        out += [f"- {_md(u['sujet'])} — *à confirmer* : {_md(u['motif'])} (`{u['regle']}`)" for u in data["a_confirmer"]]
    return "\n".join(out) + "\n"


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
