"""Undoing an import from the Données consolidées page (administrator only): the import's
rows go back to what they were, the history and the audit log say so, the figures follow."""

from __future__ import annotations

import streamlit as st

from auth.roles import Identity
from dashboard.access import origin
from dashboard.data import engine, prewarm
from dashboard.markdown import message
from dashboard.tables import undo_label
from domain.formatting import number
from pipelines.api import IngestError, undo

DONE = "annulation"  # session state: the message of the undo just made


def undo_section(undoable, viewer: Identity) -> None:
    st.subheader("Annuler un import")
    st.caption(
        "Les lignes ajoutées par l'import sont retirées et celles qu'il a modifiées reprennent "
        "leur état antérieur. Seul le dernier import de chaque source peut être annulé ; "
        "l'annulation est inscrite dans l'historique."
    )
    if done := st.session_state.pop(DONE, None):
        st.success(message(done))
    labels = {row.id: undo_label(row) for row in undoable.itertuples()}
    choice = st.selectbox(
        "Import à annuler",
        list(labels),
        format_func=labels.get,
        index=None,
        placeholder="Choisir…",
        key="annuler_import",
    )
    if choice is None or not st.button("Annuler cet import", type="primary", key="annuler"):
        return
    try:
        done = undo(engine(), choice, viewer.actor(origin()))
    except IngestError as exc:
        st.error(message(exc.message))
        return
    prewarm()
    st.session_state[DONE] = (
        f"Import n° {done.import_id} ({done.fichier}) annulé : lignes retirées "
        f"{number(done.supprimes)}, lignes rétablies {number(done.restaures)}. "
        "Les chiffres sont à jour."
    )
    st.rerun()  # so every figure above shows the data without the import
