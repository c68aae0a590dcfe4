"""Text from files is text in the real browser: the demo database plus an association, an
antenna, a territory, establishments, a header, a file name and a user name built to be
interpreted (tests/test_hostile_text.py); every page opened through the menu in Chromium.
No image or link to the hostile host is in the page, no request goes to it, and the
association's name is on screen as it reads."""

from __future__ import annotations

import shutil

import pytest

from auth.accounts import create_account
from domain.text import one_line
from pipelines.api import ingest
from store.db import make_engine
from tests.browser.conftest import CHROMIUM, demo_database, sign_in, streamlit_server
from tests.browser.test_app_in_browser import PAGES
from tests.browser.test_upload_in_browser import _open
from tests.conftest import TEST_KEY
from tests.test_hostile_text import ASSOCIATION, FILE_NAME, USER, _export, _referential

pytestmark = pytest.mark.browser
PASSWORD = "mot de passe de la chargée de projet"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    directory = tmp_path_factory.mktemp("hostile_browser")
    url = demo_database(directory)
    shutil.move(directory / "demo", directory / "fichiers")  # where _referential looks
    engine = make_engine(url)
    for data, name, association in (
        (_referential(directory), "referentiel.xlsx", None),
        (_export(), FILE_NAME, ASSOCIATION),
    ):
        report = ingest(engine, data, name, TEST_KEY, association=association, user=USER)
        assert report.statut == "charge", report.erreurs
    create_account(engine, "claire@cd59.fr", "admin", password=PASSWORD)
    engine.dispose()
    with streamlit_server(url) as base:
        yield base


def test_no_page_renders_text_from_files(hostile_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2200}, locale="fr-FR")
    hostile_requests: list[str] = []
    page.on("request", lambda r: "evil.example" in r.url and hostile_requests.append(r.url))
    page.goto(hostile_server)
    sign_in(page, "claire@cd59.fr", PASSWORD)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    seen_as_text = 0
    for _, title, _ in PAGES:
        _open(page, title)
        page.wait_for_timeout(1500)  # let charts, grids and messages paint
        assert page.locator('[data-testid="stException"]').count() == 0, title
        for selector in (
            'img[src*="evil"]',
            'a[href*="evil"]',
            # the app's own two scripts (language, sign-in cookie) carry data-pilotage
            '[data-testid="stMain"] script:not([data-pilotage])',
            '[data-testid="stMain"] iframe',
        ):
            found = page.locator(selector)
            assert found.count() == 0, (
                title,
                selector,
                [
                    found.nth(i).evaluate("e => e.parentElement.outerHTML")
                    for i in range(found.count())
                ],
            )
        seen_as_text += page.get_by_text(one_line(ASSOCIATION)).count()
    assert not hostile_requests
    assert seen_as_text > 0  # escaped, not hidden: the name is shown as it reads
    page.close()
