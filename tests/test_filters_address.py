"""The filters live in the address (dashboard/filters.py), under AppTest on the demo: a view
written into the query string, a link reproducing it, a wrong value said and ignored, and the
sidebar and the figures agreeing after a date is changed and another page opened at once."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from dashboard.filters import PERIOD_KEY
from domain.formatting import day
from tests.helpers import as_viewer
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
    warning = at.sidebar.warning[0].value
    assert "association : valeur « \\<b\\>Inconnue\\</b\\> » inconnue ici" in warning
    assert "période illisible" in warning
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
