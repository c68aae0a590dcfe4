"""The deck's text and native tables: paragraphs written into a text frame, a size chosen so
the text fits its box, and tables whose columns and rows are sized from their cells and split
over several slides when they do not fit one.

Sizes are estimated from the number of characters (no font file is read): an average glyph
is taken a little wider than Calibri's, so an estimate errs on the side of room to spare.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from indicators.catalogue import entry, shown
from indicators.committee import Pack, Section, period_words

EMU_PER_PT = 12700
GLYPH = 0.47  # average glyph width, in ems (Calibri's is about 0.43)
LINE = 1.2  # line height, in ems
PARAGRAPH_GAP = 0.25  # space between paragraphs, in lines (templates add some)
TABLE_SIZE = 12
ROWS_PER_SLIDE = 15
CELL_MARGIN = Inches(0.06)
GREEN, RED = RGBColor(0x1B, 0x6E, 0x2F), RGBColor(0xB0, 0x1E, 0x1E)
NOTHING = "–"
# XML 1.0 forbids these characters: a name read from a file could hold one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text) -> str:
    """A pack string as a run's text: characters XML cannot hold dropped, line breaks as
    spaces (a paragraph is one line of the pack's text)."""
    return _NOT_XML.sub("", str(text)).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    color: RGBColor | None = None


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    level: int = 0
    align: PP_ALIGN | None = None

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def para(*parts: str | Run, level: int = 0, align: PP_ALIGN | None = None) -> Para:
    """A paragraph of plain strings and styled runs."""
    return Para(tuple(p if isinstance(p, Run) else Run(p) for p in parts), level, align)


def lines(text: str, width: int, size: float, bold: bool = False) -> int:
    """Lines `text` takes in a column `width` EMU wide at `size` points (words kept whole)."""
    glyph = size * EMU_PER_PT * (GLYPH + (0.04 if bold else 0))
    per_line = max(1, int(width / glyph))
    count, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > per_line:
            count, used = count + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
        if used > per_line:  # a word longer than a line is cut
            extra = (used - 1) // per_line
            count, used = count + extra, used - extra * per_line
    return count


def height(paras: list[Para], width: int, size: float, indent: int = 0) -> int:
    """The EMU `paras` take at `size` points in a frame `width` EMU wide (text inset and a
    bullet's indent per level taken off)."""
    total = 0.0
    for p in paras:
        usable = width - Inches(0.25) - indent * (p.level + 1)
        total += lines(p.text, usable, size, any(r.bold for r in p.runs)) * LINE
    total += PARAGRAPH_GAP * max(len(paras) - 1, 0)
    return int(total * size * EMU_PER_PT + Inches(0.15))


def fitting_size(
    paras: list[Para], box: Box, sizes: tuple[float, ...], indent: int = 0
) -> float | None:
    """The largest of `sizes` at which `paras` fit `box`, or None."""
    for size in sorted(sizes, reverse=True):
        if height(paras, box.width, size, indent) <= box.height:
            return size
    return None


def write(frame, paras: list[Para], size: float | None) -> None:
    """Replace the text of `frame` by `paras` (French runs; `size` None keeps the
    placeholder's own size). A size chosen here already fits: the template's shrink-on-
    overflow is turned off, as some viewers shrink text that fits."""
    frame.clear()
    frame.word_wrap = True
    if size is not None:
        frame.auto_size = MSO_AUTO_SIZE.NONE
    for i, p in enumerate(paras):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.level = p.level
        if p.align is not None:
            paragraph.alignment = p.align
        for r in p.runs:
            run = paragraph.add_run()
            run.text = clean(r.text)
            font = run.font
            font.language_id = MSO_LANGUAGE_ID.FRENCH
            if size is not None:
                font.size = Pt(size)
            if r.bold:
                font.bold = True
            if r.italic:
                font.italic = True
            if r.color is not None:
                font.color.rgb = r.color


def text_box(slide, box: Box, paras: list[Para], size: float):
    shape = slide.shapes.add_textbox(box.left, box.top, box.width, box.height)
    write(shape.text_frame, paras, size)
    return shape


# --- tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    color: RGBColor | None = None


def is_figure(column: str) -> bool:
    try:
        return entry(column).is_figure
    except KeyError:
        return False


def cell_text(column: str, value) -> str:
    """A table cell: a figure in French by its unit, a hidden count or a text as it is,
    « – » for nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOTHING
    if isinstance(value, str) or not is_figure(column):
        return str(value)
    return shown(column, value)


def change_cell(change) -> Cell:
    """A change against another period: green when good, red when bad (the sign and the
    unit are in the text, so the colour is never the only clue)."""
    color = GREEN if change.good is True else RED if change.good is False else None
    return Cell(change.text or NOTHING, color)


def column_widths(
    header: list[str], rows: list[list[Cell]], width: int, size: float = TABLE_SIZE
) -> list[int]:
    """Column widths within `width`: each column wide enough for its longest word, the
    rest shared as the columns' longest cells ask (a header may wrap over two or three
    lines); a small table is widened by half at most, not stretched across the slide."""
    glyph = size * EMU_PER_PT * GLYPH
    pad = 2 * CELL_MARGIN + Inches(0.04)
    floor, need = [], []
    for i, name in enumerate(header):
        texts = [clean(r[i].text) for r in rows]
        words = [len(w) for t in [name, *texts] for w in t.split()] or [1]
        floor.append(max(words) * glyph + pad)
        longest = max([len(t) for t in texts] + [len(name) / 2.5, 1])
        need.append(max(longest * glyph + pad, floor[-1]))
    if sum(need) <= width:
        return _spread(need, min(width, int(sum(need) * 1.5)))
    if sum(floor) >= width:
        return _spread(floor, width)
    extra = width - sum(floor)
    slack = sum(n - f for n, f in zip(need, floor, strict=True))
    return _spread([f + extra * (n - f) / slack for n, f in zip(need, floor, strict=True)], width)


def _spread(widths: list[float], width: int) -> list[int]:
    scale = width / sum(widths)
    out = [int(w * scale) for w in widths]
    out[-1] += width - sum(out)
    return out


def row_height(cells: list[str], widths: list[int], size: float, bold: bool = False) -> int:
    tallest = max(
        lines(clean(t), w - 2 * CELL_MARGIN, size, bold) for t, w in zip(cells, widths, strict=True)
    )
    return int(tallest * size * LINE * EMU_PER_PT + Inches(0.1))


def pages(
    header: list[str], rows: list[list[Cell]], widths: list[int], room: int
) -> list[list[list[Cell]]]:
    """`rows` split into slides: at most ROWS_PER_SLIDE rows each, and no more than the
    height `room` holds with the header repeated; at least one row per slide."""
    head = row_height(header, widths, TABLE_SIZE, bold=True)
    out: list[list[list[Cell]]] = [[]]
    used = head
    for row in rows:
        tall = row_height([c.text for c in row], widths, TABLE_SIZE)
        if out[-1] and (len(out[-1]) >= ROWS_PER_SLIDE or used + tall > room):
            out.append([])
            used = head
        out[-1].append(row)
        used += tall
    return out


def add_table(
    slide,
    box: Box,
    header: list[str],
    rows: list[list[Cell]],
    right: list[bool],
    widths: list[int],
    size: float = TABLE_SIZE,
):
    """A native table in `box` (its height grows with the text), header row first;
    `right`: the columns aligned right (figures)."""
    heights = [row_height(header, widths, size, bold=True)]
    heights += [row_height([c.text for c in r], widths, size) for r in rows]
    left = box.left + (box.width - sum(widths)) // 2
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), left, box.top, sum(widths), sum(heights)
    )
    table = shape.table
    for i, w in enumerate(widths):
        table.columns[i].width = Emu(w)
    for i, h in enumerate(heights):
        table.rows[i].height = Emu(h)
    for r, cells in enumerate([[Cell(h) for h in header], *rows]):
        for c, cell in enumerate(cells):
            target = table.cell(r, c)
            for side in ("left", "right"):
                setattr(target, f"margin_{side}", CELL_MARGIN)
            run = Run(cell.text, bold=r == 0, color=cell.color)
            align = PP_ALIGN.RIGHT if right[c] else PP_ALIGN.LEFT
            write(target.text_frame, [Para((run,), 0, align)], size)
    return shape


# --- the deck's tables ------------------------------------------------------------------

FIGURE_HEADER = ["Indicateur", "Sur la période", "Période de comparaison", "Évolution"]
SINCE_HEADER = ["Au dernier comité", "Depuis le dernier comité"]
NOTE_SIZE = 12
FIGURES_SIZE = 14


def figures_table(slide, pack: Pack, box: Box) -> None:
    """The key figures: value on the period, in the comparison period and the change (and
    at the last comité when the pack has one), with what the columns compare under it."""
    since = pack.last_comite_label is not None
    header = FIGURE_HEADER + (SINCE_HEADER if since else [])
    rows = []
    for figure in pack.figures:
        row = [
            Cell(entry(figure.id).name),
            Cell(shown(figure.id, figure.now)),
            Cell(shown(figure.id, figure.before)),
            change_cell(figure.change),
        ]
        if since:
            row += [
                Cell(shown(figure.id, figure.last_comite)),
                change_cell(figure.since_last_comite),
            ]
        rows.append(row)
    right = [False] + [True] * (len(header) - 1)
    widths = column_widths(header, rows, box.width, FIGURES_SIZE)
    shape = add_table(slide, box, header, rows, right, widths, FIGURES_SIZE)
    lines = [
        f"Sur la période : {period_words(pack.du, pack.au)}.",
        f"Période de comparaison : {pack.comparison_words}.",
    ]
    if since:
        lines.append(f"Au dernier comité : {pack.last_comite_label}.")
    lines.append("Évolution en vert : favorable ; en rouge : défavorable.")
    _under(slide, box, shape, [para(line) for line in lines])


def _under(slide, box: Box, table, paras: list[Para]) -> None:
    """`paras` under `table`, when the area has room for them."""
    top = table.top + table.height + Inches(0.15)
    room = Box(box.left, top, box.width, box.top + box.height - top)
    if room.height > 0 and height(paras, room.width, NOTE_SIZE) <= room.height:
        text_box(slide, room, paras, NOTE_SIZE)


def section_tables(section: Section, box: Box) -> list[Callable[[Any], None]]:
    """The section's table over slides (at most ROWS_PER_SLIDE rows each, nothing cut): one
    function per slide, drawing its part of the table (and the section's note under it)."""
    if not section.rows:
        return []
    header = [section.header(c) for c in section.columns]
    rows = [
        [Cell(cell_text(c, v)) for c, v in zip(section.columns, row, strict=True)]
        for row in section.rows
    ]
    right = [is_figure(c) for c in section.columns]
    widths = column_widths(header, rows, box.width)
    note = [para(section.note)] if section.note else []
    room = box.height - (height(note, box.width, NOTE_SIZE) + Inches(0.15) if note else 0)

    def drawing(part: list[list[Cell]]) -> Callable[[Any], None]:
        def draw(slide) -> None:
            shape = add_table(slide, box, header, part, right, widths)
            if note:
                _under(slide, box, shape, note)

        return draw

    return [drawing(part) for part in pages(header, rows, widths, room)]
