"""Entonnoir: how many youths reach each step, where they get stuck, and for how long."""

import streamlit as st

from dashboard.charts import bars
from dashboard.data import compute
from dashboard.page import start
from dashboard.widgets import definition, table
from domain.formatting import number, percent, short_month
from domain.steps import STEP_LABELS, STEPS
from indicators import funnel

data, view, viewer = start("entonnoir")
steps = compute(funnel.funnel, view.filters, view.period)

st.subheader("Du premier contact à la clôture")
definition(funnel.DEFINITION)
st.plotly_chart(
    bars(
        list(steps["libelle"]),
        list(steps["effectif"]),
        horizontal=True,
        text=[
            f"{number(n)} ({percent(r)})"
            for n, r in zip(steps["effectif"], steps["taux_depuis_inscription"], strict=True)
        ],
    ),
    config={"displaylogo": False},
)
table(
    steps.rename(
        columns={
            "libelle": "Étape",
            "effectif": "Parcours",
            "taux_etape_precedente": "Taux depuis l'étape précédente",
            "taux_depuis_inscription": "Taux depuis l'inscription",
            "delai_median_jours": "Délai médian (jours)",
            "delai_p90_jours": "Délai 90e centile (jours)",
        }
    ).drop(columns="etape"),
    "entonnoir",
    percent_columns=("Taux depuis l'étape précédente", "Taux depuis l'inscription"),
)

for column, title in (("canal", "Par canal"), ("association", "Par association")):
    st.subheader(title)
    split = compute(funnel.funnel_by, view.filters, view.period, column)
    wide = split.pivot_table(
        index="libelle", columns=column, values="effectif", aggfunc="sum", sort=False
    ).reindex([STEP_LABELS[s] for s in STEPS])
    table(wide.reset_index().rename(columns={"libelle": "Étape"}), f"entonnoir_{column}")

st.subheader("Cohortes mensuelles")
cohorts = compute(funnel.cohort_table, view.filters, view.period)
cohorts = cohorts.assign(mois=cohorts["mois"].map(short_month)).rename(
    columns={"mois": "Mois d'inscription", **STEP_LABELS}
)
table(cohorts, "cohortes")

st.subheader("Parcours bloqués")
threshold = st.slider("Sans nouvelle étape depuis au moins (jours)", 15, 180, 30, step=15)
blocked = compute(funnel.stuck, view.filters, view.period, threshold)
st.metric("Parcours bloqués", number(len(blocked)))
table(
    blocked.rename(
        columns={
            "association": "Association",
            "id_source": "Identifiant (association)",
            "etape_atteinte": "Dernière étape atteinte",
            "depuis": "Depuis le",
            "jours": "Jours",
            "tranche": "Ancienneté",
        }
    ),
    "parcours_bloques",
)
