"""The demo database: generated demo files ingested through the real pipeline, never inserted."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, inspect, select

from demo import generate_demo_files
from pipelines.api import FileReport, ingest
from pipelines.database_setup import recreate_database
from store.models import ImportLot
from store.queries import DEMO_USER


def has_imports(engine: Engine) -> bool:
    if not inspect(engine).has_table(ImportLot.__tablename__):
        return False
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ImportLot)).scalar_one() > 0


def build_demo_database(
    engine: Engine, directory: Path, key: bytes, n_parcours: int = 1500
) -> list[FileReport]:
    """Regenerate the demo files, empty the database and import the files in order."""
    files = generate_demo_files(directory, n_parcours=n_parcours)
    recreate_database(engine)
    return [
        ingest(engine, path.read_bytes(), path.name, key, user=DEMO_USER, demo=True)
        for path in files
    ]
