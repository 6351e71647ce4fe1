"""Texte d'un fichier DOCX, pour un diff lisible en revue (« textconv » de git).

    git config diff.docx.textconv "python -m guichet_cli.core.docx_text"

avec `*.docx diff=docx` dans .gitattributes. Paragraphes puis tableaux (une ligne par rangée,
cellules séparées par « | ») : les balises Jinja des modèles restent visibles telles quelles.
"""

from __future__ import annotations

import sys
from pathlib import Path


def docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for t, table in enumerate(document.tables, start=1):
        lines.append(f"--- tableau {t} ---")
        for row in table.rows:
            lines.append(" | ".join(cell.text.replace("\n", " ") for cell in row.cells))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage : python -m guichet_cli.core.docx_text FICHIER.docx", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(docx_text(Path(args[0])))
    except Exception as exc:  # textconv : git affiche ce message à la place du diff, sans trace
        print(f"(DOCX illisible : {exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
