"""Working days: the public holidays of a département (from the `holidays` package) and the
count (start, end]."""

from __future__ import annotations

import datetime as dt

import holidays
import numpy as np
import pandas as pd
import pytest

import settings
from domain.departement import ALSACE_MOSELLE, OVERSEAS
from indicators import honorabilite
from indicators.dataset import Dataset, Period
from indicators.workdays import SUBDIVISIONS, holidays_for, subdivision, working_days_between

FIRST, LAST = 2000, 2035


def _count(start: str | None, end: str | None, departement: str | None = "59") -> object:
    s = pd.Series([pd.Timestamp(start) if start else pd.NaT], dtype="datetime64[s]")
    e = pd.Series([pd.Timestamp(end) if end else pd.NaT], dtype="datetime64[s]")
    return working_days_between(s, e, departement).iloc[0]


# --- which holidays, per département ---------------------------------------------------


@pytest.mark.parametrize(
    ("departement", "expected"),
    [
        ("59", None),
        ("2A", None),
        ("75", None),
        ("57", "57"),
        ("67", "6AE"),
        ("68", "6AE"),
        ("971", "971"),
        ("972", "972"),
        ("973", "973"),
        ("974", "974"),
        ("976", "976"),
        (" 974 ", "974"),
    ],
)
def test_subdivision_of_each_departement(departement, expected):
    assert subdivision(departement) == expected


def test_every_departement_with_holidays_of_its_own_has_a_subdivision_of_the_package():
    assert set(SUBDIVISIONS) == ALSACE_MOSELLE | set(OVERSEAS)
    assert set(SUBDIVISIONS.values()) <= set(holidays.France.subdivisions)


def test_an_unknown_departement_is_refused():
    with pytest.raises(ValueError):
        subdivision("99")


def _package(subdiv: str | None) -> set[dt.date]:
    return set(holidays.France(subdiv=subdiv, years=range(FIRST, LAST + 1)))


def _skipped(departement: str) -> set[dt.date]:
    """The weekdays of FIRST..LAST that `working_days_between` does not count."""
    days = pd.Series(pd.date_range(f"{FIRST}-01-01", f"{LAST}-12-31", freq="D"))
    counts = working_days_between(days - pd.Timedelta(days=1), days, departement)
    weekday = days.dt.day_of_week < 5
    return set(days[weekday & (counts == 0)].dt.date)


@pytest.mark.parametrize(
    ("departement", "subdiv"),
    [("59", None), ("57", "57"), ("67", "6AE"), ("974", "974"), ("976", "976")],
)
def test_the_days_skipped_are_the_package_holidays(departement, subdiv):
    package = _package(subdiv)
    assert set(holidays_for(departement, FIRST, LAST).astype(object)) == package
    assert _skipped(departement) == {d for d in package if d.weekday() < 5}


def test_holidays_are_cached_per_subdivision_and_read_only():
    nord = holidays_for("59", 2025)
    assert holidays_for("62", 2025, 2025) is nord  # same subdivision (none), same years
    assert not nord.flags.writeable
    assert len(nord) == 11


@pytest.mark.parametrize(
    ("day", "holiday_in", "not_in"),
    [
        (dt.date(2025, 4, 18), ["57", "67", "68"], ["59", "974"]),  # Vendredi saint
        (dt.date(2025, 12, 26), ["57", "67", "68"], ["59", "974"]),  # Saint-Étienne
        (dt.date(2024, 12, 20), ["974"], ["59", "57", "976"]),  # abolition, La Réunion
        (dt.date(2026, 4, 27), ["976"], ["59", "57", "974"]),  # abolition, Mayotte
        (dt.date(2025, 6, 9), ["59", "57", "974", "976"], []),  # Lundi de Pentecôte
        (dt.date(2025, 7, 14), ["59", "57", "974", "976"], []),
    ],
)
def test_holidays_of_their_own(day, holiday_in, not_in):
    for departement in holiday_in:
        assert np.datetime64(day) in holidays_for(departement, day.year), departement
    for departement in not_in:
        assert np.datetime64(day) not in holidays_for(departement, day.year), departement


def test_whit_monday_is_a_working_day_in_2005_to_2007_only():
    # The journée de solidarité (law of 30 June 2004) until the law of 16 April 2008.
    for day in (dt.date(2005, 5, 16), dt.date(2006, 6, 5), dt.date(2007, 5, 28)):
        assert np.datetime64(day) not in holidays_for("59", day.year)
    assert np.datetime64(dt.date(2008, 5, 12)) in holidays_for("59", 2008)
    assert np.datetime64(dt.date(2004, 5, 31)) in holidays_for("59", 2004)
    # Fri 13 → Tue 17 May 2005: Mon 16, Tue 17. Fri 9 → Tue 13 May 2008: Tue 13.
    assert _count("2005-05-13", "2005-05-17") == 2
    assert _count("2008-05-09", "2008-05-13") == 1


# --- the count ---------------------------------------------------------------------------


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


def test_across_good_friday_in_moselle():
    # Thu 17 April 2025 → Tue 22 in Moselle: Tue 22 only (Fri 18 Good Friday, Mon 21 Easter).
    assert _count("2025-04-17", "2025-04-22", "57") == 1
    # Wed 24 → Mon 29 Dec 2025 in the Bas-Rhin: Mon 29 only (25 and 26 December).
    assert _count("2025-12-24", "2025-12-29", "67") == 1
    assert _count("2025-12-24", "2025-12-29", "59") == 2


def test_across_the_abolition_of_slavery_overseas():
    # Thu 19 → Mon 23 Dec 2024 in La Réunion: Mon 23 only (Fri 20 December).
    assert _count("2024-12-19", "2024-12-23", "974") == 1
    assert _count("2024-12-19", "2024-12-23", "59") == 2
    # Fri 24 → Tue 28 April 2026 in Mayotte: Tue 28 only (Mon 27 April).
    assert _count("2026-04-24", "2026-04-28", "976") == 1
    assert _count("2026-04-24", "2026-04-28", "974") == 2


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
    out = working_days_between(start, end, "59")
    assert str(out.dtype) == "Int64"
    assert list(out.index) == [10, 11, 12]
    assert out.tolist() == [2, pd.NA, 1]


def test_empty_series():
    empty = pd.Series([], dtype="datetime64[s]")
    assert working_days_between(empty, empty).empty


def test_the_departement_defaults_to_the_one_served(monkeypatch):
    monkeypatch.delenv(settings.DEPARTEMENT.env, raising=False)
    assert _count("2025-04-17", "2025-04-22", None) == 2  # the Nord by default
    monkeypatch.setenv(settings.DEPARTEMENT.env, "57")
    assert _count("2025-04-17", "2025-04-22", None) == 1


# --- the B2 delays follow the setting ----------------------------------------------------


def test_b2_delays_follow_the_departement_served(monkeypatch):
    """A B2 request sent on Thu 17 April 2025 and back on Tue 22 took 2 working days in the
    Nord and 1 in Moselle (Good Friday); one still pending on 30 April, sent on Thu 17, is
    8 working days old in the Nord (18, 22-25, 28-30) and 7 in Moselle."""
    day = pd.Timestamp
    demandes = pd.DataFrame(
        {
            "id_source": ["R1", "R2"],
            "association": ["A", "A"],
            "id_mentor": ["M1", "M2"],
            "voie": ["cd_b2_fijais", "cd_b2_fijais"],
            "date_collecte": [day("2025-04-15"), day("2025-04-15")],
            "date_transmission_cd": [day("2025-04-17"), day("2025-04-17")],
            "date_demande_service": [day("2025-04-18"), pd.NaT],
            "date_retour": [day("2025-04-22"), pd.NaT],
            "resultat": ["favorable", None],
        }
    )
    data = Dataset(parcours=pd.DataFrame(), demandes=demandes)
    april = Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30))

    def figures() -> tuple:
        r = honorabilite.requests(data, april)
        median = honorabilite.summary(data, april)["delai_median_jours_ouvres"]
        return r["delai_jours_ouvres"].iloc[0], r["age_jours_ouvres"].iloc[1], median

    monkeypatch.setenv(settings.DEPARTEMENT.env, "59")
    assert figures() == (2, 8, 2.0)
    monkeypatch.setenv(settings.DEPARTEMENT.env, "57")
    assert figures() == (1, 7, 1.0)  # the same dataset: its memo is kept per département
    monkeypatch.setenv(settings.DEPARTEMENT.env, "974")
    assert figures() == (2, 8, 2.0)
