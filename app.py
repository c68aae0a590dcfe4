"""Pilotage du mentorat ASE — entry point: page settings and navigation over pages/."""

import streamlit as st

st.set_page_config(
    page_title="Pilotage du mentorat ASE",
    page_icon="🧭",  # an emoji: a material icon would be fetched from the internet
    layout="wide",
)

pages = [
    st.Page("pages/synthese.py", title="Synthèse", icon=":material/dashboard:", default=True),
    st.Page("pages/entonnoir.py", title="Entonnoir", icon=":material/filter_alt:"),
    st.Page("pages/honorabilite.py", title="Honorabilité", icon=":material/verified_user:"),
    st.Page("pages/associations.py", title="Associations", icon=":material/groups:"),
    st.Page("pages/territoires.py", title="Territoires", icon=":material/map:"),
    st.Page("pages/durees.py", title="Durée des binômes", icon=":material/timelapse:"),
    st.Page("pages/qualite.py", title="Qualité et conformité", icon=":material/rule:"),
    st.Page("pages/importer.py", title="Importer", icon=":material/upload_file:"),
    st.Page("pages/modeles.py", title="Modèles et rapports", icon=":material/description:"),
    st.Page("pages/donnees.py", title="Données consolidées", icon=":material/database:"),
]
st.navigation(pages).run()
