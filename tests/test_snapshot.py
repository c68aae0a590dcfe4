"""The columnar snapshot of the dataset (store/snapshot.py): the same frames as the database,
keyed by the data, rebuilt after an import or an undo, private, never trusted when damaged,
and written safely by two processes at once; the dashboard loads it once per process."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import stat
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

import settings
from demo import generate_demo_files
from pipelines.api import ingest
from pipelines.database_setup import load_communes_table, recreate_database
from pipelines.undo import undo_import
from store import queries, snapshot
from store.db import init_db, make_engine
from store.models import Commune
from tests.conftest import TEST_KEY

N_PARCOURS = 200  # a small département: every kind of file, a few hundred parcours


@pytest.fixture(autouse=True)
def _fresh_memory():
    snapshot.forget()
    yield
    snapshot.forget()


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> list[Path]:
    return generate_demo_files(tmp_path_factory.mktemp("fichiers"), n_parcours=N_PARCOURS)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, demo_files) -> Path:
    """The small demo imported once into SQLite; each test gets a copy."""
    path = tmp_path_factory.mktemp("modele") / "modele.db"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    _import(engine, demo_files[:-1])
    engine.dispose()
    return path


def _import(engine, files: list[Path]) -> None:
    with engine.connect() as conn:
        communes = conn.execute(select(func.count()).select_from(Commune)).scalar_one()
    if communes == 0:
        load_communes_table(engine)
    for path in files:
        report = ingest(engine, path.read_bytes(), path.name, TEST_KEY, user="test", demo=True)
        assert report.statut == "charge", report.erreurs


@pytest.fixture
def filled(engine, sqlite_template, demo_files, tmp_path, monkeypatch):
    """A database (SQLite, and PostgreSQL when configured) holding the small demo, every
    file but the last one imported; snapshots under tmp_path."""
    monkeypatch.setenv(settings.SNAPSHOT_DIR.env, str(tmp_path / "instantanes"))
    if engine.dialect.name == "sqlite":
        engine.dispose()
        shutil.copyfile(sqlite_template, engine.url.database)
        return engine
    _import(engine, demo_files[:-1])
    return engine


def _database_frames(engine) -> dict[str, pd.DataFrame]:
    with engine.connect() as conn:
        return queries.dataset_frames(conn)


def assert_same_frames(got: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    """Equal frames, dtypes and index; in text columns, the same Python type of each value
    (None and NaN are not the same missing value for every pandas method)."""
    assert list(got) == list(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(got[name], frame, check_exact=True)
        for column in frame.columns:
            if pd.api.types.is_object_dtype(frame[column]):
                types = list(map(type, frame[column]))
                assert list(map(type, got[name][column])) == types, (name, column)


def test_the_snapshot_gives_the_frames_the_database_gives(filled):
    first = snapshot.load(filled)
    assert first.source == "database"
    snapshot.forget()  # as a new process
    again = snapshot.load(filled)
    assert again.source == "snapshot"
    assert again.key == first.key
    expected = _database_frames(filled)
    assert len(expected["parcours"]) > 100
    assert expected["parcours"]["classe"].isna().any()  # a commune the referential lacks
    assert_same_frames(again.frames, expected)
    assert_same_frames(first.frames, expected)


def test_an_empty_database_round_trips(engine, tmp_path, monkeypatch):
    monkeypatch.setenv(settings.SNAPSHOT_DIR.env, str(tmp_path / "instantanes"))
    assert snapshot.load(engine).source == "database"
    snapshot.forget()
    again = snapshot.load(engine)
    assert again.source == "snapshot"
    assert_same_frames(again.frames, _database_frames(engine))


def test_the_files_are_private(filled):
    loaded = snapshot.load(filled)
    with filled.connect() as conn:
        where = snapshot.directory(conn)
    assert stat.S_IMODE(where.stat().st_mode) == 0o700
    folder = where / loaded.key
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert {f.name for f in files} == {"manifest.json", *(f"{n}.parquet" for n in snapshot.FRAMES)}
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_the_snapshot_holds_no_column_the_database_lacks(filled):
    loaded = snapshot.load(filled)
    with filled.connect() as conn:
        folder = snapshot.directory(conn) / loaded.key
    for name, frame in _database_frames(filled).items():
        stored = pq.read_schema(folder / f"{name}.parquet").names
        masks = [c for c in stored if c.startswith(snapshot.NAN)]
        assert [c for c in stored if c not in masks] == list(frame.columns)
        assert all(c.removeprefix(snapshot.NAN) in frame.columns for c in masks)


def test_beside_the_sqlite_file_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(settings.SNAPSHOT_DIR.env, raising=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'pilotage.db'}")
    with engine.connect() as conn:
        assert snapshot.directory(conn) == tmp_path / "pilotage.db.snapshot"
    monkeypatch.setenv(settings.SNAPSHOT_DIR.env, str(tmp_path / "ailleurs"))
    with engine.connect() as conn:
        where = snapshot.directory(conn)
    assert where.parent == tmp_path / "ailleurs"
    assert where.name.startswith("pilotage.db-")
    with make_engine("sqlite://").connect() as conn:
        assert snapshot.directory(conn) is None  # in memory: nothing on disk


def test_a_memory_database_loads_without_a_snapshot(engine, monkeypatch):
    memory = make_engine("sqlite://")
    init_db(memory)
    loaded = snapshot.load(memory)
    assert loaded.source == "database"
    assert loaded.frames["parcours"].empty


def test_an_import_and_an_undo_rebuild_a_kept_snapshot(filled, demo_files):
    before = snapshot.load(filled)
    with filled.connect() as conn:
        where = snapshot.directory(conn)
    _import(filled, demo_files[-1:])  # the honorabilité follow-up, or the last export
    with filled.connect() as conn:
        imported = snapshot.current_key(conn)
        import_id = queries.data_version(conn)[0]
    assert imported != before.key
    assert [p.name for p in where.iterdir()] == [imported]  # the old one removed
    snapshot.forget()
    assert_same_frames(snapshot.read(where, imported), _database_frames(filled))

    undo_import(filled, import_id, user="test")
    with filled.connect() as conn:
        undone = snapshot.current_key(conn)
    assert undone not in (imported, before.key)
    assert [p.name for p in where.iterdir()] == [undone]
    assert_same_frames(snapshot.read(where, undone), _database_frames(filled))


def test_an_import_writes_no_snapshot_for_a_database_that_keeps_none(engine, demo_files):
    with engine.connect() as conn:
        where = snapshot.directory(conn)
    _import(engine, demo_files[:1])
    assert not where.exists()


def test_the_key_follows_the_data_not_only_the_import_numbers(filled, demo_files):
    """A database rebuilt from scratch reuses import numbers: its snapshot is another one."""
    first = snapshot.load(filled)
    recreate_database(filled)
    time.sleep(0.01)
    _import(filled, demo_files[:-1])
    with filled.connect() as conn:
        assert queries.data_version(conn) == tuple(int(x) for x in first.key[1:].split("-")[:2])
        assert snapshot.current_key(conn) != first.key


def _damage(folder: Path, how: str) -> None:
    parcours = folder / "parcours.parquet"
    manifest = folder / "manifest.json"
    if how == "tronque":
        data = parcours.read_bytes()
        parcours.write_bytes(data[: len(data) // 2])
    elif how == "octet":
        data = bytearray(parcours.read_bytes())
        data[len(data) // 2] ^= 0xFF
        parcours.write_bytes(bytes(data))
    elif how == "absent":
        parcours.unlink()
    elif how == "manifeste":
        manifest.write_text("{ pas du json")
    elif how == "echange":  # another frame's file, its size and checksum in the manifest
        data = (folder / "demandes.parquet").read_bytes()
        parcours.write_bytes(data)
        text = json.loads(manifest.read_text())
        text["frames"]["parcours"] = text["frames"]["demandes"]
        manifest.write_text(json.dumps(text))
    elif how == "vide":
        for child in folder.iterdir():
            child.write_bytes(b"")


@pytest.mark.parametrize("how", ["tronque", "octet", "absent", "manifeste", "echange", "vide"])
def test_a_damaged_snapshot_is_ignored_and_rebuilt(filled, how):
    first = snapshot.load(filled)
    with filled.connect() as conn:
        where = snapshot.directory(conn)
    _damage(where / first.key, how)
    snapshot.forget()
    again = snapshot.load(filled)
    if how == "absent":  # a file removed: read from the database, written again later
        assert again.source in ("database", "snapshot")
    else:
        assert again.source == "database"
    assert_same_frames(again.frames, _database_frames(filled))
    snapshot.forget()
    if how != "absent":
        assert snapshot.load(filled).source == "snapshot"  # a sound one in its place


def _write_in_another_process(where: str, key: str, frames, start_at: float) -> bool:
    time.sleep(max(0.0, start_at - time.time()))
    return snapshot.write(Path(where), key, frames)


def test_two_processes_writing_the_same_version(filled):
    key, frames = snapshot.read_database(filled)
    with filled.connect() as conn:
        where = snapshot.directory(conn)
    start_at = time.time() + 1.5  # both processes started and ready by then
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        runs = [
            pool.submit(_write_in_another_process, str(where), key, frames, start_at)
            for _ in range(2)
        ]
        won = sorted(run.result() for run in runs)
    assert won == [False, True]  # one rename won, the other copy was discarded
    assert [p.name for p in where.iterdir()] == [key]  # no temporary folder left
    assert_same_frames(snapshot.read(where, key), _database_frames(filled))


def test_the_dashboard_loads_the_dataset_once_for_the_process(demo_app, monkeypatch):
    """The start-up thread and a visitor asking meanwhile share one load."""
    from dashboard import data

    monkeypatch.setattr(data, "_datasets", {})
    calls = []
    real = snapshot.load

    def slow_load(engine):
        calls.append(threading.current_thread().name)
        time.sleep(0.5)
        return real(engine)

    monkeypatch.setattr(data.snapshot, "load", slow_load)
    thread = data.load_in_background()
    time.sleep(0.1)
    version = data.data_version()
    got = data._dataset(data.database_url(), version)
    thread.join()
    assert calls == ["pilotage-dataset"]
    assert got is data._dataset(data.database_url(), version)
    assert len(got.parcours) > 0


def test_after_an_import_in_the_app_the_snapshot_is_ready(demo_app, monkeypatch):
    """`prewarm` (called after an import or an undo made in the app) leaves the snapshot of
    the new version on disk for the next server process."""
    from dashboard import data

    monkeypatch.setattr(data, "_datasets", {})
    data.prewarm()
    engine = make_engine(demo_app)
    with engine.connect() as conn:
        where, key = snapshot.directory(conn), snapshot.current_key(conn)
    assert (where / key / "manifest.json").exists()
