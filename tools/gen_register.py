"""Génère docs/registre-traitements.md (registre des activités de traitement, RGPD article 30).

Usage :
    python tools/gen_register.py            # réécrit docs/registre-traitements.md
    python tools/gen_register.py --check    # code 1 si la page n'est plus à jour (CI)
    python tools/gen_register.py --repo DIR # autre dépôt de guichet

La page est entièrement dérivée des données du dépôt (guichet_cli/core/rgpd/register.py) : champs
marqués x-personnel de schemas/contact.schema.json, schémas qui désignent un contact, guichet.yaml
(durée de conservation, adresse des demandes), partners/ (destinataires de l'annexe 1 de la
charte) et rules/rgpd.yaml (finalités, bases légales, droits). On la régénère au lieu de la
modifier à la main ; la sortie ne dépend que de ces fichiers (aucun horodatage).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from guichet_cli.core.errors import GuichetError
from guichet_cli.core.rgpd import register
from guichet_cli.core.workspace import open_workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère le registre des activités de traitement (docs/registre-traitements.md).")
    parser.add_argument("--check", action="store_true", help="code 1 si la page n'est plus à jour")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent, help="dépôt de guichet")
    parser.add_argument("--out", type=Path, default=None, help="fichier à écrire (défaut : docs/registre-traitements.md du dépôt)")
    args = parser.parse_args(argv)
    try:
        ws = open_workspace(args.repo)
        text = register.build(ws)
    except GuichetError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    out = args.out or register.default_output(ws.root)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.is_file() else ""
        if current != text:
            print(f"{out} n'est plus à jour : lancer « python tools/gen_register.py »", file=sys.stderr)
            return 1
        print(f"{out} : à jour")
        return 0
    from guichet_cli.core.yamlio import atomic_write_text

    atomic_write_text(out, text)
    print(f"{out} écrit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
