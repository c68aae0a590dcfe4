"""Durée des binômes: how long binômes last (Kaplan-Meier, censored at the as-of date), the
share reaching 6 and 12 months, the median duration, and why binômes end."""

import plotly.graph_objects as go
import streamlit as st

from dashboard.charts import PALETTE, bars, french
from dashboard.data import compute
from dashboard.page import start
from dashboard.sections import chart, data_table, section, tiles
from domain.formatting import day, number, percent
from indicators import durations

DAYS_PER_MONTH = 365.25 / 12

view = start("durees")
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

section("Combien de temps durent les binômes", durations.DEFINITION)
facts = compute(durations.summary, view.filters, scope, au)
median = facts["duree_mediane_jours"]
tiles(
    {
        key: facts[key]
        for key in ("binomes_suivis", "binomes_termines", "part_6_mois", "part_12_mois")
    }
    | {"duree_mediane_jours": median},
    per_row=5,
)
if median is not None:
    st.caption(f"Durée médiane : soit {number(median / DAYS_PER_MONTH, 1)} mois.")
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
chart(
    french(figure)
    .update_xaxes(title="Durée depuis le démarrage (mois)", dtick=2, rangemode="tozero")
    .update_yaxes(title="Binômes encore en cours", range=[0, 102], ticksuffix=" %")
)
table = curve.assign(duree_mois=months.round(1))
data_table(table[["jours", "duree_mois", "survie", "a_risque", "evenements"]], "survie_binomes")

section("Pourquoi les binômes se terminent", durations.END_REASONS_DEFINITION)
reasons = compute(durations.end_reasons, view.filters, scope, au)
ended, shares = reasons["binomes_termines"], reasons["part"].fillna(0)
text = [f"{number(n)} ({percent(p)})" for n, p in zip(ended, shares, strict=True)]
chart(
    bars(
        list(reasons["libelle"]), list(ended), horizontal=True, text=text, color=PALETTE[5]
    ).update_xaxes(title="Binômes terminés")
)
data_table(reasons.drop(columns="motif_fin"), "motifs_de_fin", {"libelle": "Motif de fin"})
