"""The journey of a new user in headless Chromium, on a clean demo database served on this
machine: leave demo mode from the Importer (told what happens first), create the first
administrator when asked (the sign-in cookie set by the server, HttpOnly, out of reach of
the page's scripts), import one's own file, reload without being signed out, open a shared
link to a filtered view, change the period then click a page at once, sign out (the cookie
dropped)."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import expect

from auth.sessions import COOKIE
from tests.browser.conftest import CHROMIUM, demo_database, streamlit_server
from tests.browser.test_upload_in_browser import _export, _open, _registered

pytestmark = pytest.mark.browser
PASSWORD = "une phrase de passe pour le premier administrateur"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    url = demo_database(tmp_path_factory.mktemp("premier"))
    with streamlit_server(url) as base:
        yield base


def _nav_links(page) -> list[str]:
    """The menu entries a person can see."""
    links = page.locator('[data-testid="stSidebarNavLink"]').all()
    return [link.inner_text() for link in links if link.is_visible()]


def _segments(page):
    """The day, month and year boxes of the period's date input, start date first."""
    return page.locator('[data-testid="stDateInput"] [role="spinbutton"]')


def _shown_start(page) -> str:
    """The period's start date as the sidebar shows it (jj/mm/aaaa)."""
    day, month, year = _segments(page).all_inner_texts()[:3]
    return f"{day}/{month}/{year}"


def _agree(page, timeout: float = 60) -> None:
    """Wait until the page has settled, then check that the figures' view (« Vue affichée :
    Inscriptions du … ») starts on the date the sidebar shows."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        views = page.get_by_text(re.compile("^Vue affichée : Inscriptions du "))
        if not views.count():
            continue
        now = (
            views.first.inner_text()[len("Vue affichée : Inscriptions du ") :][:10],
            _shown_start(page),
        )
        if now == seen and now[0] == now[1]:
            return
        seen = now
    raise AssertionError(f"figures and sidebar disagree (view, sidebar): {seen}")


def _session_cookies(context) -> list[dict]:
    """The browser's sign-in cookies, as the browser itself keeps them."""
    return [cookie for cookie in context.cookies() if cookie["name"] == COOKIE]


def _sidebar_text(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text().replace("\u2060", "")


def test_first_run_journey(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{server}/importer")
    page.get_by_text("Vous êtes sur la base de démonstration").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    leave = page.get_by_role("button", name="Quitter le mode démonstration")
    assert leave.is_disabled()
    page.get_by_text("J'ai compris").click()
    with page.expect_navigation(timeout=60_000):  # a new session starts: the page reloads
        leave.click()

    page.get_by_role("heading", name=re.compile("Premier démarrage")).wait_for(timeout=60_000)
    assert _nav_links(page) == []  # no page list before sign-in
    page.get_by_label("Identifiant").fill("chef@cd59.fr")
    page.get_by_label("Mot de passe (").fill(PASSWORD)
    page.get_by_label("Le même mot de passe").fill(PASSWORD)
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Créer le compte administrateur").click()
    # Signed in, back on the page asked for: the Importer, now open to real files, and the
    # administrator's menu (page titles, not file names).
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Journal d'audit").wait_for(
        timeout=60_000
    )
    page.locator('[data-testid="stFileUploader"]').wait_for(timeout=60_000)
    assert "chef@cd59.fr" in _sidebar_text(page)
    assert "importer" not in _nav_links(page)
    # The cookie was set by the server's session route, which sent the browser back here
    # (no ticket left in the address or the history); HttpOnly: no script of the page sees it.
    assert page.url == f"{server}/importer"
    (cookie,) = _session_cookies(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http on this machine, no proxy declared
    assert COOKIE not in page.evaluate("document.cookie")
    assert cookie["value"] not in page.content()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "envol.csv", "mimeType": "text/csv", "buffer": _export()}]
    )
    # A new base, nothing names the file's association: typed on its line, added.
    page.get_by_placeholder("À choisir, ou tapez son nom…").click(timeout=60_000)
    page.keyboard.type("Envol Mentorat Nord")
    page.keyboard.press("Enter")
    page.get_by_text("Lignes qui seront chargées").wait_for(timeout=60_000)
    page.get_by_text("n'est pas encore dans le référentiel").wait_for()
    page.get_by_role("button", name="Confirmer l'import", exact=True).click()
    page.get_by_text("3 nouveaux").wait_for(timeout=60_000)

    _open(page, "Synthèse")
    assert _registered(page) == 3
    page.reload()  # a new browser session: the cookie signs it in again
    assert _registered(page) == 3
    assert "chef@cd59.fr" in _sidebar_text(page)

    # A shared link to a filtered view, opened in another tab of the same browser.
    du = dt.date.today() - dt.timedelta(days=60)
    au = dt.date.today()
    other = context.new_page()
    other.goto(f"{server}/entonnoir?association=Envol+Mentorat+Nord&du={du}&au={au}")
    other.get_by_role("heading", name="Entonnoir", exact=True).first.wait_for(timeout=60_000)
    chosen = other.get_by_role("combobox", name="Association")
    expect(chosen).to_have_value("Envol Mentorat Nord", timeout=30_000)
    linked = f"^Vue affichée : Inscriptions du {du:%d/%m/%Y} .* Association : Envol Mentorat Nord"
    other.get_by_text(re.compile(linked)).first.wait_for(timeout=60_000)
    assert _shown_start(other) == f"{du:%d/%m/%Y}"

    # Type a new start date, then click another page at once. Depending on timing the click
    # applies the date (closing the picker) or opens the page with the date left unapplied:
    # either way the figures follow the date the sidebar shows.
    start = dt.date.today() - dt.timedelta(days=10)  # after the three inscriptions
    _segments(other).first.click()
    other.keyboard.type(f"{start:%d%m%Y}", delay=50)
    expect(_segments(other).nth(2)).to_have_text(f"{start:%Y}")  # typed, not yet applied
    other.locator('[data-testid="stSidebarNavLink"]', has_text="Synthèse").first.click()
    _agree(other)

    # Applied for sure (Escape closes the picker), then on the Synthèse: no youth since.
    _segments(other).first.click()
    other.keyboard.type(f"{start:%d%m%Y}", delay=50)
    other.keyboard.press("Escape")
    other.get_by_text(
        re.compile(f"^Vue affichée : Inscriptions du {start:%d/%m/%Y}")
    ).first.wait_for(timeout=60_000)
    expect(other.get_by_role("combobox", name="Association")).to_have_value("Envol Mentorat Nord")
    assert f"du={start}" in other.url
    other.locator('[data-testid="stSidebarNavLink"]', has_text="Synthèse").first.click()
    other.get_by_role("heading", name="Synthèse", exact=True).first.wait_for(timeout=60_000)
    _agree(other)
    assert _shown_start(other) == f"{start:%d/%m/%Y}"
    assert _registered(other) == 0  # the three youths registered before the new start

    # Sign out: ended everywhere, no page list on the sign-in page, a reload stays out.
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion", exact=True).wait_for(timeout=60_000)
    assert _nav_links(page) == []
    assert not _session_cookies(context)  # dropped by the server's sign-out route
    assert page.url == f"{server}/"  # back where it was: the Synthèse, the home page
    page.reload()
    page.get_by_role("heading", name="Connexion", exact=True).wait_for(timeout=60_000)
    other.locator('[data-testid="stSidebarNavLink"]', has_text="Entonnoir").first.click()
    other.get_by_role("heading", name="Connexion", exact=True).wait_for(timeout=60_000)
    context.close()
