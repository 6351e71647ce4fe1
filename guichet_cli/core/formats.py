"""Formats de sortie de chaque commande, déclarés une seule fois (le cœur les produit, la CLI
en fait la liste des valeurs permises de --format). Aucun import : lu au démarrage de la CLI."""

from __future__ import annotations

VALIDATE = ("text", "json", "github", "gitlab")
HISTORY = ("text", "json")
ANALYSE = ("text", "json", "md")
DUE = ("text", "json", "csv")
REPORT = ("docx", "xlsx", "md", "csv", "json", "table", "html")
SCREEN = ("table", "csv", "md", "xlsx")
IMPORT = ("text", "json", "csv")
FOLLOWUP_SHOW = ("table", "json", "csv", "xlsx")
FOLLOWUP_IMPORT = ("text", "json")
SHARE = ("yaml", "docx")
