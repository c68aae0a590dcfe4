"""Données consolidées: what the database holds, source by source, and the import history."""

import streamlit as st

from auth.roles import Right
from dashboard.access import require
from dashboard.data import interrupted_imports, load_overview
from dashboard.sections import tiles
from dashboard.tables import freshness_table, history_table, interrupted_table, parcours_table
from dashboard.undo_import import undo_section
from dashboard.widgets import french_table, no_data_yet
from domain.formatting import count

viewer = require("donnees")
data = load_overview()

parcours = data["par_association"]
if parcours.empty:
    no_data_yet(viewer.may(Right.IMPORT_ANY_FILE) or viewer.may(Right.IMPORT_OWN_EXPORTS))
    st.stop()

tiles(
    {
        "parcours_consolides": int(parcours["parcours"].sum()),
        "parcours_avec_demarrage": int(parcours["demarres"].sum()),
        "associations": parcours["association"].dropna().nunique(),
    },
    per_row=3,
)

st.subheader("Parcours par association et canal")
french_table(parcours_table(parcours))

st.subheader("Fraîcheur des données")
st.caption(
    "Pour chaque source, la date que décrivent les données de son dernier import (« extraction "
    "du … » du fichier, sinon sa dernière date, sinon le jour de l'import) ; au-delà de "
    "45 jours, relancez l'association."
)
french_table(freshness_table(data["fraicheur"]))

st.subheader("Historique des imports")
french_table(history_table(data["historique"]))
stopped = interrupted_imports()
if len(stopped):
    st.warning(
        f"**{count(len(stopped), 'import interrompu', 'imports interrompus')}** avant la fin "
        "(serveur arrêté, processus tué) : rien de ces fichiers n'a été écrit. Importez-les à "
        "nouveau.",
        icon=":material/sync_problem:",
    )
    french_table(interrupted_table(stopped))

if not viewer.may(Right.UNDO_IMPORT):
    st.stop()

undo_section(data["annulables"], viewer)
