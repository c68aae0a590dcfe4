"""Cached access to the database for the pages.

Every cached loader takes the data version (bumped by each import or undo) as an argument,
so an import invalidates every figure without clearing caches by hand. The dataset itself is
loaded once per server process from its columnar snapshot (store/snapshot.py), starting when
the server's first session imports this module.

Reads are cut to the viewer's scope here, where data is read, not by hiding menu entries:
an association's user gets its own association whatever the filters say, and every cached
figure is keyed by the scope. Fail-closed: with no viewer set by `dashboard.access.require`
nothing is read.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import replace

import pandas as pd
import streamlit as st
from sqlalchemy import Connection, Engine
from streamlit import runtime

from domain.formatting import today_in_paris
from indicators.dataset import DataDate, Dataset, Filters
from indicators.dataset import data_date as indicators_data_date
from pipelines.api import ensure_database
from store import attempts, queries, snapshot
from store.db import database_url, make_engine

log = logging.getLogger(__name__)
_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine(url: str) -> Engine:
    """One engine per database for the process (the start-up thread and every session)."""
    with _engines_lock:
        if url not in _engines:
            engine = make_engine(url)
            ensure_database(engine)
            _engines[url] = engine
        return _engines[url]


def engine() -> Engine:
    return _engine(database_url())


SCOPE = "_pilotage_scope"  # session state: (role, association or None), set by access.require
Scope = tuple[str, str | None]


def set_scope(role: str, association: str | None) -> None:
    st.session_state[SCOPE] = (role, association if role == "association" else None)


def scope() -> Scope:
    """The viewer's scope; PermissionError when no page check has set it."""
    current = st.session_state.get(SCOPE)
    if current is None:
        raise PermissionError("no viewer: the page must call dashboard.access.require first")
    return current


def restricted_to() -> str | None:
    """The association the viewer is restricted to (None: the whole département)."""
    return scope()[1]


def restrict(filters: Filters | None) -> Filters | None:
    """The filters with the viewer's scope forced in."""
    association = restricted_to()
    if association is None:
        return filters
    return replace(filters or Filters(), association=association)


def data_version() -> tuple[int, int]:
    with engine().connect() as conn:
        return queries.data_version(conn)


OVERVIEW: dict[str, Callable[[Connection], pd.DataFrame | bool]] = {
    "par_association": queries.parcours_by_association,
    "fraicheur": queries.latest_import_by_source,
    "historique": queries.import_history,
    "demo": queries.is_demo,
    "imports": queries.imports_by_association,
    "annulables": queries.undoable_imports,
    "valeurs_inconnues": queries.unknown_labels,
}


@st.cache_data(show_spinner=False)
def _overview_part(url: str, version: tuple[int, int], name: str) -> pd.DataFrame | bool:
    with _engine(url).connect() as conn:
        return OVERVIEW[name](conn)


def overview(url: str, version: tuple[int, int]) -> dict[str, pd.DataFrame | bool]:
    """Everything the data page shows, read once per data version."""
    return {name: _overview_part(url, version, name) for name in OVERVIEW}


@st.cache_data(show_spinner=False)
def _is_demo(url: str, version: tuple[int, int]) -> bool:
    with _engine(url).connect() as conn:
        return queries.is_demo(conn)


def load_is_demo() -> bool:
    """Whether the database holds only the demo import (read before any sign-in)."""
    return _is_demo(database_url(), data_version())


def _own(frame: pd.DataFrame, association: str) -> pd.DataFrame:
    return frame[frame["association"] == association].reset_index(drop=True)


class Overview(Mapping[str, pd.DataFrame | bool]):
    """The data page's tables (the keys of OVERVIEW), each read when first asked for and
    cached per data version: a page header needs the freshness table only. Cut to the
    viewer's association when there is one (its own imports only)."""

    def __init__(self, url: str, version: tuple[int, int], association: str | None) -> None:
        self._url, self._version, self._association = url, version, association

    def __getitem__(self, name: str) -> pd.DataFrame | bool:
        if name not in OVERVIEW:
            raise KeyError(name)
        value = _overview_part(self._url, self._version, name)
        if self._association is not None and isinstance(value, pd.DataFrame):
            return _own(value, self._association)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(OVERVIEW)

    def __len__(self) -> int:
        return len(OVERVIEW)


def load_overview() -> Overview:
    """The data page's tables, cut to the viewer's association (its own imports only)."""
    return Overview(database_url(), data_version(), restricted_to())


def interrupted_imports() -> pd.DataFrame:
    """The imports whose process died before their commit (store.attempts), read each time
    (they change no data version), cut to the viewer's association."""
    frame = attempts.interrupted(engine())
    association = restricted_to()
    return frame if association is None else _own(frame, association)


KEPT_VERSIONS = 2  # datasets kept in memory: the current one, and the one before
_datasets: dict[tuple[str, tuple[int, int]], Future] = {}
_datasets_lock = threading.Lock()


def _dataset(url: str, version: tuple[int, int]) -> Dataset:
    """The whole dataset, loaded once per data version for the server process and shared by
    every session (read only: indicators never modify their input). It comes from the
    columnar snapshot beside the database (store/snapshot.py), read from the database and
    written when missing. A session asking while another (or the start-up thread) loads it
    waits for that load instead of reading a second time."""
    key = (url, version)
    with _datasets_lock:
        future = _datasets.get(key)
        mine = future is None
        if mine:
            future = _datasets[key] = Future()
            for old in list(_datasets)[:-KEPT_VERSIONS]:
                del _datasets[old]
    if not mine:
        return future.result()
    try:
        loaded = snapshot.load(_engine(url))
    except BaseException as exc:
        with _datasets_lock:
            if _datasets.get(key) is future:
                del _datasets[key]  # the next caller tries again
        future.set_exception(exc)
        raise
    future.set_result(Dataset(**loaded.frames))
    return future.result()


@st.cache_resource(show_spinner=False, max_entries=64)
def _scoped(url: str, version: tuple[int, int], filters: Filters) -> Dataset:
    return _dataset(url, version).scoped(filters)


def _cut(url: str, version: tuple[int, int], filters: Filters | None) -> Dataset:
    if filters is None or filters == Filters():
        return _dataset(url, version)
    return _scoped(url, version, filters)


def prewarm() -> None:
    """Load the new data version into the cache every session shares, right after an
    import or an undo, and write its snapshot: the next page anyone opens starts warm, and
    so does the next server process (the database read, ≈ 3 s at 100,000 parcours, is
    paid here, where the user already waits for the write)."""
    _dataset(database_url(), data_version())


def _warm_libraries() -> None:
    """What the first page would pay once per process besides the data: the French
    number and date formats (babel reads its locale data, ≈ 0.1 s) and the charts' template
    (plotly builds it on the first figure, ≈ 0.1 s)."""
    from dashboard.charts import bars
    from domain.formatting import day, number

    number(1234.5, 1)
    day(dt.date(2025, 1, 31))
    bars(["a"], [1])


def _load_at_start() -> None:
    try:
        _dataset(database_url(), data_version())
        _warm_libraries()
    except Exception as exc:  # the first page will try again, and say what is wrong
        log.warning("dataset not loaded at start (%s: %s)", type(exc).__name__, exc)


def load_in_background() -> threading.Thread:
    """Start loading the current dataset in a thread: the server's first session imports
    this module, and the dataset is read while the rest of the page's modules load and
    while a visitor signs in, not after."""
    thread = threading.Thread(target=_load_at_start, name="pilotage-dataset", daemon=True)
    thread.start()
    return thread


@st.cache_data(show_spinner=False, max_entries=8)
def _data_date(url: str, version: tuple[int, int], today: dt.date) -> DataDate:
    with _engine(url).connect() as conn:
        recorded = queries.recorded_data_date(conn)
    return indicators_data_date(_dataset(url, version), recorded, today)


def data_date() -> DataDate:
    """The date the loaded data describe (`indicators.dataset.data_date`), the same for
    every viewer: computed once per data version (and day: it is capped at today)."""
    return _data_date(database_url(), data_version(), today_in_paris())


def dataset(filters: Filters | None = None) -> Dataset:
    """The dataset cut to the viewer's scope and filters (cached per data version and
    filters, the scope being part of them)."""
    return _cut(database_url(), data_version(), restrict(filters))


@st.cache_data(show_spinner=False, max_entries=512)
def _compute(url, version, scope_key: Scope, filters, name: str, _function: Callable, args):
    """`name` (module and qualified name) keys the cache; the function itself is not hashed
    (the leading underscore tells Streamlit), it is called."""
    return _function(_cut(url, version, filters), *args)


def _name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def compute(function: Callable, filters: Filters, *args):
    """`function(dataset cut to the scope and filters, *args)`, cached per data version,
    scope, filters and args: a figure shown twice (a tile and a chart, two pages) is
    computed once."""
    return _compute(
        database_url(),
        data_version(),
        scope(),
        restrict(filters),
        _name(function),
        function,
        args,
    )


def compute_departement(function: Callable, *args):
    """`function` over the whole département, whatever the viewer's scope: only for the
    département-wide totals an association may compare itself with (no row per
    association, place or youth — the page hides the small ones)."""
    scope()  # a page check came first
    return _compute(
        database_url(),
        data_version(),
        ("departement", None),
        None,
        _name(function),
        function,
        args,
    )


@st.cache_data(show_spinner=False)
def quarantine_reports(url: str, version: tuple[int, int]) -> list[tuple[dict, pd.DataFrame]]:
    """The imports (not undone) that quarantined rows, newest first, each with its rows."""
    with _engine(url).connect() as conn:
        history = queries.import_history(conn)
        with_rows = history[history["lignes_en_quarantaine"] > 0]
        return [
            (row, queries.quarantine_of_import(conn, int(row["id"])))
            for row in with_rows.to_dict("records")
        ]


def load_quarantine_reports() -> list[tuple[dict, pd.DataFrame]]:
    """The quarantine reports the viewer may download (an association: its own imports)."""
    reports = quarantine_reports(database_url(), data_version())
    association = restricted_to()
    if association is None:
        return reports
    return [(row, rows) for row, rows in reports if row.get("association") == association]


if runtime.exists():  # inside a Streamlit server; tests and scripts load on first use
    load_in_background()
