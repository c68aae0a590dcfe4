"""Pilotage du mentorat ASE — entry point: page settings and navigation over pages/."""

import streamlit as st

st.set_page_config(
    page_title="Pilotage du mentorat ASE",
    page_icon=":material/diversity_3:",
    layout="wide",
)

pages = [
    st.Page(
        "pages/donnees.py", title="Données consolidées", icon=":material/database:", default=True
    ),
]
st.navigation(pages).run()
