"""Fichier CODEOWNERS généré : chaque demande est relue par les équipes des partenaires routés.

Même syntaxe pour GitHub et GitLab sur ce sous-ensemble (motif de chemin ancré « / » puis
équipes « @org/equipe ») ; la dernière règle qui correspond l'emporte, d'où la règle générale
en tête. Le fichier est régénéré par `guichet codeowners` et par le routage (`write_codeowners`).

Une demande que seule la MACS relit (pas encore routée : toute demande neuve) n'a pas de ligne : la
règle générale `*` la couvre. Ainsi `guichet new` et `screen --create-cases` ne rendent pas
CODEOWNERS périmé ; seul le routage, qui ajoute des relecteurs, le change.
"""

from __future__ import annotations

from pathlib import Path

from guichet_cli.core import yamlio
from guichet_cli.core.errors import EnvironmentProblem
from guichet_cli.core.workspace import Workspace

FILE_NAME = "CODEOWNERS"
HEADER = """\
# Fichier généré par « guichet codeowners » : ne pas modifier à la main.
# Chaque demande est relue par l'équipe de la MACS et par celles des partenaires routés
# (routage.coordinations, routage.chef_de_file, routage.reseaux), d'après equipe_forge dans partners/.
# Syntaxe commune GitHub / GitLab : la dernière règle qui correspond à un fichier l'emporte.
"""


def _macs_team(ws: Workspace) -> str:
    team = (ws.setting("forge", {}) or {}).get("equipe_macs")
    if not team:
        raise EnvironmentProblem(
            "équipe de la MACS sur la forge non renseignée (forge.equipe_macs dans guichet.yaml)",
            'ajouter dans guichet.yaml : forge: {equipe_macs: "@organisation/macs"}',
        )
    return str(team)


def render_codeowners(ws: Workspace) -> str:
    """Contenu attendu de CODEOWNERS pour l'état actuel des demandes et du registre.

    Un dossier illisible arrête la génération (DataError, exit 1, fichier, ligne et champ) : on ne
    publie pas une liste de relecteurs fausse pour une demande dont on ne sait pas lire le routage.
    """
    macs = _macs_team(ws)
    partners = ws.store.registry.partners
    lines = [HEADER, f"*  {macs}", "", "# Registres, règles et modèles : la MACS.",
             f"/partners/  {macs}", f"/rules/  {macs}", f"/schemas/  {macs}", f"/clause_templates/  {macs}", "",
             "# Demandes routées : la MACS et les partenaires (une demande non routée relève de la règle générale)."]
    for case in ws.store.cases():
        teams = [macs]
        for pid in case.partners:
            partner = partners.get(pid)
            team = partner.equipe_forge if partner else None
            if team and team not in teams:
                teams.append(team)
        if len(teams) > 1:  # sinon la règle générale suffit
            lines.append(f"/{ws.rel(case.path)}  {' '.join(teams)}")
    lines += structure_lines(ws, macs)
    return "\n".join(lines) + "\n"


def structure_lines(ws: Workspace, macs: str) -> list[str]:
    """Fiches de structures : la MACS relit toute mise à jour, et chaque réseau celles de ses structures."""
    registry = ws.store.structures
    if not len(registry):
        return []
    partners = ws.store.registry.partners
    out = ["", "# Structures inclusives : la MACS et les réseaux de la structure.", f"/structures/  {macs}"]
    for s in registry:
        teams = [macs] + [t for t in dict.fromkeys(partners[p].equipe_forge for p in s.reseaux if p in partners) if t and t != macs]
        out.append(f"/{ws.rel(s.path)}  {' '.join(teams)}")
    return out


def write_codeowners(ws: Workspace) -> Path:
    """Écrit CODEOWNERS à la racine du dépôt (atomique) ; rend son chemin."""
    path = ws.root / FILE_NAME
    yamlio.atomic_write_text(path, render_codeowners(ws))
    return path


def is_stale(ws: Workspace) -> bool:
    expected = render_codeowners(ws)  # d'abord : un dossier illisible est signalé même sans CODEOWNERS
    path = ws.root / FILE_NAME
    return not path.is_file() or path.read_text(encoding="utf-8") != expected
