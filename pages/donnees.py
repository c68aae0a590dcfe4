"""Données consolidées: what the database holds, source by source, and the import history."""

import streamlit as st

from auth.roles import Right
from dashboard.access import origin, require
from dashboard.data import engine, load_overview, prewarm
from dashboard.markdown import message
from dashboard.tables import freshness_table, history_table, parcours_table, undo_label
from domain.formatting import number
from pipelines.errors import IngestError
from pipelines.undo import undo_import

viewer = require("donnees")
data = load_overview()

parcours = data["par_association"]
if parcours.empty:
    st.warning(
        "Aucun parcours dans la base. Importez les exports des associations "
        "(`python -m pipelines ingest FICHIER…`) ou construisez la base de démonstration "
        "(`make demo`)."
    )
    st.stop()

total = int(parcours["parcours"].sum())
col1, col2, col3 = st.columns(3)
col1.metric("Parcours consolidés", number(total))
col2.metric("Binômes démarrés", number(int(parcours["demarres"].sum())))
col3.metric("Associations", parcours["association"].dropna().nunique())

st.subheader("Parcours par association et canal")
st.dataframe(parcours_table(parcours), hide_index=True, width="stretch")

st.subheader("Fraîcheur des données")
st.caption(
    "Pour chaque source, la date que décrivent les données de son dernier import (« extraction "
    "du … » du fichier, sinon sa dernière date, sinon le jour de l'import) ; au-delà de "
    "45 jours, relancez l'association."
)
st.dataframe(freshness_table(data["fraicheur"]), hide_index=True, width="stretch")

st.subheader("Historique des imports")
st.dataframe(history_table(data["historique"]), hide_index=True, width="stretch")

if not viewer.may(Right.UNDO_IMPORT):
    st.stop()

st.subheader("Annuler un import")
st.caption(
    "Les lignes ajoutées par l'import sont retirées et celles qu'il a modifiées reprennent "
    "leur état antérieur. Seul le dernier import de chaque source peut être annulé ; "
    "l'annulation est inscrite dans l'historique."
)
if done := st.session_state.pop("annulation", None):
    st.success(message(done))
undoable = data["annulables"]
labels = {row.id: undo_label(row) for row in undoable.itertuples()}
choice = st.selectbox(
    "Import à annuler",
    list(labels),
    format_func=labels.get,
    index=None,
    placeholder="Choisir…",
    key="annuler_import",
)
if choice is not None and st.button("Annuler cet import", type="primary", key="annuler"):
    try:
        done = undo_import(engine(), choice, user=viewer.identifiant, actor=viewer.actor(origin()))
    except IngestError as exc:
        st.error(message(exc.message))
    else:
        prewarm()
        st.session_state["annulation"] = (
            f"Import n° {done.import_id} ({done.fichier}) annulé : lignes retirées "
            f"{number(done.supprimes)}, lignes rétablies {number(done.restaures)}. "
            "Les chiffres sont à jour."
        )
        st.rerun()  # so every figure above shows the data without the import
