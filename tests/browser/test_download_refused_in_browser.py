"""A tab left open after its account was disabled gets no file, in Chromium: signed in as
the direction, the Comité de pilotage page downloads its workbook (written in the audit
log with that person); the account is disabled in the database while the tab stays open;
« Classeur Excel » then downloads nothing, the page says why and asks to sign in again,
and the audit log holds the refusal in that person's name."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from auth.accounts import disable
from store.audit import entries
from store.db import make_engine
from tests.browser.conftest import CHROMIUM, imported_database, sign_in, streamlit_server

pytestmark = pytest.mark.browser

PASSWORD = "mot de passe de la direction"
WORKBOOK = "Classeur Excel (.xlsx)"
WHO = ["utilisateur", "role", "association", "action"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Real data (the demo files imported by a person: sign-in required), an administrator
    and the direction's account."""
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    url = imported_database(
        tmp_path_factory.mktemp("refus"),
        {
            "claire@cd59.fr": ("admin", "mot de passe de l'admin"),
            "dir@cd59.fr": ("direction", PASSWORD),
        },
    )
    with streamlit_server(url) as base:
        yield base, url


def _downloads(url: str, until: int, timeout: float = 30) -> list[list]:
    """The download entries of the audit log (newest first), once there are `until`."""
    deadline = time.monotonic() + timeout
    while True:
        engine = make_engine(url)
        log = entries(engine, actions=["telechargement", "export", "acces_refuse"])
        engine.dispose()
        if len(log) >= until or time.monotonic() > deadline:
            return log[WHO].values.tolist()
        time.sleep(0.2)


def test_a_disabled_account_in_an_open_tab_downloads_nothing(server, browser):
    base, url = server
    page = browser.new_page(viewport={"width": 1400, "height": 1600}, locale="fr-FR")
    page.goto(base)
    sign_in(page, "dir@cd59.fr", PASSWORD)
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Comité de pilotage").first.click()
    button = page.get_by_role("button", name=WORKBOOK)
    button.wait_for(timeout=120_000)

    with page.expect_download(timeout=120_000) as first:  # the account is active: a file
        button.click()
    assert first.value.suggested_filename.endswith(".xlsx")
    assert _downloads(url, 1) == [["dir@cd59.fr", "direction", None, "telechargement"]]

    engine = make_engine(url)
    disable(engine, "dir@cd59.fr")  # from another session, while the tab stays open
    engine.dispose()
    with pytest.raises(PlaywrightTimeout), page.expect_download(timeout=15_000):
        button.click()
    page.get_by_text("Téléchargement refusé : votre session a pris fin").wait_for(timeout=30_000)
    page.get_by_role("heading", name="Connexion", exact=True).wait_for(timeout=30_000)
    assert page.get_by_role("button", name=WORKBOOK).count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert _downloads(url, 2) == [
        ["dir@cd59.fr", "direction", None, "acces_refuse"],
        ["dir@cd59.fr", "direction", None, "telechargement"],
    ]
    page.close()
