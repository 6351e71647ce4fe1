"""Génère le modèle docxtpl du bilan annuel : report_templates/bilan.docx.

    python tools/build_report_template.py

Le modèle peut ensuite être retouché dans Word (styles, logo, couleurs) en gardant les balises :
une balise de contrôle par paragraphe ({%p … %}), espaces dans les délimiteurs, pas de guillemets
typographiques. Variables disponibles : voir guichet_cli/core/report/docx_out.py (context()).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guichet_cli.core.render.docx import normalize_zip  # noqa: E402
from guichet_cli.core.render.layout import apply_layout  # noqa: E402
from guichet_cli.core.yamlio import atomic_write_bytes  # noqa: E402

BLUE = RGBColor(0x1F, 0x4E, 0x79)


def build() -> bytes:
    doc = Document()
    styles = doc.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        styles[name].font.color.rgb = BLUE

    # Page de titre
    for _ in range(6):
        doc.add_paragraph()
    # titre en deux lignes (le bilan, puis pour qui) : une seule ligne se coupait au milieu du nom
    p = doc.add_paragraph("{{ titre_principal }}", style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p if titre_complement %}")
    p = doc.add_paragraph("{{ titre_complement }}", style="Subtitle")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p endif %}")
    p = doc.add_paragraph("{{ sous_titre }}", style="Subtitle")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph("{{ guichet }}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p if publique %}")
    p = doc.add_paragraph(
        "Version publiable : aucune donnée personnelle ; effectifs inférieurs à {{ seuil }} masqués "
        "(secret statistique) ; textes limités à ceux que les titulaires ont autorisés."
    )
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p else %}")
    p = doc.add_paragraph("Version interne du guichet : elle contient des informations de suivi détaillées "
                          "et n'est pas destinée à être diffusée.")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    # sommaire : rempli au rendu (docx_out) pour les bilans de plusieurs pages
    doc.add_paragraph("{{ sommaire }}")

    doc.add_heading("Synthèse", level=1)
    doc.add_paragraph("{%p for phrase in resume %}")
    doc.add_paragraph("{{ phrase }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{{ tableau_synthese }}")

    doc.add_heading("Graphiques", level=1)
    # graphiques : les mêmes que le HTML et le XLSX (guichet_cli/core/report/chart_data.py)
    doc.add_paragraph("{%p for g in graphiques %}")
    doc.add_paragraph("{{ g.image }}")
    doc.add_paragraph("{{ g.legende }}", style="Caption")
    doc.add_paragraph("{%p if g.note %}")  # ce que le graphique omet ou masque (chart_data)
    p = doc.add_paragraph()
    run = p.add_run("{{ g.note }}")
    run.italic = True
    run.font.size = Pt(9)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")

    doc.add_heading("Indicateurs détaillés", level=1)
    doc.add_paragraph("{%p for s in sections %}")
    doc.add_heading("{{ s.titre }}", level=2)
    doc.add_paragraph("{{ s.tableau }}")
    doc.add_paragraph("{%p endfor %}")

    doc.add_heading("Partie qualitative", level=1)
    doc.add_paragraph("{%p for q in qualitatif %}")
    doc.add_heading("{{ q.titre }}", level=2)  # sous la partie (niveau 1) : pas de saut de niveau
    doc.add_paragraph("{%p for t in q.textes %}")
    p = doc.add_paragraph()
    p.add_run("{{ t.libelle }}\u00a0: ").bold = True
    p.add_run("{{ t.texte }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if not qualitatif %}")
    doc.add_paragraph("Aucun texte qualitatif pour cette année.")
    doc.add_paragraph("{%p endif %}")

    doc.add_heading("Données manquantes", level=1)
    doc.add_paragraph("{%p if manquantes %}")
    doc.add_paragraph("Ces marchés en exécution n'ont pas (ou pas entièrement) transmis leurs résultats : "
                      "les chiffres du bilan ne les comptent pas.")
    doc.add_paragraph("{{ tableau_manquantes }}")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("Aucune donnée manquante détectée.")
    doc.add_paragraph("{%p endif %}")

    doc.add_heading("Annexe : dossiers pris en compte", level=1)
    doc.add_paragraph("{{ provenance }}")
    doc.add_paragraph("{{ tableau_annexe }}")

    props = doc.core_properties
    import datetime as dt

    stamp = dt.datetime(2026, 1, 1)
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.author = props.last_modified_by = "guichet"
    props.title = "Modèle du bilan annuel des clauses sociales"
    apply_layout(doc, header="{{ guichet }}", footer="{{ titre }}")
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue())


def main() -> None:
    out = ROOT / "report_templates" / "bilan.docx"
    atomic_write_bytes(out, build())
    print(f"modèle écrit : {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
