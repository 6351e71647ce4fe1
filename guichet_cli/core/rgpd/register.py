"""Registre des activités de traitement (RGPD, article 30), généré à partir des données du dépôt.

Quatre sources, aucune phrase du registre n'est écrite deux fois :
- les schémas : les catégories de données sont les champs marqués `x-personnel` (rangés par
  `x-rgpd-categorie`) de schemas/contact.schema.json ; les fichiers qui désignent une personne
  sont les champs dont le motif est une référence au registre contacts/ ; les bases légales sont
  l'énumération de `base_legale_rgpd` ;
- guichet.yaml : durée de conservation (`conservation_contacts_mois`), adresse des demandes
  (`contact_rgpd`), seuil du secret statistique ;
- partners/ : les destinataires sont les partenaires dont la source cite l'annexe de la charte ;
- rules/rgpd.yaml : finalités, personnes concernées, libellés des bases légales, droits.

`tools/gen_register.py` écrit la page (docs/registre-traitements.md) ; `--check` la compare.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guichet_cli.core.errors import DataError
from guichet_cli.core.rgpd import people
from guichet_cli.core.workspace import Workspace

CONTACT_SCHEMA = "contact.schema.json"
CONTACT_REF_PATTERN = "^contact-[a-z0-9-]+$"
# Fichiers de données décrits par un schéma du dossier schemas/ : emplacement affiché.
LOCATIONS = {
    "demande.schema.json": "cases/<année>/<id>.yaml",
    "donneur.schema.json": "donneurs/<siret>.yaml",
    "partenaire.schema.json": "partners/<id>.yaml",
    "structure.schema.json": "structures/<siret>.yaml",
    "suivi.schema.json": "cases/<année>/<id>.yaml (bloc suivi)",
    "sourcing.schema.json": "cases/<année>/<id>.yaml (bloc sourcing)",
}
RULES = "rgpd"


def _schema(ws: Workspace, name: str) -> dict[str, Any]:
    from guichet_cli.core.schemas import load_schema  # le lecteur commun des schémas (message et cache)

    return load_schema(ws.schemas_dir / name)


@dataclass(frozen=True)
class PersonalField:
    name: str
    category: str
    description: str


def personal_fields(ws: Workspace) -> list[PersonalField]:
    """Les champs de la fiche contact marqués `x-personnel`, dans l'ordre du schéma."""
    props = _schema(ws, CONTACT_SCHEMA).get("properties", {})
    out = []
    for name, spec in props.items():
        if spec.get("x-personnel"):
            out.append(PersonalField(name, spec.get("x-rgpd-categorie", "autre"), spec.get("description", "")))
    return out


def _walk(node: Any, path: str) -> Iterator[str]:
    """Chemins (notation « a.b[] ») des champs dont le motif est une référence à contacts/."""
    if isinstance(node, dict):
        if node.get("pattern") == CONTACT_REF_PATTERN:
            yield path
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop, spec in value.items():
                    yield from _walk(spec, f"{path}.{prop}" if path else prop)
            elif key == "items":
                yield from _walk(value, f"{path}[]")
            elif key == "$defs" and isinstance(value, dict):
                for name, spec in value.items():
                    yield from _walk(spec, f"$defs.{name}")
            elif key not in ("properties", "pattern"):
                if isinstance(value, dict | list):
                    yield from _walk(value, path)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, path)


def references(ws: Workspace) -> list[tuple[str, str, list[str]]]:
    """(schéma, emplacement, champs) : où un fichier désigne une personne par son identifiant."""
    out = []
    for path in sorted(ws.schemas_dir.glob("*.schema.json")):
        if path.name == CONTACT_SCHEMA:
            continue
        found = list(dict.fromkeys(_walk(_schema(ws, path.name), "")))
        if found:
            out.append((path.name, LOCATIONS.get(path.name, path.name), found))
    return out


def recipients(ws: Workspace, annex: str) -> list[Any]:
    """Partenaires du registre dont la source cite l'annexe de la charte (hors MACS, responsable)."""
    return [p for p in sorted(ws.store.registry.partners.values(), key=lambda p: (p.type, p.id))
            if annex in p.source and p.type != "macs"]


def _type_labels(ws: Workspace) -> dict[str, str]:
    return _schema(ws, "partenaire.schema.json").get("properties", {}).get("type", {}).get("x-libelles", {})


def build(ws: Workspace) -> str:
    """La page Markdown du registre. Ne dépend que des fichiers du dépôt (pas de date du jour)."""
    rules = ws.store.rules(RULES)
    contact_props = _schema(ws, CONTACT_SCHEMA).get("properties", {})
    bases = contact_props.get("base_legale_rgpd", {}).get("enum", [])
    labels = rules["bases_legales"]
    missing = [b for b in bases if b not in labels]
    if missing:
        raise DataError(f"rules/{RULES}.yaml : base légale sans libellé : {', '.join(missing)}",
                        "ajouter son libellé sous bases_legales (valeurs de base_legale_rgpd dans schemas/contact.schema.json)")
    months = people.retention_months(ws)
    address = ws.setting("contact_rgpd", None)
    if not address:
        raise DataError("guichet.yaml : contact_rgpd manque (adresse des demandes d'accès et de rectification)",
                        "ajouter contact_rgpd: macs@maximilien.fr")
    threshold = ws.setting("secret_statistique_seuil", 3)
    fields = personal_fields(ws)
    type_labels = _type_labels(ws)

    lines = [
        "# Registre des activités de traitement",
        "",
        "<!-- Page GÉNÉRÉE par « python tools/gen_register.py » : ne pas la modifier à la main. Sources : "
        "schemas/contact.schema.json (champs x-personnel), les schémas qui désignent un contact, guichet.yaml, "
        f"partners/, rules/{RULES}.yaml. -->",
        "",
        f"Registre tenu au titre de l'article 30 du RGPD. Sources : {rules['source']}.",
        "",
        "## Traitement",
        "",
        "| | |",
        "|---|---|",
        f"| Nom du traitement | {rules['traitement']} |",
        f"| Responsable du traitement | {rules['responsable']} |",
        f"| Demandes des personnes (accès, rectification, effacement) | {address} |",
        "",
        "## Finalités",
        "",
    ]
    lines += [f"- {f['libelle']}. *Source : {f['source']}.*" for f in rules["finalites"]]
    lines += ["", "Les données ne sont utilisées pour aucune autre finalité.", "", "## Personnes concernées", ""]
    lines += [f"- {p}" for p in rules["personnes_concernees"]]
    lines += ["", "## Catégories de données", "",
              f"Toutes les données personnelles sont dans le registre `contacts/` (une fiche par personne, "
              f"`schemas/{CONTACT_SCHEMA}`) ; ce sont les champs marqués `x-personnel` :", "",
              "| Catégorie | Champ | Description |", "|---|---|---|"]
    for f in sorted(fields, key=lambda f: f.category):
        lines.append(f"| {f.category} | `{f.name}` | {f.description or '—'} |")
    lines += ["", "Ailleurs, une personne n'est désignée que par l'identifiant de sa fiche (un pseudonyme, "
              "`contact-0007`) :", "", "| Fichiers | Champs |", "|---|---|"]
    for _name, location, paths in references(ws):
        lines.append(f"| `{location}` | " + ", ".join(f"`{p}`" for p in paths) + " |")
    if rules.get("exclusions"):
        lines += ["", "Données jamais traitées :", ""]
        lines += [f"- {ex['libelle']}. *Source : {ex['source']}.*" for ex in rules["exclusions"]]
    lines += ["", f"Bilans publics : effectifs inférieurs à {threshold} masqués (`secret_statistique_seuil` de guichet.yaml), "
              "avec le secret secondaire (ce qui permettrait de les recalculer est masqué aussi)."]
    lines += ["", "## Bases légales", "",
              "Chaque fiche porte la sienne (`base_legale_rgpd`) :", "", "| Valeur | Base légale |", "|---|---|"]
    lines += [f"| `{b}` | {labels[b]} |" for b in bases]
    lines += ["", "## Destinataires", "",
              "Les données ne sont partagées qu'avec les partenaires qui interviennent sur une demande "
              f"(charte, {rules['annexe_destinataires']}) — chacun ne reçoit que les demandes sur lesquelles il est orienté :",
              "", "| Partenaire | Sigle | Rôle | Départements |", "|---|---|---|---|"]
    for p in recipients(ws, rules["annexe_destinataires"]):
        deps = ", ".join(p.departements) if len(p.departements) < 8 else "toute l'Île-de-France"
        lines.append(f"| {p.nom} | {p.sigle or '—'} | {type_labels.get(p.type, p.type)} | {deps} |")
    lines += ["", f"Transferts hors de l'Union européenne : {rules['transferts']}", "", "## Durée de conservation", "",
              f"- Une fiche de contact est conservée **{months} mois** après la clôture (ou l'abandon) de la dernière "
              "demande qui la désigne (`conservation_contacts_mois` de guichet.yaml), sauf date fixée sur la fiche "
              "(`conserver_jusqu_au`) ; jamais au-delà tant qu'un registre la désigne encore (facilitateur, contact dédié).",
              "- `guichet rgpd due` liste les fiches dont la durée est dépassée ; `guichet validate` les signale.",
              "- L'historique git garde les versions passées jusqu'à la purge (`guichet rgpd erase PERSONNE --rewrite-history`).",
              "", "## Droits des personnes", "",
              f"Toute personne peut demander à voir ou corriger ses données en écrivant à **{address}**.", "",
              "| Droit | RGPD | Commande |", "|---|---|---|"]
    for d in rules["droits"]:
        lines.append(f"| {d['libelle']} | {d['article']} | " + (f"`{d['commande']}`" if d.get("commande") else "—") + " |")
    if rules.get("securite"):
        lines += ["", "## Sécurité", ""]
        lines += [f"- {s}" for s in rules["securite"]]
    return "\n".join(lines) + "\n"


def default_output(root: Path) -> Path:
    return root / "docs" / "registre-traitements.md"
