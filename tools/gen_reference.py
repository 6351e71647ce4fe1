"""Génère docs/reference-champs.md à partir des schémas JSON du dépôt.

Usage :
    python tools/gen_reference.py            # réécrit docs/reference-champs.md
    python tools/gen_reference.py --check    # code 1 si la page n'est plus à jour (CI)
    python tools/gen_reference.py --repo DIR # autre dépôt de guichet

La page est entièrement dérivée des schémas (et, pour les annexes, de rules/cycle_de_vie.yaml et
rules/dispositions.yaml) : on la régénère au lieu de la modifier à la main. Les « $ref » vers les
listes partagées (schemas/defs.schema.json#/$defs/…) sont suivis : chaque champ affiche les valeurs
de la liste, et l'annexe des listes partagées donne leurs libellés. La sortie ne dépend que
de ces fichiers (ordre des schémas, aucun horodatage), pour qu'un --check en CI soit fiable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from guichet_cli.core import yamlio
from guichet_cli.core.facts import labels as shared_lists

# Types de fichiers de données : (titre, emplacement, schéma relatif à schemas/).
FILE_TYPES = [
    ("Demande", "cases/<année>/<id>.yaml", "demande.schema.json"),
    ("Donneur d'ordre", "donneurs/<siret>.yaml", "donneur.schema.json"),
    ("Contact", "contacts/<id>.yaml", "contact.schema.json"),
    ("Partenaire", "partners/<id>.yaml", "partenaire.schema.json"),
    ("Structure inclusive", "structures/<siret>.yaml", "structure.schema.json"),
    ("Réglages du dépôt", "guichet.yaml", "guichet.schema.json"),
]
# Règles présentées en premier ; les autres fichiers de rules/ suivent par ordre alphabétique.
RULES_FIRST = ["cycle_de_vie", "dispositions"]

TYPE_LABELS = {
    "string": "texte",
    "integer": "entier",
    "number": "nombre",
    "boolean": "booléen (true/false)",
    "array": "liste",
    "object": "objet",
    "null": "vide (null)",
}
FORMAT_LABELS = {"date": "date « AAAA-MM-JJ »", "date-time": "date et heure ISO 8601", "email": "adresse électronique"}


# Explications des champs que les schémas ne décrivent pas (encore) : utilisées seulement quand le
# schéma n'a pas de « description ». Mieux vaut, à terme, les déplacer dans les schémas (l'éditeur
# les affiche alors en info-bulle).
FIELD_NOTES: dict[str, dict[str, str]] = {
    # demande.schema.json : chaque propriété porte sa « description » (et son « errorMessage ») dans
    # le schéma même ; tests/test_schema_help.py le vérifie.
    "donneur.schema.json": {
        "siret": "SIRET de l'acheteur ; c'est aussi le nom du fichier",
        "nom": "dénomination de l'acheteur",
        "fictif": "donnée d'exemple",
        "categorie": "catégorie d'acheteur, pour les statistiques régionales",
        "departement": "département du siège",
        "contacts_dedies": "interlocuteurs du guichet chez cet acheteur (fiches de contacts/)",
        "conventions": "conventions en cours avec un partenaire (facilitation, guichet local…)",
        "conventions[].objet": "objet de la convention",
        "conventions[].debut": "date de début",
        "conventions[].fin": "date de fin, si elle est connue",
    },
    "contact.schema.json": {
        "id": "identifiant de la fiche, identique au nom du fichier",
        "fictif": "personne inventée pour les exemples",
        "fonction": "fonction dans l'organisation (sans donnée de santé ni de vie privée)",
        "base_legale_rgpd": "base légale du traitement de ces données personnelles",
        "conserver_jusqu_au": "date au-delà de laquelle la fiche doit être supprimée ou revue",
    },
    "partenaire.schema.json": {
        "id": "identifiant du partenaire, identique au nom du fichier",
        "nom": "nom officiel (ou provisoire, voir nom_a_confirmer)",
        "sigle": "sigle usuel",
        "type": "nature du partenaire dans la charte",
        "departements": "départements couverts",
        "missions": "missions du partenaire auprès du guichet",
        "adresses[].role": "rôle de l'adresse (boîte fonctionnelle)",
        "adresses[].courriel": "adresse fonctionnelle ; vide si elle n'est pas encore connue",
        "adresses[].a_confirmer": "adresse à confirmer par la MACS",
        "facilitateurs": "facilitateurs de la coordination (seules les coordinations en déclarent)",
        "facilitateurs[].id": "identifiant utilisé dans les demandes (routage, calibrage)",
        "facilitateurs[].contact": "fiche de contacts/ de la personne",
        "facilitateurs[].communes": "communes suivies par ce facilitateur (codes INSEE)",
        "facilitateurs[].fictif": "facilitateur inventé pour les exemples",
    },
    "guichet.schema.json": {
        "prefixe_identifiant": "préfixe des identifiants de demande (GRCS-AAAA-XXXX)",
        "delai_reunion_lancement_jours": "délai attendu entre la notification et la réunion de lancement, en jours",
        "forge": "forge git du guichet (GitHub ou GitLab)",
        "forge.organisation": "organisation ou groupe de la forge",
        "forge.equipe_macs": "équipe de la MACS, relectrice de toutes les demandes",
        "contact_rgpd": "adresse pour exercer ses droits sur les données personnelles",
    },
    "rules/cycle_de_vie.schema.json": {
        "source": "texte de référence de la règle",
        "statut_initial": "statut d'une demande créée par guichet new",
        "statuts": "un bloc par statut",
        "statuts.<clé>.acteur": "qui doit agir pour faire avancer la demande",
        "statuts.<clé>.suivants": "statuts auxquels on peut passer ensuite",
        "statuts.<clé>.exige": "champs qui doivent être renseignés dans ce statut",
        "statuts.<clé>.exige[].champ": "chemin du champ en notation pointée (analyse.transmise_le)",
        "statuts.<clé>.exige[].si_disposition": "l'exigence ne vaut que si cette disposition est recommandée",
        "statuts.<clé>.exige[].message": "message affiché par guichet validate quand le champ manque",
    },
    "rules/dispositions.schema.json": {
        "source": "textes de référence",
        "dispositions": "un bloc par disposition sociale",
        "dispositions.<clé>.famille": "famille (clause, critère, réservation…) pour les bilans",
        "dispositions.<clé>.base_legale": "article principal ; une recommandation doit le citer",
        "dispositions.<clé>.articles": "tous les articles applicables",
        "dispositions.<clé>.decp": "valeur déclarée dans les données essentielles (DECP)",
        "dispositions.<clé>.decp_a_confirmer": "correspondance DECP à confirmer",
        "dispositions.<clé>.description": "explication en une phrase",
        "dispositions.<clé>.proportion_minimale": "part minimale de travailleurs concernés chez le titulaire (R2113-7)",
        "dispositions.<clé>.duree_max_mois": "durée maximale du marché pour cette disposition",
        "dispositions.<clé>.duree_max_source": "source de la durée maximale",
        "dispositions.<clé>.acheteurs_autorises": "types d'acheteurs qui peuvent y recourir",
        "dispositions.<clé>.cpv_autorises": "codes CPV seuls autorisés (liste de L2113-15)",
        "dispositions.<clé>.cpv_autorises.source": "texte qui fixe la liste",
        "dispositions.<clé>.cpv_autorises.a_confirmer": "liste à vérifier sur Légifrance",
        "dispositions.<clé>.cpv_autorises.codes": "codes CPV à 8 chiffres, sans chiffre de contrôle",
        "dispositions.<clé>.cpv_autorises.plages": "plages [premier, dernier] de codes CPV",
    },
    "rules/transitions.schema.json": {
        "source": "texte de référence de la règle",
        "statuts": "pour chaque statut, les champs que guichet status remplit avec --date et --reason",
        "statuts.<clé>.date": "champ (notation pointée) qui reçoit la date du changement de statut",
        "statuts.<clé>.motif": "champ (notation pointée) qui reçoit le motif (--reason)",
        "faits_passes": "faits qu'on ne réécrit pas après coup (sauf validate --since … --allow-correction)",
        "faits_passes[].champ": "chemin du champ protégé (notation pointée)",
        "faits_passes[].libelle": "libellé utilisé dans le message d'erreur",
    },
}

# Clés qui reviennent dans tous les fichiers de règles : explication par défaut, d'après le dernier
# segment du chemin, quand ni le schéma ni FIELD_NOTES ne disent rien.
GENERIC_NOTES = {
    "source": "source de la valeur (article, texte, page web) ; une règle sans source n'est pas admise",
    "a_confirmer": "vrai si la valeur reste à vérifier par la MACS (Légifrance, partenaires)",
    "valeur": "valeur retenue",
    "libelle": "libellé affiché",
    "fictif": "donnée d'exemple, à exclure des bilans réels",
    "min": "borne basse",
    "max": "borne haute",
}


def inline_refs(node: Any, base_dir: Path) -> Any:
    """Remplace chaque « $ref » vers un autre fichier (defs.schema.json#/$defs/statut) par le schéma
    visé, mots-clés locaux en plus ; titre et description de la liste ne remplacent pas ceux du champ."""
    if isinstance(node, list):
        return [inline_refs(v, base_dir) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: inline_refs(v, base_dir) for k, v in node.items()}
    ref = out.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        file, _, fragment = ref.partition("#")
        path = (base_dir / file).resolve()
        doc = json.loads(path.read_text(encoding="utf-8"))
        target: Any = inline_local(doc, doc)  # les « #/$defs/… » du fichier visé se lisent dans ce fichier
        for part in [p for p in fragment.split("/") if p]:
            target = target[part]
        target = inline_refs(target, path.parent)
        merged = {k: v for k, v in target.items() if k not in ("title", "description")}
        merged.update({k: v for k, v in out.items() if k != "$ref"})
        out = merged
    return out


def inline_local(node: Any, root: dict[str, Any]) -> Any:
    """Remplace les références locales (« #/$defs/x ») d'un schéma par la cible, dans ce schéma."""
    if isinstance(node, list):
        return [inline_local(v, root) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: inline_local(v, root) for k, v in node.items()}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        out = {**inline_local(target, root), **{k: v for k, v in out.items() if k != "$ref"}}
    return out


def load_schema_file(path: Path) -> dict[str, Any]:
    return inline_refs(json.loads(path.read_text(encoding="utf-8")), path.parent)


def cell(text: str) -> str:
    """Contenu d'une cellule de tableau Markdown : pas de barre verticale ni de retour à la ligne."""
    return text.replace("|", "\\|").replace("\n", " ").strip()


def code(value: Any) -> str:
    return f"`{value}`"


def type_label(schema: dict[str, Any]) -> str:
    t = schema.get("type")
    if isinstance(t, list):
        return " ou ".join(TYPE_LABELS.get(x, x) for x in t)
    if t == "string" and schema.get("format") in FORMAT_LABELS:
        return FORMAT_LABELS[schema["format"]]
    if t == "array":
        items = schema.get("items") or {}
        if items.get("type") == "object" or "properties" in items:
            return "liste d'objets"
        inner = type_label(items) if items else ""
        return f"liste ({inner})" if inner else "liste"
    if t == "object" and "properties" not in schema and isinstance(schema.get("additionalProperties"), dict):
        return "table (clé → valeur)"
    if t is None and "enum" in schema:
        return "valeur de liste"
    if t is None and "const" in schema:
        return "valeur fixe"
    return TYPE_LABELS.get(t, t or "—")


def allowed(schema: dict[str, Any]) -> list[Any]:
    """Valeurs d'une liste, moins celle qu'un « not: {const: …} » exclut (liste partagée restreinte)."""
    excluded = (schema.get("not") or {}).get("const", object()) if isinstance(schema.get("not"), dict) else object()
    return [v for v in schema["enum"] if v != excluded]


def constraints(schema: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if "enum" in schema:
        out.append(", ".join(code(v) for v in allowed(schema)))
    if "const" in schema:
        out.append(f"toujours {code(schema['const'])}")
    if "pattern" in schema:
        out.append(f"motif {code(schema['pattern'])}")
    for key, label in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
        if key in schema:
            out.append(f"{label} {schema[key]}")
    if schema.get("minLength") == 1:
        out.append("non vide")
    elif schema.get("minLength", 0) > 1:
        out.append(f"au moins {schema['minLength']} caractères")
    if "maxLength" in schema:
        out.append(f"au plus {schema['maxLength']} caractères")
    if schema.get("minItems") == 1:
        out.append("au moins un élément")
    elif schema.get("minItems", 0) > 1:
        out.append(f"au moins {schema['minItems']} éléments")
    if "maxItems" in schema:
        out.append(f"au plus {schema['maxItems']} éléments")
    if schema.get("uniqueItems"):
        out.append("sans doublon")
    return out


def values_text(schema: dict[str, Any]) -> str:
    parts = constraints(schema)
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        items = schema["items"]
        if items.get("type") != "object" and "properties" not in items:
            inner = constraints(items)
            if inner:
                parts.append("chaque élément : " + " ; ".join(inner))
    names = schema.get("propertyNames") or {}
    extra = schema.get("additionalProperties")
    if "properties" not in schema and isinstance(extra, dict):
        if "enum" in names:
            parts.append("clés : " + ", ".join(code(v) for v in allowed(names)))
        if extra.get("type") not in (None, "object"):
            detail = " ; ".join(constraints(extra))
            parts.append(f"valeurs : {type_label(extra)}" + (f" ({detail})" if detail else ""))
    return " ; ".join(parts)


def description(schema: dict[str, Any], note: str | None = None) -> str:
    parts = []
    if schema.get("description") or note:
        parts.append(schema.get("description") or note or "")
    if schema.get("x-message") and schema.get("format") != "date":
        parts.append(f"Format : {schema['x-message']}")
    if schema.get("x-personnel"):
        parts.append("**Donnée personnelle (RGPD)** : jamais recopiée dans une demande ni un bilan.")
    if schema.get("a_confirmer") or schema.get("x-a-confirmer"):
        parts.append("Valeur à confirmer.")
    text = " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts)
    return text[:1].upper() + text[1:]


def conditional_required(schema: dict[str, Any]) -> dict[str, str]:
    """Champs rendus obligatoires par un « if / then » du schéma (ex. motif d'une décision non suivie)."""
    notes: dict[str, str] = {}
    for clause in schema.get("allOf") or []:
        cond = (clause.get("if") or {}).get("properties") or {}
        then_req = (clause.get("then") or {}).get("required") or []
        conds = []
        for name, sub in sorted(cond.items()):
            if "enum" in sub:
                conds.append(f"{code(name)} vaut " + " ou ".join(code(v) for v in sub["enum"]))
            elif "const" in sub:
                conds.append(f"{code(name)} vaut {code(sub['const'])}")
        for field in then_req:
            notes[field] = "si " + " et ".join(conds) if conds else "selon le cas"
    return notes


class Walker:
    """Parcourt un schéma en profondeur et produit une ligne de tableau par champ."""

    def __init__(self, root: dict[str, Any], notes: dict[str, str]) -> None:
        self.root = root
        self.notes = notes
        self.rows: list[list[str]] = []

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Remplace une référence locale (« #/$defs/x ») par le schéma visé, mots-clés locaux en plus."""
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema
        target: Any = self.root
        for part in ref[2:].split("/"):
            target = target[part]
        merged = {**self.resolve(target), **{k: v for k, v in schema.items() if k != "$ref"}}
        return merged

    def note(self, path: str) -> str | None:
        last = path.rsplit(".", 1)[-1].removesuffix("[]")
        return self.notes.get(path) or GENERIC_NOTES.get(last)

    def walk(self, schema: dict[str, Any], prefix: str) -> None:
        schema = self.resolve(schema)
        props = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        cond = conditional_required(schema)
        for name, raw in props.items():
            sub = self.resolve(raw)
            path = f"{prefix}{name}"
            req = "oui" if name in required else cond.get(name, "")
            self.rows.append([code(path), type_label(sub), req, values_text(sub), description(sub, self.note(path))])
            self.descend(sub, path)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and (props or prefix == ""):
            extra = self.resolve(extra)
            path = f"{prefix}<clé>"
            self.rows.append([code(path), type_label(extra), "", values_text(extra), description(extra, self.note(path))])
            self.descend(extra, path)

    def descend(self, sub: dict[str, Any], path: str) -> None:
        items = self.resolve(sub["items"]) if isinstance(sub.get("items"), dict) else {}
        extra = self.resolve(sub["additionalProperties"]) if isinstance(sub.get("additionalProperties"), dict) else {}
        if "properties" in sub:
            self.walk(sub, f"{path}.")
        elif sub.get("type") == "array" and "properties" in items:
            self.walk(items, f"{path}[].")
        elif "properties" in extra:
            self.walk(extra, f"{path}.<clé>.")


def table(schema: dict[str, Any], notes: dict[str, str]) -> list[str]:
    walker = Walker(schema, notes)
    walker.walk(schema, "")
    lines = ["| Champ | Type | Obligatoire | Valeurs admises | Description |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in walker.rows]
    return lines


def section(title: str, location: str, schema_rel: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"## {title} — `{location}`", ""]
    if schema.get("title"):
        lines.append(f"*{schema['title']}* — schéma `schemas/{schema_rel}`.")
    else:
        lines.append(f"Schéma `schemas/{schema_rel}`.")
    if schema.get("description"):
        lines += ["", schema["description"]]
    lines.append("")
    lines += table(schema, FIELD_NOTES.get(schema_rel, {}))
    lines.append("")
    return lines


def _names(root: Path) -> shared_lists.Labels | None:
    return shared_lists.load(root / "schemas") if (root / "schemas" / shared_lists.DEFS_FILE).is_file() else None


def annex_lists(root: Path) -> list[str]:
    """Les listes de schemas/defs.schema.json, avec leur libellé : la seule source des codes."""
    names = _names(root)
    if names is None:
        return []
    lines = ["## Annexe — listes partagées (`schemas/defs.schema.json`)", "",
             "Codes déclarés une seule fois et repris par `$ref` dans les schémas ; les libellés sont ceux",
             "qu'affichent les commandes, les rédactions et les bilans.", ""]
    for name in shared_lists.LISTS:
        node = names.defs[name]
        lines += [f"### {node.get('title') or name} (`$defs/{name}`)", ""]
        if node.get("description"):
            lines += [node["description"], ""]
        lines += ["| Code | Libellé |", "|---|---|"]
        lines += ["| " + " | ".join(cell(c) for c in (code(k), v)) + " |" for k, v in names.table(name).items()]
        lines.append("")
    return lines


def annex_statuses(root: Path) -> list[str]:
    path = root / "rules" / "cycle_de_vie.yaml"
    if not path.is_file():
        return []
    data = yamlio.load_mapping_fast(path)
    names = _names(root)
    lines = ["## Annexe — statuts d'une demande (`rules/cycle_de_vie.yaml`)", "",
             f"Statut d'une demande neuve : {code(data.get('statut_initial', 'recue'))}.", "",
             "| Statut | Libellé | Qui agit | Statuts suivants permis | Champs exigés |", "|---|---|---|---|---|"]
    for key, st in (data.get("statuts") or {}).items():
        fields = []
        for req in st.get("exige") or []:
            label = code(req["champ"])
            if req.get("si_disposition"):
                label += f" (si {code(req['si_disposition'])})"
            fields.append(label)
        nexts = ", ".join(code(s) for s in st.get("suivants") or []) or "— (statut final)"
        lines.append("| " + " | ".join(cell(c) for c in (code(key), names.statut(key) if names else "", st.get("acteur", ""), nexts,
                                                         ", ".join(fields) or "—")) + " |")
    return [*lines, ""]


def annex_dispositions(root: Path) -> list[str]:
    path = root / "rules" / "dispositions.yaml"
    if not path.is_file():
        return []
    data = yamlio.load_mapping_fast(path)
    names = _names(root)
    lines = ["## Annexe — dispositions sociales (`rules/dispositions.yaml`)", "",
             "| Code | Libellé | Famille | Base légale | Valeur DECP |", "|---|---|---|---|---|"]
    for key, d in (data.get("dispositions") or {}).items():
        decp = d.get("decp", "") + (" (à confirmer)" if d.get("decp_a_confirmer") else "")
        lines.append("| " + " | ".join(cell(c) for c in (code(key), names.disposition(key) if names else "", d.get("famille", ""),
                                                         d.get("base_legale", ""), decp)) + " |")
    return [*lines, ""]


def rules_schemas(schemas_dir: Path) -> list[Path]:
    found = {p.name.removesuffix(".schema.json"): p for p in (schemas_dir / "rules").glob("*.schema.json")}
    order = [n for n in RULES_FIRST if n in found] + sorted(n for n in found if n not in RULES_FIRST)
    return [found[n] for n in order]


def render(root: Path) -> str:
    schemas_dir = root / "schemas"
    lines = [
        "# Référence des champs",
        "",
        "<!-- Page générée par tools/gen_reference.py à partir des schémas : ne pas modifier à la main. -->",
        "",
        "Tous les champs de tous les types de fichiers du dépôt, tirés des schémas JSON de `schemas/`.",
        "Pour régénérer la page après une modification de schéma : `python tools/gen_reference.py`",
        "(la CI peut vérifier qu'elle est à jour avec `python tools/gen_reference.py --check`).",
        "",
        "Conventions communes :",
        "",
        "- dates au format `\"AAAA-MM-JJ\"`, **entre guillemets** ; SIRET (14 chiffres), codes CPV, départements et",
        "  communes également entre guillemets ;",
        "- montants en euros hors taxes, nombres sans espace ni symbole (`1450000`) ; proportions entre 0 et 1",
        "  (`0.05` pour 5 %) ;",
        "- « Obligatoire » vaut pour le schéma ; le statut d'une demande exige d'autres champs (annexe des",
        "  statuts) ; un champ noté `a[].b` est le champ `b` de chaque élément de la liste `a` ; `<clé>` désigne",
        "  une clé libre ou choisie dans la liste indiquée ;",
        "- aucune clé inconnue n'est acceptée : `guichet validate` propose la clé la plus proche.",
        "",
        "## Sommaire",
        "",
    ]
    sections: list[list[str]] = []
    toc: list[str] = []
    for title, location, rel in FILE_TYPES:
        path = schemas_dir / rel
        if path.is_file():
            toc.append(f"- {title} — `{location}`")
            sections.append(section(title, location, rel, load_schema_file(path)))
    for path in rules_schemas(schemas_dir):
        name = path.name.removesuffix(".schema.json")
        location = f"rules/{name}.yaml"
        toc.append(f"- Règles — `{location}`")
        sections.append(section("Règles", location, f"rules/{path.name}", load_schema_file(path)))
    annexes = annex_statuses(root) + annex_dispositions(root)
    if annexes:
        toc += ["- Annexe — statuts d'une demande", "- Annexe — dispositions sociales"]
    lists = annex_lists(root)
    if lists:
        toc.append("- Annexe — listes partagées")
        annexes += lists
    lines += toc + [""]
    for sec in sections:
        lines += sec
    lines += annexes
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère docs/reference-champs.md à partir des schémas JSON.")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent, help="racine du dépôt")
    parser.add_argument("--check", action="store_true", help="ne rien écrire ; code 1 si la page n'est pas à jour")
    args = parser.parse_args(argv)
    root = args.repo.resolve()
    target = root / "docs" / "reference-champs.md"
    text = render(root)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target.relative_to(root)} n'est pas à jour : lancer python tools/gen_reference.py", file=sys.stderr)
            return 1
        print(f"{target.relative_to(root)} est à jour.")
        return 0
    yamlio.atomic_write_text(target, text)
    print(f"{target.relative_to(root)} écrit ({text.count(chr(10))} lignes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
