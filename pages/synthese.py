"""Synthèse: the headline figures against the previous period, and the three urgent alerts."""

import pandas as pd
import streamlit as st

from dashboard.charts import bars
from dashboard.data import compute, compute_departement
from dashboard.markdown import plain
from dashboard.page import start
from dashboard.widgets import definition, table
from domain.formatting import day, number, percent
from indicators import coverage, funnel, honorabilite, workload
from indicators.small_counts import threshold
from indicators.stats import rate

STUCK_DAYS = 90
TILES_DEFINITION = (
    "Chaque chiffre est comparé à la **période précédente de même durée** (flèche verte : "
    "évolution favorable). **Jeunes inscrits** : parcours dont l'inscription tombe dans la "
    "période (la cohorte). **Binômes démarrés** : parcours de la cohorte dont la première "
    "séance a eu lieu à la date de fin de période. **Binômes actifs** : mentorats démarrés "
    "et non terminés à cette date, toutes cohortes confondues. **Taux de démarrage** : "
    "binômes démarrés rapportés aux jeunes inscrits. **Délai médian B2 / "
    "FIJAIS** et **part dans l'objectif** : demandes d'honorabilité transmises par le CD "
    "dans la période (voir la page Honorabilité). **Part rurale** : part des jeunes "
    "inscrits qui habitent une commune rurale, parmi ceux dont la commune est connue.\n\n"
    + funnel.START_DELAY_DEFINITION
)
ALERTS_DEFINITION = (
    "Par ordre d'urgence : **demandes d'honorabilité en retard** (sans retour alors que leur "
    "ancienneté en jours ouvrés dépasse l'objectif de leur voie : le mentor attend pour "
    f"démarrer) ; **parcours bloqués** (parcours en cours de la cohorte sans nouvelle étape "
    f"depuis au moins {STUCK_DAYS} jours à la date de fin de période) ; **associations "
    "au-delà de leur capacité** (binômes actifs au moins égaux aux binômes financés par la "
    "convention)."
)


def figures(filters, period, calc=None):
    """The tile figures of a period, each from a cached indicator (`calc(function, *args)`,
    by default `compute` with the filters)."""
    calc = calc or (lambda function, *args: compute(function, filters, *args))
    steps = calc(funnel.funnel, period).set_index("etape")
    b2 = calc(honorabilite.summary, period)
    places = calc(coverage.rural_urban, period)["jeunes"]
    return {
        "Jeunes inscrits": int(steps.at["inscription", "effectif"]),
        "Binômes démarrés": int(steps.at["demarrage", "effectif"]),
        "Binômes actifs": int(calc(workload.association_load, period.au)["binomes_actifs"].sum()),
        "Taux de démarrage": steps.at["demarrage", "taux_depuis_inscription"],
        "Délai avant démarrage": calc(funnel.median_days_to_start, period),
        "Délai médian B2 / FIJAIS": b2["delai_median_jours"],
        "B2 / FIJAIS dans l'objectif": b2["part_dans_objectif"],
        "Part rurale": rate(int(places["rural"]), int(places[coverage.CLASSES].sum())),
    }


DEPARTEMENT_TILES = ["Jeunes inscrits", "Binômes démarrés", "Taux de démarrage", "Part rurale"]
# label -> (kind, a rise is good)
TILES = {
    "Jeunes inscrits": ("count", True),
    "Binômes démarrés": ("count", True),
    "Binômes actifs": ("count", True),
    "Taux de démarrage": ("share", True),
    "Délai avant démarrage": ("days", False),
    "Délai médian B2 / FIJAIS": ("days", False),
    "B2 / FIJAIS dans l'objectif": ("share", True),
    "Part rurale": ("share", True),
}


def shown(value, kind):
    if value is None or pd.isna(value):
        return "–"
    if kind == "share":
        return percent(value)
    decimals = 1 if kind == "days" and value % 1 else 0
    return number(value, decimals) + (" j" if kind == "days" else "")


def change(now, before, kind):
    """French delta text ("+12", "−3,5 pts", "+4 j") and its arrow; None when unknown."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None, "off"
    diff = round((now - before) * (100 if kind == "share" else 1), 1)
    unit = {"share": " pts", "days": " j", "count": ""}[kind]
    sign = "+" if diff > 0 else "−" if diff < 0 else ""
    text = sign + number(abs(diff), 1 if diff % 1 else 0) + unit
    return text, "up" if diff > 0 else "down" if diff < 0 else "off"


data, view, viewer = start("synthese")
previous = view.period.previous()
now, before = figures(view.filters, view.period), figures(view.filters, previous)

st.caption(
    f"Inscriptions du {day(view.period.du)} au {day(view.period.au)}, comparées à celles du "
    f"{day(previous.du)} au {day(previous.au)}."
)
for row in (list(TILES)[:4], list(TILES)[4:]):
    for column, label in zip(st.columns(4), row, strict=True):
        kind, rise_is_good = TILES[label]
        delta, arrow = change(now[label], before[label], kind)
        good = (arrow == "up") == rise_is_good
        column.metric(
            label,
            shown(now[label], kind),
            delta,
            delta_color="gray" if arrow == "off" else "green" if good else "red",
            delta_arrow=arrow,
            help=f"Période précédente : {shown(before[label], kind)}",
            border=True,
        )
definition(TILES_DEFINITION)
if not viewer.sees_everything:  # an association compares itself with the whole département
    st.subheader("Ensemble du département, pour comparaison")
    everyone = figures(None, view.period, compute_departement)
    seuil = threshold()
    # Both shares are taken over the youths registered: no share on a hidden count.
    few = 0 < everyone["Jeunes inscrits"] < seuil
    for column, label in zip(st.columns(4), DEPARTEMENT_TILES, strict=True):
        kind = TILES[label][0]
        value = everyone[label]
        if kind == "count" and 0 < value < seuil:
            text = f"< {seuil}"
        elif kind == "share" and few:
            text = "–"
        else:
            text = shown(value, kind)
        column.metric(label, text, border=True)
    st.caption(
        "Toutes associations confondues, sur la même période ; un effectif de moins de "
        f"{seuil} n'est pas affiché."
    )
shares = tuple(label for label, (kind, _) in TILES.items() if kind == "share")
table(
    pd.DataFrame(
        [
            {"Période": f"du {day(p.du)} au {day(p.au)}", **values}
            for p, values in ((view.period, now), (previous, before))
        ]
    ),
    "synthese",
    percent_columns=shares,
)

st.subheader("Les trois alertes les plus urgentes")
waiting = compute(honorabilite.pending, view.filters, view.period)
blocked = compute(funnel.stuck, view.filters, view.period, STUCK_DAYS)
loads = compute(workload.association_load, view.filters, view.period.au)
over = loads[loads["taux_charge"] >= workload.OVERLOAD]
crowded = None
if not over.empty:  # imbalance reads the associations over capacity first
    crowded = (
        workload.imbalance(loads, data.associations)[0] + ".",
        "Orienter les prochaines fiches vers une association qui a des places, ou revoir "
        "avec elle la capacité financée par la convention.",
    )
alerts = [
    (honorabilite.overdue_alert(waiting), "Aucune demande d'honorabilité en retard."),
    (
        funnel.stuck_alert(blocked, STUCK_DAYS),
        f"Aucun parcours sans nouvelle étape depuis {STUCK_DAYS} jours ou plus.",
    ),
    (crowded, "Aucune association au-delà de sa capacité."),
]
for alert, calm in alerts:
    if alert is None:
        st.success(calm, icon=":material/check_circle:")
    else:
        st.error(
            f"**{plain(alert[0])}**\n\nÀ faire : {plain(alert[1])}",
            icon=":material/priority_high:",
        )
definition(ALERTS_DEFINITION)

st.subheader("Entonnoir de la période")
steps = compute(funnel.funnel, view.filters, view.period)
figure = bars(
    list(steps["libelle"]),
    list(steps["effectif"]),
    horizontal=True,
    text=[
        f"{number(n)} ({percent(r)})"
        for n, r in zip(steps["effectif"], steps["taux_depuis_inscription"], strict=True)
    ],
)
st.plotly_chart(figure.update_layout(height=320), config={"displaylogo": False})
definition(funnel.DEFINITION)
table(
    steps[["libelle", "effectif", "taux_depuis_inscription"]].rename(
        columns={
            "libelle": "Étape",
            "effectif": "Parcours",
            "taux_depuis_inscription": "Taux depuis l'inscription",
        }
    ),
    "synthese_entonnoir",
    percent_columns=("Taux depuis l'inscription",),
)
