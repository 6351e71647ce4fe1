"""Le chargeur rapide doit vraiment utiliser l'analyseur C (ruamel.yaml[oldlibyaml]) : sinon 4,5× plus lent, sans avertissement."""

from __future__ import annotations

from ruamel.yaml import YAML

from guichet_cli.core import yamlio


def test_safe_loader_uses_c_parser():
    assert yamlio.c_parser_active()
    assert yamlio._SAFE.Parser.__name__ == "CParser"
    # un YAML(typ='safe') neuf aussi : c'est l'installation qui est vérifiée, pas seulement notre module
    assert YAML(typ="safe").Parser.__name__ == "CParser"


def test_version_reports_c_parser(cli):
    result = cli("--version")
    assert "analyseur YAML C actif" in result.stdout


def _stock_loader() -> YAML:
    """Le chargeur sûr de ruamel tel quel, avec le seul réglage voulu : les dates restent des chaînes."""
    y = YAML(typ="safe", pure=False)
    ctor = type("StockCtor", (y.Constructor,), {})
    ctor.yaml_constructors = dict(y.Constructor.yaml_constructors)
    ctor.yaml_constructors["tag:yaml.org,2002:timestamp"] = ctor.yaml_constructors["tag:yaml.org,2002:str"]
    y.Constructor = ctor
    return y


def _outcome(y: YAML, text: str) -> tuple[str, object]:
    try:
        return "ok", y.load(text)
    except Exception as exc:  # noqa: BLE001 — on compare la sorte d'échec des deux chargeurs
        return "erreur", type(exc).__name__


def test_resolver_shortcut_gives_stock_ruamel_values_on_the_yaml_test_suite():
    """Notre résolveur (table des types implicites cherchée une fois par fichier) donne exactement les
    valeurs et les types du chargeur de ruamel sur les 402 entrées de la yaml-test-suite, plus les
    scalaires dont le type dépend de la version YAML."""
    from conftest import SHARED_REFERENCE

    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((SHARED_REFERENCE / "yaml-test-suite" / "in").glob("*.yaml"))]
    texts.append("%YAML 1.1\n---\na: yes\nb: 010\nc: 1_000\nd: 0o10\ne: .inf\nf: ~\ng: 1e3\nh: 0x1F\ni: 2026-02-30\nj: 1:20\n")
    ints = "a: 0\nb: -0\nc: 007\nd: +5\ne: 1_0\nf: -12\ng: 0b11\nh: 12345678901234567890\ni: 1.0\nj: -.5\nk: 0o7\nl: 0x_1\n"
    texts += [ints, "%YAML 1.1\n---\n" + ints, "- " + "\n- ".join(["oui", "true", "True", "null", "", "~", "1", "01", "x"] * 3) + "\n"]
    assert len(texts) > 400
    stock = _stock_loader()
    ours = yamlio._SAFE
    for text in texts:
        mine, theirs = _outcome(ours, text), _outcome(stock, text)
        assert repr(mine) == repr(theirs), text
