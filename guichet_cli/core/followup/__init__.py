"""Suivi de l'exécution des clauses : heures dues et réalisées, relevés, événements, relances."""
