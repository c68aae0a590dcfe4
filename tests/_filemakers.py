"""Builders of small test files (xlsx, ods, xls, OLE2 containers, zips) made in memory."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl

KNOWN_HEADERS = {
    "identifiant",
    "nom",
    "prénom",
    "date de naissance",
    "date d'inscription",
    "code insee",
    "commune",
}


def score(cells: list[str]) -> float:
    """Test scorer: how many cells are known header names (case-insensitive)."""
    return float(sum(1 for c in cells if c.lower() in KNOWN_HEADERS))


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An xlsx whose sheets hold these rows (row 1 first; None leaves a cell empty)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def docx_bytes() -> bytes:
    """The skeleton of a Word document (enough to be recognised as one)."""
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        }
    )


_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def cfb_bytes(stream_names: list[str]) -> bytes:
    """A minimal, valid OLE2 compound file (512-byte sectors) holding empty streams.

    Enough for the directory to be read: with "EncryptionInfo" and "EncryptedPackage" it has
    the layout of a password-protected xlsx; with "Workbook", of an (empty, unreadable) xls.
    """
    entries = [("Root Entry", 5)] + [(n, 2) for n in stream_names]
    n_dir = (len(entries) + 3) // 4
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIII", header, 0x2C, 1, 1, 0, 4096, _END)  # FAT count, first dir...
    struct.pack_into("<III", header, 0x40, 0, _END, 0)  # mini FAT count, DIFAT start, count
    struct.pack_into("<109I", header, 0x4C, 0, *([_FREE] * 108))
    fat = [_FATSECT] + [i + 1 for i in range(1, n_dir)] + [_END]
    fat += [_FREE] * (128 - len(fat))
    directory = bytearray()
    for i, (name, kind) in enumerate(entries):
        entry = bytearray(128)
        raw = name.encode("utf-16-le")
        entry[0 : len(raw)] = raw
        child = 1 if kind == 5 and len(entries) > 1 else _NOSTREAM
        right = i + 1 if kind == 2 and i + 1 < len(entries) else _NOSTREAM
        struct.pack_into("<HBB", entry, 64, len(raw) + 2, kind, 1)
        struct.pack_into("<III", entry, 68, _NOSTREAM, right, child)
        struct.pack_into("<IQ", entry, 116, _END, 0)
        directory += entry
    empty = bytearray(128)
    struct.pack_into("<III", empty, 68, _NOSTREAM, _NOSTREAM, _NOSTREAM)
    while len(directory) < n_dir * 512:
        directory += empty
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory)
