"""What every figure page starts with: access check and title, shared filters, data
freshness."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from auth.roles import Right
from dashboard.access import require
from dashboard.data import data_date, dataset, load_overview
from dashboard.filters import View, in_words, sidebar
from dashboard.markdown import plain
from dashboard.registry import page
from dashboard.widgets import freshness, no_data_yet


def start(stem: str) -> View:
    """Check access to pages/<stem>.py (dashboard/registry.py), render the page header and
    the sidebar; stop the page when there is nothing to show.

    Returns the view the page's figures follow: period, filters, viewer and the data date
    (the default period ends on it; a month series stops there). A page asks
    `dashboard.data.compute` for its figures, and `dataset(view.filters)` only when it
    reads the data itself.
    """
    identity = require(stem)
    everything = dataset()
    if everything.parcours.empty:
        no_data_yet(identity.may(Right.IMPORT_ANY_FILE) or identity.may(Right.IMPORT_OWN_EXPORTS))
        st.stop()
    view = sidebar(everything, data_date())
    st.caption(f"Vue affichée : {plain(in_words(view))}.")
    freshness(load_overview()["fraicheur"])
    ignored = page(stem).ignores
    if ignored:
        st.caption(f"Filtres sans effet sur une partie de cette page : {ignored}.")
    return replace(view, viewer=identity)
