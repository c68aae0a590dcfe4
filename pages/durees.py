"""Durée des binômes: how long binômes last (Kaplan-Meier, censored at the as-of date), the
share reaching 3, 6 and 12 months with its 95 % interval ("fragile" below 20 binômes still
followed), the median duration, and why binômes end."""

import plotly.graph_objects as go
import streamlit as st

from dashboard.charts import PALETTE, bars, french
from dashboard.data import compute
from dashboard.page import start
from dashboard.sections import chart, data_table, section, tile, tiles
from domain.formatting import count, day, number, percent
from indicators import durations

DAYS_PER_MONTH = 365.25 / 12


def followed(n: int, months: int) -> str:
    return f"{count(n, 'binôme')} encore suivi{'s' if n > 1 else ''} à {months} mois"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    {key: facts[key] for key in ("binomes_suivis", "binomes_termines")}
    | {"duree_mediane_jours": median},
    per_row=3,
)
if median is not None:
    st.caption(
        f"Durée médiane : {number(median)} jours, soit {number(median / DAYS_PER_MONTH, 1)} mois."
    )
else:
    st.caption(
        "Durée médiane « – » : pas encore estimable, trop peu de binômes suivis assez "
        "longtemps (ou plus de la moitié toujours en cours)."
    )

horizons = compute(durations.retention_by_horizon, view.filters, scope, au)
for column, row in zip(st.columns(len(horizons)), horizons.to_dict("records"), strict=True):
    horizon, share = row["mois"], row["survie"]
    if share != share:  # NaN: not estimable
        tile(column, f"part_{horizon}_mois", None)
        column.caption(f"{sentence(row['lecture'])}.")
    elif row["fragile"]:
        tile(column, f"part_{horizon}_mois", "Fragile")
        column.caption(f"{sentence(row['lecture'])} ({count(row['a_risque'], 'binôme')}).")
    else:
        tile(column, f"part_{horizon}_mois", share)
        column.caption(f"{row['lecture']} ; {followed(row['a_risque'], horizon)}.")

curve = compute(durations.survival_curve, view.filters, scope, au)
months = curve["jours"] / DAYS_PER_MONTH
# the 95 % interval as a light band under the curve (drawn first, so below it)
band = dict(x=months, mode="lines", line_shape="hv", line=dict(width=0), hoverinfo="skip")
figure = go.Figure(
    [
        go.Scatter(y=curve["ic_haut"] * 100, showlegend=False, **band),
        go.Scatter(
            y=curve["ic_bas"] * 100,
            fill="tonexty",
            fillcolor="rgba(0, 114, 178, 0.15)",  # PALETTE[0], light
            name="Intervalle de confiance à 95 %",
            **band,
        ),
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
        ),
    ]
)
for mark in durations.HORIZONS:
    figure.add_vline(
        x=mark, line=dict(dash="dot", width=1.5, color="#555555"), annotation_text=f"{mark} mois"
    )
chart(
    french(figure)
    .update_xaxes(title="Durée depuis le démarrage (mois)", dtick=2, rangemode="tozero")
    .update_yaxes(title="Binômes encore en cours", range=[0, 102], ticksuffix=" %")
)
table = curve.assign(duree_mois=months.round(1))
columns = ["jours", "duree_mois", "survie", "ic_bas", "ic_haut", "a_risque", "evenements"]
data_table(table[columns], "survie_binomes")

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
