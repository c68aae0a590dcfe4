"""Comité de pilotage: the pack of a period (key figures and their change, alerts, every
section) as an editable PowerPoint deck and an Excel workbook; frozen for a comité, and
downloaded again later with the same numbers."""

import streamlit as st

from dashboard.access import require
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
from dashboard.data import dataset
from dashboard.sections import section

viewer = require("comite")
if dataset().parcours.empty:
    st.warning(
        "Aucun parcours dans la base. Importez les exports des associations depuis la page "
        "« Importer » (ou `pilotage ingest FICHIER…`), ou construisez la base de "
        "démonstration (`make demo`)."
    )
    st.stop()

section(
    "Ce que couvre le pack",
    "Le pack reprend les chiffres des pages, calculés de la même façon, pour la période, la "
    "comparaison et le périmètre choisis ici. Un pack figé garde ses chiffres : téléchargé à "
    "nouveau plus tard, il montre les mêmes nombres, même après de nouveaux imports.",
)
request = ask(viewer)
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
template = template_upload()
downloads(pack, lazy_map(pack, request.scope), template, key="comite")
freeze_form(pack, request, viewer)

section("Packs figés pour les comités précédents")
frozen_packs(viewer)
