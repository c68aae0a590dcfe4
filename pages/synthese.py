"""Synthèse: the headline figures against the previous period, and the three urgent alerts."""

import pandas as pd
import streamlit as st

from dashboard.charts import bars
from dashboard.data import compute, compute_departement
from dashboard.markdown import plain
from dashboard.page import start
from dashboard.sections import chart, data_table, explain, link_to, section, tile
from domain.formatting import day, number, percent
from indicators import funnel, headline
from indicators.catalogue import Unit, entry, shown
from indicators.small_counts import threshold

view = start("synthese")
previous = view.period.previous()
now = compute(headline.figures, view.filters, view.period)
before = compute(headline.figures, view.filters, previous)

st.caption(
    f"Chaque chiffre est comparé à la période précédente de même durée : inscriptions du "
    f"{day(previous.du)} au {day(previous.au)}."
)
for row in (headline.TILES[:4], headline.TILES[4:]):
    for column, id_ in zip(st.columns(4), row, strict=True):
        change = headline.change(id_, now[id_], before[id_])
        help_text = (
            f"Période précédente, du {day(previous.du)} au {day(previous.au)} : "
            f"{shown(id_, before[id_])}"
        )
        tile(column, id_, now[id_], change, help_text)
explain(headline.tiles_definition())

if not view.viewer.sees_everything:  # an association compares itself with the whole département
    st.subheader("Ensemble du département, pour comparaison")
    everyone = compute_departement(headline.figures, view.period)
    seuil = threshold()
    few = 0 < everyone["jeunes_inscrits"] < seuil  # shares are over the youths registered
    for column, id_ in zip(st.columns(4), headline.DEPARTEMENT_TILES, strict=True):
        value = everyone[id_]
        unit = entry(id_).unit
        if unit is Unit.COUNT and value is not None and 0 < value < seuil:
            value = f"< {seuil}"
        elif unit is Unit.SHARE and few:
            value = "–"
        tile(column, id_, value)
    st.caption(
        "Toutes associations confondues, sur la même période ; un effectif de moins de "
        f"{seuil} n'est pas affiché."
    )
rows = [
    {"periode": f"du {day(p.du)} au {day(p.au)}", **{i: values[i] for i in headline.TILES}}
    for p, values in ((view.period, now), (previous, before))
]
data_table(pd.DataFrame(rows), "synthese")

section("Alertes, de la plus urgente à la moins urgente", headline.alerts_definition())
for alert in compute(headline.alerts, view.filters, view.period):
    if alert.finding is None:
        st.success(alert.calm, icon=":material/check_circle:")
        continue
    st.error(
        f"**{plain(alert.finding)}**\n\nÀ faire : {plain(alert.action)}",
        icon=":material/priority_high:",
    )
    link_to(alert.page)

section("Entonnoir de la période", funnel.DEFINITION)
steps = compute(funnel.funnel, view.filters, view.period)
counts, rates = steps["effectif"], steps["taux_depuis_inscription"]
text = [f"{number(n)} ({percent(r)})" for n, r in zip(counts, rates, strict=True)]
chart(
    bars(list(steps["libelle"]), list(counts), horizontal=True, text=text).update_layout(height=320)
)
data_table(
    steps[["libelle", "effectif", "taux_depuis_inscription"]],
    "synthese_entonnoir",
    {"libelle": "Étape"},
)
