"""Associations: load against capacity, youths waiting for a mentor, inflow, delays, share of
the flow, an imbalance reading, and a ranking to dispatch a new CD fiche."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.charts import PALETTE, bars, french
from dashboard.data import compute, dataset
from dashboard.markdown import message
from dashboard.orientation import orientation
from dashboard.page import start
from dashboard.sections import chart, data_table, months_caption, section
from domain.formatting import count, day, number, percent, short_month
from indicators import workload

view = start("associations")
au = view.period.au


def mine(frame):
    """Only the selected association's row(s) when the sidebar narrows to one."""
    chosen = view.filters.association
    return frame if chosen is None else frame[frame["association"] == chosen]


section(f"Charge au {day(au)}", workload.DEFINITION)
charge = mine(compute(workload.association_load, view.filters, au))
active, capacity, load = charge["binomes_actifs"], charge["capacite"], charge["taux_charge"]
text = [
    f"{number(a)} / {number(c)} ({percent(r, 0)})" if pd.notna(c) else f"{number(a)} / ?"
    for a, c, r in zip(active, capacity, load, strict=True)
]
figure = bars(
    list(charge["association"]),
    [0 if pd.isna(r) else r * 100 for r in load],
    horizontal=True,
    text=text,
)
figure.add_vline(
    x=100, line=dict(dash="dash", width=2, color="#1f1f1f"), annotation_text="capacité"
)
chart(
    figure.update_xaxes(
        title="Binômes actifs / capacité (%)", range=[0, max(110, 110 * load.fillna(0).max())]
    )
)
data_table(charge, "charge_associations")
for finding in workload.imbalance(charge, dataset(view.filters).associations) or [
    "Aucun déséquilibre notable."
]:
    st.info(message(finding), icon=":material/balance:")

section("Jeunes en attente de mentor")
wait = mine(compute(workload.waiting_summary, view.filters, au))
counts, medians = wait["en_attente_binome"], wait["attente_mediane_jours"]
text = [
    f"{number(n)} (médiane {number(m)} j)" if pd.notna(m) else number(n)
    for n, m in zip(counts, medians, strict=True)
]
chart(
    bars(
        list(wait["association"]), list(counts), horizontal=True, text=text, color=PALETTE[3]
    ).update_xaxes(title="Jeunes en attente")
)
data_table(wait, "attente_par_association")
with st.expander("Détail des jeunes en attente (attente la plus longue d'abord)"):
    data_table(compute(workload.waiting, view.filters, au), "jeunes_en_attente")

section("Flux mensuel de jeunes attribués", workload.INFLOW_DEFINITION)
inflow = mine(compute(workload.monthly_inflow, view.filters, view.period, view.known_until))
inflow = inflow.assign(mois=inflow["mois"].map(short_month))
figure = go.Figure()
for i, (name, rows) in enumerate(inflow.groupby("association", sort=False)):
    figure.add_scatter(
        x=rows["mois"],
        y=rows["attributions"],
        name=name,
        mode="lines+markers",
        marker_symbol=["circle", "square", "diamond", "triangle-up", "x"][i % 5],
        line=dict(dash=["solid", "dash", "dot", "dashdot", "longdash"][i % 5]),
    )
chart(french(figure).update_yaxes(title="Jeunes attribués", rangemode="tozero"))
wide = inflow.pivot_table(
    index="mois", columns="association", values="attributions", aggfunc="sum", sort=False
).rename_axis(columns=None)
st.caption(months_caption(view))
names = tuple(wide.columns)
data_table(wide.reset_index(), "flux_mensuel", {"mois": "Mois d'attribution"}, value_columns=names)

section("Délai pour trouver un mentor", workload.DELAY_DEFINITION)
delays = mine(compute(workload.median_days_to_mentor, view.filters, view.period))
days, matched = delays["delai_mise_en_relation"], delays["mis_en_relation"]
text = [
    f"{number(d)} j ({count(n, 'jeune')})" if pd.notna(d) else "–"
    for d, n in zip(days, matched, strict=True)
]
chart(
    bars(
        list(delays["association"]),
        days.fillna(0).tolist(),
        horizontal=True,
        text=text,
        color=PALETTE[2],
    ).update_xaxes(title="Jours médians de l'attribution à la mise en relation")
)
data_table(delays, "delai_mentor")

if not view.viewer.sees_everything:  # the rest compares associations with one another
    st.stop()

section("Part du flux départemental", workload.SHARE_DEFINITION)
share = mine(compute(workload.flow_share, view.filters, view.period))
youths, parts = share["jeunes_confies"], share["part_du_flux"]
text = [f"{number(n)} ({percent(p)})" for n, p in zip(youths, parts, strict=True)]
chart(
    bars(
        list(share["association"]), list(youths), horizontal=True, text=text, color=PALETTE[4]
    ).update_xaxes(title="Jeunes inscrits confiés sur la période")
)
data_table(share, "part_du_flux")

orientation(dataset(view.filters), au)
