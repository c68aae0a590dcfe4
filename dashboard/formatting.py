"""French number and date formats ("1 234,5", "12/03/2025", "mars 2025")."""

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


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "–"
    return f"{value:%d/%m/%Y}"


def month(value: dt.date) -> str:
    return format_date(value, "MMMM y", locale=LOCALE)
