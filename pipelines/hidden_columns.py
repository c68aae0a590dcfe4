"""The columns an xlsx sheet hides (`<col hidden="1">`), which calamine does not say.

Only the head of the sheet's XML is read, up to its data (`<sheetData>`, after which no
column is declared), at most `HEAD_BYTES`: a regular expression over that text, no XML
parser, so no entity or doctype in a file can cost anything. A workbook whose parts cannot
be found gives no hidden column: the columns are then all taken as visible, as before.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

HEAD_BYTES = 1 << 20
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_COL = re.compile(rb"<(?:\w+:)?col\b[^>]*>")
_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def _head(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        return part.read(HEAD_BYTES)


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member of the sheet named `sheet`, from the workbook and its relationships."""
    rid = None
    for tag in _SHEET.findall(_head(archive, "xl/workbook.xml")):
        attrs = _attrs(tag)
        if attrs.get("name") == sheet:
            rid = attrs.get("id")
            break
    if rid is None:
        return None
    for tag in _REL.findall(_head(archive, "xl/_rels/workbook.xml.rels")):
        attrs = _attrs(tag)
        if attrs.get("Id") == rid:
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return posixpath.normpath(path)
    return None


def hidden_columns(data: bytes, sheet: str) -> frozenset[int]:
    """0-based positions of the hidden columns of sheet `sheet` of an xlsx."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _sheet_part(archive, sheet)
            if part is None or part not in archive.namelist():
                return frozenset()
            head = _head(archive, part)
    except (zipfile.BadZipFile, KeyError, OSError):
        return frozenset()
    data_at = _DATA.search(head)
    head = head[: data_at.start()] if data_at else head
    hidden: set[int] = set()
    for tag in _COL.findall(head):
        attrs = _attrs(tag)
        if attrs.get("hidden") not in ("1", "true"):
            continue
        try:
            first, last = int(attrs["min"]), int(attrs["max"])
        except (KeyError, ValueError):
            continue
        hidden.update(range(first - 1, min(last, first + 16384)))
    return frozenset(hidden)
