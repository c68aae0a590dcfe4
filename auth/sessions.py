"""Local sign-ins that survive a reload, bounded in time, ended everywhere at sign-out.

At sign-in the browser receives a random token (a cookie, never in the address); the
database keeps only its SHA-256, the account and an expiry (`session_hours()`, 8 hours by
default). A page load with a valid token is signed in as the account is *now* (a disabled
account or a changed role apply at once). Sign-out, a new password and disabling the account
end every session of that account: other tabs and browsers are signed out at their next
click.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Engine, insert, select

from auth.accounts import (
    account_identity,
    end_sessions,
    normalise_identifiant,
    session_hours,
)
from auth.roles import Identity
from store.models import SessionConnexion

COOKIE = "pilotage_session"
TABLE = SessionConnexion.__table__


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops it


def open_session(engine: Engine, identity: Identity) -> tuple[str, int]:
    """A new session for a signed-in local account: (the token for the browser, its
    lifetime in seconds)."""
    hours = session_hours()
    token = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        conn.execute(
            insert(TABLE).values(
                jeton_sha256=_digest(token),
                identifiant=normalise_identifiant(identity.identifiant),
                cree_le=now,
                expire_le=now + dt.timedelta(hours=hours),
                fin_le=None,
            )
        )
    return token, hours * 3600


def resume(engine: Engine, token: str | None) -> Identity | None:
    """The account a browser's token signs in, as it is now; None when the token is
    unknown, expired or ended, or the account disabled."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(TABLE.c.identifiant, TABLE.c.expire_le, TABLE.c.fin_le).where(
                TABLE.c.jeton_sha256 == _digest(token)
            )
        ).first()
    if row is None or row.fin_le is not None or _aware(row.expire_le) <= _now():
        return None
    return account_identity(engine, row.identifiant, "local")


__all__ = ["COOKIE", "end_sessions", "open_session", "resume", "session_hours"]
