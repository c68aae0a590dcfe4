"""Modèles et rapports: the templates handed to associations and CD staff, and the report
of each import's refused rows. Works on an empty database (templates are how one starts)."""

import functools

import streamlit as st

from dashboard.access import require
from dashboard.data import load_quarantine_reports
from dashboard.download_gate import download_button
from dashboard.downloads import (
    TEMPLATES,
    XLSX,
    import_label,
    quarantine_table,
    quarantine_workbook,
    report_filename,
    template_bytes,
)
from dashboard.widgets import french_table

viewer = require("modeles")

st.subheader("Modèles à remplir")
st.caption(
    "Les en-têtes et les listes de valeurs de ces modèles sont ceux que l'import reconnaît : "
    "un fichier rempli à partir d'un modèle s'importe sans retouche."
)
for name, label, file_name, mime, explanation in TEMPLATES:
    left, right = st.columns([2, 3], vertical_alignment="center")
    download_button(
        label,
        functools.partial(template_bytes, name),
        file_name,
        mime,
        key=f"modele_{name}",
        action="telechargement",
        what=f"modèle {file_name}",
        where=left,
    )
    right.write(explanation)

st.subheader("Rapports de quarantaine")
st.caption(
    "Lignes refusées à l'import, à renvoyer à l'association pour correction : le rapport ne "
    "contient que ses propres numéros de dossier, jamais de nom."
)
reports = load_quarantine_reports()
if not reports:
    st.success("Aucun import n'a de ligne refusée.", icon=":material/check_circle:")
    st.stop()

by_id = {int(row["id"]): (row, rows) for row, rows in reports}
chosen = st.selectbox(
    "Import",
    options=list(by_id),
    format_func=lambda i: import_label(by_id[i][0]),
    key="quarantaine_import",
)
row, rows = by_id[chosen]
french_table(quarantine_table(rows))
download_button(
    "Télécharger le rapport des lignes refusées (xlsx)",
    functools.partial(quarantine_workbook, row, rows),
    report_filename(row),
    XLSX,
    key="rapport_quarantaine",
    action="telechargement",
    what=f"rapport de quarantaine {report_filename(row)}",
)
