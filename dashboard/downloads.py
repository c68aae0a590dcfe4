"""What the Modèles et rapports page hands out: the templates to fill, and each import's
report of refused rows (xlsx, only the association's own identifiers, never a name)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from reports import templates
from reports.quarantine_report import (
    HEADERS,
    WHOLE_ROW,
    paris_minute,
    quarantine_workbook,
    report_filename,
)

__all__ = ["quarantine_workbook", "report_filename"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# (function name in reports.templates, button label, file name, mime, explanation)
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
