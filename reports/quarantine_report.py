"""The report of an import's refused rows, to send back to the association.

One row per (line, column, reason) of the quarantine, with the association's own record id
and nothing else about the youth (no name, no birth date: the quarantine never stores them).
Every text written comes from a file someone else sent: a value that a spreadsheet would
read as a formula (= + - @, tab, carriage return) is neutralised with a leading apostrophe
and stored as plain text (`domain.spreadsheet_cells`). Returns the file's bytes; nothing is
written to disk.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from domain.formatting import PARIS
from domain.spreadsheet_cells import write_cell

REPORT_SHEET = "Lignes refusées"
HELP_SHEET = "Explications"
HEADERS = (
    "Ligne (dans votre fichier)",
    "Identifiant (votre n° de dossier)",
    "Colonne",
    "Motif",
)
WIDTHS = (26, 34, 32, 90)
REASON_FILL = PatternFill("solid", fgColor="FFC7CE")  # light red
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WHOLE_ROW = "(toute la ligne)"

EXPLANATIONS = [
    "Pourquoi ce fichier ?",
    "Lors de l'import de votre fichier dans le tableau de bord du département, certaines "
    "lignes n'ont pas pu être chargées. Elles sont listées dans l'onglet « Lignes refusées ». "
    "Les autres lignes de votre fichier ont bien été prises en compte.",
    "Comment lire l'onglet « Lignes refusées » ?",
    "« Ligne » est le numéro de la ligne dans le fichier que vous avez envoyé (la ligne "
    "d'en-tête comprise), tel que l'affiche votre tableur. « Identifiant » est votre propre "
    "numéro de dossier, pour retrouver le jeune dans votre outil. « Colonne » est la colonne "
    "en cause et « Motif » explique ce qui ne va pas. Une même ligne peut apparaître "
    "plusieurs fois si plusieurs colonnes posent problème.",
    "Que faire ?",
    "1. Corrigez les valeurs indiquées dans votre outil ou dans votre fichier (date au format "
    "JJ/MM/AAAA, commune existante, valeur prise dans la liste proposée, etc.).",
    "2. Renvoyez le fichier complet au département, comme d'habitude : inutile d'envoyer "
    "seulement les lignes corrigées. Les lignes déjà chargées ne seront pas comptées deux "
    "fois.",
    "3. Si un motif vous semble incompréhensible ou erroné, contactez le service du "
    "département qui vous a transmis ce fichier.",
    "Confidentialité",
    "Ce fichier ne contient ni nom ni date de naissance : seulement vos numéros de dossier. "
    "Conservez-le et transmettez-le avec les mêmes précautions que vos propres exports.",
]
HELP_TITLES = {0, 2, 4, 8}  # indexes of EXPLANATIONS that are headings


def _text(value: object) -> object:
    """A value as it goes into a cell: text that would be a formula is neutralised."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def _put(ws: Worksheet, row: int, column: int, value: object):
    """Write one cell; a string is stored as text, apostrophe first if it starts like a
    formula."""
    return write_cell(ws.cell(row=row, column=column), _text(value), apostrophe=True)


def paris_minute(moment: dt.datetime | None) -> str:
    """A stored (UTC) moment as "dd/mm/yyyy HH:MM", Paris time."""
    if moment is None or pd.isna(moment):
        return "—"
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(PARIS):%d/%m/%Y %H:%M}"


def _count(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def quarantine_workbook(import_row: dict, rows: pd.DataFrame) -> bytes:
    """The refused rows of one import (`rows`: ligne, colonne, motif, id_source), as xlsx.

    `import_row` is one row of `store.queries.import_history` (fichier, importe_le,
    association, lignes_lues, lignes_chargees, lignes_en_quarantaine).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = REPORT_SHEET

    _put(ws, 1, 1, "Lignes refusées à l'import").font = Font(bold=True, size=14)
    block = [
        ("Fichier", import_row.get("fichier")),
        ("Importé le", paris_minute(import_row.get("importe_le"))),
        ("Association", import_row.get("association") or "—"),
        ("Lignes lues", _count(import_row.get("lignes_lues"))),
        ("Lignes chargées", _count(import_row.get("lignes_chargees"))),
        ("Lignes refusées", _count(import_row.get("lignes_en_quarantaine"))),
    ]
    for offset, (label, value) in enumerate(block):
        _put(ws, 2 + offset, 1, label).font = Font(bold=True)
        _put(ws, 2 + offset, 2, value).alignment = Alignment(horizontal="left")

    header_row = 2 + len(block) + 1
    for column, (title, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = _put(ws, header_row, column, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[cell.column_letter].width = width

    ordered = rows.sort_values(["ligne", "colonne"], na_position="first", kind="stable")
    row = header_row
    for row, item in enumerate(ordered.itertuples(index=False), start=header_row + 1):
        ws.cell(row=row, column=1, value=int(item.ligne))
        _put(ws, row, 2, item.id_source)
        _put(ws, row, 3, _text(item.colonne) or WHOLE_ROW)
        reason = _put(ws, row, 4, item.motif)
        reason.fill = REASON_FILL
        reason.alignment = Alignment(wrap_text=True, vertical="top")

    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:D{max(row, header_row + 1)}"

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.column_dimensions["A"].width = 110
    for index, text in enumerate(EXPLANATIONS, start=1):
        cell = _put(help_ws, index, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if index - 1 in HELP_TITLES:
            cell.font = Font(bold=True, size=12)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def report_filename(import_row: dict) -> str:
    """ "lignes-refusees-<file stem>.xlsx", safe for a download."""
    stem = str(import_row.get("fichier") or "import").rsplit(".", 1)[0]
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem).strip("-")
    return f"lignes-refusees-{safe or 'import'}.xlsx"
