"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from store.db import init_db
from store.models import Base


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrating_twice_is_harmless(engine):
    init_db(engine)  # the fixture already migrated once
    tables = set(inspect(engine).get_table_names())
    assert {"parcours", "enregistrement", "demande_honorabilite", "import_lot"} <= tables
    assert "nom" not in {c["name"] for c in inspect(engine).get_columns("parcours")}
