"""The browser side of a lasting sign-in (auth/sessions.py): the token lives in a cookie of
this site only, set and dropped by the server (dashboard/session_routes.py: `HttpOnly`,
`SameSite=Strict`, `Secure` over HTTPS, expiring with the session), never in the address
and never seen by a script. The server reads it back from the request that opened the page
(`st.context.cookies`).

After a sign-in the page hands the browser a one-time ticket, not the token: at the end of
the run a script sends it to the session route, which sets the cookie and sends the browser
back to the page it was on. After a sign-out or leaving demo mode it goes to the sign-out
route, which drops the cookie. Either way the page then loads afresh: the new session starts
from the cookie, with the menu of the new role (Streamlit keeps showing the previous
session's menu otherwise). The navigation replaces the page in the history: Back never
returns to a used ticket.

A server started without these routes (`streamlit run app.py`, not `python -m
dashboard.server`) sends the browser nowhere: a sign-in lasts as long as the browser's
session, and nothing sets a cookie.

The ticket is random and URL-safe (`secrets.token_urlsafe`): it needs no escaping in the
script, and anything else is refused before it is written.
"""

from __future__ import annotations

import json
import re

import streamlit as st

from auth.sessions import COOKIE
from dashboard import session_routes

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
GO = "_pilotage_aller"  # session state: (route, ticket or None), taken at the end of the run


def sent_token() -> str | None:
    """The token the browser sent when it opened this page, if any."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # outside a browser session
        return None
    return token if isinstance(token, str) and _TOKEN.match(token) else None


def hand_over(ticket: str) -> None:
    """After a sign-in: the browser takes `ticket` to the session route after this run."""
    st.session_state[GO] = (session_routes.SESSION, ticket)


def start_afresh() -> None:
    """After a sign-out or leaving demo mode: the browser goes through the sign-out route
    (its cookie dropped) after this run."""
    st.session_state[GO] = (session_routes.SIGN_OUT, None)


def sync() -> None:
    """Once per run, at the end of the page's checks: send the browser where a sign-in, a
    sign-out or leaving demo mode asked for."""
    # Kept, not popped: a run that follows at once would otherwise replace the script before
    # the browser ran it; this session ends with the navigation anyway.
    step = st.session_state.get(GO)
    if not step or not session_routes.INSTALLED:
        return
    route, ticket = step
    if ticket is not None and not _TOKEN.match(ticket):
        return
    target = json.dumps(session_routes.address(route, ticket)).replace("<", "\\u003c")
    script = (
        f"window.location.replace({target}"
        " + encodeURIComponent(window.location.pathname + window.location.search));"
    )
    # data-pilotage: our own script (tests/browser/test_hostile_in_browser.py)
    st.html(f"<script data-pilotage='session'>{script}</script>", unsafe_allow_javascript=True)
