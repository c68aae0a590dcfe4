"""Shared fixtures: a pseudonymisation key, and databases on SQLite and (when configured)
PostgreSQL, so every database test runs on both."""

from __future__ import annotations

import shutil
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

import settings
from store.db import init_db, make_engine

TEST_KEY = b"cle-de-test-pour-la-suite-uniquement-0123456789"

# The property tests draw the same examples on every run (from each test's name): a test that
# passes on one machine passes on every clean clone. To explore new examples, run them by
# hand with `derandomize=False` here; keep what they find as an `@example`.
hypothesis_settings.register_profile("pilotage", derandomize=True, database=None)
hypothesis_settings.load_profile("pilotage")
PG_URL = settings.TEST_PG_URL.value()


@pytest.fixture
def key(monkeypatch) -> bytes:
    monkeypatch.setenv(settings.SECRET_KEY.env, TEST_KEY.decode())
    return TEST_KEY


def _pg_engine(schema: str):
    url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    return admin, engine


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason=f"{settings.TEST_PG_URL.env} non défini"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path: Path):
    """An empty, migrated database (communes table left empty for speed)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        init_db(eng)
        yield eng
        eng.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin, eng = _pg_engine(schema)
    try:
        init_db(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def demo_pristine(tmp_path_factory) -> Path:
    """The demo database as `make demo` leaves it, built once per test process through the
    real pipeline. Never opened by a test: `demo_db_url` is a copy, and a test that needs
    the demo untouched copies this file (signing in under AppTest adds an account to the
    database it runs on)."""
    from demo.database import build_demo_database

    directory = tmp_path_factory.mktemp("demo")
    path = directory / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    reports = build_demo_database(engine, directory / "fichiers", TEST_KEY)
    assert all(r.statut == "charge" for r in reports), [r.erreurs for r in reports]
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def demo_db_url(demo_pristine, tmp_path_factory) -> str:
    """The demo database shared by the tests of this process that read it (the accounts
    they sign in with are added to it)."""
    path = tmp_path_factory.mktemp("demo_partagee") / "demo.db"
    shutil.copy(demo_pristine, path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_app(demo_db_url, monkeypatch):
    """Point the app at the demo database (for AppTest)."""
    monkeypatch.setenv(settings.DB_URL.env, demo_db_url)
    monkeypatch.setenv(settings.SECRET_KEY.env, TEST_KEY.decode())
    return demo_db_url


@pytest.fixture(scope="session")
def demo_dataset(demo_db_url):
    """The demo database read as the indicators read it."""
    from indicators.dataset import Dataset
    from store.queries import dataset_frames

    engine = make_engine(demo_db_url)
    with engine.connect() as conn:
        data = Dataset(**dataset_frames(conn))
    engine.dispose()
    return data


@pytest.fixture(scope="session")
def demo(demo_db_url, demo_dataset):
    """(engine, dataset) of the demo database, for tests that also count with SQL."""
    engine = make_engine(demo_db_url)
    yield engine, demo_dataset
    engine.dispose()


@pytest.fixture(autouse=True)
def _main_module_restored():
    """Streamlit's script runner (AppTest) leaves `sys.modules["__main__"]` set to the last
    page it ran; a process started with « spawn » afterwards in the same worker would run
    that page as its main module (and die before its task: BrokenProcessPool). Each test
    gets the main module back as it found it."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
