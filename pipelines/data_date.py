"""The date a file's data describe: the « extraction du … » of a title row, else the latest
date of its steps, else the import day. « Données au » and freshness use it, not the moment
of the import (a file exported a month ago and imported today is a month old)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

from domain.schema import CONTENT, FIELDS, IMPORT, TITLE, FieldType, Kind
from domain.text import normalise_key

_DAY_FIRST = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip
_WORDS = re.compile(r"\b(?:(\d{1,2})(?:er)?\s+)?(" + "|".join(_MONTHS) + r")\s+(\d{4})\b")


def _dates_in(text: str) -> list[dt.date]:
    found: list[dt.date] = []
    for d, m, y in _DAY_FIRST.findall(text):
        year = int(y) + (2000 if len(y) == 2 else 0)
        found.append((year, int(m), int(d)))  # type: ignore[arg-type]
    for y, m, d in _ISO.findall(text):
        found.append((int(y), int(m), int(d)))  # type: ignore[arg-type]
    for d, month, y in _WORDS.findall(normalise_key(text)):
        number = _MONTHS[month]
        day = int(d) if d else calendar.monthrange(int(y), number)[1]
        found.append((int(y), number, day))  # type: ignore[arg-type]
    out = []
    for y, m, d in found:  # type: ignore[misc]
        try:
            out.append(dt.date(y, m, d))
        except ValueError:
            continue
    return out


def from_titles(titles: list[str], today: dt.date) -> dt.date | None:
    """The latest plausible date written in the title rows (« Extraction du 31/10/2026 »,
    « Suivi du 01/01 au 30/09/2026 », « Export octobre 2026 »), never after today."""
    dates = [d for text in titles for d in _dates_in(text) if dt.date(2015, 1, 1) <= d]
    dates = [min(d, today) for d in dates if d <= today + dt.timedelta(days=31)]
    return max(dates) if dates else None


def from_rows(kind: Kind, rows: pd.DataFrame, today: dt.date) -> dt.date | None:
    """The latest step date of the loaded rows that is not in the future."""
    latest: dt.date | None = None
    for f in FIELDS[kind]:
        if f.type != FieldType.DATE or f.name not in rows:
            continue
        values = pd.to_datetime(rows[f.name], errors="coerce").dropna()
        # On or before `today` (its calendar date): compared as datetime64, not as one
        # datetime.date per row.
        local = (
            values.dt.tz_localize(None) if isinstance(values.dtype, pd.DatetimeTZDtype) else values
        )
        values = values[local < pd.Timestamp(today) + pd.Timedelta(days=1)]
        if len(values):
            day = values.max().date()
            latest = day if latest is None or day > latest else latest
    return latest


def data_date(
    kind: Kind, titles: list[str], rows: pd.DataFrame, today: dt.date
) -> tuple[dt.date, str]:
    """(date, origin): the title rows' date, else the rows' latest date, else today."""
    titled = from_titles(titles, today)
    if titled is not None:
        return titled, TITLE
    latest = from_rows(kind, rows, today)
    if latest is not None:
        return latest, CONTENT
    return today, IMPORT
