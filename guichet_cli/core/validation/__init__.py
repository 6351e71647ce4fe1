"""Validation des fichiers du dépôt (schémas + contrôles métier)."""
