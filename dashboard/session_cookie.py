"""The browser side of a lasting sign-in (auth/sessions.py): the token lives in a cookie of
this site only (`SameSite=Strict`, `Secure` over HTTPS, expiring with the session), never in
the address. Streamlit gives a page no way to set a cookie from the server, so a small script
sets it; the server reads it back from the request that opened the page
(`st.context.cookies`).

After a sign-in, a sign-out or leaving demo mode the browser reloads the page once: the new
session starts from the cookie, with the menu of the new role (Streamlit keeps showing the
previous session's menu otherwise).

The token is random and URL-safe (`secrets.token_urlsafe`): it needs no escaping in the
script, and anything else is refused before it is written.
"""

from __future__ import annotations

import re

import streamlit as st

from auth.sessions import COOKIE

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
RELOAD = "_pilotage_recharger"  # session state: reload the page once, at the end of this run


def sent_token() -> str | None:
    """The token the browser sent when it opened this page, if any."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # outside a browser session
        return None
    return token if isinstance(token, str) and _TOKEN.match(token) else None


def start_afresh() -> None:
    """Have the browser reload the page after this run (who is signed in has changed)."""
    st.session_state[RELOAD] = True


def _cookie(value: str, max_age: int) -> str:
    return (
        f"document.cookie = '{COOKIE}={value}; Path=/; Max-Age={int(max_age)}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');"
    )


def sync(token: str | None, max_age: int) -> None:
    """Once per run: the browser keeps `token` (None: drops any it has), and reloads if a
    sign-in, a sign-out or leaving demo mode asked for it."""
    # Kept, not popped: a run that follows at once would otherwise replace the script before
    # the browser ran it; this session ends with the reload anyway.
    reload = bool(st.session_state.get(RELOAD, False))
    script = ""
    if token is not None and _TOKEN.match(token) and sent_token() != token:
        script += _cookie(token, max_age)
    elif token is None and (sent_token() or reload):
        script += _cookie("", 0)
    if reload:
        script += "window.location.reload();"
    if script:
        # data-pilotage: our own script (tests/browser/test_hostile_in_browser.py)
        st.html(f"<script data-pilotage='session'>{script}</script>", unsafe_allow_javascript=True)
