"""Territoires: rural against urban, youths per EPCI and commune on an offline map, distance
to the nearest antenne, and the communes where youths wait far from any antenne."""

import pandas as pd
import streamlit as st

from dashboard.charts import PALETTE, bars
from dashboard.data import compute
from dashboard.maps import commune_map
from dashboard.page import start
from dashboard.privacy import hide_small_counts, place_table
from dashboard.widgets import definition, table
from domain.formatting import day, number, percent
from indicators import coverage, geo
from indicators.small_counts import must_suppress, threshold

data, view, viewer = start("territoires")
CLASS_LABELS = {"rural": "rural", "urbain": "urbain", "inconnu": "inconnu"}
COLUMNS = {
    "classe": "Classe",
    "insee": "Code INSEE",
    "nom": "Commune",
    "epci_nom": "EPCI",
    "communes": "Communes avec jeunes",
    "population": "Population",
    "jeunes": "Jeunes",
    "part_rural": "Part rurale",
    "demarrages": "Démarrages",
    "part_presentiel": "Part en présentiel",
    "part_mixte": "Part en mixte",
    "delai_median_jours": "Délai médian inscription → démarrage (jours)",
    "distance_mediane_km": "Distance médiane à une antenne (km)",
    "antenne_proche": "Antenne la plus proche",
    "association_antenne": "Association de l'antenne",
    "distance_km": "Distance à l'antenne (km)",
    "en_attente": "Jeunes en attente de mentor",
}
SHARES = ("Part rurale", "Part en présentiel", "Part en mixte")
# Counts of youths in a place, and what is computed on them (blanked when they are hidden).
PLACE_COUNTS = ["jeunes", "demarrages", "en_attente"]
PLACE_RATES = {
    "part_rural": "jeunes",
    "distance_mediane_km": "jeunes",
    "part_presentiel": "demarrages",
    "part_mixte": "demarrages",
    "delai_median_jours": "demarrages",
}


def shown_or_dash(value, unit: str, decimals: int = 0) -> str:
    """A tile value in French, "–" when there is nothing to show (NaN)."""
    if pd.isna(value):
        return "–"
    return percent(value) if unit == "%" else f"{number(value, decimals)} {unit}"


st.subheader("Rural et urbain")
definition(coverage.DEFINITION)
split = compute(coverage.rural_urban, view.filters, view.period)
for classe in coverage.CLASSES:
    row, label = split.loc[classe], CLASS_LABELS[classe]
    cols = st.columns(5)
    cols[0].metric(f"Jeunes ({label})", number(row["jeunes"]))
    cols[1].metric(f"Démarrages ({label})", number(row["demarrages"]))
    cols[2].metric(f"En présentiel ({label})", shown_or_dash(row["part_presentiel"], "%"))
    cols[3].metric(f"Délai médian ({label})", shown_or_dash(row["delai_median_jours"], "j"))
    cols[4].metric(
        f"Distance médiane ({label})", shown_or_dash(row["distance_mediane_km"], "km", 1)
    )
shown = split.reset_index()
table(
    shown.assign(classe=shown["classe"].map(CLASS_LABELS)).rename(columns=COLUMNS),
    "rural_urbain",
    percent_columns=SHARES,
)

st.subheader("Carte des jeunes et des antennes")
radius = st.slider("Rayon de couverture d'une antenne (km)", 5, 60, 30, step=5)
communes = compute(coverage.by_commune, view.filters, view.period)
uncovered = compute(coverage.uncovered_communes, view.filters, view.period.au, radius)
# A commune's youths also add up to its EPCI, its class and its distance band, each shown
# elsewhere: suppression covers those groups too, and the map hides what the table hides.
communes = communes.assign(
    tranche_distance=pd.cut(
        communes["distance_km"], [0, *coverage.DISTANCE_EDGES_KM, float("inf")], right=False
    )
)
GROUPS = ["epci_nom", "classe", "tranche_distance"]
on_screen = must_suppress(viewer.role.value)
places_hidden = hide_small_counts(communes, PLACE_COUNTS, PLACE_RATES, GROUPS).mask
waiting_hidden = hide_small_counts(uncovered, PLACE_COUNTS).mask
st.plotly_chart(
    commune_map(
        communes,
        data.antennes,
        uncovered,
        radius,
        hide_below=threshold() if on_screen else None,
        hidden=places_hidden["jeunes"] | places_hidden["demarrages"],
        hidden_waiting=waiting_hidden["en_attente"],
    ),
    config={"displaylogo": False, "scrollZoom": True},
)
st.caption(
    "Cercles : jeunes inscrits sur la période, par commune (surface proportionnelle). "
    f"Croix : communes avec des jeunes en attente de mentor au {day(view.period.au)} et "
    f"sans antenne à moins de {radius} km. Carte dessinée sans fond de carte en ligne."
)
place_table(
    communes.drop(columns=["latitude", "longitude"]),
    "communes",
    viewer,
    PLACE_COUNTS,
    PLACE_RATES,
    COLUMNS,
    SHARES,
    groups=GROUPS,
    hidden_columns=["tranche_distance"],
)

st.subheader("Distance à l'antenne la plus proche")
definition(geo.DEFINITION)
bands = compute(coverage.distance_bands, view.filters, view.period)
st.plotly_chart(
    bars(
        list(bands["tranche"]),
        list(bands["jeunes"]),
        text=[
            f"{number(n)} ({percent(p)})"
            for n, p in zip(bands["jeunes"], bands["part"], strict=True)
        ],
        color=PALETTE[2],
    ).update_yaxes(title="Jeunes inscrits sur la période"),
    config={"displaylogo": False},
)
table(
    bands.rename(columns={"tranche": "Distance", "jeunes": "Jeunes", "part": "Part"}),
    "distance_antenne",
    percent_columns=("Part",),
)

st.subheader(f"Communes sans antenne à moins de {radius} km")
definition(coverage.UNCOVERED_DEFINITION)
# Their total would give back a hidden cell: only the roles that see small counts get it.
waiting_total = int(uncovered["en_attente"].sum())
st.metric(
    "Communes non couvertes avec des jeunes en attente",
    number(len(uncovered)),
    help=None if on_screen else f"{number(waiting_total)} jeunes en attente dans ces communes",
)
place_table(
    uncovered.drop(columns=["latitude", "longitude"]),
    "communes_non_couvertes",
    viewer,
    PLACE_COUNTS,
    PLACE_RATES,
    COLUMNS,
)

st.subheader("Par EPCI")
place_table(
    compute(coverage.by_epci, view.filters, view.period).drop(columns=["latitude", "longitude"]),
    "epci",
    viewer,
    PLACE_COUNTS,
    PLACE_RATES,
    COLUMNS,
    SHARES,
)
