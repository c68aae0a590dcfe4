"""The data date (indicators.dataset.data_date, store.queries.recorded_data_date): the
latest date the files in force describe, capped at today; without one, the latest dated
event of the parcours; without either, today. The default period is the 12 months ending
on it."""

from __future__ import annotations

import datetime as dt

from indicators.dataset import (
    FROM_IMPORTS,
    FROM_PARCOURS,
    FROM_TODAY,
    DataDate,
    Period,
    data_date,
    latest_event,
)
from pipelines.api import ingest, undo
from store.audit import Actor
from store.queries import recorded_data_date
from tests.helpers import csv_bytes, xlsx_bytes
from tests.test_indicators_load import make_dataset
from tests.test_ingest import HEADER, ROW_A1

TODAY = dt.date(2026, 3, 15)


def test_the_recorded_date_capped_at_today_else_the_parcours_else_today():
    data = make_dataset(
        {"date_inscription": "2025-10-01", "date_debut": "2025-11-20"},
        {"date_inscription": "2025-12-01", "date_derniere_rencontre": "2025-12-19"},
        {"date_inscription": "2026-01-05", "date_fin": "2027-01-01"},  # after today: not known
    )
    assert data_date(data, dt.date(2025, 12, 31), TODAY) == DataDate(
        dt.date(2025, 12, 31), FROM_IMPORTS
    )
    assert data_date(data, dt.date(2026, 4, 1), TODAY) == DataDate(TODAY, FROM_IMPORTS)
    assert latest_event(data, TODAY) == dt.date(2026, 1, 5)
    assert data_date(data, None, TODAY) == DataDate(dt.date(2026, 1, 5), FROM_PARCOURS)
    assert data_date(make_dataset(), None, TODAY) == DataDate(TODAY, FROM_TODAY)
    assert DataDate(TODAY, FROM_PARCOURS).words == "dernière date connue des parcours"


def test_the_default_period_is_the_twelve_months_ending_on_it():
    assert Period.default(dt.date(2025, 12, 31)) == Period(
        dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    )
    assert Period.default(dt.date(2024, 2, 29)) == Period(dt.date(2023, 3, 1), dt.date(2024, 2, 29))


def test_recorded_from_the_files_in_force(engine, key):
    """A title's date and a file's latest date count; an undone import does not."""
    with engine.connect() as conn:
        assert recorded_data_date(conn) is None  # nothing imported
    envol = ingest(engine, csv_bytes([HEADER, ROW_A1]), "envol.csv", key, association="Envol")
    assert envol.statut == "charge"
    with engine.connect() as conn:
        latest = recorded_data_date(conn)
    assert latest.isoformat() == envol.date_donnees == "2025-03-05"  # its latest date
    row = ["B1", "Martin", "Paul", "01/02/2009", *ROW_A1[4:]]
    titled = xlsx_bytes([HEADER, row], title_rows=["Extraction du 31/12/2025", ""])
    later = ingest(engine, titled, "boussole.xlsx", key, association="Boussole")
    assert later.statut == "charge"
    with engine.connect() as conn:
        assert recorded_data_date(conn) == dt.date(2025, 12, 31)
    undo(engine, later.import_id, Actor("claire"))
    with engine.connect() as conn:
        assert recorded_data_date(conn) == latest
