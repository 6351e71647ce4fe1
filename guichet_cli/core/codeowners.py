"""Fichier CODEOWNERS généré : chaque demande est relue par les équipes des partenaires routés.

Même syntaxe pour GitHub et GitLab sur ce sous-ensemble (motif de chemin ancré « / » puis
équipes « @org/equipe ») ; la dernière règle qui correspond l'emporte, d'où la règle générale
en tête. Le fichier est régénéré par `guichet codeowners` et par le routage (`write_codeowners`).
"""

from __future__ import annotations

from pathlib import Path

from guichet_cli.core import yamlio
from guichet_cli.core.errors import EnvironmentProblem
from guichet_cli.core.registry import load_registry
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


def _routed_partners(case: dict) -> list[str]:
    routage = case.get("routage") or {}
    ids = list(routage.get("coordinations") or [])
    if routage.get("chef_de_file"):
        ids.append(routage["chef_de_file"])
    ids.extend(routage.get("reseaux") or [])
    return [str(i) for i in dict.fromkeys(ids)]


def render_codeowners(ws: Workspace) -> str:
    """Contenu attendu de CODEOWNERS pour l'état actuel des demandes et du registre."""
    macs = _macs_team(ws)
    partners = load_registry(ws).partners
    lines = [HEADER, f"*  {macs}", "", "# Registres, règles et modèles : la MACS.",
             f"/partners/  {macs}", f"/rules/  {macs}", f"/schemas/  {macs}", f"/clause_templates/  {macs}", "",
             "# Demandes : la MACS et les partenaires routés."]
    for path in ws.case_files():
        try:
            case = yamlio.load_fast(path)
        except yamlio.YamlProblem:
            case = {}  # un dossier illisible est signalé par guichet validate ; ici, la MACS seule le relit
        teams = [macs]
        for pid in _routed_partners(case if isinstance(case, dict) else {}):
            team = (partners.get(pid) or {}).get("equipe_forge")
            if team and team not in teams:
                teams.append(str(team))
        lines.append(f"/{ws.rel(path)}  {' '.join(teams)}")
    return "\n".join(lines) + "\n"


def write_codeowners(ws: Workspace) -> Path:
    """Écrit CODEOWNERS à la racine du dépôt (atomique) ; rend son chemin."""
    path = ws.root / FILE_NAME
    yamlio.atomic_write_text(path, render_codeowners(ws))
    return path


def is_stale(ws: Workspace) -> bool:
    path = ws.root / FILE_NAME
    return not path.is_file() or path.read_text(encoding="utf-8") != render_codeowners(ws)
