"""Contrôles qu'aucun schéma ne sait exprimer : identifiants, références, cohérence, règles de droit.

Chaque règle de droit appliquée ici lit ses valeurs dans rules/ (liste CPV de L2113-15, durée
maximale…) ; le code ne contient que la logique.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from stdnum.fr import siret as stdnum_siret

from guichet_cli.core.findings import WARNING, Finding
from guichet_cli.core.lifecycle import has_field
from guichet_cli.core.rules import rule_ref
from guichet_cli.core.validation.context import (
    KIND_BUYER,
    KIND_CASE,
    KIND_CONTACT,
    KIND_PARTNER,
    CheckContext,
    file_check,
    repo_check,
)
from guichet_cli.core.validation.messages import did_you_mean

ID_RE = re.compile(r"^[A-Z]+-(\d{4})-[0-9A-Z]{4}$")


def siret_problem(value: str) -> str | None:
    if not stdnum_siret.is_valid(value):
        return "SIRET invalide (clé de contrôle)"
    return None


def cpv_in(code: str, allowed: dict[str, Any]) -> bool:
    """Vrai si le CPV (8 chiffres, contrôle ignoré) est dans la liste ou une des plages."""
    base = code.split("-")[0]
    if base in set(allowed.get("codes", [])):
        return True
    return any(lo <= base <= hi for lo, hi in allowed.get("plages", []))


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


# --- demandes --------------------------------------------------------------------------------


@file_check(KIND_CASE)
def case_identity(ctx: CheckContext, path: Path, case: dict[str, Any]) -> Iterator[Finding]:
    cid = case.get("id", "")
    if path.stem != cid:
        yield Finding(path, f"le nom du fichier ({path.name}) ne correspond pas à l'identifiant « {cid} »", ("id",),
                      hint=f"renommer le fichier en {cid}.yaml (git mv) ou corriger l'identifiant", code="identifiant")
    m = ID_RE.match(cid)
    prefix = ctx.ws.setting("prefixe_identifiant", "GRCS")
    if m and not cid.startswith(prefix + "-"):
        yield Finding(path, f"l'identifiant doit commencer par {prefix}-", ("id",), code="identifiant")
    if m and path.parent.name != m.group(1):
        yield Finding(path, f"le dossier est rangé dans {path.parent.name}/ mais son identifiant est de {m.group(1)}", ("id",),
                      hint=f"déplacer le fichier dans cases/{m.group(1)}/", code="identifiant")
    received = _date(case.get("recue_le"))
    if received and m and str(received.year) != m.group(1):
        yield Finding(path, f"l'identifiant porte l'année {m.group(1)} mais la demande a été reçue en {received.year}", ("id",),
                      code="identifiant", severity=WARNING)
    if received and received > ctx.today:
        yield Finding(path, "date de réception dans le futur", ("recue_le",), code="date")


@file_check(KIND_CASE)
def case_identifiers(ctx: CheckContext, path: Path, case: dict[str, Any]) -> Iterator[Finding]:
    problem = siret_problem(case["donneur_ordre"])
    if problem:
        yield Finding(path, problem, ("donneur_ordre",), hint="vérifier le SIRET sur annuaire-entreprises.data.gouv.fr", code="siret")
    for i, t in enumerate((case.get("execution") or {}).get("titulaires") or []):
        problem = siret_problem(t["siret"])
        if problem:
            yield Finding(path, problem, ("execution", "titulaires", i, "siret"), code="siret")
    for i, lieu in enumerate(case["marche"]["lieux_execution"]):
        commune = lieu.get("commune")
        dep = lieu["departement"]
        if commune and not commune.startswith(dep if dep != "75" else "751"):
            yield Finding(path, f"la commune {commune} n'est pas dans le département {dep}",
                          ("marche", "lieux_execution", i, "commune"), code="commune")


@file_check(KIND_CASE)
def case_market_consistency(ctx: CheckContext, path: Path, case: dict[str, Any]) -> Iterator[Finding]:
    marche = case["marche"]
    total = marche["montant_estime_ht"]
    maxi = marche.get("montant_maximum_ht")
    if maxi is not None and maxi < total:
        yield Finding(path, "le montant maximum est inférieur au montant estimé", ("marche", "montant_maximum_ht"), code="montant")
    lots = marche.get("lots") or []
    numbers = [lot["numero"] for lot in lots]
    for i, n in enumerate(numbers):
        if numbers.index(n) != i:
            yield Finding(path, f"le lot n° {n} est déclaré deux fois", ("marche", "lots", i, "numero"), code="lot")
    if lots:
        lots_sum = sum(lot["montant_estime_ht"] for lot in lots)
        if lots_sum > total * 1.001 + 1:
            yield Finding(path, f"la somme des lots ({lots_sum:,.0f} €) dépasse le montant estimé du marché ({total:,.0f} €)".replace(",", " "),
                          ("marche", "montant_estime_ht"), hint="corriger le montant du marché ou des lots", code="montant")
    parts = [lieu.get("part") for lieu in marche["lieux_execution"] if lieu.get("part") is not None]
    if parts and sum(parts) > 1.0001:
        yield Finding(path, "la somme des parts des lieux d'exécution dépasse 100 %", ("marche", "lieux_execution"), code="montant")
    analyse = case.get("analyse") or {}
    for i, rec in enumerate(analyse.get("recommandation") or []):
        for n in rec.get("lots") or []:
            if n not in numbers:
                yield Finding(path, f"le lot n° {n} n'existe pas dans marche.lots", ("analyse", "recommandation", i, "lots"), code="lot")
    for i, cl in enumerate((analyse.get("calibrage") or {}).get("lots") or []):
        if cl["numero"] not in numbers:
            yield Finding(path, f"le lot n° {cl['numero']} n'existe pas dans marche.lots", ("analyse", "calibrage", "lots", i, "numero"), code="lot")


@file_check(KIND_CASE)
def case_chronology(ctx: CheckContext, path: Path, case: dict[str, Any]) -> Iterator[Finding]:
    analyse = case.get("analyse") or {}
    execution = case.get("execution") or {}
    steps = [
        (("recue_le",), case.get("recue_le"), "réception"),
        (("analyse", "transmise_le"), analyse.get("transmise_le"), "transmission de la recommandation"),
        (("decision", "date"), (case.get("decision") or {}).get("date"), "décision"),
        (("execution", "notifie_le"), execution.get("notifie_le"), "notification"),
        (("execution", "reunion_lancement", "date"), (execution.get("reunion_lancement") or {}).get("date"), "réunion de lancement"),
    ]
    last: tuple[dt.date, str] | None = None
    for pointer, value, label in steps:
        d = _date(value)
        if d is None:
            continue
        if last and d < last[0]:
            yield Finding(path, f"la date de {label} ({d.isoformat()}) précède celle de {last[1]} ({last[0].isoformat()})",
                          pointer, hint="vérifier l'ordre des dates", code="date")
        last = (d, label)
    notified = _date(execution.get("notifie_le"))
    years = []
    for i, res in enumerate(case.get("resultats") or []):
        if res["annee"] in years:
            yield Finding(path, f"les résultats de {res['annee']} sont déclarés deux fois", ("resultats", i, "annee"), code="resultats")
        years.append(res["annee"])
        if notified and res["annee"] < notified.year:
            yield Finding(path, f"résultats de {res['annee']} antérieurs à la notification ({notified.year})", ("resultats", i, "annee"), code="resultats")


@file_check(KIND_CASE)
def case_results_consistency(ctx: CheckContext, path: Path, case: dict[str, Any]) -> Iterator[Finding]:
    for i, res in enumerate(case.get("resultats") or []):
        p = res["participants"]
        total = p["total"]
        for keys, label in ((("femmes", "hommes"), "par sexe"), (("moins_26_ans", "de_26_a_49_ans", "plus_50_ans"), "par âge")):
            vals = [p[k] for k in keys if k in p]
            if vals and sum(vals) > total:
                yield Finding(path, f"la répartition {label} ({sum(vals)}) dépasse le nombre de participants ({total})",
                              ("resultats", i, "participants"), code="resultats")
        by_public = p.get("par_public") or {}
        if by_public and sum(by_public.values()) > total:
            yield Finding(path, f"la répartition par public ({sum(by_public.values())}) dépasse le nombre de participants ({total})",
                          ("resultats", i, "participants", "par_public"), code="resultats")
        modal = res.get("heures_par_modalite") or {}
        if modal and sum(modal.values()) > res["heures_realisees"] + 0.5:
            yield Finding(path, "les heures par modalité dépassent les heures réalisées", ("resultats", i, "heures_par_modalite"), code="resultats")
        if total > 0 and res["heures_realisees"] == 0:
            yield Finding(path, "des participants sans aucune heure réalisée", ("resultats", i, "heures_realisees"), code="resultats", severity=WARNING)


@file_check(KIND_CASE)
def case_status_fields(ctx: CheckContext, path: Path, case: dict[str, Any]) -> Iterator[Finding]:
    lc = ctx.lifecycle
    status = case["statut"]
    for req in lc.missing(case):
        pointer = tuple(req.field.split("."))
        # Le champ manque : montrer son parent s'il existe, sinon la ligne du statut qui l'exige.
        anchor: tuple[str, ...] = ("statut",)
        for depth in range(len(pointer) - 1, 0, -1):
            if has_field(case, ".".join(pointer[:depth])):
                anchor = pointer[:depth]
                break
        yield Finding(path, f"statut « {lc.label(status)} » : {req.message}", pointer, code="statut", anchor=anchor,
                      hint=f"compléter le champ {req.field} ou revenir au statut qui convient")
    if case.get("resultats") and status in ("recue", "en_analyse", "recommandation_transmise", "decision_rendue"):
        yield Finding(path, f"des résultats d'exécution sont déclarés alors que le statut est « {lc.label(status)} »",
                      ("resultats",), hint="passer le dossier au statut en_execution", code="statut")
    if case.get("abandon") and status != "abandonnee":
        yield Finding(path, "un abandon est renseigné mais le statut n'est pas « abandonnée »", ("abandon",), code="statut")


def _legal_targets(case: dict[str, Any]) -> Iterable[tuple[tuple[str | int, ...], str, list[int] | None]]:
    for i, rec in enumerate((case.get("analyse") or {}).get("recommandation") or []):
        yield ("analyse", "recommandation", i, "disposition"), rec["disposition"], rec.get("lots")
    for i, disp in enumerate((case.get("decision") or {}).get("dispositions_retenues") or []):
        yield ("decision", "dispositions_retenues", i), disp, None


@file_check(KIND_CASE)
def case_legal_rules(ctx: CheckContext, path: Path, case: dict[str, Any]) -> Iterator[Finding]:
    """Règles de droit qui sont de purs faits (L2113-15, base légale d'une réservation)."""
    rules = ctx.rules("dispositions")["dispositions"]
    marche = case["marche"]
    lots = {lot["numero"]: lot for lot in marche.get("lots") or []}
    buyer_type = marche.get("type_acheteur") or (ctx.registry.buyers.get(case["donneur_ordre"]) or {}).get("type_acheteur")
    for pointer, disp, rec_lots in _legal_targets(case):
        rule = rules.get(disp) or {}
        allowed = rule.get("cpv_autorises")
        if allowed:
            cpvs = [c for n in rec_lots or [] if n in lots for c in lots[n]["cpv"]] if rec_lots else list(marche["cpv"])
            outside = [c for c in cpvs if not cpv_in(c, allowed)]
            if outside:
                yield Finding(path, f"{rule['libelle']} ({rule['base_legale']}) impossible : CPV {', '.join(outside)} hors de la liste des services sociaux et autres services spécifiques",
                              pointer, hint=f"choisir une autre disposition (règle : {rule_ref('dispositions', disp, 'cpv_autorises')})", code="droit")
        max_months = rule.get("duree_max_mois")
        if max_months and marche["duree_mois"] > max_months:
            yield Finding(path, f"{rule['libelle']} ({rule['base_legale']}) : durée de {marche['duree_mois']} mois, au-delà du maximum de {max_months} mois",
                          pointer, hint=f"ramener la durée à {max_months} mois ou choisir une autre disposition ({rule_ref('dispositions', disp, 'duree_max_mois')})", code="droit")
        buyers_ok = rule.get("acheteurs_autorises")
        if buyers_ok and buyer_type and buyer_type not in buyers_ok:
            yield Finding(path, f"{rule['libelle']} ({rule['base_legale']}) réservé aux acheteurs de type {', '.join(buyers_ok)} (ici : {buyer_type})",
                          pointer, code="droit")
    for i, rec in enumerate((case.get("analyse") or {}).get("recommandation") or []):
        rule = rules.get(rec["disposition"]) or {}
        basis = rec.get("base_legale")
        expected = rule.get("base_legale")
        if basis and expected and expected != "—" and expected.split()[0] not in basis:
            yield Finding(path, f"base légale « {basis} » incohérente avec la disposition {rec['disposition']} (attendu : {expected})",
                          ("analyse", "recommandation", i, "base_legale"), hint=f"écrire « {expected} » ({rule_ref('dispositions', rec['disposition'])})", code="droit")


# --- registres -------------------------------------------------------------------------------


@file_check(KIND_PARTNER)
def partner_identity(ctx: CheckContext, path: Path, data: dict[str, Any]) -> Iterator[Finding]:
    if path.stem != data["id"]:
        yield Finding(path, f"le nom du fichier ({path.name}) ne correspond pas à l'identifiant « {data['id']} »", ("id",), code="identifiant")
    if data["type"] in ("coordination_departementale", "reseau_iae_departemental") and len(data.get("departements") or []) != 1:
        yield Finding(path, "une coordination ou un réseau départemental couvre exactement un département", ("departements",), code="registre")
    for i, fac in enumerate(data.get("facilitateurs") or []):
        if fac["contact"] not in ctx.registry.contacts:
            yield Finding(path, f"contact « {fac['contact']} » introuvable dans contacts/", ("facilitateurs", i, "contact"),
                          hint=did_you_mean(fac["contact"], list(ctx.registry.contacts)), code="reference")
        if data["type"] != "coordination_departementale":
            yield Finding(path, "seules les coordinations départementales déclarent des facilitateurs", ("facilitateurs", i), code="registre")


@file_check(KIND_BUYER)
def buyer_identity(ctx: CheckContext, path: Path, data: dict[str, Any]) -> Iterator[Finding]:
    if path.stem != data["siret"]:
        yield Finding(path, f"le nom du fichier ({path.name}) doit être le SIRET « {data['siret']} »", ("siret",), code="identifiant")
    problem = siret_problem(data["siret"])
    if problem:
        yield Finding(path, problem, ("siret",), code="siret")
    for i, cid in enumerate(data.get("contacts_dedies") or []):
        if cid not in ctx.registry.contacts:
            yield Finding(path, f"contact « {cid} » introuvable dans contacts/", ("contacts_dedies", i), code="reference",
                          hint=did_you_mean(cid, list(ctx.registry.contacts)))
    for i, conv in enumerate(data.get("conventions") or []):
        if conv["partenaire"] not in ctx.registry.partners:
            yield Finding(path, f"partenaire « {conv['partenaire']} » introuvable dans partners/", ("conventions", i, "partenaire"),
                          code="reference", hint=did_you_mean(conv["partenaire"], list(ctx.registry.partners)))


@file_check(KIND_CONTACT)
def contact_identity(ctx: CheckContext, path: Path, data: dict[str, Any]) -> Iterator[Finding]:
    if path.stem != data["id"]:
        yield Finding(path, f"le nom du fichier ({path.name}) ne correspond pas à l'identifiant « {data['id']} »", ("id",), code="identifiant")
    org = data["organisation"]
    if org not in ctx.registry.partners and org not in ctx.registry.buyers:
        yield Finding(path, f"organisation « {org} » introuvable (ni partenaire de partners/, ni SIRET de donneurs/)", ("organisation",),
                      code="reference", hint=did_you_mean(org, list(ctx.registry.partners)))


# --- contrôles transversaux ------------------------------------------------------------------


@file_check(KIND_CASE)
def case_references(ctx: CheckContext, path: Path, case: dict[str, Any]) -> Iterator[Finding]:
    reg = ctx.registry
    if case["donneur_ordre"] not in reg.buyers:
        yield Finding(path, f"donneur d'ordre {case['donneur_ordre']} absent du registre donneurs/", ("donneur_ordre",),
                      hint=f"créer donneurs/{case['donneur_ordre']}.yaml ou corriger le SIRET", code="reference")
    if case["demandeur"] not in reg.contacts:
        yield Finding(path, f"contact « {case['demandeur']} » introuvable dans contacts/", ("demandeur",),
                      hint=did_you_mean(case["demandeur"], list(reg.contacts)) or "créer la fiche dans contacts/", code="reference")
    analyse = case.get("analyse") or {}
    val = (analyse.get("calibrage") or {}).get("valide_par")
    if val and val not in reg.facilitators:
        yield Finding(path, f"facilitateur « {val} » inconnu des coordinations de partners/", ("analyse", "calibrage", "valide_par"),
                      hint=did_you_mean(val, list(reg.facilitators)), code="reference")
    if analyse.get("redigee_par") and analyse["redigee_par"] not in reg.contacts:
        yield Finding(path, f"contact « {analyse['redigee_par']} » introuvable dans contacts/", ("analyse", "redigee_par"), code="reference")
    routage = case.get("routage") or {}
    for key, wanted in (("coordinations", {"coordination_departementale"}), ("reseaux", {"reseau_iae_departemental", "reseau_partenaire", "macs"})):
        for i, pid in enumerate(routage.get(key) or []):
            partner = reg.partners.get(pid)
            if partner is None:
                yield Finding(path, f"partenaire « {pid} » introuvable dans partners/", ("routage", key, i),
                              hint=did_you_mean(pid, list(reg.partners)), code="reference")
            elif partner.get("type") not in wanted:
                yield Finding(path, f"« {pid} » n'est pas un partenaire du bon type pour routage.{key}", ("routage", key, i), code="reference")
    lead = routage.get("chef_de_file")
    if lead and lead not in (routage.get("coordinations") or []):
        yield Finding(path, f"la coordination cheffe de file « {lead} » doit figurer dans routage.coordinations", ("routage", "chef_de_file"), code="reference")
    for i, fid in enumerate(routage.get("facilitateurs") or []):
        if fid not in reg.facilitators:
            yield Finding(path, f"facilitateur « {fid} » inconnu des coordinations de partners/", ("routage", "facilitateurs", i),
                          hint=did_you_mean(fid, list(reg.facilitators)), code="reference")
    for i, mot in enumerate(routage.get("motifs") or []):
        if mot["partenaire"] not in reg.partners:
            yield Finding(path, f"partenaire « {mot['partenaire']} » introuvable dans partners/", ("routage", "motifs", i, "partenaire"), code="reference")


@repo_check
def unique_case_ids(ctx: CheckContext, loaded: dict[Path, dict[str, Any]]) -> Iterator[Finding]:
    """Deux demandes créées en parallèle sur deux branches ne doivent pas partager un identifiant.

    L'unicité se lit sur les noms de fichiers (qui portent l'identifiant), sans relire les
    dossiers inchangés.
    """
    seen: dict[str, Path] = {}
    for p in ctx.ws.case_files():
        key = p.stem.upper()
        if key in seen:
            yield Finding(p, f"identifiant « {p.stem} » déjà utilisé par {ctx.ws.rel(seen[key])}", ("id",),
                          hint="donner un nouvel identifiant à l'une des deux demandes (guichet new en génère un)", code="unicite")
        else:
            seen[key] = p
    ids: dict[str, Path] = {}
    for path, data in loaded.items():
        if path.is_relative_to(ctx.ws.cases_dir) and isinstance(data.get("id"), str):
            key = data["id"].upper()
            if key in ids and ids[key] != path and path.stem.upper() != key:
                yield Finding(path, f"identifiant « {data['id']} » déjà utilisé par {ctx.ws.rel(ids[key])}", ("id",), code="unicite")
            ids.setdefault(key, path)


@repo_check
def unique_facilitator_ids(ctx: CheckContext, loaded: dict[Path, dict[str, Any]]) -> Iterator[Finding]:
    seen: dict[str, Path] = {}
    for path, data in loaded.items():
        if not path.is_relative_to(ctx.ws.partners_dir):
            continue
        for i, fac in enumerate(data.get("facilitateurs") or []):
            fid = fac.get("id") if isinstance(fac, dict) else None
            if fid in seen and seen[fid] != path:
                yield Finding(path, f"facilitateur « {fid} » déjà déclaré dans {ctx.ws.rel(seen[fid])}", ("facilitateurs", i, "id"), code="unicite")
            elif fid:
                seen[fid] = path
