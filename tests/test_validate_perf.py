"""Validation rapide (issue 16) : cache, --jobs, flux et --since donnent EXACTEMENT les constats du
chemin simple (un processus, sans cache), dans le même ordre ; le cache n'est jamais périmé.

Corpus : le dépôt d'exemple dans un vrai dépôt git, plus des fichiers cassés de chaque sorte
(YAML illisible, hors schéma, contrôle métier, identifiant en double, racine qui n'est pas un bloc).
Aucune durée n'est vérifiée ici : les temps sont dans bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from analysis_helpers import make_case, write_case
from conftest import copy_repo, git, init_git

import guichet_cli
from guichet_cli.core import schemas, yamlio
from guichet_cli.core.changes import validate_since
from guichet_cli.core.validation import engine
from guichet_cli.core.workspace import open_workspace

TODAY = dt.date(2026, 6, 1)
SAMPLE = "cases/2026/GRCS-2026-7F3K.yaml"


def _corpus(root: Path) -> Path:
    copy_repo(root)
    cases = root / "cases" / "2026"
    text = (root / SAMPLE).read_text(encoding="utf-8")
    (cases / "GRCS-2026-ZZ01.yaml").write_text("id: [GRCS\nstatut: recue\n", encoding="utf-8")  # YAML illisible
    (cases / "GRCS-2026-ZZ02.yaml").write_text(text.replace("GRCS-2026-7F3K", "GRCS-2026-ZZ02").replace("statut:", "champ_inconnu: 1\nstatut:", 1),
                                               encoding="utf-8")  # hors schéma
    (cases / "GRCS-2026-ZZ03.yaml").write_text(text, encoding="utf-8")  # identifiant en double (celui de 7F3K)
    (cases / "GRCS-2026-ZZ04.yaml").write_text("- une\n- liste\n", encoding="utf-8")  # pas un bloc de champs
    (cases / "GRCS-2026-ZZ05.yaml").write_text(text.replace("GRCS-2026-7F3K", "GRCS-2026-ZZ05").replace('"21930066200018"', '"21930066200019"'),
                                               encoding="utf-8")  # SIRET faux : contrôle métier
    return init_git(root)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return _corpus(tmp_path / "depot")


def _rows(report) -> list[tuple]:
    return [(str(f.path), f.line, f.column, f.message, f.code, f.severity, f.pointer, f.hint) for f in report.findings]


def _run(root: Path, **kw) -> list[tuple]:
    return _rows(engine.validate(open_workspace(root), today=TODAY, **kw))


def _case_parses(root: Path) -> int:
    return sum(n for p, n in yamlio.PARSES.items() if Path(p).is_relative_to(root / "cases"))


def test_corpus_has_findings_of_every_kind(corpus: Path) -> None:
    codes = {r[4] for r in _run(corpus)}
    assert {"yaml", "schema", "unicite"} <= codes and len(codes) >= 4  # le test d'équivalence a de quoi échouer


@pytest.mark.parametrize("kw", [
    {"jobs": 2}, {"jobs": 2, "stream": True}, {"stream": True}, {"cache": True}, {"cache": True, "jobs": 2, "stream": True},
], ids=["jobs2", "jobs2-stream", "stream", "cache", "cache-jobs2-stream"])
def test_fast_paths_give_the_plain_findings_in_the_same_order(corpus: Path, kw: dict) -> None:
    plain = _run(corpus)
    assert _run(corpus, **kw) == plain
    if kw.get("cache"):
        before = _case_parses(corpus)
        assert _run(corpus, **kw) == plain  # à chaud : tout vient du cache
        assert _case_parses(corpus) == before, "à chaud, aucune demande ne doit être relue"


def test_cli_jobs_and_cache_print_the_same_report(cli, corpus: Path) -> None:
    plain = cli("validate", "--jobs", "1", "--no-cache", "--format", "json", repo=corpus, code=1).stdout
    assert cli("validate", "--jobs", "2", "--format", "json", repo=corpus, code=1).stdout == plain  # à froid, écrit le cache
    assert (corpus / ".git" / "guichet" / "validate-cache.json").is_file()
    assert cli("validate", "--format", "json", repo=corpus, code=1).stdout == plain  # à chaud
    assert json.loads(plain)


def test_since_gives_the_plain_findings_of_the_changed_files(corpus: Path) -> None:
    changed = [corpus / SAMPLE, corpus / "cases" / "2026" / "GRCS-2026-ZZ06.yaml"]
    changed[0].write_text(changed[0].read_text(encoding="utf-8").replace("statut:", "autre_inconnu: 2\nstatut:", 1), encoding="utf-8")
    changed[1].write_text("id: GRCS-2026-ZZ06\n", encoding="utf-8")
    report, _cs = validate_since(open_workspace(corpus), "HEAD", today=TODAY)
    since = [r for r in _rows(report) if r[4] not in ("transition", "fait_passe")]
    assert since == _run(corpus, paths=changed) and since


# --- le cache n'est jamais périmé : chaque entrée qui compte le fait revalider -------------------

def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _append(path: Path, line: str = "# modifié\n") -> None:
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


CHANGES = {
    "fichier": lambda root: _append(root / SAMPLE, "champ_ajoute: 1\n"),
    "schema": lambda root: _edit_json(root / "schemas" / "demande.schema.json", lambda d: d["required"].append("champ_exige")),
    "regles": lambda root: _append(sorted((root / "rules").glob("*.yaml"))[0]),
    "registre": lambda root: _append(sorted((root / "donneurs").glob("*.yaml"))[0]),
    "reglages": lambda root: _append(root / "guichet.yaml"),
}


@pytest.mark.parametrize("what", sorted(CHANGES))
def test_cache_revalidates_when_an_input_changes(corpus: Path, what: str) -> None:
    _run(corpus, cache=True)
    CHANGES[what](corpus)
    schemas.forget()  # comme un nouveau lancement de guichet : le schéma modifié est relu
    before = _case_parses(corpus)
    assert _run(corpus, cache=True) == _run(corpus), f"résultat périmé après un changement de {what}"
    assert _case_parses(corpus) > before + 1  # revalidé (et pas seulement par le chemin simple)
    if what in ("fichier", "schema"):
        assert any(("champ_exige" if what == "schema" else "champ_ajoute") in r[3] for r in _run(corpus, cache=True))


def test_cache_revalidates_for_another_version_or_day(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(corpus, cache=True)
    before = _case_parses(corpus)
    engine.validate(open_workspace(corpus), today=TODAY + dt.timedelta(days=1), cache=True)
    after_day = _case_parses(corpus)
    assert after_day > before
    monkeypatch.setattr(guichet_cli, "__version__", "99.0.0")
    engine.validate(open_workspace(corpus), today=TODAY + dt.timedelta(days=1), cache=True)
    assert _case_parses(corpus) > after_day


def test_unreadable_cache_is_ignored(corpus: Path) -> None:
    plain = _run(corpus)
    _run(corpus, cache=True)
    (corpus / ".git" / "guichet" / "validate-cache.json").write_text("{pas du json", encoding="utf-8")
    assert _run(corpus, cache=True) == plain


def test_cache_is_written_only_inside_git(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "sans-git")
    _run(root, cache=True)
    assert not [p for p in root.rglob("*cache*")]


# --- L2113-15 en flux : chaque demande résumée une fois (ess.Award), jamais relue -----------------

def _ess_case(case_id: str, notified: str) -> dict:
    case = make_case(case_id, cpv=["85312000"], montant_estime_ht=240_000, duree_mois=36)
    year = case_id.split("-")[1]
    case.update(statut="en_execution", recue_le=f"{year}-01-02")
    case["analyse"] = {"recommandation": [{"disposition": "reserve_ess", "base_legale": "L2113-15", "justification": "ESS"}]}
    case["decision"] = {"suite": "suivie", "date": f"{year}-01-10", "dispositions_retenues": ["reserve_ess"]}
    case["execution"] = {"notifie_le": notified, "titulaires": [{"siret": "78455320800108", "nom": "Association fictive de l'ESS"}]}
    return case


@pytest.fixture
def big_corpus(tmp_path: Path) -> Path:
    """Au-dessus du seuil de la validation en flux, avec un conflit L2113-15 et des fichiers cassés."""
    root = tmp_path / "gros"
    copy_repo(root)
    text = (root / SAMPLE).read_text(encoding="utf-8")
    for i in range(engine.PARALLEL_MIN_FILES + 10):
        cid = f"GRCS-2026-Y{i:03d}"
        (root / "cases" / "2026" / f"{cid}.yaml").write_text(text.replace("GRCS-2026-7F3K", cid), encoding="utf-8")
    write_case(root, _ess_case("GRCS-2023-ZZ32", "2024-03-01"))
    write_case(root, _ess_case("GRCS-2026-ZZ33", "2026-09-01"))
    (root / "cases" / "2026" / "GRCS-2026-ZZ01.yaml").write_text("id: [GRCS\nstatut: recue\n", encoding="utf-8")
    return init_git(root)


@pytest.mark.parametrize("kw", [{"stream": True}, {"jobs": 2, "stream": True}, {"cache": True, "jobs": 2, "stream": True}],
                         ids=["stream", "jobs2-stream", "cache-jobs2-stream"])
def test_streamed_l2113_15_gives_the_plain_findings_parsing_each_case_once(big_corpus: Path, kw: dict) -> None:
    plain = _run(big_corpus)
    assert [r for r in plain if "L2113-15" in r[3] and "GRCS-2026-ZZ33" in r[0] and "GRCS-2023-ZZ32" in r[3]]
    yamlio.PARSES.clear()
    assert _run(big_corpus, **kw) == plain
    if kw.get("jobs", 1) == 1:  # en un processus, le compteur voit toutes les lectures
        # une lecture (chargeur C), plus l'aller-retour qui situe les constats du fichier, plus celui qui
        # situe ses constats transversaux (comme le chemin simple) ; jamais une lecture pour L2113-15
        own = {r[0] for r in plain if "L2113-15" not in r[3]}
        cross = {r[0] for r in plain if "L2113-15" in r[3]}
        over = {p: n for p, n in yamlio.PARSES.items()
                if Path(p).is_relative_to(big_corpus / "cases") and n > 1 + (p in own) + (p in cross)}
        assert not over, f"demandes relues par un contrôle transversal : {over}"
    if kw.get("cache"):
        before = _case_parses(big_corpus)
        assert _run(big_corpus, **kw) == plain  # à chaud : résumés repris du cache
        assert _case_parses(big_corpus) == before, "à chaud, aucune demande ne doit être relue"


@pytest.mark.parametrize("kw", [{}, {"stream": True}, {"cache": True, "jobs": 2, "stream": True}], ids=["plain", "stream", "cache-jobs2-stream"])
def test_private_buyer_is_not_held_to_l2113_15_in_any_mode(big_corpus: Path, kw: dict) -> None:
    """Un acheteur privé n'est pas tenu par le code : ni en simple, ni en flux, ni depuis le cache."""
    case = _ess_case("GRCS-2026-ZZ33", "2026-09-01")
    case["marche"]["type_acheteur"] = "prive"
    write_case(big_corpus, case)
    git(big_corpus, "commit", "-qam", "acheteur privé")
    found = _run(big_corpus, **kw)
    assert not [r for r in found if "L2113-15" in r[3] and "GRCS-2026-ZZ33" in r[0]]
    if kw.get("cache"):
        assert _run(big_corpus, **kw) == found


def test_cached_run_validates_exactly_the_bytes_it_hashed(tmp_path: Path) -> None:
    """Un processus, avec cache : chaque fichier est lu une fois, et ce qui est validé est ce dont
    l'empreinte sert de clé (un fichier modifié entre les deux ne laisse pas un résultat faux en cache)."""
    root = _corpus(tmp_path / "depot")
    path = root / SAMPLE
    store = open_workspace(root).store
    blob = store.fingerprint(path, keep=True)
    assert blob == git(root, "hash-object", SAMPLE).strip()  # la même empreinte que git
    path.write_text("id: [cassé\n", encoding="utf-8")  # changé sur le disque après l'empreinte
    ent = store.entry(path)
    assert ent.ok and ent.data["id"] == "GRCS-2026-7F3K"
    # sans `keep`, rien n'est gardé : la lecture suivante est celle du disque
    other = root / "cases" / "2026" / "GRCS-2026-ZZ05.yaml"
    store.fingerprint(other)
    other.write_text("- une\n", encoding="utf-8")
    assert not store.entry(other).ok


def test_fingerprint_keeps_no_oversized_file(tmp_path: Path) -> None:
    root = _corpus(tmp_path / "depot")
    big = root / "cases" / "2026" / "GRCS-2026-ZZ06.yaml"
    big.write_bytes(b"id: GRCS-2026-ZZ06\n" + b"# " + b"x" * yamlio.MAX_FILE_BYTES + b"\n")
    store = open_workspace(root).store
    assert store.fingerprint(big, keep=True) is not None
    ent = store.entry(big)
    assert not ent.ok and "trop volumineux" in ent.problem.message



def test_repository_files_come_in_sorted_path_order(tmp_path: Path) -> None:
    """L'ordre du parcours (sans tri de Path) est celui de sorted() : les constats gardent leur ordre."""
    root = _corpus(tmp_path / "depot")
    for rel in ("cases/2026-x.yaml", "cases/2026/sous/a.yaml", "cases/2026_b/z.yaml", "cases/A.yaml", "donneurs/é.yaml"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("id: x\n", encoding="utf-8")
    ws = open_workspace(root)
    found = engine.repository_files(ws)
    expected = sorted({ws.root / "guichet.yaml"} | {p for d in ("cases", "partners", "donneurs", "contacts", "rules", "structures")
                                                    for p in (ws.root / d).rglob("*.y*ml")})
    assert found == expected


def _same_size_edit(path: Path) -> None:
    """Réécrit le fichier à taille égale et lui rend sa date de modification (comme `touch -r`)."""
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("statut:", "stAtut:", 1)
    assert edited != text and len(edited.encode()) == st.st_size
    path.write_text(edited, encoding="utf-8")
    import os

    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns and path.stat().st_size == st.st_size


def test_unchanged_state_skips_the_read_but_any_write_revalidates(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Comme l'index de git : l'état (taille, dates, inode) inchangé dispense de relire ; toute écriture
    change la date de changement d'inode, même quand la taille et la date de modification sont remises."""
    from guichet_cli.core.validation import cache as cache_mod

    monkeypatch.setattr(cache_mod, "_RACY_NS", 0)  # les fichiers du test viennent d'être écrits
    plain = _run(corpus, cache=True)
    ws = open_workspace(corpus)
    memo = cache_mod.ValidationCache(ws, TODAY)
    path = corpus / SAMPLE
    assert memo.known_blob(path, SAMPLE) == git(corpus, "hash-object", SAMPLE).strip()
    _same_size_edit(path)
    assert cache_mod.ValidationCache(ws, TODAY).known_blob(path, SAMPLE) is None
    after = _run(corpus, cache=True)
    assert after == _run(corpus) != plain  # revalidé : le champ inconnu « stAtut » est signalé
    assert any("stAtut" in r[3] for r in after)


def test_recently_written_file_is_rehashed_not_trusted(corpus: Path) -> None:
    """Un fichier écrit moins de 2 s avant la validation qui l'a gardé est rehaché (racy-git) : sur un
    système de fichiers aux dates grossières, une écriture dans la même seconde ne se verrait pas."""
    from guichet_cli.core.validation import cache as cache_mod

    _run(corpus, cache=True)
    memo = cache_mod.ValidationCache(open_workspace(corpus), TODAY)
    assert memo.known_blob(corpus / SAMPLE, SAMPLE) is None
    assert memo.get(SAMPLE, git(corpus, "hash-object", SAMPLE).strip()) is not None  # mais le résultat est repris


def test_warm_run_rewrites_nothing(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from guichet_cli.core.validation import cache as cache_mod

    monkeypatch.setattr(cache_mod, "_RACY_NS", 0)
    _run(corpus, cache=True)
    saved = corpus / ".git" / "guichet" / "validate-cache.json"
    before = (saved.stat().st_mtime_ns, saved.read_bytes())
    _run(corpus, cache=True)
    assert (saved.stat().st_mtime_ns, saved.read_bytes()) == before
    (corpus / "cases" / "2026" / "GRCS-2026-ZZ04.yaml").unlink()  # un fichier de moins : le cache l'oublie
    _run(corpus, cache=True)
    assert "GRCS-2026-ZZ04" not in saved.read_text(encoding="utf-8")


@pytest.mark.parametrize("what", sorted(CHANGES))
def test_trusted_context_states_still_see_every_change(corpus: Path, what: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Les fichiers du contexte (code, schémas, règles, registres, réglages) crus sur leur état : un
    changement de chacun fait quand même tout revalider."""
    from guichet_cli.core.validation import cache as cache_mod

    monkeypatch.setattr(cache_mod, "_RACY_NS", 0)
    _run(corpus, cache=True)
    _run(corpus, cache=True)  # états du contexte gardés et crus
    CHANGES[what](corpus)
    schemas.forget()
    before = _case_parses(corpus)
    assert _run(corpus, cache=True) == _run(corpus), f"résultat périmé après un changement de {what}"
    assert _case_parses(corpus) > before + 1
    if what == "schema":
        assert any("champ_exige" in r[3] for r in _run(corpus, cache=True))


def test_same_size_schema_edit_is_seen(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from guichet_cli.core.validation import cache as cache_mod

    monkeypatch.setattr(cache_mod, "_RACY_NS", 0)
    schema = corpus / "schemas" / "demande.schema.json"
    _run(corpus, cache=True)
    _run(corpus, cache=True)
    st = schema.stat()
    text = schema.read_text(encoding="utf-8")
    edited = text.replace('"required": [', '"required": ["champ_exige", ', 1).replace("  ", " ", 15)
    assert len(edited.encode()) == st.st_size and edited != text
    schema.write_text(edited, encoding="utf-8")
    import os

    os.utime(schema, ns=(st.st_atime_ns, st.st_mtime_ns))
    schemas.forget()
    assert any("champ_exige" in r[3] for r in _run(corpus, cache=True))
