"""Données personnelles (RGPD) : repérage dans les textes libres, droits d'accès, de rectification, d'effacement."""
