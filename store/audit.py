"""The audit log: sign-ins, imports, undos, mapping and referential changes, exports and
downloads — who, when, what, from where (docs/domaine.md, issue 5).

Append-only: the database itself refuses updates and early deletes (migration 0004); the
only delete is `purge`, for entries older than the retention period.
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from domain.formatting import PARIS
from store.models import Journal

RETENTION_MONTHS = 12
CLI_ORIGIN = "ligne de commande"

# action -> French label shown in the audit page
ACTIONS = {
    "connexion": "Connexion",
    "echec_connexion": "Échec de connexion",
    "blocage": "Compte bloqué",
    "deconnexion": "Déconnexion",
    "import": "Import",
    "import_interrompu": "Import interrompu",
    "annulation": "Annulation d'un import",
    "correspondance": "Correspondance de colonnes",
    "referentiel": "Référentiel",
    "compte": "Gestion des comptes",
    "export": "Export",
    "telechargement": "Téléchargement",
    "acces_refuse": "Accès refusé",
    "sortie_demo": "Sortie du mode démonstration",
    "comite_fige": "Pack de comité figé",
    "comite_supprime": "Pack de comité figé supprimé",
}
MAX_DETAIL = 2000


# Control and bidirectional characters (a user name given on the command line, a file name in
# a detail): spaces, so that an entry reads on screen as it is stored, on both databases.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _one_line(text: str) -> str:
    return " ".join(_UNPRINTABLE.sub(" ", text).split())


@dataclass(frozen=True)
class Actor:
    """Who acts, as the audit log records it."""

    utilisateur: str
    role: str | None = None
    association: str | None = None
    origine: str | None = None


def record(engine_or_conn, actor: Actor, action: str, detail: str) -> None:
    """Append one entry. `engine_or_conn` may be a Connection inside the caller's
    transaction, so the entry is written with what it describes, or not at all."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    values = {
        "horodatage": dt.datetime.now(dt.UTC),
        "utilisateur": _one_line(actor.utilisateur)[:200],
        "role": actor.role,
        "association": actor.association,
        "action": action,
        "detail": _UNPRINTABLE.sub(" ", detail)[:MAX_DETAIL],
        "origine": (actor.origine or "")[:100] or None,
    }
    statement = insert(Journal.__table__).values(values)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.begin() as conn:
            conn.execute(statement)
    else:
        engine_or_conn.execute(statement)


def os_user() -> str:
    """Who runs a command, for the history and the audit log."""
    try:
        return getpass.getuser() or "cli"
    except (OSError, KeyError):  # no login name in the environment nor the user database
        return "cli"


def command_line_actor(user: str | None = None) -> Actor:
    """The person running `pilotage …` (`--user`, else the system user)."""
    return Actor(utilisateur=user or os_user(), origine=CLI_ORIGIN)


def retention_limit(now: dt.datetime | None = None) -> dt.datetime:
    """Entries older than this moment may be purged: 12 months back (on the 28th at most,
    so a purge never reaches an entry the database triggers still protect)."""
    now = now or dt.datetime.now(dt.UTC)
    year, month = divmod(now.month - 1 - RETENTION_MONTHS, 12)
    day = min(now.day, 28)
    return now.replace(year=now.year + year, month=month + 1, day=day)


def purge(engine: Engine) -> int:
    """Delete the entries older than the retention period; returns how many."""
    table = Journal.__table__
    with engine.begin() as conn:
        result = conn.execute(delete(table).where(table.c.horodatage < retention_limit()))
    return int(result.rowcount or 0)


def _paris_midnight(day: dt.date) -> dt.datetime:
    """The start of a day in Paris, in UTC (the stored times are UTC)."""
    local = dt.datetime.combine(day, dt.time(), PARIS)
    return local.astimezone(dt.UTC)


def entries(
    engine: Engine,
    du: dt.date | None = None,
    au: dt.date | None = None,
    actions: list[str] | None = None,
    utilisateur: str | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """Entries, newest first, filtered by day range (inclusive, days of Paris: the times
    are shown in Paris time), actions and user."""
    table = Journal.__table__
    query = select(table).order_by(table.c.id.desc()).limit(limit)
    if du is not None:
        query = query.where(table.c.horodatage >= _paris_midnight(du))
    if au is not None:
        query = query.where(table.c.horodatage < _paris_midnight(au + dt.timedelta(days=1)))
    if actions:
        query = query.where(table.c.action.in_(actions))
    if utilisateur:
        query = query.where(table.c.utilisateur == utilisateur)
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
