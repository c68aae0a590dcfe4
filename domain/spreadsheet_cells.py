"""Spreadsheet cells that never run: formula injection neutralised in every CSV and xlsx the
app writes.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, through some import
paths, with a tab or a carriage return) as a formula: `=HYPERLINK("http://x","clic")` typed
into an association's export would become a live link, or worse, in the file the
département sends back. Every text that reaches a CSV or an xlsx written by the app goes
through this module:

- CSV (`neutralise_text`, `neutralise_frame`): a *string* starting with one of
  `FORMULA_STARTS` gets a leading apostrophe, which the spreadsheet shows and never runs.
  Only strings are touched: a real number, negative or not, stays a number. Write the CSV
  with `CSV_LINE_TERMINATOR` ("\r\n"): the csv writer quotes only the cells holding a
  character of the line terminator, and Excel reads a bare carriage return as a new row, so
  with "\n" alone "a\r=1+1" would put "=1+1" at the start of a row of its own.
- xlsx (`write_text_cell`, `write_cell`): openpyxl turns any string starting with "=" into a
  formula cell, and "#N/A"-like strings into error cells. A string is stored as a text cell
  (type "s") whatever it starts with; a formula-like one also gets Excel's "quote prefix"
  style, so that editing the cell in Excel keeps it as text. The text itself is unchanged
  (read back, it is the original string), unless the caller asks for the apostrophe of a
  CSV (`apostrophe=True`). Characters that an xlsx cannot hold (control characters other
  than tab, line feed and carriage return) are removed instead of failing the whole file.

Every file the app writes uses it: the CSV downloads of the pages, the templates and the
quarantine report, the comité workbook, and the workbooks inside the comité deck's charts
(`xlsx_text`, written by XlsxWriter).
"""

from __future__ import annotations

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_LINE_TERMINATOR = "\r\n"


def is_formula_like(value: object) -> bool:
    """A string that a spreadsheet could run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise_text(value: object) -> object:
    """`value` with an apostrophe in front when it is a formula-like string; anything else
    (numbers, dates, None, other strings) is returned as is."""
    return "'" + value if is_formula_like(value) else value


def xlsx_text(value: str) -> tuple[str, bool]:
    """The text an xlsx cell may hold (characters it cannot hold removed), and whether it
    needs Excel's quote prefix: any writer (openpyxl here, XlsxWriter for the workbooks
    inside the deck's charts) stores it as a string with that style."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return text, is_formula_like(text)


def write_text_cell(cell: Cell, value: str) -> Cell:
    """Store `value` in an openpyxl cell as text, never as a formula or an error."""
    text, quoted = xlsx_text(value)
    cell.value = text
    cell.data_type = "s"  # undo openpyxl's guess: "=…" would be a formula, "#N/A" an error
    if quoted:
        cell.quotePrefix = True  # Excel's own "this is text" mark, kept when the cell is edited
    return cell


def write_cell(cell: Cell, value: object, *, apostrophe: bool = False) -> Cell:
    """Store any value in an openpyxl cell: strings as text (`write_text_cell`), with the
    CSV apostrophe in front of a formula-like one when `apostrophe`; missing values (None,
    NaN, NaT) as an empty cell; other values (numbers, dates) as they are."""
    if isinstance(value, str):
        return write_text_cell(cell, neutralise_text(value) if apostrophe else value)
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        cell.value = None
        return cell
    cell.value = value
    return cell


def _is_text_column(series: pd.Series) -> bool:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` ready for a CSV export: formula-like strings in its cells and in its
    column labels get a leading apostrophe; numeric columns are left alone."""
    safe = frame.copy()
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if _is_text_column(column):
            safe.isetitem(position, column.map(neutralise_text))
    safe.columns = [neutralise_text(c) for c in safe.columns]
    return safe
