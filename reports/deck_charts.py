"""The deck's native charts, drawn from a section's table, and the map's picture.

A chart is a PowerPoint chart with its data in an embedded workbook (« Modifier les
données » opens it): the categories are the table's descriptive column, one series per
figure column, a hidden small count « < 11 » or a missing value an empty point, never a
number. Every string written to that workbook stays text, even one starting with "=".
"""

from __future__ import annotations

import io
import math
from contextlib import contextmanager

from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.enum.chart import (
    XL_AXIS_CROSSES,
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
)
from pptx.parts.image import Image
from pptx.util import Inches, Pt
from xlsxwriter import Workbook

from domain.spreadsheet_cells import xlsx_text
from indicators.catalogue import entry, shown
from indicators.committee import Section
from reports.deck_tables import NOTHING, Box, Run, clean, fitting_size, height, para, text_box
from reports.formats import number_format

KINDS = {
    "barres": XL_CHART_TYPE.BAR_CLUSTERED,
    "colonnes": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "courbes": XL_CHART_TYPE.LINE_MARKERS,
}
CHART_SIZE = 12  # points: axis labels, data labels, legend
TITLE_SIZE = 14
NO_DATA = "Aucune donnée sur la période."
SIDE_SIZES = (16, 14, 13, 12)  # the key figures and note beside a chart
LONG_NAME = 30  # characters: a bar chart's names this long want the slide's width
GAP = Inches(0.15)


class _TextOnlyWriter(CategoryWorkbookWriter):
    """python-pptx's writer, with XlsxWriter told to keep strings as strings (a name like
    "=HYPERLINK(…)" would otherwise become a formula in the chart's workbook), and every
    text cell (category, series name) neutralised as in the product's other workbooks
    (domain/spreadsheet_cells.py): characters an xlsx cannot hold removed, a formula-like
    text stored as a string with Excel's quote prefix, so that editing it keeps it text."""

    @contextmanager
    def _open_worksheet(self, xlsx_file):
        options = {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        }
        workbook = Workbook(xlsx_file, options)
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()

    def _write_cat_column(self, worksheet, col, level, num_format):
        worksheet.set_column(col, col, 10)  # as python-pptx: wide enough for a date
        quoted = self._quoted({"num_format": self._chart_data.categories.number_format})
        for off, name in level:
            _write(worksheet, off + 1, col, name, num_format, quoted)

    def _write_series(self, workbook, worksheet):
        col_offset = self._chart_data.categories.depth
        plain, quoted = None, self._quoted({})
        for idx, series in enumerate(self._chart_data):
            num_format = workbook.add_format({"num_format": series.number_format})
            _write(worksheet, 0, idx + col_offset, series.name, plain, quoted)
            worksheet.write_column(1, idx + col_offset, series.values, num_format)

    def _populate_worksheet(self, workbook, worksheet):
        self._workbook = workbook
        super()._populate_worksheet(workbook, worksheet)

    def _quoted(self, properties: dict):
        return self._workbook.add_format({**properties, "quote_prefix": True})


def _write(worksheet, row: int, col: int, value, plain, quoted) -> None:
    """One cell: a string as text (quote prefix when formula-like), anything else as is."""
    if isinstance(value, str):
        text, needs_quote = xlsx_text(value)
        worksheet.write_string(row, col, text, quoted if needs_quote else plain)
    else:
        worksheet.write(row, col, value, plain)


class SafeChartData(CategoryChartData):
    @property
    def _workbook_writer(self):
        return _TextOnlyWriter(self)


def point(value) -> float | int | None:
    """A table cell as a chart point: a hidden count (text) or nothing is an empty point."""
    if value is None or isinstance(value, str | bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def category(value) -> str:
    return NOTHING if value is None else clean(value)


def chart_data(section: Section) -> SafeChartData:
    spec = section.chart
    data = SafeChartData(number_format=number_format(spec.unit))
    data.categories = [category(v) for v in section.column(spec.categories)]
    for column in spec.series:
        data.add_series(clean(section.header(column)), [point(v) for v in section.column(column)])
    return data


def add_chart(slide, section: Section, box: Box):
    """The section's chart in `box`; the graphic frame."""
    spec = section.chart
    fmt = number_format(spec.unit)
    frame = slide.shapes.add_chart(
        KINDS[spec.kind], box.left, box.top, box.width, box.height, chart_data(section)
    )
    chart = frame.chart
    chart.font.size = Pt(CHART_SIZE)
    chart.has_title = True
    title = chart.chart_title.text_frame
    title.text = clean(spec.title)
    title.paragraphs[0].runs[0].font.size = Pt(TITLE_SIZE)
    title.paragraphs[0].runs[0].font.bold = True
    chart.has_legend = len(spec.series) >= 2
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = fmt
    labels.number_format_is_linked = False
    labels.show_value = True
    labels.font.size = Pt(CHART_SIZE)
    if spec.kind == "courbes":
        labels.position = XL_LABEL_POSITION.ABOVE
    else:
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        plot.gap_width = 60
        plot.overlap = 0
    values = chart.value_axis
    values.tick_labels.number_format = fmt
    values.tick_labels.number_format_is_linked = False
    values.has_major_gridlines = True
    points = [point(v) for c in spec.series for v in section.column(c)]
    if all(v is None or v >= 0 for v in points):
        values.minimum_scale = 0
    categories = chart.category_axis
    categories.tick_labels.font.size = Pt(_category_size(section, box))
    if spec.kind == "barres":  # the table's order, top to bottom; values along the bottom
        categories.reverse_order = True
        crossing = values._element  # the value axis crosses at the last category
        crossing._remove_crosses()
        crossing._remove_crossesAt()
        crossing._add_crosses(val=XL_AXIS_CROSSES.MAXIMUM)
    return frame


def _category_size(section: Section, box: Box) -> int:
    """Category labels of a horizontal bar chart shrink (not below 10 points) when many
    categories share its height; other charts keep CHART_SIZE."""
    if section.chart.kind != "barres" or not section.rows:
        return CHART_SIZE
    room = box.height - Inches(0.5 + 0.4 + (0.4 if len(section.chart.series) > 1 else 0))
    per_category = room / len(section.rows) / 12700  # points
    for size in (CHART_SIZE, 11, 10):
        if size * 1.25 <= per_category:
            return size
    return 10


def add_picture(slide, png: bytes, box: Box):
    """The picture as large as `box` allows, in proportion, centred in it."""
    wide, high = Image.from_blob(png).size
    scale = min(box.width / wide, box.height / high)
    width, height = int(wide * scale), int(high * scale)
    left = box.left + (box.width - width) // 2
    return slide.shapes.add_picture(io.BytesIO(png), left, box.top, width, height)


def section_body(slide, section: Section, box: Box) -> None:
    """The section's chart (or « Aucune donnée sur la période. ») with its key figures and
    note beside it (under it when long category names need the width); without a chart,
    the figures and note take the whole area."""
    side = [para(f"{entry(i).name} : ", Run(shown(i, v), bold=True)) for i, v in section.figures]
    if section.note:
        side.append(para(section.note))
    drawn = section.chart is not None and bool(section.rows)
    if not drawn and section.rows:  # a table without a chart: its text alone
        text_box(slide, box, side, fitting_size(side, box, SIDE_SIZES) or 12)
        return
    main = box
    if side and drawn and _long_names(section):
        band = Box(box.left, box.top, box.width, int(box.height * 0.25))
        size = fitting_size(side, band, (14, 13, 12)) or 12
        tall = min(height(side, box.width, size), band.height)
        main = Box(box.left, box.top, box.width, box.height - tall - GAP)
        text_box(slide, Box(box.left, main.top + main.height + GAP, box.width, tall), side, size)
    elif side:
        width = int(box.width * 0.64)
        main = Box(box.left, box.top, width, box.height)
        gap = int(box.width * 0.02)
        beside = Box(box.left + width + gap, box.top, box.width - width - gap, box.height)
        text_box(slide, beside, side, fitting_size(side, beside, SIDE_SIZES) or 12)
    if drawn:
        add_chart(slide, section, main)
    else:
        text_box(slide, main, [para(NO_DATA)], 18)


def _long_names(section: Section) -> bool:
    """Whether a horizontal bar chart's category names are long enough to want the
    slide's whole width."""
    names = [category(v) for v in section.column(section.chart.categories)]
    return section.chart.kind == "barres" and max(map(len, names), default=0) > LONG_NAME
