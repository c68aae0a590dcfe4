"""The used range of every sheet, measured from the file before any reader allocates it.

A 31 KB xlsx with one cell at XFD1048576 asks the reader for 16,384 × 1,048,576 cells: the
reader allocates them before anything can be checked, and the process dies. So the sheets are
scanned first, streamed, with no table built:

- xlsx: each worksheet's `<dimension ref>` and every cell and row reference actually present;
- ods: every row and cell of `content.xml` with their repeat counts (LibreOffice repeats empty
  cells and rows to the sheet's end: only repeats that hold something count);
- xls: the format itself caps a sheet at 65,536 × 256 cells; the reader's range is checked
  before it is turned into Python values (`check_range`);
- csv: rows are counted while they are split (`pipelines.extract`).

The area from A1 to the last used cell (what the reader turns into rows) is capped at
`MAX_CELLS`, rows at `MAX_ROWS`, columns at `MAX_COLUMNS`; beyond, one French message says
what to do. A département's export is a few thousand rows by a few dozen columns; the caps
leave room for 100 times that while keeping an import's memory under 1.5 GiB (`make bench`).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

import numpy as np

from pipelines.errors import IngestError

MAX_ROWS = 300_000
MAX_COLUMNS = 1_000
MAX_CELLS = 4_000_000
CHUNK = 1 << 20
_XLSX_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_REF = rb"([A-Z]{1,3})([0-9]{1,9})"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"(?:[A-Z]{1,3}[0-9]{1,9}:)?" + _REF)
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"" + _REF + rb"\"")
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"([0-9]{1,9})\"")
# What `_fast_extent` computes on arrays (the regex is its specification, in tests/test_bounds)
_REF_FAST = re.compile(rb' r="([A-Z]{0,3})([0-9]{1,9})"')
_ODD_REFS = (b'\tr="', b'\nr="', b'\rr="', b'"r="', b"'r=", b" r='", b" r =", b" r\t")
_TAIL = 256  # bytes kept between chunks so that no tag is cut in two


class TooLarge(IngestError):
    """A sheet beyond the caps: the whole file is refused (not skipped as a broken sheet)."""


@dataclass
class Extent:
    """The last used row and column (1-based) of a sheet."""

    rows: int = 0
    columns: int = 0

    def widen(self, row: int, column: int) -> None:
        self.rows = max(self.rows, row)
        self.columns = max(self.columns, column)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _n(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")  # French thousands: a narrow space


def msg_too_large(filename: str, sheet: str | None, extent: Extent, partial: bool) -> str:
    where = f" (feuille « {sheet} »)" if sheet else ""
    return (
        f"Le fichier « {filename} »{where} s'étend sur {'au moins ' if partial else ''}"
        f"{_n(extent.rows)} lignes et "
        f"{_n(extent.columns)} colonnes, au-delà de ce que l'import accepte "
        f"({_n(MAX_ROWS)} lignes, {_n(MAX_COLUMNS)} colonnes, {_n(MAX_CELLS)} cellules) : "
        "supprimez les lignes et colonnes vides ou inutiles en fin de feuille (une cellule "
        "isolée loin du tableau suffit), ou découpez le fichier."
    )


def check_extent(filename: str, sheet: str | None, extent: Extent, partial: bool = False) -> None:
    """`partial`: the extent of the rows read so far (a csv is refused before its end)."""
    if (
        extent.rows > MAX_ROWS
        or extent.columns > MAX_COLUMNS
        or extent.rows * extent.columns > MAX_CELLS
    ):
        raise TooLarge(msg_too_large(filename, sheet, extent, partial))


def _last_column(letters) -> int:
    """The greatest column among letter references: a longer one is further right, and
    between two of the same length, the alphabetical order is the columns' order."""
    return _column_number(max(set(letters), key=lambda ref: (len(ref), ref)))


def _widen(extent: Extent, refs: list) -> None:
    if refs:
        letters, numbers = zip(*refs, strict=True)
        extent.widen(max(map(int, numbers)), _last_column(letters))


_R, _EQUALS, _QUOTE, _APOSTROPHE, _SPACE, _TAB, _LF, _CR = b"r=\"' \t\n\r"
_WINDOW = 14  # a reference after `r="`: 3 letters, 9 digits, the quote, one more to look at
_PAD = b"\0" * (_WINDOW + 4)


def _fast_extent(text: bytes) -> tuple[int, int] | None:
    """What `_REF_FAST.findall` then `_widen` find in `text` (the last row and column of
    its ` r="…"` references; (0, 0) without any), computed on the bytes as arrays instead
    of one Python object per reference; None when `text` holds any of `_ODD_REFS` (the
    caller then searches tag by tag). Each `r` of the text is classified by the bytes
    around it; then the bytes after each ` r="` are read position by position, all
    references at once, under the regex's rules: up to 3 capitals, 1 to 9 digits, a quote."""
    size = len(text)
    buffer = np.frombuffer(text + _PAD, dtype=np.uint8)
    where = np.flatnonzero(buffer[1:size] == _R) + 1  # an `r` with a byte before it
    before, after, second = buffer[where - 1], buffer[where + 1], buffer[where + 2]
    equals = after == _EQUALS
    space = before == _SPACE
    odd_before = (before == _TAB) | (before == _LF) | (before == _CR) | (before == _QUOTE)
    odd = equals & (
        ((second == _QUOTE) & odd_before)  # \tr=" \nr=" \rr=" "r="
        | (before == _APOSTROPHE)  # 'r=
        | (space & (second == _APOSTROPHE))  #  r='
    )
    odd |= space & (((after == _SPACE) & (second == _EQUALS)) | (after == _TAB))  #  r =, r\t
    if odd.any():
        return None
    starts = where[space & equals & (second == _QUOTE)] + 3
    alive = np.ones(len(starts), dtype=bool)
    valid = np.zeros(len(starts), dtype=bool)
    letters = np.zeros(len(starts), dtype=np.int64)
    digits = np.zeros(len(starts), dtype=np.int64)
    row = np.zeros(len(starts), dtype=np.int64)
    column = np.zeros(len(starts), dtype=np.int64)
    for offset in range(_WINDOW):
        if not alive.any():
            break
        byte = buffer[starts + offset].astype(np.int64)
        letter = alive & (digits == 0) & (byte >= 65) & (byte <= 90)
        digit = alive & (byte >= 48) & (byte <= 57)
        column = np.where(letter, column * 26 + byte - 64, column)
        row = np.where(digit, row * 10 + byte - 48, row)
        letters += letter
        digits += digit
        end = alive & ~letter & ~digit
        valid |= end & (byte == _QUOTE)
        alive &= ~end
    valid &= (letters <= 3) & (digits >= 1) & (digits <= 9)
    if not valid.any():
        return 0, 0
    return int(row[valid].max()), int(column[valid].max())


def xlsx_extent(stream) -> Extent:
    """The extent of one worksheet's XML, read in chunks. A 100,000-row sheet holds
    3 million cell references: one Python object per reference cost ≈ 3 s (`make bench`),
    so the fast search reads ` r="…"`, as every writer spells it (and any other tag's `r`
    attribute, which can only widen the extent), on the chunk's bytes as arrays
    (`_fast_extent`); a chunk that spells one otherwise (another separator before `r`) is
    searched tag by tag with regular expressions as before."""
    extent = Extent()
    tail = b""
    while chunk := stream.read(CHUNK):
        text = tail + chunk
        if b"dimension" in text:
            _widen(extent, _DIMENSION.findall(text))
        fast = _fast_extent(text)
        if fast is None:
            _widen(extent, _CELL.findall(text))
            if rows := _ROW.findall(text):
                extent.widen(max(map(int, rows)), extent.columns)
        else:
            extent.widen(*fast)  # a row's reference has no letters: column 0
        tail = text[-_TAIL:]
    return extent


def check_xlsx(data: bytes, filename: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if _XLSX_SHEET.match(info.filename):
                with archive.open(info) as stream:
                    check_extent(filename, None, xlsx_extent(stream))


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


class _OdsScan:
    """Streams content.xml: per table, the last row and column holding something."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.table: str | None = None
        self.extent = Extent()
        self.row = 0  # rows before the current one
        self.row_repeat = 1
        self.column = 0  # cells before the current one, in the current row
        self.cell_repeat = 1
        self.cell_used = False
        self.row_last_column = 0  # last used column of the current row

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == f"{_TABLE} table":
            self.table = attrs.get(f"{_TABLE} name")
            self.extent, self.row = Extent(), 0
        elif name == f"{_TABLE} table-row":
            self.row_repeat = int(attrs.get(f"{_TABLE} number-rows-repeated", "1"))
            self.column, self.row_last_column = 0, 0
        elif name in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            self.cell_repeat = int(attrs.get(f"{_TABLE} number-columns-repeated", "1"))
            self.cell_used = f"{_OFFICE} value-type" in attrs
        elif name.startswith(f"{_TEXT} "):
            self.cell_used = True

    def end(self, name: str) -> None:
        if name in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            self.column += self.cell_repeat
            if self.cell_used:
                self.row_last_column = self.column
        elif name == f"{_TABLE} table-row":
            self.row += self.row_repeat
            if self.row_last_column:
                self.extent.widen(self.row, self.row_last_column)
                check_extent(self.filename, self.table, self.extent)
        elif name == f"{_TABLE} table":
            check_extent(self.filename, self.table, self.extent)


def check_ods(data: bytes, filename: str) -> None:
    scan = _OdsScan(filename)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "content.xml" not in archive.namelist():
            return
        with archive.open("content.xml") as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)


def check_workbook(data: bytes, fmt: str, filename: str) -> None:
    """Refuse a workbook whose used range is too large, before a reader allocates it."""
    try:
        if fmt == "xlsx":
            check_xlsx(data, filename)
        elif fmt == "ods":
            check_ods(data, filename)
    except (
        zipfile.BadZipFile,
        zlib.error,
        expat.ExpatError,
        ValueError,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ):
        return  # a damaged file: the reader says so in its own words


def check_range(filename: str, sheet: str | None, height: int, width: int) -> None:
    """The reader's range of a sheet, before its cells become Python values."""
    check_extent(filename, sheet, Extent(height, width))
