"""What every figure page starts with: access check and title, shared filters, data
freshness."""

from __future__ import annotations

import streamlit as st

from auth.roles import Identity
from dashboard.access import require
from dashboard.data import dataset, load_overview
from dashboard.filters import View, in_words, sidebar
from dashboard.markdown import plain
from dashboard.registry import page
from dashboard.widgets import freshness
from indicators.dataset import Dataset


def start(stem: str) -> tuple[Dataset, View, Identity]:
    """Check access to pages/<stem>.py (dashboard/registry.py), render the page header and
    the sidebar; stop the page when there is nothing to show.

    Returns the dataset cut to the viewer's scope and filters, the view (period + filters)
    and the viewer.
    """
    identity = require(stem)
    everything = dataset()
    if everything.parcours.empty:
        st.warning(
            "Aucun parcours dans la base. Importez les exports des associations "
            "depuis la page « Importer » (ou `pilotage ingest FICHIER…`), ou "
            "construisez la base de démonstration "
            "(`make demo`)."
        )
        st.stop()
    view = sidebar(everything)
    st.caption(f"Vue affichée : {plain(in_words(view))}.")
    freshness(load_overview()["fraicheur"])
    ignored = page(stem).ignores
    if ignored:
        st.caption(f"Filtres sans effet sur une partie de cette page : {ignored}.")
    return dataset(view.filters), view, identity
