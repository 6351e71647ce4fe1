"""Contrôles qu'aucun schéma ne sait exprimer : identifiants, références, cohérence, règles de droit.

Chaque règle de droit appliquée ici lit ses valeurs dans rules/ (liste CPV de L2113-15, durée
maximale…) ; le code ne contient que la logique.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from stdnum.fr import siret as stdnum_siret

from guichet_cli.core.facts import labels, legal_frame
from guichet_cli.core.facts.sectors import cpv_base
from guichet_cli.core.findings import WARNING, Finding
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import COORDINATION, IAE_NETWORK, Buyer, Contact, Partner
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


@lru_cache(maxsize=8192)  # les mêmes SIRET (acheteurs, titulaires) reviennent dans des milliers de demandes
def siret_problem(value: str) -> str | None:
    if not stdnum_siret.is_valid(value):
        return "SIRET invalide (clé de contrôle)"
    return None


def cpv_in(code: str, allowed: dict[str, Any]) -> bool:
    """Vrai si le CPV (8 chiffres, contrôle ignoré) est dans la liste ou une des plages."""
    base = cpv_base(code)
    if base in set(allowed.get("codes", [])):
        return True
    return any(lo <= base <= hi for lo, hi in allowed.get("plages", []))


# --- demandes --------------------------------------------------------------------------------


@file_check(KIND_CASE)
def case_identity(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    cid = case.id
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
    received = case.recue_le
    if m and str(received.year) != m.group(1):
        yield Finding(path, f"l'identifiant porte l'année {m.group(1)} mais la demande a été reçue en {received.year}", ("id",),
                      code="identifiant", severity=WARNING)
    if received > ctx.today:
        yield Finding(path, "date de réception dans le futur", ("recue_le",), code="date")


@file_check(KIND_CASE)
def case_identifiers(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    problem = siret_problem(case.donneur_ordre)
    if problem:
        yield Finding(path, problem, ("donneur_ordre",), hint="vérifier le SIRET sur annuaire-entreprises.data.gouv.fr", code="siret")
    for i, t in enumerate(case.execution.titulaires if case.execution else ()):
        problem = siret_problem(t.siret)
        if problem:
            yield Finding(path, problem, ("execution", "titulaires", i, "siret"), code="siret")
    for i, lieu in enumerate(case.marche.lieux_execution):
        commune, dep = lieu.commune, lieu.departement
        if commune and not commune.startswith(dep if dep != "75" else "751"):
            yield Finding(path, f"la commune {commune} n'est pas dans le département {dep}",
                          ("marche", "lieux_execution", i, "commune"), code="commune")


@file_check(KIND_CASE)
def case_market_consistency(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    marche = case.marche
    total = marche.montant_estime_ht
    maxi = marche.montant_maximum_ht
    if maxi is not None and maxi < total:
        yield Finding(path, "le montant maximum est inférieur au montant estimé", ("marche", "montant_maximum_ht"), code="montant")
    numbers = [lot.numero for lot in marche.lots]
    for i, n in enumerate(numbers):
        if numbers.index(n) != i:
            yield Finding(path, f"le lot n° {n} est déclaré deux fois", ("marche", "lots", i, "numero"), code="lot")
    if marche.lots:
        lots_sum = sum(lot.montant_estime_ht for lot in marche.lots)
        if lots_sum > total * 1.001 + 1:
            yield Finding(path, f"la somme des lots ({lots_sum:,.0f} €) dépasse le montant estimé du marché ({total:,.0f} €)".replace(",", " "),
                          ("marche", "montant_estime_ht"), hint="corriger le montant du marché ou des lots", code="montant")
    parts = [lieu.part for lieu in marche.lieux_execution if lieu.part is not None]
    if parts and sum(parts) > 1.0001:
        yield Finding(path, "la somme des parts des lieux d'exécution dépasse 100 %", ("marche", "lieux_execution"), code="montant")
    for i, rec in enumerate(case.recommendations):
        for n in rec.lots:
            if n not in numbers:
                yield Finding(path, f"le lot n° {n} n'existe pas dans marche.lots", ("analyse", "recommandation", i, "lots"), code="lot")
    for i, cl in enumerate(case.calibration.lots if case.calibration else ()):
        if cl.numero not in numbers:
            yield Finding(path, f"le lot n° {cl.numero} n'existe pas dans marche.lots", ("analyse", "calibrage", "lots", i, "numero"), code="lot")


@file_check(KIND_CASE)
def case_chronology(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    from guichet_cli.core import chronology

    execution = case.execution
    for p in chronology.problems(case, ctx.today):
        yield Finding(path, p.message, p.pointer, hint="vérifier l'ordre des dates", code="date")
    notified = execution.notifie_le if execution else None
    years: list[int] = []
    for i, res in enumerate(case.resultats):
        if res.annee in years:
            yield Finding(path, f"les résultats de {res.annee} sont déclarés deux fois", ("resultats", i, "annee"), code="resultats")
        years.append(res.annee)
        if notified and res.annee < notified.year:
            yield Finding(path, f"résultats de {res.annee} antérieurs à la notification ({notified.year})", ("resultats", i, "annee"), code="resultats")


@file_check(KIND_CASE)
def case_results_consistency(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    for i, res in enumerate(case.resultats):
        p = res.participants
        total = p.total
        for keys, label in ((("femmes", "hommes"), "par sexe"), (("moins_26_ans", "de_26_a_49_ans", "plus_50_ans"), "par âge")):
            vals = [v for v in (p.count(k) for k in keys) if v is not None]
            if vals and sum(vals) > total:
                yield Finding(path, f"la répartition {label} ({sum(vals)}) dépasse le nombre de participants ({total})",
                              ("resultats", i, "participants"), code="resultats")
        if p.par_public and sum(p.par_public.values()) > total:
            yield Finding(path, f"la répartition par public ({sum(p.par_public.values())}) dépasse le nombre de participants ({total})",
                          ("resultats", i, "participants", "par_public"), code="resultats")
        modal = res.heures_par_modalite
        if modal and sum(modal.values()) > res.heures_realisees + 0.5:
            yield Finding(path, "les heures par modalité dépassent les heures réalisées", ("resultats", i, "heures_par_modalite"), code="resultats")
        if total > 0 and res.heures_realisees == 0:
            yield Finding(path, "des participants sans aucune heure réalisée", ("resultats", i, "heures_realisees"), code="resultats", severity=WARNING)


@file_check(KIND_CASE)
def case_status_fields(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    lc = ctx.lifecycle
    status = case.statut
    for req in lc.missing(case):
        pointer = tuple(req.field.split("."))
        # Le champ manque : montrer son parent s'il existe, sinon la ligne du statut qui l'exige.
        anchor: tuple[str, ...] = ("statut",)
        for depth in range(len(pointer) - 1, 0, -1):
            if case.has_field(".".join(pointer[:depth])):
                anchor = pointer[:depth]
                break
        yield Finding(path, f"statut « {lc.label(status)} » : {req.message}", pointer, code="statut", anchor=anchor,
                      hint=f"compléter le champ {req.field} ou revenir au statut qui convient")
    if case.resultats and status in ("recue", "en_analyse", "recommandation_transmise", "decision_rendue"):
        yield Finding(path, f"des résultats d'exécution sont déclarés alors que le statut est « {lc.label(status)} »",
                      ("resultats",), hint="passer le dossier au statut en_execution", code="statut")
    if case.abandon and status != "abandonnee":
        yield Finding(path, "un abandon est renseigné mais le statut n'est pas « abandonnée »", ("abandon",), code="statut")


@file_check(KIND_CASE)
def case_decision_dispositions(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    """Une décision suivie ou partiellement suivie dit ce qu'elle retient : le bilan le compte."""
    dec = case.decision
    if dec is None or dec.suite not in ("suivie", "partiellement_suivie"):
        return
    recommended = [d for d in case.recommended_dispositions if d != "aucune"]
    names = labels.of(ctx.ws)
    if not dec.dispositions_retenues:
        shown = ", ".join(names.disposition(d) for d in recommended) or "aucune recommandation enregistrée"
        yield Finding(path, f"décision « {names.label('suite_decision', dec.suite, dec.suite.replace('_', ' '))} » sans dispositions retenues : "
                      "le bilan la compterait « non renseignée »", ("decision", "dispositions_retenues"), anchor=("decision",),
                      hint=f"indiquer decision.dispositions_retenues (recommandées : {shown}) ; guichet status … --decision le fait",
                      code="decision")
    elif dec.suite == "suivie" and recommended and sorted(set(dec.dispositions_retenues)) != sorted(recommended):
        yield Finding(path, "décision « suivie » mais les dispositions retenues diffèrent de la recommandation",
                      ("decision", "dispositions_retenues"), hint="écrire partiellement_suivie, ou retenir toute la recommandation",
                      code="decision", severity=WARNING)


def _legal_targets(case: Case) -> Iterable[tuple[tuple[str | int, ...], str, tuple[int, ...]]]:
    for i, rec in enumerate(case.recommendations):
        yield ("analyse", "recommandation", i, "disposition"), rec.disposition, rec.lots
    for i, disp in enumerate(case.retained_dispositions):
        yield ("decision", "dispositions_retenues", i), disp, ()


@file_check(KIND_CASE)
def case_legal_rules(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    """Règles de droit qui sont de purs faits (L2113-15, base légale d'une réservation)."""
    rules = ctx.rules("dispositions")["dispositions"]
    names = labels.of(ctx.ws)
    marche = case.marche
    buyer_type = legal_frame.buyer_type_of(marche, case.donneur_ordre, ctx.registry)
    # Acheteur privé : hors code de la commande publique, ses dispositions sont volontaires ; les
    # conditions du code (liste CPV, durée, type d'acheteur) ne lui sont pas opposées.
    voluntary = legal_frame.from_rules(ctx.rules("dispositions"), ctx.rules("obligation_sociale"), buyer_type).voluntary
    for pointer, disp, rec_lots in ([] if voluntary else _legal_targets(case)):
        rule = rules.get(disp) or {}
        allowed = rule.get("cpv_autorises")
        if allowed:
            cpvs = [c for n in rec_lots if (lot := marche.lot(n)) for c in lot.cpv] if rec_lots else list(marche.cpv)
            outside = [c for c in cpvs if not cpv_in(c, allowed)]
            if outside:
                yield Finding(path, f"{names.disposition(disp)} ({rule['base_legale']}) impossible : CPV {', '.join(outside)} hors de la liste des services sociaux et autres services spécifiques",
                              pointer, hint=f"choisir une autre disposition (règle : {rule_ref('dispositions', disp, 'cpv_autorises')})", code="droit")
        max_months = rule.get("duree_max_mois")
        if max_months and marche.duree_mois > max_months:
            yield Finding(path, f"{names.disposition(disp)} ({rule['base_legale']}) : durée de {marche.duree_mois} mois, au-delà du maximum de {max_months} mois",
                          pointer, hint=f"ramener la durée à {max_months} mois ou choisir une autre disposition ({rule_ref('dispositions', disp, 'duree_max_mois')})", code="droit")
        buyers_ok = rule.get("acheteurs_autorises")
        if buyers_ok and buyer_type and buyer_type not in buyers_ok:
            yield Finding(path, f"{names.disposition(disp)} ({rule['base_legale']}) réservé aux acheteurs de type {', '.join(buyers_ok)} (ici : {buyer_type})",
                          pointer, code="droit")
    for i, rec in enumerate(case.recommendations):
        rule = rules.get(rec.disposition) or {}
        basis = rec.base_legale
        expected = rule.get("base_legale")
        if basis and expected and expected != "—" and expected.split()[0] not in basis:
            yield Finding(path, f"base légale « {basis} » incohérente avec la disposition {rec.disposition} (attendu : {expected})",
                          ("analyse", "recommandation", i, "base_legale"), hint=f"écrire « {expected} » ({rule_ref('dispositions', rec.disposition)})", code="droit")


# --- registres -------------------------------------------------------------------------------


@file_check(KIND_PARTNER)
def partner_identity(ctx: CheckContext, path: Path, partner: Partner) -> Iterator[Finding]:
    if path.stem != partner.id:
        yield Finding(path, f"le nom du fichier ({path.name}) ne correspond pas à l'identifiant « {partner.id} »", ("id",), code="identifiant")
    if partner.type in (COORDINATION, IAE_NETWORK) and len(partner.departements) != 1:
        yield Finding(path, "une coordination ou un réseau départemental couvre exactement un département", ("departements",), code="registre")
    contacts = ctx.registry.contacts
    for i, fac in enumerate(partner.facilitateurs):
        if fac.contact not in contacts:
            yield Finding(path, f"contact « {fac.contact} » introuvable dans contacts/", ("facilitateurs", i, "contact"),
                          hint=did_you_mean(fac.contact, list(contacts)), code="reference")
        if partner.type != COORDINATION:
            yield Finding(path, "seules les coordinations départementales déclarent des facilitateurs", ("facilitateurs", i), code="registre")


@file_check(KIND_BUYER)
def buyer_identity(ctx: CheckContext, path: Path, buyer: Buyer) -> Iterator[Finding]:
    if path.stem != buyer.siret:
        yield Finding(path, f"le nom du fichier ({path.name}) doit être le SIRET « {buyer.siret} »", ("siret",), code="identifiant")
    problem = siret_problem(buyer.siret)
    if problem:
        yield Finding(path, problem, ("siret",), code="siret")
    reg = ctx.registry
    for i, cid in enumerate(buyer.contacts_dedies):
        if cid not in reg.contacts:
            yield Finding(path, f"contact « {cid} » introuvable dans contacts/", ("contacts_dedies", i), code="reference",
                          hint=did_you_mean(cid, list(reg.contacts)))
    for i, conv in enumerate(buyer.conventions):
        if conv.partenaire not in reg.partners:
            yield Finding(path, f"partenaire « {conv.partenaire} » introuvable dans partners/", ("conventions", i, "partenaire"),
                          code="reference", hint=did_you_mean(conv.partenaire, list(reg.partners)))


@file_check(KIND_CONTACT)
def contact_identity(ctx: CheckContext, path: Path, contact: Contact) -> Iterator[Finding]:
    if path.stem != contact.id:
        yield Finding(path, f"le nom du fichier ({path.name}) ne correspond pas à l'identifiant « {contact.id} »", ("id",), code="identifiant")
    org = contact.organisation
    if org not in ctx.registry.partners and org not in ctx.registry.buyers and ctx.ws.store.structures.get(org) is None:
        yield Finding(path, f"organisation « {org} » introuvable (ni partenaire de partners/, ni SIRET de donneurs/ ou de structures/)", ("organisation",),
                      code="reference", hint=did_you_mean(org, list(ctx.registry.partners)))


# --- contrôles transversaux ------------------------------------------------------------------


@file_check(KIND_CASE)
def case_references(ctx: CheckContext, path: Path, case: Case) -> Iterator[Finding]:
    reg = ctx.registry
    if case.donneur_ordre not in reg.buyers:
        yield Finding(path, f"donneur d'ordre {case.donneur_ordre} absent du registre donneurs/", ("donneur_ordre",),
                      hint=f"créer donneurs/{case.donneur_ordre}.yaml ou corriger le SIRET", code="reference")
    if case.demandeur not in reg.contacts:
        yield Finding(path, f"contact « {case.demandeur} » introuvable dans contacts/", ("demandeur",),
                      hint=did_you_mean(case.demandeur, list(reg.contacts)) or "créer la fiche dans contacts/", code="reference")
    analyse = case.analyse
    val = case.calibration.valide_par if case.calibration else None
    if val and val not in reg.facilitators:
        yield Finding(path, f"facilitateur « {val} » inconnu des coordinations de partners/", ("analyse", "calibrage", "valide_par"),
                      hint=did_you_mean(val, list(reg.facilitators)), code="reference")
    if analyse and analyse.redigee_par and analyse.redigee_par not in reg.contacts:
        yield Finding(path, f"contact « {analyse.redigee_par} » introuvable dans contacts/", ("analyse", "redigee_par"), code="reference")
    routage = case.routage
    if routage is None:
        return
    for key, ids, wanted in (("coordinations", routage.coordinations, {COORDINATION}),
                             ("reseaux", routage.reseaux, {IAE_NETWORK, "reseau_partenaire", "macs"})):
        for i, pid in enumerate(ids):
            partner = reg.partners.get(pid)
            if partner is None:
                yield Finding(path, f"partenaire « {pid} » introuvable dans partners/", ("routage", key, i),
                              hint=did_you_mean(pid, list(reg.partners)), code="reference")
            elif partner.type not in wanted:
                yield Finding(path, f"« {pid} » n'est pas un partenaire du bon type pour routage.{key}", ("routage", key, i), code="reference")
    lead = routage.chef_de_file
    if lead and lead not in routage.coordinations:
        yield Finding(path, f"la coordination cheffe de file « {lead} » doit figurer dans routage.coordinations", ("routage", "chef_de_file"), code="reference")
    for i, fid in enumerate(routage.facilitateurs):
        if fid not in reg.facilitators:
            yield Finding(path, f"facilitateur « {fid} » inconnu des coordinations de partners/", ("routage", "facilitateurs", i),
                          hint=did_you_mean(fid, list(reg.facilitators)), code="reference")
    for i, mot in enumerate(routage.motifs):
        if mot.partenaire not in reg.partners:
            yield Finding(path, f"partenaire « {mot.partenaire} » introuvable dans partners/", ("routage", "motifs", i, "partenaire"), code="reference")


@repo_check
def unique_case_ids(ctx: CheckContext, loaded: dict[Path, Any]) -> Iterator[Finding]:
    """Deux demandes créées en parallèle sur deux branches ne doivent pas partager un identifiant.

    L'unicité se lit sur les noms de fichiers (qui portent l'identifiant), sans relire les
    dossiers inchangés.
    """
    seen: dict[str, str] = {}
    for name in ctx.ws.case_file_names():  # chaînes : un `Path` seulement pour un doublon
        stem = os.path.splitext(os.path.basename(name))[0]
        key = stem.upper()
        if key in seen:
            p = Path(name)
            yield Finding(p, f"identifiant « {p.stem} » déjà utilisé par {ctx.ws.rel(Path(seen[key]))}", ("id",),
                          hint="donner un nouvel identifiant à l'une des deux demandes (guichet new en génère un)", code="unicite")
        else:
            seen[key] = name
    ids: dict[str, Path] = {}
    for path, ent in loaded.items():
        cid = ent.case_id  # aussi pour une demande reprise du cache de validation (sans objet typé)
        if cid is not None:
            key = cid.upper()
            if key in ids and ids[key] != path and path.stem.upper() != key:
                yield Finding(path, f"identifiant « {cid} » déjà utilisé par {ctx.ws.rel(ids[key])}", ("id",), code="unicite")
            ids.setdefault(key, path)


@repo_check
def unique_facilitator_ids(ctx: CheckContext, loaded: dict[Path, Any]) -> Iterator[Finding]:
    seen: dict[str, Path] = {}
    partners = [(path, ent.model) for path, ent in loaded.items() if isinstance(ent.model, Partner)]
    # Les coordinations non validées dans cette exécution (validate --since) comptent aussi.
    for partner in ctx.registry.partners.values():
        if partner.path not in loaded:
            partners.append((partner.path, partner))
    for path, partner in partners:
        for i, fac in enumerate(partner.facilitateurs):
            if fac.id in seen and seen[fac.id] != path:
                yield Finding(path, f"facilitateur « {fac.id} » déjà déclaré dans {ctx.ws.rel(seen[fac.id])}", ("facilitateurs", i, "id"), code="unicite")
            else:
                seen[fac.id] = path
