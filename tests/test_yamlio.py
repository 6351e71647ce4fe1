"""Module YAML unique : relecture + réécriture à l'octet près, modification limitée au champ touché,
commentaires gardés (y compris autour d'une clé supprimée), BOM/CRLF conservés, écriture atomique."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from conftest import PROJECT

from guichet_cli.core import yamlio

SAMPLE_FILES = sorted(
    [PROJECT / "guichet.yaml"]
    + [p for d in ("cases", "partners", "donneurs", "contacts", "rules") for p in (PROJECT / d).rglob("*.yaml")]
)
CASE = "cases/2026/GRCS-2026-7F3K.yaml"


def test_samples_are_there():
    dirs = {p.relative_to(PROJECT).parts[0] for p in SAMPLE_FILES}
    assert {"cases", "partners", "donneurs", "contacts", "rules", "guichet.yaml"} <= dirs
    assert len(SAMPLE_FILES) > 40


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.relative_to(PROJECT).as_posix())
def test_roundtrip_is_byte_identical(path: Path):
    doc = yamlio.load_roundtrip(path)
    assert yamlio.dumps_roundtrip(doc).encode("utf-8") == path.read_bytes()


def _diff(old: str, new: str) -> tuple[list[str], list[str]]:
    """(lignes retirées, lignes ajoutées) entre deux textes."""
    removed, added = [], []
    for ln in difflib.ndiff(old.splitlines(), new.splitlines()):
        if ln.startswith("- "):
            removed.append(ln[2:])
        elif ln.startswith("+ "):
            added.append(ln[2:])
    return removed, added


def _edit(path: Path, mutate) -> tuple[str, str]:
    old = path.read_text(encoding="utf-8")
    doc = yamlio.load_roundtrip(path)
    mutate(doc.data)
    yamlio.dump_roundtrip(doc)
    return old, path.read_text(encoding="utf-8")


def test_edit_changes_only_that_field(repo: Path):
    path = repo / CASE

    def mutate(d):
        d["marche"]["montant_estime_ht"] = 1500000

    old, new = _edit(path, mutate)
    assert _diff(old, new) == (["  montant_estime_ht: 1450000"], ["  montant_estime_ht: 1500000"])
    # la ligne modifiée reste à sa place (ligne 14)
    assert new.splitlines()[13] == "  montant_estime_ht: 1500000"


def test_edit_nested_list_item_and_keep_end_of_line_comment(repo: Path):
    path = repo / CASE

    def mutate(d):
        d["marche"]["lots"][1]["montant_estime_ht"] = 560000
        d["demandeur"] = "contact-0008"

    old, new = _edit(path, mutate)
    removed, added = _diff(old, new)
    assert removed == [
        "demandeur: contact-0007                 # → contacts/ (seul endroit des données personnelles)",
        "      montant_estime_ht: 550000",
    ]
    assert added == [
        "demandeur: contact-0008                 # → contacts/ (seul endroit des données personnelles)",
        "      montant_estime_ht: 560000",
    ]


def test_delete_sample_key_removes_only_its_line(repo: Path):
    path = repo / CASE
    old, new = _edit(path, lambda d: yamlio.delete_key(d, "canal"))
    assert _diff(old, new) == (["canal: courriel"], [])
    # la clé suivante garde son commentaire de fin de ligne
    assert 'donneur_ordre: "21930066200018"        # → donneurs/21930066200018.yaml' in new


COMMENTED = """\
# yaml-language-server: $schema=../../schemas/demande.schema.json
# En-tête du fichier.
id: GRCS-2026-AAAA   # identifiant
# à propos du statut
statut: recue        # fin statut
# à propos de la réception
recue_le: "2026-03-02"
# à propos du marché
marche:
  objet: Nettoyage   # fin objet
  # à propos de la nature
  nature: services
  cpv: ["90911200"]
# à propos des notes

notes: Fin.
"""


@pytest.mark.parametrize(
    ("pointer", "gone"),
    [
        (("statut",), ["# à propos du statut", "statut: recue        # fin statut"]),
        (("recue_le",), ["# à propos de la réception", 'recue_le: "2026-03-02"']),
        (("marche",), ["# à propos du marché", "marche:", "  objet: Nettoyage   # fin objet",
                       "  # à propos de la nature", "  nature: services", '  cpv: ["90911200"]']),
        (("notes",), ["# à propos des notes", "", "notes: Fin."]),
        (("marche", "objet"), ["  objet: Nettoyage   # fin objet"]),
        (("marche", "nature"), ["  # à propos de la nature", "  nature: services"]),
    ],
    ids=lambda v: ".".join(v) if isinstance(v, tuple) else None,
)
def test_delete_key_keeps_neighbour_comments(tmp_path: Path, pointer, gone):
    """Le commentaire d'une clé supprimée part avec elle ; ceux des voisines restent en place."""
    path = tmp_path / "f.yaml"
    path.write_text(COMMENTED, encoding="utf-8")

    def mutate(d):
        *parents, last = pointer
        for p in parents:
            d = d[p]
        yamlio.delete_key(d, last)

    old, new = _edit(path, mutate)
    expected = [ln for ln in old.splitlines()]
    for ln in gone:
        expected.remove(ln)
    assert new.splitlines() == expected


def test_plain_del_would_lose_the_next_comment(tmp_path: Path):
    """Témoin : c'est bien le comportement de ruamel que delete_key corrige."""
    path = tmp_path / "f.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    _old, new = _edit(path, lambda d: d.__delitem__("statut"))
    assert "# à propos de la réception" not in new


def test_bom_and_crlf_kept(tmp_path: Path):
    src = (PROJECT / CASE).read_text(encoding="utf-8")
    raw = b"\xef\xbb\xbf" + src.replace("\n", "\r\n").encode("utf-8")
    path = tmp_path / "GRCS-2026-7F3K.yaml"
    path.write_bytes(raw)
    doc = yamlio.load_roundtrip(path)
    assert doc.info.bom and doc.info.newline == "\r\n"
    assert yamlio.dumps_roundtrip(doc).encode("utf-8") == raw
    doc.data["marche"]["duree_mois"] = 36
    yamlio.dump_roundtrip(doc)
    out = path.read_bytes()
    assert out.startswith(b"\xef\xbb\xbf")
    assert out.count(b"\r\n") == raw.count(b"\r\n") and b"\n" not in out.replace(b"\r\n", b"")
    assert out == raw.replace(b"duree_mois: 48\r\n", b"duree_mois: 36\r\n")
    # le chargeur rapide lit le même fichier
    assert yamlio.load_mapping_fast(path)["marche"]["duree_mois"] == 36


def test_atomic_write_leaves_no_temp_file(tmp_path: Path):
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    path.chmod(0o640)
    yamlio.atomic_write_text(path, "a: 2\n")
    assert path.read_text(encoding="utf-8") == "a: 2\n"
    assert (path.stat().st_mode & 0o777) == 0o640  # droits du fichier conservés
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.yaml"]


def test_failed_write_keeps_old_file(tmp_path: Path):
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(TypeError):
        yamlio.atomic_write_bytes(path, "pas des octets")  # type: ignore[arg-type]  # échec pendant l'écriture
    assert path.read_text(encoding="utf-8") == "a: 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.yaml"]


def test_failed_serialisation_keeps_old_file(tmp_path: Path):
    path = tmp_path / "f.yaml"
    path.write_text("a: 1  # garder\n", encoding="utf-8")
    doc = yamlio.load_roundtrip(path)
    doc.data["a"] = object()  # non sérialisable
    with pytest.raises(Exception):  # noqa: B017  (l'erreur exacte est celle de ruamel)
        yamlio.dump_roundtrip(doc)
    assert path.read_text(encoding="utf-8") == "a: 1  # garder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.yaml"]
    # l'échec ne casse pas les écritures suivantes (l'émetteur de ruamel garde un état)
    doc = yamlio.load_roundtrip(path)
    doc.data["a"] = 2
    assert yamlio.dumps_roundtrip(doc) == "a: 2  # garder\n"


def test_new_document_header(tmp_path: Path):
    path = tmp_path / "x.yaml"
    doc = yamlio.new_document(path, {"id": "X", "liste": ["a", "b"]}, "yaml-language-server: $schema=../../schemas/demande.schema.json")
    yamlio.dump_roundtrip(doc)
    assert path.read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../../schemas/demande.schema.json\nid: X\nliste: [a, b]\n"
    )


def test_values_that_look_like_dates_or_numbers_are_written_double_quoted(tmp_path: Path) -> None:
    # Les commandes écrivent des dates et des SIRET : mêmes guillemets que les fichiers faits à la main.
    path = tmp_path / "x.yaml"
    path.write_text('id: A\nrecue_le: "2026-03-02"\n', encoding="utf-8")
    doc = yamlio.load_roundtrip(path)
    doc.data["debutee_le"] = "2026-11-28"
    doc.data["siret"] = "21930066200018"
    doc.data["texte"] = "simple"
    assert yamlio.dumps_roundtrip(doc) == (
        'id: A\nrecue_le: "2026-03-02"\ndebutee_le: "2026-11-28"\nsiret: "21930066200018"\ntexte: simple\n'
    )
