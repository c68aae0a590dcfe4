"""The column-mapping correction of the import page: a select box per column the app did not
recognise (and, on request, per column), whose choices become the plan's `fixes`."""

from __future__ import annotations

import streamlit as st

from pipelines.mapping import IGNORE, ColumnMapping
from pipelines.schema import FIELDS, field

IGNORED_CHOICE = "— colonne ignorée —"
PER_ROW = 3


def _untitled(pos: int) -> str:
    return f"(colonne {pos + 1} sans titre)"


def fixes(widget_key: str, header: list[str], mapping: ColumnMapping) -> dict[int, str]:
    """Render the correction widgets; returns position → field (or IGNORE) where the user's
    choice differs from what the app understood."""
    fields = FIELDS[mapping.kind]
    choices = [IGNORED_CHOICE, *(f.label for f in fields)]
    by_label = {IGNORED_CHOICE: IGNORE} | {f.label: f.name for f in fields}
    unknown = set(mapping.unmapped) | set(mapping.duplicates)
    flagged = [pos for pos, text in enumerate(header) if text and text in unknown]
    if flagged:
        st.markdown(
            f"**{len(flagged)} colonne(s) non reconnue(s)** : indiquez le champ qu'elles "
            "contiennent, ou laissez-les ignorées."
        )
    every = st.toggle("Corriger aussi les colonnes reconnues", key=f"{widget_key}_toutes")
    shown = [p for p, text in enumerate(header) if text] if every else flagged
    if mapping.missing_required and not every:
        shown = [p for p, text in enumerate(header) if text and p not in mapping.columns]
    out: dict[int, str] = {}
    for start in range(0, len(shown), PER_ROW):
        cells = st.columns(PER_ROW)
        for cell, pos in zip(cells, shown[start : start + PER_ROW], strict=False):
            current = mapping.columns.get(pos, IGNORE)
            label = field(mapping.kind, current).label if current else IGNORED_CHOICE
            chosen = cell.selectbox(
                f"« {header[pos] or _untitled(pos)} »",
                choices,
                index=choices.index(label),
                key=f"{widget_key}_{pos}",
            )
            if by_label[chosen] != current:
                out[pos] = by_label[chosen]
    return out


def warn_missing(place, mapping: ColumnMapping) -> bool:
    """Say which required fields are still missing (in `place`, e.g. an st.empty above the
    select boxes); True when some are."""
    if not mapping.missing_required:
        return False
    labels = ", ".join(f"« {field(mapping.kind, n).label} »" for n in mapping.missing_required)
    place.warning(
        f"Colonnes obligatoires non trouvées : {labels}. Choisissez ci-dessous la colonne du "
        "fichier qui les contient, puis le rapport de contrôle s'affichera.",
        icon=":material/rule:",
    )
    return True
