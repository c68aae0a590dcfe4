"""Comité de pilotage: the pack of the sidebar's period and filters (key figures and their
change, alerts, every section) as an editable PowerPoint deck and an Excel workbook; frozen
for a comité, and downloaded again later with the same numbers."""

import streamlit as st

from dashboard.comite import (
    alerts,
    ask,
    contents,
    downloads,
    freeze_form,
    frozen_packs,
    lazy_map,
    pack_for,
    preview,
    template_upload,
)
from dashboard.page import start
from dashboard.sections import section

view = start("comite")
viewer = view.viewer
section(
    "Ce que couvre le pack",
    "Le pack reprend les chiffres des pages, calculés par les mêmes fonctions, pour la "
    "période et les filtres de la barre latérale (les mêmes que sur les pages) et la "
    "comparaison choisie ici. Un pack figé garde ses chiffres : téléchargé à nouveau plus "
    "tard, il montre les mêmes nombres, même après de nouveaux imports.",
)
request = ask(view)
if request is None:
    st.stop()
pack = pack_for(request, viewer)
if pack is None:
    st.stop()

section("Chiffres clés et évolution")
preview(pack)
section("Alertes à traiter")
alerts(pack)
section("Contenu du pack")
contents(pack)

section("Télécharger")
template = template_upload(viewer)
downloads(pack, lazy_map(pack, request.scope), template, key="comite")
freeze_form(pack, request, viewer)

section("Packs figés pour les comités précédents")
frozen_packs(viewer)
