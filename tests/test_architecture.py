"""Règles d'architecture vérifiées sur le code (docs/architecture.md) : un seul lecteur de fichiers,
un seul module git, aucun accès brut aux champs d'une demande hors du modèle."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "guichet_cli"


def _sources(exclude: tuple[str, ...] = ()) -> dict[str, str]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if not rel.startswith(exclude):
            out[rel] = path.read_text(encoding="utf-8")
    return out


def _hits(pattern: str, exclude: tuple[str, ...] = ()) -> list[str]:
    rx = re.compile(pattern)
    return [f"{rel}:{n}: {line.strip()}" for rel, text in _sources(exclude).items()
            for n, line in enumerate(text.splitlines(), start=1) if rx.search(line)]


def test_core_never_imports_typer():
    assert _hits(r"^\s*(import typer|from typer)", exclude=("cli/",)) == []


def test_files_are_read_only_through_the_store():
    """Un seul chargeur : le magasin (core/store.py) lit les fichiers du dépôt par core/yamlio.py."""
    hits = _hits(r"yamlio\.(load_fast|load_mapping_fast|parse_fast)\(", exclude=("core/yamlio.py", "core/store.py"))
    # Exceptions assumées : la version REF d'un dossier lue dans git (validate --since) et les
    # modèles livrés avec le paquet que `guichet init` recopie (hors dépôt).
    allowed = ("core/changes.py", "core/scaffold.py")
    assert [h for h in hits if not h.startswith(allowed)] == []


def test_git_runs_only_in_the_git_module():
    assert _hits(r"\bsubprocess\b.*\bgit\b|\[\"git\"", exclude=("core/gitrepo.py",)) == []
    assert _hits(r"^\s*(import git\b|from git\b|from git import)", exclude=("core/gitrepo.py",)) == []


def test_no_private_name_is_borrowed_across_modules():
    modules = "|".join(sorted({p.stem for p in PACKAGE.rglob("*.py") if not p.stem.startswith("_")}))
    # python-docx n'expose pas tout : ses attributs _r, _p, _element, _tc sont d'usage courant.
    used = [h for h in _hits(rf"\b({modules})\._[a-zA-Z]\w*") if not re.search(r"\._(r|p|element|tc|tbl)\b", h)]
    imported = _hits(r"^\s*from guichet_cli\S* import .*\b_[a-zA-Z]\w*")
    assert used + imported == []


CASE_FIELDS = ("marche", "analyse", "routage", "decision", "execution", "resultats", "calibrage", "recommandation",
               "donneur_ordre", "statut", "lieux_execution", "titulaires", "participants")


def test_no_raw_dict_access_to_case_fields_outside_the_model():
    fields = "|".join(CASE_FIELDS)
    pattern = rf"""(\.get\(\s*["']({fields})["']|\b(case|marche|data|raw|analyse|routage|m)\[\s*["']({fields})["']\s*\])"""
    # Le modèle lit l'arbre ; les écritures aller-retour posent des blocs dans le fichier (elles
    # écrivent, ne lisent pas) : analyse et routage enregistrés, demande créée.
    writers = ("core/model/", "core/yamlio.py", "core/analysis/present.py", "core/cases.py")
    hits = _hits(pattern, exclude=writers)
    assert hits == [], "accès brut aux champs d'une demande hors du modèle :\n" + "\n".join(hits)


def test_no_import_guard_around_modules_that_always_exist():
    hits = _hits(r"except (ImportError|ModuleNotFoundError)", exclude=("core/gitrepo.py",))
    assert hits == []
