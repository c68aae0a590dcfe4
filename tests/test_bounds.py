"""Hostile shapes that once ended the process: a few kilobytes that ask the reader for
millions of cells. Each is refused from the file's own structure, before any reader
allocates the sheet, with one French message; memory stays small."""

from __future__ import annotations

import io
import re
import resource
import zipfile

import openpyxl
import pandas as pd
import pytest

from pipelines.api import ingest
from pipelines.bounds import MAX_CELLS, MAX_ROWS
from pipelines.errors import IngestError
from pipelines.extract import read_table
from pipelines.mapping import header_score
from tests.helpers import counts

HEADER = ["N° dossier", "Nom", "Prénom", "Date de naissance", "Date d'inscription"]
ROW = ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025"]


def _xlsx(*far_cells: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(ROW)
    for ref in far_cells:
        ws[ref] = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _rss_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


@pytest.mark.parametrize("far", ["XFD1048576", "A1048576", "CV1048576", "ALL5000"])
def test_one_far_cell_is_refused_before_the_reader_allocates(far):
    data = _xlsx(far)
    assert len(data) < 10_000
    before = _rss_mib()
    with pytest.raises(IngestError) as refused:
        read_table(data, "bombe.xlsx", header_score)
    assert "au-delà de ce que l'import accepte" in refused.value.message
    assert "supprimez les lignes et colonnes vides" in refused.value.message
    assert _rss_mib() - before < 200  # the 512 GB sheet was never built


def test_a_lying_dimension_is_refused_too():
    data = _xlsx()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', content
                )
            target.writestr(item, content)
    with pytest.raises(IngestError, match="1\u202f048\u202f576 lignes et 16\u202f384 colonnes"):
        read_table(out.getvalue(), "bombe.xlsx", header_score)


@pytest.mark.parametrize(
    ("xml", "extent"),
    [
        (b'<dimension ref="A1:C2"/><row r="2" spans="1:3"><c r="AB7" t="s"/></row>', (7, 28)),
        (b'<row r="9"><c r="B9"/></row><row r="300001"/>', (300_001, 2)),
        # another separator than a space before `r`: searched tag by tag, as before
        (b'<row\tr="4"><c\tr="XFD4"/></row>', (4, 16_384)),
        (b'<row r="2"><c\nr="ZZ12"/></row>', (12, 702)),
    ],
)
def test_an_xlsx_sheets_extent_is_its_furthest_reference(xml, extent):
    from pipelines.bounds import xlsx_extent

    found = xlsx_extent(io.BytesIO(b"<worksheet><sheetData>" + xml + b"</sheetData></worksheet>"))
    assert (found.rows, found.columns) == extent


def test_an_ods_cell_repeated_over_the_sheet_is_refused():
    pytest.importorskip("odf")
    buffer = io.BytesIO()
    pd.DataFrame([ROW], columns=HEADER).to_excel(buffer, engine="odf", index=False)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "content.xml":
                bomb = (
                    b'<table:table-row table:number-rows-repeated="100000">'
                    b'<table:table-cell table:number-columns-repeated="1000" '
                    b'office:value-type="float" office:value="1"/></table:table-row>'
                    b"</table:table>"
                )
                content = content.replace(b"</table:table>", bomb, 1)
            target.writestr(item, content)
    with pytest.raises(IngestError, match="100\u202f002 lignes et 1\u202f000 colonnes"):
        read_table(out.getvalue(), "bombe.ods", header_score)


def test_an_xls_cell_at_the_formats_corner_is_refused_as_too_large():
    """xls caps a sheet at 65,536 × 256 by format; the reader's range is checked before its
    cells become Python values, and the message is the caps', not « endommagé »."""
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Export")
    for column, value in enumerate(HEADER):
        sheet.write(0, column, value)
    for column, value in enumerate(ROW):
        sheet.write(1, column, value)
    sheet.write(65535, 255, 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(IngestError, match="65\u202f536 lignes et 256 colonnes"):
        read_table(buffer.getvalue(), "bombe.xls", header_score)


def test_a_csv_of_too_many_rows_is_refused_while_it_is_read():
    lines = (
        ";".join(HEADER)
        + "\n"
        + "\n".join(f"A{i};X;Y;05/03/2009;10/01/2025" for i in range(MAX_ROWS + 1))
    )
    with pytest.raises(IngestError, match="au-delà de ce que l'import accepte"):
        read_table(lines.encode(), "long.csv", header_score)


def test_a_csv_of_too_many_cells_is_refused(engine, key):
    width = MAX_CELLS // 2000 + 1
    head = ";".join(HEADER + [f"Col {i}" for i in range(width - len(HEADER))])
    body = "\n".join(";".join(ROW + ["x"] * (width - len(ROW))) for _ in range(2000))
    report = ingest(engine, f"{head}\n{body}".encode(), "large.csv", key, association="E")
    assert report.statut == "rejete" and "au-delà" in report.erreurs[0]
    assert counts(engine)["imports"] == 0


@pytest.mark.parametrize(
    "xml",
    [
        b'<c r="A1"/><c r="AB12"/><c r="XFD300001"/>',
        b'<row r="7"/><c r="ABCD9"/><c r="A1234567890"/><c r="Z"/><c r="9x"/>',  # no match
        b'<c r="A007"/><c r="ZZ99" s="1"/><f ref="A1:B2" r1="C3"/>',
        b'<c r="B2"/>\n<c\tr="C3"/>',  # odd spellings: None, searched tag by tag
        b"<c r='D4'/>",
        b'<c r = "E5"/>',
        b'<c s="1"r="F6"/>',
        b'<c r="AA1',  # cut by the chunk's end
        b"",
    ],
)
def test_the_array_search_finds_what_the_regex_finds(xml):
    """`_fast_extent` is `_REF_FAST` and `_widen` computed on arrays; None exactly when
    the chunk spells a reference otherwise (`_ODD_REFS`)."""
    from pipelines.bounds import _ODD_REFS, _REF_FAST, Extent, _fast_extent, _widen

    expected = None
    if not any(odd in xml for odd in _ODD_REFS):
        extent = Extent()
        _widen(extent, _REF_FAST.findall(xml))
        expected = (extent.rows, extent.columns)
    assert _fast_extent(xml) == expected
