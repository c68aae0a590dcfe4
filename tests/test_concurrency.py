"""Imports at the same time (several associations on deadline day): one writer at a time, so
the dataset equals the one of sequential imports, on SQLite and PostgreSQL; the same file
sent twice at once is loaded once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from demo import generate_demo_files
from pipelines.api import ingest
from store.bulk import read_frame
from store.models import DemandeHonorabilite, Parcours
from tests.helpers import counts

ROUNDS = 3


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> list[Path]:
    return generate_demo_files(tmp_path_factory.mktemp("concurrent"), n_parcours=800)


def _signature(engine) -> tuple[list, list]:
    """The dataset, row by row, without the ids the order of imports decides."""
    with engine.connect() as conn:
        parcours = read_frame(conn, Parcours.__table__)
        demandes = read_frame(conn, DemandeHonorabilite.__table__)
    keep = [c for c in parcours.columns if c not in ("id", "import_id")]
    rows = sorted(map(tuple, parcours[keep].astype(str).to_numpy().tolist()))
    checks = demandes.drop(columns=["id", "import_id"]).astype(str)
    return rows, sorted(map(tuple, checks.to_numpy().tolist()))


def _at_once(engine, key, files: list[tuple[str, bytes]]) -> list[str]:
    """Import the files from as many threads, released together."""
    start = threading.Barrier(len(files))

    def one(item: tuple[str, bytes]) -> str:
        name, data = item
        start.wait()
        return ingest(engine, data, name, key, user="test").statut

    with ThreadPoolExecutor(len(files)) as pool:
        return list(pool.map(one, files))


def _setup(engine, key, demo_files) -> list[tuple[str, bytes]]:
    """The referential and the CD's fiches first; the rest is what goes in parallel."""
    for path in demo_files[:2]:
        assert ingest(engine, path.read_bytes(), path.name, key).statut == "charge"
    return [(p.name, p.read_bytes()) for p in demo_files[2:]]


@pytest.fixture(scope="module")
def sequential(demo_files, tmp_path_factory) -> tuple[list, list]:
    """The dataset of the same files imported one after the other."""
    from store.db import init_db, make_engine
    from tests.conftest import TEST_KEY

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('seq') / 'sequentiel.db'}")
    init_db(engine)
    for name, data in _setup(engine, TEST_KEY, demo_files):
        assert ingest(engine, data, name, TEST_KEY).statut == "charge"
    expected = _signature(engine)
    engine.dispose()
    return expected


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_simultaneous_imports_give_the_sequential_dataset(
    engine, key, demo_files, sequential, round_
):
    files = _setup(engine, key, demo_files)
    assert _at_once(engine, key, files) == ["charge"] * len(files)
    assert _signature(engine) == sequential
    # The same files again, at once: nothing changes.
    assert _at_once(engine, key, files) == ["deja_importe"] * len(files)
    assert _signature(engine) == sequential


def test_the_same_file_twice_at_once_is_loaded_once(engine, key, demo_files):
    files = _setup(engine, key, demo_files)
    for round_ in range(ROUNDS):
        name, data = files[round_]
        statuses = _at_once(engine, key, [(name, data), (f"copie de {name}", data)])
        assert sorted(statuses) == ["charge", "deja_importe"], round_
    assert counts(engine)["imports"] == 2 + ROUNDS
