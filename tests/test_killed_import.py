"""An import killed anywhere leaves nothing half-done, and running it again works.

The import runs as the command line runs it, in its own process, with the setting `settings.KILL_AT`
naming the point where it is killed (SIGKILL: no rollback, no `finally`; see
pipelines/faults.py). After each kill the database holds exactly what it held before
(every table, row by row) — or, killed after the commit, everything the import writes with
its audit entry. The same command run again then gives the dataset of an import never
interrupted. An undo killed before its commit changes nothing, and can be run again. On
SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, func, select, text

import settings
from demo import generate_demo_files
from pipelines.api import ingest
from pipelines.database_setup import ensure_database
from store.attempts import interrupted
from store.audit import entries
from store.bulk import read_frame
from store.db import make_engine
from store.models import DemandeHonorabilite, Enregistrement, ImportLot, Parcours
from tests.conftest import BACKENDS, PG_URL, TEST_KEY

ROOT = Path(__file__).resolve().parent.parent
ATTEMPTS = "import_tentative"
IMPORT_POINTS = ["lecture", "verrou", "lot", "enregistrements", "parcours", "journal"]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[Path]:
    return generate_demo_files(tmp_path_factory.mktemp("killed"), n_parcours=300)


def _setup(engine, files: list[Path]) -> Path:
    """The database as the command line leaves it (communes loaded), the referential and the
    CD's fiches imported; returns the export to kill."""
    ensure_database(engine)
    for path in files[:2]:
        assert ingest(engine, path.read_bytes(), path.name, TEST_KEY).statut == "charge"
    return files[2]


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path, files):
    """(url for the command line, engine, export to kill) on a database set up for it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'base.db'}"
        engine = make_engine(url)
        export = _setup(engine, files)
        yield url, engine, export
        engine.dispose()
        return
    schema = f"k_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    try:
        yield url, engine, _setup(engine, files)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _run(url: str, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {settings.DB_URL.env: url, settings.SECRET_KEY.env: TEST_KEY.decode()}
    env.pop(settings.KILL_AT.env, None)
    if kill_at:
        env[settings.KILL_AT.env] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "commands", *args, "--user", "test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _everything(engine) -> dict[str, list[tuple]]:
    """Every table, row by row (what "nothing changed" means)."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted(tuple(map(str, row)) for row in conn.execute(select(table)))
            for name, table in metadata.tables.items()
        }


def _dataset(engine) -> dict[str, list[tuple]]:
    """The consolidated data without what differs between two runs (ids, dates of import)."""
    out = {}
    with engine.connect() as conn:
        for table in (Enregistrement, DemandeHonorabilite, Parcours):
            frame = read_frame(conn, table.__table__)
            keep = [c for c in frame.columns if c not in ("id", "import_id")]
            keep = [c for c in keep if c != "absent_depuis_import_id"]
            out[table.__tablename__] = sorted(map(tuple, frame[keep].astype(str).values.tolist()))
        out["imports"] = conn.execute(select(func.count()).select_from(ImportLot)).scalar_one()
    return out


def _import_entries(engine, name: str) -> int:
    log = entries(engine)
    return int(((log["action"] == "import") & log["detail"].str.contains(name, regex=False)).sum())


def _intact(engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


@pytest.fixture(scope="module")
def reference(files, tmp_path_factory) -> dict:
    """The dataset after the same import, never interrupted."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}")
    export = _setup(engine, files)
    assert ingest(engine, export.read_bytes(), export.name, TEST_KEY).statut == "charge"
    expected = _dataset(engine)
    engine.dispose()
    return expected


@pytest.mark.parametrize("point", IMPORT_POINTS)
def test_an_import_killed_before_its_commit_leaves_nothing(database, reference, point):
    url, engine, export = database
    before = _everything(engine)
    killed = _run(url, "ingest", str(export), kill_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    engine.dispose()  # what a new process would see
    _intact(engine)
    after = _everything(engine)
    left = after.pop(ATTEMPTS)
    assert not before.pop(ATTEMPTS) and after == before
    # The trace of the attempt: only once it started writing (after reading the file).
    assert len(left) == (0 if point == "lecture" else 1)
    again = _run(url, "ingest", str(export))  # a new process: it says what was interrupted
    assert again.returncode == 0, again.stdout + again.stderr
    assert _dataset(engine) == reference
    assert _import_entries(engine, export.name) == 1
    said = interrupted(engine)
    assert said["fichier"].tolist() == ([] if point == "lecture" else [export.name])
    log = entries(engine)
    stopped = log[log["action"] == "import_interrompu"]
    assert len(stopped) == len(said) and stopped["utilisateur"].tolist() == ["test"] * len(said)
    ensure_database(engine)  # said once, whoever opens the database next
    assert len(entries(engine).query("action == 'import_interrompu'")) == len(said)


def test_an_import_killed_after_its_commit_is_whole(database, reference):
    url, engine, export = database
    killed = _run(url, "ingest", str(export), kill_at="validation")
    assert killed.returncode == -signal.SIGKILL
    engine.dispose()
    _intact(engine)
    assert _dataset(engine) == reference
    assert _import_entries(engine, export.name) == 1
    again = _run(url, "ingest", str(export))
    assert again.returncode == 0 and "déjà importé" in again.stdout
    assert _dataset(engine) == reference


def test_an_undo_killed_before_its_commit_changes_nothing(database, tmp_path):
    url, engine, export = database
    before_import = _dataset(engine)
    report = ingest(engine, export.read_bytes(), export.name, TEST_KEY)
    assert report.statut == "charge"
    imported = _everything(engine)
    killed = _run(url, "undo", str(report.import_id), kill_at="annulation")
    assert killed.returncode == -signal.SIGKILL
    engine.dispose()
    _intact(engine)
    assert _everything(engine) == imported
    again = _run(url, "undo", str(report.import_id))
    assert again.returncode == 0, again.stdout + again.stderr
    undone = _dataset(engine)
    assert undone.pop("imports") == before_import.pop("imports") + 1  # kept, marked undone
    assert undone == before_import


def test_a_killed_sqlite_import_leaves_a_database_a_copy_can_read(tmp_path, files):
    """The file a backup would copy right after the kill opens and holds the old state."""
    url = f"sqlite:///{tmp_path / 'base.db'}"
    engine = make_engine(url)
    export = _setup(engine, files)
    before = _everything(engine)
    engine.dispose()
    assert _run(url, "ingest", str(export), kill_at="parcours").returncode == -signal.SIGKILL
    for suffix in ("", "-wal", "-shm"):
        source = tmp_path / f"base.db{suffix}"
        if source.exists():
            shutil.copy(source, tmp_path / f"copie.db{suffix}")
    copy = make_engine(f"sqlite:///{tmp_path / 'copie.db'}")
    _intact(copy)
    copied = _everything(copy)
    assert len(copied.pop(ATTEMPTS)) == 1  # the trace of the attempt, committed before
    before.pop(ATTEMPTS)
    assert copied == before
    copy.dispose()
