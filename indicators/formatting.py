"""French formats for figures, shared by the pages, the exports and the command line:
"1 234,5", "12,5 %", "12/03/2025", "mars 2025"."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"


def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def percent(share: float | None, decimals: int = 1) -> str:
    """A share 0-1 as "12,5 %" (narrow no-break space before %, as French typography)."""
    if share is None:
        return "–"
    return f"{number(share * 100, decimals)}\u202f%"


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "–"
    return f"{value:%d/%m/%Y}"


def month(value: dt.date) -> str:
    """ "mars 2025"."""
    return format_date(value, "MMMM y", locale=LOCALE)


def short_month(value: dt.date) -> str:
    """ "mars 2025" abbreviated as Babel does: "janv. 2025"."""
    return format_date(value, "MMM y", locale=LOCALE)
