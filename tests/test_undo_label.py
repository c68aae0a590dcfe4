"""How the undo list names an import: its association, or its kind when it has none (the
CD fiches, the B2 follow-up), never « nan »."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.tables import undo_label


def test_an_import_without_association_is_named_by_its_kind():
    frame = pd.DataFrame(
        {
            "id": [4, 5, 6],
            "fichier": ["export.csv", "fiches.xlsx", "suivi_b2.xlsx"],
            "association": ["Envol Mentorat Nord", None, None],
            "type": ["association", "fiche_cd", "honorabilite"],
            "importe_le": [dt.datetime(2026, 12, 5, 19, 1, tzinfo=dt.UTC)] * 3,
        }
    )
    frame.loc[2, "association"] = float("nan")  # as a database read gives it
    labels = [undo_label(row) for row in frame.itertuples()]
    assert labels == [
        "n° 4 – export.csv (Envol Mentorat Nord, 05/12/2026 20:01)",
        "n° 5 – fiches.xlsx (fiches candidature du CD, 05/12/2026 20:01)",
        "n° 6 – suivi_b2.xlsx (suivi honorabilité (B2/FIJAIS), 05/12/2026 20:01)",
    ]
