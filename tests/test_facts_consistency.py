"""Un fait, un seul calcul : secteur d'un CPV, montants, dates, seuils et listes partagées.

Chaque fait est lu par plusieurs commandes (analyse, criblage, bilan, new, calibrate, status) : ces
tests vérifient qu'elles donnent la même réponse, en passant par la vraie CLI quand c'est possible,
et testent les lectures communes de guichet_cli/core/facts/ (y compris leurs refus).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from analysis_helpers import BUYER_93, as_model, make_case, write_plan_csv
from conftest import PROJECT

from guichet_cli.core import frformat as fr
from guichet_cli.core import yamlio
from guichet_cli.core.analysis import recommend
from guichet_cli.core.analysis import screen as screen_mod
from guichet_cli.core.analysis.plan import PlanLine
from guichet_cli.core.facts import amounts, dates, labels, sectors, thresholds
from guichet_cli.core.report.settings import load_settings
from guichet_cli.core.workspace import open_workspace

TODAY = dt.date(2026, 11, 28)
PLAN_HEADER = ["Objet", "Code CPV", "Montant HT", "Durée (mois)", "Département", "Date de lancement"]


def _secteurs() -> dict:
    return yamlio.load_mapping_fast(PROJECT / "rules" / "secteurs.yaml")


def _all_prefixes() -> list[tuple[str, str]]:
    """(préfixe, clé du secteur) pour chaque clé et chaque autres_prefixes de rules/secteurs.yaml."""
    out = []
    for key, entry in _secteurs()["secteurs"].items():
        for prefix in [key, *(entry.get("autres_prefixes") or [])]:
            if str(prefix).isdigit():
                out.append((str(prefix), str(key)))
    return out


def _csv_rows(text: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    header = next(reader)
    return [dict(zip(header, row, strict=False)) for row in reader]


# --- secteur d'un code CPV ---------------------------------------------------------------------------


def test_every_prefix_gives_the_same_sector_in_analysis_report_and_screen(cli, repo, tmp_path):
    ws = open_workspace(repo)
    table = _secteurs()["secteurs"]
    settings = load_settings(ws)
    codes = {prefix.ljust(8, "0"): key for prefix, key in _all_prefixes()}
    assert len(codes) >= 40 and "80000000" in codes and "45330000" in codes

    # guichet screen (vraie CLI) : une ligne de plan par préfixe
    rows = [PLAN_HEADER] + [[f"Achat {code}", code, "500 000", "24", "93", "2027-03-01"] for code in codes]
    out = cli("screen", str(write_plan_csv(tmp_path / "plan.csv", rows)), "--format", "csv", repo=repo).stdout
    screened = {r["CPV"]: r["Secteur"] for r in _csv_rows(out)}
    assert set(screened) == set(codes)

    for code, key in codes.items():
        expected = table[key]["libelle"]
        nature = sectors.nature_from_cpv(code)
        # guichet analyse : même fonction que le calibrage et la recommandation
        an = recommend.analyse_case(ws, as_model(make_case(cpv=[code], nature=nature)), today=TODAY)
        assert an.units[0].unit.sector_label == expected, ("analyse", code)
        assert an.units[0].unit.sector_key == key, ("analyse", code)
        assert settings.sector_label(code, nature) == expected, ("bilan", code)
        assert screened[code] == expected, ("criblage", code)


@pytest.mark.parametrize(("cpv", "nature", "label"), [
    # désaccords corrigés : autres_prefixes ignorés par l'ancien bilan
    ("80000000", "services", "services sanitaires et sociaux"),
    ("45330000", "travaux", "lots techniques (électricité)"),
    ("48000000-8", "fournitures", "services informatiques et logiciels"),
    # sans préfixe connu : secteur par défaut de la nature (l'ancien bilan disait « CPV 79 »)
    ("79100000", "services", "autres services"),
    ("45000000-7", "travaux", "travaux de construction (opération de bâtiment, tous lots)"),
])
def test_known_disagreements_are_fixed(ws, cpv, nature, label):
    settings = load_settings(ws)
    assert sectors.sector_for(ws, cpv, nature).label == label
    assert settings.sector_label(cpv, nature) == label  # celui qu'utilise report/facts.py
    assert recommend.analyse_case(ws, as_model(make_case(cpv=[cpv], nature=nature)), today=TODAY).units[0].unit.sector_label == label


def test_regional_report_uses_the_analysis_sectors(cli, repo):
    """Bilan régional des exemples (vraie CLI) : plus de secteur « CPV 80 » ni « CPV 48 »."""
    out = cli("report", "--year", "2026", "--region", "--format", "table", "--detail", repo=repo).stdout
    assert not re.search(r"^CPV \d\d ", out, flags=re.M), out
    assert "services sanitaires et sociaux" in out and "services informatiques et logiciels" in out


def test_sector_without_nature_uses_the_cpv_division(ws):
    assert sectors.sector_for(ws, "30192000").key == "03"  # fournitures (division 30)
    assert sectors.sector_for(ws, "73000000").key == "defaut_services"  # 71 : ingénierie (secteur ajouté)
    assert sectors.sector_for(ws, "45999999").key == "45"
    assert sectors.nature_from_cpv("45000000-7") == "travaux" and sectors.nature_from_cpv("09135100") == "fournitures"


@pytest.mark.parametrize("value", ["45000000", "45000000-7", " 90911200 "])
def test_cpv_codes_accepted(value):
    assert sectors.parse_cpv(value) == value.strip()


@pytest.mark.parametrize("value", ["abc", "4500000", "450000000", "45000000-", "45000000-77", "45 000 000", ""])
def test_cpv_codes_refused_in_french(value):
    with pytest.raises(sectors.CpvError) as exc:
        sectors.parse_cpv(value)
    assert "n'est pas un code CPV" in exc.value.message and "8 chiffres" in exc.value.message


def test_calibrate_refuses_a_bad_cpv(cli, repo):
    res = cli("calibrate", "--amount", "1000000", "--cpv", "abc", repo=repo, code=2)
    assert "--cpv : « abc » n'est pas un code CPV : 8 chiffres" in res.stderr and "Traceback" not in res.stderr
    # même avec une part de main-d'œuvre saisie (le CPV n'est pas utilisé, mais il est faux)
    cli("calibrate", "--amount", "1000000", "--cpv", "4500", "--labour-share", "0.5", repo=repo, code=2)
    out = cli("calibrate", "--amount", "1000000", "--cpv", "45330000-9", repo=repo).stdout
    assert "lots techniques (électricité)" in out


def test_cpv_pattern_is_the_schema_one():
    defs = json.loads((PROJECT / "schemas" / "defs.schema.json").read_text(encoding="utf-8"))["$defs"]
    assert defs["cpv"]["pattern"] == sectors.CPV_PATTERN


# --- montants --------------------------------------------------------------------------------------

ACCEPTED = [
    ("1450000", 1_450_000), ("1 450 000 €", 1_450_000), ("1\u202f450\u202f000 €", 1_450_000), ("1\u00a0450\u00a0000", 1_450_000),
    ("1 450 000,50", 1_450_000.5), ("1450000.50", 1_450_000.5), ("1 450 000 € HT", 1_450_000), ("1450000 euros H.T.", 1_450_000),
    ("1,2 M€", 1_200_000), ("1.2M", 1_200_000), ("800 k€", 800_000), ("1.450.000", 1_450_000), ("1,450,000.50", 1_450_000.5),
    ("1.450.000,50", 1_450_000.5), ("2000000,50", 2_000_000.5), ("1,2E+06", 1_200_000), ("95.000", 95_000),
]
REFUSED = ["nan", "inf", "-5", "", "1,2,3", "1.2.3", "abc", "1000 € TTC", "12 34"]


@pytest.mark.parametrize(("text", "value"), ACCEPTED)
def test_amount_formats(text, value):
    assert amounts.parse_amount(text) == value


@pytest.mark.parametrize(("text", "reason"), [
    ("nan", "n'est pas un nombre"), ("inf", "n'est pas un nombre"), ("-5", "négatif"), ("", "montant vide"),
    ("1,2,3", "chiffres mal groupés"), ("1.2.3", "chiffres mal groupés"), ("abc", "n'est pas un montant"),
    ("1000 € TTC", "hors taxes"), ("   ", "montant vide"),
])
def test_amount_refusals_say_why(text, reason):
    with pytest.raises(amounts.AmountError) as exc:
        amounts.parse_amount(text)
    assert reason in exc.value.message
    assert isinstance(exc.value, ValueError)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1, True, None])
def test_amount_numbers_from_a_spreadsheet(value):
    with pytest.raises(amounts.AmountError):
        amounts.parse_amount(value)


def test_amount_numbers_and_plain():
    assert amounts.parse_amount(1_234_567) == 1_234_567 and amounts.parse_amount(12.5) == 12.5
    assert amounts.plain(1_200_000.0) == 1_200_000 and isinstance(amounts.plain(1_200_000.0), int)
    assert amounts.parse_amount("1,200") == 1.2  # virgule seule : décimale, à la française
    assert amounts.parse_amount("0.050") == 0.05  # un taux, pas 50


def test_new_calibrate_and_screen_read_amounts_alike(cli, repo, tmp_path):
    """Mêmes formats acceptés, mêmes refus, même nombre, pour guichet new, calibrate et screen."""
    base = ["new", "--buyer", BUYER_93, "--requester", "contact-0007", "--object", "Nettoyage des écoles", "--nature", "services",
            "--cpv", "90911200", "--duration", "48", "--form", "marche_ordinaire", "--department", "93", "--received", "2026-11-20"]
    rows = [PLAN_HEADER] + [[f"Ligne {i}", "90911200", text, "24", "93", "2027-03-01"] for i, (text, _) in enumerate(ACCEPTED + [(t, None) for t in REFUSED])]
    out = cli("screen", str(write_plan_csv(tmp_path / "plan.csv", rows)), "--format", "csv", repo=repo)
    screened = {r["Objet"]: r["Montant HT"] for r in _csv_rows(out.stdout) if not r["Ligne"].startswith("LIGNE")}
    for i, (text, value) in enumerate(ACCEPTED + [(t, None) for t in REFUSED]):
        created = cli(*base, "--amount", text, repo=repo, code=None)
        calib = cli("calibrate", "--amount", text, "--labour-share", "0.5", repo=repo, code=None)
        if value is None:
            assert created.exit_code == 2 and "--amount" in created.stderr, (text, created.stderr)
            assert calib.exit_code == 2 and "--amount" in calib.stderr, (text, calib.stderr)
            assert f"Ligne {i}" not in screened, text
            assert re.search(rf"ligne {i + 2} : montant (illisible|manquant)", out.stderr), (text, out.stderr)
            continue
        assert created.exit_code == 0, (text, created.stderr)
        path = repo / re.search(r"Demande créée : (cases/\S+\.yaml)", created.stdout).group(1)
        assert yamlio.load_mapping_fast(path)["marche"]["montant_estime_ht"] == value, text
        path.unlink()
        assert calib.exit_code == 0 and f"Montant HT retenu     {fr.eur(value)}" in calib.stdout, (text, calib.stdout)
        assert float(screened[f"Ligne {i}"].replace(",", ".")) == value, text  # CSV à virgule décimale


# --- dates -----------------------------------------------------------------------------------------


def test_iso_dates():
    assert dates.parse_iso("2026-03-02") == dt.date(2026, 3, 2)
    assert dates.parse_iso(" 2026-03-02 ") == dt.date(2026, 3, 2)
    assert dates.parse_iso(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)


@pytest.mark.parametrize(("text", "message"), [
    ("2026-02-30", "« 2026-02-30 » : le 30 février 2026 n'existe pas"),
    ("2026-13-01", "« 2026-13-01 » : le mois 13 n'existe pas"),
    ("02/03/2026", "« 02/03/2026 » n'est pas une date au format AAAA-MM-JJ"),
    ("20260302", "« 20260302 » n'est pas une date au format AAAA-MM-JJ"),  # accepté par fromisoformat en 3.11
    ("hier", "« hier » n'est pas une date au format AAAA-MM-JJ"),
])
def test_iso_date_refusals(text, message):
    with pytest.raises(dates.DateError) as exc:
        dates.parse_iso(text)
    assert exc.value.message == message


def test_stored_dates():
    assert dates.read("2026-03-02T10:00:00+01:00") == dt.date(2026, 3, 2)
    assert dates.read(dt.datetime(2026, 3, 2, 10)) == dt.date(2026, 3, 2)
    assert dates.read(None) is None and dates.read("") is None and dates.read("2026-02-30") is None and dates.read("bientôt") is None


@pytest.mark.parametrize(("raw", "day", "approx"), [
    ("2027-03-01", dt.date(2027, 3, 1), False), ("21/08/2026", dt.date(2026, 8, 21), False), ("08/2026", dt.date(2026, 8, 31), True),
    ("mars 2027", dt.date(2027, 3, 31), True), ("1er septembre 2026", dt.date(2026, 9, 1), False), ("T3 2026", dt.date(2026, 9, 30), True),
    ("2e semestre 2027", dt.date(2027, 12, 31), True), (46280, dt.date(2026, 9, 15), False),
])
def test_spreadsheet_dates(raw, day, approx):
    assert dates.parse_sheet(raw) == (day, approx)


@pytest.mark.parametrize(("raw", "detail"), [
    ("31/02/2027", "le 31 février 2027 n'existe pas"), ("13/2027", "le mois 13 n'existe pas"),
    ("2026-02-30", "le 30 février 2026 n'existe pas"), ("30 février 2027", "le 30 février 2027 n'existe pas"),
    ("un jour", None), (12, None),
])
def test_spreadsheet_date_refusals(raw, detail):
    with pytest.raises(dates.DateError) as exc:
        dates.parse_sheet(raw)
    assert exc.value.detail == detail
    assert "n'existe pas" in exc.value.message if detail else "date" in exc.value.message


def test_date_options_share_the_french_reason(cli, repo):
    from guichet_cli.core.errors import UsageError
    from guichet_cli.core.status import parse_date as status_date

    res = cli("new", "--buyer", BUYER_93, "--requester", "contact-0007", "--object", "Nettoyage", "--nature", "services",
              "--cpv", "90911200", "--amount", "100000", "--duration", "12", "--form", "marche_ordinaire", "--department", "93",
              "--received", "2026-02-30", repo=repo, code=2)
    assert "--received : « 2026-02-30 » : le 30 février 2026 n'existe pas" in res.stderr
    with pytest.raises(UsageError) as exc:
        status_date("2026-02-30", "--date")
    assert "--date" in exc.value.message and "le 30 février 2026 n'existe pas" in exc.value.message
    with pytest.raises(UsageError):
        status_date("20261128", "--date")  # refusé comme par guichet new
    assert status_date("2026-11-28") == dt.date(2026, 11, 28)


# --- seuils européens --------------------------------------------------------------------------------

BUYER_TYPES = ["etat", "pouvoir_adjudicateur", "entite_adjudicatrice", "defense_securite", "prive"]
LAUNCHES = ["2023-05-01", "2024-06-01", "2025-12-31", "2026-01-01", "2026-08-21", "2026-08-22", "2027-12-31", "2028-03-01"]


def test_thresholds_agree_between_analysis_report_and_screen(ws):

    registry = ws.store.registry
    check = thresholds.make_checker(ws, registry)
    grid = [(n, f, b, d) for n in ("travaux", "services", "fournitures") for f in ("marche_ordinaire", "concession")
            for b in BUYER_TYPES for d in LAUNCHES]
    lines = []
    for i, (nature, form, _btype, launch) in enumerate(grid):
        values = {"objet": "Marché", "nature": nature, "cpv": ["45000000" if nature == "travaux" else "90911200"],
                  "montant_estime_ht": 5_450_000.0, "duree_mois": 24, "forme": form, "departements": ["93"], "lancement_prevu": launch}
        lines.append(PlanLine(i + 2, values))
    screened = {}
    for line in lines:  # un type d'acheteur par ligne : --buyer-type du criblage
        btype = grid[line.row - 2][2]
        screened[line.row] = screen_mod.screen_lines(ws, [line], buyer_type=btype, today=TODAY, registry=registry)[0].row
    for i, (nature, form, btype, launch) in enumerate(grid):
        case = make_case(nature=nature, forme=form, type_acheteur=btype, lancement_prevu=launch, montant_estime_ht=5_450_000,
                         cpv=lines[i].values["cpv"], duree_mois=24)
        an = recommend.analyse_case(ws, as_model(case), today=TODAY, registry=registry)
        limit, value, subject, label = check(as_model(case).marche, BUYER_93, dt.date.fromisoformat(launch), None)
        assert an.threshold.threshold == limit == screened[i + 2]["seuil"], (nature, form, btype, launch)
        # le type de seuil porte le même nom partout (facts/thresholds.threshold_label)
        assert an.threshold.label == screened[i + 2]["type_seuil"], (nature, form, btype, launch)
        assert label == (an.threshold.label if limit is not None else None)
        if limit is not None:
            assert an.threshold.label in an.threshold.text() and fr.eur(limit) + " HT" in an.threshold.label
        assert an.threshold.value == value == screened[i + 2]["montant"]
        assert subject == an.obligation.applies == (screened[i + 2]["obligation"] == "oui"), (nature, form, btype, launch)
    # quelques valeurs de rules/seuils.yaml, pour que la grille ne soit pas vide de sens
    by = {(n, f, b, d): screened[i + 2]["seuil"] for i, (n, f, b, d) in enumerate(grid)}
    assert by[("travaux", "marche_ordinaire", "pouvoir_adjudicateur", "2026-08-22")] == 5_404_000
    assert by[("services", "concession", "etat", "2026-08-22")] == 5_404_000
    assert by[("services", "marche_ordinaire", "pouvoir_adjudicateur", "2025-12-31")] == 221_000
    assert by[("fournitures", "marche_ordinaire", "entite_adjudicatrice", "2028-03-01")] == 432_000
    assert by[("services", "marche_ordinaire", "prive", "2026-08-22")] is None
    kinds = {(n, f, b, d): screened[i + 2]["type_seuil"] for i, (n, f, b, d) in enumerate(grid)}
    assert kinds[("travaux", "marche_ordinaire", "pouvoir_adjudicateur", "2026-08-22")] == "seuil européen des travaux (5 404 000 € HT)"
    assert kinds[("services", "marche_ordinaire", "pouvoir_adjudicateur", "2025-12-31")] == "seuil européen des fournitures et services (221 000 € HT)"
    assert kinds[("services", "marche_ordinaire", "prive", "2026-08-22")].startswith("aucun seuil européen")


def test_screen_refuses_an_unknown_buyer_type(cli, repo, tmp_path):
    rows = [PLAN_HEADER, ["Nettoyage", "90911200", "300 000", "12", "93", "2027-03-01"]]
    res = cli("screen", str(write_plan_csv(tmp_path / "plan.csv", rows)), "--buyer-type", "mairie", repo=repo, code=2)
    assert "--buyer-type : type d'acheteur « mairie » inconnu" in res.stderr and "pouvoir_adjudicateur" in res.stderr


def test_report_checker_without_thresholds_file(ws):
    check = thresholds.make_checker(ws, None, available=False)
    case = make_case(montant_estime_ht=300_000)
    assert check(as_model(case).marche, BUYER_93, dt.date(2026, 9, 1), None) == (None, 300_000.0, False, None)


# --- listes partagées (schemas/defs.schema.json) ---------------------------------------------------------


def _walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, i))


def test_no_schema_copies_a_shared_list():
    names = labels.load(PROJECT / "schemas")
    shared = {name: names.choices(name) for name in labels.LISTS}
    refs = 0
    for path in sorted((PROJECT / "schemas").rglob("*.schema.json")):
        if path.name == labels.DEFS_FILE:
            continue
        for where, node in _walk(json.loads(path.read_text(encoding="utf-8"))):
            enum = node.get("enum")
            if isinstance(enum, list):
                for name, codes in shared.items():
                    assert not set(codes) <= set(enum) or len(enum) < 3, f"{path.name} {'/'.join(map(str, where))} recopie la liste {name}"
            ref = node.get("$ref")
            if isinstance(ref, str) and "defs.schema.json" in ref:
                refs += 1
                prefix = "../" if path.parent.name == "rules" else ""
                assert ref.startswith(prefix + "defs.schema.json#/$defs/"), (path.name, ref)
    assert refs >= 30


def test_every_code_has_a_french_label_and_rules_do_not_repeat_them():
    names = labels.load(PROJECT / "schemas")
    for name in labels.LISTS:
        table = names.table(name)
        assert table and all(label.strip() for label in table.values()), name
    assert names.disposition("reserve_siae") == "marché réservé aux structures d'insertion par l'activité économique (SIAE)"
    assert names.statut("decision_rendue") == "décision rendue" and names.nature("travaux") == "marché de travaux"
    assert names.procedure("appel_offres_ouvert") == "appel d’offres ouvert" and names.departement("93") == "Seine-Saint-Denis"
    assert names.label("procedure", None, "") == "" and names.forme("inconnue") == "inconnue"
    rules = {n: yamlio.load_mapping_fast(PROJECT / "rules" / f"{n}.yaml") for n in ("dispositions", "cycle_de_vie", "bilan", "seuils")}
    assert list(rules["dispositions"]["dispositions"]) == names.choices("disposition")
    assert not any("libelle" in d for d in rules["dispositions"]["dispositions"].values())
    assert set(rules["cycle_de_vie"]["statuts"]) == set(names.choices("statut"))
    assert not any("libelle" in s for s in rules["cycle_de_vie"]["statuts"].values())
    assert "statuts" not in rules["bilan"] and "libelles_acheteurs" not in rules["seuils"]


def test_status_labels_are_the_same_for_status_messages_and_the_report(ws):

    settings = load_settings(ws)
    lc = ws.store.lifecycle
    for code in labels.of(ws).choices("statut"):
        assert lc.label(code) == settings.label("statuts", code) == labels.of(ws).statut(code)


def test_schema_refs_resolve_offline_and_messages_stay_french(ws):
    from guichet_cli.core.schemas import validator_for
    from guichet_cli.core.validation import messages

    validator = validator_for((PROJECT / "schemas" / "demande.schema.json").resolve())
    case = make_case(nature="travail", forme="concesion", procedure="zzz")
    case["marche"]["lieux_execution"] = [{"departement": "13"}]
    case["statut"] = "perdue"
    found = {".".join(map(str, p)): (msg, hint) for p, msg, hint, _ in map(messages.translate, validator.iter_errors(case))}
    assert found["marche.nature"] == ("valeur inconnue « travail »", "vouliez-vous dire « travaux » ?")
    assert found["marche.forme"] == ("valeur inconnue « concesion »", "vouliez-vous dire « concession » ?")
    assert found["marche.procedure"][1].startswith("valeurs possibles : procedure_adaptee, appel_offres_ouvert")
    assert found["marche.lieux_execution.0.departement"][1] == "valeurs possibles : 75, 77, 78, 91, 92, 93, 94, 95"
    assert found["statut"][1] == "valeurs possibles : recue, en_analyse, recommandation_transmise, decision_rendue, " \
        "marche_notifie, en_execution, cloturee, abandonnee"


def test_rules_schema_refs_and_the_excluded_code(cli, repo):
    path = repo / "rules" / "redaction.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("modeles:\n", "modeles:\n  aucune:\n    fichier: rien.docx\n", 1), encoding="utf-8")
    res = cli("validate", str(path), repo=repo, code=1)
    assert "« aucune » n'est pas admis ici" in res.stdout + res.stderr


def _peer() -> str | None:
    # à côté du Python qui lance les tests (.venv, ou .ci-venv de l'intégration continue)
    local = Path(sys.executable).parent / "check-jsonschema"
    return str(local) if local.is_file() else shutil.which("check-jsonschema")


@pytest.mark.skipif(_peer() is None, reason="check-jsonschema absent (extra de test)")
def test_check_jsonschema_peer_works_offline_with_base_uri():
    """Le pair de bench/bench_validate.py : les « $ref » relatifs se résolvent hors ligne avec --base-uri
    (sans lui, check-jsonschema les cherche à l'adresse du $id, sur le réseau)."""
    schema = PROJECT / "schemas" / "demande.schema.json"
    files = sorted(str(p) for p in (PROJECT / "cases").rglob("*.yaml"))
    proc = subprocess.run([str(_peer()), "--base-uri", schema.resolve().as_uri(), "--schemafile", str(schema), *files],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
