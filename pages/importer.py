"""Importer: drop the month's files, each on its own line with its kind and association,
answer what the app could not tell, see what will be loaded, then confirm.

Nothing is written before "Confirmer l'import"; the figures of every page follow the new
data version by themselves.
"""

from __future__ import annotations

import streamlit as st

from auth.roles import Right
from dashboard.access import require
from dashboard.demo_exit import offer_demo_exit
from dashboard.import_review import confirm_all, pseudonym_key, review
from dashboard.importing import uploads
from dashboard.markdown import plain
from domain.formatting import of_name

viewer = require("importer")
if viewer.source == "demo":  # real files never go into the fictitious data
    offer_demo_exit(viewer)
    st.stop()
own = not viewer.may(Right.IMPORT_ANY_FILE)  # an association: its own exports only
st.markdown(
    (
        f"Déposez les exports {of_name(plain(viewer.association or ''))} (Excel, OpenDocument "
        "ou CSV). "
        if own
        else "Déposez les fichiers du mois, ensemble ou un à un : exports des associations "
        "(Excel, OpenDocument ou CSV), suivi honorabilité, référentiel des associations, fiches "
        "candidature du département (Word, plusieurs à la fois). Chaque fichier a sa ligne : "
        "son type et son association, lus dans le fichier, se corrigent sur cette ligne. "
    )
    + "Le rapport de contrôle s'affiche **avant** tout enregistrement : rien n'est écrit tant "
    "que vous n'avez pas cliqué sur « Confirmer l'import »."
)
secret = pseudonym_key()
files = st.file_uploader(
    "Fichiers à importer",
    type=["xlsx", "xls", "ods", "csv"] if own else ["xlsx", "xls", "ods", "csv", "docx"],
    accept_multiple_files=True,
    key="importer_fichiers",
)
batch: dict = {}  # what this run answered for the files above (a label asked once)
outcomes = [(u.name, review(u, secret, viewer, batch)) for u in uploads(files or [])]
confirm_all(outcomes, viewer)
