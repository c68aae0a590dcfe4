"""Demo mode (the app opens without sign-in on the local machine) comes from a fact the demo
builder records on its imports, never from a user name anybody can type."""

from __future__ import annotations

from pipelines.api import ingest
from store.queries import DEMO_USER, is_demo
from tests.helpers import csv_bytes
from tests.test_ingest import HEADER, ROW_A1, ROW_A2


def _demo(engine) -> bool:
    with engine.connect() as conn:
        return is_demo(conn)


def test_an_import_under_the_demo_user_name_leaves_demo_mode(engine, key):
    assert not _demo(engine)  # an empty database is not the demo
    first = csv_bytes([HEADER, ROW_A1])
    assert ingest(engine, first, "demo.csv", key, association="Envol", demo=True).statut == "charge"
    assert _demo(engine)
    real = csv_bytes([HEADER, ROW_A2])
    report = ingest(engine, real, "vrai.csv", key, association="Envol", user=DEMO_USER)
    assert report.statut == "charge"
    assert not _demo(engine)  # "--user demo" keeps nothing open
