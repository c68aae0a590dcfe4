"""What the import page shows before anything is written: how the columns were read, and
which lines will be quarantined (never a name: line, column, reason, the association's id)."""

from __future__ import annotations

import hashlib

import pandas as pd

from pipelines.ingest import Plan, sha256_of
from pipelines.schema import field

IGNORED = "ignorée"
BY_SYNONYMS = "reconnu par les synonymes"


def batch_sha256(parts: list[bytes]) -> str:
    """The identity of a batch of files (Word fiches): sha256 of their hashes, in order."""
    return hashlib.sha256("".join(sha256_of(p) for p in parts).encode("ascii")).hexdigest()


def batch_name(filenames: list[str]) -> str:
    """The name recorded (history, audit log) for a batch of Word fiches: how many, never
    the file names, which are often the youth's name ("fiche_Dupont_Marie.docx")."""
    return f"{len(filenames)} fiche(s) candidature (Word)"


def layout_label(plan: Plan) -> str:
    return plan.mapping.profile or BY_SYNONYMS


def mapping_preview(plan: Plan) -> pd.DataFrame:
    """One row per column of the file, in order: its header and the field it feeds, or
    "ignorée" when it feeds none."""
    kind = plan.mapping.kind
    rows = []
    for pos, header in enumerate(plan.raw.header):
        name = plan.mapping.columns.get(pos)
        if name is None:
            label = IGNORED
        else:
            try:
                label = field(kind, name).label
            except KeyError:
                label = name
        rows.append(
            {"Colonne du fichier": str(header or f"(colonne {pos + 1} sans titre)"), "Champ": label}
        )
    return pd.DataFrame(rows, columns=["Colonne du fichier", "Champ"])


def quarantine_preview(plan: Plan) -> pd.DataFrame:
    """The lines that will not be loaded, and why."""
    q = plan.prepared.quarantine
    shown = pd.DataFrame(
        {
            "Ligne": q["ligne"].astype(int).to_numpy() if len(q) else [],
            "Colonne": q["colonne"].to_numpy() if len(q) else [],
            "Motif": q["motif"].to_numpy() if len(q) else [],
            "Identifiant (association)": q["id_source"].to_numpy() if len(q) else [],
        }
    )
    return shown.reset_index(drop=True)
