"""`guichet validate` face aux mauvaises saisies (issue 2) : message français exact, position ligne:colonne, codes de sortie.

Chaque cas part d'une copie temporaire du dépôt d'exemple (fixture `repo`) où l'on abîme la
demande GRCS-2026-7F3K ; les vrais fichiers d'exemple ne sont jamais modifiés.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

REL = "cases/2026/GRCS-2026-7F3K.yaml"


@pytest.fixture
def case(repo: Path) -> tuple[Path, Path, str]:
    """(dépôt, fichier de la demande, texte d'origine)."""
    path = repo / REL
    return repo, path, path.read_text(encoding="utf-8")


def sub(text: str, old: str, new: str) -> str:
    assert old in text, f"fixture obsolète : {old!r} absent"
    return text.replace(old, new, 1)


def run(cli, repo: Path, *paths: Path, code: int = 1, fmt: str | None = None, extra: tuple[str, ...] = ()):
    args = ["validate", *(str(p) for p in paths), *(("--format", fmt) if fmt else ()), *extra]
    result = cli(*args, repo=repo, code=code)
    assert "Traceback" not in result.output
    return result


def lines(result) -> list[str]:
    return result.stdout.splitlines()


# --- syntaxe et forme du fichier ----------------------------------------------------------------

TEXT_CASES = {
    "syntaxe": (lambda t: sub(t, "  nature: services\n", "  nature: services: oui\n"),
                "12:19: $: « : » inattendu (valeur contenant « : » non entourée de guillemets ?)"),
    "vide": (lambda t: "", "1:1: $: fichier vide — compléter le fichier ou le supprimer"),
    "commentaires_seuls": (lambda t: "# yaml-language-server: $schema=../../schemas/demande.schema.json\n# à compléter\n\n",
                           "1:1: $: fichier vide — compléter le fichier ou le supprimer"),
    "liste": (lambda t: "- id: GRCS-2026-7F3K\n- statut: recue\n",
              "1:1: $: le fichier doit contenir des champs « clé: valeur », pas une liste"),
    "scalaire": (lambda t: "GRCS-2026-7F3K\n", "1:1: $: le fichier doit contenir des champs « clé: valeur », pas une valeur isolée"),
    "cle_en_double": (lambda t: sub(t, "canal: courriel\n", "canal: courriel\ncanal: formulaire\n"),
                      "8:1: $: clé en double « canal » — la clé est déjà définie ligne 7 : garder une seule occurrence"),
    "cle_en_double_dans_un_lot": (lambda t: sub(t, "      intitule: Écoles\n", "      intitule: Écoles\n      intitule: Écoles maternelles\n"),
                                  "30:7: $: clé en double « intitule » — la clé est déjà définie ligne 29 : garder une seule occurrence"),
    "tabulation": (lambda t: sub(t, "  nature: services\n", "\tnature: services\n"),
                   "12:1: $: tabulation dans l'indentation : le YAML n'accepte que des espaces — remplacer la tabulation par des espaces (2 par niveau)"),
    "ancre_alias": (lambda t: sub(sub(t, '  cpv: ["90911200"]\n  montant', '  cpv: &c ["90911200"]\n  montant'),
                                  '      cpv: ["90911200"]\n', "      cpv: *c\n"),
                    "13:8: $: ancres et alias YAML (& et *) interdits dans les fichiers du guichet — recopier la valeur en clair à chaque endroit où elle sert"),
    "conflit_de_fusion": (lambda t: sub(t, "canal: courriel\n", "<<<<<<< HEAD\ncanal: courriel\n=======\ncanal: formulaire\n>>>>>>> relecture\n"),
                          "7:1: $: conflit de fusion non résolu (<<<<<<<) — terminer la fusion"),
}


@pytest.mark.parametrize("name", list(TEXT_CASES))
def test_unreadable_file(cli, case, name):
    repo, path, text = case
    mutate, expected = TEXT_CASES[name]
    path.write_text(mutate(text), encoding="utf-8")
    before = path.read_bytes()
    out = lines(run(cli, repo, path))
    assert out[0].startswith(f"{REL}:{expected}"), out
    assert out[-1] == "1 fichier vérifié : 1 problème dans 1 fichier."
    assert path.read_bytes() == before  # rien n'est écrit


def test_billion_laughs_refused_quickly(cli, case):
    repo, path, _ = case
    rows = ['lol0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    rows += [f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    box: dict[str, object] = {}
    # Filet de sécurité, pas une mesure de temps : une expansion des alias ne finirait jamais.
    worker = threading.Thread(target=lambda: box.setdefault("r", run(cli, repo, path)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "la validation d'un fichier « billion laughs » ne rend pas la main"
    assert lines(box["r"])[0] == f"{REL}:1:7: $: ancres et alias YAML (& et *) interdits dans les fichiers du guichet — recopier la valeur en clair à chaque endroit où elle sert"


def test_non_utf8_bytes(cli, case):
    repo, path, text = case
    raw = text.encode("utf-8").replace("Données".encode(), "Donn\xe9es".encode("latin-1"), 1)
    path.write_bytes(raw)
    out = lines(run(cli, repo, path))
    assert out[0].startswith(f"{REL}:2:7: $: octet 0xE9 invalide : le fichier n'est pas encodé en UTF-8 — réenregistrer le fichier en UTF-8"), out


def test_huge_file_refused(cli, case):
    repo, path, text = case
    filler = ("# " + "x" * 98 + "\n") * 22000  # ≈ 2,1 Mio de commentaires
    path.write_text(text + filler, encoding="utf-8")
    assert path.stat().st_size > 2 * 1024 * 1024
    out = lines(run(cli, repo, path))
    assert out[0].startswith(f"{REL}:1:1: $: fichier trop volumineux (2,1 Mo, maximum 2 Mo)"), out


def test_bom_and_crlf_accepted(cli, case):
    repo, path, text = case
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert lines(run(cli, repo, path, code=0)) == ["1 fichier vérifié : aucun problème."]


# --- contenu : types, clés, valeurs -------------------------------------------------------------

CONTENT_CASES = {
    "montant_en_texte": (lambda t: sub(t, "  montant_estime_ht: 1450000\n", '  montant_estime_ht: "1 450 000 €"\n'),
                         ["14:22: $.marche.montant_estime_ht: « 1 450 000 € » n'est pas un nombre — écrire 1450000 (sans espace, sans symbole, point décimal)"]),
    "cle_inconnue": (lambda t: sub(t, "  nature: services\n", "  nature: services\n  natrue: services\n"),
                     ["13:3: $.marche.natrue: clé inconnue « natrue » — vouliez-vous dire « nature » ?"]),
    "valeur_inconnue": (lambda t: sub(t, "  nature: services\n", "  nature: service\n"),
                        ["12:11: $.marche.nature: valeur inconnue « service » — vouliez-vous dire « services » ?"]),
    "duree_hors_bornes": (lambda t: sub(t, "  duree_mois: 48\n", "  duree_mois: 500\n"),
                          ["15:15: $.marche.duree_mois: « 500 » est trop grand (maximum 240) — durée en mois, nombre entier entre 1 et 240"]),
    "taux_hors_bornes": (lambda t: sub(t, "    taux_insertion: 0.05\n", "    taux_insertion: 5\n"),
                         ["44:21: $.analyse.calibrage.taux_insertion: « 5 » est trop grand (maximum 1) — proportion entre 0 et 1 (0.05 pour 5 %)"]),
    "date_impossible": (lambda t: sub(t, 'recue_le: "2026-03-02"', 'recue_le: "2026-02-30"'),
                        ['6:11: $.recue_le: « 2026-02-30 » : le 30 février 2026 n\'existe pas — écrire la date entre guillemets au format AAAA-MM-JJ, par exemple "2026-03-02"']),
    "siret_invalide": (lambda t: sub(t, 'donneur_ordre: "21930066200018"', 'donneur_ordre: "21930066200019"'),
                       ["8:16: $.donneur_ordre: SIRET invalide (clé de contrôle) — vérifier le SIRET sur annuaire-entreprises.data.gouv.fr",
                        "8:16: $.donneur_ordre: donneur d'ordre 21930066200019 absent du registre donneurs/ — créer donneurs/21930066200019.yaml ou corriger le SIRET"]),
    "commune_hors_departement": (lambda t: sub(t, '      commune: "93066"', '      commune: "75056"'),
                                 ["21:16: $.marche.lieux_execution[0].commune: la commune 75056 n'est pas dans le département 93"]),
    "references_introuvables": (
        lambda t: sub(sub(sub(sub(t, 'donneur_ordre: "21930066200018"', 'donneur_ordre: "73282932000074"'),
                              "demandeur: contact-0007", "demandeur: contact-0070"),
                          "valide_par: facilitateur-93-02", "valide_par: facilitateur-93-09"),
                      "reseaux: [grafie, reseau-iae-93]", "reseaux: [grafie, reseau-iae-39]"),
        ["8:16: $.donneur_ordre: donneur d'ordre 73282932000074 absent du registre donneurs/",
         "9:12: $.demandeur: contact « contact-0070 » introuvable dans contacts/ — vouliez-vous dire",
         "49:17: $.analyse.calibrage.valide_par: facilitateur « facilitateur-93-09 » inconnu des coordinations de partners/ — vouliez-vous dire « facilitateur-93-02 » ?",
         "55:21: $.routage.reseaux[1]: partenaire « reseau-iae-39 » introuvable dans partners/"]),
    # --- cohérence statut / champs
    "transmise_sans_valide_par": (lambda t: sub(t, "    valide_par: facilitateur-93-02\n", ""),
                                  ["40:5: $.analyse.calibrage.valide_par: statut « recommandation transmise » : la charte associe toujours le facilitateur au calibrage"]),
    "notifie_sans_notification": (
        lambda t: sub(t, "statut: recommandation_transmise", "statut: marche_notifie")
        + 'decision:\n  suite: suivie\n  date: "2026-05-02"\n  dispositions_retenues: [clause_insertion]\n',
        ["5:9: $.execution.titulaires: statut « marché notifié » : un marché notifié a au moins un titulaire avec son SIRET (execution.titulaires)",
         "5:9: $.execution.notifie_le: statut « marché notifié » : un marché notifié a une date de notification (execution.notifie_le)"]),
    "non_suivie_sans_motif": (
        lambda t: sub(t, "statut: recommandation_transmise", "statut: decision_rendue") + 'decision:\n  suite: non_suivie\n  date: "2026-05-02"\n',
        ["58:3: $.decision: champ obligatoire « motif » manquant"]),
    # --- règles de droit qui sont de purs faits
    "reservation_ess": (
        lambda t: sub(sub(t, "    - disposition: clause_insertion", "    - disposition: reserve_ess"), "base_legale: L2112-2", "base_legale: L2113-15"),
        ["35:20: $.analyse.recommandation[0].disposition: marché réservé aux entreprises de l'économie sociale et solidaire (L2113-15) : durée de 48 mois, au-delà du maximum de 36 mois",
         "35:20: $.analyse.recommandation[0].disposition: marché réservé aux entreprises de l'économie sociale et solidaire (L2113-15) impossible : CPV 90911200, 90919200 hors de la liste des services sociaux"]),
    "base_legale_incoherente": (
        lambda t: sub(sub(t, "    - disposition: clause_insertion", "    - disposition: reserve_siae"), "base_legale: L2112-2", "base_legale: L2113-15"),
        ["37:20: $.analyse.recommandation[0].base_legale: base légale « L2113-15 » incohérente avec la disposition reserve_siae (attendu : L2113-13) — écrire « L2113-13 »"]),
}


@pytest.mark.parametrize("name", list(CONTENT_CASES))
def test_content_problem(cli, case, name):
    repo, path, text = case
    mutate, expected = CONTENT_CASES[name]
    path.write_text(mutate(text), encoding="utf-8")
    out = lines(run(cli, repo, path))
    findings = out[:-1]
    assert len(findings) == len(expected), out
    for line, exp in zip(findings, expected, strict=True):
        assert line.startswith(f"{REL}:{exp}"), f"{line}\n≠ {exp}"
    n = len(expected)
    assert out[-1] == f"1 fichier vérifié : {n} problème{'s' if n > 1 else ''} dans 1 fichier."


# --- identifiants -------------------------------------------------------------------------------


def test_file_name_differs_from_id(cli, case):
    repo, path, text = case
    other = path.with_name("GRCS-2026-ZZZZ.yaml")
    path.rename(other)
    out = lines(run(cli, repo, other))
    assert out[0] == (
        "cases/2026/GRCS-2026-ZZZZ.yaml:3:5: $.id: le nom du fichier (GRCS-2026-ZZZZ.yaml) ne correspond pas à l'identifiant "
        "« GRCS-2026-7F3K » — renommer le fichier en GRCS-2026-7F3K.yaml (git mv) ou corriger l'identifiant"
    )


def test_duplicate_id_across_files(cli, case):
    repo, path, text = case
    copy = path.with_name("GRCS-2026-ZZZZ.yaml")
    copy.write_text(text, encoding="utf-8")
    out = lines(run(cli, repo, repo / "cases"))
    assert "cases/2026/GRCS-2026-ZZZZ.yaml:3:5: $.id: identifiant « GRCS-2026-7F3K » déjà utilisé par cases/2026/GRCS-2026-7F3K.yaml" in out


def test_duplicate_file_names_in_two_years(cli, case):
    """Deux branches qui créent le même identifiant : le nom de fichier suffit à le voir en CI."""
    repo, path, text = case
    (repo / "cases" / "2025" / path.name).write_text(text, encoding="utf-8")
    out = lines(run(cli, repo, repo / "cases"))
    assert any(ln.startswith("cases/2026/GRCS-2026-7F3K.yaml:3:5: $.id: identifiant « GRCS-2026-7F3K » déjà utilisé par cases/2025/GRCS-2026-7F3K.yaml") for ln in out), out


# --- tous les problèmes de tous les fichiers, formats, codes de sortie ---------------------------


def _two_broken(repo: Path, path: Path, text: str) -> Path:
    path.write_text(sub(text, "  nature: services\n", "  nature: services: oui\n"), encoding="utf-8")
    other = next(p for p in sorted((repo / "cases").rglob("*.yaml")) if p != path)
    raw = other.read_text(encoding="utf-8")
    other.write_text(raw.replace("statut: ", "statut: inconnu_", 1), encoding="utf-8")
    return other


def test_one_broken_file_does_not_stop_the_others(cli, case):
    repo, path, text = case
    other = _two_broken(repo, path, text)
    out = lines(run(cli, repo, repo / "cases"))
    rel_other = other.relative_to(repo).as_posix()
    assert any(ln.startswith(f"{REL}:12:19: $: « : » inattendu") for ln in out), out
    assert any(ln.startswith(f"{rel_other}:") and "$.statut: valeur inconnue « inconnu_" in ln for ln in out), out
    n_files = len(list((repo / "cases").rglob("*.yaml")))
    assert out[-1].startswith(f"{n_files} fichiers vérifiés : ")


def test_format_json(cli, case):
    repo, path, text = case
    path.write_text(sub(text, "  nature: services\n", "  nature: service\n"), encoding="utf-8")
    payload = json.loads(run(cli, repo, path, fmt="json").stdout)
    assert payload["statut"] == "echec" and payload["fichiers"] == 1
    assert payload["problemes"] == [{
        "fichier": REL, "ligne": 12, "colonne": 11, "chemin": "$.marche.nature", "message": "valeur inconnue « service »",
        "conseil": "vouliez-vous dire « services » ?", "code": "schema", "gravite": "erreur",
    }]
    assert payload["resume"] == "1 fichier vérifié : 1 problème dans 1 fichier."
    ok = json.loads(run(cli, repo, repo / "cases" / "2025", fmt="json", code=0).stdout)
    assert ok["statut"] == "ok" and ok["problemes"] == []


def test_format_github(cli, case):
    repo, path, text = case
    path.write_text(sub(text, "  nature: services\n", "  nature: service\n"), encoding="utf-8")
    out = lines(run(cli, repo, path, fmt="github"))
    assert out[0] == (
        f"::error file={REL},line=12,col=11,title=guichet validate::$.marche.nature: valeur inconnue « service » — vouliez-vous dire « services » ?"
    )


def test_format_gitlab_code_quality_file(cli, case, tmp_path):
    repo, path, text = case
    path.write_text(sub(text, "  nature: services\n", "  nature: service\n"), encoding="utf-8")
    report = tmp_path / "gl-code-quality.json"
    out = lines(run(cli, repo, path, fmt="gitlab", extra=("--out", str(report))))
    # l'écran garde le texte lisible, le fichier suit le format Code Quality de GitLab
    assert out[0].startswith(f"{REL}:12:11: $.marche.nature: valeur inconnue")
    items = json.loads(report.read_text(encoding="utf-8"))
    assert len(items) == 1
    item = items[0]
    assert item["location"] == {"path": REL, "lines": {"begin": 12}}
    assert item["severity"] == "major" and item["check_name"] == "guichet-schema"
    assert "valeur inconnue « service »" in item["description"] and len(item["fingerprint"]) == 64
    path.write_text(text, encoding="utf-8")
    run(cli, repo, path, code=0, fmt="gitlab", extra=("--out", str(report)))
    assert json.loads(report.read_text(encoding="utf-8")) == []


def test_quiet(cli, case):
    repo, path, text = case
    assert run(cli, repo, path, code=0, extra=("--quiet",)).stdout == ""
    assert run(cli, repo, path, code=0).stdout == "1 fichier vérifié : aucun problème.\n"
    path.write_text(sub(text, "  nature: services\n", "  nature: service\n"), encoding="utf-8")
    out = lines(run(cli, repo, path, extra=("--quiet",)))
    assert out[0].startswith(f"{REL}:12:11: $.marche.nature: valeur inconnue")


def test_unknown_format_is_usage_error(cli, case):
    repo, path, _ = case
    result = run(cli, repo, path, code=2, fmt="xml")
    assert "--format : valeur « xml » inconnue" in result.stderr and "text, json, github" in result.stderr


def test_unknown_path_is_usage_error(cli, case):
    repo, path, _ = case
    result = run(cli, repo, path.with_name("GRCS-2026-0000.yaml"), code=2)
    assert "chemin introuvable" in result.stderr


def test_unreadable_schema_is_environment_error(cli, case):
    repo, path, _ = case
    (repo / "schemas" / "demande.schema.json").write_text('{"type": "object", "properties": {', encoding="utf-8")
    result = run(cli, repo, path, code=3)
    assert "schéma illisible" in result.stderr and "demande.schema.json" in result.stderr
    assert "restaurer le fichier depuis git" in result.stderr
