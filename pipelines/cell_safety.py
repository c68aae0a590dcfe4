"""Formula injection neutralised in every CSV and Excel file the app writes.

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
  (read back, it is the original string), unless the caller asks for the apostrophe as in a
  CSV (`apostrophe=True`). Characters that an xlsx cannot hold (control characters other
  than tab, line feed and carriage return) are removed instead of failing the whole file.
  These two writers and the formula-like test are defined in `domain.spreadsheet_cells`
  (the comité workbook in reports/ uses them too) and re-exported here.
"""

from __future__ import annotations

import pandas as pd

# The formula-like test and the xlsx writers live in the vocabulary, so that the comité
# workbook (reports/) writes its cells with the same ones; re-exported for every caller.
from domain.spreadsheet_cells import FORMULA_STARTS as FORMULA_STARTS
from domain.spreadsheet_cells import is_formula_like as is_formula_like
from domain.spreadsheet_cells import neutralise_text as neutralise_text
from domain.spreadsheet_cells import write_cell as write_cell
from domain.spreadsheet_cells import write_text_cell as write_text_cell

CSV_LINE_TERMINATOR = "\r\n"


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
