"""`guichet init DOSSIER` : un dépôt de demandes neuf, prêt pour un autre guichet ou pour un essai.

Copie les données livrées (partners/, schemas/, rules/, clause_templates/), crée cases/,
donneurs/, contacts/, guichet.yaml, l'intégration continue (GitHub et GitLab), la configuration
pre-commit, .gitattributes, CODEOWNERS et un README, puis fait le premier commit. Tout est
préparé dans un dossier temporaire voisin puis renommé : en cas d'erreur, rien n'est laissé.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from guichet_cli.core import audit, gitrepo
from guichet_cli.core.errors import EnvironmentProblem, UsageError
from guichet_cli.core.workspace import CONFIG_NAME, open_workspace, packaged_data_dir

DEFAULT_PREFIX = "GRCS"
VENDOR = "vendor"
COPIED = ("partners", "schemas", "rules", "clause_templates")
EMPTY = ("cases", "donneurs", "contacts")
# gabarit (guichet_cli/ci_templates/) → chemin dans le nouveau dépôt
TEMPLATES = {
    "github-workflow.yml": ".github/workflows/guichet.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "gitattributes": ".gitattributes",
    "gitignore": ".gitignore",
    "README.md": "README.md",
    "guichet.yaml": CONFIG_NAME,
}


def template_text(name: str) -> str:
    return resources.files("guichet_cli.ci_templates").joinpath(name).read_text(encoding="utf-8")


def _check_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"« {target} » existe déjà et n'est pas vide : guichet init ne remplace rien",
                         "choisir un nouveau dossier (il sera créé)")
    if not target.parent.is_dir():
        raise UsageError(f"le dossier parent « {target.parent} » n'existe pas", "le créer d'abord, ou choisir un autre emplacement")


def toolkit_requirement(source: str | None, organisation: str) -> tuple[str, Path | None]:
    """Ce que la CI installe (`pip install "…"`), épinglé ; et la roue à copier dans vendor/, s'il y en a une.

    - une roue (.whl) existante : copiée dans vendor/ du nouveau dépôt, installée depuis là ;
    - une adresse git (git+https://…) : le dépôt de l'outil, à l'étiquette de cette version
      (v{__version__}) si l'adresse n'en nomme pas ;
    - rien : le dépôt de l'outil sur la forge de l'organisation (git+https://github.com/ORG/guichet.git).
    Jamais un simple nom de paquet : il n'est pas publié sur l'index, et n'importe qui pourrait le réserver.
    """
    from guichet_cli import __version__

    if source and source.endswith(".whl"):
        wheel = Path(source).expanduser()
        if not wheel.is_file():
            raise UsageError(f"--toolkit : roue introuvable « {source} »", "indiquer le chemin d'un fichier .whl de guichet (python -m build --wheel)")
        return f"./{VENDOR}/{wheel.name}", wheel
    url = source or f"git+https://github.com/{organisation}/guichet.git"
    if not url.startswith("git+"):
        raise UsageError(f"--toolkit : source non reconnue « {source} »",
                         "donner l'adresse git du dépôt de l'outil (git+https://…/guichet.git) ou le chemin d'une roue .whl")
    tail = url.rsplit("/", 1)[-1]
    if "@" not in tail:
        url = f"{url}@v{__version__}"
    return f"guichet-cli @ {url}", None


def _apply_prefix(staging: Path, prefix: str) -> None:
    """Le préfixe du guichet dans les schémas copiés (motif de l'identifiant, messages, aide).

    Remplacement textuel ciblé : le fichier garde sa forme (les schémas livrés sont relus en revue).
    """
    if prefix == DEFAULT_PREFIX:
        return
    for schema in sorted((staging / "schemas").rglob("*.json")):
        text = schema.read_text(encoding="utf-8")
        new = text.replace(f'"^{DEFAULT_PREFIX}-', f'"^{prefix}-').replace(f"{DEFAULT_PREFIX}-AAAA-XXXX", f"{prefix}-AAAA-XXXX")
        if new != text:
            schema.write_text(new, encoding="utf-8")


def _contact_stubs(staging: Path) -> None:
    """Fiches contact à compléter pour les facilitateurs du registre livré.

    Les données personnelles ne sont jamais livrées avec le paquet : le registre des partenaires
    désigne des facilitateurs, la MACS remplit leurs fiches dans le nouveau dépôt.
    """
    from guichet_cli.core import yamlio

    for partner in sorted((staging / "partners").glob("*.yaml")):
        data = yamlio.load_fast(partner)
        for fac in (data.get("facilitateurs") or []) if isinstance(data, dict) else []:
            cid = fac.get("contact") if isinstance(fac, dict) else None
            if not cid:
                continue
            path = staging / "contacts" / f"{cid}.yaml"
            doc = yamlio.new_document(path, {"id": cid, "fictif": True, "nom": "à compléter", "organisation": data["id"]},
                                      "Fiche à compléter par la MACS (créée par guichet init : aucune donnée personnelle livrée).")
            yamlio.dump_roundtrip(doc)


def init_repository(
    target: Path, *, name: str, prefix: str = "GRCS", organisation: str = "guichet-idf",
    macs_team: str = "@guichet-idf/macs", no_commit: bool = False, toolkit: str | None = None,
) -> tuple[Path, str | None]:
    """Crée le dépôt ; rend (racine, sha du premier commit ou None)."""
    target = target.expanduser().absolute()
    _check_target(target)
    requirement, wheel = toolkit_requirement(toolkit, organisation)
    if not no_commit and not gitrepo.git_available():
        raise EnvironmentProblem("git est introuvable : guichet init fait le premier commit du dépôt",
                                 "installer git, ou relancer avec --no-commit")
    if not no_commit:
        audit.identity(target.parent)  # avant d'écrire quoi que ce soit
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    done = False
    try:
        for d in COPIED:
            src = packaged_data_dir(d)
            if src.is_dir():
                shutil.copytree(src, staging / d, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
            else:
                (staging / d).mkdir()
        for d in EMPTY:
            (staging / d).mkdir()
            (staging / d / ".gitkeep").write_bytes(b"")
        _apply_prefix(staging, prefix)
        _contact_stubs(staging)
        values = {"nom": name.replace('"', "'"), "prefixe": prefix, "organisation": organisation, "equipe_macs": macs_team,
                  "paquet_guichet": requirement.replace('"', "")}
        if wheel is not None:
            (staging / VENDOR).mkdir()
            shutil.copy2(wheel, staging / VENDOR / wheel.name)
        for tpl, dest in TEMPLATES.items():
            text = template_text(tpl)
            if tpl in ("guichet.yaml", "README.md", "github-workflow.yml", "gitlab-ci.yml"):
                for k, v in values.items():
                    text = text.replace("{" + k + "}", v)
            (staging / dest).parent.mkdir(parents=True, exist_ok=True)
            (staging / dest).write_text(text, encoding="utf-8")
        from guichet_cli.core.codeowners import write_codeowners

        ws = open_workspace(staging)
        write_codeowners(ws)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
        done = True
    finally:
        if not done:  # échec ou interruption : pas de dépôt à moitié créé
            shutil.rmtree(staging, ignore_errors=True)
    if no_commit and not gitrepo.git_available():
        return target, None
    gitrepo.init_repo(target).close()
    if no_commit:
        return target, None
    ws = open_workspace(target)
    files = sorted(p for p in target.rglob("*") if p.is_file() and ".git" not in p.relative_to(target).parts)
    sha = audit.commit_changes(ws, files, case_id="-", action="init", subject=f"Création du dépôt des demandes : {name}")
    return target, sha
