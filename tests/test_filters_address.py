"""The filters live in the address (dashboard/filters.py), under AppTest on the demo: a view
written into the query string, a link reproducing it, a wrong value said and ignored, and the
sidebar and the figures agreeing after a date is changed and another page opened at once.
The default period ends on the data date; after an import moves it, a view nobody chose
follows, a chosen period stays."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from streamlit.testing.v1 import AppTest

import settings
from dashboard.filters import PERIOD_KEY
from domain.formatting import day, today_in_paris
from indicators.dataset import Period
from tests.conftest import TEST_KEY
from tests.helpers import as_viewer, csv_bytes, data_date_of
from tests.test_access import ROOT

ASSOCIATION = "Tremplin Avenir 59"
DU, AU = dt.date(2025, 1, 1), dt.date(2025, 6, 30)


def _page(stem: str, **address) -> AppTest:
    at = as_viewer(AppTest.from_file(str(ROOT / "pages" / f"{stem}.py"), default_timeout=60))
    for name, value in address.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _box(at: AppTest, label: str):
    """A sidebar widget by its label (its key changes when an address is applied)."""
    return next(w for w in [*at.sidebar.selectbox, *at.sidebar.date_input] if w.label == label)


PERIOD = "Période (inscriptions du … au …)"


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _period_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Vue affichée"))


def test_the_view_is_written_in_the_address(demo_app):
    at = _page("synthese")
    assert dict(at.query_params) == {}  # the default view: a bare address
    at.sidebar.selectbox(key="f_association").set_value(ASSOCIATION).run()
    at.sidebar.date_input(key=PERIOD_KEY).set_value((DU, AU)).run()
    assert {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()} == {
        "association": ASSOCIATION,
        "du": "2025-01-01",
        "au": "2025-06-30",
    }


def test_a_link_reproduces_the_view(demo_app):
    by_hand = _page("synthese")
    by_hand.sidebar.selectbox(key="f_association").set_value(ASSOCIATION).run()
    by_hand.sidebar.date_input(key=PERIOD_KEY).set_value((DU, AU)).run()
    linked = _page("synthese", association=ASSOCIATION, du="2025-01-01", au="2025-06-30")
    assert _box(linked, "Association").value == ASSOCIATION
    assert _box(linked, PERIOD).value == (DU, AU)
    assert _period_caption(linked) == _period_caption(by_hand)
    assert f"du {day(DU)} au {day(AU)}" in _period_caption(linked)
    assert _tiles(linked) == _tiles(by_hand) != _tiles(_page("synthese"))
    assert not linked.sidebar.warning


def test_a_value_unknown_here_is_said_and_ignored(demo_app):
    at = _page("synthese", association="<b>Inconnue</b>", du="2025-13-45", au="x")
    period, warning = (w.value for w in at.sidebar.warning)
    assert "association : valeur « \\<b\\>Inconnue\\</b\\> » inconnue ici" in warning
    assert period.startswith("Période refusée (date absente ou illisible)")
    assert _box(at, "Association").value == "Toutes"
    assert _tiles(at) == _tiles(_page("synthese"))


def test_a_date_changed_then_another_page_opened_agree(demo_app):
    """The click on a menu entry right after typing a date: the new page is computed with
    the date the sidebar shows."""
    at = as_viewer(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    assert not at.exception, at.exception
    at.sidebar.date_input(key=PERIOD_KEY).set_value((DU, AU))
    at.switch_page("pages/synthese.py").run()
    assert not at.exception, at.exception
    assert _box(at, PERIOD).value == (DU, AU)
    assert f"du {day(DU)} au {day(AU)}" in _period_caption(at)
    assert _tiles(at) == _tiles(_page("synthese", du="2025-01-01", au="2025-06-30"))
    at.switch_page("pages/entonnoir.py").run()  # the menu drops the query string…
    assert _box(at, PERIOD).value == (DU, AU)
    assert at.query_params["du"] in ("2025-01-01", ["2025-01-01"])  # …the page writes it back


def _sidebar_words(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_the_default_period_ends_on_the_data_date(demo_app):
    """The demo's files describe 31/10/2026 (their « Export du »): the default period is the
    12 months ending that day, whatever today is, and the sidebar says so."""
    at = _page("synthese")
    data_date = data_date_of()
    default = Period.default(data_date)
    assert data_date == min(dt.date(2026, 10, 31), today_in_paris())
    assert _box(at, PERIOD).value == (default.du, default.au)
    assert f"du {day(default.du)} au {day(default.au)}" in _period_caption(at)
    words = _sidebar_words(at)
    assert f"Données au {day(data_date)} (date des données des derniers imports)" in words
    assert "la période par défaut couvre les 12 mois qui finissent à cette date" in words
    assert "va au-delà" not in words
    # a period ending later is said: its last months are not known yet
    later = _page("synthese", du="2026-01-01", au=(data_date + dt.timedelta(days=40)).isoformat())
    assert "La période choisie va au-delà : la suite n'est pas encore connue" in _sidebar_words(
        later
    )


@pytest.fixture
def own_demo(demo_pristine, tmp_path, monkeypatch):
    """A copy of the demo database this test may import into."""
    from store.db import make_engine

    path = tmp_path / "demo.db"
    shutil.copy(demo_pristine, path)
    monkeypatch.setenv(settings.DB_URL.env, f"sqlite:///{path}")
    monkeypatch.setenv(settings.SECRET_KEY.env, TEST_KEY.decode())
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def test_an_import_moves_the_default_not_a_chosen_period(own_demo):
    from pipelines.api import ingest
    from tests.test_ingest import HEADER

    before = data_date_of()
    later = min(before + dt.timedelta(days=20), today_in_paris())
    if later == before:
        pytest.skip("the clock is not past the demo's data date")
    untouched = _page("synthese")
    chosen = _page("synthese")
    chosen.sidebar.date_input(key=PERIOD_KEY).set_value((DU, AU)).run()
    row = ["NOUV1", "Nom", "Prénom", "01/01/2010", "Lille", "", "", "", f"{later:%d/%m/%Y}"]
    report = ingest(
        own_demo, csv_bytes([HEADER, row + [""] * 8]), "suite.csv", TEST_KEY,
        association=ASSOCIATION, demo=True,
    )  # fmt: skip
    assert report.statut == "charge", report.message
    assert data_date_of() == later

    untouched.run()
    moved = Period.default(later)
    assert _box(untouched, PERIOD).value == (moved.du, moved.au)
    assert f"du {day(moved.du)} au {day(moved.au)}" in _period_caption(untouched)
    assert dict(untouched.query_params) == {}  # still the default: a bare address
    chosen.run()
    assert _box(chosen, PERIOD).value == (DU, AU)
    assert f"du {day(DU)} au {day(AU)}" in _period_caption(chosen)
