"""A new export uploaded through the real Importer page, in headless Chromium: the report,
the confirmation, then the synthesis counts the new youths (on its own demo database, so the
other browser tests keep theirs)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import CHROMIUM, demo_database, streamlit_server
from tests.helpers import csv_bytes

pytestmark = pytest.mark.browser

# The layout of Envol Mentorat Nord (pipelines/mappings/envol_csv.toml), three new youths.
HEADER = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Commune de résidence", "CP"]
HEADER += ["Date d'inscription"]


def _export() -> bytes:
    inscription = f"{dt.date.today() - dt.timedelta(days=20):%d/%m/%Y}"
    rows = [
        ["NOUV-1", "Testeur", "Aline", "03/04/2010", "Lille", "59000", inscription],
        ["NOUV-2", "Testeur", "Bruno", "11/09/2009", "Roubaix", "59100", inscription],
        ["NOUV-3", "Testeur", "Chloé", "27/01/2011", "Merville", "59660", inscription],
    ]
    return csv_bytes([HEADER, *rows])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    with streamlit_server(demo_database(tmp_path_factory.mktemp("upload"))) as base:
        yield base


def _registered(page) -> int:
    tile = page.locator('[data-testid="stMetric"]').filter(has_text="Jeunes inscrits").first
    tile.wait_for(timeout=60_000)
    value = tile.locator('[data-testid="stMetricValue"]').inner_text()
    return int(value.replace("\u202f", "").replace("\xa0", "").replace(" ", ""))


def test_an_upload_through_the_page_changes_the_synthesis(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600}, locale="fr-FR")
    page.goto(server)
    before = _registered(page)

    page.goto(f"{server}/importer")
    page.get_by_role("heading", name="Importer", exact=True).first.wait_for(timeout=60_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[
            {
                "name": "Envol Mentorat Nord - nouveaux.csv",
                "mimeType": "text/csv",
                "buffer": _export(),
            }
        ]
    )
    page.get_by_text("Lignes qui seront chargées").wait_for(timeout=60_000)
    page.get_by_role("button", name="Confirmer l'import", exact=True).click()
    page.get_by_text("3 nouveaux").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0

    page.goto(server)
    assert _registered(page) == before + 3
    page.close()
