"""`guichet new` : fichier créé valide, identifiant, refus sans rien écrire, mode non interactif, commit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import git

from guichet_cli.core import yamlio
from guichet_cli.core.cases import CROCKFORD, new_id
from guichet_cli.core.workspace import open_workspace

BASE = [
    "new", "--buyer", "21930066200018", "--requester", "contact-0007", "--object", "Nettoyage des écoles",
    "--nature", "services", "--cpv", "90911200", "--amount", "1450000", "--duration", "48",
    "--form", "accord_cadre_bons_de_commande", "--department", "93", "--received", "2026-11-20",
]
ID_RE = re.compile(rf"^GRCS-2026-[{CROCKFORD}]{{4}}$")


def _set(args: list[str], option: str, value: str) -> list[str]:
    out = list(args)
    out[out.index(option) + 1] = value
    return out


def _cases(repo: Path) -> set[Path]:
    return set((repo / "cases").rglob("*.yaml"))


def _created(result, repo: Path) -> Path:
    m = re.search(r"Demande créée : (cases/\S+\.yaml)", result.stdout)
    assert m, result.stdout
    return repo / m.group(1)


def test_new_creates_valid_file(cli, repo):
    before = _cases(repo)
    result = cli(*BASE, "--commune", "93066", "--launch", "2027-01-15", "--channel", "courriel", "--procedure", "appel_offres_ouvert", repo=repo)
    path = _created(result, repo)
    assert _cases(repo) - before == {path}
    assert path.parent == repo / "cases" / "2026"
    assert ID_RE.match(path.stem), path.stem
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schemas/demande.schema.json\n")
    data = yamlio.load_mapping_fast(path)
    assert data["id"] == path.stem  # nom de fichier = identifiant
    assert data["statut"] == "recue"
    assert data["recue_le"] == "2026-11-20"
    assert data["donneur_ordre"] == "21930066200018"
    assert data["marche"]["montant_estime_ht"] == 1450000 and isinstance(data["marche"]["montant_estime_ht"], int)
    assert data["marche"]["lieux_execution"] == [{"departement": "93", "commune": "93066"}]
    assert data["marche"]["lancement_prevu"] == "2027-01-15"
    # le fichier créé passe la validation complète du dépôt
    out = cli("validate", str(path), repo=repo)
    assert "aucun problème" in out.stdout


def test_received_defaults_to_today(cli, repo):
    import datetime as dt

    args = BASE[: BASE.index("--received")]
    path = _created(cli(*args, repo=repo), repo)
    assert yamlio.load_mapping_fast(path)["recue_le"] == dt.date.today().isoformat()


def test_two_creations_give_different_ids(cli, repo):
    a = _created(cli(*BASE, repo=repo), repo)
    b = _created(cli(*BASE, repo=repo), repo)
    assert a != b and a.is_file() and b.is_file()


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--buyer", "21930066200019", "--buyer : SIRET invalide (clé de contrôle)"),
        ("--buyer", "73282932000074", "--buyer : donneur d'ordre 73282932000074 absent du registre donneurs/"),
        ("--requester", "contact-0070", "--requester : contact « contact-0070 » introuvable dans contacts/"),
        ("--nature", "service", "--nature : valeur inconnue « service » — vouliez-vous dire « services » ?"),
        ("--department", "60", "--department/--commune : valeur inconnue « 60 »"),
    ],
)
def test_invalid_values_write_nothing(cli, repo, option, value, expected):
    before = _cases(repo)
    result = cli(*_set(BASE, option, value), repo=repo, code=1)
    assert "la demande n'a pas été créée" in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert _cases(repo) == before
    assert not list((repo / "cases").rglob("*.tmp"))


def test_new_year_directory_not_left_behind(cli, repo):
    """Refus sur une année sans dossier : le dossier cases/<année>/ créé pour l'essai est retiré."""
    cli(*_set(_set(BASE, "--buyer", "21930066200019"), "--received", "2024-05-02"), repo=repo, code=1)
    assert not (repo / "cases" / "2024").exists()


def test_impossible_date_is_usage_error(cli, repo):
    before = _cases(repo)
    result = cli(*_set(BASE, "--received", "2026-02-30"), repo=repo, code=2)
    assert "le 30 février 2026 n'existe pas" in result.stderr
    assert _cases(repo) == before


def test_commune_outside_departments(cli, repo):
    result = cli(*BASE, "--commune", "75056", repo=repo, code=2)
    assert "--commune 75056 : cette commune n'est dans aucun des départements indiqués (93)" in result.stderr


def test_missing_options_non_interactive(cli, repo):
    before = _cases(repo)
    result = cli("new", "--object", "Nettoyage", repo=repo, code=2)
    assert "valeurs obligatoires manquantes : --buyer, --requester, --nature, --cpv, --amount, --duration, --form, --department" in result.stderr
    assert "Traceback" not in result.output
    assert _cases(repo) == before


def test_prompts_when_interactive(cli, repo, monkeypatch):
    # CliRunner n'est pas un terminal : on force la détection pour vérifier les questions.
    monkeypatch.setattr("guichet_cli.cli.new.interactive", lambda: True)
    args = [a for a in BASE if a not in ("--cpv", "90911200", "--duration", "48")]
    result = cli(*args, repo=repo, input="90911200, 90919200\n36\n\n")  # Entrée : date de lancement inconnue
    assert "Codes CPV (un ou plusieurs)" in result.stdout and "Durée en mois" in result.stdout
    data = yamlio.load_mapping_fast(_created(result, repo))
    assert data["marche"]["cpv"] == ["90911200", "90919200"] and data["marche"]["duree_mois"] == 36


def test_new_id_retries_on_collision(repo, monkeypatch):
    ws = open_workspace(repo)
    draws = iter("AAAA" "AAAA" "BBBB")
    monkeypatch.setattr("guichet_cli.core.cases.secrets.choice", lambda _alphabet: next(draws))
    assert new_id(ws, 2026, taken={"GRCS-2026-AAAA"}) == "GRCS-2026-BBBB"


def test_new_commits_in_git_repo(cli, git_repo):
    path = _created(cli(*BASE, repo=git_repo), git_repo)
    log = git(git_repo, "log", "-1", "--format=%s%n%b")
    assert log.startswith(f"{path.stem} : demande reçue")
    assert f"Guichet-Dossier: {path.stem}" in log
    assert git(git_repo, "status", "--porcelain") == ""


def test_new_no_commit(cli, git_repo):
    head = git(git_repo, "rev-parse", "HEAD")
    path = _created(cli(*BASE, "--no-commit", repo=git_repo), git_repo)
    assert git(git_repo, "rev-parse", "HEAD") == head
    assert path.relative_to(git_repo).as_posix() in git(git_repo, "status", "--porcelain")


def test_new_refused_before_writing_when_other_changes_are_staged(cli, git_repo):
    (git_repo / "notes.txt").write_text("sans rapport\n", encoding="utf-8")
    git(git_repo, "add", "notes.txt")
    res = cli(*BASE, repo=git_repo, code=2)
    assert "déjà indexées" in res.stderr and "notes.txt" in res.stderr
    assert git(git_repo, "status", "--porcelain").splitlines() == ["A  notes.txt"]  # aucune demande créée
    cli(*BASE, "--no-commit", repo=git_repo)  # sans commit, rien ne s'y oppose


def test_amount_written_like_a_human_is_accepted(cli, repo):
    path = _created(cli(*_set(BASE, "--amount", "1 450 000 €"), "--max-amount", "2000000,50", repo=repo), repo)
    marche = yamlio.load_mapping_fast(path)["marche"]
    assert marche["montant_estime_ht"] == 1450000 and marche["montant_maximum_ht"] == 2000000.5
    # dates, SIRET et codes entre guillemets doubles, comme les fichiers faits à la main
    text = path.read_text(encoding="utf-8")
    assert 'donneur_ordre: "21930066200018"' in text and 'cpv: ["90911200"]' in text and '- departement: "93"' in text


@pytest.mark.parametrize("value", ["beaucoup", "nan", "-5", "1.2.3"])
def test_bad_amount_is_usage_error(cli, repo, value):
    before = _cases(repo)
    result = cli(*_set(BASE, "--amount", value), repo=repo, code=2)
    assert "--amount : " in result.stderr and "Traceback" not in result.output
    assert _cases(repo) == before


def test_help_is_french_with_examples(cli):
    out = cli("new", "--help").stdout
    assert "Enregistre une nouvelle demande reçue" in out and "Exemples" in out
    for option in ("--buyer", "--requester", "--object", "--nature", "--cpv", "--amount", "--max-amount", "--duration", "--form",
                   "--procedure", "--launch", "--department", "--commune", "--buyer-type", "--received", "--channel", "--no-commit", "--repo"):
        assert option in out, option


def test_every_help_is_free_of_click_english(cli):
    # « [default: text] » et « [required] » viennent de click : traduits pour toutes les commandes.
    for args in (("validate", "--help"), ("status", "--help"), ("due", "--help"), ("history", "--help")):
        out = cli(*args).stdout
        assert "default:" not in out and "[required]" not in out, args
    assert "[par défaut : text]" in " ".join(cli("validate", "--help").stdout.split())
    assert "[obligatoire]" in cli("status", "--help").stdout


def test_every_command_help_lists_examples(cli):
    # toutes les commandes finales enregistrées (y compris celles des autres lots) : aide avec exemples
    import typer.main

    from guichet_cli.cli.app import app

    def leaves(group, prefix):
        for name, cmd in sorted(getattr(group, "commands", {}).items()):
            yield from leaves(cmd, [*prefix, name]) if getattr(cmd, "commands", None) else [[*prefix, name]]

    commands = list(leaves(typer.main.get_command(app), []))
    assert len(commands) >= 14 and ["validate"] in commands and ["status"] in commands
    assert "Exemples" in cli("--help").stdout
    for path in commands:
        assert "Exemples" in cli(*path, "--help").stdout, path


def test_interactive_new_asks_launch_date_and_reasks_wrong_answers(cli, repo, monkeypatch):
    """Issue 17 : la date de lancement (qui décide de L2112-2-1) est demandée ; une réponse fausse est redemandée."""
    monkeypatch.setattr("guichet_cli.cli.new.interactive", lambda: True)
    args = [a for a in BASE if a not in ("--amount", "1450000", "--duration", "48", "--department", "93")]
    answers = ["beaucoup", "1,2 M€", "quarante", "48", "Oise", "Seine-St-Denis", "31/09/2027", "15/10/2027"]
    result = cli(*args, repo=repo, input="\n".join(answers) + "\n")
    assert result.stderr.count("Réponse refusée") == 4, result.stderr
    assert "Date prévue de lancement" in result.stdout
    data = yamlio.load_mapping_fast(_created(result, repo))
    assert data["marche"]["montant_estime_ht"] == 1200000 and data["marche"]["duree_mois"] == 48
    assert data["marche"]["lieux_execution"] == [{"departement": "93"}]
    assert data["marche"]["lancement_prevu"] == "2027-10-15"
