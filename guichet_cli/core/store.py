"""Le magasin du dépôt : chaque fichier est lu, analysé et typé UNE fois par exécution.

Toutes les commandes passent par lui (`ws.store`) : demandes, registres, règles, réglages. Il
garde pour chaque fichier ce qui a été lu (arbre, objet typé, problème de lecture) et rend les
mêmes objets à tous. Les écritures passent aussi par lui : relecture aller-retour, modification,
validation du nouveau texte en mémoire, écriture atomique — rien n'est écrit si le résultat ne
serait pas valide, et il n'y a jamais d'écriture suivie d'un retour en arrière.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guichet_cli.core import safety, yamlio
from guichet_cli.core.errors import DataError, EnvironmentProblem, UsageError
from guichet_cli.core.findings import ERROR, Finding
from guichet_cli.core.locking import RepoLock
from guichet_cli.core.model.fields import ModelError

if TYPE_CHECKING:
    from guichet_cli.core.lifecycle import Lifecycle
    from guichet_cli.core.model.case import Case
    from guichet_cli.core.model.registry import Registry
    from guichet_cli.core.model.structures import StructureRegistry
    from guichet_cli.core.workspace import Workspace

# Le modèle typé est importé à la première lecture typée : une validation à chaud, où tout vient du
# cache, ne lit que guichet.yaml (≈ 25 ms d'imports évités sur 0,3 s).


@dataclass
class Entry:
    """Un fichier lu : son arbre (chargeur C), son objet typé, ou le problème qui l'empêche."""

    path: Path
    data: Any = None
    model: Any = None
    read_problem: Finding | None = None  # le fichier ne se lit pas (YAML, encodage, droits)
    model_problem: Finding | None = None  # il se lit, mais un champ n'a pas le type attendu
    cached_id: str | None = None  # identifiant d'une demande reprise du cache de validation (sans arbre)
    award: Any = None  # son résumé L2113-15 (analysis/ess.py, Award), si c'est un marché réservé ESS notifié
    use: Any = None  # son résumé pour la durée de conservation des contacts (rgpd/people.py, CaseUse)

    @property
    def case_id(self) -> str | None:
        """Identifiant de la demande lue (ou reprise du cache), None pour un autre fichier."""
        from guichet_cli.core.model.case import Case

        return self.model.id if isinstance(self.model, Case) else self.cached_id

    @property
    def problem(self) -> Finding | None:
        return self.read_problem or self.model_problem

    @property
    def readable(self) -> bool:
        return self.read_problem is None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class Edit:
    """Résultat d'une modification : le fichier, son nouveau texte, s'il a changé."""

    path: Path
    text: str
    changed: bool
    case: Case | None = None
    extra: list[Path] = field(default_factory=list)


def problem_of(exc: yamlio.YamlProblem | ModelError, path: Path) -> Finding:
    if isinstance(exc, ModelError):
        exc.locate()
        return Finding(path, exc.problem, pointer=exc.pointer, line=exc.line, column=exc.column, hint=exc.hint, code="modele")
    return Finding(path, exc.problem, pointer=exc.pointer, line=exc.line, column=exc.column, hint=exc.hint_text, code="yaml")


class CaseStore:
    """Lecture unique des fichiers d'un dépôt guichet (un magasin par exécution, `ws.store`)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._entries: dict[Path, Entry] = {}
        self._lock: RepoLock | None = None
        self._rules: dict[str, tuple[Path, Entry]] = {}  # nom → lecture : une analyse de ligne demande les règles ~30 fois
        # octets lus par fingerprint(keep=True), repris par la lecture qui suit (un seul à la fois)
        self._raw: tuple[Path, bytes] | None = None

    def writing(self) -> RepoLock:
        """Verrou d'écriture du dépôt (core/locking.py), à prendre AVANT de lire ce qu'on modifie :
        `with ws.store.writing(): lire, modifier, committer`. Réentrant."""
        if self._lock is None:
            self._lock = RepoLock(self.ws.root)
        return self._lock

    # --- lecture ------------------------------------------------------------------------------

    def entry(self, path: Path, *, build: Callable[[Path, Any], Any] | None = None) -> Entry:
        """Lit `path` une fois (chargeur C) ; `build` en fait l'objet typé (une fois aussi)."""
        key = _key(path)
        ent = self._entries.get(key)
        if ent is None:
            ent = Entry(path)
            raw = None
            if self._raw is not None and self._raw[0] == key:
                raw = self._raw[1]
            self._raw = None
            try:
                ent.data = yamlio.load_fast(path, raw)
            except yamlio.YamlProblem as exc:
                ent.read_problem = problem_of(exc, path)
            except OSError as exc:
                ent.read_problem = Finding(path, f"fichier illisible ({safety.os_problem(exc)})", line=1, column=1,
                                           hint="vérifier les droits du fichier", code="yaml")
            if ent.read_problem is None and not isinstance(ent.data, dict):
                ent.read_problem = Finding(path, f"le fichier doit contenir des champs « clé: valeur », pas {yamlio.kind_of(ent.data)}",
                                      line=1, column=1, code="yaml")
            self._entries[key] = ent
        if build is not None and ent.ok and ent.model is None:
            try:
                ent.model = build(path, ent.data)
            except ModelError as exc:
                ent.model_problem = problem_of(exc, path)
        return ent

    def fingerprint(self, path: Path, *, keep: bool = False) -> str | None:
        """Empreinte git (hash du blob) du fichier, sans l'analyser ; None s'il ne se lit pas.

        `keep` : garder les octets pour la lecture de ce même fichier qui suit (une validation sans
        cache valide lit alors chaque fichier une seule fois). Un fichier trop gros n'est pas gardé :
        la lecture le refuse avec son message habituel."""
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        self._raw = (_key(path), raw) if keep and len(raw) <= yamlio.MAX_FILE_BYTES else None
        return hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()

    def release(self, path: Path) -> None:
        """Oublie la lecture de `path` (validation en flux de très gros dépôts : mémoire bornée)."""
        self._entries.pop(_key(path), None)

    # demandes

    def case_paths(self) -> list[Path]:
        return self.ws.case_files()

    def case_entry(self, path: Path) -> Entry:
        from guichet_cli.core.model.case import Case

        return self.entry(path, build=Case.from_data)

    def load_cases(self, paths: Iterable[Path] | None = None) -> tuple[list[Case], list[Finding]]:
        """Toutes les demandes lisibles, et un constat par fichier illisible (jamais d'arrêt du lot)."""
        cases: list[Case] = []
        problems: list[Finding] = []
        if paths is None:
            paths = self.case_paths()
            problems.extend(self.unreadable_dir_findings())
        for path in paths:
            ent = self.case_entry(path)
            if ent.ok:
                cases.append(ent.model)
            elif ent.problem is not None:
                problems.append(ent.problem)
        return cases, problems

    def unreadable_dir_findings(self) -> list[Finding]:
        """Un constat par dossier de cases/ que le parcours n'a pas pu lire."""
        return [Finding(d, f"dossier illisible ({why}) : les demandes qu'il contient ne sont pas lues", line=1, column=1,
                        hint="vérifier les droits du dossier (lecture et accès pour la personne qui lance guichet)", code="yaml")
                for d, why in self.ws.unreadable_dirs]

    def cases(self, paths: Iterable[Path] | None = None) -> list[Case]:
        """Toutes les demandes ; DataError (exit 1) qui nomme fichier, ligne et champ si une est illisible."""
        cases, problems = self.load_cases(paths)
        if problems:
            raise self.problems_error(problems)
        return cases

    def find_case_path(self, ref: str) -> Path:
        """Un dossier par identifiant (GRCS-2026-7F3K) ou par chemin ; le chemin doit être dans le dépôt."""
        candidate = Path(ref)
        if candidate.suffix in (".yaml", ".yml"):
            for path in (candidate if candidate.is_absolute() else Path.cwd() / candidate, self.ws.root / candidate):
                if path.is_file():
                    return path
        key = ref.strip().upper()
        index = self.ws.case_index
        for stem, path in index.items():
            if stem.upper() == key:
                return path
        close = difflib.get_close_matches(key, list(index), n=1)
        hint = f"vouliez-vous dire « {close[0]} » ?" if close else "lister les dossiers avec : ls cases/*/"
        raise UsageError(f"dossier « {ref} » introuvable dans {self.ws.rel(self.ws.cases_dir)}/", hint)

    def case(self, ref: str | Path, *, checked: bool = False) -> Case:
        """Une demande typée ; `checked` : aussi conforme au schéma et aux contrôles (avant une analyse)."""
        path = ref if isinstance(ref, Path) else self.find_case_path(ref)
        ent = self.case_entry(path)
        if not ent.ok:
            raise self.problems_error([ent.problem])  # type: ignore[list-item]
        if checked:
            errors = [f for f in self.check(path) if f.severity == ERROR]
            if errors:
                raise self.problems_error(errors, "le dossier n'est pas valide, la commande n'est pas possible")
        return ent.model

    def check(self, path: Path) -> list[Finding]:
        """Constats de validation (schéma et contrôles métier) d'un fichier, positions comprises."""
        from guichet_cli.core.validation import engine

        return engine.check_paths(self.ws, [path])

    def problems_error(self, problems: list[Finding], intro: str | None = None) -> DataError:
        lines = [f"{self.ws.rel(f.path)}:{f.line or 1}:{f.column or 1}: " + (f"{f.json_path} : " if f.pointer else "") + f.message
                 for f in problems[:20]]
        from guichet_cli.core import frformat as fr

        more = f"\n  … et {fr.count(len(problems) - 20, 'autre', 'autres', plain=True)}" if len(problems) > 20 else ""
        hints = {f.hint for f in problems if f.hint}
        hint = next(iter(hints)) if len(hints) == 1 else "corriger le fichier (« guichet validate » détaille chaque problème) puis relancer"
        files = len({f.path for f in problems})
        head = intro or ("dossier mal renseigné, la commande ne peut pas le lire" if files == 1
                         else f"{files} dossiers mal renseignés, la commande ne peut pas les lire")
        return DataError(f"{head} :\n  " + "\n  ".join(lines) + more, hint)

    # registres

    @cached_property
    def registry(self) -> Registry:
        """Les registres typés ; un fichier illisible est laissé de côté (guichet validate le signale)."""
        from guichet_cli.core.model.registry import Buyer, Contact, Partner, Registry

        reg = Registry()
        for dirname, ctor in {"partners": Partner, "donneurs": Buyer, "contacts": Contact}.items():
            directory = self.ws.root / dirname
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob("*.yaml")):
                ent = self.entry(path, build=ctor.from_data)
                if not ent.ok:
                    continue
                if isinstance(ent.model, Partner):
                    reg.add_partner(ent.model)
                elif isinstance(ent.model, Buyer):
                    reg.buyers[ent.model.siret] = ent.model
                else:
                    reg.contacts[ent.model.id] = ent.model
        return reg

    @cached_property
    def structures(self) -> StructureRegistry:
        """Le registre des structures inclusives (structures/) ; un fichier illisible est laissé de côté."""
        from guichet_cli.core.model.structures import Structure, StructureRegistry

        reg = StructureRegistry()
        directory = self.ws.root / "structures"
        if directory.is_dir():
            for path in sorted(directory.glob("*.yaml")):
                ent = self.entry(path, build=Structure.from_data)
                if ent.ok:
                    reg.by_siret[ent.model.siret] = ent.model
        return reg

    def forget(self, path: Path) -> None:
        """Oublie la lecture de `path` (fichier réécrit hors de `edit`, par un import en lot)."""
        self._entries.pop(_key(path), None)
        self.__dict__.pop("structures", None)

    # règles et réglages

    def rules(self, name: str) -> dict[str, Any]:
        """rules/<name>.yaml (celui du dépôt, sinon celui livré avec guichet), lu une fois."""
        seen = self._rules.get(name)
        if seen is not None and self._entries.get(seen[0]) is seen[1]:  # même lecture (ni oubliée ni réécrite) : sans stat
            return seen[1].data
        path = self.ws.rules_dir / f"{name}.yaml"
        if not path.is_file():
            raise EnvironmentProblem(
                f"fichier de règles introuvable : {self.ws.rel(path)}", "restaurer le dossier rules/ depuis git ou réinstaller guichet"
            )
        ent = self.entry(path)
        if not ent.ok:
            p = ent.problem
            raise DataError(
                f"fichier de règles illisible : {self.ws.rel(path)}:{p.line or 1}:{p.column or 1}: {p.message}",  # type: ignore[union-attr]
                "corriger le fichier (guichet validate rules/) ou le restaurer depuis git",
            )
        self._rules[name] = (_key(path), ent)
        return ent.data

    @cached_property
    def lifecycle(self) -> Lifecycle:
        from guichet_cli.core.facts import labels
        from guichet_cli.core.lifecycle import Lifecycle

        return Lifecycle(self.rules("cycle_de_vie"), labels.of(self.ws).table("statut"))

    # --- écriture -----------------------------------------------------------------------------

    def edit(self, path: Path, mutate: Callable[[Any], None], *, hint: str | None = None,
             before_write: Callable[[Any], None] | None = None) -> Edit:
        """Relit `path` en aller-retour, applique `mutate`, valide le nouveau contenu en mémoire, écrit.

        `before_write(case)` reçoit le dossier modifié, typé, avant toute écriture (contrôles propres
        à la commande). DataError, et rien n'est écrit, si le fichier modifié ne serait pas valide.
        """
        self.require_inside(path)
        with self.writing():
            return self._edit(path, mutate, hint, before_write)

    def _edit(self, path: Path, mutate: Callable[[Any], None], hint: str | None,
              before_write: Callable[[Any], None] | None) -> Edit:
        doc = yamlio.load_roundtrip(path)
        seen = self._entries.get(_key(path))
        if seen is not None and seen.data is not None and yamlio.to_plain(doc.data) != seen.data:
            # Le fichier a changé depuis que cette commande l'a lu (autre commande, éditeur) :
            # écrire maintenant effacerait cette modification.
            raise DataError(f"{self.ws.rel(path)} a été modifié par une autre commande pendant celle-ci ; rien n'a été écrit",
                            "relancer la commande : elle partira de la version à jour")
        mutate(doc.data)
        text = yamlio.dumps_roundtrip(doc)
        plain = yamlio.to_plain(doc.data)  # le nouveau contenu, sans nouvelle analyse du texte
        if before_write is not None:
            before_write(self._typed(path, plain))
        if text.encode("utf-8") == doc.info.raw_bytes:
            return Edit(path, text, False, self._reread(path))
        findings = self.check_data(path, plain, text)
        if findings:
            lines = [f"{self.ws.rel(path)}:{f.line or 1}:{f.column or 1}: {f.json_path}: {f.message}" for f in findings]
            raise DataError(
                "la modification rendrait le fichier non valide ; rien n'a été écrit :\n  " + "\n  ".join(lines),
                hint or "compléter les champs indiqués puis relancer",
            )
        yamlio.atomic_write_text(path, text)
        self._entries[_key(path)] = Entry(path, plain)
        return Edit(path, text, True, self._reread(path))

    def create(self, path: Path, doc: yamlio.Document) -> Edit:
        """Écrit un nouveau fichier après l'avoir validé en mémoire (rien n'est créé sinon)."""
        self.require_inside(path)
        text = yamlio.dumps_roundtrip(doc)
        plain = yamlio.to_plain(doc.data)
        findings = self.check_data(path, plain, text)
        if findings:
            raise FindingsError(findings)
        with self.writing():
            if path.exists():
                raise EnvironmentProblem(f"{self.ws.rel(path)} existe déjà", "relancer la commande")
            yamlio.atomic_write_text(path, text)
        self._entries[_key(path)] = Entry(path, plain)
        ent = self.entry(path, build=self._builder(path))  # une fiche de registre n'est pas une demande
        return Edit(path, text, True, ent.model if ent.ok else None)

    def _reread(self, path: Path) -> Case | None:
        """L'objet typé du fichier écrit, lu avec le constructeur de son type (la demande, s'il en est une)."""
        from guichet_cli.core.model.case import Case

        ent = self.entry(path, build=self._builder(path))
        return ent.model if ent.ok and isinstance(ent.model, Case) else None

    def _builder(self, path: Path) -> Callable[[Path, Any], Any] | None:
        from guichet_cli.core.validation.engine import builder_for, classify

        kinds = classify(self.ws, path)
        return builder_for(kinds[0]) if kinds else None

    def _typed(self, path: Path, data: Any) -> Any:
        from guichet_cli.core.validation.engine import builder_for, classify

        kinds = classify(self.ws, path)
        build = builder_for(kinds[0]) if kinds else None
        if build is None:
            return data
        try:
            return build(path, data)
        except ModelError:
            return None  # la validation qui suit nomme le champ

    def check_data(self, path: Path, data: Any, text: str) -> list[Finding]:
        """Erreurs de validation de `data` (texte `text`) comme contenu de `path`, sans rien écrire."""
        from guichet_cli.core.validation import engine

        issue = safety.scan(data)  # caractère de contrôle, imbrication… : refusés avant d'écrire (guichet new, edit)
        if issue is not None:
            line, column = safety.locate_text(path, text, issue)
            return [Finding(path, issue.problem, pointer=issue.pointer, line=line, column=column, hint=issue.hint, code="securite")]
        saved = self._entries.get(_key(path))
        self._entries[_key(path)] = Entry(path, data)
        try:
            return [f for f in engine.check_paths(self.ws, [path], text=text) if f.severity == ERROR]
        finally:
            if saved is None:
                self._entries.pop(_key(path), None)
            else:
                self._entries[_key(path)] = saved

    def require_inside(self, path: Path) -> None:
        """Une commande n'écrit que dans le dépôt guichet (jamais un fichier donné par un chemin extérieur)."""
        try:
            path.resolve().relative_to(self.ws.root.resolve())
        except ValueError:
            raise UsageError(
                f"« {path} » est hors du dépôt guichet « {self.ws.root} » : guichet ne le modifie pas",
                "désigner le dossier par son identifiant, ou copier le fichier dans cases/ du dépôt",
            ) from None


class FindingsError(DataError):
    """Création refusée : le fichier ne serait pas valide ; porte les constats pour les reformuler."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("le fichier ne serait pas valide", "corriger les champs indiqués")
        self.findings = findings


def _key(path: Path) -> Path:
    return path if path.is_absolute() else path.resolve()
