"""Rédaction des dispositions sociales en DOCX (guichet render, guichet templates check)."""
