"""Données ouvertes : lecture des DECP (import), rapprochement avec les demandes, publication DECP et OCDS.

- `decp.py`      lecture en flux d'un fichier DECP v2 (enveloppes officielles), défauts signalés
- `matcher.py`   rapprochement enregistrement ↔ demande (score et motifs)
- `checks.py`    incohérences entre ce qui est publié et ce que le guichet a recommandé
- `writer.py`    écriture de la notification dans la demande (--write), par le magasin
- `export.py`    projection DECP et paquet de publications OCDS
- `crosswalk.py` correspondance dispositions → DECP → OCDS → eForms (rules/donnees_ouvertes.yaml)
"""
