"""Données consolidées: what the database holds, source by source, and the import history."""

import streamlit as st

from dashboard.data import load_overview
from dashboard.tables import freshness_table, history_table, parcours_table
from indicators.formatting import number

st.title("Données consolidées")
data = load_overview()

if data["demo"]:
    st.info(
        "Base de démonstration : toutes les données sont fictives (département du Nord, "
        "associations inventées).",
        icon=":material/science:",
    )

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
st.caption("Date du dernier import de chaque source ; au-delà de 45 jours, relancez l'association.")
st.dataframe(freshness_table(data["fraicheur"]), hide_index=True, width="stretch")

st.subheader("Historique des imports")
st.dataframe(history_table(data["historique"]), hide_index=True, width="stretch")
