"""The headline figures (Synthèse tiles, command line `chiffres_cles`) and their change
against a comparison period. Ids, names, units and definitions are in `catalogue`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import settings
from domain.formatting import number
from indicators import compliance, coverage, followup, funnel, honorabilite, workload
from indicators.catalogue import SUFFIXES, Unit, entry
from indicators.dataset import Dataset, Period

TILES = (
    "jeunes_inscrits",
    "binomes_demarres_cohorte",
    "binomes_actifs",
    "taux_demarrage",
    "delai_avant_demarrage",
    "delai_median_b2",
    "part_b2_dans_objectif",
    "part_rurale",
)
# The tiles an association compares with the whole département: no per-association row,
# and shares taken over the youths registered (hidden together when that count is small).
DEPARTEMENT_TILES = ("jeunes_inscrits", "binomes_demarres_cohorte", "taux_demarrage", "part_rurale")


def figures(dataset: Dataset, period: Period) -> dict[str, int | float | None]:
    """The headline figures of `period` ({catalogue id: value, in TILES order}; None when
    it cannot be computed)."""
    steps = funnel.funnel(dataset, period).set_index("etape")
    b2 = honorabilite.summary(dataset, period)
    values = {
        "jeunes_inscrits": int(steps.at["inscription", "effectif"]),
        "binomes_demarres_cohorte": int(steps.at["demarrage", "effectif"]),
        "binomes_actifs": int(
            workload.association_load(dataset, period.au)["binomes_actifs"].sum()
        ),
        "taux_demarrage": steps.at["demarrage", "taux_depuis_inscription"],
        "delai_avant_demarrage": funnel.median_days_to_start(dataset, period),
        "delai_median_b2": b2["delai_median_jours_ouvres"],
        "part_b2_dans_objectif": b2["part_dans_objectif"],
        "part_rurale": coverage.rural_share(dataset, period),
    }
    return {k: None if v is None or pd.isna(v) else v for k, v in values.items()}


def blocked(dataset: Dataset, period: Period) -> int:
    """« Parcours bloqués » of `period`, at the one threshold of the app
    (`settings.STUCK_DAYS`)."""
    return len(funnel.stuck(dataset, period, settings.STUCK_DAYS.value()))


@dataclass(frozen=True)
class Change:
    """How a figure moved against the comparison period."""

    text: str | None  # "+12", "−3,5 pts", "+4 j"; None when either value is unknown
    direction: str  # up | down | off
    good: bool | None  # None when neither way is better, or nothing moved


def change(id_: str, now, before) -> Change:
    """How `id_` moved from `before` to `now`: points for a share, days for a delay (in its
    unit), the count otherwise; good or bad by the catalogue's direction."""
    if now is None or before is None:
        return Change(None, "off", None)
    figure = entry(id_)
    share = figure.unit is Unit.SHARE
    diff = round((now - before) * (100 if share else 1), 1)
    unit = " pts" if share else SUFFIXES.get(figure.unit, "")
    sign = "+" if diff > 0 else "−" if diff < 0 else ""
    text = sign + number(abs(diff), 1 if diff % 1 else 0) + unit
    direction = "up" if diff > 0 else "down" if diff < 0 else "off"
    good = None
    if direction != "off" and figure.rise_is_good is not None:
        good = (direction == "up") == figure.rise_is_good
    return Change(text, direction, good)


@dataclass(frozen=True)
class Alert:
    """One of the Synthèse's alerts: `finding` and `action` in French, or `calm` (what is
    fine) when there is nothing to act on; `page` is the page that lists them (registry
    stem)."""

    finding: str | None
    action: str | None
    calm: str
    page: str


ALERT_PAGES = (
    "qualite",
    "honorabilite",
    "entonnoir",
    "suivi_binomes",
    "suivi_binomes",
    "associations",
)


def alerts(dataset: Dataset, period: Period) -> list[Alert]:
    """The Synthèse's alerts, most urgent first, every kind: critical compliance breaches
    (a minor started without parental authorisation, a start without a convention or
    before a favourable check, activity after a défavorable one), overdue honorabilité
    checks (the mentor waits to start), parcours bloqués (at `settings.STUCK_DAYS`),
    binômes silent for too long and early breaks (`indicators.followup`), associations at or
    over capacity. Those with something to act on come first."""
    days = settings.STUCK_DAYS.value()
    critical = compliance.critical_alert(dataset, period.au)
    late = honorabilite.overdue_alert(honorabilite.pending(dataset, period))
    blocked = funnel.stuck_alert(funnel.stuck(dataset, period, days), days)
    silent = followup.silent_alert(dataset, period.au)
    broken = followup.early_break_alert(dataset, period)
    loads = workload.association_load(dataset, period.au)
    crowded = None
    if (loads["taux_charge"] >= workload.OVERLOAD).any():  # imbalance puts them first
        crowded = (
            workload.imbalance(loads, dataset.associations)[0] + ".",
            "Orienter les prochaines fiches vers une association qui a des places, ou revoir "
            "avec elle la capacité financée par la convention.",
        )
    calm = (
        "Aucune alerte de conformité critique.",
        "Aucune demande d'honorabilité en retard.",
        f"Aucun parcours sans nouvelle étape depuis {days} jours ou plus.",
        f"Aucun binôme actif connu sans rencontre depuis plus de {followup.silent_days()} jours.",
        "Aucune rupture précoce parmi les binômes démarrés depuis au moins 3 mois.",
        "Aucune association au-delà de sa capacité.",
    )
    found = [
        Alert(*(alert or (None, None)), quiet, page)
        for alert, quiet, page in zip(
            (critical, late, blocked, silent, broken, crowded), calm, ALERT_PAGES, strict=True
        )
    ]
    return sorted(found, key=lambda a: a.finding is None)  # stable: urgency kept within


def alerts_definition() -> str:
    return (
        "Par ordre d'urgence : **alertes de conformité critiques** (mineur démarré sans "
        "autorisation parentale, démarrage sans convention ou avant un retour favorable "
        "d'honorabilité, activité malgré un retour défavorable ; tous les parcours connus à "
        "la date de fin de période) ; **demandes d'honorabilité en retard** (sans retour alors que "
        "leur ancienneté en jours ouvrés dépasse l'objectif de leur voie : le mentor attend "
        "pour démarrer) ; **parcours bloqués** (parcours en cours de la cohorte, hors binômes "
        f"actifs, sans nouvelle étape depuis au moins {settings.STUCK_DAYS.value()} jours à la "
        f"date de fin de période, réglage `{settings.STUCK_DAYS.env}`, le même sur toutes les "
        "pages) ; "
        f"**binômes sans rencontre** (binômes actifs dont la dernière rencontre connue date de "
        f"plus de {followup.silent_days()} jours) ; **ruptures précoces** (binômes terminés "
        "moins de 3 mois après leur démarrage, hors objectifs atteints) ; "
        "**associations au-delà de leur capacité** (binômes actifs au moins égaux aux binômes "
        "financés par la convention)."
    )


def tiles_definition() -> str:
    """What the tiles mean, from the catalogue."""
    lines = [
        "Chaque chiffre est comparé à la **période précédente de même durée** (flèche verte : "
        "évolution favorable)."
    ]
    lines += [f"- **{entry(i).name}** : {entry(i).definition}" for i in TILES]
    return "\n".join(lines)
