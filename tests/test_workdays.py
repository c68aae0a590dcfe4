"""Working days: French public holidays and the count (start, end]."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from indicators.workdays import easter, holidays, working_days_between


def _count(start: str | None, end: str | None) -> object:
    s = pd.Series([pd.Timestamp(start) if start else pd.NaT], dtype="datetime64[s]")
    e = pd.Series([pd.Timestamp(end) if end else pd.NaT], dtype="datetime64[s]")
    return working_days_between(s, e).iloc[0]


@pytest.mark.parametrize(
    ("year", "sunday"),
    [(2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)), (2026, dt.date(2026, 4, 5))],
)
def test_easter(year, sunday):
    assert easter(year) == sunday


def test_holidays_2025():
    assert holidays(2025) == {
        dt.date(2025, 1, 1),
        dt.date(2025, 4, 21),  # Easter Monday
        dt.date(2025, 5, 1),
        dt.date(2025, 5, 8),
        dt.date(2025, 5, 29),  # Ascension = Easter + 39
        dt.date(2025, 6, 9),  # Whit Monday = Easter + 50
        dt.date(2025, 7, 14),
        dt.date(2025, 8, 15),
        dt.date(2025, 11, 1),
        dt.date(2025, 11, 11),
        dt.date(2025, 12, 25),
    }


def test_alsace_moselle_days_are_not_holidays():
    assert dt.date(2025, 4, 18) not in holidays(2025)  # Good Friday
    assert dt.date(2025, 12, 26) not in holidays(2025)


def test_friday_to_monday_is_one_working_day():
    assert _count("2025-03-07", "2025-03-10") == 1


def test_same_day_is_zero_and_end_before_start_is_zero():
    assert _count("2025-03-10", "2025-03-10") == 0
    assert _count("2025-03-10", "2025-03-05") == 0


def test_across_a_weekend():
    # Wed 5 → Tue 11 March 2025: Thu 6, Fri 7, Mon 10, Tue 11.
    assert _count("2025-03-05", "2025-03-11") == 4


def test_across_easter_monday():
    # Thu 17 April 2025 → Tue 22: Fri 18 and Tue 22 (Mon 21 is Easter Monday).
    assert _count("2025-04-17", "2025-04-22") == 2


def test_across_14_july():
    # Fri 11 July 2025 → Wed 16: Tue 15, Wed 16 (Mon 14 is the Fête nationale).
    assert _count("2025-07-11", "2025-07-16") == 2


def test_across_years():
    # Tue 30 Dec 2025 → Fri 2 Jan 2026: Wed 31 Dec, Fri 2 Jan (1 Jan is a holiday).
    assert _count("2025-12-30", "2026-01-02") == 2


def test_missing_dates_give_na():
    assert _count(None, "2025-03-10") is pd.NA
    assert _count("2025-03-10", None) is pd.NA


def test_vectorised_keeps_index_and_dtype():
    start = pd.Series(pd.to_datetime(["2025-04-17", None, "2025-03-07"]), index=[10, 11, 12])
    end = pd.Series(pd.to_datetime(["2025-04-22", "2025-04-22", "2025-03-10"]), index=[10, 11, 12])
    out = working_days_between(start, end)
    assert str(out.dtype) == "Int64"
    assert list(out.index) == [10, 11, 12]
    assert out.tolist() == [2, pd.NA, 1]


def test_empty_series():
    empty = pd.Series([], dtype="datetime64[s]")
    assert working_days_between(empty, empty).empty
