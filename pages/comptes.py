"""Comptes (administrator): the sign-in accounts listed, created and managed from the
browser — role and association, disable or enable, unlock, password, end of sessions — as
`pilotage users` does on the command line. Every change is written to the audit log."""

import streamlit as st

from dashboard import accounts
from dashboard.access import require
from dashboard.sections import link_to, section

viewer = require("comptes")
st.caption(
    "Les comptes des personnes qui se connectent au tableau de bord. Chaque création et "
    "chaque changement est inscrit au journal d'audit, à votre nom."
)
frame, sessions = accounts.current()

section(
    "Liste des comptes",
    "« Bloqué » : après trop d'échecs de connexion consécutifs, le compte est bloqué pour un "
    "temps, même avec le bon mot de passe (le débloquer efface ce blocage). « Désactivé » : "
    "plus aucune connexion possible, jusqu'à sa réactivation. « Sessions ouvertes » : "
    "navigateurs où la personne est connectée en ce moment avec un mot de passe local.",
)
accounts.listing(frame, sessions)

section("Créer un compte")
accounts.create_form(viewer)

section("Modifier un compte")
accounts.manage(viewer, frame, sessions)
link_to("journal")
