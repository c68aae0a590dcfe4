"""The report of refused rows sent back to an association: content, highlighting, and no
formula smuggled in through a value of the association's file."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd

from pipelines.api import ingest
from reports.quarantine_report import (
    HEADERS,
    HELP_SHEET,
    REPORT_SHEET,
    quarantine_workbook,
    report_filename,
)
from store import queries
from tests.helpers import csv_bytes
from tests.test_ingest import HEADER, ROW_A1, ROW_A2, ROW_BAD_DATE

HEADER_ROW = 9  # title + 6 lines of the title block + a blank line


def read(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def body(ws) -> list[tuple]:
    return [tuple(c.value for c in r) for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=4)]


def test_hand_made_import_is_listed_highlighted_and_neutralised():
    lot = {
        "id": 7,
        "fichier": "envol.csv",
        "importe_le": dt.datetime(2025, 1, 5, 10, 30),  # naive UTC, as SQLite gives it back
        "association": "Envol",
        "lignes_lues": 5,
        "lignes_chargees": 3,
        "lignes_en_quarantaine": 2,
    }
    rows = pd.DataFrame(
        {
            "ligne": [6, 4, 4],
            "colonne": ["Commune", "Né(e) le", "Date d'inscription"],
            "motif": ["commune inconnue", "date impossible", "date manquante"],
            "id_source": ['=HYPERLINK("http://x")', "A3", "A3"],
        }
    )
    wb = read(quarantine_workbook(lot, rows))
    assert wb.sheetnames == [REPORT_SHEET, HELP_SHEET]
    ws = wb[REPORT_SHEET]
    block = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 8)}
    assert block["Fichier"] == "envol.csv" and block["Association"] == "Envol"
    assert block["Importé le"] == "05/01/2025 11:30"  # Paris time, winter
    assert (block["Lignes lues"], block["Lignes chargées"], block["Lignes refusées"]) == (5, 3, 2)
    assert tuple(c.value for c in ws[HEADER_ROW]) == HEADERS
    assert all(c.font.bold for c in ws[HEADER_ROW])
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:D{HEADER_ROW + 3}"
    assert body(ws) == [
        (4, "A3", "Date d'inscription", "date manquante"),
        (4, "A3", "Né(e) le", "date impossible"),
        (6, '\'=HYPERLINK("http://x")', "Commune", "commune inconnue"),
    ]
    evil = ws.cell(HEADER_ROW + 3, 2)
    assert evil.data_type == "s" and not str(evil.value).startswith("=")
    for r in range(HEADER_ROW + 1, HEADER_ROW + 4):
        assert ws.cell(r, 4).fill.fgColor.rgb == "00FFC7CE"
        assert ws.cell(r, 2).fill.fill_type is None  # only the reasons are highlighted
    # no identity beyond the association's own record id
    assert ws.max_column == 4
    help_text = " ".join(str(c.value) for c in wb[HELP_SHEET]["A"])
    assert "Renvoyez le fichier complet" in help_text


def test_every_formula_start_is_neutralised():
    starts = ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"]
    rows = pd.DataFrame(
        {
            "ligne": range(2, 2 + len(starts)),
            "colonne": starts,
            "motif": starts,
            "id_source": starts,
        }
    )
    lot = {"fichier": "=cmd.csv", "importe_le": None, "lignes_lues": 6}
    ws = read(quarantine_workbook(lot, rows))[REPORT_SHEET]
    assert ws["B2"].value == "'=cmd.csv"
    for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(starts)):
        for c in (2, 3, 4):
            cell = ws.cell(r, c)
            assert cell.data_type == "s" and cell.value.startswith("'"), (r, c, cell.value)


def test_empty_quarantine_still_gives_a_valid_workbook():
    rows = pd.DataFrame(columns=["ligne", "colonne", "motif", "id_source"])
    ws = read(quarantine_workbook({"fichier": "vide.csv"}, rows))[REPORT_SHEET]
    assert tuple(c.value for c in ws[HEADER_ROW]) == HEADERS
    assert report_filename({"fichier": "export mars/2025.csv"}) == (
        "lignes-refusees-export-mars-2025.xlsx"
    )


def test_real_import_report_lists_the_bad_line(engine, key):
    data = csv_bytes([HEADER, ROW_A1, ROW_A2, ROW_BAD_DATE])
    report = ingest(engine, data, "envol.csv", key, association="Envol")
    assert report.statut == "charge" and report.lignes_en_quarantaine == 1
    with engine.connect() as conn:
        lot = queries.import_history(conn).to_dict("records")[0]
        rows = queries.quarantine_of_import(conn, int(lot["id"]))
    ws = read(quarantine_workbook(lot, rows))[REPORT_SHEET]
    listed = body(ws)
    assert len(listed) == 1
    line, record, column, reason = listed[0]
    assert (line, record, column) == (4, "A3", "Né(e) le")
    assert reason == rows["motif"].iloc[0] and reason
    assert ws["B2"].value == "envol.csv" and ws["B5"].value == 3 and ws["B7"].value == 1
    # the youth's name never reaches the report
    everything = " ".join(str(c.value) for r in ws.iter_rows() for c in r)
    assert "Leroy" not in everything and "Tom" not in everything
