"""The comité de pilotage workbook: the pack (indicators/committee.py) laid out in Excel.

Sheets: « Sommaire » (period, scope, comparison, data dates, small counts, a link to every
sheet), « Chiffres clés », one sheet per section (its table, key figures, note and
definition, and a native Excel chart drawn from the table's cells, the offline map under
it on the map's section), « Alertes » and « Définitions ». Nothing is computed here: every
value comes from the pack. Figures are stored as numbers with the number format of their
unit (a share as its fraction, shown "53,3 %" by a French Excel); a hidden small count
« < 11 » is text in a number column. Every string goes through the formula-neutralising
writer (`domain.spreadsheet_cells`), so a name such as "=HYPERLINK(…)" stays inert text.
"""

from __future__ import annotations

import io
import math
import re

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from domain.spreadsheet_cells import write_cell
from indicators.catalogue import entry
from indicators.committee import Chart, Pack, Section, period_words
from reports.formats import number_format

CREATOR = "Pilotage du mentorat ASE"
TITLE = "Comité de pilotage du mentorat"
SUMMARY, FIGURES, ALERTS, DEFINITIONS = "Sommaire", "Chiffres clés", "Alertes", "Définitions"
TITLE_FONT, BOLD = Font(bold=True, size=14), Font(bold=True)
LINK_FONT = Font(color="0563C1", underline="single")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="bottom")
RIGHT = Alignment(horizontal="right")
HEADER_ROW = 3  # a section's table: title in row 1, header in row 3, values below
CHART_CM = 16.0  # width of a chart
# words a shortened sheet name does not end with
LINK_WORDS = {"à", "au", "aux", "de", "des", "du", "en", "et", "la", "le", "les", "par", "plus"}


def workbook(pack: Pack, *, map_png: bytes | None = None) -> bytes:
    """The pack as an xlsx file (bytes); `map_png` (reports/map_picture.py) is placed under
    the chart of the section that shows the map."""
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY
    names = _sheet_names([SUMMARY, FIGURES, ALERTS, DEFINITIONS], pack.sections)
    contents = [(FIGURES, "Les chiffres clés de la période, comparés à la période de comparaison.")]
    _figures(wb.create_sheet(FIGURES), pack)
    for section in pack.sections:
        name = names[section.id]
        _section(wb.create_sheet(name), section, map_png if section.picture == "carte" else None)
        contents.append((name, f"{section.title} : tableau, graphique et définition."))
    _alerts(wb.create_sheet(ALERTS), pack)
    contents.append((ALERTS, "Les alertes du moment et ce qu'il faut faire."))
    _definitions(wb.create_sheet(DEFINITIONS), pack)
    contents.append((DEFINITIONS, "La définition de chaque chiffre et de chaque tableau."))
    _summary(summary, pack, contents)
    wb.properties.title = pack.frozen_label or TITLE
    wb.properties.subject = f"Période {period_words(pack.du, pack.au)}"
    wb.properties.creator = CREATOR
    for sheet in wb.worksheets:
        _printable(sheet)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid sheet name from a title: no `[]:*?/\\`, ≤ 31 characters (cut at a word when
    that keeps most of it), no ASCII apostrophe, unique (Excel ignores case)."""
    text = re.sub(r"[\x00-\x1f]", " ", title).replace("'", "’")
    text = re.sub(r"[:/]", "-", text)
    text = re.sub(r"\s+", " ", re.sub(r"[\[\]*?\\]", "", text)).strip(" -") or "Tableau"
    if len(text) > 31:
        words = text[:32].split(" ")[:-1]  # whole words only
        while words and (words[-1].casefold() in LINK_WORDS or words[-1] == "-"):
            words.pop()
        cut = " ".join(words)
        text = cut if len(cut) >= 20 else text[:30].rstrip() + "…"
    name, n = text, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name, n = text[: 31 - len(suffix)].rstrip() + suffix, n + 1
    taken.add(name.casefold())
    return name


def _sheet_names(fixed: list[str], sections: list[Section]) -> dict[str, str]:
    taken = {name.casefold() for name in fixed}
    return {section.id: sheet_name(section.title, taken) for section in sections}


def _printable(ws: Worksheet) -> None:
    """Printed in landscape, each sheet as wide as one page (as many pages long as needed)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _text(ws: Worksheet, row: int, column: int, value: str | None, font: Font | None = None):
    cell = write_cell(ws.cell(row=row, column=column), value)
    if font is not None:
        cell.font = font
    return cell


def _value(ws: Worksheet, row: int, column: int, value, fmt: str):
    """A figure: a number with its format; a string (a hidden « < 11 ») right-aligned."""
    cell = write_cell(ws.cell(row=row, column=column), value)
    if isinstance(value, str):
        cell.alignment = RIGHT
    elif value is not None:
        cell.number_format = fmt
    return cell


def _is_figure(column: str) -> bool:
    try:
        return entry(column).is_figure
    except KeyError:
        return False


def _paragraph(ws: Worksheet, row: int, text: str, columns: int) -> None:
    """`text` in a wrapped cell merged over `columns` columns, tall enough to be read."""
    _text(ws, row, 1, text).alignment = WRAP
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    width = sum(
        ws.column_dimensions[get_column_letter(c)].width or 13 for c in range(1, columns + 1)
    )
    lines = sum(max(1, math.ceil(len(part) * 1.1 / width)) for part in text.split("\n"))
    ws.row_dimensions[row].height = min(409, 15 * lines + 3)


def _header(ws: Worksheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = _text(ws, row, column, title, BOLD)
        cell.fill, cell.alignment = HEADER_FILL, HEADER_ALIGN


def _summary(ws: Worksheet, pack: Pack, contents: list[tuple[str, str]]) -> None:
    _text(ws, 1, 1, pack.frozen_label or TITLE, Font(bold=True, size=16))
    hidden = pack.threshold - 1
    small = (
        f"Effectifs de 1 à {hidden} masqués (diffusion aux partenaires)"
        if pack.small_counts_hidden
        else f"Tous les effectifs affichés, y compris de 1 à {hidden} (usage interne)"
    )
    lines = [
        ("Période", period_words(pack.du, pack.au)),
        ("Périmètre", pack.scope_label),
        ("Comparaison", pack.comparison_words),
        ("Document produit", pack.generated),
    ]
    if pack.data_version:
        lines.append(("Version des données", pack.data_version))
    if pack.frozen_on:
        lines.append(("Statut", f"Figé {pack.frozen_on}"))
    if pack.last_comite_label:
        lines.append(("Dernier comité", pack.last_comite_label))
    lines.append(("Petits effectifs", small))
    lines += [("Date des données", f"{source} : {day}") for source, day in pack.sources]
    row = 3
    for label, value in lines:
        _text(ws, row, 1, label, BOLD)
        _text(ws, row, 2, value)
        row += 1
    _text(ws, row + 1, 1, "Onglets du classeur", Font(bold=True, size=12))
    for offset, (name, what) in enumerate(contents, start=row + 2):
        link = _text(ws, offset, 1, name, LINK_FONT)
        link.hyperlink = f"#{quote_sheetname(name)}!A1"
        _text(ws, offset, 2, what)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90


def _figures(ws: Worksheet, pack: Pack) -> None:
    _text(ws, 1, 1, FIGURES, TITLE_FONT)
    period = period_words(pack.du, pack.au)
    _text(ws, 2, 1, f"Période {period} ; comparaison : {pack.comparison_words}.")
    titles = ["Indicateur", "Sur la période", "Période de comparaison", "Évolution"]
    if pack.last_comite_label:
        titles += [pack.last_comite_label, "Évolution depuis le dernier comité"]
    _header(ws, HEADER_ROW, titles)
    for row, figure in enumerate(pack.figures, start=HEADER_ROW + 1):
        item = entry(figure.id)
        fmt = number_format(item.unit)
        _text(ws, row, 1, item.name)
        _value(ws, row, 2, figure.now, fmt)
        _value(ws, row, 3, figure.before, fmt)
        _value(ws, row, 4, figure.change.text, fmt)
        if pack.last_comite_label:
            _value(ws, row, 5, figure.last_comite, fmt)
            _value(ws, row, 6, figure.since_last_comite.text, fmt)
    for column, width in zip("ABCDEF", (44, 16, 18, 14, 18, 20), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"


def _section(ws: Worksheet, section: Section, map_png: bytes | None) -> None:
    _text(ws, 1, 1, section.title, TITLE_FONT)
    _header(ws, HEADER_ROW, [section.header(c) for c in section.columns])
    figures = [_is_figure(c) for c in section.columns]
    formats = [number_format(entry(c).unit) if _is_figure(c) else None for c in section.columns]
    for row, values in enumerate(section.rows, start=HEADER_ROW + 1):
        for column, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            if fmt:
                _value(ws, row, column, value, fmt)
            else:
                _text(ws, row, column, value)
    last = HEADER_ROW + len(section.rows)
    width = len(section.columns)
    _widths(ws, section, figures)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width)}{last}"
    row = last + 2
    if section.figures:
        _text(ws, row, 1, "Chiffres clés", BOLD)
        for at, (id_, value) in enumerate(section.figures, start=row + 1):
            _text(ws, at, 1, entry(id_).name).alignment = WRAP
            _value(ws, at, 2, value, number_format(entry(id_).unit))
        row += len(section.figures) + 2
    span = max(width, 3)
    if section.note:
        _paragraph(ws, row, section.note, span)
        row += 2
    _text(ws, row, 1, "Définition", BOLD)
    _paragraph(ws, row + 1, section.definition, span)
    chart_rows = 0
    if section.chart is not None and section.rows:
        chart_rows = _chart(ws, section, last, width + 2)
    if map_png:
        picture = Image(io.BytesIO(map_png))
        scale = 800 / picture.width
        picture.width, picture.height = 800, round(picture.height * scale)
        ws.add_image(picture, f"{get_column_letter(width + 2)}{HEADER_ROW + chart_rows + 2}")


def _widths(ws: Worksheet, section: Section, figures: list[bool]) -> None:
    for column, (name, figure) in enumerate(zip(section.columns, figures, strict=True), start=1):
        header = section.header(name)
        if figure:
            width = min(22, max(12, len(header) * 0.6 + 2))
        else:
            longest = max([len(str(v)) for v in section.column(name) if v is not None] or [0])
            width = min(55, max(14, longest + 2, max(map(len, header.split()), default=0) + 2))
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.row_dimensions[HEADER_ROW].height = 45


def _chart(ws: Worksheet, section: Section, last: int, anchor_column: int) -> int:
    """The section's native chart, right of the table; the number of rows it covers."""
    spec: Chart = section.chart
    n = len(section.rows)
    if spec.kind == "courbes":
        chart = LineChart()
        height = 8.0
    else:
        chart = BarChart()
        chart.type = "bar" if spec.kind == "barres" else "col"
        chart.grouping = "clustered"
        many = n * len(spec.series)
        height = max(7.5, 0.55 * many + 3) if spec.kind == "barres" else 8.0
        if spec.kind == "barres":  # first row on top, value axis at the bottom
            chart.x_axis.scaling.orientation = "maxMin"
            chart.y_axis.crosses = "max"
    chart.title = spec.title
    chart.style = 10
    chart.width, chart.height = CHART_CM, min(height, 24.0)
    chart.y_axis.number_format = number_format(spec.unit)
    chart.x_axis.delete = chart.y_axis.delete = False  # axes shown by recent Excel versions
    chart.legend.position = "b"
    if len(spec.series) == 1:
        chart.legend = None
    column = section.columns.index(spec.categories) + 1
    letter = get_column_letter(column)
    categories = f"{quote_sheetname(ws.title)}!${letter}${HEADER_ROW + 1}:${letter}${last}"
    for name in spec.series:
        at = section.columns.index(name) + 1
        data = Reference(ws, min_col=at, min_row=HEADER_ROW, max_row=last)
        chart.add_data(data, titles_from_data=True)
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=categories))
        if spec.kind == "courbes":
            series.smooth = False
    ws.add_chart(chart, f"{get_column_letter(anchor_column)}{HEADER_ROW}")
    return math.ceil(chart.height / 0.53)


def _alerts(ws: Worksheet, pack: Pack) -> None:
    _text(ws, 1, 1, ALERTS, TITLE_FONT)
    _text(ws, 2, 1, f"À la fin de la période ({period_words(pack.du, pack.au)}).")
    _header(ws, HEADER_ROW, ["État", "Constat", "À faire"])
    for row, alert in enumerate(pack.alerts, start=HEADER_ROW + 1):
        found = alert.get("finding") is not None
        _text(ws, row, 1, "À traiter" if found else "Rien à signaler", BOLD if found else None)
        _text(ws, row, 2, alert["finding"] if found else alert.get("calm"))
        _text(ws, row, 3, alert.get("action") if found else None)
        for column in (1, 2, 3):
            ws.cell(row=row, column=column).alignment = WRAP
    for column, width in zip("ABC", (16, 70, 80), strict=True):
        ws.column_dimensions[column].width = width


def _definitions(ws: Worksheet, pack: Pack) -> None:
    _text(ws, 1, 1, DEFINITIONS, TITLE_FONT)
    _header(ws, HEADER_ROW, ["Indicateur", "Définition"])
    row = HEADER_ROW + 1
    for name, definition in pack.definitions():
        _text(ws, row, 1, name).alignment = WRAP
        _text(ws, row, 2, definition).alignment = WRAP
        row += 1
    _header(ws, row + 1, ["Tableau", "Définition"])
    for at, section in enumerate(pack.sections, start=row + 2):
        _text(ws, at, 1, section.title).alignment = WRAP
        _text(ws, at, 2, section.definition).alignment = WRAP
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 110
