"""The browser side of a lasting sign-in (auth/sessions.py): the token lives in a cookie of
this site only (`SameSite=Strict`, `Secure` over HTTPS, expiring with the session), never in
the address. Streamlit gives a page no way to set a cookie from the server, so a small script
sets it; the server reads it back from the request that opened the page
(`st.context.cookies`).

The token is random and URL-safe (`secrets.token_urlsafe`): it needs no escaping in the
script, and anything else is refused before it is written.
"""

from __future__ import annotations

import re

import streamlit as st

from auth.sessions import COOKIE

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def sent_token() -> str | None:
    """The token the browser sent when it opened this page, if any."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # outside a browser session
        return None
    return token if isinstance(token, str) and _TOKEN.match(token) else None


def _script(value: str, max_age: int) -> None:
    st.html(
        "<script>"
        f"document.cookie = '{COOKIE}={value}; Path=/; Max-Age={int(max_age)}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');"
        "</script>",
        unsafe_allow_javascript=True,
    )


def keep(token: str, max_age: int) -> None:
    """Have the browser keep `token` for `max_age` seconds (a no-op when it already sent
    this very token)."""
    if _TOKEN.match(token) and sent_token() != token:
        _script(token, max_age)


def forget() -> None:
    """Have the browser drop the token (after sign-out, or when it was no longer valid)."""
    _script("", 0)
