"""Normalise stage: raw cell values (as read by the extract stage) -> typed canonical values.

Every normaliser takes a pandas Series of raw cells (object dtype: str, int, float,
datetime.datetime, datetime.date, None... or an already typed Series) and returns
`(values, errors)`, both with the input's index:

- `values`: the normalised values; <NA> / NaT where the cell is empty or invalid;
- `errors`: a "string" Series holding a French reason where the cell is invalid, <NA>
  elsewhere. Where `errors` is set, `values` is missing: the caller decides whether the row
  is quarantined or the cell blanked.

Output types:
- dates: `datetime64[ns]`, normalised to midnight, NaT when missing (`parse_dates`);
- text, codes and categories: pandas "string" dtype (pd.StringDtype(), <NA> for missing);
- integers: nullable "Int64".

Work is done once per distinct value (`pd.factorize`), and dates are parsed with vectorised
regular expressions (pyarrow) and numpy date arithmetic: 100,000 cells take ~0.1 s at
worst (all distinct), a few ms when values repeat.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from domain.schema import Field, FieldType
from domain.text import CLEAN, normalise_key
from domain.values import ValueTable, value_table
from pipelines.labels import match_label
from pipelines.vocabulary import MISSING_KEYS, says_pending

_MAX_SHOWN = 60  # longest raw value quoted in a message


# --- keys -----------------------------------------------------------------------------------


def _shown(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


# --- per-distinct-value machinery -------------------------------------------------------------


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques as an object array); code -1 for missing cells (None, NaN, NA, NaT).

    Caveat: Python treats 1, 1.0 and True as one value, so they share one result.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _expand(codes: np.ndarray, per_unique: list[object] | np.ndarray) -> np.ndarray:
    """Per-cell object array from per-unique results; None where the cell was missing."""
    table = np.empty(len(per_unique) + 1, dtype=object)
    table[: len(per_unique)] = per_unique
    table[-1] = None  # code -1 picks the last slot
    return table[codes]


def _string_series(data: np.ndarray | list[object], index: pd.Index) -> pd.Series:
    return pd.Series(data, index=index, dtype="string")


def _no_errors(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="string")


def _errors(codes: np.ndarray, per_unique: list[str | None] | np.ndarray, index: pd.Index):
    """Per-cell errors from per-unique ones; without any, the all-<NA> Series is built
    directly (converting 100,000 None to text costs ≈ 6 ms a column)."""
    if all(e is None for e in per_unique):
        return _no_errors(index)
    return _string_series(_expand(codes, per_unique), index)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


# --- text and codes -----------------------------------------------------------------------------

_INVISIBLE = CLEAN


def _number_text(value: float | int) -> str | None:
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return str(value)
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    return str(int(value))


def _plain_ascii(text: str) -> bool:
    """Printable ASCII without a space at either end or two in a row: no character of
    _INVISIBLE (controls, DEL and non-ASCII only) and no whitespace to collapse, so the
    text is already clean (most identifiers and names: 0.3 µs each, not 1.5)."""
    return (
        text.isascii()
        and text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
    )


def _cell_text(value: object) -> str | None:
    """Text of one raw cell, whitespace collapsed; None when empty."""
    if isinstance(value, str):
        # Already clean plain ASCII is what the translation and the split would give back.
        clean = _plain_ascii(value)
        text = value if clean else " ".join(value.translate(_INVISIBLE).split())
    elif value is None or value is pd.NA or value is pd.NaT:
        return None
    elif isinstance(value, (bool, np.bool_)):
        text = "VRAI" if value else "FAUX"  # as French Excel shows booleans
    elif _is_number(value):
        return _number_text(value)
    elif isinstance(value, dt.datetime):
        midnight = value.time() == dt.time(0)
        text = value.date().isoformat() if midnight else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = " ".join(str(value).split())
    return text or None


def clean_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text: trimmed, runs of whitespace (incl. non-breaking and narrow non-breaking
    spaces) collapsed to one space, "" -> <NA>; whole numbers without ".0" (1000.0 ->
    "1000"). Never fails: `errors` is all <NA>."""
    codes, uniques = _factorize(values)
    texts = [_cell_text(u) for u in uniques]
    return _string_series(_expand(codes, texts), values.index), _no_errors(values.index)


def clean_code(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identifiers and codes as text: 1000 and 1000.0 -> "1000", strings trimmed (leading
    zeros kept, "2A004" kept). Padding INSEE codes is done elsewhere. Never fails."""
    return clean_text(values)


# --- integers ---------------------------------------------------------------------------------

_INT_TEXT = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_SPACES = re.compile(r"[\s\u202f\u2009\u00a0]+")


def _to_int(value: object) -> int | str | None:
    """int, None (empty) or "" (invalid)."""
    if _is_number(value):
        f = float(value)
        if isinstance(value, (int, np.integer)):
            return int(value)
        return int(f) if f.is_integer() else ""
    text = _cell_text(value)
    if text is None or normalise_key(text) in MISSING_KEYS:
        return None
    if not isinstance(value, str):
        return ""
    compact = _SPACES.sub("", text)  # "1 234" with any kind of space
    if not _INT_TEXT.fullmatch(compact):
        return ""
    number = float(compact.replace(",", "."))
    if not number.is_integer():
        return ""
    whole, _, _ = compact.replace(",", ".").partition(".")
    return int(whole)


def parse_ints(values: pd.Series, label: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Whole numbers -> "Int64": ints, whole floats (12.0), text with spaces, non-breaking or
    narrow non-breaking spaces as thousands separators ("1 234") and decimal comma ("12,0").
    "12,5", "douze", 1.5 -> <NA> + reason. Empty markers ("", "-", "NC"...) -> <NA>."""
    codes, uniques = _factorize(values)
    ints: list[int | None] = []
    errors: list[str | None] = []
    where = f"pour {label} " if label else ""
    for u in uniques:
        parsed = _to_int(u)
        if parsed == "":
            ints.append(None)
            shown = _shown(_cell_text(u) or "")
            errors.append(f"valeur « {shown} » non reconnue {where}(nombre entier attendu)")
        else:
            ints.append(parsed)  # type: ignore[arg-type]
            errors.append(None)
    data = _expand(codes, ints)
    result = pd.Series(pd.array(list(data), dtype="Int64"), index=values.index)
    return result, _errors(codes, errors, values.index)


# --- dates ---------------------------------------------------------------------------------------

MIN_YEAR = 1900
MAX_YEAR = 2100
DATE_ERROR = "date illisible « {} » (attendu JJ/MM/AAAA)"
DATE_ERROR_HIDDEN = "date illisible (attendu JJ/MM/AAAA)"
DATE_RANGE_ERROR = "date invraisemblable « {} » (attendue entre {} et {})"
DATE_RANGE_ERROR_HIDDEN = "date invraisemblable (attendue entre {} et {})"

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")  # serial 61 = 1900-03-01
_MAX_SERIAL = int((np.datetime64(f"{MAX_YEAR}-12-31", "D") - _EXCEL_EPOCH).astype(int))

# Patterns in RE2 syntax (pyarrow.compute), anchored. The time of day is dropped.
_TIME = r"(?:[ T]+\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DMY = r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})" + _TIME + "$"
_YMD = r"^(?P<y>\d{4})[/.\-](?P<m>\d{1,2})[/.\-](?P<d>\d{1,2})" + _TIME + "$"
_SERIAL = r"^\d+(?:[.,]\d+)?$"
_FRENCH_MONTHS = {
    "jan": 1,
    "fev": 2,
    "mar": 3,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juil": 7,
    "aou": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH_WORDS = frozenset(
    [*_FRENCH_MONTHS, "janvier", "fevrier", "mars", "avril", "juillet", "aout", "septembre",
     "sept", "octobre", "novembre", "decembre"]
)  # fmt: skip
# « 5 mars 2009 », « 1er mars 2025 », « lundi 3 mars 2025 », « 03-mars-25 » (a date cell of
# Excel's « jj-mmm-aa » format saved as text): compared on normalise_key, which makes every
# separator a space.
_TEXT_DATE = re.compile(r"(?:[a-z]+ )?(\d{1,2})(?: ?er)? ([a-z]+) (\d{4}|\d{2})")
_WEEKDAYS = frozenset({"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"})

# Outcome of one distinct value.
_OK, _MISSING, _BAD, _RANGE = 0, 1, 2, 3


def _two_digit_year(y: np.ndarray) -> np.ndarray:
    """Pivot for two-digit years: 00-69 -> 2000-2069, 70-99 -> 1970-1999."""
    return np.where(y < 70, 2000 + y, 1900 + y)


def _days_from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[D] array from year/month/day ints, and a validity mask (real calendar day:
    31/02 and 13/13 are invalid). Years are not range-checked here."""
    valid = (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31) & (y >= 1) & (y <= 9999)
    y0 = np.where(valid, y, 1970)
    m0 = np.where(valid, m, 1)
    d0 = np.where(valid, d, 1)
    months = ((y0 - 1970) * 12 + (m0 - 1)).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (d0 - 1).astype("timedelta64[D]")
    valid &= days.astype("datetime64[M]") == months  # day beyond the month's end
    return days, valid


def _days_from_serials(serials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Excel 1900-system serials (fractions = time of day, dropped). 1 = 1900-01-01 ...
    59 = 1900-02-28; 60 is Excel's fictitious 29/02/1900 and is rejected; from 61 on,
    date = 1899-12-30 + serial. Valid only up to 31/12/2100."""
    whole = np.floor(np.where(np.isfinite(serials), serials, -1)).astype(np.int64)
    valid = (whole >= 1) & (whole <= _MAX_SERIAL) & (whole != 60)
    offset = np.where(whole < 60, whole + 1, whole)  # serial < 60: 1899-12-31 + serial
    days = _EXCEL_EPOCH + np.where(valid, offset, 0).astype("timedelta64[D]")
    return days, valid


_OTHER, _STR, _NUM, _DATE = 0, 1, 2, 3


def _kind(value: object) -> int:
    if isinstance(value, str):
        return _STR
    if isinstance(value, (dt.date, np.datetime64)):
        return _DATE
    return _NUM if _is_number(value) else _OTHER


def _true(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Boolean pyarrow array -> numpy bool array, nulls as False."""
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _int_field(parts: pa.StructArray, name: str) -> np.ndarray:
    """Digits captured by extract_regex -> int64 numpy array (0 where there was no match)."""
    digits = pc.if_else(parts.is_valid(), parts.field(name), "0")  # children of null rows: ""
    return pc.cast(digits, pa.int64()).to_numpy()


def _text_date_slow(text: str) -> tuple[int, dt.date | None]:
    """Rare forms, one by one: "5 mars 2009", "1er janvier 2010"; empty markers; and what
    a date cell writes while the date is not there yet (« en attente », « non reçu »,
    « relancé le 03/03/2025 »: the date of a reminder is not the step's date)."""
    key = normalise_key(text)
    if key in MISSING_KEYS or says_pending(key, MONTH_WORDS):
        return _MISSING, None
    match = _TEXT_DATE.fullmatch(key)
    if match and key.split()[0].isalpha() and key.split()[0] not in _WEEKDAYS:
        match = None  # words before the day are a weekday or nothing
    if match:
        name = match.group(2)
        month = next((n for p, n in _FRENCH_MONTHS.items() if name.startswith(p)), None)
        if month is not None:
            year = int(match.group(3))
            if len(match.group(3)) == 2:  # as for « 05/03/25 »: 00-69 -> 20xx, 70-99 -> 19xx
                year += 2000 if year < 70 else 1900
            try:
                return _OK, dt.date(year, month, int(match.group(1)))
            except ValueError:
                return _BAD, None
    return _BAD, None


def _parse_unique_dates(uniques: np.ndarray, serial_ok: bool) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[D] per unique value, outcome code per unique value)."""
    n = len(uniques)
    days = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    status = np.full(n, _BAD, dtype=np.int8)

    if pd.api.types.infer_dtype(uniques, skipna=False) == "string":  # the usual case, fast
        kinds = np.full(n, _STR, dtype=np.int8)
    else:
        kinds = np.fromiter(map(_kind, uniques), dtype=np.int8, count=n)
    is_str, is_num, is_date = kinds == _STR, kinds == _NUM, kinds == _DATE

    # Date and datetime objects (pd.Timestamp included): the local calendar date.
    if is_date.any():
        pos = np.flatnonzero(is_date)
        objs = [
            u.replace(tzinfo=None) if isinstance(u, dt.datetime) and u.tzinfo else u
            for u in uniques[pos]
        ]
        stamps = pd.to_datetime(pd.Series(objs, dtype=object), errors="coerce")
        d = stamps.to_numpy(dtype="datetime64[D]")
        ok = ~np.isnat(d)
        days[pos[ok]] = d[ok]
        status[pos[ok]] = _OK

    # Numbers: Excel serials.
    serial_pos: list[np.ndarray] = []
    serial_val: list[np.ndarray] = []
    if is_num.any():
        serial_pos.append(np.flatnonzero(is_num))
        serial_val.append(np.array([float(u) for u in uniques[is_num]], dtype=float))

    # Strings: vectorised patterns (pyarrow), the remainder one by one.
    if is_str.any():
        pos = np.flatnonzero(is_str)
        texts = pc.utf8_trim_whitespace(pa.array(uniques[pos], type=pa.string()))
        remaining = np.ones(len(pos), dtype=bool)
        for pattern, two_digit_years in ((_DMY, True), (_YMD, False)):
            parts = pc.extract_regex(texts, pattern)
            matched = remaining & parts.is_valid().to_numpy(zero_copy_only=False)
            if not matched.any():
                continue
            y, m, d = (_int_field(parts, name)[matched] for name in ("y", "m", "d"))
            if two_digit_years:
                short = pc.utf8_length(parts.field("y")).to_numpy(zero_copy_only=False)
                y = np.where(short[matched] == 2, _two_digit_year(y), y)
            got, ok = _days_from_ymd(y, m, d)
            where = pos[matched]
            days[where[ok]] = got[ok]
            status[where[ok]] = _OK
            remaining &= ~matched  # matched the shape: parsed, or reported as invalid
        if serial_ok and remaining.any():
            numeric = remaining & _true(pc.match_substring_regex(texts, _SERIAL))
            if numeric.any():
                serial_pos.append(pos[numeric])
                as_text = pc.replace_substring(texts.filter(pa.array(numeric)), ",", ".")
                serial_val.append(pc.cast(as_text, pa.float64()).to_numpy(zero_copy_only=False))
                remaining &= ~numeric
        for i in np.flatnonzero(remaining):
            outcome, date = _text_date_slow(texts[i].as_py())
            status[pos[i]] = outcome
            if date is not None:
                days[pos[i]] = np.datetime64(date, "D")

    if serial_pos:
        where = np.concatenate(serial_pos)
        if serial_ok:
            got, ok = _days_from_serials(np.concatenate(serial_val))
            days[where[ok]] = got[ok]
            status[where[ok]] = _OK

    # Well-formed but implausible years (typos like 05/03/0209): a distinct message.
    parsed = status == _OK
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    out_of_range = parsed & ((years < MIN_YEAR) | (years > MAX_YEAR))
    status[out_of_range] = _RANGE
    days[status != _OK] = np.datetime64("NaT")
    return days, status


def _date_error(value: object, outcome: int, show_value: bool) -> str | None:
    if outcome in (_OK, _MISSING):
        return None
    if outcome == _RANGE:
        if show_value:
            return DATE_RANGE_ERROR.format(_shown(_cell_text(value) or ""), MIN_YEAR, MAX_YEAR)
        return DATE_RANGE_ERROR_HIDDEN.format(MIN_YEAR, MAX_YEAR)
    return DATE_ERROR.format(_shown(_cell_text(value) or "")) if show_value else DATE_ERROR_HIDDEN


def parse_dates(
    values: pd.Series, serial_ok: bool = True, *, show_value: bool = True
) -> tuple[pd.Series, pd.Series]:
    """Dates, always read day first (never guessed): "05/03/2009" is 5 March 2009.

    Returns a `datetime64[ns]` Series at midnight (NaT when missing or invalid) and the errors.
    Accepted: date / datetime / Timestamp objects (time dropped, time zone ignored);
    `JJ/MM/AAAA`, `J/M/AAAA`, `JJ-MM-AAAA`, `JJ.MM.AAAA`, `JJ/MM/AA` (two-digit year: 00-69 ->
    20xx, 70-99 -> 19xx), each optionally followed by a time (`HH:MM[:SS]`, dropped);
    `AAAA-MM-JJ`, `AAAA/MM/JJ`, `AAAA-MM-JJTHH:MM:SS` (ISO, offset ignored); "5 mars 2009";
    Excel serial numbers (numbers or numeric text) when `serial_ok`: 1 = 1900-01-01, 60 (the
    fictitious 29/02/1900) rejected, from 61 on 1899-12-30 + serial, up to 31/12/2100.
    Years outside 1900-2100 are reported as implausible. "", "-", "n/a", "NC", "néant"... ->
    NaT without error. `show_value=False` keeps the raw value out of the message (birth dates
    of youths must never be shown).
    """
    index = values.index
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        days = values.to_numpy(dtype="datetime64[D]")
        years = days.astype("datetime64[Y]").astype(np.int64) + 1970
        bad = ~np.isnat(days) & ((years < MIN_YEAR) | (years > MAX_YEAR))
        days = np.where(bad, np.datetime64("NaT"), days)
        errors: list[str | None] = [None] * len(values)
        for i in np.flatnonzero(bad):
            errors[i] = _date_error(values.iloc[i], _RANGE, show_value)
        return (
            pd.Series(days.astype("datetime64[ns]"), index=index),
            _string_series(errors, index),
        )

    codes, uniques = _factorize(values)
    unique_days, status = _parse_unique_dates(uniques, serial_ok)
    errors = np.full(len(uniques), None, dtype=object)
    for i in np.flatnonzero(status >= _BAD):  # the few invalid values only
        errors[i] = _date_error(uniques[i], int(status[i]), show_value)
    cell_days = np.full(len(codes), np.datetime64("NaT"), dtype="datetime64[D]")
    present = codes >= 0
    cell_days[present] = unique_days[codes[present]]
    return (
        pd.Series(cell_days.astype("datetime64[ns]"), index=index),
        _errors(codes, errors, index),
    )


def age_at(birth: pd.Series, when: pd.Series | dt.date | pd.Timestamp) -> pd.Series:
    """Age in full years at `when` (a Series aligned on `birth`'s index, or one date); <NA>
    where either date is missing. Someone born on 29 February gets one year older on 1 March
    in common years."""
    b = pd.to_datetime(birth, errors="coerce")
    if isinstance(when, pd.Series):
        w = pd.to_datetime(when, errors="coerce").reindex(b.index)
        w_year, w_month, w_day = w.dt.year, w.dt.month, w.dt.day
    else:
        stamp = pd.Timestamp(when)
        w_year, w_month, w_day = stamp.year, stamp.month, stamp.day
    before_birthday = (w_month < b.dt.month) | ((w_month == b.dt.month) & (w_day < b.dt.day))
    age = (w_year - b.dt.year) - before_birthday.astype("Int64")
    return age.astype("Int64")


# --- categories --------------------------------------------------------------------------------


def _unknown(parts: list[str], label: str, table: ValueTable) -> str:
    quoted = ", ".join(f"« {_shown(p)} »" for p in parts)
    if len(parts) == 1:
        return f"valeur {quoted} non reconnue pour {label} (valeurs admises : {table.allowed()})"
    return f"valeurs {quoted} non reconnues pour {label} (valeurs admises : {table.allowed()})"


def map_categories(
    values: pd.Series, table: str, label: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """One value of `table` per cell, matched on normalise_key through valeurs.toml.

    Unknown -> <NA> + "valeur « Visio+ » non reconnue pour Modalité (valeurs admises :
    présentiel, distanciel, mixte)"; `label` is the field's French label (default: the table
    name). Empty markers ("", "-", "NC"...) -> <NA> without error.
    """
    tab = value_table(table)
    label = label or table
    codes, uniques = _factorize(values)
    mapped: list[str | None] = []
    errors: list[str | None] = []
    for u in uniques:
        text = _cell_text(u)
        key = normalise_key(text) if text is not None else ""
        canonical = tab.lookup.get(key)
        if canonical is None and key not in MISSING_KEYS:
            canonical = _by_words(text or "", table)
        mapped.append(canonical)
        if canonical is None and key not in MISSING_KEYS:
            errors.append(_unknown([text or ""], label, tab))
        else:
            errors.append(None)
    return (
        _string_series(_expand(codes, mapped), values.index),
        _errors(codes, errors, values.index),
    )


_PRECISION = re.compile(r"\([^)]*\)")
_HARD_SEPARATORS = re.compile(r"[,;/+|\n\r•·]")
_SOFT_SEPARATORS = re.compile(r"\s*&\s*|\s+et\s+", re.IGNORECASE)


def _by_words(text: str, table: str) -> str | None:
    """A label matched word by word (a precision, a short sentence); see pipelines.labels."""
    return match_label(text, table)


def split_labels(value: object, text: str | None, table: str) -> tuple[set[str], list[str]]:
    """(canonical values found, unknown parts) of a cell holding several labels.

    Labels are cut at hard separators (new line, `,` `;` `/` `+` `|` `•`) but never inside
    parentheses; a piece joined by « et » or « & » is cut again only when every half is a
    known label (« Soutien scolaire et orientation »), else read whole (« Ouverture
    culturelle et sociale »)."""
    tab = value_table(table)
    key = normalise_key(text) if text is not None else ""
    if key in tab.lookup:
        return {tab.lookup[key]}, []
    raw = value if isinstance(value, str) else (text or "")  # split before newlines collapse
    raw = _PRECISION.sub(lambda m: _HARD_SEPARATORS.sub(" ", m.group(0)), raw)
    found: set[str] = set()
    unknown: list[str] = []
    for piece in _HARD_SEPARATORS.split(raw):
        if normalise_key(piece) in MISSING_KEYS:
            continue
        halves = [h for h in _SOFT_SEPARATORS.split(piece) if normalise_key(h) not in MISSING_KEYS]
        known = [tab.lookup.get(normalise_key(h)) or _by_words(h, table) for h in halves]
        if len(halves) > 1 and all(known):
            found.update(k for k in known if k)
            continue
        whole = tab.lookup.get(normalise_key(piece)) or _by_words(piece, table)
        if whole is not None:
            found.add(whole)
        else:
            unknown.append(" ".join(piece.split()))
    return found, unknown


def unknown_parts(value: object, table: str, multi: bool = False) -> list[str]:
    """The labels of a cell that `table` does not know (`multi`: a cell of several labels)."""
    text = _cell_text(value)
    if text is None:
        return []
    if multi:
        return split_labels(value, text, table)[1]
    key = normalise_key(text)
    if key in MISSING_KEYS or key in value_table(table).lookup or _by_words(text, table):
        return []
    return [text]


_TWO_DIGIT_YEAR = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}(?:\s.*)?$")


def two_digit_years(values: pd.Series) -> pd.Series:
    """Cells typed as a date with a two-digit year (« 05/03/09 »)."""
    return values.map(lambda v: isinstance(v, str) and bool(_TWO_DIGIT_YEAR.match(v))).astype(bool)


def map_multi_categories(
    values: pd.Series, table: str, label: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Several values of `table` per cell, separated by `,` `;` `/` `+` `&` ` et ` or new
    lines: canonical values sorted, deduplicated and joined by ";" ("Scolarité, emploi" ->
    "insertion_pro;scolarite"). A cell that matches one spelling as a whole is not split
    ("présentiel et distanciel" -> "mixte"). Unknown parts are named in the reason; the
    known parts are kept."""
    tab = value_table(table)
    label = label or table
    codes, uniques = _factorize(values)
    mapped: list[str | None] = []
    errors: list[str | None] = []
    for u in uniques:
        text = _cell_text(u)
        key = normalise_key(text) if text is not None else ""
        if key in tab.lookup:
            mapped.append(tab.lookup[key])
            errors.append(None)
            continue
        found, unknown = split_labels(u, text, table)
        mapped.append(";".join(sorted(found)) or None)  # the known parts are kept
        errors.append(_unknown(unknown, label, tab) if unknown else None)
    return (
        _string_series(_expand(codes, mapped), values.index),
        _errors(codes, errors, values.index),
    )


# --- dispatch ------------------------------------------------------------------------------------


def normalise_column(values: pd.Series, field: Field) -> tuple[pd.Series, pd.Series]:
    """Normalise one mapped column according to its schema field. IDENTITY fields are only
    cleaned as text (they feed pseudonyms); IDENTITY_DATE is parsed as a date without quoting
    the value in messages."""
    kind = field.type
    if kind in (FieldType.TEXT, FieldType.IDENTITY):
        return clean_text(values)
    if kind == FieldType.CODE:
        return clean_code(values)
    if kind == FieldType.DATE:
        return parse_dates(values)
    if kind == FieldType.IDENTITY_DATE:
        return parse_dates(values, show_value=False)
    if kind == FieldType.INT:
        return parse_ints(values, field.label)
    if kind == FieldType.CATEGORY:
        assert field.table is not None
        return map_categories(values, field.table, field.label)
    if kind == FieldType.CATEGORIES:
        assert field.table is not None
        return map_multi_categories(values, field.table, field.label)
    raise ValueError(f"no normaliser for field type {kind!r}")
