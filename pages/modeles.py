"""Modèles et rapports: the templates handed to associations and CD staff, and the report
of each import's refused rows. Works on an empty database (templates are how one starts)."""

import pandas as pd
import streamlit as st

from dashboard.access import record_download, require
from dashboard.data import load_quarantine_reports
from pipelines import templates
from pipelines.quarantine_report import (
    HEADERS,
    WHOLE_ROW,
    paris_minute,
    quarantine_workbook,
    report_filename,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# (function name in pipelines.templates, button label, file name, mime, explanation)
TEMPLATES = [
    (
        "association_template",
        "Modèle d'export d'association (xlsx)",
        "modele-export-association.xlsx",
        XLSX,
        "À remplir par chaque association : une ligne par jeune, avec les étapes du binôme.",
    ),
    (
        "fiche_docx_template",
        "Fiche candidature (docx)",
        "fiche-candidature.docx",
        DOCX,
        "Fiche Word remplie par le référent ASE pour proposer un jeune au mentorat.",
    ),
    (
        "fiche_list_template",
        "Liste des fiches candidature (xlsx)",
        "modele-liste-fiches-candidature.xlsx",
        XLSX,
        "Tableau du département : une ligne par fiche candidature envoyée.",
    ),
    (
        "honorabilite_template",
        "Suivi de l'honorabilité B2/FIJAIS (xlsx)",
        "modele-suivi-honorabilite.xlsx",
        XLSX,
        "Suivi des demandes de contrôle d'honorabilité des mentors : une ligne par demande.",
    ),
]


@st.cache_data(show_spinner=False)
def template_bytes(name: str) -> bytes:
    return getattr(templates, name)()


def quarantine_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            HEADERS[0]: rows["ligne"].astype(int),
            HEADERS[1]: rows["id_source"].fillna("—"),
            HEADERS[2]: rows["colonne"].fillna(WHOLE_ROW),
            HEADERS[3]: rows["motif"],
        }
    )


def import_label(row: dict) -> str:
    refused = int(row["lignes_en_quarantaine"])
    plural = "s" if refused > 1 else ""
    return (
        f"n° {row['id']} — {row['fichier']} ({row['association'] or 'sans association'}, "
        f"{paris_minute(row['importe_le'])}) : {refused} ligne{plural} refusée{plural}"
    )


viewer = require("modeles")

st.subheader("Modèles à remplir")
st.caption(
    "Les en-têtes et les listes de valeurs de ces modèles sont ceux que l'import reconnaît : "
    "un fichier rempli à partir d'un modèle s'importe sans retouche."
)
for name, label, file_name, mime, explanation in TEMPLATES:
    left, right = st.columns([2, 3], vertical_alignment="center")
    left.download_button(
        label,
        data=template_bytes(name),
        file_name=file_name,
        mime=mime,
        icon=":material/download:",
        on_click=record_download,
        args=("telechargement", f"modèle {file_name}"),
        key=f"modele_{name}",
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
st.dataframe(quarantine_table(rows), hide_index=True, width="stretch")
st.download_button(
    "Télécharger le rapport des lignes refusées (xlsx)",
    data=quarantine_workbook(row, rows),
    file_name=report_filename(row),
    mime=XLSX,
    icon=":material/download:",
    on_click=record_download,
    args=("telechargement", f"rapport de quarantaine {report_filename(row)}"),
    key="rapport_quarantaine",
)
