"""Agrégation des faits d'une année en indicateurs (dictionnaire JSON, clés françaises, ordre stable).

Les participants sont sommés marché par marché : une personne présente sur deux marchés est
comptée deux fois (les dossiers ne portent pas d'identifiant de personne).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from guichet_cli.core.report.facts import PERSON_KEYS, Facts
from guichet_cli.core.report.settings import ReportSettings
from guichet_cli.core.sourcing.followup import indicators as sourcing_indicators

LastCommit = Callable[[str], tuple[str, str] | None]


def rate(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _num(x: float) -> float | int:
    """Entier quand la valeur est entière : 845.0 → 845 (JSON et tableurs plus lisibles)."""
    return int(x) if float(x).is_integer() else round(float(x), 2)


def _sorted_counts(counter: Counter[str] | dict[str, float], order: dict[str, str]) -> dict[str, float | int]:
    known = [k for k in order if k in counter]
    extra = sorted(k for k in counter if k not in order)
    return {k: _num(counter[k]) for k in known + extra}


def _results(facts: list[Facts], settings: ReportSettings) -> dict[str, Any]:
    planned = sum(f.planned or 0 for f in facts if f.result is not None)
    done = sum(f.done or 0 for f in facts if f.result is not None)
    # taux de réalisation : seulement les marchés qui ont des heures prévues (un marché réservé n'en a pas)
    done_with_plan = sum(f.done or 0 for f in facts if f.result is not None and f.planned)
    people: Counter[str] = Counter()
    publics: Counter[str] = Counter()
    contracts: Counter[str] = Counter()
    modalities: Counter[str] = Counter()
    exits: Counter[str] = Counter()
    inclusive_n, inclusive_ca = 0, 0.0
    for f in facts:
        res = f.result
        if res is None:
            continue
        part = res.participants
        for key in PERSON_KEYS:
            value = part.count(key)
            if value is not None:
                people[key] += value
        publics.update(part.par_public)
        contracts.update(res.contrats)
        for k, v in res.heures_par_modalite.items():
            modalities[k] += v
        exits.update(res.sorties)
        inc = res.entreprises_inclusives
        if inc is not None:
            inclusive_n += inc.nombre or 0
            inclusive_ca += inc.chiffre_affaires_ht or 0
    total_people = people.get("total", 0)
    return {
        "heures": {
            "marches_avec_resultats": sum(1 for f in facts if f.result is not None),
            "prevues": _num(planned),
            "realisees": _num(done),
            "realisees_sur_marches_avec_heures_prevues": _num(done_with_plan),
            "taux_realisation": rate(done_with_plan, planned),
            "etp_realises": round(done / settings.etp_hours, 2),
            "etp_heures": _num(settings.etp_hours),
            "par_modalite": _sorted_counts(modalities, settings.labels.get("modalites", {})),
        },
        "participants": {
            "total": total_people,
            "profil": _sorted_counts({k: v for k, v in people.items() if k != "total"}, settings.labels.get("profil", {})),
            "par_public": _sorted_counts(publics, settings.labels.get("publics", {})),
        },
        "contrats": {"total": sum(contracts.values()), "par_type": _sorted_counts(contracts, settings.labels.get("contrats", {}))},
        "sorties": {
            "total": sum(exits.values()),
            "par_type": _sorted_counts(exits, settings.labels.get("sorties", {})),
            "taux_sorties_dynamiques": rate(
                sum(exits.get(k, 0) for k in ("emploi_durable", "emploi_transition", "sortie_positive")), total_people
            ),
        },
        "entreprises_inclusives": {"nombre": inclusive_n, "chiffre_affaires_ht": _num(inclusive_ca)},
    }


def _ratio(yes: int, of: int) -> dict[str, Any]:
    return {"oui": yes, "sur": of, "taux": rate(yes, of)}


def compute(
    facts: list[Facts],
    settings: ReportSettings,
    *,
    partner_label: Callable[[str], str],
) -> dict[str, Any]:
    """Indicateurs d'un ensemble de dossiers pour une année (un donneur ou toute la région)."""
    received = [f for f in facts if f.received]
    decided = [f for f in facts if f.decided]
    notified = [f for f in facts if f.notified]
    suites = Counter(f.suite or "non renseignée" for f in decided)
    statuses = Counter(f.status or "non renseigné" for f in received)
    by_family: dict[str, dict[str, float]] = defaultdict(lambda: {"marches": 0, "montant_ht": 0.0})
    decp: Counter[str] = Counter()
    for f in notified:
        for fam in f.families or ["non renseignée"]:
            by_family[fam]["marches"] += 1
            by_family[fam]["montant_ht"] += f.amount or 0
        decp.update(f.decp)
    social = [f for f in notified if any(fam != "aucune" for fam in f.families)]
    delays = sorted(f.delay_days for f in facts if f.delay_days is not None)
    partners: Counter[str] = Counter()
    for f in facts:
        partners.update(f.partners)
    expected = [f for f in facts if f.expected_results]
    calibrated = [f for f in facts if f.calibrated]
    fam_labels = settings.labels.get("familles", {})
    out: dict[str, Any] = {
        "demandes": {
            "recues": len(received),
            "par_statut": _sorted_counts(statuses, settings.labels.get("statuts", {})),
        },
        "recommandations": {
            "decisions": len(decided),
            "par_suite": _sorted_counts(suites, settings.labels.get("suites", {})),
            "taux_suivi": rate(suites.get("suivie", 0), len(decided)),
            "taux_suivi_total_ou_partiel": rate(suites.get("suivie", 0) + suites.get("partiellement_suivie", 0), len(decided)),
            "motifs": [
                {"dossier": f.case.id, "suite": f.suite, "motif": f.motif}
                for f in decided
                if f.suite in ("partiellement_suivie", "non_suivie")
            ],
        },
        "marches": {
            "notifies": len(notified),
            "avec_disposition_sociale": len(social),
            "montant_notifie_ht": _num(sum(f.amount or 0 for f in notified)),
            "montant_avec_disposition_sociale_ht": _num(sum(f.amount or 0 for f in social)),
            "par_famille": {
                fam: {"libelle": fam_labels.get(fam, fam), "marches": v["marches"], "montant_ht": _num(v["montant_ht"])}
                for fam, v in sorted(by_family.items(), key=lambda kv: (list(fam_labels).index(kv[0]) if kv[0] in fam_labels else 99, kv[0]))
            },
            "considerations_sociales_decp": dict(sorted(decp.items())),
        },
        **_results(facts, settings),
        "partenaires": [
            {"id": pid, "libelle": partner_label(pid), "dossiers": n} for pid, n in sorted(partners.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "sourcing": sourcing_indicators([f.case for f in facts], partner_label),
        "delais": {
            "recommandations_transmises": len(delays),
            "moyen_jours": round(statistics.fmean(delays), 1) if delays else None,
            "median_jours": _num(statistics.median(delays)) if delays else None,
            "max_jours": delays[-1] if delays else None,
            "source": "dates du dossier (recue_le → analyse.transmise_le)",
        },
        "engagements": {
            "facilitateur_au_calibrage": _ratio(sum(f.calib_facilitator for f in calibrated), len(calibrated)),
            "facilitateur_a_la_reunion_de_lancement": _ratio(sum(f.kickoff_facilitator for f in notified), len(notified)),
            "notification_signalee": _ratio(sum(f.notification_signalled for f in notified), len(notified)),
            "resultats_transmis": _ratio(sum(f.result_transmitted for f in expected), len(expected)),
        },
        # relevés de suivi : heures de l'année par donneur, lot, titulaire et modalité (core/followup/yearly.py)
        "suivi_titulaires": [h.as_dict() for f in facts for h in f.holders],
    }
    return out


def dispositions_by_year(facts: list[Facts], year: int, settings: ReportSettings) -> dict[str, Any]:
    """Dispositions recommandées et retenues, année par année, jusqu'à l'année du bilan.

    Une disposition recommandée compte l'année où la recommandation est transmise
    (analyse.transmise_le), une disposition retenue l'année de la décision du donneur d'ordre
    (decision.date), une fois par dossier. Années : les `annees_dispositions` dernières (rules/bilan.yaml),
    à partir de la première année qui a une recommandation ou une décision dans les données ; une
    année sans rien entre deux reste affichée (0). `facts` : tous les dossiers, actifs ou non dans l'année.
    """
    events: list[tuple[int, str, str]] = []  # (année, « recommandees » ou « retenues », code)
    for f in facts:
        if f.transmitted_on is not None and f.transmitted_on.year <= year:
            events += [(f.transmitted_on.year, "recommandees", c) for c in dict.fromkeys(f.recommended)]
        if f.decided_on is not None and f.decided_on.year <= year:
            events += [(f.decided_on.year, "retenues", c) for c in dict.fromkeys(f.retained)]
    first = max(year - settings.disposition_years + 1, min((y for y, _, _ in events), default=year))
    years = list(range(first, year + 1))
    counts: dict[str, Counter[tuple[str, int]]] = defaultdict(Counter)
    for y, kind, code in events:
        if y >= first:
            counts[code][(kind, y)] += 1
    names = settings.labels.get("dispositions", {})
    order = [k for k in names if k in counts] + sorted(k for k in counts if k not in names)
    return {
        "annees": years,
        "regle": "recommandée : année de transmission de la recommandation (analyse.transmise_le) ; "
                 "retenue : année de la décision (decision.date) ; une fois par dossier",
        "par_disposition": [
            {"disposition": code, "libelle": names.get(code, code),
             "recommandees": [counts[code][("recommandees", y)] for y in years],
             "retenues": [counts[code][("retenues", y)] for y in years]}
            for code in order
        ],
    }


def qualitative(facts: list[Facts]) -> list[dict[str, Any]]:
    rows = []
    for f in facts:
        q = f.result.qualitatif if f.result is not None else None
        if q is None:
            continue
        texts = {k: v.strip() for k in ("faits_marquants", "difficultes", "perspectives") if (v := getattr(q, k)) and v.strip()}
        if texts:
            rows.append({"dossier": f.case.id, "objet": f.objet, **texts, "publiable": q.publiable})
    return rows


def missing(facts: list[Facts]) -> list[dict[str, str]]:
    return [{"dossier": f.case.id, "fichier": f.rel, "probleme": m} for f in facts for m in f.missing]


def annex(facts: list[Facts], last_commit: LastCommit | None) -> list[dict[str, Any]]:
    rows = []
    for f in facts:
        commit = last_commit(f.rel) if last_commit else None
        rows.append(
            {
                "dossier": f.case.id,
                "fichier": f.rel,
                "objet": f.objet,
                "contributions": f.contributions,
                "commit": commit[0][:12] if commit else None,
                "date_commit": commit[1][:10] if commit else None,
                "delai_jours": f.delay_days,
                "heures_prevues_au_prorata": f.planned_prorata,
            }
        )
    return rows


COMPARED = (
    ("demandes reçues", ("demandes", "recues")),
    ("marchés notifiés", ("marches", "notifies")),
    ("montant notifié HT", ("marches", "montant_notifie_ht")),
    ("heures prévues", ("heures", "prevues")),
    ("heures réalisées", ("heures", "realisees")),
    ("heures réalisées sur les marchés à heures prévues", ("heures", "realisees_sur_marches_avec_heures_prevues")),
    ("ETP réalisés", ("heures", "etp_realises")),
    ("participants", ("participants", "total")),
    ("contrats de travail", ("contrats", "total")),
)


def comparison(current: dict[str, Any], previous: dict[str, Any], prev_year: int) -> dict[str, Any]:
    rows = []
    for label, (k1, k2) in COMPARED:
        cur, prev = current[k1][k2], previous[k1][k2]
        rows.append({"indicateur": label, "precedent": prev, "courant": cur, "evolution": rate(cur - prev, prev)})
    return {"annee_precedente": prev_year, "indicateurs": rows}


def panorama(facts: list[Facts], settings: ReportSettings, buyer_name: Callable[[str], str]) -> dict[str, Any]:
    """Vues régionales : par département, disposition, secteur ; principaux donneurs ; seuil européen."""

    def grouped(key: Callable[[Facts], list[str]]) -> list[dict[str, Any]]:
        acc: dict[str, dict[str, float]] = defaultdict(lambda: {"demandes": 0, "marches": 0, "montant_ht": 0.0, "heures": 0.0})
        for f in facts:
            for k in key(f):
                g = acc[k]
                g["demandes"] += f.received
                g["marches"] += f.notified
                g["montant_ht"] += (f.amount or 0) if f.notified else 0
                g["heures"] += f.done or 0 if f.result is not None else 0
        return [
            {"cle": k, "demandes_recues": int(v["demandes"]), "marches_notifies": int(v["marches"]),
             "montant_notifie_ht": _num(v["montant_ht"]), "heures_realisees": _num(v["heures"])}
            for k, v in sorted(acc.items())
        ]

    by_buyer: dict[str, dict[str, float]] = defaultdict(lambda: {"heures": 0.0, "marches": 0, "montant_ht": 0.0})
    for f in facts:
        b = by_buyer[f.buyer]
        b["heures"] += (f.done or 0) if f.result is not None else 0
        b["marches"] += f.notified
        b["montant_ht"] += (f.amount or 0) if f.notified else 0
    top = sorted(by_buyer.items(), key=lambda kv: (-kv[1]["heures"], -kv[1]["marches"], kv[0]))[: settings.top_buyers]
    above = [f for f in facts if f.notified and f.above_threshold]
    # montant ou seuil inconnu : ni au-dessus ni au-dessous, compté à part (note du graphique des parts)
    unclassified = [f for f in facts if f.notified and (f.threshold is None or f.value is None)]
    subject = [f for f in above if f.subject_to_obligation]
    return {
        "par_departement": grouped(lambda f: [f.department]),
        "par_disposition": grouped(lambda f: sorted(set(f.retained))),
        "par_secteur": grouped(lambda f: [f.sector]),
        "principaux_donneurs": [
            {"siret": s, "nom": buyer_name(s), "heures_realisees": _num(v["heures"]), "marches_notifies": int(v["marches"]),
             "montant_notifie_ht": _num(v["montant_ht"])}
            for s, v in top
            if v["heures"] or v["marches"]
        ],
        "seuil_europeen": {
            "marches_au_dessus_du_seuil": len(above),
            "avec_consideration_sociale": sum(f.has_social for f in above),
            "part": rate(sum(f.has_social for f in above), len(above)),
            "soumis_a_l_obligation": len(subject),
            "soumis_avec_consideration_sociale": sum(f.has_social for f in subject),
            "part_soumis": rate(sum(f.has_social for f in subject), len(subject)),
            # type de seuil appliqué (travaux, fournitures et services, services sociaux…) : marchés au-dessus
            "par_type_de_seuil": {label: {"marches": sum(1 for f in above if f.threshold_label == label),
                                          "avec_consideration_sociale": sum(f.has_social for f in above if f.threshold_label == label)}
                                  for label in sorted({f.threshold_label for f in above if f.threshold_label})},
            "marches_non_classes": len(unclassified),
            "source": "rules/seuils.yaml" if settings.thresholds else "seuils indisponibles (rules/seuils.yaml absent)",
            "date_obligation": settings.obligation_date.isoformat() if settings.obligation_date else None,
        },
    }
