"""Importer: drop the associations' exports, answer what the app could not tell, see what
will be loaded, then confirm.

Nothing is written before "Confirmer l'import"; the figures of every page follow the new
data version by themselves.
"""

from __future__ import annotations

import streamlit as st

from auth.roles import Right
from dashboard.access import require
from dashboard.demo_exit import offer_demo_exit
from dashboard.import_review import pseudonym_key, review, source_choice
from dashboard.importing import confirm, uploads

viewer = require("importer")
if viewer.source == "demo":  # real files never go into the fictitious data
    offer_demo_exit(viewer)
    st.stop()
own = not viewer.may(Right.IMPORT_ANY_FILE)  # an association: its own exports only
st.markdown(
    (
        f"Déposez les exports de **{viewer.association}** (Excel, OpenDocument ou CSV). "
        if own
        else "Déposez les exports des associations (Excel, OpenDocument ou CSV), le suivi "
        "honorabilité, le référentiel des associations ou les fiches candidature du "
        "département (Word, plusieurs à la fois). "
    )
    + "Le rapport de contrôle s'affiche **avant** tout enregistrement : rien n'est écrit tant "
    "que vous n'avez pas cliqué sur « Confirmer l'import »."
)
secret = pseudonym_key()
kind, association = source_choice(viewer)
files = st.file_uploader(
    "Fichiers à importer",
    type=["xlsx", "xls", "ods", "csv"] if own else ["xlsx", "xls", "ods", "csv", "docx"],
    accept_multiple_files=True,
    key="importer_fichiers",
)
ready = [r for u in uploads(files or []) if (r := review(u, secret, kind, association, viewer))]

if len(ready) > 1:
    st.divider()
    clicked = st.button("Confirmer l'import de tous les fichiers valides", key="confirmer_tout")
    if clicked and all([confirm(r, viewer) for r in ready]):
        st.rerun()
