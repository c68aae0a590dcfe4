"""A database ready for use: schema migrated, communes referential loaded once."""

from __future__ import annotations

from sqlalchemy import Engine, func, insert, select

from pipelines.communes import load_communes
from store.db import init_db, reset_database
from store.models import Commune


def load_communes_table(engine: Engine) -> int:
    """Fill the `commune` table from the committed referential; returns the row count."""
    frame = load_communes()
    columns = [c.name for c in Commune.__table__.columns]
    subset = frame[columns].astype(object)
    rows = subset.where(subset.notna(), None).to_dict("records")
    with engine.begin() as conn:
        conn.execute(insert(Commune), rows)
    return len(rows)


def ensure_database(engine: Engine, communes: bool = True) -> None:
    """Migrate, then load the communes referential if the table is empty."""
    init_db(engine)
    if not communes:
        return
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Commune)).scalar_one()
    if count == 0:
        load_communes_table(engine)


def recreate_database(engine: Engine) -> None:
    """Empty every table (demo rebuild), keeping the communes referential loaded."""
    reset_database(engine)
    load_communes_table(engine)
