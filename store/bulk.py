"""Bulk reads and writes of whole frames, the same on SQLite and PostgreSQL.

On SQLite, rows go straight to the driver in bounded batches and come back as plain tuples:
SQLAlchemy's per-row parameter and result processing costs more than the SQL itself on
100,000 rows (measured by `make bench`). Dates are written as the ISO text SQLAlchemy's
`Date` type writes, so both paths store one format (checked by tests/test_bulk.py).
Other databases go through SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pandas.arrays import ArrowExtensionArray, BooleanArray, FloatingArray, IntegerArray
from sqlalchemy import ColumnElement, Connection, Table, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError

# Column types whose values the SQLite driver stores as SQLAlchemy would: everything but
# dates goes through unchanged, a Date is stored as ISO text ("2025-03-05").
_SQLITE_PLAIN_TYPES = (str, int, float, bool)
_FAST_ARRAYS = (ArrowExtensionArray, BooleanArray, FloatingArray, IntegerArray)


def _column_values(frame: pd.DataFrame, col: str) -> np.ndarray:
    """One column as an object array of plain Python values, missing as None; a datetime64
    column as datetime.date."""
    s = frame[col]
    if pd.api.types.is_datetime64_any_dtype(s):
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)  # the local calendar date
        return s.to_numpy(dtype="datetime64[D]").astype(object)  # NaT -> None, in C
    if isinstance(s.dtype, np.dtype):  # numpy: Python scalars, a copy; NaN and None as None
        values = s.to_numpy()
        out = values.astype(object)
        missing = pd.isna(values)
        if missing.any():
            out[missing] = None
        return out
    if isinstance(s.array, _FAST_ARRAYS):  # text, Int64, boolean
        return s.array.to_numpy(dtype=object, na_value=None)  # in C, not cell by cell
    return s.astype(object).where(s.notna(), None).to_numpy()


def to_records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """DataFrame → list of dicts for executemany: dates as datetime.date, missing as None."""
    arrays = [_column_values(frame, col) for col in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*arrays, strict=True)]


def _sqlite_columns(table: Table, frame: pd.DataFrame, columns: list[str]) -> list | None:
    """One object array per column, values as the SQLite driver takes them; None when a
    column needs SQLAlchemy's own conversion (a DateTime, a JSON...)."""
    arrays = []
    for col in columns:
        kind = table.c[col].type.python_type
        if kind is dt.date:
            stamps = pd.to_datetime(frame[col])  # datetime64, or dates/Timestamps as objects
            if isinstance(stamps.dtype, pd.DatetimeTZDtype):
                stamps = stamps.dt.tz_localize(None)
            days = stamps.to_numpy(dtype="datetime64[D]")
            # One ISO text per distinct day, shared by its rows (a few thousand days, not
            # 100,000 new strings a column).
            distinct, inverse = np.unique(days, return_inverse=True)
            text = np.datetime_as_string(distinct, unit="D").astype(object)[inverse.reshape(-1)]
            text[np.isnat(days)] = None
            arrays.append(text)
        elif kind is bool:  # numpy's bool_ is no Python bool: the driver would refuse it
            values = _column_values(frame, col)
            arrays.append(np.array([v if v is None else bool(v) for v in values], dtype=object))
        elif kind in _SQLITE_PLAIN_TYPES:
            arrays.append(_column_values(frame, col))
        else:
            return None
    return arrays


def _sqlite_executemany(conn: Connection, sql: str, arrays: list) -> None:
    """Run `sql` once per row (the rows are the arrays zipped), streamed to the driver's
    executemany: no list of rows is built (10,000-row batches cost ≈ 0.25 s per 100,000
    rows in lists and garbage collections). In the connection's transaction (begun as
    exec_driver_sql would), its errors raised as SQLAlchemy's."""
    if not conn.in_transaction():
        conn.begin()  # what exec_driver_sql's autobegin does
    dbapi_error = conn.dialect.loaded_dbapi.Error
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, zip(*arrays, strict=True))
    except dbapi_error as exc:
        raise DBAPIError.instance(sql, None, exc, dbapi_error, dialect=conn.dialect) from exc
    finally:
        cursor.close()


def insert_frame(conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str]) -> int:
    """Insert every row of `frame` (its `columns`) into `table`; returns the row count.

    On SQLite the rows go straight to the driver's executemany: SQLAlchemy's per-row
    parameter processing costs several seconds per 100,000 rows, more than the insert
    itself. Other databases keep SQLAlchemy's batched insert ("insertmanyvalues").
    """
    if frame.empty:
        return 0
    arrays = _sqlite_columns(table, frame, columns) if conn.dialect.name == "sqlite" else None
    if arrays is None:
        conn.execute(insert(table), to_records(frame, columns))
        return len(frame)
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join("?" * len(columns))
    _sqlite_executemany(conn, f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", arrays)
    return len(frame)


def update_frame_by_id(
    conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str], ids: list[int]
) -> None:
    """Set `columns` of the rows whose primary key is `ids` (aligned on `frame`'s rows)."""
    if frame.empty:
        return
    # Plain ints: sqlite3 binds a numpy integer as a blob, which silently matches no row.
    ids = [int(i) for i in ids]
    arrays = _sqlite_columns(table, frame, columns) if conn.dialect.name == "sqlite" else None
    if arrays is None:
        records = to_records(frame, columns)
        for record, pk in zip(records, ids, strict=True):
            record["_id"] = pk
        stmt = update(table).where(table.c.id == bindparam("_id"))
        conn.execute(stmt.values({c: bindparam(c) for c in columns}), records)
        return
    quote = conn.dialect.identifier_preparer.quote
    assignments = ", ".join(f"{quote(c)} = ?" for c in columns)
    _sqlite_executemany(
        conn,
        f"UPDATE {quote(table.name)} SET {assignments} WHERE {quote('id')} = ?",
        [*arrays, ids],
    )


def typed_columns(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Numbers and booleans as nullable numeric columns (text stays as objects)."""
    for col in table.columns:
        kind = col.type.python_type
        if kind is int and col.name in frame:
            frame[col.name] = pd.array(frame[col.name].to_numpy(), dtype="Int64")
        elif kind is float and col.name in frame:
            frame[col.name] = pd.to_numeric(frame[col.name]).astype("float64")
        elif kind is bool and col.name in frame:
            frame[col.name] = frame[col.name].astype("boolean")
    return frame


def plain_rows(conn: Connection, stmt) -> list[tuple]:
    """The rows of a query of plain columns (numbers, text) as tuples. On SQLite straight
    from the driver: SQLAlchemy's Row objects cost ≈ 2 µs each, a second per 100,000 rows
    over a whole import; its result processing does nothing for such columns there."""
    if conn.dialect.name != "sqlite":
        return [tuple(row) for row in conn.execute(stmt).all()]
    compiled = stmt.compile(dialect=conn.dialect)
    params = [compiled.params[name] for name in compiled.positiontup or []]
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def read_frame(
    conn: Connection, table: Table, where: ColumnElement[bool] | None = None
) -> pd.DataFrame:
    """Rows of a table as a frame: Date columns as datetime64 (NaT for missing), numbers as
    nullable Int64/float64, booleans as boolean, text as objects (no dtype inference, which
    costs more than the query itself on 100,000 rows)."""
    names = [c.name for c in table.columns]
    dates = [c.name for c in table.columns if c.type.python_type is dt.date]
    stmt = select(table) if where is None else select(table).where(where)
    if conn.dialect.name == "sqlite":
        # The driver's rows as they are: SQLAlchemy would turn each stored "2025-03-05" into
        # a datetime.date one by one; numpy parses the ISO text of a whole column at once.
        compiled = stmt.compile(dialect=conn.dialect)
        params = [compiled.params[name] for name in compiled.positiontup or []]
        cursor = conn.connection.cursor()  # plain tuples: SQLAlchemy's Rows cost more
        try:
            cursor.execute(str(compiled), params)
            frame = pd.DataFrame(cursor.fetchall(), columns=names, dtype=object)
        finally:
            cursor.close()
        for name in dates:
            frame[name] = pd.to_datetime(np.array(frame[name].to_numpy(), dtype="datetime64[D]"))
        return typed_columns(frame, table)
    result = conn.execute(stmt)
    frame = pd.DataFrame(result.fetchall(), columns=names, dtype=object)
    for name in dates:
        frame[name] = pd.to_datetime(frame[name])
    return typed_columns(frame, table)
