"""The Importer on the demo database: before a real file can go in, say what leaving demo
mode does, and do it only once the person has said yes (demo/exit.py)."""

from __future__ import annotations

import streamlit as st

from auth.roles import Identity
from dashboard.access import origin
from dashboard.data import engine
from dashboard.markdown import message
from dashboard.session_cookie import start_afresh
from demo.exit import fictitious_parcours, leave_demo
from domain.formatting import count
from pipelines.api import IngestError


def offer_demo_exit(viewer: Identity) -> None:
    """On the demo database only: what happens next, a confirmation, then the fictitious
    data taken out. The caller stops the page after this (no upload into the demo)."""
    n = fictitious_parcours(engine())
    st.warning(
        "**Vous êtes sur la base de démonstration.** Pour importer vos propres fichiers, "
        "quittez d'abord le mode démonstration. Voici ce qui se passera :\n"
        f"1. les données fictives sont retirées de la base ({count(n, 'parcours fictif')}, "
        "associations inventées, modèles de colonnes) ; la sortie est inscrite au journal "
        "d'audit ;\n"
        "2. le tableau de bord n'est plus ouvert sans connexion ;\n"
        "3. sur ce poste, il vous propose aussitôt de créer le compte administrateur, "
        "avec lequel vous importerez vos fichiers et ouvrirez les comptes des autres "
        "personnes.\n\n"
        "Pour retrouver la démonstration plus tard, la personne qui installe le tableau de "
        "bord reconstruit la base fictive (ce qui efface tout).",
        icon=":material/warning:",
    )
    agreed = st.checkbox(
        "J'ai compris : retirer les données fictives de cette base", key="sortie_demo_ok"
    )
    if st.button("Quitter le mode démonstration", type="primary", disabled=not agreed):
        try:
            leave_demo(engine(), viewer.actor(origin()))
        except IngestError as exc:
            st.error(message(exc.message))
            return
        start_afresh()  # a new session: no demo menu left on screen
        st.rerun()
