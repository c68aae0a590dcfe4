"""What every page starts with: title, demo banner, shared filters, data freshness."""

from __future__ import annotations

import streamlit as st

from dashboard.data import dataset, load_overview
from dashboard.filters import View, sidebar
from dashboard.widgets import freshness
from indicators.dataset import Dataset


def start(title: str) -> tuple[Dataset, View]:
    """Render the page header and the sidebar; stop the page when there is nothing to show.

    Returns the dataset cut to the viewer's filters, and the view (period + filters).
    """
    st.title(title)
    overview = load_overview()
    if overview["demo"]:
        st.info(
            "Base de démonstration : toutes les données sont fictives (département du Nord, "
            "associations inventées).",
            icon=":material/science:",
        )
    everything = dataset()
    if everything.parcours.empty:
        st.warning(
            "Aucun parcours dans la base. Importez les exports des associations "
            "(`python -m pipelines ingest FICHIER…`) ou construisez la base de démonstration "
            "(`make demo`)."
        )
        st.stop()
    view = sidebar(everything)
    freshness(overview["fraicheur"])
    return dataset(view.filters), view
