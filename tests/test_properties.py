"""Hypothesis properties of the whole pipeline: nothing lost, nothing doubled."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.api import ingest
from store.db import init_db, make_engine
from tests.conftest import TEST_KEY
from tests.helpers import assert_parcours_match_a_full_rebuild, counts, csv_bytes

HEADER = [
    "N° dossier",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Date d'inscription",
    "Modalité",
    "Date de début",
    "Nom du mentor",
    "Prénom du mentor",
]

names = st.sampled_from(["Dupont", "Martin", "N'Diaye", "Lefèvre", "Bernard", "", "  "])
firsts = st.sampled_from(["Marie-Claire", "Awa", "Théo", "Léa", "Noé", ""])
dates = st.one_of(
    st.dates(dt.date(2000, 1, 1), dt.date(2012, 12, 31)).map(lambda d: f"{d:%d/%m/%Y}"),
    st.sampled_from(["", "31/02/2010", "bientôt", "2010-13-01", "45000"]),
)
step_dates = st.one_of(
    st.dates(dt.date(2023, 1, 1), dt.date(2026, 12, 31)).map(lambda d: f"{d:%d/%m/%Y}"),
    st.sampled_from(["", "n/a", "32/01/2025"]),
)
modalites = st.sampled_from(["Présentiel", "À distance", "mixte", "", "Atelier"])
ids = st.sampled_from([f"A{i}" for i in range(12)] + [""])

rows = st.lists(
    st.tuples(ids, names, firsts, dates, step_dates, modalites, step_dates, names, firsts),
    min_size=1,
    max_size=25,
)


def fresh_engine(directory: str):
    engine = make_engine(f"sqlite:///{Path(directory) / 'p.db'}")
    init_db(engine)
    return engine


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_rows_read_equal_loaded_plus_quarantined(file_rows):
    with tempfile.TemporaryDirectory() as directory:
        engine = fresh_engine(directory)
        data = csv_bytes([HEADER, *[list(r) for r in file_rows]])
        report = ingest(engine, data, "x.csv", TEST_KEY, association="Envol")
        assert report.statut == "charge", report.erreurs
        assert report.lignes_lues == len(file_rows)
        assert report.lignes_lues == (
            report.lignes_chargees + report.lignes_en_quarantaine + len(report.lignes_ignorees)
        )
        c = counts(engine)
        assert c["enregistrements"] == report.lignes_chargees  # one record per loaded row
        assert c["parcours"] == report.lignes_chargees
        engine.dispose()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=3))
def test_importing_the_same_files_twice_changes_no_count(files):
    with tempfile.TemporaryDirectory() as directory:
        engine = fresh_engine(directory)
        payloads = [csv_bytes([HEADER, *[list(r) for r in f]]) for f in files]
        for i, data in enumerate(payloads):
            ingest(engine, data, f"mois{i}.csv", TEST_KEY, association="Envol")
        assert_parcours_match_a_full_rebuild(engine)
        before = counts(engine)
        for i, data in enumerate(payloads):
            report = ingest(engine, data, f"mois{i}-bis.csv", TEST_KEY, association="Envol")
            assert report.statut == "deja_importe"
        assert counts(engine) == before
        engine.dispose()
