"""Relecture d'une demande de fusion : suppressions, renommages et corrections tracées (issue 17, points 1 et 7)."""

from __future__ import annotations

from conftest import git
from test_workflow_support import base_case, commit_all, edit_case, new_git_repo

CID = "GRCS-2026-AAAA"
CLOSED = "GRCS-2026-BBBB"


def _branch(tmp_path):
    root = new_git_repo(tmp_path, [base_case(CID), base_case(CLOSED, "recommandation_transmise")])
    git(root, "switch", "-q", "-c", "proposition")
    return root


def test_deleted_case_is_a_finding_in_since(tmp_path, cli):
    root = _branch(tmp_path)
    git(root, "rm", "-q", f"cases/2026/{CLOSED}.yaml", f"cases/2026/{CID}.yaml")
    commit_all(root, "ménage\n")
    res = cli("validate", "--since", "main", repo=root, code=1)
    assert f"cases/2026/{CLOSED}.yaml" in res.stdout and "supprimée depuis main sans opération tracée" in res.stdout
    assert "Guichet-Suppression" in res.stdout
    assert "aucun problème" not in res.stdout


def test_traced_deletion_passes_with_its_reason(tmp_path, cli):
    root = _branch(tmp_path)
    git(root, "rm", "-q", f"cases/2026/{CID}.yaml")
    commit_all(root, "Doublon retiré\n\nGuichet-Suppression: doublon de GRCS-2026-BBBB\n")
    res = cli("validate", "--since", "main", repo=root)
    assert "suppression tracée : doublon de GRCS-2026-BBBB" in res.stdout


def test_deleted_contact_still_referenced_is_caught(tmp_path, cli):
    root = _branch(tmp_path)
    contact = base_case(CID)["demandeur"]
    git(root, "rm", "-q", f"contacts/{contact}.yaml")
    commit_all(root, "contact retiré\n")
    res = cli("validate", "--since", "main", repo=root, code=1)
    assert f"contacts/{contact}.yaml" in res.stdout and "supprimée" in res.stdout
    assert f"contact « {contact} » introuvable" in res.stdout  # la demande qui le cite est signalée


def test_rename_changing_the_id_is_a_finding(tmp_path, cli):
    root = _branch(tmp_path)
    git(root, "mv", f"cases/2026/{CID}.yaml", "cases/2026/GRCS-2026-CCCC.yaml")
    edit_case(root / "cases/2026/GRCS-2026-CCCC.yaml", id="GRCS-2026-CCCC")
    commit_all(root, "renommage\n")
    res = cli("validate", "--since", "main", repo=root, code=1)
    assert "l'identifiant change" in res.stdout


def test_commit_msg_hook_sees_a_staged_deletion(tmp_path, cli):
    """Le crochet commit-msg (--since HEAD --message-file) : la suppression indexée est vue, le trailer l'accepte."""
    root = _branch(tmp_path)
    git(root, "rm", "-q", f"cases/2026/{CLOSED}.yaml")
    msg = tmp_path / "COMMIT_EDITMSG"
    msg.write_text("ménage\n", encoding="utf-8")
    res = cli("validate", "--since", "HEAD", "--message-file", str(msg), repo=root, code=1)
    assert "sans opération tracée" in res.stdout
    msg.write_text("ménage\n\nGuichet-Suppression: effacement RGPD demandé le 2026-11-02\n", encoding="utf-8")
    cli("validate", "--since", "HEAD", "--message-file", str(msg), repo=root)


def test_precommit_template_has_the_changes_hook():
    from guichet_cli.core import yamlio
    from guichet_cli.core.scaffold import template_text

    data = yamlio.parse_fast(__import__("pathlib").Path("pre-commit-config.yaml"), template_text("pre-commit-config.yaml"))
    hooks = {h["id"]: h for h in data["repos"][0]["hooks"]}
    assert "--since HEAD --message-file" in hooks["guichet-changements"]["entry"]
    assert hooks["guichet-changements"]["stages"] == ["commit-msg"]
    assert "commit-msg" in data["default_install_hook_types"]


def test_correction_trailer_passes_review(tmp_path, cli):
    root = _branch(tmp_path)
    edit_case(root / f"cases/2026/{CLOSED}.yaml", recue_le="2026-02-01")
    commit_all(root, "date corrigée\n")
    res = cli("validate", "--since", "main", repo=root, code=1)
    assert "Guichet-Correction: motif" in res.stdout
    git(root, "reset", "-q", "--soft", "HEAD~1")
    commit_all(root, "date corrigée\n\nGuichet-Correction: date du courriel d'origine (2026-02-01)\n")
    res = cli("validate", "--since", "main", repo=root)
    assert "correction tracée (Guichet-Correction: date du courriel d'origine (2026-02-01))" in res.stdout


# --- guichet init (points 2 et 3) ---------------------------------------------------------------


def test_init_with_prefix_makes_a_desk_where_new_works(tmp_path, cli):
    target = tmp_path / "gess"
    cli("init", str(target), "--prefix", "GESS")
    schema = (target / "schemas/demande.schema.json").read_text(encoding="utf-8")
    assert '"^GESS-[0-9]{4}' in schema and "GRCS-AAAA" not in schema
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert "GESS-2026-0042" in readme and "GRCS" not in readme
    ignore = (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/redactions/" in ignore and "/bilans/" in ignore
    # un donneur d'ordre et son contact, puis une demande : son identifiant a la forme du guichet
    import shutil

    from conftest import PROJECT
    shutil.copy(PROJECT / "donneurs/21930066200018.yaml", target / "donneurs/")
    for c in (PROJECT / "contacts").glob("*.yaml"):
        shutil.copy(c, target / "contacts/")
    git(target, "add", "-A")
    git(target, "-c", "user.name=Agent", "-c", "user.email=a@b.invalid", "commit", "-q", "-m", "registres\n")
    contact = base_case("X")["demandeur"]
    res = cli("new", "--buyer", "21930066200018", "--requester", contact, "--object", "Nettoyage", "--nature", "services",
              "--cpv", "90911200", "--amount", "1450000", "--duration", "48", "--form", "marche_ordinaire",
              "--department", "93", "--no-commit", repo=target)
    assert "cases/" in res.stdout and "GESS-" in res.stdout


def test_init_ci_installs_a_pinned_existing_source(tmp_path, cli):
    import re

    from guichet_cli import __version__

    target = tmp_path / "desk"
    cli("init", str(target), "--organisation", "guichet-77", "--no-commit")
    for rel in (".github/workflows/guichet.yml", ".gitlab-ci.yml"):
        text = (target / rel).read_text(encoding="utf-8")
        pkg = re.search(r'GUICHET_PACKAGE: "([^"]+)"', text).group(1)
        assert pkg == f"guichet-cli @ git+https://github.com/guichet-77/guichet.git@v{__version__}", rel
    # une roue conservée dans le dépôt
    wheel = tmp_path / f"guichet_cli-{__version__}-py3-none-any.whl"
    wheel.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    target2 = tmp_path / "desk2"
    cli("init", str(target2), "--toolkit", str(wheel), "--no-commit")
    assert (target2 / "vendor" / wheel.name).is_file()
    assert f'GUICHET_PACKAGE: "./vendor/{wheel.name}"' in (target2 / ".gitlab-ci.yml").read_text(encoding="utf-8")
    res = cli("init", str(tmp_path / "desk3"), "--toolkit", "guichet-cli", code=2)
    assert "source non reconnue" in res.stderr


def test_ci_templates_never_install_a_bare_package_name():
    from guichet_cli.core.scaffold import template_text

    for name in ("github-workflow.yml", "gitlab-ci.yml"):
        assert "GUICHET_PACKAGE: guichet-cli" not in template_text(name)
