"""Sign-in that lasts (auth/sessions.py, dashboard/session_cookie.py) and the first
administrator created from the local machine (dashboard/first_admin.py), under AppTest.

After a sign-in the page sends the browser to the session route with a one-time ticket;
here the test redeems it as the route does (`sessions.redeem`), and a reload is a new
AppTest whose request carries the cookie the route gave (`dashboard.session_cookie.sent_token`
patched: AppTest has no browser to keep cookies). The route itself is tested on a real
server in tests/test_server.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

import settings
from auth import accounts, passwords, sessions
from auth.roles import Identity, Role
from dashboard import access, data, session_cookie, session_routes
from store.audit import entries
from store.models import SessionConnexion
from tests import test_access
from tests.test_access import PASSWORD, app, shows_nothing, sign_in
from tests.test_accounts import cheap_hasher

TABLE = SessionConnexion.__table__
real_db, listening = test_access.real_db, test_access.listening  # the same fixtures


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", cheap_hasher())


@pytest.fixture(autouse=True)
def served_with_its_routes(monkeypatch):
    """As `python -m dashboard.server` starts it: the session routes are there."""
    monkeypatch.setattr(session_routes, "INSTALLED", True)


def _rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(TABLE)).all()


def _navigation(at: AppTest) -> list[str]:
    """The page's scripts that send the browser to one of the server's session routes."""
    return [e.proto.body for e in at.get("html") if "data-pilotage='session'" in e.proto.body]


def _ticket(at: AppTest) -> str:
    """The ticket the page gives the browser after a sign-in; never the token."""
    (script,) = _navigation(at)
    assert "document.cookie" not in script and sessions.COOKIE not in script
    assert access.TOKEN not in at.session_state  # no token before the route gives one
    found = re.fullmatch(
        r"<script data-pilotage='session'>window\.location\.replace\("
        r'"/_pilotage/session\?ticket=([A-Za-z0-9_-]{43})&retour=" \+ encodeURIComponent\('
        r"window\.location\.pathname \+ window\.location\.search\)\);</script>",
        script,
    )
    assert found, script
    return found[1]


def _token(at: AppTest) -> str:
    """What the browser holds once the session route has taken the page's ticket."""
    opened = sessions.redeem(data.engine(), _ticket(at))  # the route's database
    assert opened is not None
    return opened[0]


def _reload(monkeypatch, page: str, token: str | None) -> AppTest:
    """The page opened again by a browser that sends `token` as its cookie."""
    monkeypatch.setattr(session_cookie, "sent_token", lambda: token)
    at = app(page).run()
    assert not at.exception, at.exception
    return at


def _lasts(row) -> dt.timedelta:
    return row.expire_le.replace(tzinfo=dt.UTC) - row.cree_le.replace(tzinfo=dt.UTC)


def test_sign_in_gives_a_ticket_then_a_cookie_the_database_knows_only_hashed(real_db):
    at = sign_in(app("donnees").run(), "claire@cd59.fr", PASSWORD)
    assert at.title[0].value == "Données consolidées"  # signed in until the browser leaves
    ticket = _ticket(at)
    (row,) = _rows(real_db)
    assert row.identifiant == "claire@cd59.fr" and ticket not in row.jeton_sha256
    assert row.jeton_sha256 != hashlib.sha256(ticket.encode()).hexdigest()
    assert _lasts(row) == dt.timedelta(seconds=sessions.TICKET_SECONDS)
    assert sessions.resume(real_db, ticket) is None  # a ticket is not a token
    token, max_age = sessions.redeem(real_db, ticket)
    assert max_age == 8 * 3600 and token != ticket
    (row,) = _rows(real_db)  # the same row, now the session's
    assert row.jeton_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert _lasts(row) == dt.timedelta(hours=8)
    assert sessions.resume(real_db, token).identifiant == "claire@cd59.fr"
    assert sessions.redeem(real_db, ticket) is None  # once
    assert sessions.redeem(real_db, token) is None  # a token is not a ticket


def test_a_ticket_expires_and_ends_with_the_account_s_sessions(real_db):
    identity = Identity("claire@cd59.fr", Role.ADMIN, None, "local")
    late = sessions.open_ticket(real_db, identity)
    with real_db.begin() as conn:
        conn.execute(update(TABLE).values(expire_le=dt.datetime.now(dt.UTC)))
    assert sessions.redeem(real_db, late) is None
    ended = sessions.open_ticket(real_db, identity)
    accounts.end_sessions(real_db, "claire@cd59.fr")  # signed out meanwhile
    assert sessions.redeem(real_db, ended) is None
    disabled = sessions.open_ticket(real_db, identity)
    with real_db.begin() as conn:  # the account alone disabled, its ticket left open
        conn.execute(update(accounts.TABLE).values(actif=False))
    assert sessions.redeem(real_db, disabled) is None  # checked when the ticket is used
    assert not accounts.open_sessions(real_db)
    for wrong in (None, "", "court", "A" * 43, "A" * 101):
        assert sessions.redeem(real_db, wrong) is None


def test_still_signed_in_checks_the_token_else_the_ticket_else_the_account(real_db):
    """The one check the pages (at every run) and the download gate (at the click) make."""
    identity = Identity("claire@cd59.fr", Role.ADMIN, None, "local")
    token, _ = sessions.open_session(real_db, identity)
    ticket = sessions.open_ticket(real_db, identity)
    assert sessions.still_signed_in(real_db, identity, token) == identity
    assert sessions.still_signed_in(real_db, identity, token, "A" * 43) == identity
    assert sessions.still_signed_in(real_db, identity, None, ticket) == identity
    assert sessions.still_signed_in(real_db, identity) == identity  # the account, now
    assert sessions.still_signed_in(real_db, identity, "A" * 43) is None  # an unknown token
    accounts.end_sessions(real_db, "claire@cd59.fr")
    assert sessions.still_signed_in(real_db, identity, token) is None
    assert sessions.still_signed_in(real_db, identity, None, ticket) is None
    assert sessions.still_signed_in(real_db, identity) == identity  # no ticket: the account
    with real_db.begin() as conn:
        conn.execute(update(accounts.TABLE).values(actif=False))
    assert sessions.still_signed_in(real_db, identity) is None


def test_without_the_routes_the_sign_in_lasts_the_browser_session_only(real_db, monkeypatch):
    """Started by `streamlit run app.py`: no route to send the browser to, no script."""
    monkeypatch.setattr(session_routes, "INSTALLED", False)
    at = sign_in(app("donnees").run(), "claire@cd59.fr", PASSWORD)
    assert at.title[0].value == "Données consolidées" and at.metric
    assert not _navigation(at)
    at.button(key="se_deconnecter").click().run()
    assert at.title[0].value == "Connexion" and not _navigation(at)


def test_a_reload_keeps_the_sign_in(real_db, monkeypatch):
    token = _token(sign_in(app("donnees").run(), "claire@cd59.fr", PASSWORD))
    again = _reload(monkeypatch, "synthese", token)
    assert again.title[0].value == "Synthèse" and again.metric
    assert "claire@cd59.fr" in again.sidebar.caption[0].value.replace("\u2060", "")
    assert not _navigation(again)  # the browser already holds its cookie: it stays


def test_sign_out_ends_the_session_everywhere(real_db, monkeypatch):
    first = sign_in(app("donnees").run(), "claire@cd59.fr", PASSWORD)
    token = _token(first)
    other_tab = _reload(monkeypatch, "donnees", token)
    assert other_tab.metric
    first.button(key="se_deconnecter").click().run()
    assert first.title[0].value == "Connexion"
    (script,) = _navigation(first)  # the browser goes through the route that drops it
    assert '"/_pilotage/deconnexion?retour="' in script and "ticket" not in script
    other_tab.run()  # the other tab's next click
    assert other_tab.title[0].value == "Connexion" and shows_nothing(other_tab)
    assert _reload(monkeypatch, "donnees", token).title[0].value == "Connexion"
    assert all(row.fin_le is not None for row in _rows(real_db))


def test_an_expired_or_unknown_token_asks_to_sign_in(real_db, monkeypatch):
    token = _token(sign_in(app("donnees").run(), "claire@cd59.fr", PASSWORD))
    with real_db.begin() as conn:
        conn.execute(update(TABLE).values(expire_le=dt.datetime.now(dt.UTC)))
    assert _reload(monkeypatch, "donnees", token).title[0].value == "Connexion"
    forged = "A" * 43
    assert _reload(monkeypatch, "donnees", forged).title[0].value == "Connexion"


def test_a_new_password_or_a_disabled_account_ends_its_sessions(real_db, monkeypatch):
    accounts.create_account(real_db, "marc@cd59.fr", "admin", password=PASSWORD)
    token = _token(sign_in(app("donnees").run(), "claire@cd59.fr", PASSWORD))
    accounts.set_password(real_db, "claire@cd59.fr", "un autre mot de passe long")
    assert _reload(monkeypatch, "donnees", token).title[0].value == "Connexion"
    token = _token(sign_in(app("donnees").run(), "claire@cd59.fr", "un autre mot de passe long"))
    accounts.disable(real_db, "claire@cd59.fr")
    assert _reload(monkeypatch, "donnees", token).title[0].value == "Connexion"


def test_the_session_length_setting(monkeypatch):
    monkeypatch.setenv(settings.SESSION_HOURS.env, "2")
    assert sessions.session_hours() == 2
    for wrong in ("0", "48", "huit"):
        monkeypatch.setenv(settings.SESSION_HOURS.env, wrong)
        with pytest.raises(accounts.AccountError, match="nombre entier d'heures de 1 à 24"):
            sessions.session_hours()


@pytest.fixture
def no_admin(real_db):
    """Real data, no administrator account yet (a clean installation after its first
    import)."""
    with real_db.begin() as conn:
        conn.execute(accounts.TABLE.delete())
    return real_db


def _first_admin(at: AppTest, identifiant: str, password: str, again: str) -> AppTest:
    at.text_input[0].input(identifiant)
    at.text_input[1].input(password)
    at.text_input[2].input(again)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_the_first_admin_is_created_on_the_local_machine_only(no_admin, listening):
    listening("0.0.0.0")
    assert app("synthese").run().title[0].value == "Connexion"
    listening("localhost")
    at = app("synthese").run()
    assert at.title[0].value == "Premier démarrage : créer le compte administrateur"
    assert shows_nothing(at)
    _first_admin(at, "chef@cd59.fr", PASSWORD, "pas le même mot de passe")
    assert "diffèrent" in at.error[0].value and not accounts.any_admin(no_admin)
    _first_admin(at, "chef@cd59.fr", "court", "court")
    assert "au moins 12 caractères" in at.error[0].value and not accounts.any_admin(no_admin)
    _first_admin(at, "chef@cd59.fr", PASSWORD, PASSWORD)
    assert at.title[0].value == "Synthèse" and at.metric  # signed in at once
    assert "chef@cd59.fr" in at.sidebar.caption[0].value.replace("\u2060", "")
    log = entries(no_admin, actions=["compte", "connexion"])
    assert set(log["utilisateur"]) == {"chef@cd59.fr"}
    assert "premier compte administrateur" in " ".join(log["detail"])
    # Gone for good: even signed out, on this very machine.
    at.button(key="se_deconnecter").click().run()
    assert at.title[0].value == "Connexion"
    assert app("synthese").run().title[0].value == "Connexion"


def test_a_second_first_admin_is_refused(no_admin):
    accounts.create_first_admin(no_admin, "chef@cd59.fr", PASSWORD)
    with pytest.raises(accounts.AccountError, match="existe déjà"):
        accounts.create_first_admin(no_admin, "autre@cd59.fr", PASSWORD)


def test_the_command_line_says_when_the_first_admin_is_still_to_create(no_admin, monkeypatch):
    from commands.cli import main
    from commands.users import FIRST_ADMIN_HINT

    monkeypatch.setenv(settings.DB_URL.env, str(no_admin.url))
    printed = []
    monkeypatch.setattr("builtins.print", lambda *a, **k: printed.append(" ".join(a)))
    assert main(["users", "first-admin"]) == 0
    assert printed == [FIRST_ADMIN_HINT]
    accounts.create_first_admin(no_admin, "chef@cd59.fr", PASSWORD)
    printed.clear()
    assert main(["users", "first-admin"]) == 0
    assert printed == []
