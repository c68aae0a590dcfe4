"""Pilotage du mentorat ASE — entry point: page settings and navigation over pages/.

The menu shows the pages the viewer's role opens; each page also checks access itself
(dashboard.access.require), since a file of pages/ can be run directly.
"""

import streamlit as st

from dashboard.access import pages_for, viewer

st.set_page_config(
    page_title="Pilotage du mentorat ASE",
    page_icon="🧭",  # an emoji: a material icon would be fetched from the internet
    layout="wide",
)

PAGES = [  # (file stem, title, icon)
    ("synthese", "Synthèse", ":material/dashboard:"),
    ("entonnoir", "Entonnoir", ":material/filter_alt:"),
    ("honorabilite", "Honorabilité", ":material/verified_user:"),
    ("associations", "Associations", ":material/groups:"),
    ("territoires", "Territoires", ":material/map:"),
    ("durees", "Durée des binômes", ":material/timelapse:"),
    ("qualite", "Qualité et conformité", ":material/rule:"),
    ("importer", "Importer", ":material/upload_file:"),
    ("modeles", "Modèles et rapports", ":material/description:"),
    ("donnees", "Données consolidées", ":material/database:"),
    ("journal", "Journal d'audit", ":material/history:"),
]

allowed = pages_for(viewer())
if allowed:
    pages = [
        st.Page(f"pages/{stem}.py", title=title, icon=icon, default=stem == "synthese")
        for stem, title, icon in PAGES
        if stem in allowed
    ]
    st.navigation(pages).run()
else:  # nobody signed in: the Synthèse page shows the sign-in form and nothing else
    st.navigation(
        [st.Page("pages/synthese.py", title="Connexion", default=True)], position="hidden"
    ).run()
