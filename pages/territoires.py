"""Territoires: rural against urban, youths per EPCI and commune on an offline map, distance
to the nearest antenne, and the communes where youths wait far from any antenne."""

import streamlit as st

from dashboard.charts import PALETTE, bars
from dashboard.data import compute, dataset
from dashboard.maps import commune_map
from dashboard.page import start
from dashboard.privacy import hide_small_counts, place_table
from dashboard.sections import chart, data_table, link_to, section, tile
from domain import rurality
from domain.formatting import count, day, number, percent
from indicators import coverage, geo
from indicators.small_counts import must_suppress, threshold

view = start("territoires")
PLACE_COUNTS, PLACE_RATES, GROUPS = (
    coverage.PLACE_COUNTS,
    coverage.PLACE_RATES,
    coverage.PLACE_GROUPS,
)

section("Rural et urbain", coverage.DEFINITION)
tile(st, "part_rurale", compute(coverage.rural_share, view.filters, view.period))
seven = st.toggle("Afficher les 7 niveaux de la grille de densité", key="sept_niveaux")
grid = compute(coverage.density_grid, view.filters, view.period, seven)
youths, shares = grid["jeunes_inscrits"], grid["part"]
chart(
    bars(
        list(grid["libelle"]),
        list(youths),
        text=[f"{number(n)} ({percent(p)})" for n, p in zip(youths, shares, strict=True)],
        color=PALETTE[1],
    ).update_yaxes(title="Jeunes inscrits sur la période")
)
st.caption(rurality.definition())
grid_label = "Niveau de densité" if seven else "Classe (grille de l'INSEE)"
data_table(grid.drop(columns="grille"), "grille_densite", {"libelle": grid_label})
split = compute(coverage.rural_urban, view.filters, view.period).reset_index()
data_table(split, "rural_urbain")

section("Carte des jeunes et des antennes")
antennes_known = coverage.antennes_known(dataset(view.filters))
if not antennes_known:  # no distance, no « commune non couverte » without the referential
    st.warning(coverage.NO_ANTENNE, icon=":material/location_off:")
    link_to("importer")
radius = st.slider("Rayon de couverture d'une antenne (km)", 5, 60, 30, step=5)
communes = compute(coverage.by_commune, view.filters, view.period)
uncovered = compute(coverage.uncovered_communes, view.filters, view.period.au, radius)
# A commune's youths also add up to its EPCI, its class and its distance band, each shown
# elsewhere: suppression covers those groups too, and the map hides what the table hides.
communes = coverage.with_distance_band(communes)
on_screen = must_suppress(view.viewer.role.value)
places_hidden = hide_small_counts(communes, PLACE_COUNTS, PLACE_RATES, GROUPS).mask
waiting_hidden = hide_small_counts(uncovered, PLACE_COUNTS).mask
chart(
    commune_map(
        communes,
        dataset(view.filters).antennes,
        uncovered,
        radius,
        hide_below=threshold() if on_screen else None,
        hidden=places_hidden["jeunes_inscrits"] | places_hidden["demarrages"],
        hidden_waiting=waiting_hidden["en_attente_binome"],
    ),
    movable=True,
)
st.caption(
    "Cercles : jeunes inscrits sur la période, par commune (surface proportionnelle). "
    f"Croix : communes avec des jeunes en attente de mentor au {day(view.period.au)} et "
    f"sans antenne à moins de {radius} km. Carte dessinée sans fond de carte en ligne."
)
places = communes.drop(columns=["latitude", "longitude"])
place_table(
    places, "communes", view.viewer, PLACE_COUNTS, PLACE_RATES, GROUPS, ["tranche_distance"]
)

if antennes_known:
    section("Distance à l'antenne la plus proche", geo.DEFINITION)
    bands = compute(coverage.distance_bands, view.filters, view.period)
    youths, shares = bands["jeunes_inscrits"], bands["part"]
    text = [f"{number(n)} ({percent(p)})" for n, p in zip(youths, shares, strict=True)]
    chart(
        bars(list(bands["tranche"]), list(youths), text=text, color=PALETTE[2]).update_yaxes(
            title="Jeunes inscrits sur la période"
        )
    )
    data_table(bands, "distance_antenne", {"tranche": "Distance"})

    section(f"Communes sans antenne à moins de {radius} km", coverage.UNCOVERED_DEFINITION)
    # Their total would give back a hidden cell: only the roles that see small counts get it.
    waiting_total = int(uncovered["en_attente_binome"].sum())
    note = None if on_screen else f"{count(waiting_total, 'jeune')} en attente dans ces communes"
    tile(st, "communes_non_couvertes", len(uncovered), help=note)
    uncovered_places = uncovered.drop(columns=["latitude", "longitude"])
    place_table(uncovered_places, "communes_non_couvertes", view.viewer, PLACE_COUNTS, PLACE_RATES)

section("Par EPCI")
epci = compute(coverage.by_epci, view.filters, view.period).drop(columns=["latitude", "longitude"])
place_table(epci, "epci", view.viewer, PLACE_COUNTS, PLACE_RATES)
