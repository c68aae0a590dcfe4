"""Durée des binômes: how long binômes last (Kaplan-Meier, censored at the as-of date), the
share reaching 6 and 12 months, the median duration, and why binômes end."""

import plotly.graph_objects as go
import streamlit as st

from dashboard.charts import PALETTE, bars, french
from dashboard.data import compute
from dashboard.page import start
from dashboard.widgets import definition, table
from domain.formatting import day, number, percent
from indicators import durations

DAYS_PER_MONTH = 365.25 / 12

data, view, viewer = start("durees")
au = view.period.au
started_in_period = st.radio(
    "Binômes pris en compte",
    [False, True],
    format_func=lambda v: (
        "Binômes démarrés pendant la période"
        if v
        else f"Tous les binômes démarrés au plus tard le {day(au)}"
    ),
    horizontal=True,
    key="durees_binomes",
)
scope = view.period if started_in_period else None

st.subheader("Combien de temps durent les binômes")
definition(durations.DEFINITION)
facts = compute(durations.summary, view.filters, scope, au)
median = facts["duree_mediane_jours"]
cols = st.columns(5)
cols[0].metric("Binômes démarrés", number(facts["binomes"]))
cols[1].metric("Dont terminés", number(facts["termines"]))
cols[2].metric("Durent au moins 6 mois", percent(facts["part_6_mois"]))
cols[3].metric("Durent au moins 12 mois", percent(facts["part_12_mois"]))
cols[4].metric(
    "Durée médiane",
    "–" if median is None else f"{number(median)} jours",
    help=None if median is None else f"soit {number(median / DAYS_PER_MONTH, 1)} mois",
)
if facts["part_12_mois"] is None or median is None:
    st.caption(
        "« – » : pas encore estimable, trop peu de binômes suivis assez longtemps "
        "(ou plus de la moitié toujours en cours)."
    )

curve = compute(durations.survival_curve, view.filters, scope, au)
months = curve["jours"] / DAYS_PER_MONTH
figure = go.Figure(
    go.Scatter(
        x=months,
        y=curve["survie"] * 100,
        mode="lines",
        line_shape="hv",
        line=dict(color=PALETTE[0], width=3),
        name="Binômes encore en cours",
        customdata=curve[["jours", "a_risque"]].to_numpy(),
        hovertemplate=(
            "Après %{customdata[0]} jours (%{x:.1f} mois) : %{y:.1f} % encore en cours"
            "<br>%{customdata[1]} binômes suivis jusque-là<extra></extra>"
        ),
    )
)
for mark in (6, 12):
    figure.add_vline(
        x=mark, line=dict(dash="dot", width=1.5, color="#555555"), annotation_text=f"{mark} mois"
    )
st.plotly_chart(
    french(figure)
    .update_xaxes(title="Durée depuis le démarrage (mois)", dtick=2, rangemode="tozero")
    .update_yaxes(title="Binômes encore en cours", range=[0, 102], ticksuffix=" %"),
    config={"displaylogo": False},
)
table(
    curve.assign(mois=months.round(1))[
        ["jours", "mois", "survie", "a_risque", "evenements"]
    ].rename(
        columns={
            "jours": "Jours depuis le démarrage",
            "mois": "Mois",
            "survie": "Encore en cours (estimation)",
            "a_risque": "Binômes suivis jusque-là",
            "evenements": "Fins ce jour-là",
        }
    ),
    "survie_binomes",
    percent_columns=("Encore en cours (estimation)",),
)

st.subheader("Pourquoi les binômes se terminent")
definition(durations.END_REASONS_DEFINITION)
reasons = compute(durations.end_reasons, view.filters, scope, au)
st.plotly_chart(
    bars(
        list(reasons["libelle"]),
        list(reasons["binomes"]),
        horizontal=True,
        text=[
            f"{number(n)} ({percent(p)})"
            for n, p in zip(reasons["binomes"], reasons["part"].fillna(0), strict=True)
        ],
        color=PALETTE[5],
    ).update_xaxes(title="Binômes terminés"),
    config={"displaylogo": False},
)
table(
    reasons.drop(columns="motif_fin").rename(
        columns={"libelle": "Motif de fin", "binomes": "Binômes terminés", "part": "Part"}
    ),
    "motifs_de_fin",
    percent_columns=("Part",),
)
