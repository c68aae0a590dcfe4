"""Formula injection: every CSV and xlsx the app writes keeps formula-like text as text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from dashboard.widgets import csv_for_excel
from domain.spreadsheet_cells import (
    FORMULA_STARTS,
    neutralise_frame,
    neutralise_text,
    write_cell,
    write_text_cell,
)
from indicators.small_counts import suppress
from reports import templates
from reports.quarantine_report import REPORT_SHEET, quarantine_workbook

EVIL = ['=HYPERLINK("http://x","clic")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _save(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _calamine(data: bytes, sheet: str | None = None) -> list[list]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    chosen = workbook.get_sheet_by_name(sheet) if sheet else workbook.get_sheet_by_index(0)
    return chosen.to_python()


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # "CSV UTF-8", as French Excel expects
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


# --- text values ------------------------------------------------------------------------------


def test_the_six_starts():
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
    assert [neutralise_text(v) for v in EVIL] == ["'" + v for v in EVIL]


@pytest.mark.parametrize(
    "value", [-2, -2.5, 0, None, "", "Lille", "A-12", " =1", "'=deja", "2025-01-05"]
)
def test_other_values_are_untouched(value):
    assert neutralise_text(value) is value


# --- CSV --------------------------------------------------------------------------------------


def test_exported_csv_opens_formula_like_text_as_text():
    frame = pd.DataFrame(
        {
            "valeur": [*EVIL, "Lille"],
            "nombre": [-2, -1, 0, 1, 2, 3, -5],
            "taux": [-0.5, 0.25, 1.0, -1.5, 0.0, 2.0, -3.25],
            "mixte": ["=1", -3, 4.5, None, "-x", "ok", -7],
        }
    )
    rows = _csv_rows(csv_for_excel(frame))
    assert rows[0] == ["valeur", "nombre", "taux", "mixte"]
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("http://x","clic")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Lille",
    ]
    # Real negative numbers stay numbers (decimal comma), in numeric and in mixed columns.
    assert [r[1] for r in rows[1:]] == ["-2", "-1", "0", "1", "2", "3", "-5"]
    assert [r[2] for r in rows[1:]] == ["-0,5", "0,25", "1,0", "-1,5", "0,0", "2,0", "-3,25"]
    assert [r[3] for r in rows[1:]] == ["'=1", "-3", "4,5", "", "'-x", "ok", "-7"]
    assert frame["valeur"].iloc[0] == EVIL[0]  # the caller's frame is not modified


def test_exported_csv_bytes():
    frame = pd.DataFrame({"=cmd": ["@SUM(A1)"], "n": [-2], "x": [-2.5]})
    assert csv_for_excel(frame) == "\ufeff'=cmd;n;x\r\n'@SUM(A1);-2;-2,5\r\n".encode()


def test_a_carriage_return_cannot_start_a_new_row():
    """A bare CR is a row break for Excel: a cell holding one is quoted, so "a\\r=1+1"
    cannot put "=1+1" at the start of a row of its own."""
    frame = pd.DataFrame({"v": ["a\r=1+1", "\r=2", "b\n@x"], "n": [1, 2, 3]})
    data = csv_for_excel(frame)
    assert data == '\ufeffv;n\r\n"a\r=1+1";1\r\n"\'\r=2";2\r\n"b\n@x";3\r\n'.encode()
    assert _csv_rows(data)[1:] == [["a\r=1+1", "1"], ["'\r=2", "2"], ["b\n@x", "3"]]


def test_suppressed_table_exports_with_decimal_commas():
    table = pd.DataFrame(
        {"lieu": ["A", "B", "C"], "inscrits": [4, 30, 40], "taux": [0.5, 0.125, -0.25]}
    )
    shown = suppress(table, ["inscrits"], rates={"taux": "inscrits"}, threshold=11).display
    assert shown["taux"].dtype == object  # floats among None: `decimal=","` alone skips them
    assert _csv_rows(csv_for_excel(shown)) == [
        ["lieu", "inscrits", "taux"],
        ["A", "< 11", ""],
        ["B", "< 11", ""],
        ["C", "40", "-0,25"],  # a negative number, without apostrophe
    ]


def test_string_and_category_columns_are_neutralised():
    frame = pd.DataFrame(
        {
            "texte": pd.Series(["=1+1", "b"], dtype="string"),
            "categorie": pd.Series(["+33 6", "b"], dtype="category"),
            "entier": pd.Series([-4, 5], dtype="Int64"),
        }
    )
    safe = neutralise_frame(frame)
    assert safe["texte"].tolist() == ["'=1+1", "b"]
    assert safe["categorie"].astype(object).tolist() == ["'+33 6", "b"]
    assert safe["entier"].tolist() == [-4, 5] and safe["entier"].dtype == "Int64"
    assert frame["texte"].tolist() == ["=1+1", "b"]


def test_duplicate_column_labels_are_handled():
    frame = pd.DataFrame([["=a", "-b"]], columns=["x", "x"])
    assert neutralise_frame(frame).iloc[0].tolist() == ["'=a", "'-b"]


# --- xlsx -------------------------------------------------------------------------------------


def test_xlsx_text_cells_stay_text_after_reload():
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, value in enumerate([*EVIL, "#N/A"], start=1):
        write_text_cell(ws.cell(row=row, column=1), value)
    write_cell(ws.cell(row=1, column=2), -2)
    write_cell(ws.cell(row=2, column=2), -2.5)
    write_cell(ws.cell(row=3, column=2), float("nan"))
    write_cell(ws.cell(row=4, column=2), "=1+1", apostrophe=True)
    ws.cell(row=1, column=3).value = "=1+1"  # what openpyxl does without the helper
    data = _save(wb)

    reloaded = openpyxl.load_workbook(io.BytesIO(data)).active
    assert reloaded["C1"].data_type == "f"  # the danger is real
    for row, value in enumerate([*EVIL, "#N/A"], start=1):
        cell = reloaded.cell(row=row, column=1)
        assert (cell.data_type, cell.value) == ("s", value), row
        assert cell.quotePrefix == (value in EVIL)  # Excel keeps it as text when edited
    assert (reloaded["B1"].data_type, reloaded["B1"].value) == ("n", -2)
    assert (reloaded["B2"].data_type, reloaded["B2"].value) == ("n", -2.5)
    assert reloaded["B3"].value is None
    assert (reloaded["B4"].data_type, reloaded["B4"].value) == ("s", "'=1+1")

    cells = _calamine(data)
    assert [r[0] for r in cells] == [*EVIL, "#N/A"]  # the original text, not a result
    assert cells[0][1] == -2 and cells[1][1] == -2.5
    # A formula cell has no cached result to read: its text does not come back.
    assert "=1+1" not in [value for row in cells for value in row]


def test_characters_an_xlsx_cannot_hold_are_dropped():
    wb = openpyxl.Workbook()
    cell = write_text_cell(wb.active["A1"], "A\x0112\x1f")
    assert cell.value == "A12" and cell.data_type == "s"
    assert openpyxl.load_workbook(io.BytesIO(_save(wb))).active["A1"].value == "A12"


def test_quarantine_report_reads_back_as_text():
    rows = pd.DataFrame(
        {
            "ligne": range(2, 2 + len(EVIL)),
            "colonne": ["Commune"] * len(EVIL),
            "motif": EVIL,
            "id_source": EVIL,
        }
    )
    data = quarantine_workbook({"fichier": "=cmd.csv", "lignes_lues": 6}, rows)
    cells = _calamine(data, REPORT_SHEET)
    assert cells[1][1] == "'=cmd.csv"
    body = cells[9:]
    assert [r[1] for r in body] == ["'" + v for v in EVIL]
    assert [r[3] for r in body] == ["'" + v for v in EVIL]
    ws = openpyxl.load_workbook(io.BytesIO(data))[REPORT_SHEET]
    kinds = {c.data_type for r in ws.iter_rows() for c in r if c.value is not None}
    assert kinds == {"s", "n"}


def test_templates_write_every_text_as_text(monkeypatch):
    monkeypatch.setattr(templates, "_description", lambda kind, f: EVIL[0])
    data = templates.association_template()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
    aide = wb[templates.HELP_SHEET]
    assert aide["B5"].value == EVIL[0] and aide["B5"].data_type == "s"
    assert aide["B5"].quotePrefix
    assert _calamine(data, templates.HELP_SHEET)[4][1] == EVIL[0]
    # The list validations are still real formulas pointing at the hidden sheet.
    data_ws = wb[templates.DATA_SHEET]
    assert any(
        (dv.formula1 or "").startswith("'Listes'!")
        for dv in data_ws.data_validations.dataValidation
    )


def test_the_workbook_inside_a_deck_chart_keeps_formula_like_names_as_text():
    """python-pptx writes a native chart's data with XlsxWriter: the names (categories,
    series) are neutralised as in the product's other workbooks."""
    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    from reports.deck_charts import SafeChartData

    data = SafeChartData(number_format="0")
    data.categories = [*EVIL, "Envol Mentorat Nord", "#N/A"]
    data.add_series("=SOMME(A1:A9)", range(len(EVIL) + 2))
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    size = (0, 0, Inches(6), Inches(4))
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, *size, data).chart
    blob = chart.part.chart_workbook.xlsx_part.blob
    sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
    names = [sheet.cell(row=r, column=1) for r in range(2, len(EVIL) + 4)]
    # XlsxWriter writes a carriage return as Excel's escape "_x000D_", which Excel reads
    # back as the character (openpyxl leaves it as written).
    texts = [c.value.replace("_x000D_", "\r") for c in names]
    assert texts == [*EVIL, "Envol Mentorat Nord", "#N/A"]
    assert {c.data_type for c in names} == {"s"}
    assert [c.quotePrefix for c in names] == [True] * len(EVIL) + [False, False]
    assert (sheet["B1"].value, sheet["B1"].data_type, sheet["B1"].quotePrefix) == (
        "=SOMME(A1:A9)",
        "s",
        True,
    )
    assert [sheet.cell(row=r, column=2).value for r in range(2, 4)] == [0, 1]
