"""Sign-in that lasts (auth/sessions.py, dashboard/session_cookie.py) and the first
administrator created from the local machine (dashboard/first_admin.py), under AppTest.

A reload is a new AppTest whose request carries the cookie the first one was given
(`dashboard.session_cookie.sent_token` patched: AppTest has no browser to keep cookies)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

import settings
from auth import accounts, passwords, sessions
from dashboard import access, session_cookie
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


def _rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(TABLE)).all()


def _token(at: AppTest) -> str:
    return at.session_state[access.TOKEN]


def _reload(monkeypatch, page: str, token: str | None) -> AppTest:
    """The page opened again by a browser that sends `token` as its cookie."""
    monkeypatch.setattr(session_cookie, "sent_token", lambda: token)
    at = app(page).run()
    assert not at.exception, at.exception
    return at


def _cookie_scripts(at: AppTest) -> list[str]:
    return [e.proto.body for e in at.get("html") if sessions.COOKIE in e.proto.body]


def test_sign_in_gives_a_cookie_the_database_knows_only_hashed(real_db):
    at = sign_in(app("donnees").run(), "claire@cd59.fr", PASSWORD)
    token = _token(at)
    (row,) = _rows(real_db)
    assert row.jeton_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.jeton_sha256 and row.identifiant == "claire@cd59.fr"
    lasts = row.expire_le.replace(tzinfo=dt.UTC) - row.cree_le.replace(tzinfo=dt.UTC)
    assert lasts == dt.timedelta(hours=8)
    (script,) = _cookie_scripts(at)
    assert f"{sessions.COOKIE}={token};" in script and "Max-Age=28800" in script
    assert "SameSite=Strict" in script


def test_a_reload_keeps_the_sign_in(real_db, monkeypatch):
    token = _token(sign_in(app("donnees").run(), "claire@cd59.fr", PASSWORD))
    again = _reload(monkeypatch, "synthese", token)
    assert again.title[0].value == "Synthèse" and again.metric
    assert "claire@cd59.fr" in again.sidebar.caption[0].value.replace("\u2060", "")
    assert not _cookie_scripts(again)  # the browser already holds this very cookie


def test_sign_out_ends_the_session_everywhere(real_db, monkeypatch):
    first = sign_in(app("donnees").run(), "claire@cd59.fr", PASSWORD)
    token = _token(first)
    other_tab = _reload(monkeypatch, "donnees", token)
    assert other_tab.metric
    first.button(key="se_deconnecter").click().run()
    assert first.title[0].value == "Connexion"
    assert any("Max-Age=0" in s for s in _cookie_scripts(first))  # the browser drops it
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
