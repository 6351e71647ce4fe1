"""Régénère le corpus tests/hostile/ (fichiers hostiles ou abîmés) et tests/hostile/attendus.json.

Chaque fichier du corpus a son message français attendu : tests/test_hostile.py place chaque
fichier de demande à la place d'un dossier d'exemple et lance validate, render, report ; chaque
plan d'achat passe par screen. Aucun ne doit donner d'« Erreur interne ».

    python tools/build_hostile_corpus.py
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from analysis_helpers import generate_plan_rows  # noqa: E402

H = ROOT / "tests" / "hostile"
SUITE = ROOT.parent / "shared" / "reference" / "yaml-test-suite" / "in"
L = "  objet: Nettoyage des locaux administratifs et des écoles"


def main() -> None:
    H.mkdir(exist_ok=True)
    o = (ROOT / "cases" / "2026" / "GRCS-2026-7F3K.yaml").read_text(encoding="utf-8")
    assert L in o
    exp: dict[str, dict[str, object]] = {}

    def case(name: str, text: str | bytes, msg: str, code: int = 1) -> None:
        (H / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        exp[name] = {"cible": "dossier", "code": code, "message": msg}

    def obj(value: str) -> str:
        return o.replace(L, f'  objet: "{value}"')

    case("controle-tabulation-verticale.yaml", obj("Nettoyage\\x0b des locaux"), "tabulation verticale (saut de ligne manuel de Word) U+000B interdit")
    case("controle-nul.yaml", obj("Nettoyage\\0 des locaux"), "caractère nul U+0000 interdit")
    case("controle-sonnerie.yaml", obj("Nettoyage\\a des locaux"), "caractère de sonnerie U+0007 interdit")
    case("controle-1f.yaml", obj("Nettoyage\\x1f des locaux"), "séparateur d'unité U+001F interdit")
    case("non-caractere-fffe.yaml", obj("Nettoyage \\uFFFE des locaux"), "caractère de contrôle U+FFFE interdit")
    case("demi-paire-utf16.yaml", obj("Nettoyage \\ud800 des locaux"), "séquence \\u invalide")
    case("injection-bcc-crlf.yaml", obj("Nettoyage\\r\\nBcc: pirate@exemple.invalid"), "retour chariot U+000D interdit")
    case("injection-bcc-lf.yaml", obj("Nettoyage\\nBcc: pirate@exemple.invalid"), "l'objet du marché doit tenir sur une ligne")
    case("cle-complexe-liste.yaml", o + "? [a, b]\n: c\n", "clé complexe (une liste ou un bloc utilisé comme nom de clé) interdite")
    case("cle-complexe-4fj6.yaml", (SUITE / "4FJ6.yaml").read_bytes(), "clé complexe (une liste ou un bloc utilisé comme nom de clé) interdite")
    case("bombe-alias.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n", "ancres et alias YAML (& et *) interdits")
    case("montant-nan.yaml", o.replace("montant_estime_ht: 1450000", "montant_estime_ht: .nan"), "valeur non finie")
    case("montant-lot-inf.yaml", o.replace("montant_estime_ht: 900000", "montant_estime_ht: .inf"), "trop grand")
    case("entier-5001-chiffres.yaml", o.replace("montant_estime_ht: 1450000", "montant_estime_ht: " + "9" * 5001), "nombre démesuré (des milliers de chiffres)")
    case("entier-30-chiffres.yaml", o.replace("montant_estime_ht: 1450000", "montant_estime_ht: " + "9" * 30), "nombre démesuré (plus de 18 chiffres)")
    case("imbrication-listes-10000.yaml", o + "notes: " + "[" * 10000 + "]" * 10000 + "\n", "imbrication trop profonde")
    case("imbrication-blocs-10000.yaml", o + "notes: " + "{a: " * 10000 + "1" + "}" * 10000 + "\n", "imbrication trop profonde")
    case("binaire.yaml", bytes(range(256)) * 4, "n'est pas encodé en UTF-8")
    case("utf16.yaml", o.encode("utf-16"), "n'est pas encodé en UTF-8")
    case("etiquette-python.yaml", "id: !!python/object/apply:os.system ['touch /tmp/guichet-pirate']\n", "non prise en charge")
    case("omap-j7pz.yaml", (SUITE / "J7PZ.yaml").read_bytes(), "clé inconnue")
    case("commentaire-p94k.yaml", (SUITE / "P94K.yaml").read_bytes(), "champ obligatoire")
    case("conflit-fusion.yaml", o.replace(L, "<<<<<<< HEAD\n" + L + "\n=======\n  objet: autre\n>>>>>>> branche"), "conflit de fusion non résolu")
    case("racine-liste.yaml", "- a\n- b\n", "pas une liste")
    case("vide.yaml", "# rien\n", "fichier vide")

    rows = [[c.replace("\u202f", "\xa0") for c in r] for r in generate_plan_rows(12)]

    def csvbytes(rs: list[list[str]], enc: str, delim: str = ";") -> bytes:
        buf = io.StringIO()
        csv.writer(buf, delimiter=delim, lineterminator="\r\n").writerows(rs)
        return buf.getvalue().encode(enc)

    def plan(name: str, data: bytes, msg: str, fmt: str = "table", code: int = 0) -> None:
        (H / name).write_bytes(data)
        exp[name] = {"cible": "plan", "format": fmt, "code": code, "message": msg}

    def edited(first_object: str) -> list[list[str]]:
        rs = [r[:] for r in rows]
        rs[1][0] = first_object
        return rs

    plan("plan-utf16.csv", csvbytes(rows, "utf-16"), "Lignes analysées : 12")
    plan("plan-utf16-sans-bom.csv", csvbytes(rows, "utf-16-le"), "Lignes analysées : 12")
    plan("plan-cp1252.csv", csvbytes(rows, "cp1252", ","), "Lignes analysées : 12")
    plan("plan-formule.csv", csvbytes(edited("=HYPERLINK(\"http://pirate.invalid\";\"clic\")"), "utf-8"), "'=HYPERLINK", fmt="csv")
    plan("plan-barre-verticale.csv", csvbytes(edited("Nettoyage | vitrerie"), "utf-8"), "Nettoyage \\| vitrerie", fmt="md")
    plan("plan-controle.csv", csvbytes(edited("Nettoyage\x0bvitrerie\x00"), "utf-8"), "Lignes analysées : 12")
    plan("plan-binaire.csv", bytes(range(256)) * 8, "CSV mal formé", code=1)
    (H / "attendus.json").write_text(json.dumps(exp, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(exp)} fichiers dans {H}")


if __name__ == "__main__":
    main()
