"""Bilans annuels des clauses sociales (guichet report) : indicateurs, secret statistique, sorties."""
