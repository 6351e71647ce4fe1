"""Analyse d'opportunité : seuils, obligation sociale, recommandation, calibrage, routage, criblage.

Toutes les valeurs (seuils, dates, taux, table sectorielle) sont lues dans rules/ ; chaque décision
porte la référence de la règle qui l'a produite (rules.rule_ref).
"""
