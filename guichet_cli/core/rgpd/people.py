"""Droits des personnes (RGPD, articles 15 à 17) : accès, rectification, effacement ; durée de conservation.

Une personne est une fiche du registre contacts/ ; les demandes et les registres n'en portent que
l'identifiant (`demandeur: contact-0007`, facilitateurs, contacts dédiés), identifiant qui est
lui-même un pseudonyme. Effacer une personne = vider sa fiche de toute donnée personnelle (les
références restent valides et ne désignent plus personne), committer, puis — sur demande —
purger les versions passées de l'historique git avec git-filter-repo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guichet_cli.core import audit, gitrepo, yamlio
from guichet_cli.core import frformat as fr
from guichet_cli.core.errors import UsageError
from guichet_cli.core.model.registry import Contact
from guichet_cli.core.workspace import Workspace

PERSONAL_FIELDS = ("civilite", "prenom", "nom", "courriel", "telephone", "fonction")
ERASED_NAME = "Contact effacé (RGPD)"
DEFAULT_RETENTION_MONTHS = 36
FINAL = ("cloturee", "abandonnee")


@dataclass
class Holding:
    """Tout ce que le dépôt détient sur une personne."""

    contact: Contact
    entry: dict[str, Any]
    cases: list[tuple[str, str, str]] = field(default_factory=list)  # (fichier, identifiant, champ)
    registry: list[tuple[str, str]] = field(default_factory=list)  # (fichier, champ)
    commits: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "personne": self.contact.id,
            "fiche": {"fichier": f"contacts/{self.contact.path.name}", "contenu": self.entry},
            "demandes": [{"fichier": f, "dossier": c, "champ": k} for f, c, k in self.cases],
            "registres": [{"fichier": f, "champ": k} for f, k in self.registry],
            "commits": self.commits,
        }


def find_person(ws: Workspace, ref: str) -> Contact:
    """Un contact par identifiant (contact-0007) ou par adresse électronique."""
    reg = ws.store.registry
    if ref in reg.contacts:
        return reg.contacts[ref]
    for c in reg.contacts.values():
        if c.courriel and c.courriel.lower() == ref.strip().lower():
            return c
    raise UsageError(f"aucune personne « {ref} » dans contacts/", "donner l'identifiant (contact-0007) ou l'adresse électronique")


def holding(ws: Workspace, contact: Contact, *, with_history: bool = True) -> Holding:
    out = Holding(contact, ws.store.entry(contact.path).data)  # déjà lu par le registre
    cases, _problems = ws.store.load_cases()
    for case in cases:
        rel = ws.rel(case.path)
        if case.demandeur == contact.id:
            out.cases.append((rel, case.id, "demandeur"))
        reg = ws.store.registry
        for fid in case.facilitators:
            fac = reg.facilitators.get(fid)
            if fac is not None and fac.contact == contact.id:
                out.cases.append((rel, case.id, "routage.facilitateurs"))
    reg = ws.store.registry
    for partner in reg.partners.values():
        for fac in getattr(partner, "facilitateurs", ()):
            if fac.contact == contact.id:
                out.registry.append((ws.rel(partner.path), f"facilitateurs[{fac.id}].contact"))
    for buyer in reg.buyers.values():
        if contact.id in buyer.contacts_dedies:
            out.registry.append((ws.rel(buyer.path), "contacts_dedies"))
    if with_history:
        repo = gitrepo.open_repo(ws.root)
        if repo is not None:
            with repo:
                prefix = repo.prefix_for(ws.root)
                paths = sorted({f"{prefix}{ws.rel(contact.path)}", *(prefix + f for f, _c, _k in out.cases)})
                if repo.has_commits():
                    for e in repo.log_name_status(paths, first_parent=False):
                        out.commits.append({"sha": e.sha, "date": e.date, "auteur": e.author, "sujet": e.subject,
                                            "fichiers": ", ".join(c.path for c in e.changes)})
    return out


def summary_fr(h: Holding) -> str:
    c = h.contact
    lines = [f"Données détenues sur {c.id} (droit d'accès, article 15 du RGPD)", "",
             f"Fiche contacts/{c.path.name} :"]
    lines += [f"  {k} : {v}" for k, v in h.entry.items() if k != "id"]
    lines += ["", f"Demandes qui la désignent : {len(h.cases)}"]
    lines += [f"  {cid} ({f}) — champ {k}" for f, cid, k in h.cases]
    lines += ["", f"Registres qui la désignent : {len(h.registry)}"]
    lines += [f"  {f} — {k}" for f, k in h.registry]
    lines += ["", f"Modifications enregistrées (commits) : {len(h.commits)}"]
    lines += [f"  {x['date'][:10]}  {x['sha'][:10]}  {x['auteur']} — {x['sujet']}" for x in h.commits]
    return "\n".join(lines) + "\n"


def rectify(ws: Workspace, contact: Contact, changes: dict[str, str], *, no_commit: bool = False) -> str | None:
    """Corrige des champs de la fiche (droit de rectification, article 16), commit compris."""
    allowed = (*PERSONAL_FIELDS, "organisation", "base_legale_rgpd", "conserver_jusqu_au")
    for k in changes:
        if k not in allowed:
            raise UsageError(f"champ « {k} » non rectifiable", "champs possibles : " + ", ".join(allowed))
    with ws.store.writing():
        audit.check_can_commit(ws, [contact.path], no_commit=no_commit)

        def mutate(data: Any) -> None:
            for k, v in changes.items():
                data[k] = v

        ws.store.edit(contact.path, mutate)
        return audit.commit_changes(ws, [contact.path], case_id=contact.id, action="rgpd-rectification",
                                    subject=f"{contact.id} : rectification des données personnelles", no_commit=no_commit)


def secrets_of(contact: Contact) -> list[str]:
    """Les textes à faire disparaître de l'historique : adresse, téléphone, nom complet, civilité
    suivie du nom (« Mme Martin »), et le nom et le prénom en valeur d'un champ YAML (nus ou entre
    guillemets). Le nom seul n'est pas remplacé partout : un nom courant (« Martin ») abîmerait
    d'autres textes. Les plus longs d'abord, pour qu'un texte court n'en coupe pas un long."""
    out = [contact.courriel, contact.telephone, contact.full_name if contact.prenom else None,
           f"{contact.civilite} {contact.nom}" if contact.civilite and contact.nom else None]
    for key, value in (("nom", contact.nom), ("prenom", contact.prenom)):
        if value:
            out += [f"{key}: {value}", f'{key}: "{value}"', f"{key}: '{value}'"]
    kept = [x for x in dict.fromkeys(out) if x and x != contact.id]
    return sorted(kept, key=len, reverse=True)


def erase(ws: Workspace, contact: Contact, *, no_commit: bool = False) -> str | None:
    """Vide la fiche de ses données personnelles (droit à l'effacement, article 17), commit compris.

    L'identifiant reste : les demandes qui le citent restent valides et ne désignent plus personne."""
    with ws.store.writing():
        audit.check_can_commit(ws, [contact.path], no_commit=no_commit)

        def mutate(data: Any) -> None:
            for k in PERSONAL_FIELDS:
                if k in data:
                    yamlio.delete_key(data, k)
            data["nom"] = ERASED_NAME

        ws.store.edit(contact.path, mutate)
        return audit.commit_changes(ws, [contact.path], case_id=contact.id, action="rgpd-effacement",
                                    subject=f"{contact.id} : données personnelles effacées (droit à l'effacement)",
                                    no_commit=no_commit)


def rewrite_history(ws: Workspace, secrets: list[str]) -> None:
    repo = gitrepo.open_repo(ws.root)
    if repo is None:
        raise UsageError("pas de dépôt git : il n'y a pas d'historique à purger")
    with repo:
        if repo.diff_name_status("HEAD") or repo.untracked():
            raise UsageError("des modifications ne sont pas committées : la purge réécrit tout l'historique",
                             "committer ou mettre de côté les modifications (git stash) puis relancer")
        repo.purge_history(secrets)


FORGE_STEPS = (
    "L'historique a été réécrit : les identifiants de commit ont changé.",
    "Sur la forge : 1) protéger le dépôt en écriture le temps de l'opération ; 2) pousser de force toutes les branches "
    "et étiquettes (git push --force --all puis git push --force --tags, après avoir rajouté le dépôt distant : "
    "git-filter-repo le retire par sécurité) ; 3) demander au support de la forge de purger les vues en cache et les "
    "références des demandes de fusion (elles gardent les anciens commits) ; 4) chaque personne qui a un clone ou une "
    "copie (fork) doit le supprimer et recloner : une ancienne copie contient encore les données effacées.",
)


def retention_months(ws: Workspace) -> int:
    return int(ws.setting("conservation_contacts_mois", DEFAULT_RETENTION_MONTHS))


@dataclass(frozen=True)
class Due:
    contact: Contact
    since: dt.date  # date à partir de laquelle la fiche doit être effacée
    reason: str


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    import calendar

    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class CaseUse:
    """Ce que la durée de conservation lit d'une demande : son demandeur, si elle est close, et quand.

    Assez petit pour être gardé de chaque demande en validation en flux, en parallèle ou en cache."""

    demandeur: str | None
    final: bool
    ended: dt.date | None  # dernière des dates de clôture et d'abandon

    def to_json(self) -> list[Any]:
        return [self.demandeur, self.final, self.ended.isoformat() if self.ended else None]

    @classmethod
    def from_json(cls, row: list[Any]) -> CaseUse:
        demandeur, final, ended = row
        return cls(demandeur, final, dt.date.fromisoformat(ended) if ended else None)


def use_of(case: Any) -> CaseUse:
    ends = [d for d in (case.cloture.date if case.cloture else None, case.abandon.date if case.abandon else None) if d]
    return CaseUse(case.demandeur, case.statut in FINAL, max(ends) if ends else None)


def due(ws: Workspace, today: dt.date | None = None, uses: list[CaseUse] | None = None) -> list[Due]:
    """Contacts dont la durée de conservation est passée : toutes leurs demandes closes depuis plus
    de `conservation_contacts_mois` (guichet.yaml), ou date `conserver_jusqu_au` dépassée ; jamais un
    contact encore désigné par un registre (facilitateur, contact dédié d'un donneur d'ordre).
    `uses` : les demandes déjà résumées (use_of), sinon toutes celles du dépôt."""
    today = today or dt.date.today()
    months = retention_months(ws)
    reg = ws.store.registry
    if uses is None:
        uses = [use_of(c) for c in ws.store.load_cases()[0]]
    in_registry = {f.contact for f in reg.facilitators.values()} | {c for b in reg.buyers.values() for c in b.contacts_dedies}
    out: list[Due] = []
    for contact in sorted(reg.contacts.values(), key=lambda c: c.id):
        if contact.nom == ERASED_NAME:
            continue
        if contact.conserver_jusqu_au is not None:
            if contact.conserver_jusqu_au < today:
                out.append(Due(contact, contact.conserver_jusqu_au, "date de conservation (conserver_jusqu_au) dépassée"))
            continue
        if contact.id in in_registry:
            continue
        mine = [u for u in uses if u.demandeur == contact.id]
        if not mine or not all(u.final for u in mine):
            continue
        ends = [u.ended for u in mine if u.ended]
        if not ends:
            continue
        limit = _add_months(max(ends), months)
        if limit < today:
            out.append(Due(contact, limit, f"dernière demande close le {fr.date_fr(max(ends))}, conservation {months} mois"))
    return out


def contact_path(ws: Workspace, cid: str) -> Path:
    return ws.contacts_dir / f"{cid}.yaml"
