"""Les dossiers d'un bilan : lus et typés par le magasin (`ws.store`, une analyse par fichier), puis
répartis par donneur d'ordre.

Un fichier illisible n'arrête pas le lot. S'il a été analysé mais ne se type pas (un champ du
mauvais type), son donneur d'ordre se lit encore dans l'arbre analysé : le fichier est rattaché à
ce donneur, dont le bilan est alors signalé en erreur. S'il ne s'analyse pas du tout (syntaxe
YAML), son donneur d'ordre est inconnu : il est listé à part (« dossiers illisibles »).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from guichet_cli.core.findings import Finding
from guichet_cli.core.model.case import Case
from guichet_cli.core.model.fields import Fields, ModelError
from guichet_cli.core.workspace import Workspace

APART = "dossiers illisibles"


@dataclass(frozen=True)
class Unreadable:
    """Un dossier illisible : fichier, message « fichier:ligne:colonne: $.champ : problème »."""

    rel: str
    message: str
    buyer: str = ""  # SIRET lu dans l'arbre analysé ; "" si inconnu (fichier qui ne s'analyse pas)
    case_id: str = ""


@dataclass
class Dataset:
    cases: list[Case] = field(default_factory=list)
    rels: dict[Path, str] = field(default_factory=dict)  # fichier → chemin affiché (relatif au dépôt)
    unreadable: list[Unreadable] = field(default_factory=list)

    def rel(self, case: Case) -> str:
        return self.rels[case.path]

    def by_buyer(self) -> dict[str, list[Case]]:
        out: dict[str, list[Case]] = defaultdict(list)
        for case in self.cases:
            out[case.donneur_ordre].append(case)
        return dict(out)

    def unreadable_of(self, siret: str) -> list[Unreadable]:
        return [u for u in self.unreadable if u.buyer == siret]

    @property
    def apart(self) -> list[Unreadable]:
        """Dossiers illisibles dont le donneur d'ordre n'a pas pu être lu."""
        return [u for u in self.unreadable if not u.buyer]

    @property
    def buyers(self) -> set[str]:
        """Donneurs ayant au moins un dossier, lisible ou rattaché illisible."""
        return {c.donneur_ordre for c in self.cases} | {u.buyer for u in self.unreadable if u.buyer}


def load_dataset(ws: Workspace) -> Dataset:
    cases, problems = ws.store.load_cases()
    rels = {c.path: ws.rel(c.path) for c in cases}
    ds = Dataset(cases=sorted(cases, key=lambda c: (c.id, rels[c.path])), rels=rels)
    ds.unreadable = [_unreadable(ws, p) for p in problems]
    return ds


def message(rel: str, problem: Finding) -> str:
    where = f"{rel}:{problem.line or 1}:{problem.column or 1}: "
    return where + (f"{problem.json_path} : " if problem.pointer else "") + problem.message


def _unreadable(ws: Workspace, problem: Finding) -> Unreadable:
    rel = ws.rel(problem.path)
    buyer, case_id = "", ""
    data = ws.store.entry(problem.path).data  # arbre déjà analysé par le magasin (None si la syntaxe est invalide)
    if isinstance(data, dict):
        fields = Fields(data, problem.path)
        buyer, case_id = _readable(fields, "donneur_ordre"), _readable(fields, "id")
    return Unreadable(rel, message(rel, problem), buyer, case_id)


def _readable(fields: Fields, key: str) -> str:
    try:
        return fields.opt_text(key) or ""
    except ModelError:
        return ""
