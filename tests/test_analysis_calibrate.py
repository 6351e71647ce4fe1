"""Calibrage : exemples chiffrés sourcés, et le calculateur `guichet calibrate`."""

from __future__ import annotations

import pytest

from guichet_cli.core.analysis import calibrate

# (montant, part de main-d'œuvre, taux, coût horaire, années, heures attendues, ETP attendus, source)
WORKED = [
    (1_000_000, 0.5, 0.05, 30, None, 833, 0.52,
     "domain.md §2.1 : exemple MEF Sud 77 (http://www.mefsud77.fr/?page_id=28), 1 000 000 € × 50 % × 5 % ÷ 30 = 833 h"),
    (1_000_000, 0.7, 0.05, 30, None, 1167, 0.73,
     "domain.md §2.2 : lot peinture à 70 % (mefsud77 / laser-emploi), même formule"),
    (1_000_000, 0.2, 0.05, 30, None, 333, 0.21,
     "domain.md §2.2 : charpente métallique à 20 % (mefsud77), même formule"),
    (1_500_000, 0.7, 0.10, 30, None, 3500, 2.19,
     "domain.md §2.3 : exemple facilitateur 1,5 M€ × 70 % × 10 % (mde-alescevennes), coût horaire 30 € (mefsud77)"),
    (1_450_000, 0.8, 0.05, 30, 4, 1933, 0.30,
     "examples.md / dossier GRCS-2026-7F3K : nettoyage à 30 €/h saisi, accord-cadre de 4 ans, 483 h par an (0,30 ETP par an), 1 933 h sur la durée"),
    (48_000, 1.0, 1.0, 30, None, 1600, 1.0,
     "domain.md §2.1 : 1 ETP = 1 600 h (AVE 2021 : 25 124 684 h = 15 703 ETP)"),
]


@pytest.mark.parametrize(("amount", "share", "rate", "cost", "years", "hours", "etp", "source"), WORKED, ids=[w[-1][:40] for w in WORKED])
def test_worked_examples(ws, amount, share, rate, cost, years, hours, etp, source):
    cal = calibrate.quick(ws, amount, None, labour_share=share, rate=rate, hourly_cost=cost, years=years)
    assert cal.hours == hours, source
    assert cal.etp == etp, source


def test_per_year_hours_for_framework_agreement(ws):
    # propreté : méthode PACT (20 €/h) → 362 500 × 80 % × 5 % ÷ 20 = 725 h par an
    cal = calibrate.quick(ws, 1_450_000, "90911200", years=4)
    assert cal.hours_per_year == 725 and cal.hours == 2900 and cal.etp == 0.45
    assert cal.amount == 362_500
    assert cal.share.value == 0.8 and "table sectorielle" in cal.share.origin


def test_cli_calibrate_phone_example(cli, repo):
    res = cli("calibrate", "--amount", "1000000", "--labour-share", "0.5", "--rate", "0.05", "--hourly-cost", "30", repo=repo)
    out = res.stdout
    assert "1 000 000 €" in out
    assert "833 h" in out and "0,52 ETP par an à 1 600 h" in out
    assert "Formule : 1 000 000 × 50 % × 5 % ÷ 30" in out
    assert "(saisie)" in out


def test_cli_calibrate_uses_sector_table_and_says_so(cli, repo):
    out = cli("calibrate", "--amount", "1000000", "--cpv", "45442100", repo=repo).stdout
    assert "70 %" in out  # second œuvre / peinture
    assert "table sectorielle" in out and "(défaut" in out


@pytest.mark.parametrize("args", [["--rate", "5"], ["--labour-share", "1.5"], ["--hourly-cost", "0"], ["--years", "0"]])
def test_cli_calibrate_rejects_bad_values(cli, repo, args):
    res = cli("calibrate", "--amount", "1000000", "--cpv", "45000000", *args, repo=repo, code=2)
    assert "Erreur :" in res.stderr and "Traceback" not in res.stderr


def test_cli_calibrate_needs_sector_or_share(cli, repo):
    res = cli("calibrate", "--amount", "1000000", repo=repo, code=2)
    assert "--cpv" in res.stderr


def test_cli_calibrate_accepts_french_numbers_and_percentages(cli, repo):
    """Au téléphone, on dicte « 1 450 000 € » et « 5 % » : même résultat que 1450000 et 0.05."""
    out = cli("calibrate", "--amount", "1 450 000 €", "--cpv", "90911200", "--years", "4", "--rate", "5 %",
              "--hourly-cost", "30,00", repo=repo).stdout
    assert "1 933 h" in out and "362 500 €" in out
    out = cli("calibrate", "--amount", "1,2 M€", "--labour-share", "50 %", "--cpv", "45000000", repo=repo).stdout
    assert "Formule : 1 200 000 × 50 % × 5 % ÷ 30" in out
    res = cli("calibrate", "--amount", "beaucoup", "--cpv", "45000000", repo=repo, code=2)
    assert "--amount : nombre illisible « beaucoup »" in res.stderr and "Traceback" not in res.stderr
