"""An address written by an attacker, under AppTest on the demo: every page, for every role
(and for nobody signed in), opened with hostile `du`/`au` (before 2015, year 9999, 30
February, empty, unreadable, very long, in other scripts, start after end) and hostile
values of the other filters (very long, Markdown, HTML, unknown). No page breaks, the
period is refused in French with the accepted range, the default period is shown, every
run stays far under a slow page's time, and nothing of a refused period outlives it (next
page, reload, a period kept in the session, a date box that let a date through). The
widest period accepted keeps Durée des binômes (the slowest page) fast and its curve as
wide as the data, not as the address."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time

import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import filters
from dashboard.registry import PAGES
from domain.formatting import day
from indicators.dataset import Period, accepted_range
from tests.helpers import as_viewer, data_date_of
from tests.test_access import ROOT
from tests.test_page_durees import numbers_of

ASSOCIATION = "Tremplin Avenir 59"
ROLES = ("admin", "direction", "association")
SECONDS = 10  # a guard, not a benchmark: the unbounded address took 16 to 53 s in a browser
LONG = "9" * 20_000

# (du, au): each refused. None: the parameter left out of the address.
PERIODS = [
    ("0001-01-01", "2026-12-05"),
    ("2015-01-01", "9999-12-31"),
    ("1900-01-01", "2026-10-31"),
    ("2026-02-30", "2026-03-31"),
    ("", ""),
    ("abc", "2026-01-01"),
    (LONG, "-" * 20_000),
    ("2026-06-30", "2026-01-01"),
    ("٢٠٢٦-٠١-٠١", "２０２６-０６-３０"),
    ("20260101", "2026-W26-1"),
    ("**gras** <script>alert(1)</script>", "[x](javascript:alert(1))"),
    ("0001-01-01", None),
]
# The other filters of the address (dashboard/filters.py CHOICES), and one it does not know.
OTHERS = [
    {
        "association": "<img src=x onerror=alert(1)>",
        "canal": LONG,
        "age": "../../etc/passwd",
    },
    {
        "territoire": "[lien](javascript:alert(1))\n# Titre",
        "classe": "**rural**",
        "accueil": "\u202eelbatpecca",
        "inconnu": "<b>1</b>",
    },
    {"association": ASSOCIATION, "canal": "", "territoire": "%00%0a"},
]
WITH_SIDEBAR = [p.stem for p in PAGES if "start(" in (ROOT / p.path).read_text()]
WITHOUT_SIDEBAR = [p.stem for p in PAGES if p.stem not in WITH_SIDEBAR]


def _cases(stems: list[str], first: int = 0) -> list[tuple[str, str, tuple, dict]]:
    """Each page for each role, with a hostile period and other filters taken in turn (so
    every hostile value meets several pages and roles)."""
    return [
        (stem, role, PERIODS[(first + i) % len(PERIODS)], OTHERS[(first + i) % len(OTHERS)])
        for i, (stem, role) in enumerate(itertools.product(stems, ROLES))
    ]


@pytest.fixture(scope="module")
def default(demo_db_url) -> Period:
    return Period.default(data_date_of(demo_db_url))


def _viewer(at: AppTest, role: str) -> AppTest:
    return as_viewer(at, role, ASSOCIATION if role == "association" else None)


def _page(stem: str) -> AppTest:
    return _viewer(
        AppTest.from_file(str(ROOT / "pages" / f"{stem}.py"), default_timeout=60), "admin"
    )


def _opened(script: str, role: str | None, period: tuple, others: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    if role is not None:
        _viewer(at, role)
    du, au = period
    for name, value in {"du": du, "au": au, **others}.items():
        if value is not None:
            at.query_params[name] = value
    started = time.monotonic()
    at.run()
    took = time.monotonic() - started
    assert not at.exception, at.exception
    assert took < SECONDS, f"{script} {role}: {took:.1f} s"
    return at


def _view(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Vue affichée"))


def _refused(at: AppTest) -> list[str]:
    return [w.value for w in at.sidebar.warning if w.value.startswith("Période refusée")]


def _assert_default_shown(at: AppTest, default: Period, refused: bool = True) -> None:
    assert _view(at).startswith(f"Vue affichée : Inscriptions du {day(default.du)} au ")
    assert f"au {day(default.au)}" in _view(at)
    first, last = accepted_range(default.au)
    said = _refused(at)
    if refused:
        assert len(said) == 1, [w.value for w in at.sidebar.warning]
        assert f"au plus tôt le {day(first)} et finit au plus tard le {day(last)}" in said[0]
        assert said[0].endswith("La période par défaut est affichée à la place.")
    else:
        assert not said
    period = next(d for d in at.sidebar.date_input if d.label.startswith("Période"))
    assert period.value == (default.du, default.au)
    assert "du" not in at.query_params and "au" not in at.query_params
    for words in [*(w.value for w in at.sidebar.warning), _view(at)]:  # said, never drawn
        assert not re.search(r"(?<!\\)[<*\[]", words), words


@pytest.mark.parametrize(("stem", "role", "period", "others"), _cases(WITH_SIDEBAR))
def test_a_hostile_address_shows_the_default_period(demo_app, default, stem, role, period, others):
    at = _opened(f"pages/{stem}.py", role, period, others)
    _assert_default_shown(at, default)


@pytest.mark.parametrize(("stem", "role", "period", "others"), _cases(WITHOUT_SIDEBAR, 5))
def test_a_page_without_filters_ignores_a_hostile_address(demo_app, stem, role, period, others):
    at = _opened(f"pages/{stem}.py", role, period, others)
    assert not at.sidebar.date_input


@pytest.mark.parametrize("role", [None, *ROLES])
def test_the_refused_period_does_not_outlive_its_address(demo_app, default, role):
    """The app's own address (`/?du=…`), then a page of the menu, then a reload: the
    default period every time, the refusal said once."""
    at = _opened("app.py", role, PERIODS[0], OTHERS[1])
    if role is None:  # the sign-in form: nothing read, nothing kept
        assert not at.sidebar.date_input and not at.exception
        return
    _assert_default_shown(at, default)
    at.switch_page("pages/durees.py").run()
    assert not at.exception, at.exception
    _assert_default_shown(at, default, refused=False)
    at.run()  # a reload: the address the app wrote back
    _assert_default_shown(at, default, refused=False)


def test_a_refused_period_kept_in_the_session_is_dropped(demo_app, default):
    """A period the session kept (from an older version, or before the data date moved
    back) is checked again: said, dropped, the default shown."""
    at = _viewer(
        AppTest.from_file(str(ROOT / "pages" / "synthese.py"), default_timeout=60), "admin"
    )
    at.session_state[filters.KEPT] = {filters.PERIOD_KEY: (dt.date(1, 1, 1), dt.date(9999, 1, 1))}
    at.run()
    assert not at.exception, at.exception
    _assert_default_shown(at, default)
    at.run()
    _assert_default_shown(at, default, refused=False)


def test_a_date_the_box_lets_through_is_refused_and_the_box_reset(demo_app, default, monkeypatch):
    """The date box is drawn with the accepted range as bounds (Streamlit then keeps its
    value inside them); were they wider, the period it returns is still checked: said, the
    box drawn anew with the default period."""
    at = _page("durees")
    at.run()
    first, last = accepted_range(default.au)
    box = next(d for d in at.sidebar.date_input if d.label.startswith("Période"))
    assert (box.min, box.max) == (first, last)
    box.set_value((dt.date(1, 1, 1), dt.date(2026, 1, 1))).run()  # out of bounds: kept out
    assert not at.exception, at.exception
    _assert_default_shown(at, default, refused=False)
    monkeypatch.setattr(filters, "accepted_range", lambda _: (dt.date.min, dt.date.max))
    at = _page("durees").run()  # a box drawn with bounds that let anything through
    box = next(d for d in at.sidebar.date_input if d.label.startswith("Période"))
    box.set_value((dt.date(2016, 1, 1), dt.date(9999, 12, 31))).run()
    assert not at.exception, at.exception
    _assert_default_shown(at, default)


@pytest.mark.parametrize("role", ["admin", "association"])
def test_the_widest_accepted_period_keeps_durees_fast_and_its_curve_as_wide_as_the_data(
    demo_app, demo_dataset, default, role
):
    first, last = accepted_range(default.au)
    address = {"du": first.isoformat(), "au": last.isoformat()}
    at = _opened("pages/durees.py", role, (address["du"], address["au"]), {})
    assert not _refused(at)
    assert f"du {day(first)} au {day(last)}" in _view(at)
    starts = demo_dataset.parcours["date_debut"].dropna()
    span = (last - starts.min().date()).days / (365.25 / 12)  # months of the data, to au
    assert _curve_months(at) <= span + 1  # a few dozen ticks, not the 48,000 of 9999-12-31
    started = time.monotonic()
    at.radio(key="durees_binomes").set_value(True).run()  # started in the period only
    assert not at.exception and time.monotonic() - started < SECONDS
    assert _curve_months(at) <= span + 1


def _curve_months(at: AppTest) -> float:
    """How far the survival curve of Durée des binômes goes, in months (its x axis)."""
    traces = pio.from_json(at.get("plotly_chart")[0].proto.spec).data
    (line,) = [t for t in traces if t.name == "Binômes encore en cours"]
    return max(numbers_of(line.x))
