"""Options à valeurs fixées (--format…) : une liste de choix déclarée une fois, dans core/formats.py.

typer refuse lui-même une valeur hors liste (code 2), avec un message traduit par cli/french.py,
et l'aide affiche les valeurs possibles.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer

from guichet_cli.core import formats


def format_option(values: tuple[str, ...], help: str, *, short: bool = True) -> Any:
    names = ("--format", "-f") if short else ("--format",)
    return Annotated[Literal[values], typer.Option(*names, help=help, case_sensitive=False)]  # type: ignore[valid-type]


ValidateFormat = format_option(formats.VALIDATE, "Format de sortie : text, json, github (annotations GitHub) ou gitlab (rapport Code Quality de GitLab).")
HistoryFormat = format_option(formats.HISTORY, "Format : text ou json.")
AnalyseFormat = format_option(formats.ANALYSE, "Format : text, json ou md (Markdown).")
DueFormat = format_option(formats.DUE, "Format : text, json ou csv.")
ReportFormat = format_option(
    formats.REPORT, "docx (rapport mis en page), xlsx (classeur), md (forge), csv (format long), json (outils), table (terminal), html (page autonome, graphiques).", short=False
)
ScreenFormat = format_option(formats.SCREEN, "Sortie : table (terminal), csv, md (Markdown) ou xlsx (avec --out).", short=False)
ImportFormat = format_option(formats.IMPORT, "Format : text (tableau récapitulatif), json ou csv.")
FollowupShowFormat = format_option(formats.FOLLOWUP_SHOW, "Sortie : table (terminal), json, csv ou xlsx (avec --out).", short=False)
FollowupImportFormat = format_option(formats.FOLLOWUP_IMPORT, "Compte rendu : text ou json.", short=False)
ShareFormat = format_option(formats.SHARE, "Format de l'export : yaml (lisible, réutilisable) ou docx (document Word).", short=False)
