"""Cadre juridique de l'acheteur : soumis au code de la commande publique, ou démarche volontaire.

Un acheteur privé (rules/dispositions.yaml#cadre_volontaire.types_acheteur) n'est pas soumis au
code : ses dispositions sont présentées comme volontaires, avec les formulations du même bloc de
règles. Un seul endroit pour l'analyse, la validation, la rédaction et la lettre d'accompagnement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core.model.case import Case, Market
from guichet_cli.core.model.registry import Registry
from guichet_cli.core.rules import load_rules, rule_ref
from guichet_cli.core.workspace import Workspace

REF = rule_ref("dispositions", "cadre_volontaire")


@dataclass(frozen=True)
class Frame:
    """`voluntary` : acheteur non soumis au code ; `wording` : le bloc cadre_volontaire des règles ;
    `obligation_article` : article de l'obligation (L2112-2-1), jamais cité à un acheteur volontaire."""

    voluntary: bool
    buyer_type: str | None
    wording: dict[str, Any] = field(default_factory=dict)
    obligation_article: str = ""
    regle: str = REF

    def basis(self, base: str) -> str:
        """Base légale affichée : « L2112-2 », ou « démarche volontaire, sur le modèle de L2112-2 »."""
        if not self.voluntary or not base or base == "—":
            return base
        return str(self.wording["base_legale"]).format(base=base)

    def opening(self, rule: dict[str, Any]) -> str:
        """Phrase d'ouverture d'un projet de rédaction (rules/dispositions.yaml#<disposition>.fondement)."""
        fondement = rule.get("fondement") or {}
        return str(fondement.get("volontaire" if self.voluntary else "public") or "")

    def articles(self, articles: list[str]) -> list[str]:
        """Articles cités : l'article de l'obligation est retiré pour un acheteur volontaire."""
        return [a for a in articles if not (self.voluntary and a == self.obligation_article)]

    def references(self, articles_text: str) -> str:
        """« article L2112-2 et article L2112-3 du code de la commande publique » (ou formulation volontaire)."""
        if not articles_text:
            return ""
        if self.voluntary:
            return str(self.wording["references"]).format(articles=articles_text)
        return f"{articles_text} du code de la commande publique"

    def letter_basis(self, basis_text: str) -> str:
        """Fin de phrase de la lettre : « sur le fondement de l'article … » ou « à titre volontaire, sur le modèle de l'article … »."""
        if not basis_text:
            return ""
        if self.voluntary:
            return str(self.wording["phrase_lettre"]).format(base=basis_text)
        return f"sur le fondement de l’{basis_text}"

    @property
    def notice(self) -> str:
        """Phrase d'explication (analyse) ; vide pour un acheteur soumis au code."""
        return str(self.wording.get("texte_analyse") or "") if self.voluntary else ""

    @property
    def letter_notice(self) -> str:
        return str(self.wording.get("lettre") or "") if self.voluntary else ""


def from_rules(dispositions_rules: dict[str, Any], obligation_rules: dict[str, Any] | None, buyer_type: str | None) -> Frame:
    """Cadre d'un type d'acheteur, d'après les règles déjà lues (rules/dispositions.yaml entier)."""
    wording = dispositions_rules.get("cadre_volontaire") or {}
    voluntary = bool(buyer_type) and buyer_type in (wording.get("types_acheteur") or [])
    return Frame(voluntary, buyer_type, wording, str((obligation_rules or {}).get("article") or ""))


def buyer_type_of(marche: Market, buyer: str | None, registry: Registry | None) -> str | None:
    """Type d'acheteur connu : celui du marché, sinon celui du registre des donneurs d'ordre (sans valeur par défaut)."""
    if marche.type_acheteur:
        return marche.type_acheteur
    return registry.buyer_type(buyer) if buyer and registry is not None else None


def frame(ws: Workspace, buyer_type: str | None) -> Frame:
    return from_rules(load_rules(ws, "dispositions"), load_rules(ws, "obligation_sociale"), buyer_type)


def for_case(ws: Workspace, case: Case, registry: Registry | None = None) -> Frame:
    registry = registry if registry is not None else ws.store.registry
    return frame(ws, buyer_type_of(case.marche, case.donneur_ordre, registry))
