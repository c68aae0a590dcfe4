"""Extract stage: the bytes of an uploaded file in, a raw table of cells out.

`read_table` finds the real format from the bytes (see `pipelines.filecheck`), reads every
cell without interpreting it (no type guessing on CSV: "01000" stays "01000"), finds the
header row with the scorer supplied by the mapping stage, and returns the data rows indexed
by the line number the user sees. Every problem with the file itself is an `IngestError`.

Line numbers. In a spreadsheet, the index is the Excel row number. In a CSV, it is the row
number Excel shows when it opens the file, i.e. the ordinal of the CSV record (a blank line
counts as a record, as it is an empty row in Excel). It equals the physical line number of
the record in a text editor, except after a quoted cell containing line breaks: such a cell
stays in one Excel row, so the records after it keep Excel's numbering, not the editor's.
A first line "sep=;" (a hint Excel reads and does not show) is not counted either.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd
from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

from domain.text import BIDI_CONTROLS, CONTROLS
from pipelines import bounds, filecheck
from pipelines.errors import IngestError
from pipelines.filecheck import Limits
from pipelines.hidden_columns import hidden_columns

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 30  # the header is looked for among the first 30 non-empty rows
MIN_HEADER_SCORE = 2
CSV_SEPARATORS = (";", ",", "\t")
SNIFF_CHARS = 65536
SNIFF_RECORDS = 200


@dataclass
class RawTable:
    header: list[str]  # header cells as text, stripped; an empty header cell is ""
    frame: pd.DataFrame  # data rows; columns 0..len(header)-1, dtype object; index = user line
    format: str  # "xlsx", "xls", "ods", "csv"
    sheet: str | None
    header_line: int  # 1-based line of the header
    title_lines: list[str] = field(default_factory=list)  # non-empty cells above the header
    encoding: str | None = None  # csv only: "utf-8-sig", "utf-8", "cp1252" (or "utf-16")
    separator: str | None = None  # csv only: ";", ",", "\t"
    groups: list[str] = field(default_factory=list)  # merged group label above each column
    hidden: frozenset[int] = frozenset()  # positions of the columns the sheet hides
    # line -> (column, reason): rows the shaping found wrong (an event log's dossier whose
    # rows disagree on who it is), quarantined with the rest
    row_problems: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    # A workbook's other sheets: those with a header, read as tables (pipelines.linked_sheets
    # joins them), and the names of the others (a read-me, a hidden list of values).
    others: list[RawTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


HeaderScore = Callable[[list[str]], float]


def read_table(
    data: bytes,
    filename: str,
    header_score: HeaderScore,
    sheet: str | None = None,
    *,
    limits: Limits | None = None,
) -> RawTable:
    """The raw table of an uploaded file; `IngestError` (French message) for any bad file.

    `header_score(cells)` tells how many cells of a candidate row look like known column
    headers; the best row among the first 30 non-empty rows is the header (ties: the first).
    With `sheet=None` the sheet whose header scores best is read (ties: the first sheet).
    """
    detected = filecheck.sniff(data, filename, limits)
    if detected.format == "csv":
        assert detected.text is not None
        return _read_csv(detected.text, detected.encoding, filename, header_score)
    return _read_workbook(data, detected.format, filename, header_score, sheet)


# --- cells --------------------------------------------------------------------------------


_CONTROLS = str.maketrans(dict.fromkeys(BIDI_CONTROLS, None) | dict.fromkeys(CONTROLS, " "))


def cell_text(value: object) -> str:
    """A cell as text, for header matching and title lines (control characters as spaces:
    a header is stored in reports, and PostgreSQL refuses NUL)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.translate(_CONTROLS).split())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _clean_rows(
    rows: list[list], first: int, width: int, text_only: bool = False
) -> tuple[list[list], list[int]]:
    """Data rows with text stripped ("" -> None) and fully empty rows dropped, with their
    1-based line numbers (`first` is the line of rows[0]). Rows are padded to `width`.
    `text_only`: every cell is a str (a csv's records), no cell's type is asked.

    The rows are cleaned in place (the reader's lists, read by nobody after): 100,000 new
    lists kept alive would make the garbage collector walk every row several times."""
    out: list[list] = []
    lines: list[int] = []
    for offset, row in enumerate(rows):
        if text_only:
            row[:] = [v.strip() or None for v in row]
        else:
            row[:] = [(v.strip() or None) if v.__class__ is str else v for v in row]
        if row.count(None) == len(row):
            continue
        if len(row) < width:
            row.extend([None] * (width - len(row)))
        out.append(row)
        lines.append(first + offset)
    return out, lines


def _find_header(rows: list[list], header_score: HeaderScore) -> tuple[float, int, list[str]]:
    """(score, row position, header texts) of the best header row; (-inf, -1, []) if none."""
    best: tuple[float, int, list[str]] = (float("-inf"), -1, [])
    seen = 0
    for pos, row in enumerate(rows):
        texts = [cell_text(v) for v in row]
        if not any(texts):
            continue
        while texts and not texts[-1]:
            texts.pop()
        score = header_score(texts)
        if score > best[0]:
            best = (score, pos, texts)
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return best


def _has_content(rows: list[list]) -> bool:
    return any(any(cell_text(v) for v in row) for row in rows)


GROUP_LABEL_MAX = 40  # a longer cell above the header is a title, not a group label


def _groups(
    rows: list[list], header_pos: int, header: list[str], merged: dict[tuple[int, int], int]
) -> list[str]:
    """The labels of a merged row right above the header ("Jeune" over "Nom", "Prénom";
    "Mentor" over the next "Nom", "Prénom"), one per column ("" where none); [] when that
    row is a title or absent. `merged`: (row, first column) -> last column of each
    horizontal merge (workbooks); without it a label spans until the next label."""
    if header_pos == 0:
        return []
    if any(v is not None and not isinstance(v, str) for v in rows[header_pos - 1]):
        return []  # a date or a number: « Édité le | 31/03/2025 », not groups
    above = [cell_text(v) for v in rows[header_pos - 1]]
    filled = [i for i, text in enumerate(above) if text and i < len(header)]
    if not filled or any(len(above[i]) > GROUP_LABEL_MAX for i in filled):
        return []
    if len(filled) >= sum(1 for h in header if h):
        return []  # as many labels as headers: a second header row or data, not groups
    groups = [""] * len(header)
    for n, start in enumerate(filled):
        last = merged.get((header_pos - 1, start))
        if last is None:
            last = (filled[n + 1] if n + 1 < len(filled) else len(header)) - 1
        for col in range(start, min(last, len(header) - 1) + 1):
            groups[col] = above[start]
    if len(filled) == 1 and filled[0] == 0 and all(groups):
        return []  # one label over every column: a title
    return groups


def _build(
    rows: list[list],
    header_pos: int,
    filename: str,
    fmt: str,
    sheet: str | None,
    line_of: Callable[[int], int],
    encoding: str | None = None,
    separator: str | None = None,
    merged: dict[tuple[int, int], int] | None = None,
) -> RawTable:
    """Assemble the RawTable from all rows of a sheet and the position of its header row.

    `line_of(pos)` is the user line number of rows[pos]; it must be `first + pos` for a
    constant `first` (rows keep their position even when empty). Under a merged group row
    the header of a column reads "Groupe - En-tête" ("Mentor - Nom").
    """
    header = [cell_text(v) for v in rows[header_pos]]
    groups = _groups(rows, header_pos, header, merged or {})
    if groups:
        # A header on two rows: a cell of the upper row over an empty one is that column's
        # own header (« N° dossier » merged down over two rows), not a group.
        above = [cell_text(v) for v in rows[header_pos - 1]]
        for col, text in enumerate(header):
            if not text and col < len(above) and above[col]:
                header[col], groups[col] = above[col], ""
        header = [f"{g} - {h}" if g and h else h for g, h in zip(groups, header, strict=True)]
    group_row = header_pos - 1 if groups else header_pos
    titles = [t for row in rows[:group_row] for t in (cell_text(v) for v in row) if t]
    body = rows[header_pos + 1 :]
    width = max([len(header), *(len(r) for r in body)]) if body else len(header)
    # A csv's records are lists of str (the csv module's).
    cells, lines = _clean_rows(body, line_of(header_pos + 1), width, text_only=fmt == "csv")
    header_line = line_of(header_pos)
    if not cells:
        raise IngestError(filecheck.msg_no_data(filename, header_line, sheet))

    frame = pd.DataFrame(cells, dtype=object, index=pd.Index(lines, dtype="int64"))
    # Trailing columns without a header and without any value are not columns.
    keep = width
    while keep > 0 and (keep > len(header) or not header[keep - 1]):
        if frame[keep - 1].notna().any():
            break
        keep -= 1
    if keep < width:
        frame = frame.iloc[:, :keep]
    header = (header + [""] * keep)[:keep]
    groups = (groups + [""] * keep)[:keep] if groups else []
    frame.columns = pd.RangeIndex(keep)
    return RawTable(
        header=header,
        frame=frame,
        format=fmt,
        sheet=sheet,
        header_line=header_line,
        title_lines=titles,
        encoding=encoding,
        separator=separator,
        groups=groups,
    )


def _check_sheet(calamine_sheet, filename: str) -> None:
    """The reader's range, before its cells become Python values (rows start at A1)."""
    end = getattr(calamine_sheet, "end", None)
    if end:
        bounds.check_range(filename, calamine_sheet.name, end[0] + 1, end[1] + 1)


def _merges(calamine_sheet) -> dict[tuple[int, int], int]:
    """(row, first column) -> last column of each horizontal merge of a sheet."""
    try:
        ranges = calamine_sheet.merged_cell_ranges or []
    except Exception:  # not every format reports merges
        return {}
    return {(r0, c0): c1 for (r0, c0), (r1, c1) in ranges if r0 == r1 and c1 > c0}


# --- spreadsheets ---------------------------------------------------------------------------


@contextlib.contextmanager
def _parsing(filename: str) -> Iterator[None]:
    """Turn any failure of the spreadsheet parser into an IngestError."""
    try:
        yield
    except IngestError:
        raise
    except PasswordError as exc:
        raise IngestError(filecheck.msg_protected(filename)) from exc
    except Exception as exc:
        logger.info("calamine refused %r: %s", filename, type(exc).__name__)
        raise IngestError(filecheck.msg_corrupt(filename)) from exc
    except BaseException as exc:
        # A Rust panic inside calamine surfaces as pyo3's PanicException (a BaseException).
        if type(exc).__name__ != "PanicException":
            raise
        logger.info("calamine panicked on %r", filename)
        raise IngestError(filecheck.msg_corrupt(filename)) from exc


def _read_workbook(
    data: bytes, fmt: str, filename: str, header_score: HeaderScore, sheet: str | None
) -> RawTable:
    bounds.check_workbook(data, fmt, filename)  # before the reader allocates anything
    with _parsing(filename):
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
    try:
        return _read_sheets(workbook, names, fmt, filename, header_score, sheet, data)
    finally:
        with contextlib.suppress(Exception):
            workbook.close()  # free calamine's copy of the file now, not at garbage collection


def _read_sheets(
    workbook: CalamineWorkbook,
    names: list[str],
    fmt: str,
    filename: str,
    header_score: HeaderScore,
    sheet: str | None,
    workbook_data: bytes = b"",
) -> RawTable:
    if not names:  # every real workbook has at least one sheet
        raise IngestError(filecheck.msg_corrupt(filename))

    if sheet is not None:
        if sheet not in names:
            raise IngestError(filecheck.msg_sheet_not_found(filename, sheet, names))
        with _parsing(filename):
            chosen = workbook.get_sheet_by_name(sheet)
            _check_sheet(chosen, filename)
            rows = chosen.to_python(skip_empty_area=False)
        score, pos, _ = _find_header(rows, header_score)
        if score < MIN_HEADER_SCORE:
            if not _has_content(rows):
                raise IngestError(filecheck.msg_empty_sheet(filename, sheet))
            raise IngestError(filecheck.msg_no_header(filename))
        table = _build(rows, pos, filename, fmt, sheet, lambda p: p + 1, merged=_merges(chosen))
        return _with_hidden(table, workbook_data, fmt)

    # Choose the sheet: score the head of each sheet, keep the best sheet object.
    best: tuple[float, str | None, object] = (float("-inf"), None, None)
    any_content = False
    failures = 0
    for name in names:
        try:
            with _parsing(filename):
                calamine_sheet = workbook.get_sheet_by_name(name)
                _check_sheet(calamine_sheet, filename)
                head = calamine_sheet.to_python(skip_empty_area=False, nrows=100)
                if len(head) == 100 and sum(1 for r in head if any(r)) < HEADER_SEARCH_ROWS:
                    head = calamine_sheet.to_python(skip_empty_area=False)
        except bounds.TooLarge:
            raise
        except IngestError:
            failures += 1  # a chart sheet or a broken sheet: the others may do
            continue
        any_content = any_content or _has_content(head)
        score, _, _ = _find_header(head, header_score)
        if score > best[0]:
            best = (score, name, calamine_sheet)
    if failures and failures == len(names):
        raise IngestError(filecheck.msg_corrupt(filename))
    if not any_content:
        raise IngestError(filecheck.msg_empty(filename))
    score, name, calamine_sheet = best
    if score < MIN_HEADER_SCORE:
        raise IngestError(filecheck.msg_no_header(filename))
    with _parsing(filename):
        rows = calamine_sheet.to_python(skip_empty_area=False)  # type: ignore[attr-defined]
    _, pos, _ = _find_header(rows, header_score)
    merged = _merges(calamine_sheet)
    table = _build(rows, pos, filename, fmt, name, lambda p: p + 1, merged=merged)
    table = _with_hidden(table, workbook_data, fmt)
    _other_sheets(workbook, table, [n for n in names if n != name], fmt, filename, header_score)
    return table


def _visible(workbook: CalamineWorkbook) -> set[str]:
    """The sheets a person sees (a template's hidden list of values is not one)."""
    try:
        return {m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible}
    except Exception:  # a format without the information: every sheet is visible
        return set(workbook.sheet_names)


def _other_sheets(
    workbook: CalamineWorkbook,
    table: RawTable,
    names: list[str],
    fmt: str,
    filename: str,
    header_score: HeaderScore,
) -> None:
    """The workbook's other visible sheets: read as tables when they have a header, named
    in `table.notes` otherwise (a read-me) or when hidden (a list of values)."""
    visible = _visible(workbook)
    for name in names:
        if name not in visible:
            table.notes.append(name)
            continue
        try:
            with _parsing(filename):
                sheet = workbook.get_sheet_by_name(name)
                _check_sheet(sheet, filename)
                rows = sheet.to_python(skip_empty_area=False)
            score, pos, _ = _find_header(rows, header_score)
            if score < MIN_HEADER_SCORE:  # no known header: its first filled row stands for one
                pos = next((i for i, r in enumerate(rows) if any(cell_text(v) for v in r)), -1)
                if pos < 0:
                    continue  # an empty sheet
            other = _build(rows, pos, filename, fmt, name, lambda p: p + 1, merged=_merges(sheet))
        except bounds.TooLarge:
            raise
        except IngestError:  # a chart sheet, a header without rows: nothing to join
            table.notes.append(name)
            continue
        table.others.append(other)


def _with_hidden(table: RawTable, data: bytes, fmt: str) -> RawTable:
    """The table with the columns its sheet hides (xlsx: a hidden internal key beside the
    visible « N° dossier » must never win over it)."""
    if fmt != "xlsx" or not data or table.sheet is None:
        return table
    hidden = hidden_columns(data, table.sheet)
    if not hidden:
        return table
    table.hidden = frozenset(p for p in hidden if p < len(table.header))
    return table


# --- CSV ------------------------------------------------------------------------------------


def detect_separator(text: str) -> str | None:
    """The separator among ; , tab that splits the first records into a consistent number
    (> 1) of columns, quotes respected; None when no candidate does."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    best: tuple[float, int, int] | None = None  # (consistency, columns, -preference)
    chosen = None
    for rank, sep in enumerate(CSV_SEPARATORS):
        counts: list[int] = []
        try:
            for record in csv.reader(io.StringIO(sample, newline=""), delimiter=sep):
                if any(c.strip() for c in record):
                    counts.append(len(record))
                if len(counts) >= SNIFF_RECORDS:
                    break
        except csv.Error:
            pass  # a quoted field cut by the end of the sample: use what was read
        if not counts:
            continue
        tally = Counter(counts)
        columns, hits = max(tally.items(), key=lambda kv: (kv[1], kv[0]))
        if columns < 2:
            continue
        key = (hits / len(counts), columns, -rank)
        if best is None or key > best:
            best, chosen = key, sep
    return chosen


def _bounded_records(text: str, separator: str, filename: str) -> list[list[str]]:
    """The CSV's records, refused as soon as they pass the caps of pipelines.bounds (a
    two-million-row file is never held whole)."""
    rows: list[list[str]] = []
    extent = bounds.Extent()
    widest = 0  # the extent is widened when checked, not at every record
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
        rows.append(record)
        if len(record) > widest:
            widest = len(record)
        if len(rows) % 1000 == 0 or len(record) > bounds.MAX_COLUMNS:
            extent.widen(len(rows), widest)
            bounds.check_extent(filename, None, extent, partial=True)
    extent.widen(len(rows), widest)
    bounds.check_extent(filename, None, extent)
    return rows


def _read_csv(
    text: str, encoding: str | None, filename: str, header_score: HeaderScore
) -> RawTable:
    # A first line "sep=;" tells Excel the separator; Excel does not show it as a row.
    hint = re.match(r"sep=([;,\t|])[ ]*(\r\n|\r|\n)", text)
    if hint:
        separator: str | None = hint.group(1)
        text = text[hint.end() :]
    else:
        separator = detect_separator(text)
    if separator is None:
        if not text.strip(" \t\r\n;,\"'\xa0"):  # only separators and quotes
            raise IngestError(filecheck.msg_empty(filename))
        raise IngestError(filecheck.msg_not_tabular(filename))
    try:
        rows = _bounded_records(text, separator, filename)
    except csv.Error as exc:
        raise IngestError(filecheck.msg_bad_csv(filename)) from exc
    # rows[i] is record i + 1, i.e. Excel row i + 1 (blank lines are [] records).
    score, pos, _ = _find_header(rows, header_score)
    if score < MIN_HEADER_SCORE:
        if not _has_content(rows):
            raise IngestError(filecheck.msg_empty(filename))
        raise IngestError(filecheck.msg_no_header(filename))
    return _build(rows, pos, filename, "csv", None, lambda p: p + 1, encoding, separator)
