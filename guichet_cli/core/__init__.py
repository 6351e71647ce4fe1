"""Cœur métier de guichet. N'importe jamais typer : la couche CLI est dans guichet_cli.cli."""
