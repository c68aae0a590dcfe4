"""The server entry point (`python -m dashboard.server`, what `make run` and the browser
tests start), without a browser: it serves the French copy of Streamlit's page and
scripts, and its log holds no « No runtime found, using MemoryCacheStorageManager » (a
cached function defined or called before Streamlit's runtime exists) and no warning of the
translation. Its session routes (dashboard/session_routes.py) set the sign-in cookie
HttpOnly for a good ticket only, `Secure` behind a declared HTTPS proxy, send back to this
site only, and drop the cookie at sign-out."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import re
import time
import urllib.parse
import urllib.request

from sqlalchemy import update

import settings
from auth import passwords, sessions
from auth.accounts import create_account
from auth.roles import Identity, Role
from store.db import init_db, make_engine
from store.models import SessionConnexion
from tests.browser.conftest import streamlit_server
from tests.test_accounts import cheap_hasher


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_the_server_serves_french_and_logs_no_warning(tmp_path):
    url = f"sqlite:///{tmp_path / 'vide.db'}"
    engine = make_engine(url)
    init_db(engine)
    engine.dispose()
    log = tmp_path / "serveur.log"
    with streamlit_server(url, log=log) as base:
        page = _get(base)
        assert '<html lang="fr">' in page and "You need to enable JavaScript" not in page
        folder = re.search(r'src="\./static/(fr-[0-9a-f]{12})/(index\.[^"]+\.js)"', page)
        assert folder, page[:2000]
        assert "Aller au contenu principal" in _get(f"{base}/static/{folder[1]}/{folder[2]}")
        time.sleep(3)  # the dataset's loading, started with the server, has run
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    assert not [line for line in lines if "No runtime found" in line], lines
    unwanted = ("WARNING", "Traceback", "Streamlit interface", "not loaded at start")
    assert not [line for line in lines if any(word in line for word in unwanted)], lines


# --- the session cookie, set by the server (dashboard/session_routes.py) ------------------

NAME = "claire@cd59.fr"


def _answer(base: str, path: str, headers: dict[str, str] | None = None):
    """One GET, redirects not followed: (status, its headers, its page)."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8")
    finally:
        connection.close()


def _with_an_account(tmp_path, monkeypatch):
    """A database with one administrator; its URL and engine."""
    monkeypatch.setattr(passwords, "HASHER", cheap_hasher())
    url = f"sqlite:///{tmp_path / 'comptes.db'}"
    engine = make_engine(url)
    init_db(engine)
    create_account(engine, NAME, "admin", password="une phrase de passe assez longue")
    return url, engine


def _ticket(engine) -> str:
    return sessions.open_ticket(engine, Identity(NAME, Role.ADMIN, None, "local"))


def _session(base: str, ticket: str, retour: str = "/synthese", **headers: str):
    query = urllib.parse.urlencode({"ticket": ticket, "retour": retour})
    return _answer(base, f"/_pilotage/session?{query}", headers)


def _token_in(set_cookie: str) -> str:
    found = re.fullmatch(
        rf"{sessions.COOKIE}=([A-Za-z0-9_-]{{43}}); Max-Age=28800; Path=/; HttpOnly; "
        r"SameSite=Strict(; Secure)?",
        set_cookie,
    )
    assert found, set_cookie
    return found[1]


def test_the_session_route_sets_an_httponly_cookie_once(tmp_path, monkeypatch):
    url, engine = _with_an_account(tmp_path, monkeypatch)
    with streamlit_server(url) as base:  # no proxy declared: its header is ignored
        ticket = _ticket(engine)
        status, headers, _ = _session(
            base,
            ticket,
            "/synthese?du=2024-01-01&association=Envol%20Mentorat",
            **{"X-Forwarded-Proto": "https", "Sec-Fetch-Site": "same-origin"},
        )
        assert status == 303
        assert headers["Location"] == "/synthese?du=2024-01-01&association=Envol%20Mentorat"
        assert headers["Cache-Control"] == "no-store"
        (set_cookie,) = headers.get_all("Set-Cookie")
        assert not set_cookie.endswith("Secure")  # plain http, no proxy declared
        token = _token_in(set_cookie)
        assert sessions.resume(engine, token).identifiant == NAME

        # Used, unknown, malformed, expired, or brought by another site: no cookie.
        late = _ticket(engine)
        with engine.begin() as conn:
            conn.execute(
                update(SessionConnexion.__table__)
                .where(
                    SessionConnexion.__table__.c.jeton_sha256
                    != hashlib.sha256(token.encode()).hexdigest()
                )
                .values(expire_le=dt.datetime.now(dt.UTC))
            )
        fresh = _ticket(engine)
        for ticket_sent, extra, expected in (
            (ticket, {}, 403),
            ("A" * 43, {}, 403),
            (token, {}, 403),  # the token itself is no ticket
            ("pas un ticket", {}, 400),
            ("", {}, 400),
            (late, {}, 403),
            (fresh, {"Sec-Fetch-Site": "cross-site"}, 403),
            (fresh, {"Sec-Fetch-Site": "same-site"}, 403),
        ):
            status, headers, page = _session(base, ticket_sent, **extra)
            assert status == expected, (ticket_sent, extra, status)
            assert headers.get_all("Set-Cookie") is None, (ticket_sent, extra)
            assert "Ce lien de connexion a déjà servi, a expiré" in page
            assert 'href="/synthese"' in page
        status, headers, _ = _session(base, fresh)  # not spent by the refused requests
        assert status == 303 and _token_in(headers["Set-Cookie"])

        # Back to this site only, whatever `retour` says.
        for retour in (
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "/%5Cevil.example",
            "evil.example",
            "/synthese\r\nSet-Cookie: x=1",
            "javascript:alert(1)",
        ):
            status, headers, _ = _session(base, _ticket(engine), retour)
            assert status == 303 and headers["Location"] == (
                retour if retour == "/%5Cevil.example" else "/"
            ), retour

        # Sign-out: the cookie expired, its session ended; not from another site.
        cookie = {"Cookie": f"{sessions.COOKIE}={token}"}
        status, headers, _ = _answer(
            base,
            "/_pilotage/deconnexion?retour=%2Fimporter",
            cookie | {"Sec-Fetch-Site": "cross-site"},
        )
        assert status == 303 and headers.get_all("Set-Cookie") is None
        assert sessions.resume(engine, token) is not None
        status, headers, _ = _answer(base, "/_pilotage/deconnexion?retour=%2Fimporter", cookie)
        assert status == 303 and headers["Location"] == "/importer"
        assert headers["Set-Cookie"] == (
            f"{sessions.COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"
        )
        assert sessions.resume(engine, token) is None
    engine.dispose()


def test_behind_a_declared_proxy_the_cookie_is_secure_over_https(tmp_path, monkeypatch):
    url, engine = _with_an_account(tmp_path, monkeypatch)
    with streamlit_server(url, env={settings.BEHIND_PROXY.env: "1"}) as base:
        https = {"X-Forwarded-Proto": "https"}
        status, headers, _ = _session(base, _ticket(engine), **https)
        assert status == 303 and headers["Set-Cookie"].endswith(
            "; HttpOnly; SameSite=Strict; Secure"
        )
        _token_in(headers["Set-Cookie"])
        status, headers, _ = _session(base, _ticket(engine))  # the proxy says nothing: http
        assert status == 303 and not headers["Set-Cookie"].endswith("Secure")
        status, headers, _ = _session(base, _ticket(engine), **{"X-Forwarded-Proto": "http"})
        assert status == 303 and not headers["Set-Cookie"].endswith("Secure")
        status, headers, _ = _answer(base, "/_pilotage/deconnexion", https)
        assert status == 303 and headers["Location"] == "/"
        assert headers["Set-Cookie"] == (
            f"{sessions.COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure"
        )
    engine.dispose()
