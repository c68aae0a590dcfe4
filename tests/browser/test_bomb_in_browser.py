"""A spreadsheet built to exhaust memory (one cell at XFD1048576: 512 GB for a reader that
allocates the used range) uploaded through the real Importer page: one French message, and
the server goes on serving another visitor (before bounded reading, the whole Streamlit
process died and every visitor saw « Connection error »)."""

from __future__ import annotations

import urllib.request

import pytest

from tests.test_bounds import _xlsx

pytestmark = pytest.mark.browser


def test_a_bomb_gets_a_french_message_and_the_server_serves_on(demo_server, browser):
    uploader = browser.new_page(viewport={"width": 1400, "height": 1400}, locale="fr-FR")
    uploader.goto(f"{demo_server}/importer")
    uploader.get_by_role("heading", name="Importer", exact=True).wait_for(timeout=60_000)
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

    other = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    other.goto(f"{demo_server}/donnees")
    other.get_by_text("Parcours consolidés").wait_for(timeout=60_000)
    with urllib.request.urlopen(f"{demo_server}/_stcore/health", timeout=5) as health:
        assert health.status == 200
    uploader.close()
    other.close()
