"""Le dépôt de dossiers : où il est, où sont ses fichiers, quels réglages il a.

Un dépôt guichet est un dossier qui contient `guichet.yaml` (réglages du guichet), `cases/`,
`partners/`, `donneurs/`, `contacts/`, `schemas/`, `rules/` et `clause_templates/`. Les
commandes le trouvent comme git trouve le sien : `--repo`, sinon `GUICHET_REPO`, sinon en
remontant depuis le dossier courant. Schémas, règles et modèles absents du dépôt sont pris dans
ceux livrés avec le paquet.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guichet_cli.core.errors import UsageError

if TYPE_CHECKING:
    from guichet_cli.core.store import CaseStore

CONFIG_NAME = "guichet.yaml"
DATA_DIRS = ("schemas", "rules", "partners", "clause_templates")


def packaged_data_dir(name: str) -> Path:
    """Dossier de données livré avec le paquet (roue) ou, en développement, celui du dépôt source."""
    here = Path(__file__).resolve().parent.parent
    bundled = here / "_data" / name
    if bundled.is_dir():
        return bundled
    return here.parent / name


@dataclass
class Workspace:
    root: Path
    config: dict[str, Any] = field(default_factory=dict)
    unreadable_dirs: list[tuple[Path, str]] = field(default_factory=list)  # dossiers de cases/ illisibles

    @property
    def cases_dir(self) -> Path:
        return self.root / "cases"

    @property
    def partners_dir(self) -> Path:
        return self.root / "partners"

    @property
    def buyers_dir(self) -> Path:
        return self.root / "donneurs"

    @property
    def contacts_dir(self) -> Path:
        return self.root / "contacts"

    def data_dir(self, name: str) -> Path:
        local = self.root / name
        return local if local.is_dir() else packaged_data_dir(name)

    @property
    def schemas_dir(self) -> Path:
        return self.data_dir("schemas")

    @property
    def rules_dir(self) -> Path:
        return self.data_dir("rules")

    @property
    def templates_dir(self) -> Path:
        return self.data_dir("clause_templates")

    @cached_property
    def store(self) -> CaseStore:
        """Le magasin unique de l'exécution : chaque fichier y est lu une seule fois."""
        from guichet_cli.core.store import CaseStore

        return CaseStore(self)

    def setting(self, key: str, default: Any) -> Any:
        return self.config.get(key, default)

    def rel(self, path: Path) -> str:
        """Chemin affiché à l'utilisateur : relatif au dépôt quand c'est possible."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def case_files(self) -> list[Path]:
        if not self.cases_dir.is_dir():
            return []
        from guichet_cli.core.safety import walk_files

        files, unreadable = walk_files(self.cases_dir)
        self.unreadable_dirs = unreadable  # signalés par validate et par les lots (rien de perdu en silence)
        return files

    def case_file_names(self) -> list[str]:
        """Les chemins de case_files() en chaînes, même ordre (unicité des identifiants sur 100 000 demandes)."""
        if not self.cases_dir.is_dir():
            return []
        from guichet_cli.core.safety import walk_names

        names, unreadable = walk_names(self.cases_dir)
        self.unreadable_dirs = unreadable
        return names

    @cached_property
    def case_index(self) -> dict[str, Path]:
        """Identifiant de dossier → fichier, d'après le nom de fichier (qui doit porter l'identifiant)."""
        return {p.stem: p for p in self.case_files()}

    def find_case(self, ref: str) -> Path:
        """Trouve un dossier par identifiant (GRCS-2026-7F3K) ou par chemin."""
        return self.store.find_case_path(ref)


def find_root(start: Path | None = None, explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit is None:
        explicit = os.environ.get("GUICHET_REPO") or None
    if explicit is not None:
        root = Path(explicit).expanduser().resolve()
        if not (root / CONFIG_NAME).is_file():
            raise UsageError(
                f"« {root} » n'est pas un dépôt guichet (fichier {CONFIG_NAME} absent)",
                "indiquer le dossier du dépôt avec --repo, ou en créer un avec « guichet init DOSSIER »",
            )
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    raise UsageError(
        f"aucun dépôt guichet trouvé depuis « {here} » (fichier {CONFIG_NAME} absent ici et au-dessus)",
        "se placer dans le dépôt des dossiers, ou utiliser --repo CHEMIN (ou la variable GUICHET_REPO)",
    )


def open_workspace(explicit: str | os.PathLike[str] | None = None, start: Path | None = None) -> Workspace:
    from guichet_cli.core.errors import DataError

    ws = Workspace(root=find_root(start, explicit))
    # Les réglages sont lus par le magasin, comme tout fichier : une seule analyse par exécution.
    ent = ws.store.entry(ws.root / CONFIG_NAME)
    if not ent.ok:
        p = ent.problem
        raise DataError(f"{CONFIG_NAME}:{p.line or 1}:{p.column or 1}: {p.message}", p.hint or "corriger les réglages du guichet")
    ws.config = ent.data
    return ws
