"""Loading of the referentials that ship with the code (communes)."""

from __future__ import annotations

from sqlalchemy import Engine, insert

from pipelines.communes import load_communes
from store.models import Commune


def load_communes_table(engine: Engine) -> int:
    """Fill the `commune` table from the committed referential; returns the row count."""
    frame = load_communes()
    columns = [c.name for c in Commune.__table__.columns]
    rows = frame[columns].astype(object).where(frame[columns].notna(), None).to_dict("records")
    with engine.begin() as conn:
        conn.execute(insert(Commune), rows)
    return len(rows)
