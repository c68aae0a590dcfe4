"""Journal d'audit (administrateur) : connexions, imports, annulations, correspondances,
référentiel, comptes, exports et téléchargements, filtrés par période, action et personne."""

import datetime as dt

import streamlit as st

from dashboard import journal as audit
from dashboard.access import require
from dashboard.sections import data_table, tile
from domain.formatting import number, paris_time, today_in_paris

viewer = require("journal")
st.caption(
    "Chaque connexion (et chaque échec), import, annulation, correspondance de colonnes "
    "enregistrée, changement de référentiel ou de compte, export et téléchargement est "
    f"inscrit ici. Le journal ne peut pas être modifié ; il est conservé "
    f"{audit.RETENTION_MONTHS} mois puis purgé."
)

today = today_in_paris()  # the days of the filter are days of Paris
left, middle, right = st.columns([2, 2, 2])
chosen = left.date_input(
    "Période",
    value=(today - dt.timedelta(days=30), today),
    max_value=today,
    format="DD/MM/YYYY",
    key="journal_periode",
)
du, au = chosen if isinstance(chosen, tuple) and len(chosen) == 2 else (None, None)
labels = audit.ACTION_LABELS
actions = middle.multiselect(
    "Actions", list(labels), format_func=labels.get, placeholder="Toutes", key="journal_actions"
)
person = right.text_input("Personne (identifiant exact)", key="journal_personne").strip()

entries = audit.entries(du, au, actions, person or None)
tile(st, "entrees_journal", len(entries))
shown = entries.assign(
    horodatage=entries["horodatage"].map(paris_time),
    action=entries["action"].map(lambda a: labels.get(a, a)),
)[["horodatage", "utilisateur", "role", "association", "action", "detail", "origine"]]
data_table(shown, "journal_audit")

with st.expander("Purge"):
    st.write(
        f"Supprime les entrées de plus de {audit.RETENTION_MONTHS} mois (la base de données "
        "refuse de supprimer les plus récentes)."
    )
    if st.button("Purger les entrées anciennes", key="journal_purger"):
        st.success(f"{number(audit.purge())} entrée(s) purgée(s).")
