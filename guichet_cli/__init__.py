"""guichet — boîte à outils du Guichet Régional des Clauses Sociales d'Île-de-France."""

__version__ = "0.1.0"
