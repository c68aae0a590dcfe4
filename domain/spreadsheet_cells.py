"""Spreadsheet cells that never run: the formula-like test and the openpyxl cell writers.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, through some import
paths, with a tab or a carriage return) as a formula. openpyxl turns any string starting
with "=" into a formula cell, and "#N/A"-like strings into error cells. The writers here
store a string as a text cell (type "s") whatever it starts with; a formula-like one also
gets Excel's "quote prefix" style, so that editing the cell in Excel keeps it as text. The
text itself is unchanged (read back, it is the original string), unless the caller asks
for the apostrophe of a CSV (`apostrophe=True`). Characters that an xlsx cannot hold
(control characters other than tab, line feed and carriage return) are removed instead of
failing the whole file.

Every xlsx the app writes uses these writers: the pipeline's files through
`pipelines.cell_safety` (which adds the CSV side), the comité workbook (reports/workbook.py)
directly.
"""

from __future__ import annotations

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """A string that a spreadsheet could run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise_text(value: object) -> object:
    """`value` with an apostrophe in front when it is a formula-like string; anything else
    (numbers, dates, None, other strings) is returned as is."""
    return "'" + value if is_formula_like(value) else value


def write_text_cell(cell: Cell, value: str) -> Cell:
    """Store `value` in an openpyxl cell as text, never as a formula or an error."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = text
    cell.data_type = "s"  # undo openpyxl's guess: "=…" would be a formula, "#N/A" an error
    if is_formula_like(text):
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
