"""Couche ligne de commande (typer) : analyse les options, appelle le cœur, affiche en français."""
