"""Le plancher de `validate --jobs 1` : analyser les mêmes fichiers (tous ceux que validate lit, liste
donnée par bench/run.py) avec le chargeur C de ruamel, rien d'autre.

    python bench/floor.py FICHIER…
"""

from __future__ import annotations

import sys

from ruamel.yaml import YAML


def main() -> None:
    yaml = YAML(typ="safe", pure=False)
    for name in sys.argv[1:]:
        with open(name, encoding="utf-8") as fh:
            yaml.load(fh.read())


if __name__ == "__main__":
    main()
