"""Pilotage du mentorat ASE — entry point: page settings and navigation over the pages
declared in dashboard/registry.py.

The menu shows the pages the viewer's role opens; each page also checks access itself
(dashboard.access.require), since a file of pages/ can be run directly.
"""

import streamlit as st

from dashboard.access import viewer
from dashboard.registry import HOME, PAGES, pages_for

st.set_page_config(
    page_title="Pilotage du mentorat ASE",
    page_icon="🧭",  # an emoji: a material icon would be fetched from the internet
    layout="wide",
)

# The page is in French: screen readers read it with a French voice (RGAA 8.3; Streamlit
# serves <html lang="en"> and has no setting for it).
st.html(
    "<script data-pilotage='langue'>document.documentElement.lang = 'fr';</script>",
    unsafe_allow_javascript=True,
)

# Tile names wrap instead of ending in « … » (« Délai médian B2 / FIJAIS (jours ouvrés) »).
st.html(
    '<style>[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * '
    "{ white-space: normal !important; overflow: visible !important; "
    "text-overflow: clip !important; height: auto !important; }</style>"
)

allowed = pages_for(viewer())
if allowed:
    # Every page in the menu, never « View more »: an administrator has fourteen.
    st.navigation(
        [st.Page(p.path, title=p.title, icon=p.icon, default=p.stem == HOME) for p in allowed],
        expanded=True,
    ).run()
else:  # nobody signed in: every address opens the sign-in form (each page checks access
    # itself) with no menu; a page's address kept, the person lands there once signed in.
    st.navigation(
        [st.Page(p.path, title=p.title, default=p.stem == HOME) for p in PAGES],
        position="hidden",
    ).run()
