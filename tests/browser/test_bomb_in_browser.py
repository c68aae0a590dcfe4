"""A spreadsheet built to exhaust memory (one cell at XFD1048576: 512 GB for a reader that
allocates the used range) uploaded through the real Importer page: one French message, and
the server goes on serving another visitor (before bounded reading, the whole Streamlit
process died and every visitor saw « Connection error »). On real data (the demo's Importer
takes no file), signed in; the other visitor is a second tab of the same browser."""

from __future__ import annotations

import urllib.request

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_upload_in_browser import PASSWORD, server  # noqa: F401 (fixture)
from tests.test_bounds import _xlsx

pytestmark = pytest.mark.browser


def test_a_bomb_gets_a_french_message_and_the_server_serves_on(server, browser):  # noqa: F811
    base, _ = server
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="fr-FR")
    uploader = context.new_page()
    uploader.goto(f"{base}/importer")
    sign_in(uploader, "claire@cd59.fr", PASSWORD)
    uploader.locator('[data-testid="stFileUploader"]').wait_for(timeout=60_000)
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[
            {
                "name": "bombe.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _xlsx("XFD1048576"),
            }
        ]
    )
    error = uploader.locator('[data-testid="stAlertContentError"]').first
    error.wait_for(timeout=60_000)
    assert "au-delà de ce que l'import accepte" in error.inner_text()
    assert uploader.locator('[data-testid="stException"]').count() == 0

    other = context.new_page()
    other.goto(f"{base}/donnees")
    other.get_by_text("Parcours consolidés").wait_for(timeout=60_000)
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as health:
        assert health.status == 200
    context.close()
