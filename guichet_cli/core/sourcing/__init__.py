"""Sourcing qualifié : quelles structures inclusives du registre peuvent répondre à chaque lot,
l'avis qui en découle (réservation, clause, aucune), les demandes aux réseaux et leur suivi."""
