"""`guichet new` : enregistre une nouvelle demande reçue (couche typer mince, logique dans core/cases.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from guichet_cli.cli.common import RepoOption, echo, interactive, workspace
from guichet_cli.core.errors import GuichetError, UsageError

# option → (question posée en terminal, convertisseur) pour les valeurs obligatoires
_REQUIRED: dict[str, tuple[str, str, Any]] = {
    "buyer": ("--buyer", "SIRET du donneur d'ordre (14 chiffres)", str),
    "requester": ("--requester", "Contact demandeur (identifiant de contacts/, ex. contact-0007)", str),
    "object": ("--object", "Objet du marché", str),
    "nature": ("--nature", "Nature du marché (travaux, services, fournitures)", str),
    "cpv": ("--cpv", "Codes CPV (un ou plusieurs), séparés par des virgules", str),
    "amount": ("--amount", "Montant estimé HT en euros (ex. 1450000)", str),
    "duration": ("--duration", "Durée en mois", int),
    "form": ("--form", "Forme du marché (marche_ordinaire, accord_cadre_bons_de_commande…)", str),
    "department": ("--department", "Départements d'exécution (un ou plusieurs : 75, 77, 78, 91, 92, 93, 94, 95), séparés par des virgules", str),
}


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def new(
    buyer: Annotated[str | None, typer.Option("--buyer", metavar="SIRET", help="SIRET du donneur d'ordre (registre donneurs/).", show_default=False)] = None,
    requester: Annotated[str | None, typer.Option("--requester", metavar="CONTACT", help="Contact qui fait la demande (identifiant de contacts/).", show_default=False)] = None,
    object_: Annotated[str | None, typer.Option("--object", metavar="TEXTE", help="Objet du marché.", show_default=False)] = None,
    nature: Annotated[str | None, typer.Option("--nature", metavar="NATURE", help="Nature : travaux, services ou fournitures.", show_default=False)] = None,
    cpv: Annotated[list[str] | None, typer.Option("--cpv", metavar="CPV", help="Code CPV (8 chiffres) ; répéter l'option pour plusieurs codes.", show_default=False)] = None,
    amount: Annotated[str | None, typer.Option("--amount", metavar="MONTANT", help="Montant estimé en euros HT : 1450000, « 1 450 000 € », « 1 450 000,50 », « 1,45 M€ » ou « 800 k€ ».", show_default=False)] = None,
    max_amount: Annotated[str | None, typer.Option("--max-amount", metavar="MONTANT", help="Montant maximum HT d'un accord-cadre (mêmes écritures que --amount).", show_default=False)] = None,
    duration: Annotated[int | None, typer.Option("--duration", metavar="MOIS", help="Durée du marché en mois.", show_default=False)] = None,
    form: Annotated[str | None, typer.Option("--form", metavar="FORME", help="Forme : marche_ordinaire, accord_cadre_bons_de_commande, accord_cadre_marches_subsequents, accord_cadre_mixte, marche_subsequent, concession.", show_default=False)] = None,
    procedure: Annotated[str | None, typer.Option("--procedure", metavar="PROCÉDURE", help="Procédure : procedure_adaptee, appel_offres_ouvert, appel_offres_restreint, procedure_avec_negociation, dialogue_competitif…", show_default=False)] = None,
    launch: Annotated[str | None, typer.Option("--launch", metavar="AAAA-MM-JJ", help="Date prévue de lancement de la consultation (AAAA-MM-JJ).", show_default=False)] = None,
    department: Annotated[list[str] | None, typer.Option("--department", metavar="DÉPARTEMENT", help="Département d'exécution (75, 77, 78, 91, 92, 93, 94, 95) ; répétable.", show_default=False)] = None,
    commune: Annotated[list[str] | None, typer.Option("--commune", metavar="INSEE", help="Code INSEE d'une commune d'exécution (93066) ; répétable, facultatif.", show_default=False)] = None,
    buyer_type: Annotated[str | None, typer.Option("--buyer-type", metavar="TYPE", help="Type d'acheteur (etat, pouvoir_adjudicateur, entite_adjudicatrice…) ; par défaut celui du registre.", show_default=False)] = None,
    received: Annotated[str | None, typer.Option("--received", metavar="AAAA-MM-JJ", help="Date de réception de la demande (AAAA-MM-JJ) ; par défaut aujourd'hui.", show_default=False)] = None,
    channel: Annotated[str | None, typer.Option("--channel", metavar="CANAL", help="Canal de réception : courriel, formulaire, telephone, reunion, plan_achat.", show_default=False)] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Écrit le fichier sans le committer.")] = False,
    repo: RepoOption = None,
) -> None:
    """Enregistre une nouvelle demande reçue : crée cases/<année>/<identifiant>.yaml, le valide et affiche son chemin.

    L'identifiant (GRCS-<année>-XXXX, suffixe aléatoire) et la date de réception sont remplis
    automatiquement. Dans un terminal, les valeurs obligatoires absentes sont demandées ; dans un
    script, une option manquante est une erreur. Dans un dépôt git, le fichier est committé
    (sauf --no-commit). Rien n'est écrit si la demande ne serait pas valide.

    Exemples :

      guichet new --buyer 21930066200018 --requester contact-0007 --object "Nettoyage des écoles" --nature services --cpv 90911200 --amount 1450000 --duration 48 --form accord_cadre_bons_de_commande --department 93

      guichet new --buyer 21930066200018 --requester contact-0007 --object "Réhabilitation du gymnase" --nature travaux --cpv 45000000 --cpv 45400000 --amount 2300000 --duration 18 --form marche_ordinaire --procedure appel_offres_ouvert --launch 2027-01-15 --department 93 --commune 93066 --received 2026-11-20 --channel courriel

      guichet new        (dans un terminal : les valeurs sont demandées une à une)
    """
    values: dict[str, Any] = {
        "buyer": buyer, "requester": requester, "object": object_, "nature": nature, "cpv": cpv or None,
        "amount": amount, "duration": duration, "form": form, "department": department or None,
    }
    if not values["department"] and commune:
        values["department"] = []  # les départements se déduisent des communes
    missing = [k for k, v in values.items() if v is None]
    if missing and not interactive():
        raise UsageError(
            "valeurs obligatoires manquantes : " + ", ".join(_REQUIRED[k][0] for k in missing),
            "ajouter ces options (voir « guichet new --help ») ou lancer la commande dans un terminal pour répondre aux questions",
        )
    ws = workspace(repo)
    from guichet_cli.core import audit  # imports différés (git, ruamel) : démarrage rapide de la CLI
    from guichet_cli.core.cases import NewCase, create_case
    from guichet_cli.core.facts import labels

    deps = labels.of(ws).table("departement")
    if values["department"]:
        # « Seine-St-Denis » comme « 93 » (même lecture que les questions) ; un code inconnu est laissé
        # tel quel : la validation de la demande le refuse avec la liste des valeurs possibles.
        values["department"] = [_department_code(d, deps) for v in values["department"] for d in _split(v)]
    if missing:
        from guichet_cli.cli.ask import ask

        parsers = _parsers(ws)
        for key in missing:
            _opt, question, _conv = _REQUIRED[key]
            values[key] = ask(question, parsers[key])
        if launch is None:
            # L2112-2-1 dépend de la date de lancement : la demander (Entrée si elle n'est pas connue).
            from guichet_cli.core.facts import dates

            launch = ask("Date prévue de lancement de la consultation (AAAA-MM-JJ ou JJ/MM/AAAA ; Entrée si inconnue)",
                         lambda v: dates.parse_input(v).isoformat() if v.strip() else None, default="")
    spec = NewCase(
        buyer=values["buyer"], requester=values["requester"], object=values["object"], nature=values["nature"],
        cpv=values["cpv"], amount=values["amount"], duration=values["duration"], form=values["form"],
        departments=values["department"], communes=list(commune or []), max_amount=max_amount, procedure=procedure,
        launch=launch, buyer_type=buyer_type, received=received, channel=channel,
    )
    # Avant d'écrire : HEAD détachée, index déjà chargé, pas d'identité git… → rien n'est créé.
    with ws.store.writing():  # identifiant choisi, fichier créé et committé sous le verrou du dépôt
        audit.check_can_commit(ws, [], no_commit=no_commit)
        case_id, path = create_case(ws, spec)
        echo(f"Demande créée : {ws.rel(path)}")
        _commit(ws, path, case_id, no_commit)


def _department_code(value: str, deps: dict[str, str]) -> str:
    from guichet_cli.core.facts import inputs

    try:
        return inputs.department(value, deps)
    except inputs.InputError:
        return value


def _parsers(ws: Any) -> dict[str, Any]:
    """Lecture de chaque réponse, vérifiée dès la saisie (une réponse refusée est redemandée)."""
    import re

    from guichet_cli.core.facts import inputs, labels

    reg, names = ws.store.registry, labels.of(ws)

    def buyer(v: str) -> str:
        s = inputs.siret(v)
        if s not in reg.buyers:
            raise inputs.InputError(f"donneur d'ordre {s} absent du registre donneurs/", "l'enregistrer d'abord : guichet buyer add")
        return s

    def requester(v: str) -> str:
        if v.strip() not in reg.contacts:
            raise inputs.InputError(f"contact « {v.strip()} » absent du registre contacts/", "l'enregistrer d'abord : guichet contact add")
        return v.strip()

    def cpv(v: str) -> list[str]:
        codes = _split(v)
        bad = [c for c in codes if not re.fullmatch(r"\d{8}(-\d)?", c)]
        if not codes or bad:
            raise inputs.InputError(f"code CPV invalide : {', '.join(bad) or 'aucun'}", "8 chiffres, par exemple 90911200")
        return codes

    def duration(v: str) -> int:
        if not v.strip().isdigit() or int(v) < 1:
            raise inputs.InputError(f"« {v} » n'est pas une durée en mois", "un nombre entier de mois, par exemple 36")
        return int(v)

    def departments(v: str) -> list[str]:
        deps = names.table("departement")
        if not _split(v):
            raise inputs.InputError("au moins un département", "code ou nom : " + ", ".join(f"{c} ({n})" for c, n in deps.items()))
        return [inputs.department(d, deps) for d in _split(v)]

    return {
        "buyer": buyer, "requester": requester, "object": inputs.text, "cpv": cpv, "amount": lambda v: str(inputs.amount(v)),
        "nature": lambda v: inputs.choice(v, names.table("nature"), names.table("nature")), "duration": duration,
        "form": lambda v: inputs.choice(v, names.table("forme"), names.table("forme")), "department": departments,
    }


def _commit(ws: Any, path: Path, case_id: str, no_commit: bool) -> None:
    from guichet_cli.core import audit  # GitPython : importé par la commande, pas au démarrage

    try:
        sha = audit.commit_changes(
            ws, [path], case_id=case_id, action="creation", subject=f"{case_id} : demande reçue",
            status_change=(None, "recue"), no_commit=no_commit,
        )
    except GuichetError as exc:
        # Le fichier est bien créé : relancer `guichet new` créerait une seconde demande.
        raise type(exc)(
            f"{ws.rel(path)} est créé mais n'a pas été committé : {exc.message}",
            "committer ce fichier soi-même (git add puis git commit) ; ne pas relancer guichet new, qui créerait une seconde demande",
        ) from None
    if sha:
        echo(f"Commit {sha[:10]} : {case_id} : demande reçue")


def register(app: typer.Typer) -> None:
    app.command("new")(new)
