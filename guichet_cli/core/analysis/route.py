"""Routage d'une demande : coordination(s) départementale(s) et cheffe de file, réseaux IAE
départementaux, réseaux partenaires selon les dispositions recommandées, facilitateurs.

Les correspondances viennent du registre partners/ (départements couverts, dispositions suivies
par chaque réseau, facilitateurs) : chaque décision cite le fichier et le champ qui l'ont produite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guichet_cli.core.errors import DataError
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.registry import Registry


@dataclass
class Reason:
    partner: str
    motif: str
    regle: str


@dataclass
class Routing:
    coordinations: list[str] = field(default_factory=list)
    lead: str | None = None
    networks: list[str] = field(default_factory=list)
    facilitators: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    dispositions: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        """Bloc routage du dossier (sans mis_en_relation_le, que l'agent renseigne)."""
        out: dict[str, Any] = {"coordinations": list(self.coordinations)}
        if self.lead:
            out["chef_de_file"] = self.lead
        out["reseaux"] = list(self.networks)
        if self.facilitators:
            out["facilitateurs"] = list(self.facilitators)
        out["motifs"] = [{"partenaire": r.partner, "motif": r.motif, "regle": r.regle} for r in self.reasons]
        return out


    def key(self) -> tuple[tuple[str, ...], str | None, tuple[str, ...], tuple[str, ...]]:
        """Qui est sollicité (sans les motifs) : pour comparer routage enregistré et recalculé."""
        return (tuple(sorted(self.coordinations)), self.lead, tuple(sorted(self.networks)), tuple(sorted(self.facilitators)))


def from_saved(saved: Any) -> Routing:
    """Le routage enregistré dans le dossier (bloc routage:, éventuellement corrigé à la main)."""
    return Routing(coordinations=list(saved.coordinations), lead=saved.lead, networks=list(saved.reseaux),
                   facilitators=list(saved.facilitateurs),
                   reasons=[Reason(m.partenaire, m.motif, m.regle or "") for m in saved.motifs])


def _names(codes: list[str]) -> str:
    """Libellés des dispositions (schemas/defs.schema.json) : le motif est lu par les partenaires."""
    from guichet_cli.core.facts import labels

    names = labels.packaged()
    return ", ".join(names.disposition(c) for c in codes)


def _ref(reg: Registry, pid: str, key: str) -> str:
    partner = reg.partners.get(pid)
    name = f"partners/{partner.path.name}" if partner is not None else f"partners/{pid}.yaml"
    return f"{name}#{key}"


def routed_dispositions(recs: list[dict[str, Any]]) -> list[str]:
    """Dispositions qui déclenchent un routage : un critère ajouté en complément d'une clause n'en déclenche pas."""
    disps = [str(r["disposition"]) for r in recs if r.get("disposition")]
    if "clause_insertion" in disps:
        disps = [d for d in disps if d != "critere_social"]
    return [d for d in dict.fromkeys(disps) if d != "aucune"]


def route(case: Case, reg: Registry, recs: list[dict[str, Any]]) -> Routing:
    places = case.marche.lieux_execution
    deps = list(case.marche.departements)
    r = Routing(dispositions=routed_dispositions(recs))
    for dep in deps:
        coord = reg.coordination_for(dep)
        if coord is None:
            raise DataError(f"aucune coordination départementale pour le département {dep} dans partners/",
                            "ajouter la coordination au registre partners/ (guichet validate partners/)")
        pid = coord.id
        if pid not in r.coordinations:
            r.coordinations.append(pid)
            r.reasons.append(Reason(pid, f"coordination départementale du lieu d'exécution ({dep})", _ref(reg, pid, "departements")))
    # Cheffe de file : le département du donneur d'ordre s'il fait partie des lieux, sinon la plus grande part.
    buyer = reg.buyers.get(case.donneur_ordre)
    buyer_dep = (buyer.departement if buyer is not None else "") or ""
    shares: dict[str, float] = {}
    for p in places:
        shares[p.departement] = shares.get(p.departement, 0.0) + float(p.part or 0)
    if buyer_dep in deps:
        lead_dep, why = buyer_dep, f"département du donneur d'ordre ({buyer_dep})"
    elif any(shares.values()):
        lead_dep = max(deps, key=lambda d: (shares.get(d, 0.0), -deps.index(d)))
        why = f"plus grande part d'exécution ({lead_dep}, {round(shares[lead_dep] * 100)} %)"
    else:
        lead_dep, why = deps[0], f"premier lieu d'exécution déclaré ({deps[0]})"
    lead = reg.coordination_for(lead_dep)
    if lead is not None:
        r.lead = lead.id
        if len(r.coordinations) > 1:
            for reason in r.reasons:
                if reason.partner == r.lead:
                    reason.motif += f" ; cheffe de file : {why}"
    # Réseaux IAE départementaux, puis réseaux partenaires régionaux, selon les dispositions suivies.
    wanted = set(r.dispositions)
    for dep in deps:
        net = reg.iae_network_for(dep)
        if net is not None and wanted & set(net.dispositions):
            pid = net.id
            if pid not in r.networks:
                match = [d for d in r.dispositions if d in net.dispositions]
                r.networks.append(pid)
                r.reasons.append(Reason(pid, f"réseau IAE du département {dep} : {_names(match)}", _ref(reg, pid, "dispositions")))
    for pid, p in sorted(reg.partners.items()):
        if p.type != "reseau_partenaire":
            continue
        match = [d for d in r.dispositions if d in p.dispositions]
        if match:
            missions = "; ".join(p.missions[:2])
            r.networks.append(pid)
            unsure = " — nom et rôle à confirmer" if p.nom_a_confirmer else ""
            r.reasons.append(Reason(pid, f"{p.sigle or pid} accompagne : {_names(match)}" + (f" ({missions})" if missions else "") + unsure,
                                    _ref(reg, pid, "dispositions")))
    # Facilitateurs : ceux déjà désignés dans le dossier, sinon le premier de chaque coordination.
    current = list(case.facilitators)
    for pid in r.coordinations:
        partner = reg.partners.get(pid)
        facs = [f.id for f in partner.facilitateurs] if partner else []
        kept = [f for f in current if f in facs]
        chosen = kept or facs[:1]
        for f in chosen:
            if f not in r.facilitators:
                r.facilitators.append(f)
        if chosen and not kept:
            r.reasons.append(Reason(pid, f"facilitateur proposé : {chosen[0]} (premier du registre de la coordination)", _ref(reg, pid, "facilitateurs")))
    return r
