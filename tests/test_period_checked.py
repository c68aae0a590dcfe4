"""One check for every period someone asks for (`indicators.dataset.checked_period`): the
accepted range (2015 to a year after the data date), the refusals and their one French
message, `Period.previous()` total near the first day a computer holds, and the command
line saying what the web says."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import settings
from indicators.dataset import (
    EARLIEST_START,
    Period,
    PeriodRefused,
    accepted_range,
    checked_period,
)
from tests.conftest import TEST_KEY

DATA_DATE = dt.date(2026, 10, 31)
LAST = dt.date(2027, 10, 31)


def refusal(du, au, data_date: dt.date = DATA_DATE) -> str:
    with pytest.raises(PeriodRefused) as refused:
        checked_period(du, au, data_date)
    return refused.value.message


def range_words(data_date: dt.date) -> str:
    first, last = accepted_range(data_date)
    return f"au plus tôt le {first:%d/%m/%Y} et finit au plus tard le {last:%d/%m/%Y}"


def test_the_accepted_range_runs_from_2015_to_a_year_after_the_data_date():
    assert accepted_range(DATA_DATE) == (EARLIEST_START, LAST) == (dt.date(2015, 1, 1), LAST)
    assert accepted_range(dt.date(2028, 2, 29))[1] == dt.date(2029, 2, 28)
    assert checked_period("2015-01-01", "2027-10-31", DATA_DATE) == Period(EARLIEST_START, LAST)
    assert checked_period(dt.date(2026, 1, 1), dt.date(2026, 1, 1), DATA_DATE).days == 1


def test_the_default_period_is_always_accepted():
    """Data describing a day of 2015 (or before: a wrong date) make a default period
    starting before 2015: it stays accepted, and said as the earliest start."""
    for data_date in (dt.date(2015, 6, 30), dt.date(2003, 1, 1), DATA_DATE):
        default = Period.default(data_date)
        assert checked_period(default.du, default.au, data_date) == default
    assert "au plus tôt le 01/07/2014" in refusal("2014-06-30", "2015-01-01", dt.date(2015, 6, 30))


@pytest.mark.parametrize(
    ("du", "au", "why"),
    [
        ("0001-01-01", "2026-12-05", "début le 01/01/0001, avant le 01/01/2015"),
        ("2014-12-31", "2026-12-05", "début le 31/12/2014, avant le 01/01/2015"),
        ("2015-01-01", "9999-12-31", "fin le 31/12/9999, après le 31/10/2027"),
        ("2015-01-01", "2027-11-01", "fin le 01/11/2027, après le 31/10/2027"),
        ("2026-06-30", "2026-01-01", "début le 30/06/2026, après la fin le 01/01/2026"),
        ("2026-02-30", "2026-03-31", "date absente ou illisible"),
        ("", "", "date absente ou illisible"),
        (None, "2026-01-01", "date absente ou illisible"),
        ("abc", "2026-01-01", "date absente ou illisible"),
        ("20260101", "2026-W26-1", "date absente ou illisible"),  # fromisoformat reads them
        ("٢٠٢٦-٠١-٠١", "２０２６-０６-３０", "date absente ou illisible"),
        ("2" * 100_000, "2026-01-01", "date absente ou illisible"),
        ("2026-01-01 ", "2026-01-31", "date absente ou illisible"),
    ],
)
def test_a_refused_period_is_one_french_message_with_the_accepted_range(du, au, why):
    message = refusal(du, au)
    said = f"Période refusée ({why}). Une période commence {range_words(DATA_DATE)}"
    assert message.startswith(said)
    assert message.endswith("sans finir avant de commencer ; dates au format AAAA-MM-JJ.")
    assert len(message) < 300  # nothing of a long address is said back


def test_previous_never_overflows():
    first = dt.date.min
    assert Period(first, dt.date(2026, 12, 5)).previous() == Period(first, first)
    assert Period(dt.date(1, 1, 10), dt.date(1, 1, 19)).previous() == Period(
        first, dt.date(1, 1, 9)
    )
    year = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert year.previous() == Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    widest = Period(*accepted_range(DATA_DATE)).previous()
    assert widest.au == dt.date(2014, 12, 31) and widest.days == Period(EARLIEST_START, LAST).days


@given(st.dates(), st.dates())
def test_previous_is_total(a, b):
    period = Period(min(a, b), max(a, b))
    before = period.previous()
    assert before.au < period.du or period.du == dt.date.min
    assert before.days <= period.days


def test_the_command_line_says_what_the_web_says(tmp_path, monkeypatch, capsys):
    """On an empty base the data date is today: `indicators` and `comite` refuse a period
    with the web's message, exit code 1, nothing written."""
    from commands.cli import main
    from domain.formatting import today_in_paris

    monkeypatch.setenv(settings.DB_URL.env, f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv(settings.SECRET_KEY.env, TEST_KEY.decode())
    monkeypatch.chdir(tmp_path)
    words = range_words(today_in_paris())
    for args, why in (
        (("indicators", "--du", "0001-01-01", "--au", "2026-12-05"), "début le 01/01/0001"),
        (("indicators", "--du", "2026-06-30", "--au", "2026-01-01"), "début le 30/06/2026"),
        (("indicators", "--du", "31/10/2025", "--au", "2026-10-31"), "date absente"),
        (("comite", "--du", "2015-01-01", "--au", "9999-12-31", "--xlsx", "x.xlsx"), "fin le"),
        (
            ("comite", *("--du", "2026-01-01", "--au", "2026-06-30", "--xlsx", "x.xlsx"),
             *("--comparer-a", "1900-01-01", "1900-06-30")),
            "début le 01/01/1900",
        ),
    ):  # fmt: skip
        assert main(list(args)) == 1
        said = capsys.readouterr().err.strip()
        option = "--comparer-a : " if "--comparer-a" in args else ""
        assert said.startswith(f"{option}Période refusée ({why}"), said
        assert words in said and "\n" not in said
    assert not list(tmp_path.glob("x.*"))
