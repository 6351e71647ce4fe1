"""`guichet structures import` : export CSV/XLSX d'un réseau → structures/ (colonnes en données, SIRET
contrôlé, fusion par SIRET, lignes fautives rapportées par numéro, import idempotent)."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from stdnum import luhn

from guichet_cli.core.workspace import open_workspace
from tests.conftest import copy_repo

HEADER = ["SIRET", "Raison sociale", "Type de structure", "Code commune", "Chiffre d'affaires", "Date du CA", "ETP",
          "Activité", "Codes CPV", "Type de prestation", "Périmètre", "Rayon (km)", "Zones", "Réseau"]
KINDS = ["Entreprise d'insertion", "ACI", "Association intermédiaire", "ETTI", "EA", "ESAT", "GEIQ", "EATT", "EITI"]
COMMUNES = ["75056", "77288", "78646", "91228", "92050", "93066", "94028", "95127"]
ACTIVITIES = [("Nettoyage", "90910000", "Prestation", "liste", "", "93;95"), ("Espaces verts", "77310000", "prestation", "rayon", "30", ""),
              ("Intérim d'insertion", "45000000", "Mise à disposition", "liste", "", "R11"),
              ("Blanchisserie", "98310000", "prestation", "national", "", ""), ("Mobilier", "39150000", "Fourniture", "liste", "", "75056;92")]
FAULTS = [
    (0, "12345678901234", "SIRET « 12345678901234 » invalide"),
    (2, "Entreprise bizarre", "Type de structure « Entreprise bizarre » non reconnu"),
    (3, "ABCDE", "code commune « ABCDE » invalide"),
    (8, "9091", "« 9091 » n'est pas un code CPV"),
    (11, "", "périmètre « rayon » sans rayon en km"),
]


def siret(i: int) -> str:
    siren = f"8{i:07d}"
    siren += luhn.calc_check_digit(siren)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def big_export(path: Path, n_lines: int = 5000, per_siret: int = 5) -> tuple[dict[int, str], set[str]]:
    """Export de `n_lines` lignes (une activité par ligne, `per_siret` lignes par SIRET) avec des lignes fautives."""
    bad: dict[int, str] = {}
    good: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADER)
        for k in range(n_lines):
            line = k + 2
            i = k // per_siret
            act = ACTIVITIES[k % per_siret]
            row = [siret(i), f"Structure fictive n° {i}", KINDS[i % len(KINDS)], COMMUNES[i % len(COMMUNES)], str(200_000 + 1000 * i),
                   "2025", str(10 + i % 40), act[0], act[1], act[2], act[3], act[4], act[5], "grafie" if i % 2 else ""]
            if k % 97 == 13:
                col, value, message = FAULTS[(k // 97) % len(FAULTS)]
                if col == 11:
                    row[10], row[11] = "rayon", ""
                else:
                    row[col] = value
                bad[line] = message
            else:
                good.add(siret(i))
            w.writerow(row)
    return bad, good


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(directory.glob("*.yaml")):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def _count(out: str, label: str) -> int:
    return int(re.search(rf"{label} : (\d+)", out).group(1))


def test_import_of_5000_lines_reports_bad_rows_imports_the_rest_and_is_idempotent(tmp_path, cli):
    repo = copy_repo(tmp_path / "depot")
    before = len(list((repo / "structures").glob("*.yaml")))
    export = tmp_path / "export-reseau.csv"
    bad, good = big_export(export)
    assert len(bad) > 40
    result = cli("structures", "import", str(export), repo=repo, code=1)
    out = result.output
    assert "5 000 lignes lues" in out
    reported = {int(m.group(1)): m.group(2) for m in re.finditer(r"export-reseau\.csv:(\d+): (.+)", out)}
    assert set(reported) == set(bad)  # chaque ligne fautive, avec son numéro, et rien d'autre
    for line, message in bad.items():
        assert message in reported[line], (line, reported[line])
    assert _count(out, "Structures ajoutées") == len(good) and _count(out, "Structures modifiées") == 0
    files = list((repo / "structures").glob("*.yaml"))
    assert len(files) == before + len(good)
    ws = open_workspace(repo)
    s = ws.store.structures.get(siret(7))
    assert s is not None and len(s.activites) == 5  # cinq lignes du même SIRET fusionnées
    assert s.turnover.valeur == 207_000 and s.turnover.date.isoformat() == "2025-12-31"
    assert {a.perimetre.type for a in s.activites} == {"liste", "rayon", "national"}
    assert s.reseaux == ("grafie",)
    digest = _digest(repo / "structures")
    again = cli("structures", "import", str(export), repo=repo, code=1).output
    assert _count(again, "Structures ajoutées") == 0 and _count(again, "Structures modifiées") == 0
    assert _count(again, "Structures laissées telles quelles") == len(good)
    assert _digest(repo / "structures") == digest  # un second import ne change rien
    assert cli("validate", str(repo / "structures"), repo=repo).exit_code == 0


def test_import_updates_only_what_the_export_carries(tmp_path, cli):
    repo = copy_repo(tmp_path / "depot")
    ws = open_workspace(repo)
    target = next(s for s in ws.store.structures if s.nom.startswith("Propreté Solidaire"))
    text = target.path.read_text(encoding="utf-8")
    target.path.write_text(text.replace("reseaux: [", "contacts: [contact-0007]\nreseaux: [", 1), encoding="utf-8")
    export = tmp_path / "maj.csv"
    export.write_text(
        "N° SIRET,Nom,Type,Commune (code INSEE),CA,Date des chiffres,Activité,CPV,Types de prestation,Périmètre d'intervention,Rayon,Zones\n"
        f"{target.siret},{target.nom},EI,{target.commune},1300000,2026-06-30,Nettoyage de locaux et de bureaux,90910000,prestation,liste,,93;95;75\n",
        encoding="utf-8")
    out = cli("structures", "import", str(export), repo=repo).output
    assert "Structures modifiées : 1" in out
    after = open_workspace(repo).store.structures.get(target.siret)
    assert after.turnover.valeur == 1_300_000 and after.turnover.source.startswith("import maj.csv")
    assert after.figures["etp"] == target.figures["etp"]  # chiffre absent de l'export : gardé
    assert after.contacts == ("contact-0007",) and after.fictif  # champs hors de l'export : gardés
    diff = after.path.read_text(encoding="utf-8")
    assert 'perimetre: {type: liste, departements: ["93", "95", "75"]}' in diff  # bloc inchangé, même forme
    assert "Structures laissées telles quelles : 1" in cli("structures", "import", str(export), repo=repo).output


def test_import_xlsx_with_the_platform_headers(tmp_path, cli):
    from openpyxl import Workbook

    repo = copy_repo(tmp_path / "depot")
    wb = Workbook()
    sh = wb.active
    sh.append(["siret", "name", "kind", "insee_code", "ca", "ca_last_updated", "activity", "cpv", "presta_type", "geo_range",
               "geo_range_custom_distance", "perimeters", "networks"])
    sh.append([siret(1), "Atelier fictif", "ESAT", "93066", 450000.0, "31/12/2025", "Conditionnement", "18930000", "fourniture", "country", None, None, "unea"])
    sh.append([siret(1), "Atelier fictif", "ESAT", "93066", None, None, "Blanchisserie", "98310000", "prestation", "distance", 25, None, "unea"])
    sh.append([siret(2), "Autre", "OPCS", "93066", None, None, "x", "98310000", "prestation", "country", None, None, None])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    out = cli("structures", "import", str(path), "--dry-run", repo=repo, code=1).output
    assert "Structures seraient ajoutées : 1" in out and "export.xlsx:4: kind « OPCS » non reconnu" in out
    assert not (repo / "structures" / f"{siret(1)}.yaml").exists()  # --dry-run : rien d'écrit
    cli("structures", "import", str(path), repo=repo, code=1)
    s = open_workspace(repo).store.structures.get(siret(1))
    assert s.type == "ESAT" and [a.perimetre.type for a in s.activites] == ["national", "rayon"] and s.reseaux == ("unea",)


def test_import_refuses_an_export_without_the_required_columns(tmp_path, cli):
    repo = copy_repo(tmp_path / "depot")
    export = tmp_path / "incomplet.csv"
    export.write_text("SIRET;Nom\n12345678901234;X\n", encoding="utf-8")
    out = cli("structures", "import", str(export), repo=repo, code=1).output
    assert "incomplet.csv:1: colonnes obligatoires introuvables" in out and "rules/import_structures.yaml" in out
    assert "Traceback" not in out


def test_import_rejects_an_unknown_network(tmp_path, cli):
    repo = copy_repo(tmp_path / "depot")
    export = tmp_path / "e.csv"
    export.write_text("SIRET;Nom;Type;Code commune;CPV;Type de prestation;Périmètre;Réseau\n"
                      f"{siret(3)};X;EI;93066;90910000;prestation;national;reseau-inconnu\n", encoding="utf-8")
    out = cli("structures", "import", str(export), repo=repo, code=1).output
    assert "e.csv:2:" in out and "réseau « reseau-inconnu » inconnu de partners/" in out
    assert cli("structures", "import", str(export), "--network", "nope", repo=repo, code=2).exit_code == 2
