"""The first screen's element scripts evaluated with the page (dashboard/static_preload.py),
in Chromium: the tiles come from the registry the page fills, the heavy elements (the plotly
chart, the tables) still come, after them, and nothing fails in the page's scripts."""

from __future__ import annotations

import pytest

from dashboard import static_preload

pytestmark = pytest.mark.browser


def test_tiles_drawn_from_the_registry_and_charts_after(demo_server, browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(demo_server)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    ready = page.evaluate("Object.keys(globalThis.__pilotageElements || {})")
    assert {static_preload.chunk_name(key.removeprefix("./")) for key in ready} == set(
        static_preload.ELEMENTS
    )
    # the deferred ones: the funnel chart and the tables of Synthèse are drawn
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=60_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stMetric"]').count() == 8
    assert errors == []
    context.close()
