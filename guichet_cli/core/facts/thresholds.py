"""Seuils européens (rules/seuils.yaml) et obligation de condition sociale L2112-2-1 (rules/obligation_sociale.yaml).

Une seule lecture pour l'analyse (recommandation, criblage), la validation (contrôle L2112-2-1) et
le bilan (part des marchés au-dessus du seuil portant une considération sociale).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core import frformat as fr
from guichet_cli.core.facts import dates, labels, legal_frame
from guichet_cli.core.model.case import Derogation, Market
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.workspace import Workspace


@dataclass
class Threshold:
    buyer_type: str
    buyer_type_origin: str  # dossier, registre, défaut
    category: str  # travaux ou fournitures_services
    period: str
    value: float  # valeur du besoin comparée
    value_field: str
    threshold: float | None  # None : acheteur non soumis
    above: bool
    regle: str
    notes: list[str] = field(default_factory=list)
    ssss: bool = False  # services sociaux et autres services spécifiques : seuil propre
    label: str = ""  # « seuil européen des travaux (5 404 000 € HT) » (threshold_label) ; "" si non soumis
    cited: list[tuple[str, str]] = field(default_factory=list)  # autres règles appliquées (référence, ce qu'elles ont décidé)
    buyer_type_label: str = ""  # « pouvoir adjudicateur » (libellé de defs.schema.json), pour les messages

    @property
    def kind(self) -> str:
        """Type du seuil appliqué : travaux, fournitures_services ou services_sociaux_specifiques."""
        return "services_sociaux_specifiques" if self.ssss else self.category

    def text(self) -> str:
        if self.threshold is None:
            return f"{self.buyer_type_label or self.buyer_type} : non soumis aux seuils européens"
        comp = "≥" if self.above else "<"
        period = "seuil fixe" if self.ssss else f"période {self.period}"
        return (f"valeur du besoin {fr.eur(self.value)} {comp} {self.label} ; acheteur : "
                f"{self.buyer_type_label or self.buyer_type} ; {period}")


def threshold_label(ws: Workspace, kind: str, amount: float | None) -> str:
    """LE nom d'un seuil, partout où il est montré : « seuil européen des services sociaux et autres
    services spécifiques (750 000 € HT) » (rules/seuils.yaml#libelles ; `kind` : Threshold.kind).
    `amount` None : acheteur non soumis (libelles.non_soumis)."""
    names = load_rules(ws, "seuils").get("libelles") or {}
    if amount is None:
        return str(names.get("non_soumis") or "aucun seuil européen (acheteur non soumis)")
    pattern = names.get(kind) or "seuil européen ({montant})"
    return str(pattern).format(montant=fr.eur(amount) + " HT")


@dataclass
class Obligation:
    applies: bool
    reason: str
    regle: str
    launch: str | None
    derogation: Derogation | None = None  # analyse.derogation retenue (motif de L2112-2-1)
    derogation_label: str | None = None
    derogation_refused: str | None = None  # motif enregistré qui n'est pas un motif de L2112-2-1


def buyer_type(ws: Workspace, marche: Market, buyer: str | None, registry: Registry | None) -> tuple[str, str]:
    """Type d'acheteur : celui du marché, sinon celui du registre des donneurs d'ordre, sinon la valeur par défaut."""
    if marche.type_acheteur:
        return marche.type_acheteur, "dossier"
    known = legal_frame.buyer_type_of(marche, buyer, registry)  # fiche donneurs/<siret>.yaml
    if known:
        return known, "registre des donneurs d'ordre"
    return str(load_rules(ws, "seuils")["type_acheteur_defaut"]), "valeur par défaut de rules/seuils.yaml"


def need_value(ws: Workspace, marche: Market) -> tuple[float, str]:
    """Valeur du besoin comparée au seuil : premier montant renseigné de la liste des règles (champs du marché nommés par la règle)."""
    for key in load_rules(ws, "obligation_sociale").get("valeur_du_besoin", ["montant_estime_ht"]):
        value = getattr(marche, str(key), None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value), key
    return float(marche.montant_estime_ht or 0), "montant_estime_ht"


def launch_date(ws: Workspace, marche: Market) -> dt.date | None:
    """Date de lancement de la consultation (champ du marché désigné par rules/obligation_sociale.yaml#champ_date)."""
    champ = load_rules(ws, "obligation_sociale").get("champ_date", "lancement_prevu")
    return dates.read(getattr(marche, str(champ), None))


def category(marche: Market) -> str:
    """travaux (et concessions) ou fournitures_services."""
    return "travaux" if marche.nature == "travaux" or marche.forme == "concession" else "fournitures_services"


def period_for(ws: Workspace, when: dt.date) -> tuple[str, dict[str, Any], str | None]:
    periods = load_rules(ws, "seuils")["periodes"]
    ordered = sorted(periods.items(), key=lambda kv: str(kv[1]["du"]))
    for code, p in ordered:
        if dates.parse_iso(p["du"]) <= when <= dates.parse_iso(p["au"]):
            return code, p, None
    if when < dates.parse_iso(ordered[0][1]["du"]):
        code, p = ordered[0]
        return code, p, f"date antérieure aux périodes connues : seuils {code} appliqués"
    code, p = ordered[-1]
    return code, p, f"date postérieure aux périodes connues : seuils {code} appliqués (à mettre à jour dans rules/seuils.yaml)"


def _in_list(base: str, listed: dict[str, Any]) -> bool:
    if base in set(listed.get("codes") or []):
        return True
    return any(str(lo) <= base <= str(hi) for lo, hi in listed.get("plages") or [])


def is_ssss_cpv(ws: Workspace, cpv: Any) -> bool:
    """Vrai si le code CPV (avec ou sans chiffre de contrôle) est un service social ou autre service
    spécifique (rules/seuils.yaml#services_sociaux_specifiques.cpv)."""
    listed = (load_rules(ws, "seuils").get("services_sociaux_specifiques") or {}).get("cpv") or {}
    return _in_list(str(cpv).split("-")[0].strip(), listed)


def ssss_regime(ws: Workspace, *, nature: str, cpvs: list[str] | tuple[str, ...],
                lots: list[tuple[list[str] | tuple[str, ...], float]] | None = None) -> tuple[bool, str | None]:
    """Le besoin relève-t-il du régime SSSS ? (oui/non, note). Travaux : jamais. Marché mixte (R2123-2) :
    la catégorie de plus forte valeur estimée (par lots : CPV principal de chaque lot) ; sans lots,
    le CPV principal décide (répartition des valeurs inconnue)."""
    if nature == "travaux" or not cpvs and not lots:
        return False, None
    if lots:
        social = sum(v for c, v in lots if c and is_ssss_cpv(ws, c[0]))
        other = sum(v for c, v in lots if not (c and is_ssss_cpv(ws, c[0])))
        if social and other:
            governs = social > other
            return governs, (f"marché mixte (R2123-2) : lots de services sociaux et autres services spécifiques {fr.eur(social)}, "
                             f"autres lots {fr.eur(other)} : régime {'SSSS' if governs else 'ordinaire'}")
        return bool(social), None
    flags = [is_ssss_cpv(ws, c) for c in cpvs]
    if all(flags) or not any(flags):
        return flags[0], None
    return flags[0], (f"marché mixte (R2123-2) : répartition des valeurs inconnue, régime du CPV principal {cpvs[0]} "
                      f"({'SSSS' if flags[0] else 'ordinaire'}), à confirmer")


def market_ssss(ws: Workspace, marche: Market) -> tuple[bool, str | None]:
    """Régime SSSS d'un marché du dossier (lots compris)."""
    lots = [(lot.cpv, float(lot.montant_estime_ht)) for lot in marche.lots] or None
    return ssss_regime(ws, nature=marche.nature, cpvs=marche.cpv, lots=lots)


def eu_threshold(ws: Workspace, *, category_: str, buyer_type_: str, when: dt.date, ssss: bool = False
                 ) -> tuple[float | None, str, str, list[str]]:
    """Seuil européen applicable : (montant ou None si acheteur non soumis, règle citée, période, notes).

    `category_` : travaux ou fournitures_services ; `ssss` : le besoin relève des services sociaux et
    autres services spécifiques (seuil fixe, sauf pour un acheteur absent de leur table)."""
    rules = load_rules(ws, "seuils")
    code, period, note = period_for(ws, when)
    notes = [note] if note else []
    if buyer_type_ in (rules.get("non_soumis") or {}):
        return None, rule_ref("seuils", "non_soumis", buyer_type_), code, notes
    social = (rules.get("services_sociaux_specifiques") or {}).get("seuils") or {}
    if ssss and category_ != "travaux" and buyer_type_ in social:
        return float(social[buyer_type_]), rule_ref("seuils", "services_sociaux_specifiques", "seuils", buyer_type_), code, []
    if category_ == "travaux":
        return float(period["travaux"]), rule_ref("seuils", "periodes", code, "travaux"), code, notes
    return (float(period["fournitures_services"][buyer_type_]),
            rule_ref("seuils", "periodes", code, "fournitures_services", buyer_type_), code, notes)


def check_threshold(ws: Workspace, marche: Market, btype: tuple[str, str], when: dt.date) -> Threshold:
    """Seuil du marché ; un lot se compare au même seuil avec la valeur du besoin entier (R2121-4)."""
    value, value_field = need_value(ws, marche)
    cat = category(marche)
    kind, origin = btype
    ssss, mixed = market_ssss(ws, marche)
    limit, ref, code, notes = eu_threshold(ws, category_=cat, buyer_type_=kind, when=when, ssss=ssss)
    if mixed:
        notes.append(mixed)
    kind_label = labels.of(ws).type_acheteur(kind)
    if limit is None:
        return Threshold(kind, origin, cat, code, value, value_field, None, False, ref, notes, ssss, threshold_label(ws, cat, None),
                         buyer_type_label=kind_label)
    # « égale ou supérieure » : un besoin exactement au seuil est au-dessus (rules/seuils.yaml#comparaison)
    applied_ssss = ssss and ref.startswith("rules/seuils.yaml#services")
    th = Threshold(kind, origin, cat, code, value, value_field, limit, value >= limit, ref, notes, applied_ssss,
                   buyer_type_label=kind_label)
    th.label = threshold_label(ws, th.kind, limit)
    if mixed:  # R2123-2 : par lots, la plus forte valeur ; sans lots, le CPV principal (lecture à confirmer)
        th.cited.append((rule_ref("seuils", "services_sociaux_specifiques", "marche_mixte", *(() if marche.lots else ("sans_repartition",))), mixed))
    return th


def check_obligation(ws: Workspace, marche: Market, th: Threshold, today: dt.date,
                     derogation: Derogation | None = None) -> Obligation:
    """Obligation L2112-2-1 d'un marché ; `derogation` : le bloc analyse.derogation du dossier, s'il y en a un."""
    rules = load_rules(ws, "obligation_sociale")
    start = dates.parse_iso(rules["date_application"])
    launch = launch_date(ws, marche)
    when = launch or today
    excluded = rules.get("acheteurs_exclus") or {}
    motifs = rules.get("motifs_derogation") or {}
    # Seul un motif de la liste (texte de L2112-2-1) lève l'obligation ; un autre motif la laisse.
    deroga = derogation if derogation is not None and derogation.motif in motifs else None
    refused = derogation.motif if derogation is not None and deroga is None else None
    label = (motifs.get(deroga.motif) or {}).get("libelle") if deroga is not None else None
    art = rules["article"]
    if th.buyer_type in excluded:
        return Obligation(False, f"{art} ne s'applique pas : {excluded[th.buyer_type]}", rule_ref("obligation_sociale", "acheteurs_exclus", th.buyer_type), None)
    launch_txt = fr.date_fr(when.isoformat()) + ("" if launch else " (date de lancement non renseignée : date du jour)")
    if when < start:
        return Obligation(False, f"{art} : consultation lancée le {launch_txt}, avant le {fr.date_fr(start.isoformat())}",
                          rule_ref("obligation_sociale", "date_application"), when.isoformat())
    if not th.above:
        return Obligation(False, f"{art} : besoin sous le seuil européen ({th.text()})", th.regle, when.isoformat())
    return Obligation(True, f"{art} : condition d'exécution sociale obligatoire (besoin au-dessus du seuil européen, "
                            f"consultation lancée le {launch_txt}, à partir du {fr.date_fr(start.isoformat())})",
                      rule_ref("obligation_sociale", "date_application"), when.isoformat(), deroga, label, refused)


def assess(ws: Workspace, marche: Market, buyer: str | None, registry: Registry | None, today: dt.date,
           derogation: Derogation | None = None) -> tuple[tuple[str, str], Threshold, Obligation]:
    """Type d'acheteur, seuil (à la date de lancement, sinon aujourd'hui) et obligation d'un marché."""
    btype = buyer_type(ws, marche, buyer, registry)
    th = check_threshold(ws, marche, btype, launch_date(ws, marche) or today)
    return btype, th, check_obligation(ws, marche, th, today, derogation)


# Pour le bilan : (seuil ou None, valeur du besoin, soumis à l'obligation L2112-2-1, nom du seuil appliqué ou None)
Verdict = tuple[float | None, float | None, bool, str | None]
# (marché, SIRET du donneur d'ordre, date de référence, dérogation enregistrée ou None)
Checker = Callable[[Market, str, dt.date, Derogation | None], Verdict]


def make_checker(ws: Workspace, registry: Registry | None, *, available: bool = True) -> Checker:
    """Vérificateur du bilan : seuil à la date `when` (lancement, sinon notification), obligation si le
    lancement est connu. `available=False` (rules/seuils.yaml absent) : pas de seuil, jamais soumis."""

    def check(marche: Market, buyer: str, when: dt.date, derogation: Derogation | None = None) -> Verdict:
        if not available:
            return None, need_value(ws, marche)[0], False, None
        th = check_threshold(ws, marche, buyer_type(ws, marche, buyer, registry), when)
        subject = launch_date(ws, marche) is not None and th.above and check_obligation(ws, marche, th, when, derogation).applies
        return th.threshold, th.value, subject, (th.label if th.threshold is not None else None)

    return check
