"""Enregistrer sans éditer de YAML : buyer add, contact add, calibration validate, notify, kickoff.

Couche typer mince : options et questions (cli/ask.py), lecture des saisies par core/facts/inputs.py,
écriture et commit par core/recording.py. Les imports lourds restent dans les fonctions.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from guichet_cli.cli.common import RepoOption, echo, workspace

NoCommit = Annotated[bool, typer.Option("--no-commit", help="Écrit la modification sans la committer.")]
CaseArg = Annotated[str, typer.Argument(metavar="DEMANDE", help="Identifiant de la demande (GRCS-2026-7F3K) ou chemin du fichier.", show_default=False)]
DateOpt = Annotated[str | None, typer.Option("--date", metavar="AAAA-MM-JJ", help="Date du fait (AAAA-MM-JJ ou JJ/MM/AAAA) ; demandée dans un terminal, aujourd'hui par défaut.", show_default=False)]

buyer_app = typer.Typer(help="Registre des donneurs d'ordre (donneurs/).", no_args_is_help=True, rich_markup_mode=None)
contact_app = typer.Typer(help="Registre des contacts (contacts/) : le seul endroit des données personnelles.", no_args_is_help=True, rich_markup_mode=None)
calibration_app = typer.Typer(help="Calibrage des heures d'insertion d'une demande.", no_args_is_help=True, rich_markup_mode=None)


def _done(res: Any, what: str, ws: Any) -> None:
    echo(f"{what} : {ws.rel(res.path)}")
    if res.status_change:
        lc = ws.store.lifecycle
        echo(f"{res.ident} : {lc.label(res.status_change[0])} → {lc.label(res.status_change[1])}")
    echo(f"commit {res.sha[:10]}" if res.sha else "modification écrite, non committée")


def _date_parser(today: dt.date) -> Any:
    from guichet_cli.core.facts import inputs

    return lambda v: inputs.date(v, not_after=today)


@buyer_app.command("add")
def buyer_add(
    siret: Annotated[str | None, typer.Option("--siret", metavar="SIRET", help="SIRET du donneur d'ordre (14 chiffres, clé vérifiée).", show_default=False)] = None,
    name: Annotated[str | None, typer.Option("--name", metavar="NOM", help="Nom de l'organisme.", show_default=False)] = None,
    buyer_type: Annotated[str | None, typer.Option("--buyer-type", metavar="TYPE", help="Type d'acheteur (code ou libellé) : pouvoir adjudicateur, entité adjudicatrice, État… ; décide du seuil européen.", show_default=False)] = None,
    department: Annotated[str | None, typer.Option("--department", metavar="DÉPARTEMENT", help="Département : code (93) ou nom (Seine-Saint-Denis, « Seine-St-Denis »).", show_default=False)] = None,
    category: Annotated[str | None, typer.Option("--category", metavar="CATÉGORIE", help="Catégorie : commune, departement, bailleur_social, hopital… (facultatif).", show_default=False)] = None,
    contact: Annotated[list[str] | None, typer.Option("--contact", metavar="CONTACT", help="Contact dédié (contact-0007) ; répétable, facultatif.", show_default=False)] = None,
    no_commit: NoCommit = False,
    repo: RepoOption = None,
) -> None:
    """Ajoute un donneur d'ordre au registre donneurs/ et committe la fiche.

    Dans un terminal, les valeurs absentes sont demandées une à une (une réponse refusée est
    redemandée) ; dans un script, une option obligatoire manquante est une erreur.

    Exemples :

      guichet buyer add --siret 21930066200018 --name "Ville de Saint-Denis" --buyer-type pouvoir_adjudicateur --department 93

      guichet buyer add      (dans un terminal : les valeurs sont demandées)
    """
    from guichet_cli.cli.ask import Answers
    from guichet_cli.core import recording
    from guichet_cli.core.facts import inputs, labels
    from guichet_cli.core.schemas import load_schema

    ws = workspace(repo)
    names = labels.of(ws)
    types, deps = names.table("type_acheteur"), names.table("departement")
    cats = load_schema(ws.schemas_dir / "donneur.schema.json")["properties"]["categorie"]["enum"]
    a = Answers("buyer add", [siret, name, buyer_type, department])

    def new_siret(value: str) -> str:
        s = inputs.siret(value)
        if s in ws.store.registry.buyers:
            raise inputs.InputError(f"le donneur d'ordre {s} est déjà enregistré (donneurs/{s}.yaml)")
        return s

    v_siret = a.get(siret, "--siret", "SIRET (14 chiffres)", new_siret)
    v_name = a.get(name, "--name", "Nom de l'organisme", inputs.text)
    v_type = a.get(buyer_type, "--buyer-type", "Type d'acheteur (" + ", ".join(types.values()) + ")",
                   lambda x: inputs.choice(x, types, types))
    v_dep = a.get(department, "--department", "Département (code ou nom)", lambda x: inputs.department(x, deps))
    v_cat = a.get(category, "--category", "Catégorie (" + ", ".join(cats) + ")", lambda x: inputs.choice(x, cats), required=False,
                  ask_optional=True)
    a.done()
    res = recording.add_buyer(ws, siret=v_siret, nom=v_name, type_acheteur=v_type, departement=v_dep, categorie=v_cat,
                              contacts=list(contact or []), no_commit=no_commit)
    _done(res, f"Donneur d'ordre enregistré ({v_name})", ws)


@contact_app.command("add")
def contact_add(
    name: Annotated[str | None, typer.Option("--name", metavar="NOM", help="Nom de famille.", show_default=False)] = None,
    first_name: Annotated[str | None, typer.Option("--first-name", metavar="PRÉNOM", help="Prénom (facultatif).", show_default=False)] = None,
    organisation: Annotated[str | None, typer.Option("--organisation", metavar="ORGANISATION", help="SIRET du donneur d'ordre ou identifiant du partenaire (coordination-93…).", show_default=False)] = None,
    email: Annotated[str | None, typer.Option("--email", metavar="COURRIEL", help="Adresse de courriel (facultatif).", show_default=False)] = None,
    phone: Annotated[str | None, typer.Option("--phone", metavar="TÉLÉPHONE", help="Téléphone (facultatif).", show_default=False)] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="FONCTION", help="Fonction (facultatif).", show_default=False)] = None,
    legal_basis: Annotated[str | None, typer.Option("--legal-basis", metavar="BASE", help="Base légale RGPD : mission_interet_public, execution_convention ou consentement.", show_default=False)] = None,
    no_commit: NoCommit = False,
    repo: RepoOption = None,
) -> None:
    """Ajoute une fiche au registre contacts/ (identifiant contact-NNNN attribué) et la committe.

    Exemples :

      guichet contact add --name Exemple --first-name Hélène --organisation 21930066200018 --email helene.exemple@ville.fr

      guichet contact add      (dans un terminal : les valeurs sont demandées)
    """
    from guichet_cli.cli.ask import Answers
    from guichet_cli.core import recording
    from guichet_cli.core.facts import inputs
    from guichet_cli.core.schemas import load_schema

    ws = workspace(repo)
    bases = load_schema(ws.schemas_dir / "contact.schema.json")["properties"]["base_legale_rgpd"]["enum"]
    a = Answers("contact add", [name, organisation])
    v_name = a.get(name, "--name", "Nom de famille", lambda x: inputs.text(x, max_length=100))
    v_first = a.get(first_name, "--first-name", "Prénom", lambda x: inputs.text(x, max_length=100), required=False, ask_optional=True)
    v_org = a.get(organisation, "--organisation", "Organisation (SIRET du donneur d'ordre ou identifiant du partenaire)", inputs.text)
    v_mail = a.get(email, "--email", "Courriel", inputs.email, required=False, ask_optional=True)
    v_title = a.get(title, "--title", "Fonction", inputs.text, required=False, ask_optional=True)
    v_basis = a.get(legal_basis, "--legal-basis", "Base légale RGPD", lambda x: inputs.choice(x, bases), required=False)
    a.done()
    res = recording.add_contact(ws, nom=v_name, prenom=v_first, organisation=v_org, courriel=v_mail, telephone=phone,
                                fonction=v_title, base_legale_rgpd=v_basis, no_commit=no_commit)
    _done(res, f"Contact enregistré ({res.ident})", ws)


def facilitator_labels(ws: Any, departements: tuple[str, ...] = ()) -> dict[str, str]:
    """Facilitateurs du registre → « Prénom Nom (coordination-93) », ceux des départements du dossier d'abord."""
    reg = ws.store.registry
    out: dict[str, str] = {}
    facs = sorted(reg.facilitators.values(), key=lambda f: (not any(f.coordination.endswith(d) for d in departements), f.id))
    for fac in facs:
        person = reg.contacts.get(fac.contact)
        who = " ".join(x for x in (person.prenom, person.nom) if x) if person else fac.contact
        out[fac.id] = f"{who} ({fac.coordination})"
    return out


@calibration_app.command("validate")
def calibration_validate(
    case: CaseArg,
    by: Annotated[str | None, typer.Option("--by", metavar="FACILITATEUR", help="Facilitateur qui a validé le calibrage (identifiant du registre, ex. facilitateur-93-01, ou son nom).", show_default=False)] = None,
    date: DateOpt = None,
    no_commit: NoCommit = False,
    repo: RepoOption = None,
) -> None:
    """Enregistre la validation du calibrage par le facilitateur (analyse.calibrage.valide_par, valide_le).

    Exemples :

      guichet calibration validate GRCS-2026-7F3K --by facilitateur-93-01 --date 2026-04-02
    """
    from guichet_cli.cli.ask import Answers
    from guichet_cli.core import recording
    from guichet_cli.core.facts import inputs

    ws = workspace(repo)
    today = dt.date.today()
    target = ws.store.case(case)
    facs = facilitator_labels(ws, target.marche.departements)
    a = Answers("calibration validate")
    if by is None and a.tty:
        for fid, label in list(facs.items())[:12]:
            echo(f"  {fid} : {label}")
    v_by = a.get(by, "--by", "Facilitateur (identifiant ou nom)", lambda x: inputs.choice(x, facs, facs))
    v_date = a.get(date, "--date", "Date de validation", _date_parser(today), default=today.isoformat())
    a.done()
    res = recording.validate_calibration(ws, case, by=v_by, on=v_date or today, no_commit=no_commit)
    _done(res, f"Calibrage validé par {facs.get(v_by, v_by)}", ws)


def notify(
    case: CaseArg,
    holder: Annotated[list[str] | None, typer.Option("--holder", metavar="SIRET", help="SIRET d'un titulaire ; répéter l'option pour chaque titulaire.", show_default=False)] = None,
    holder_name: Annotated[list[str] | None, typer.Option("--holder-name", metavar="NOM", help="Nom du titulaire, dans l'ordre des --holder.", show_default=False)] = None,
    amount: Annotated[str | None, typer.Option("--amount", metavar="MONTANT", help="Montant notifié en euros HT : 1450000, « 1 450 000 € », « 1,2 M€ ».", show_default=False)] = None,
    hours: Annotated[float | None, typer.Option("--hours", metavar="HEURES", help="Heures d'insertion inscrites au marché notifié (facultatif).", show_default=False)] = None,
    date: DateOpt = None,
    no_commit: NoCommit = False,
    repo: RepoOption = None,
) -> None:
    """Enregistre la notification du marché : date, titulaires (SIRET et nom), montant notifié.

    Une demande au statut « décision rendue » passe au statut « marché notifié » (même commit).

    Exemples :

      guichet notify GRCS-2026-7F3K --holder 43390511400503 --holder-name "Propreté Exemple SAS" --amount "1,4 M€" --date 15/03/2027
    """
    from guichet_cli.cli.ask import Answers, ask
    from guichet_cli.core import recording
    from guichet_cli.core.errors import UsageError
    from guichet_cli.core.facts import inputs

    ws = workspace(repo)
    today = dt.date.today()
    a = Answers("notify", [holder, date])
    sirets = [a.get(s, "--holder", "", inputs.siret) for s in (holder or [])]
    given = list(holder_name or [])
    if len(given) > len(sirets):
        raise UsageError("plus de --holder-name que de --holder", "donner un --holder-name par --holder, dans le même ordre")
    names = [a.get(given[i] if i < len(given) else None, "--holder-name", f"Nom du titulaire {s}", inputs.text)
             for i, s in enumerate(sirets)]
    if not sirets and a.tty:
        while True:
            s = ask("SIRET du titulaire", inputs.siret)
            sirets.append(s)
            names.append(ask(f"Nom du titulaire {s}", inputs.text))
            if not ask("Un autre titulaire ? (oui/non)", inputs.yes_no, default="non"):
                break
    elif not sirets:
        a.missing.append("--holder")
    v_amount = a.get(amount, "--amount", "Montant notifié HT", inputs.amount, required=False, ask_optional=True)
    v_date = a.get(date, "--date", "Date de notification", _date_parser(today), default=today.isoformat())
    a.done()
    res = recording.notify(ws, case, holders=list(zip(sirets, names, strict=True)), on=v_date or today, amount=v_amount,
                           hours=hours, no_commit=no_commit)
    _done(res, "Notification enregistrée", ws)


def kickoff(
    case: CaseArg,
    date: DateOpt = None,
    facilitator_present: Annotated[bool | None, typer.Option("--facilitator-present/--facilitator-absent", help="Le facilitateur était-il présent ? Demandé dans un terminal.", show_default=False)] = None,
    no_commit: NoCommit = False,
    repo: RepoOption = None,
) -> None:
    """Enregistre la réunion de lancement du marché (execution.reunion_lancement).

    Exemples :

      guichet kickoff GRCS-2026-7F3K --date 2027-04-02 --facilitator-present
    """
    from guichet_cli.cli.ask import Answers
    from guichet_cli.core import recording
    from guichet_cli.core.facts import inputs

    ws = workspace(repo)
    today = dt.date.today()
    a = Answers("kickoff")
    v_date = a.get(date, "--date", "Date de la réunion de lancement", _date_parser(today), default=today.isoformat())
    v_present = a.get(facilitator_present, "--facilitator-present/--facilitator-absent", "Facilitateur présent ? (oui/non)",
                      inputs.yes_no)
    a.done()
    res = recording.kickoff(ws, case, on=v_date or today, facilitator_present=bool(v_present), no_commit=no_commit)
    _done(res, "Réunion de lancement enregistrée", ws)


def _count(value: Any) -> int:
    from guichet_cli.core.facts import inputs

    text = str(value).strip()
    if not text.isdigit():
        raise inputs.InputError(f"« {text} » n'est pas un nombre de personnes", "un nombre entier, par exemple 6")
    return int(text)


def _hours(value: Any) -> float | int:
    from guichet_cli.core.facts import inputs

    text = str(value).strip().replace(",", ".").removesuffix("h").strip().replace(" ", "")
    try:
        number = float(text)
    except ValueError:
        raise inputs.InputError(f"« {value} » n'est pas un nombre d'heures", "par exemple 1050 ou 1 050 h") from None
    if number < 0:
        raise inputs.InputError("un nombre d'heures ne peut pas être négatif")
    return int(number) if number.is_integer() else number


def results(
    case: CaseArg,
    year: Annotated[int | None, typer.Option("--year", metavar="ANNÉE", help="Année d'exécution (AAAA).", show_default=False)] = None,
    hours_done: Annotated[str | None, typer.Option("--hours-done", metavar="HEURES", help="Heures d'insertion réalisées dans l'année.", show_default=False)] = None,
    hours_planned: Annotated[str | None, typer.Option("--hours-planned", metavar="HEURES", help="Heures prévues pour l'année (facultatif ; sinon prorata).", show_default=False)] = None,
    participants: Annotated[str | None, typer.Option("--participants", metavar="NOMBRE", help="Personnes distinctes accompagnées (effectif, jamais de noms).", show_default=False)] = None,
    women: Annotated[str | None, typer.Option("--women", metavar="NOMBRE", help="Dont femmes (facultatif).", show_default=False)] = None,
    men: Annotated[str | None, typer.Option("--men", metavar="NOMBRE", help="Dont hommes (facultatif).", show_default=False)] = None,
    transmitted: Annotated[str | None, typer.Option("--transmitted", metavar="AAAA-MM-JJ", help="Date de transmission des résultats par le facilitateur (facultatif).", show_default=False)] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Remplace les résultats déjà enregistrés pour cette année.")] = False,
    no_commit: NoCommit = False,
    repo: RepoOption = None,
) -> None:
    """Enregistre les résultats d'une année d'exécution (resultats[]) : heures et participants.

    Le détail (publics, contrats, sorties, partie qualitative) se complète dans l'éditeur.

    Exemples :

      guichet results GRCS-2026-7F3K --year 2026 --hours-done 780 --hours-planned 1050 --participants 6 --women 2 --men 4
    """
    from guichet_cli.cli.ask import Answers
    from guichet_cli.core import recording

    ws = workspace(repo)
    today = dt.date.today()
    a = Answers("results", [year, hours_done, participants])

    def _year(v: Any) -> int:
        from guichet_cli.core.facts import inputs

        if not str(v).strip().isdigit() or not 2000 <= int(v) <= today.year:
            raise inputs.InputError(f"« {v} » n'est pas une année passée ou en cours", f"par exemple {today.year}")
        return int(v)

    v_year = a.get(year, "--year", "Année d'exécution", _year, default=str(today.year))
    v_done = a.get(hours_done, "--hours-done", "Heures réalisées dans l'année", _hours)
    v_planned = a.get(hours_planned, "--hours-planned", "Heures prévues pour l'année", _hours, required=False, ask_optional=True)
    v_total = a.get(participants, "--participants", "Personnes accompagnées (effectif)", _count)
    v_women = a.get(women, "--women", "Dont femmes", _count, required=False, ask_optional=True)
    v_men = a.get(men, "--men", "Dont hommes", _count, required=False, ask_optional=True)
    v_sent = a.get(transmitted, "--transmitted", "Date de transmission", _date_parser(today), required=False)
    a.done()
    people = {"total": v_total, **({"femmes": v_women} if v_women is not None else {}), **({"hommes": v_men} if v_men is not None else {})}
    res = recording.record_results(ws, case, year=v_year, hours_done=v_done, participants=people, hours_planned=v_planned,
                                   transmitted=v_sent, replace=replace, no_commit=no_commit)
    _done(res, f"Résultats {v_year} enregistrés", ws)


def register(app: typer.Typer) -> None:
    app.add_typer(buyer_app, name="buyer")
    app.add_typer(contact_app, name="contact")
    app.add_typer(calibration_app, name="calibration")
    app.command("notify")(notify)
    app.command("kickoff")(kickoff)
    app.command("results")(results)



