"""Demande confidentielle jusqu'à sa publication (ticket 15) : chaque sortie destinée à un partenaire
est passée au crible pour l'objet, les lots et les montants des demandes confidentielles sur
lesquelles ce partenaire n'est pas orienté.

Sorties destinées à des partenaires : courriels de mise en relation (`route --eml`), demandes de
sourcing (`sourcing --eml`), relances (`remind`) et panorama régional (`report --region`, diffusé à
tous les partenaires). Un vrai dépôt git, la vraie commande, les fichiers relus.
"""

from __future__ import annotations

import email
import re
from email.policy import default as default_policy
from pathlib import Path

import pytest
from conftest import copy_repo, git, init_git

from guichet_cli.core.facts import confidentiality
from guichet_cli.core.workspace import open_workspace

UNTIL = "2099-01-01"  # date de publication lointaine : la demande reste confidentielle
# Demande reçue, pas encore orientée (aucun routage enregistré).
UNROUTED = ("cases/2026/GRCS-2026-A2B9.yaml", "Restauration des patients et du personnel",
            "Restauration confidentielle Zébulon des patients", "2600000", "2611111")
# Demande en analyse, orientée sur les coordinations 75, 92, 93 (routage enregistré).
ROUTED = ("cases/2026/GRCS-2026-G5H7.yaml", "Déménagement et transfert de services de l'État entre sites franciliens",
          "Déménagement secret Xylophone des services", "410000", "413579")
CONFIDENTIAL = {"GRCS-2026-A2B9": UNROUTED, "GRCS-2026-G5H7": ROUTED}


def _make_confidential(repo: Path, spec) -> None:
    rel, old_obj, new_obj, old_amount, new_amount = spec
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert f"objet: {old_obj}" in text and f"montant_estime_ht: {old_amount}" in text
    text = text.replace(f"objet: {old_obj}", f"objet: {new_obj}").replace(f"montant_estime_ht: {old_amount}",
                                                                           f"montant_estime_ht: {new_amount}")
    text = text.replace("marche:\n", f'confidentielle_jusqu_au: "{UNTIL}"\nmarche:\n', 1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def conf_repo(tmp_path):
    repo = copy_repo(tmp_path / "depot")
    for spec in CONFIDENTIAL.values():
        _make_confidential(repo, spec)
    return init_git(repo)


def _digits(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]", "", text)


def _secrets(cid: str) -> list[str]:
    """Ce qui ne doit pas sortir : l'objet, et le montant (total et annuel) sous toutes ses écritures."""
    _rel, _old, obj, _old_amount, amount = CONFIDENTIAL[cid]
    return [obj, "Zébulon" if "Zébulon" in obj else "Xylophone", amount]


def _leaks(text: str, cid: str, duration_months: int) -> list[str]:
    found = [s for s in _secrets(cid)[:2] if s in text]
    flat = _digits(text)
    amount = int(CONFIDENTIAL[cid][4])
    yearly = str(int(amount / max(1.0, duration_months / 12)))
    found += [a for a in (str(amount), yearly) if a in flat]
    return found


class Recipients:
    """Nom affiché dans un en-tête To → partenaire représenté (registre du dépôt)."""

    def __init__(self, repo: Path) -> None:
        ws = open_workspace(repo)
        reg = ws.store.registry
        self.by_name: dict[str, tuple[str, str]] = {}
        for p in reg.partners.values():
            for name in {p.sigle or p.nom, p.label, p.nom, p.id}:
                self.by_name[name] = ("partner", p.id)
        for fid, fac in reg.facilitators.items():
            contact = reg.contacts.get(fac.contact)
            self.by_name[contact.full_name if contact else fid] = ("partner", fac.coordination)
        for b in reg.buyers.values():
            self.by_name[b.nom] = ("buyer", b.siret)
            for cid in b.contacts_dedies:
                c = reg.contacts.get(cid)
                if c is not None:
                    self.by_name[c.full_name] = ("buyer", b.siret)
        self.cases = {c.id: c for c in ws.store.cases()}
        self.reg = reg

    def of(self, msg) -> set[tuple[str, str]]:
        mid = str(msg["Message-ID"])
        if mid.startswith("<relance."):  # relance : l'identifiant de l'acteur est dans le Message-ID
            actor = mid.split(".")[1]
            return {self.actor(actor)}
        names = [a.display_name for a in msg["To"].addresses]
        names += [g.display_name for g in msg["To"].groups if g.display_name and not g.addresses]
        assert names, str(msg["To"])
        out = set()
        for n in names:
            n = n.removesuffix(" (adresse à compléter)")
            assert n in self.by_name, f"destinataire inconnu : {n}"
            out.add(self.by_name[n])
        return out

    def actor(self, actor_id: str) -> tuple[str, str]:
        reg = self.reg
        if actor_id in reg.partners:
            return ("partner", actor_id)
        if actor_id in reg.facilitators:
            return ("partner", reg.facilitators[actor_id].coordination)
        if actor_id in reg.buyers:
            return ("buyer", actor_id)
        return ("titulaire", actor_id)

    def may_see(self, who: set[tuple[str, str]], cid: str) -> bool:
        case = self.cases[cid]
        routed = set(confidentiality.routed(case))
        return all((kind == "partner" and ident in routed) or (kind == "buyer" and ident == case.donneur_ordre)
                   for kind, ident in who)


def _scan_eml(directory: Path, rec: Recipients) -> tuple[int, int]:
    """(courriels lus, courriels où une demande confidentielle est visible à bon droit)."""
    files = sorted(directory.rglob("*.eml"))
    visible = 0
    for path in files:
        msg = email.message_from_string(path.read_bytes().decode("utf-8"), policy=default_policy)
        text = str(msg["Subject"]) + "\n" + msg.get_content()
        who = rec.of(msg)
        for cid in CONFIDENTIAL:
            leaks = _leaks(text, cid, rec.cases[cid].marche.duree_mois)
            if rec.may_see(who, cid):
                visible += bool(leaks) and cid in text
                continue
            assert not leaks, f"{path.name} → {sorted(who)} : {cid} confidentielle, non orienté, voit {leaks}"
    return len(files), visible


def test_no_partner_output_shows_a_confidential_request_it_is_not_routed_to(cli, conf_repo, tmp_path):
    repo = conf_repo
    assert "aucun problème" in cli("validate", repo=repo).stdout
    rec = Recipients(repo)
    cases = sorted(rec.cases)
    out = tmp_path / "sorties"
    for cid in cases:
        cli("route", cid, "--eml", str(out / "route" / cid), repo=repo, code=None)
        cli("sourcing", cid, "--eml", str(out / "sourcing" / cid), repo=repo, code=None)
    cli("remind", "--out", str(out / "relances"), "--no-commit", repo=repo, code=None)
    n, visible = _scan_eml(out, rec)
    assert n >= 20  # des courriels pour presque chaque demande : le crible a de la matière
    assert list((out / "route" / "GRCS-2026-A2B9").glob("*.eml")), "mise en relation de la demande non orientée"
    # la demande orientée reste lisible pour ses partenaires (le masque n'est pas posé partout)
    assert visible >= 1
    routed_mail = (out / "route" / "GRCS-2026-G5H7" / "GRCS-2026-G5H7-coordinations.eml").read_bytes().decode()
    assert "Xylophone" in email.message_from_string(routed_mail, policy=default_policy).get_content()
    unrouted = email.message_from_bytes((out / "route" / "GRCS-2026-A2B9" / "GRCS-2026-A2B9-coordinations.eml").read_bytes(),
                                        policy=default_policy)
    assert "marché confidentiel jusqu'à sa publication (le 01/01/2099)" in unrouted.get_content()
    assert "Montant estimé : confidentiel HT" in unrouted.get_content()

    # panorama régional : destiné à tous les partenaires
    for fmt in ("md", "json", "csv"):
        cli("report", "--year", "2026", "--region", "--format", fmt, "--out", str(out / "bilan"), repo=repo)
    for path in sorted((out / "bilan").iterdir()):
        text = path.read_text(encoding="utf-8")
        for cid in CONFIDENTIAL:
            assert not [s for s in _secrets(cid)[:2] if s in text], (path.name, cid)
        assert "marché confidentiel jusqu'à sa publication" in text, path.name

    # une fois le routage enregistré (--write), les partenaires orientés voient l'objet
    git(repo, "checkout", "-q", "--", ".")
    res = cli("route", "GRCS-2026-A2B9", "--write", "--eml", str(tmp_path / "apres"), repo=repo)
    assert "Zébulon" in res.stdout
    rec = Recipients(repo)
    n2, visible2 = _scan_eml(tmp_path / "apres", rec)
    assert n2 >= 1 and visible2 == n2


def test_confidentiality_ends_at_publication(conf_repo):
    ws = open_workspace(conf_repo)
    import datetime as dt

    case = ws.store.case("GRCS-2026-A2B9")
    assert confidentiality.is_confidential(case, dt.date(2098, 12, 31))
    assert not confidentiality.is_confidential(case, dt.date(2099, 1, 1))
    assert confidentiality.hidden_for(case, ["coordination-95"], dt.date(2098, 12, 31))
    assert not confidentiality.hidden_for(case, ["coordination-95"], dt.date(2099, 1, 1))


def test_validate_rejects_a_bad_confidentiality_date(cli, conf_repo):
    path = conf_repo / UNROUTED[0]
    path.write_text(path.read_text(encoding="utf-8").replace(f'"{UNTIL}"', '"bientôt"'), encoding="utf-8")
    res = cli("validate", str(path), repo=conf_repo, code=1)
    assert "confidentielle_jusqu_au" in res.stdout and "AAAA-MM-JJ" in res.stdout
