"""The Comité de pilotage page in Chromium: both files download from the real page, open
with python-pptx and openpyxl, hold the figures the page shows, and each download is in
the audit log."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pptx import Presentation
from sqlalchemy import select

from store.db import make_engine
from store.models import Journal
from tests.browser.conftest import CHROMIUM, demo_database, streamlit_server

pytestmark = pytest.mark.browser


def _download(page, label: str) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=label).click()
    path = info.value.path()
    return path.read_bytes() if hasattr(path, "read_bytes") else open(path, "rb").read()


def _as_number(text: str) -> float:
    return float(text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", "."))


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A server on a demo database of its own, whose audit log this test reads."""
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    url = demo_database(tmp_path_factory.mktemp("comite"))
    with streamlit_server(url) as base:
        yield base, url


def test_the_deck_and_the_workbook_download_with_the_page_figures(own_server, browser):
    base, url = own_server
    page = browser.new_page(viewport={"width": 1400, "height": 2600}, locale="fr-FR")
    page.goto(f"{base}/comite")
    tile = page.locator('[data-testid="stMetric"]').first
    tile.wait_for(timeout=60_000)
    assert tile.locator('[data-testid="stMetricLabel"]').inner_text().strip() == "Jeunes inscrits"
    youths = _as_number(tile.locator('[data-testid="stMetricValue"]').inner_text())

    deck = Presentation(io.BytesIO(_download(page, "Diaporama PowerPoint (.pptx)")))
    charts = [s for slide in deck.slides for s in slide.shapes if s.has_chart]
    assert charts and all(c.chart.plots[0].categories for c in charts)
    rows = [
        [cell.text for cell in row.cells]
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
    ]
    assert any(r[0] == "Jeunes inscrits" and _as_number(r[1]) == youths for r in rows)

    book = openpyxl.load_workbook(io.BytesIO(_download(page, "Classeur Excel (.xlsx)")))
    assert book.sheetnames[0] == "Sommaire"
    figures = {r[0]: r[1] for r in book["Chiffres clés"].iter_rows(values_only=True) if r[0]}
    assert figures["Jeunes inscrits"] == youths
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_timeout(1000)  # the rerun that records the second download
    page.close()
    engine = make_engine(url)
    with engine.connect() as conn:
        details = conn.execute(
            select(Journal.detail).where(Journal.action == "telechargement").order_by(Journal.id)
        ).scalars()
        kinds = [d.split(" ; ")[0] for d in details]
    engine.dispose()
    assert kinds == ["pack de comité (diaporama, pptx)", "pack de comité (classeur, xlsx)"]
