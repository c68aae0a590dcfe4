"""Working days (jours ouvrés): Monday to Friday, without French public holidays.

The holidays are computed here, not taken from a third-party package: the eleven national
public holidays of metropolitan France (Code du travail, art. L3133-1), with Easter by the
anonymous Gregorian algorithm (Meeus/Jones/Butcher).

Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle) has two more days off, Good Friday and
26 December; they are NOT counted here. A département of those three would need them as a
setting (an extra holiday list passed to the count).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd


def easter(year: int) -> dt.date:
    """Easter Sunday of `year` (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=256)
def _holidays(year: int) -> frozenset[dt.date]:
    sunday = easter(year)
    return frozenset(
        {
            dt.date(year, 1, 1),  # Jour de l'an
            sunday + dt.timedelta(days=1),  # Lundi de Pâques
            dt.date(year, 5, 1),  # Fête du travail
            dt.date(year, 5, 8),  # Victoire 1945
            sunday + dt.timedelta(days=39),  # Ascension
            sunday + dt.timedelta(days=50),  # Lundi de Pentecôte
            dt.date(year, 7, 14),  # Fête nationale
            dt.date(year, 8, 15),  # Assomption
            dt.date(year, 11, 1),  # Toussaint
            dt.date(year, 11, 11),  # Armistice 1918
            dt.date(year, 12, 25),  # Noël
        }
    )


def holidays(year: int) -> set[dt.date]:
    """The French national public holidays of `year` (metropolitan, without Alsace-Moselle)."""
    return set(_holidays(year))


@lru_cache(maxsize=64)
def _holiday_array(first_year: int, last_year: int) -> np.ndarray:
    days = sorted(d for y in range(first_year, last_year + 1) for d in _holidays(y))
    return np.array(days, dtype="datetime64[D]")


def working_days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days strictly after `start` up to and including `end`, per row.

    A request sent on Friday and answered on Monday took 1 working day; answered the same
    day, 0. `<NA>` where either date is missing; 0 when `end` is on or before `start`.
    Vectorised with `numpy.busday_count` over the holidays of the years involved.
    """
    start = pd.to_datetime(pd.Series(start))
    end = pd.to_datetime(pd.Series(end, index=start.index))
    out = pd.Series(pd.NA, index=start.index, dtype="Int64")
    valid = (start.notna() & end.notna()).to_numpy()
    if not valid.any():
        return out
    s = start.to_numpy(dtype="datetime64[D]")[valid]
    e = end.to_numpy(dtype="datetime64[D]")[valid]
    years = np.concatenate([s, e]).astype("datetime64[Y]").astype(int) + 1970
    hol = _holiday_array(int(years.min()), int(years.max()))
    one = np.timedelta64(1, "D")
    # busday_count counts [begin, end): shift both by one day to count (start, end].
    counts = np.busday_count(s + one, e + one, holidays=hol)
    out[valid] = np.maximum(counts, 0)
    return out
