"""Local sign-ins that survive a reload, bounded in time, ended everywhere at sign-out.

At sign-in the page gets a one-time ticket (`open_ticket`), valid `TICKET_SECONDS`, which
the browser takes to the server's session route (dashboard/session_routes.py): `redeem`
turns it into the session's random token, which the route sets as an HttpOnly cookie (never
in the address, never seen by a script). The database keeps only the SHA-256 of the ticket,
then of the token (in the same row: the ticket's digest is replaced by the token's, once,
in one statement, so two replicas agree and a ticket never serves twice), the account and
an expiry (`session_hours()`, 8 hours by default). A ticket's digest is taken with a prefix:
a ticket is never a token, nor a token a ticket. A page load with a valid token is signed in
as the account is *now* (a disabled account or a changed role apply at once). Sign-out, a
new password and disabling the account end every session of that account, tickets included:
other tabs and browsers are signed out at their next click.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Engine, insert, select, update

from auth.accounts import (
    account_identity,
    current_identity,
    end_sessions,
    normalise_identifiant,
    session_hours,
)
from auth.roles import Identity
from store.models import SessionConnexion

COOKIE = "pilotage_session"
TABLE = SessionConnexion.__table__
TICKET_SECONDS = 60  # from the sign-in to the browser's request to the session route


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _ticket_digest(ticket: str) -> str:
    return hashlib.sha256(b"ticket\0" + ticket.encode("utf-8", "replace")).hexdigest()


def _well_formed(secret: object) -> bool:
    return isinstance(secret, str) and 20 <= len(secret) <= 100


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops it


def _open_row(engine: Engine, identity: Identity, digest: str, lasts: dt.timedelta) -> None:
    """The row of an open sign-in: the account, the `digest` of its secret (a token's or a
    ticket's), valid for `lasts` from now."""
    now = _now()
    with engine.begin() as conn:
        conn.execute(
            insert(TABLE).values(
                jeton_sha256=digest,
                identifiant=normalise_identifiant(identity.identifiant),
                cree_le=now,
                expire_le=now + lasts,
                fin_le=None,
            )
        )


def open_session(engine: Engine, identity: Identity) -> tuple[str, int]:
    """A new session for a signed-in local account: (the token for the browser, its
    lifetime in seconds)."""
    hours = session_hours()
    token = secrets.token_urlsafe(32)
    _open_row(engine, identity, _digest(token), dt.timedelta(hours=hours))
    return token, hours * 3600


def open_ticket(engine: Engine, identity: Identity) -> str:
    """A one-time ticket for a local account that has just signed in: the browser takes it
    to the session route within `TICKET_SECONDS`, which `redeem`s it for the session's
    token. Until then the row counts as an open session, and sign-out ends it like one."""
    ticket = secrets.token_urlsafe(32)
    _open_row(engine, identity, _ticket_digest(ticket), dt.timedelta(seconds=TICKET_SECONDS))
    return ticket


def ticket_not_ended(engine: Engine, ticket: str | None) -> bool:
    """Whether the sign-in of `ticket` was not ended (sign-out, « Terminer les sessions »)
    before the browser redeemed it: the page drawn right after the sign-in form, before the
    browser comes back with its cookie, is that sign-in's."""
    if not _well_formed(ticket):
        return False
    with engine.connect() as conn:
        row = conn.execute(
            select(TABLE.c.fin_le).where(TABLE.c.jeton_sha256 == _ticket_digest(ticket))
        ).first()
    return row is not None and row.fin_le is None


def redeem(engine: Engine, ticket: str | None) -> tuple[str, int] | None:
    """The session a ticket opens: (its token, its lifetime in seconds), once; None when
    the ticket is unknown, already used, expired or ended, or its account disabled since."""
    if not _well_formed(ticket):
        return None
    hours = session_hours()
    token = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        row = conn.execute(
            select(TABLE.c.id, TABLE.c.identifiant).where(
                TABLE.c.jeton_sha256 == _ticket_digest(ticket)
            )
        ).first()
        if row is None:
            return None
        # One statement, its conditions checked by the database: a ticket sent twice at
        # once (two tabs, two replicas) opens one session.
        opened = conn.execute(
            update(TABLE)
            .where(
                TABLE.c.id == row.id,
                TABLE.c.jeton_sha256 == _ticket_digest(ticket),
                TABLE.c.fin_le.is_(None),
                TABLE.c.expire_le > now,
            )
            .values(
                jeton_sha256=_digest(token),
                cree_le=now,
                expire_le=now + dt.timedelta(hours=hours),
            )
        ).rowcount
    if opened != 1:
        return None
    if account_identity(engine, row.identifiant, "local") is None:
        end(engine, token)
        return None
    return token, hours * 3600


def end(engine: Engine, token: str | None) -> bool:
    """End the one session of `token` (the cookie the sign-out route drops); whether one
    was open."""
    if not _well_formed(token):
        return False
    with engine.begin() as conn:
        return bool(
            conn.execute(
                update(TABLE)
                .where(TABLE.c.jeton_sha256 == _digest(token), TABLE.c.fin_le.is_(None))
                .values(fin_le=_now())
            ).rowcount
        )


def resume(engine: Engine, token: str | None) -> Identity | None:
    """The account a browser's token signs in, as it is now; None when the token is
    unknown, expired or ended, or the account disabled."""
    if not _well_formed(token):
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


def still_signed_in(
    engine: Engine, identity: Identity, token: str | None = None, ticket: str | None = None
) -> Identity | None:
    """A local sign-in checked again, as the database says now: `identity` as its account
    is now, or None once it is signed out. With the lasting sign-in's `token`, its session
    (`resume`). Without one, a sign-in made on the page holds its `ticket` (the browser has
    not come back with its cookie yet): None when its sessions were ended elsewhere
    meanwhile; else (no ticket: a test harness) the account as the table says now."""
    if token:
        return resume(engine, token)
    if ticket and not ticket_not_ended(engine, ticket):
        return None
    return current_identity(engine, identity)


__all__ = [
    "COOKIE",
    "TICKET_SECONDS",
    "end",
    "end_sessions",
    "open_session",
    "open_ticket",
    "redeem",
    "resume",
    "session_hours",
    "still_signed_in",
]
