"""The dataset as a columnar snapshot: the frames of `queries.dataset_frames` kept as Parquet
files beside the database, so a new server process reads a few files instead of the whole
database (≈ 0.5 s instead of ≈ 3 s at 100,000 parcours; `make bench` measures both).

Where: `settings.SNAPSHOT_DIR` when set (one sub-folder per database), else beside a SQLite
file (`data/pilotage.db` → `data/pilotage.db.snapshot/`), else (PostgreSQL) under
`data/snapshots/`. In-memory SQLite keeps none.

Key: one folder per state of the data, named by the data version (`queries.data_version`:
last import, undone imports) and a digest of what else makes the frames what they are — the
moment of the latest import (a database rebuilt from scratch reuses import numbers), the
communes loaded, and the code and library versions that build the frames. The key is read
from the database by every reader, in the same transaction as the frames when it reads
them: a snapshot is never stale, and a reader that finds none for the current key builds
it. Imports and undos rebuild it (`refresh_kept`), older ones are removed.

Safety: a snapshot is written into a hidden temporary folder, then renamed into place (two
processes writing the same key: one rename wins, the other discards its copy). A manifest
lists each file's size and SHA-256; each file names its frame, its key and its columns'
dtypes. A file that does not match, a column of another type, any error while reading: the
snapshot is discarded and the frames read from the database. Files are 0600, folders 0700:
the snapshot holds what the database holds (pseudonyms, no names), no more.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Connection, Engine, func, select

import settings
from store import queries
from store.db import ROOT
from store.models import Commune, ImportLot

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the layout of a snapshot folder changes
FRAMES = ("parcours", "demandes", "associations", "antennes", "communes")
MANIFEST = "manifest.json"
NAN = "__nan__:"  # prefix of the mask column of a text column holding NaN
DICTIONARY_MAX = 1000  # a text column of this many distinct values or fewer: a dictionary
ABOUT = b"pilotage"  # a file's own description: frame, key, columns and dtypes
STALE_TEMPORARY_SECONDS = 3600  # a temporary folder this old was left by a killed writer
# The code whose change changes the frames: a new release rebuilds the snapshot once.
_SOURCES = ("queries.py", "bulk.py", "models.py", "snapshot.py")
_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get


@dataclass(frozen=True)
class Loaded:
    """What `load` returns: the frames, their key, where they came from ("memory",
    "snapshot" or "database") and the seconds it took."""

    frames: dict[str, pd.DataFrame]
    key: str
    source: str
    seconds: float


_code_digest: str | None = None


def _code() -> str:
    """Digest of the frame-building code and the library versions (once per process)."""
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256(f"{FORMAT} {pd.__version__} {pa.__version__}".encode())
        for name in _SOURCES:
            digest.update((Path(__file__).parent / name).read_bytes())
        _code_digest = digest.hexdigest()
    return _code_digest


def current_key(conn: Connection) -> str:
    """The key of the data `conn` sees: `v<last import>-<undone>-<digest>`."""
    last, undone = queries.data_version(conn)
    lot = ImportLot.__table__
    latest = conn.execute(select(func.max(lot.c.importe_le))).scalar_one()
    # A new edition of the density grid changes the sum of the levels, not the count.
    level_sum = func.coalesce(func.sum(Commune.__table__.c.niveau_densite), 0)
    communes = conn.execute(select(func.count(), level_sum).select_from(Commune)).one()
    digest = hashlib.sha256(f"{latest} {tuple(communes)} {_code()}".encode()).hexdigest()[:16]
    return f"v{last}-{undone}-{digest}"


def directory(conn: Connection) -> Path | None:
    """Where this database's snapshots live; None for an in-memory SQLite database."""
    url = conn.engine.url
    configured = settings.SNAPSHOT_DIR.value()
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            return None
        path = Path(database).resolve()
        if not configured:
            return path.with_name(path.name + ".snapshot")
        label, identity = path.name, str(path)
    else:
        # The same server and base can hold several schemas (the tests do): name them all.
        where = conn.execute(select(func.current_database(), func.current_schema())).one()
        label = str(where[0])
        identity = f"{url.render_as_string(hide_password=True)} {where[0]} {where[1]}"
    root = Path(configured) if configured else ROOT / "data" / "snapshots"
    return root / f"{label}-{hashlib.sha256(identity.encode()).hexdigest()[:12]}"


# --- reading ---------------------------------------------------------------------------


class Broken(Exception):
    """A snapshot file that is not what its manifest says."""


def _column(array: pa.ChunkedArray, dtype: str) -> pd.Series:
    """One column back to the dtype the database read gives (text as Python strings with
    None when missing, dates at their resolution, nullable integers and booleans)."""
    if dtype == "object":
        return pd.Series(array.to_numpy(zero_copy_only=False), dtype=object, copy=False)
    series = array.to_pandas(types_mapper=_NULLABLE)
    return series if str(series.dtype) == dtype else series.astype(dtype)


def _text(array: pa.ChunkedArray, nan: pa.ChunkedArray | None) -> pd.Series:
    """A text column: Python strings, None when missing, NaN where the frame had NaN (a
    commune's columns joined onto a parcours whose commune is unknown). A column of few
    distinct values comes as a dictionary: each string is built once, not once a row."""
    if pa.types.is_dictionary(array.type):
        array = array.combine_chunks()
        words = np.append(array.dictionary.to_numpy(zero_copy_only=False), None)
        values = words[array.indices.fill_null(len(words) - 1).to_numpy()]
    else:
        values = array.to_numpy(zero_copy_only=False)
    if nan is not None:
        values[nan.to_numpy(zero_copy_only=False)] = np.nan
    return pd.Series(values, dtype=object, copy=False)


def _frame(data: bytes, entry: dict, name: str, key: str) -> pd.DataFrame:
    if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise Broken(f"{name}: size or checksum differs from the manifest")
    schema = pq.read_schema(pa.BufferReader(data))
    about = json.loads(schema.metadata[ABOUT])  # inside the file: under its checksum
    table = pq.read_table(pa.BufferReader(data), read_dictionary=about["dictionary"])
    if (about["frame"], about["key"]) != (name, key):
        raise Broken(f"{name}: file of {about['frame']} in {about['key']}")
    columns = {}
    for column, dtype in about["columns"]:
        if dtype == "object":
            nan = table.column(NAN + column) if column in about["nan"] else None
            columns[column] = _text(table.column(column), nan)
        else:
            columns[column] = _column(table.column(column), dtype)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    got = [[column, str(dtype)] for column, dtype in frame.dtypes.items()]
    if got != about["columns"]:
        raise Broken(f"{name}: columns {got}, {about['columns']} expected")
    return frame


def read(where: Path, key: str) -> dict[str, pd.DataFrame] | None:
    """The frames of snapshot `key`; None when there is none, or when it is damaged (then
    it is removed, so the next writer can put a sound one in its place)."""
    folder = where / key
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
    except FileNotFoundError:
        return None
    except Exception as exc:
        return _discard(folder, exc)
    try:
        if manifest.get("format") != FORMAT or manifest.get("key") != key:
            raise Broken("manifest of another format or key")
        frames = {}
        for name in FRAMES:
            data = (folder / f"{name}.parquet").read_bytes()
            frames[name] = _frame(data, manifest["frames"][name], name, key)
        return frames
    except FileNotFoundError:  # removed meanwhile by a writer of a newer version
        return None
    except Exception as exc:
        return _discard(folder, exc)


def _discard(folder: Path, exc: Exception) -> None:
    log.warning("snapshot %s ignored (%s: %s): read from the database", folder, type(exc), exc)
    _remove(folder)
    return None


def _remove(folder: Path) -> None:
    """Remove a snapshot folder: renamed away first, so it vanishes at once for readers."""
    doomed = folder.with_name(f".removed-{folder.name}-{os.getpid()}-{threading.get_ident()}")
    try:
        folder.rename(doomed)
    except OSError:
        return
    shutil.rmtree(doomed, ignore_errors=True)


# --- writing ---------------------------------------------------------------------------


def _table(frame: pd.DataFrame, name: str) -> tuple[pa.Table, dict]:
    """The frame as an Arrow table, and what reading it back needs: its columns' dtypes,
    the text columns that hold NaN beside None (each gets a mask column, so the frame comes
    back value for value) and those of few distinct values (read as dictionaries)."""
    index = frame.index
    if not isinstance(index, pd.RangeIndex) or (index.start, index.step) != (0, 1):
        raise ValueError(f"{name}: the snapshot keeps frames with a plain 0..n index only")
    if not frame.columns.is_unique or any(str(c).startswith(NAN) for c in frame.columns):
        raise ValueError(f"{name}: column names the snapshot cannot keep")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with_nan, few = [], []
    for column, dtype in frame.dtypes.items():
        if not pd.api.types.is_object_dtype(dtype):
            continue
        values = table.column(str(column))
        if not (pa.types.is_string(values.type) or pa.types.is_null(values.type)):
            raise ValueError(f"{name}.{column}: text column holding {values.type}")
        few_values = max(DICTIONARY_MAX, len(frame) // 100)
        if pa.types.is_string(values.type) and pc.count_distinct(values).as_py() <= few_values:
            few.append(str(column))
        cells = frame[column].to_numpy()
        nan = pd.isna(cells) & (cells != None)  # noqa: E711 (elementwise: None itself)
        if nan.any():
            table = table.append_column(NAN + str(column), pa.array(nan))
            with_nan.append(str(column))
    about = {
        "frame": name,
        "columns": [[str(c), str(d)] for c, d in frame.dtypes.items()],
        "nan": with_nan,
        "dictionary": few,
    }
    return table, about


def _write_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def write(where: Path, key: str, frames: dict[str, pd.DataFrame]) -> bool:
    """Write snapshot `key` atomically (temporary folder, then rename); False when another
    process put the same key in place first (its copy is as good as ours)."""
    where.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=where))  # 0700
    try:
        entries = {}
        for name in FRAMES:
            table, about = _table(frames[name], name)
            about["key"] = key
            table = table.replace_schema_metadata({ABOUT: json.dumps(about)})
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink)
            data = sink.getvalue().to_pybytes()
            _write_file(temporary / f"{name}.parquet", data)
            entries[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        manifest = {"format": FORMAT, "key": key, "frames": entries}
        _write_file(temporary / MANIFEST, json.dumps(manifest, indent=1).encode())
        try:
            temporary.rename(where / key)
        except OSError:  # the same key already in place: another writer won
            return False
        temporary = None
        return True
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def remove_others(where: Path, keep: str) -> None:
    """Remove every snapshot but `keep`, and temporary folders left by killed writers."""
    try:
        entries = list(where.iterdir())
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if entry.name == keep or not entry.is_dir():
            continue
        if entry.name.startswith("."):
            try:
                if now - entry.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)
            except OSError:
                pass
            continue
        _remove(entry)


# --- loading ---------------------------------------------------------------------------

_memory: tuple[Path | None, str, dict[str, pd.DataFrame]] | None = None
_memory_lock = threading.Lock()


def _remember(where: Path | None, key: str, frames: dict[str, pd.DataFrame]) -> None:
    """Keep the latest frames of this process: the load that follows a rebuild (an import
    made in the app: the import rebuilds, the page reloads) reads no file."""
    global _memory
    with _memory_lock:
        _memory = (where, key, frames)


def forget() -> None:
    """Drop the frames this process keeps (tests)."""
    global _memory
    with _memory_lock:
        _memory = None


def _recalled(where: Path | None, key: str) -> dict[str, pd.DataFrame] | None:
    with _memory_lock:
        if _memory is not None and _memory[0] == where and _memory[1] == key:
            return _memory[2]
    return None


def read_database(engine: Engine) -> tuple[str, dict[str, pd.DataFrame]]:
    """The key and the frames, read in one transaction (one consistent state)."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":  # SQLite: one deferred transaction already
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        key = current_key(conn)
        return key, queries.dataset_frames(conn)


def _save(where: Path | None, key: str, frames: dict[str, pd.DataFrame]) -> None:
    if where is None:
        return
    try:
        write(where, key, frames)
        remove_others(where, key)
    except Exception as exc:  # a cache: the dashboard works without it
        log.warning("snapshot %s not written (%s: %s)", where / key, type(exc).__name__, exc)


def load(engine: Engine) -> Loaded:
    """The frames of the current data: from this process's memory, else from the snapshot,
    else from the database (then written as the snapshot for the next process)."""
    start = time.perf_counter()
    with engine.connect() as conn:
        where, key = directory(conn), current_key(conn)
    frames = _recalled(where, key)
    if frames is not None:
        return Loaded(frames, key, "memory", time.perf_counter() - start)
    if where is not None:
        frames = read(where, key)
        if frames is not None:
            _remember(where, key, frames)
            return Loaded(frames, key, "snapshot", time.perf_counter() - start)
    key, frames = read_database(engine)
    _save(where, key, frames)
    _remember(where, key, frames)
    return Loaded(frames, key, "database", time.perf_counter() - start)


def refresh_kept(engine: Engine) -> None:
    """After an import or an undo: rebuild the snapshot of a database that has one (a
    database the dashboard has read), so a server started later finds it ready. Never
    raises: the import or undo is already committed."""
    try:
        with engine.connect() as conn:
            where = directory(conn)
        if where is None or not where.is_dir():
            return
        key, frames = read_database(engine)
        _save(where, key, frames)
        _remember(where, key, frames)
    except Exception as exc:
        log.warning("snapshot not rebuilt after the write (%s: %s)", type(exc).__name__, exc)
