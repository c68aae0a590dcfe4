"""Imports that started and never committed: a trace for each, so that a kill, a crash or a
server stopped mid-import is said in the history and the audit log instead of leaving
everyone to believe the file was loaded.

`begin` writes the attempt, committed on its own, before the import's transaction;
`finish` deletes it inside that transaction (so the import and the end of its attempt are
committed together, or neither), and `forget` deletes it after a refusal the import reports
by itself. An attempt left behind belongs to a process that died: `recover` (run when a
process opens the database) marks those whose process is known to be gone — on this
machine, no live process with that number and start; on another, none younger than
`STALE_AFTER` — and writes one « import interrompu » entry each to the audit log.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from functools import cache

import pandas as pd
from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.exc import OperationalError

from domain.formatting import paris_time
from store.audit import Actor, record
from store.db import Busy
from store.models import TentativeImport

# An import's write is bounded (the write lock's wait, then one transaction): an attempt of
# another machine older than this is dead.
STALE_AFTER = dt.timedelta(hours=1)
TABLE = TentativeImport.__table__


def _start_ticks(pid: int) -> str | None:
    """When process `pid` started, in clock ticks since boot (/proc, Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return fields[19]  # field 22 of stat, counted after the command name
    except (OSError, IndexError):
        return None


@cache
def this_process() -> str:
    """« host:pid:start »: a process, even once its number is reused."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or '?'}"


def _gone(process: str, started: dt.datetime, now: dt.datetime) -> bool:
    host, _, rest = process.partition(":")
    pid_text, _, ticks = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return now - started > STALE_AFTER
    if process == this_process():
        return False
    live = _start_ticks(int(pid_text))
    if live is None:
        try:
            os.kill(int(pid_text), 0)
        except (ProcessLookupError, OverflowError):  # no such process (or number)
            return True
        except PermissionError:
            return False
        return ticks not in ("", "?") and now - started > STALE_AFTER
    return ticks != "?" and live != ticks


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite: naive UTC


def begin(
    engine: Engine, fichier: str, sha256: str, kind: str, association: str | None, actor: Actor
) -> int:
    """Write the attempt (committed now) and return its id."""
    values = {
        "fichier": fichier[:255],
        "sha256": sha256,
        "type": kind,
        "association": association,
        "utilisateur": actor.utilisateur[:200],
        "role": actor.role,
        "association_utilisateur": actor.association,
        "origine": (actor.origine or "")[:100] or None,
        "commence_le": dt.datetime.now(dt.UTC),
        "processus": this_process(),
    }
    try:
        with engine.begin() as conn:
            return conn.execute(TABLE.insert().values(values).returning(TABLE.c.id)).scalar_one()
    except OperationalError as exc:  # another import holds the write lock too long
        raise Busy() from exc


def finish(conn: Connection, attempt: int) -> None:
    """The attempt ends with the import's transaction (call it inside)."""
    conn.execute(delete(TABLE).where(TABLE.c.id == attempt))


def forget(engine: Engine, attempt: int) -> None:
    """The import ended without writing and says so itself (refused, busy, a dry run)."""
    with engine.begin() as conn:
        finish(conn, attempt)


def recover(engine: Engine, now: dt.datetime | None = None) -> int:
    """Mark the attempts whose process is gone as interrupted, each with its audit entry in
    the name of the person who started it; how many."""
    now = now or dt.datetime.now(dt.UTC)
    with engine.connect() as conn:
        open_ = conn.execute(select(TABLE).where(TABLE.c.interrompu_le.is_(None))).all()
    dead = [row for row in open_ if _gone(row.processus, _aware(row.commence_le), now)]
    marked = 0
    for row in dead:
        with engine.begin() as conn:
            done = conn.execute(
                update(TABLE)
                .where(TABLE.c.id == row.id, TABLE.c.interrompu_le.is_(None))
                .values(interrompu_le=now)
            ).rowcount
            if not done:
                continue  # another process marked it meanwhile
            actor = Actor(row.utilisateur, row.role, row.association_utilisateur, row.origine)
            record(
                conn,
                actor,
                "import_interrompu",
                f"« {row.fichier} » (sha256 {row.sha256[:12]}) : import commencé le "
                f"{paris_time(_aware(row.commence_le))} et jamais terminé (processus arrêté) ; "
                "rien n'a été écrit, le fichier est à importer à nouveau",
            )
            marked += 1
    return marked


def interrupted(engine: Engine) -> pd.DataFrame:
    """The interrupted imports, latest first: file, kind, association, who, when."""
    columns = ["fichier", "type", "association", "utilisateur", "commence_le", "interrompu_le"]
    with engine.connect() as conn:
        rows = conn.execute(
            select(*(TABLE.c[c] for c in columns))
            .where(TABLE.c.interrompu_le.is_not(None))
            .order_by(TABLE.c.commence_le.desc())
        ).all()
    return pd.DataFrame(rows, columns=columns)
