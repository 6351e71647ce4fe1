"""Construit les modèles DOCX de clause_templates/ à partir des textes du guichet (python-docx).

    python tools/build_clause_templates.py [DOSSIER]      (par défaut : clause_templates/)

Les textes ci-dessous sont la rédaction du guichet, écrite à partir des bases légales de la
synthèse juridique (docs/domaine) ; ils ne citent que des articles qui y figurent. Les DOCX
produits sont ensuite retouchés dans Word par les rédacteurs : ce script sert à les recréer
à l'identique (mêmes octets à chaque exécution), pas à écraser leurs retouches sans revue.
Balises : voir docs/modeles.md (espaces dans les délimiteurs, {%p %} / {%tr %} seuls sur leur
paragraphe ou leur rangée, guillemets droits dans les balises).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guichet_cli.core.render.docx import normalize_zip  # noqa: E402
from guichet_cli.core.render.layout import apply_layout  # noqa: E402
from guichet_cli.core.yamlio import atomic_write_bytes  # noqa: E402

NBSP, NNBSP = "\u00a0", "\u202f"
STAMP = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)


def typo(text: str) -> str:
    """Typographie française hors balises : apostrophe courbe, espaces insécables avant « : ; ? ! »."""
    parts = _TAG.split(text)
    for i in range(0, len(parts), 2):
        s = parts[i].replace("'", "’")
        s = s.replace(" :", NBSP + ":").replace(" ;", NNBSP + ";").replace(" ?", NNBSP + "?").replace(" !", NNBSP + "!")
        s = s.replace("« ", "«" + NBSP).replace(" »", NBSP + "»").replace("n° ", "n°" + NBSP)
        parts[i] = s
    return "".join(parts)


class Builder:
    def __init__(self, title: str) -> None:
        self.doc: Document = docx.Document()
        self.footer = typo(title) + " – dossier {{ dossier.id }}"
        normal = self.doc.styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(10.5)
        props = self.doc.core_properties
        props.title = title
        props.author = "Guichet Régional des Clauses Sociales d'Île-de-France"
        props.last_modified_by = props.author
        props.created = props.modified = props.last_printed = STAMP
        props.revision = 1
        props.language = "fr-FR"
        props.comments = "Modèle de rédaction guichet (docxtpl) : voir docs/modeles.md"

    def comment(self, disposition: str, variables: str) -> None:
        # {#p … #} : commentaire Jinja qui retire aussi son paragraphe du document rendu
        self.doc.add_paragraph(f"{{#p Modèle guichet pour la disposition « {disposition} ». Variables utilisées : {variables}. #}}")

    def p(self, text: str, style: str | None = None, bold: bool = False, italic: bool = False, center: bool = False,
          right: bool = False) -> None:
        para = self.doc.add_paragraph(style=style)
        if right:
            para.paragraph_format.left_indent = Mm(90)  # bloc destinataire, date, signature : moitié droite
        run = para.add_run(typo(text))
        run.bold, run.italic = bold or None, italic or None
        if center:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def tag(self, text: str) -> None:
        """Balise de contrôle seule sur son paragraphe (le paragraphe disparaît au rendu)."""
        self.doc.add_paragraph(text)

    def h(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(typo(text), level=level)

    def bullets(self, *items: str) -> None:
        for item in items:
            self.p(item, style="List Bullet")

    def table(self, headers: list[str], loop: str, cells: list[str]) -> None:
        """Tableau à une rangée d'en-tête et une rangée répétée par {%tr for … %}."""
        t = self.doc.add_table(rows=4, cols=len(headers))
        t.style = "Table Grid"
        for i, head in enumerate(headers):
            t.rows[0].cells[i].text = typo(head)
            for run in t.rows[0].cells[i].paragraphs[0].runs:
                run.bold = True
        t.rows[1].cells[0].text = f"{{%tr {loop} %}}"
        for i, cell in enumerate(cells):
            t.rows[2].cells[i].text = typo(cell)
        t.rows[3].cells[0].text = "{%tr endfor %}"

    def draft_notice(self) -> None:
        self.p(
            "Projet de rédaction proposé par le {{ guichet.nom }} (dossier {{ dossier.id }}, {{ dossier.date_texte }}). "
            "À adapter, numéroter et valider par le service juridique de l'acheteur avant insertion dans les pièces de la consultation.",
            italic=True,
        )

    def bytes(self) -> bytes:
        # mise en page commune (A4, fr-FR, en-tête, « page n sur N ») ; balises rendues par docxtpl
        apply_layout(self.doc, header="{{ guichet.nom }}", footer=self.footer)
        buf = io.BytesIO()
        self.doc.save(buf)
        return normalize_zip(buf.getvalue())


PUBLICS = (
    "les demandeurs d'emploi de longue durée (inscrits à France Travail depuis au moins douze mois) ;",
    "les bénéficiaires du revenu de solidarité active (RSA) ou d'un autre minimum social (ASS, AAH, ATA) ;",
    "les travailleurs handicapés et bénéficiaires de l'obligation d'emploi (article L5212-13 du code du travail) ;",
    "les jeunes de moins de 26 ans sortis du système scolaire depuis au moins six mois, sans qualification ou suivis par une mission locale ;",
    "les demandeurs d'emploi de 50 ans et plus ;",
    "les personnes prises en charge par une structure d'insertion par l'activité économique (article L5132-4 du code du travail), "
    "un groupement d'employeurs pour l'insertion et la qualification (GEIQ), une entreprise adaptée, un ESAT, une régie de quartier, "
    "un établissement pour l'insertion dans l'emploi (EPIDE) ou une école de la deuxième chance ;",
    "les habitants des quartiers prioritaires de la politique de la ville éloignés de l'emploi ;",
    "toute autre personne rencontrant des difficultés particulières d'accès à l'emploi, sur avis motivé d'un prescripteur "
    "(France Travail, mission locale, Cap emploi, maison de l'emploi), validé par le facilitateur.",
)


def facilitator_block(b: Builder) -> None:
    b.tag("{%p if facilitateur.present %}")
    b.p("{{ facilitateur.civilite }} {{ facilitateur.nom_complet }}, {{ facilitateur.fonction }}, {{ facilitateur.structure_nom }}"
        "{% if facilitateur.structure != facilitateur.structure_nom %} ({{ facilitateur.structure }}){% endif %}", bold=True)
    b.p("Courriel : {{ facilitateur.courriel }}{% if facilitateur.telephone %} – téléphone : {{ facilitateur.telephone }}{% endif %}")
    b.tag("{%p else %}")
    b.p("Le facilitateur territorialement compétent{% if facilitateur.structure_nom %} ({{ facilitateur.structure_nom }}){% endif %}, "
        "dont les coordonnées sont communiquées au titulaire au plus tard à la notification du marché.", bold=True)
    b.tag("{%p endif %}")


def clause_insertion() -> Builder:
    b = Builder("Clause d'insertion – article de CCAP")
    b.comment("clause_insertion (condition d'exécution, article de CCAP)",
              "guichet, dossier, acheteur, marche, disposition, calibrage, facilitateur, redaction")
    b.p("CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES", bold=True, center=True)
    b.p("{{ marche.objet }}", center=True)
    b.draft_notice()
    b.h("Article [n°] – Action d'insertion professionnelle (condition d'exécution)")
    b.h("1. Objet et fondement", 2)
    b.p("{{ disposition.fondement_texte }}, le titulaire s'engage à réaliser une action d'insertion professionnelle : une partie des heures de travail générées par "
        "le marché est confiée à des personnes rencontrant des difficultés sociales ou professionnelles particulières. "
        "Cette action concerne {{ disposition.perimetre_texte }}.")
    # acheteur privé : hors code de la commande publique, aucune obligation L2112-2-1 à citer
    b.p("Cette condition d'exécution s'impose à tout titulaire ; elle n'est pas un critère de jugement des offres.{% if not acheteur.volontaire %} "
        "Elle répond, le cas échéant, à l'obligation de l'article L2112-2-1 du même code pour les marchés dont la valeur "
        "estimée atteint les seuils européens.{% endif %}")
    b.h("2. Volume d'heures d'insertion", 2)
    b.p("Le titulaire réalise au minimum {{ calibrage.heures_texte }} ({{ calibrage.heures_lettres }} heures) de travail d'insertion "
        "sur la durée totale du marché ({{ marche.duree_texte }}){% if calibrage.heures_par_an_texte %}, soit environ "
        "{{ calibrage.heures_par_an_texte }} par an{% endif %}.")
    b.tag("{%p if calibrage.montant_retenu_texte and calibrage.part_main_oeuvre_texte and calibrage.taux_insertion_texte and calibrage.cout_horaire_texte %}")
    b.p("Ce volume résulte du calcul suivant : {{ calibrage.montant_retenu_texte }} ({{ calibrage.base_libelle }}) × part de main-d'œuvre "
        "de {{ calibrage.part_main_oeuvre_texte }} × taux d'insertion de {{ calibrage.taux_insertion_texte }} ÷ coût horaire chargé de "
        "{{ calibrage.cout_horaire_texte }}.")
    b.tag("{%p endif %}")
    b.tag("{%p if calibrage.lots %}")
    b.p("Répartition des heures par lot :")
    b.table(["Lot", "Intitulé", "Heures d'insertion"], "for lot in calibrage.lots",
            ["n° {{ lot.numero }}", "{{ lot.intitule }}", "{{ lot.heures_texte }}"])
    b.tag("{%p endif %}")
    b.tag("{%p if marche.accord_cadre %}")
    b.p("S'agissant d'un accord-cadre ({{ marche.forme_libelle }}), l'engagement d'insertion s'apprécie au prorata des commandes "
        "effectivement passées : chaque bon de commande ou marché subséquent précise, le cas échéant, le volume d'heures qui lui correspond.")
    b.tag("{%p endif %}")
    b.tag("{%p if marche.anru %}")
    b.p("L'opération étant financée par l'Agence nationale pour la rénovation urbaine (ANRU), les heures d'insertion bénéficient "
        "en priorité aux habitants des quartiers prioritaires de la politique de la ville, conformément à la charte nationale d'insertion de l'ANRU.")
    b.tag("{%p endif %}")
    b.h("3. Publics éligibles", 2)
    b.p("Sont notamment éligibles, après validation par le facilitateur avant toute mise à l'emploi :")
    b.bullets(*PUBLICS)
    b.h("4. Modalités de mise en œuvre", 2)
    b.p("Le titulaire choisit librement une ou plusieurs des modalités suivantes :")
    b.bullets(
        "l'embauche directe de personnes éligibles (contrat à durée indéterminée ou déterminée, contrat d'apprentissage ou de professionnalisation) ;",
        "la mise à disposition de salariés en insertion par une entreprise de travail temporaire d'insertion (ETTI), une association "
        "intermédiaire (AI), un GEIQ ou une entreprise de travail temporaire ;",
        "la sous-traitance ou la cotraitance d'une partie des prestations avec une structure d'insertion par l'activité économique, "
        "une entreprise adaptée ou un ESAT ;",
        "des actions de formation qualifiante ou préqualifiante, en lien avec les métiers du marché, au profit de personnes éligibles.",
    )
    b.p("Sont décomptées les heures réellement travaillées par les personnes éligibles sur le marché, ou les heures de formation justifiées, "
        "quelle que soit la modalité retenue.")
    b.h("5. Facilitateur", 2)
    b.p("L'acheteur a désigné, pour accompagner le titulaire dans la mise en œuvre de la présente clause :")
    facilitator_block(b)
    b.p("Le facilitateur informe le titulaire sur la clause et ses modalités, l'aide à identifier les personnes éligibles et les structures "
        "d'insertion du territoire, valide l'éligibilité des personnes avant leur mise à l'emploi, suit l'exécution de l'action et en rend "
        "compte à l'acheteur. Son intervention est gratuite pour le titulaire et ne restreint pas sa liberté de recrutement.")
    b.p("Le titulaire prend contact avec le facilitateur dans les quinze jours qui suivent la notification du marché ; une réunion "
        "de lancement est organisée avant le début de l'exécution.")
    b.h("6. Suivi et justificatifs", 2)
    b.p("Le titulaire transmet au facilitateur, selon une périodicité {{ redaction.periodicite_suivi }}, l'état des heures réalisées "
        "par personne et par modalité, accompagné des justificatifs (contrats de travail ou de mise à disposition, relevés d'heures, "
        "attestations de formation, contrats de sous-traitance ou de cotraitance). Un bilan final est établi à l'issue du marché. "
        "L'acheteur ne reçoit que des données agrégées.")
    b.h("7. Remplacement des départs", 2)
    b.p("Lorsqu'une personne en insertion quitte son poste avant le terme prévu, le titulaire en informe sans délai le facilitateur et "
        "la remplace, en lien avec lui, par une autre personne éligible, afin que le volume d'heures soit atteint.")
    b.h("8. Mutualisation des heures", 2)
    b.p("À la demande du titulaire et avec l'accord de l'acheteur, les heures d'insertion peuvent être réalisées en tout ou partie "
        "sur d'autres chantiers ou prestations du titulaire (globalisation des heures), dans les conditions de l'article 16 du CCAG "
        "applicable, dès lors que le volume dû au titre du présent marché est atteint et justifié auprès du facilitateur.")
    b.h("9. Pénalités", 2)
    b.p("Si l'engagement d'insertion n'est pas respecté du fait du titulaire, constaté au vu du bilan établi avec le facilitateur, "
        "une pénalité de {{ redaction.penalite_heure_texte }} par heure d'insertion non réalisée est appliquée. Aucune pénalité n'est "
        "due lorsque le manquement résulte d'une cause étrangère au titulaire, notamment l'absence de candidats éligibles malgré ses "
        "démarches justifiées. Cette stipulation est reprise, le cas échéant, dans l'article du CCAP qui récapitule les dérogations au CCAG.")
    b.p("Références : {{ disposition.references_texte }} ; article 16 du CCAG 2021.", italic=True)
    return b


def critere_social() -> Builder:
    b = Builder("Critère social – règlement de la consultation")
    b.comment("critere_social (critère d'attribution, règlement de la consultation)",
              "guichet, dossier, marche, disposition, calibrage, codes_recommandes, redaction")
    b.p("RÈGLEMENT DE LA CONSULTATION", bold=True, center=True)
    b.p("{{ marche.objet }}", center=True)
    b.draft_notice()
    b.h("Article [n°] – Critère de performance en matière d'insertion professionnelle")
    b.p("{{ disposition.fondement_texte }}, pour "
        "{{ disposition.perimetre_texte }}, les offres sont jugées notamment au regard du critère suivant, lié à l'objet du marché et à ses "
        "conditions d'exécution :")
    b.p("« Performances en matière d'insertion professionnelle des publics en difficulté » : {{ redaction.critere_ponderation_texte }} "
        "de la note globale, décomposés comme suit :", bold=True)
    b.table(["Sous-critère", "Pondération"], "for sc in redaction.sous_criteres", ["{{ sc.libelle }}", "{{ sc.ponderation_texte }}"])
    b.h("Ce que le candidat décrit dans son mémoire technique", 2)
    b.bullets(
        "le nombre d'heures ou de postes qu'il propose de confier à des personnes éloignées de l'emploi et les métiers concernés ;",
        "les modalités de recrutement envisagées (embauche directe, mise à disposition par une ETTI, une AI ou un GEIQ, sous-traitance "
        "ou cotraitance avec une structure d'insertion par l'activité économique ou une entreprise adaptée) et les partenaires mobilisés ;",
        "l'encadrement, le tutorat et l'accompagnement socio-professionnel prévus ;",
        "les actions de formation et les perspectives d'emploi durable offertes à l'issue du marché ;",
        "les moyens de suivi et de compte rendu de l'action.",
    )
    b.p("Chaque sous-critère est noté au vu d'éléments précis et vérifiables ; une déclaration d'intention générale ne rapporte aucun point. "
        "Les engagements pris dans l'offre au titre de ce critère deviennent contractuels.")
    b.tag('{%p if "clause_insertion" in codes_recommandes and calibrage.present %}')
    b.p("Ce critère complète la clause d'insertion du CCAP, qui impose à tout titulaire un minimum de {{ calibrage.heures_texte }} : "
        "il apprécie la qualité de la démarche d'insertion proposée, au-delà de ce minimum.")
    b.tag("{%p endif %}")
    b.p("Note pour l'acheteur (à retirer) : le Conseil d'État admet ce critère lorsque le marché peut être exécuté au moins en partie "
        "par des personnes en insertion, qu'il n'est pas discriminatoire et qu'il permet une appréciation objective des offres "
        "(CE, 25 mars 2013, Département de l'Isère, n° 364950).", italic=True)
    b.p("Références : {{ disposition.references_texte }}.", italic=True)
    return b


def _reserved(title: str, code: str, first_sentence: str, proof: str, extra: Callable[[Builder], None] | None = None) -> Builder:
    b = Builder(title)
    b.comment(f"{code} (marché réservé : avis de marché et règlement de la consultation)",
              "guichet, dossier, acheteur, marche, disposition")
    b.p(title.upper(), bold=True, center=True)
    b.p("{{ marche.objet }}", center=True)
    b.draft_notice()
    b.h("1. Mention à porter dans l'avis d'appel à la concurrence")
    b.p(first_sentence)
    b.p("La réservation porte sur {{ disposition.perimetre_texte }}.")
    b.tag("{%p if disposition.lots %}")
    b.tag("{%p for lot in disposition.lots_detail %}")
    b.p("Lot n° {{ lot.numero }} – {{ lot.intitule }} (montant estimé : {{ lot.montant_texte }})", style="List Bullet")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")
    b.h("2. Article du règlement de la consultation")
    b.p("Article [n°] – Marché réservé", bold=True)
    b.p(first_sentence)
    b.p(proof)
    b.p("Une candidature qui ne remplit pas ces conditions est irrecevable.")
    if extra:
        extra(b)
    b.h("3. Données essentielles", 2)
    b.p("Considération sociale à déclarer dans les données essentielles du marché : « {{ disposition.decp }} ».")
    b.p("Références : {{ disposition.references_texte }}.", italic=True)
    return b


def reserve_siae() -> Builder:
    return _reserved(
        "Marché réservé aux structures d'insertion par l'activité économique",
        "reserve_siae",
        "{{ disposition.fondement_texte }}, le marché « {{ marche.objet }} » est réservé aux structures "
        "d'insertion par l'activité économique mentionnées à l'article L5132-4 du code du travail (entreprises d'insertion, entreprises "
        "de travail temporaire d'insertion, associations intermédiaires, ateliers et chantiers d'insertion) et aux structures équivalentes, "
        "qui emploient une proportion minimale de {{ disposition.proportion_minimale_texte }} de travailleurs défavorisés (article R2113-7).",
        "À l'appui de sa candidature, le candidat justifie de son conventionnement au titre de l'insertion par l'activité économique ou, "
        "pour une structure équivalente, de la proportion de travailleurs défavorisés parmi ses salariés (état des effectifs, attestation).",
    )


def reserve_ea_esat() -> Builder:
    return _reserved(
        "Marché réservé aux entreprises adaptées et aux ESAT",
        "reserve_ea_esat",
        "{{ disposition.fondement_texte }}, le marché « {{ marche.objet }} » est réservé aux entreprises "
        "adaptées mentionnées à l'article L5213-13 du code du travail, aux établissements et services d'accompagnement par le travail (ESAT) "
        "mentionnés à l'article L344-2 du code de l'action sociale et des familles et aux structures équivalentes, qui emploient une "
        "proportion minimale de {{ disposition.proportion_minimale_texte }} de travailleurs handicapés (article R2113-7).",
        "À l'appui de sa candidature, le candidat justifie de sa qualité d'entreprise adaptée ou d'ESAT ou, pour une structure équivalente, "
        "de la proportion de travailleurs handicapés parmi ses salariés (état des effectifs, attestation).",
    )


def reserve_ea_siae() -> Builder:
    return _reserved(
        "Marché réservé aux entreprises adaptées, ESAT et structures d'insertion",
        "reserve_ea_siae",
        "{{ disposition.fondement_texte }}, le marché « {{ marche.objet }} » est réservé à la fois "
        "aux opérateurs mentionnés à l'article L2113-12 (entreprises adaptées, ESAT et structures équivalentes) et à ceux mentionnés à "
        "l'article L2113-13 (structures d'insertion par l'activité économique et structures équivalentes), qui emploient une proportion "
        "minimale de {{ disposition.proportion_minimale_texte }} de travailleurs handicapés ou défavorisés (article R2113-7).",
        "À l'appui de sa candidature, le candidat justifie de sa qualité d'entreprise adaptée, d'ESAT ou de structure d'insertion par "
        "l'activité économique conventionnée ou, pour une structure équivalente, de la proportion de travailleurs handicapés ou "
        "défavorisés parmi ses salariés (état des effectifs, attestation).",
    )


def _ess_extra(b: Builder) -> None:
    b.p("La durée du marché ne peut excéder trois ans ({{ disposition.duree_max_texte }}) ; la durée prévue est de {{ marche.duree_texte }}.")
    b.tag("{%p if disposition.duree_depassee %}")
    b.p("Attention : la durée prévue dépasse la durée maximale d'un marché réservé à l'économie sociale et solidaire ; "
        "la réduire avant de publier la consultation.", bold=True)
    b.tag("{%p endif %}")
    b.p("Note pour l'acheteur (à retirer) : cette réservation n'est ouverte qu'aux pouvoirs adjudicateurs, pour les seuls services "
        "sociaux et autres services spécifiques dont le code CPV figure dans l'avis annexé au code de la commande publique "
        "(codes du marché : {{ marche.cpv_texte }}).", italic=True)


def reserve_ess() -> Builder:
    return _reserved(
        "Marché réservé aux entreprises de l'économie sociale et solidaire",
        "reserve_ess",
        "{{ disposition.fondement_texte }}, le marché « {{ marche.objet }} », "
        "qui porte exclusivement sur des services sociaux et autres services spécifiques, est réservé aux entreprises de l'économie sociale "
        "et solidaire au sens de l'article 1er de la loi n° 2014-856 du 31 juillet 2014 et aux structures équivalentes.",
        "À l'appui de sa candidature, le candidat justifie : qu'il poursuit une mission de service public liée à la prestation des services "
        "du marché ; que ses bénéfices sont réinvestis en vue d'atteindre cet objectif ou distribués selon des considérations participatives ; "
        "que ses structures de direction ou de propriété reposent sur l'actionnariat des salariés ou sur des principes participatifs ; "
        "et qu'il ne s'est pas vu attribuer par l'acheteur, au cours des trois dernières années, un marché réservé pour les mêmes services.",
        _ess_extra,
    )


def reserve_penitentiaire() -> Builder:
    return _reserved(
        "Marché réservé aux opérateurs employant des personnes détenues",
        "reserve_penitentiaire",
        "{{ disposition.fondement_texte }}, le marché « {{ marche.objet }} » est réservé aux opérateurs "
        "économiques qui produisent les biens ou réalisent les services en établissement pénitentiaire en employant des personnes détenues "
        "dans les conditions des articles L412-10 à L412-18 du code pénitentiaire, dans une proportion minimale de "
        "{{ disposition.proportion_minimale_texte }} (article R2113-7).",
        "À l'appui de sa candidature, le candidat justifie des conditions d'emploi des personnes détenues et de leur proportion parmi "
        "les travailleurs affectés au marché (attestation de l'établissement pénitentiaire, état des effectifs). Ce marché ne peut pas être "
        "réservé en même temps à des opérateurs qui ne remplissent pas ces conditions.",
    )


def marche_insertion() -> Builder:
    b = Builder("Marché d'insertion et de qualification professionnelle")
    b.comment("marche_insertion (objet du marché, avis et règlement de la consultation)",
              "guichet, dossier, acheteur, marche, disposition, facilitateur")
    b.p("MARCHÉ D'INSERTION ET DE QUALIFICATION PROFESSIONNELLE", bold=True, center=True)
    b.p("{{ marche.objet }}", center=True)
    b.draft_notice()
    b.h("1. Objet du marché (avis et cahier des charges)")
    b.p("Le marché a pour objet une prestation d'insertion et de qualification professionnelle de personnes éloignées de l'emploi. "
        "Les prestations « {{ marche.objet }} » en constituent le support d'activité : elles permettent la mise en situation de travail, "
        "l'encadrement technique et la qualification des personnes accompagnées.")
    b.p("{{ disposition.fondement_texte }}. Montant estimé : {{ marche.montant_estime_texte }} "
        "sur {{ marche.duree_texte }}.")
    b.h("2. Prestations attendues", 2)
    b.bullets(
        "l'accueil et le recrutement, en lien avec les prescripteurs et le facilitateur, de personnes rencontrant des difficultés sociales "
        "et professionnelles ;",
        "l'encadrement technique des personnes sur le support d'activité ;",
        "l'accompagnement socio-professionnel (levée des freins à l'emploi, construction du projet professionnel) ;",
        "la formation et la qualification des personnes, jusqu'à une sortie vers l'emploi durable ou la formation ;",
        "la réalisation des prestations support dans les règles de l'art.",
    )
    b.h("3. Jugement des offres (règlement de la consultation)", 2)
    b.p("Les offres sont jugées principalement sur la capacité du candidat à insérer et qualifier les personnes, appréciée au vu :")
    b.bullets(
        "du projet d'insertion : encadrement technique, accompagnement socio-professionnel, actions de formation et partenariats mobilisés ;",
        "des résultats obtenus sur des actions comparables (sorties vers l'emploi ou la formation) ;",
        "de la qualité technique des prestations support ;",
        "du prix.",
    )
    b.p("Les pondérations sont fixées par l'acheteur ; la valeur d'insertion doit y rester prépondérante.")
    b.tag("{%p if facilitateur.present %}")
    b.p("Facilitateur associé au suivi : {{ facilitateur.nom_complet }} ({{ facilitateur.structure }}), {{ facilitateur.courriel }}.")
    b.tag("{%p endif %}")
    b.p("Note pour l'acheteur (à retirer) : le caractère de service social et autre service spécifique dépend du code CPV retenu, "
        "à vérifier dans l'avis annexé au code de la commande publique (codes du marché : {{ marche.cpv_texte }}).", italic=True)
    b.p("Références : {{ disposition.references_texte }}.", italic=True)
    return b


def clause_sociale_autre() -> Builder:
    b = Builder("Clause sociale – condition d'exécution")
    b.comment("clause_sociale_autre (condition d'exécution sociale hors insertion, article de CCAP)",
              "guichet, dossier, marche, disposition")
    b.p("CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES", bold=True, center=True)
    b.p("{{ marche.objet }}", center=True)
    b.draft_notice()
    b.h("Article [n°] – Conditions sociales d'exécution")
    b.p("{{ disposition.fondement_texte }}, le titulaire s'engage, pendant toute l'exécution du "
        "marché, à respecter les conditions ci-dessous, qui concernent {{ disposition.perimetre_texte }} :")
    b.bullets(
        "respecter et faire respecter par ses sous-traitants l'égalité professionnelle entre les femmes et les hommes, notamment en matière "
        "de rémunération, de recrutement et de conditions de travail ;",
        "prévenir et combattre toute discrimination à l'égard des personnes affectées au marché ;",
        "faire respecter, dans sa chaîne d'approvisionnement, les normes fondamentales du travail de l'Organisation internationale du travail ;",
        "informer les personnes affectées au marché des engagements ci-dessus et désigner un référent chargé de leur suivi.",
    )
    b.p("À la demande de l'acheteur, le titulaire transmet les éléments qui attestent du respect de ces engagements (plan d'action, "
        "indicateurs, attestations de ses sous-traitants). Un manquement constaté donne lieu à une mise en demeure, puis, s'il persiste, "
        "aux mesures prévues par le CCAP.")
    b.p("Références : {{ disposition.references_texte }}.", italic=True)
    return b


def variante_sociale() -> Builder:
    b = Builder("Variante sociale – règlement de la consultation")
    b.comment("variante_sociale (variantes comportant une action d'insertion)", "guichet, dossier, marche, disposition, calibrage")
    b.p("RÈGLEMENT DE LA CONSULTATION", bold=True, center=True)
    b.p("{{ marche.objet }}", center=True)
    b.draft_notice()
    b.h("Article [n°] – Variantes comportant une action d'insertion")
    b.p("{{ disposition.fondement_texte }}, les candidats sont autorisés à présenter, pour "
        "{{ disposition.perimetre_texte }}, une variante comportant une action d'insertion professionnelle de personnes éloignées de l'emploi.")
    b.p("Exigences minimales : la variante décrit le volume d'heures d'insertion proposé{% if calibrage.present %} (au moins "
        "{{ calibrage.heures_texte }}){% endif %}, les publics visés, les modalités de recrutement et d'accompagnement, et les moyens de suivi. "
        "Le règlement précise si la variante peut être présentée sans offre de base.")
    b.p("Note pour l'acheteur (à retirer) : en procédure formalisée, un pouvoir adjudicateur doit autoriser ou imposer les variantes "
        "dans l'avis de marché ; en procédure adaptée, elles sont admises sauf mention contraire des documents de la consultation.", italic=True)
    b.p("Références : {{ disposition.references_texte }}.", italic=True)
    return b


def lettre_accompagnement() -> Builder:
    """Une lettre comme l'écrirait un agent du guichet : en-tête, destinataire du registre, références,
    appel nominatif, motifs en phrases, signataire ; un fait inconnu retire sa phrase (jamais un blanc
    de registre ni un texte de contrôle de l'analyse)."""
    b = Builder("Lettre d'accompagnement de la recommandation")
    b.comment("lettre d'accompagnement (toutes dispositions)",
              "guichet, dossier, acheteur, demandeur, marche, recommandations, calibrage, facilitateur, routage")
    # en-tête : l'expéditeur
    b.p("{{ guichet.nom }}", bold=True)
    b.tag("{%p for ligne in guichet.coordonnees %}")
    b.p("{{ ligne }}")
    b.tag("{%p endfor %}")
    b.p("")
    # bloc destinataire (à droite, comme une lettre administrative)
    b.p("{{ acheteur.nom }}", bold=True, right=True)
    b.tag("{%p if demandeur.nom_complet %}")
    b.p("À l'attention de {{ demandeur.civilite }} {{ demandeur.nom_complet }}", right=True)
    b.tag("{%p if demandeur.fonction %}")
    b.p("{{ demandeur.fonction }}", right=True)
    b.tag("{%p endif %}")
    b.tag("{%p endif %}")
    b.tag("{%p for ligne in acheteur.adresse %}")
    b.p("{{ ligne }}", right=True)
    b.tag("{%p endfor %}")
    b.p("")
    b.p("Le {{ dossier.date_texte }}", right=True)
    b.p("")
    b.p("Nos références : dossier {{ dossier.id }} (demande reçue le {{ dossier.recue_le_texte }})")
    b.p("Objet : recommandation de dispositions sociales pour le marché « {{ marche.objet }} »", bold=True)
    b.p("")
    b.p("{{ demandeur.appel }},")
    b.p("Vous avez sollicité le guichet le {{ dossier.recue_le_texte }} au sujet du {{ marche.nature_libelle }} « {{ marche.objet }} », "
        "{{ marche.forme_libelle }} d'une durée de {{ marche.duree_texte }} et d'un montant estimé de {{ marche.montant_estime_texte }} "
        "({{ marche.montant_estime_lettres }} hors taxes). Nous vous remercions de cette démarche.")
    b.tag("{%p if recommandations|length == 1 %}")
    b.p("Après analyse de votre projet, nous vous recommandons la disposition suivante.")
    b.tag("{%p else %}")
    b.p("Après analyse de votre projet, nous vous recommandons les dispositions suivantes.")
    b.tag("{%p endif %}")
    b.tag("{%p for r in recommandations %}")
    b.p("{{ r.phrase }}", style="List Bullet")
    b.tag("{%p if r.justification_lettre %}")
    b.p("{{ r.justification_lettre|multiligne }}")
    b.tag("{%p endif %}")
    b.tag("{%p if not r.modele and r.code != 'aucune' %}")
    b.p("Le guichet ne dispose pas encore d'un modèle de rédaction pour cette disposition : nous vous proposons de la rédiger ensemble.")
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")
    b.tag("{%p if acheteur.cadre_texte %}")
    b.p("{{ acheteur.cadre_texte }}")
    b.tag("{%p endif %}")
    b.tag("{%p if calibrage.phrase %}")
    b.p("{{ calibrage.phrase }}")
    b.tag("{%p for lot in calibrage.lots %}")
    b.p("Lot n° {{ lot.numero }}{% if lot.intitule %} ({{ lot.intitule }}){% endif %} : {{ lot.heures_texte }}.", style="List Bullet")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")
    b.tag("{%p if recommandations|selectattr('modele')|list %}")
    b.p("Vous trouverez ci-joint un projet de rédaction pour chaque disposition, à intégrer aux pièces de la consultation (cahier des "
        "clauses administratives particulières, règlement de la consultation, avis de marché) après relecture par votre service juridique.")
    b.tag("{%p endif %}")
    b.tag("{%p if facilitateur.present %}")
    b.p("Votre interlocuteur pour la mise en œuvre sera {{ facilitateur.civilite }} {{ facilitateur.nom_complet }}"
        "{% if facilitateur.fonction %}, {{ facilitateur.fonction }}{% endif %}{% if facilitateur.structure_nom %} ({{ facilitateur.structure_nom }}){% endif %}, "
        "que vous pouvez joindre à l'adresse {{ facilitateur.courriel }}{% if facilitateur.telephone %} ou au {{ facilitateur.telephone }}{% endif %}.")
    b.tag("{%p endif %}")
    b.tag("{%p if routage.phrase %}")
    b.p("{{ routage.phrase }}")
    b.tag("{%p endif %}")
    b.p("Nous vous remercions de nous faire connaître la suite que vous donnerez à cette recommandation : elle nourrit le bilan "
        "annuel du guichet. Nous restons à votre disposition pour toute précision.")
    b.p("Nous vous prions d'agréer, {{ demandeur.appel }}, l'expression de nos salutations distinguées.")
    b.p("")
    b.p("Pour le {{ guichet.nom }},", right=True)
    b.tag("{%p if guichet.signataire_nom %}")
    b.p("{{ guichet.signataire_nom }}", bold=True, right=True)
    b.tag("{%p if guichet.signataire_fonction %}")
    b.p("{{ guichet.signataire_fonction }}", right=True)
    b.tag("{%p endif %}")
    b.tag("{%p else %}")
    b.p("Nom, fonction et signature : ………………………………", right=True)
    b.tag("{%p endif %}")
    b.tag("{%p if recommandations|selectattr('modele')|list %}")
    b.p("Pièces jointes : projets de rédaction des dispositions recommandées.", italic=True)
    b.tag("{%p endif %}")
    return b


BUILDERS: dict[str, Callable[[], Builder]] = {
    "clause_insertion": clause_insertion,
    "clause_sociale_autre": clause_sociale_autre,
    "critere_social": critere_social,
    "reserve_ea_esat": reserve_ea_esat,
    "reserve_siae": reserve_siae,
    "reserve_ea_siae": reserve_ea_siae,
    "reserve_ess": reserve_ess,
    "reserve_penitentiaire": reserve_penitentiaire,
    "marche_insertion": marche_insertion,
    "variante_sociale": variante_sociale,
    "lettre_accompagnement": lettre_accompagnement,
}


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "clause_templates"
    for name, build in BUILDERS.items():
        atomic_write_bytes(out / f"{name}.docx", build().bytes())
        print(f"{out / name}.docx")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
