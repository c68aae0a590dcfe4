"""Small statistics shared by the indicators and the pages.

Quantiles use linear interpolation between the closest ranks (numpy's default): the 90th
percentile of 1, 2, 3, 4 and 10 days is 4 + 0.6 × (10 − 4) = 7.6 days. Missing values are
ignored; an empty input gives None (shown as "—", never as 0).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from indicators.dataset import Period


def _values(series: pd.Series | np.ndarray | list) -> np.ndarray:
    values = pd.to_numeric(pd.Series(series, dtype="object"), errors="coerce")
    return values.dropna().to_numpy(dtype=float)


def quantile(series: pd.Series | np.ndarray | list, q: float) -> float | None:
    """The `q` quantile (0-1) with linear interpolation, or None when nothing is known."""
    values = _values(series)
    if values.size == 0:
        return None
    return float(np.percentile(values, q * 100))


def median(series: pd.Series | np.ndarray | list) -> float | None:
    return quantile(series, 0.5)


def p90(series: pd.Series | np.ndarray | list) -> float | None:
    return quantile(series, 0.9)


def rate(numerator: float, denominator: float, digits: int = 4) -> float | None:
    """numerator / denominator as a fraction rounded to `digits`; None when the base is 0."""
    if denominator is None or pd.isna(denominator) or denominator == 0:
        return None
    return round(float(numerator) / float(denominator), digits)


def rounded(value: float | None, digits: int = 1) -> float | None:
    """A figure rounded for display and JSON; None stays None (NaN becomes None)."""
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits)


def as_of(au: dt.date | pd.Timestamp) -> pd.Timestamp:
    """The as-of date as a Timestamp (midnight), whatever the caller passed."""
    return pd.Timestamp(au).normalize()


def known_by(dates: pd.Series, au: dt.date | pd.Timestamp) -> pd.Series:
    """The dates as known at `au`: a date after `au` counts as not yet known (NaT)."""
    return dates.where(dates.notna() & (dates <= as_of(au)))


def month_start(dates: pd.Series) -> pd.Series:
    """The first day of each date's month (NaT stays NaT)."""
    return dates.dt.to_period("M").dt.to_timestamp()


def months(period: Period, known_until: dt.date | None = None) -> pd.DatetimeIndex:
    """The first day of every month of `period` (a `Period`), up to the month of
    `known_until` when it comes before the period's end: a month after the data date is not
    yet known, and a series never draws it as zero (empty when the period starts after
    it)."""
    last = period.au if known_until is None else min(period.au, known_until)
    if last < period.du:
        return pd.DatetimeIndex([], name="mois")
    return pd.date_range(
        pd.Timestamp(period.du).to_period("M").to_timestamp(),
        pd.Timestamp(last).to_period("M").to_timestamp(),
        freq="MS",
    )


def none_if_nan(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Turn the given numeric columns into object columns holding floats or None (JSON-safe)."""
    for col in columns:
        values = frame[col].astype("object")
        frame[col] = values.where(pd.notna(values), None)
    return frame
