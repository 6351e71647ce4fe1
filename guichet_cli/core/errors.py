"""Hiérarchie unique des erreurs de guichet.

Chaque erreur porte son code de sortie ; la couche CLI (guichet_cli/cli/app.py) est le seul
endroit qui les transforme en sortie de programme. Les messages sont en français et disent
quoi faire.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1  # des problèmes ont été trouvés dans les données
EXIT_USAGE = 2  # la commande est mal utilisée (option, argument, dossier inconnu…)
EXIT_ENVIRONMENT = 3  # l'environnement ne permet pas de travailler (dépôt, schéma, outil absent)


class GuichetError(Exception):
    """Erreur attendue, à montrer à l'utilisateur sans trace Python."""

    exit_code = EXIT_ENVIRONMENT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n→ {self.hint}"
        return self.message


class UsageError(GuichetError):
    """Argument ou option invalide, dossier introuvable, transition refusée par l'utilisateur."""

    exit_code = EXIT_USAGE


class DataError(GuichetError):
    """Les données (dossier, registre, plan d'achat) contiennent des problèmes."""

    exit_code = EXIT_FINDINGS


class EnvironmentProblem(GuichetError):
    """Dépôt introuvable, schéma illisible, outil externe absent, git dans un état inattendu."""

    exit_code = EXIT_ENVIRONMENT
