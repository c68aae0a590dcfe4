"""Engine creation and schema set-up (Alembic migrations applied at start)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

import settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = ROOT / "data" / "pilotage.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_CACHE_KIB = 64 * 1024
WRITE_WAIT_SECONDS = 60  # how long an import waits for another one to finish
WRITER = "pilotage_writer"  # execution option of the connections that take the write lock
PG_WRITE_LOCK = 4_732_011  # advisory lock key: one writer of the dataset at a time


class Busy(Exception):
    """Another import (or undo) held the write lock longer than WRITE_WAIT_SECONDS."""


def database_url(env: Mapping[str, str] | None = None) -> str:
    """The setting `settings.DB_URL`, else the SQLite file under data/."""
    return settings.DB_URL.value(env) or f"sqlite:///{DEFAULT_DB_PATH}"


def _with_driver(url: str) -> str:
    """psycopg 3 is the PostgreSQL driver we ship; accept the plain postgresql:// scheme."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None) -> Engine:
    url = _with_driver(url or database_url())
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": WRITE_WAIT_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_begin(conn: Connection) -> None:
    """SQLite transactions begun by us, not by the driver: BEGIN IMMEDIATE for a writer (it
    takes the write lock at once, so what it reads is what it writes on), BEGIN otherwise."""
    immediate = conn.get_execution_options().get(WRITER)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the dataset's write lock: imports and undos run one at a
    time, each reading the state the previous one committed. Waits up to
    WRITE_WAIT_SECONDS for the lock, then raises Busy. Commits at the end, rolls back on an
    exception (use `rollback()` on the connection's transaction for a dry run)."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as plain:
        conn = plain.execution_options(**{WRITER: True}) if sqlite else plain
        try:
            transaction = conn.begin()
        except OperationalError as exc:  # BEGIN IMMEDIATE waited its timeout
            raise Busy() from exc
        try:
            if not sqlite:
                conn.execute(text(f"SET LOCAL lock_timeout = '{WRITE_WAIT_SECONDS}s'"))
                try:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK})
                except OperationalError as exc:
                    raise Busy() from exc
            yield conn
        except BaseException:
            if transaction.is_active:
                transaction.rollback()
            raise
        if transaction.is_active:
            transaction.commit()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The driver begins no transaction by itself: `_sqlite_begin` does (SQLAlchemy's recipe
    # for SQLite transactions, and the only way to take the write lock at BEGIN).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # REPLACE deletes the row it replaces: with this, that delete fires the DELETE triggers
    # (the audit log's among them).
    cursor.execute("PRAGMA recursive_triggers=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A 100,000-row import rewrites more pages than the default 2 MiB cache holds; spilling
    # them mid-transaction costs about 30 % of the inserts (measured by `make bench`).
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest migration (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


def init_db(engine: Engine) -> None:
    """Bring the schema to the latest migration (idempotent)."""
    upgrade(engine)


def reset_database(engine: Engine) -> None:
    """Drop every table of the schema (and Alembic's own), then migrate from scratch."""
    from sqlalchemy import text

    from store.models import Base

    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
