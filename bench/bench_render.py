"""Banc d'essai de la rédaction en lot : 200 pièces DOCX, comparées à un rendu docxtpl nu.

Usage : python bench/bench_render.py [--drafts 200] [--keep DOSSIER]

Génère un dépôt temporaire de N/2 dossiers (copies de GRCS-2026-7F3K : une clause d'insertion et
une lettre d'accompagnement chacun, donc N pièces), puis mesure :
- guichet : Renderer.render_case + write_drafts (validation du dossier, contexte, environnement
  Jinja en bac à sable, archive reproductible, écriture atomique) ;
- guichet sans validation : la même chose à partir du dossier déjà validé (contexte + rendu) ;
- docxtpl nu : DocxTemplate(modèle).render(contexte, autoescape=True) + save(), mêmes modèles et
  mêmes contextes (construits hors chronomètre), environnement Jinja par défaut.
Affiche les durées et le surcoût en rapport. Aucune durée n'est vérifiée par un test : ce script se
relance à la main pour comparer deux versions sur une même machine.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SOURCE = "GRCS-2026-7F3K"


def build_repo(dest: Path, n_cases: int) -> list[Path]:
    shutil.copy(PROJECT / "guichet.yaml", dest / "guichet.yaml")
    for d in ("schemas", "rules", "partners", "donneurs", "contacts", "clause_templates"):
        shutil.copytree(PROJECT / d, dest / d)
    text = (PROJECT / "cases" / "2026" / f"{SOURCE}.yaml").read_text(encoding="utf-8")
    (dest / "cases" / "2026").mkdir(parents=True)
    paths = []
    for chars in itertools.islice(itertools.product(ALPHABET, repeat=4), n_cases):
        cid = "GRCS-2026-" + "".join(chars)
        path = dest / "cases" / "2026" / f"{cid}.yaml"
        path.write_text(text.replace(SOURCE, cid), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=200, help="nombre de pièces (2 par dossier)")
    parser.add_argument("--keep", type=Path, help="garder le dépôt généré dans ce dossier")
    args = parser.parse_args()

    import jinja2
    from docxtpl import DocxTemplate

    from guichet_cli.core.render.context import build_context, reference_datetime
    from guichet_cli.core.render.docx import make_environment, render_docx
    from guichet_cli.core.render.drafts import LETTER, Renderer, write_drafts
    from guichet_cli.core.workspace import open_workspace

    base = args.keep or Path(tempfile.mkdtemp(prefix="guichet-bench-render-"))
    base.mkdir(parents=True, exist_ok=True)
    paths = build_repo(base, max(1, args.drafts // 2))
    ws = open_workspace(base)
    out = base / "redactions"

    renderer = Renderer(ws)
    renderer.render_case(paths[0])  # échauffement : imports, schémas, registres
    t0 = time.perf_counter()
    n = 0
    for path in paths:
        n += len(write_drafts(renderer.render_case(path), out))
    full = time.perf_counter() - t0

    # contextes et modèles préparés hors chronomètre, pour les deux rendus sans validation
    jobs = []
    for path in paths:
        case = ws.store.case(path)
        plan = renderer.plan(path, case)
        for draft in plan.drafts:
            code = None if draft.disposition == LETTER else draft.disposition
            ctx = build_context(case, renderer.registry, renderer.dispositions, renderer.redaction, ws.config, code)
            jobs.append((draft.template, ctx, case, out / ("nu_" + draft.filename)))

    env = make_environment()
    t0 = time.perf_counter()
    for template, ctx, case, _target in jobs:
        render_docx(template, ctx, env, stamp=reference_datetime(case), title="t", author="a")
    ours_render = time.perf_counter() - t0

    # docxtpl « nu » : environnement Jinja ordinaire (ni bac à sable ni variables strictes), mêmes filtres
    bare_env = jinja2.Environment(autoescape=True)
    bare_env.filters.update(env.filters)
    t0 = time.perf_counter()
    for template, ctx, _case, target in jobs:
        tpl = DocxTemplate(str(template))
        tpl.render(ctx, jinja_env=bare_env, autoescape=True)
        tpl.save(str(target))
    bare = time.perf_counter() - t0

    print(f"pièces rédigées                       : {n} ({len(paths)} dossiers)")
    print(f"guichet (validation + rendu + écriture) : {full:6.2f} s  ({1000 * full / n:5.1f} ms/pièce)")
    print(f"guichet, rendu seul (en mémoire)        : {ours_render:6.2f} s  ({1000 * ours_render / len(jobs):5.1f} ms/pièce)")
    print(f"docxtpl nu (rendu + save)               : {bare:6.2f} s  ({1000 * bare / len(jobs):5.1f} ms/pièce)")
    print(f"surcoût total / docxtpl nu              : × {full / bare:.2f}")
    print(f"surcoût du rendu seul / docxtpl nu      : × {ours_render / bare:.2f}")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
