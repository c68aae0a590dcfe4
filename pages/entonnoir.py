"""Entonnoir: how many youths reach each step, where they get stuck, and for how long."""

import streamlit as st

import settings
from dashboard.charts import bars
from dashboard.data import compute
from dashboard.page import start
from dashboard.sections import chart, data_table, months_caption, section, tile
from domain.formatting import number, percent, short_month
from domain.steps import STEP_LABELS, STEPS
from domain.values import category_labels
from indicators import funnel
from indicators.catalogue import entry

view = start("entonnoir")
steps = compute(funnel.funnel, view.filters, view.period)

section("Du premier contact à la clôture", funnel.DEFINITION)
counts, rates = steps["effectif"], steps["taux_depuis_inscription"]
text = [f"{number(n)} ({percent(r)})" for n, r in zip(counts, rates, strict=True)]
chart(bars(list(steps["libelle"]), list(counts), horizontal=True, text=text))
data_table(steps.drop(columns="etape"), "entonnoir", {"libelle": "Étape"})

for column, title in (("canal", "Par canal"), ("association", "Par association")):
    section(title)
    split = compute(funnel.funnel_by, view.filters, view.period, column)
    wide = split.pivot_table(
        index="libelle", columns=column, values="effectif", aggfunc="sum", sort=False
    ).reindex([STEP_LABELS[s] for s in STEPS])
    labels = category_labels(column) if column == "canal" else {}
    wide = wide.rename_axis(columns=None).rename(columns=labels).reset_index()
    groups = tuple(c for c in wide.columns if c != "libelle")
    data_table(wide, f"entonnoir_{column}", {"libelle": "Étape"}, value_columns=groups)

section("Cohortes mensuelles")
cohorts = compute(funnel.cohort_table, view.filters, view.period, view.known_until)
cohorts = cohorts.assign(mois=cohorts["mois"].map(short_month))
data_table(cohorts, "cohortes", {"mois": "Mois d'inscription"})
st.caption(months_caption(view))

days = settings.STUCK_DAYS.value()
blocked = compute(funnel.stuck, view.filters, view.period, days)
bloques = entry("parcours_bloques")
section(bloques.name, f"{bloques.definition} Seuil : **{days} jours**.")
tile(st, "parcours_bloques", len(blocked))
data_table(blocked, "parcours_bloques")
