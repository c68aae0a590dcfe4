"""A database ready for use: schema migrated, communes referential loaded and current."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, case, func, insert, select, update

from pipelines.communes import load_communes
from store import attempts
from store.db import init_db, reset_database
from store.models import Commune

# What a new edition of INSEE's density grid changes in a commune already in the table.
GRID_COLUMNS = ("niveau_densite", "classe")


def load_communes_table(engine: Engine) -> int:
    """Fill the `commune` table from the committed referential; returns the row count."""
    frame = load_communes()
    columns = [c.name for c in Commune.__table__.columns]
    subset = frame[columns].astype(object)
    rows = subset.where(subset.notna(), None).to_dict("records")
    with engine.begin() as conn:
        conn.execute(insert(Commune), rows)
    return len(rows)


def _fingerprint(table):
    """Count, sum of levels and rural communes of the table: they change with an edition."""
    rural = func.sum(case((table.c.classe == "rural", 1), else_=0))
    return select(func.count(), func.coalesce(func.sum(table.c.niveau_densite), 0), rural)


def _expected_fingerprint(wanted: pd.DataFrame) -> tuple[int, int, int]:
    return (
        len(wanted),
        int(wanted["niveau_densite"].fillna(0).sum()),
        int((wanted["classe"] == "rural").sum()),
    )


def refresh_density_levels(engine: Engine) -> int:
    """Bring the level and class of the communes in the table in line with the referential
    (a database made before INSEE's grid, or before a new edition of it); returns the
    number of communes updated. Rows, codes and everything pointing at them stay."""
    table = Commune.__table__
    wanted = load_communes()[["insee", *GRID_COLUMNS]].astype({"insee": str})
    with engine.connect() as conn:
        if conn.execute(_fingerprint(table)).one() == _expected_fingerprint(wanted):
            return 0  # the usual case, read in a few milliseconds
        rows = conn.execute(select(table.c.insee, *(table.c[c] for c in GRID_COLUMNS)))
        stored = pd.DataFrame(rows.fetchall(), columns=["insee", *GRID_COLUMNS])
    both = wanted.merge(stored.astype({"insee": str}), on="insee", suffixes=("", "_now"))
    level_now = pd.to_numeric(both["niveau_densite_now"], errors="coerce").astype("Int64")
    differs = (level_now.fillna(0) != both["niveau_densite"].fillna(0)) | (
        both["classe_now"].fillna("") != both["classe"].fillna("")
    )
    changed = both.loc[differs, ["insee", *GRID_COLUMNS]]
    if changed.empty:
        return 0
    values = [
        {
            "code": code,
            "niveau": None if pd.isna(level) else int(level),
            "cl": None if pd.isna(classe) else classe,
        }
        for code, level, classe in changed.itertuples(index=False, name=None)
    ]
    statement = (
        update(table)
        .where(table.c.insee == bindparam("code"))
        .values(niveau_densite=bindparam("niveau"), classe=bindparam("cl"))
    )
    with engine.begin() as conn:
        conn.execute(statement, values)
    return len(values)


def ensure_database(engine: Engine, communes: bool = True) -> None:
    """Migrate, then load the communes referential if the table is empty, or bring its
    density levels up to date."""
    init_db(engine)
    attempts.recover(engine)  # imports a process left unfinished: said, once
    if not communes:
        return
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Commune)).scalar_one()
    if count == 0:
        load_communes_table(engine)
    else:
        refresh_density_levels(engine)


def recreate_database(engine: Engine) -> None:
    """Empty every table (demo rebuild), keeping the communes referential loaded."""
    reset_database(engine)
    load_communes_table(engine)
