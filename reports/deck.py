"""The comité de pilotage deck: the pack (indicators/committee.py) laid out in PowerPoint.

Slides: the title (period, scope, comparison, data dates), the key figures, for each section
a native chart beside its key figures and note (the offline map after the map's section)
then its table over as many slides as it needs, the alerts, the decisions to take and the
definitions. Nothing is computed here: every value comes from the pack.

The layouts are those of python-pptx's default template widened to 16:9, or of the
département's own template (its charter), picked by their placeholders
(reports/deck_template.py); titles and lists go in placeholders so that the slide master
restyles them. A template that cannot be used is a `TemplateError` whose French message
says what to change.
"""

from __future__ import annotations

import datetime as dt
import io

from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.parts.image import Image
from pptx.util import Emu, Inches, Pt

from indicators.committee import Pack, period_words
from indicators.small_counts import hidden_label
from reports.deck_charts import add_picture, section_body
from reports.deck_tables import (
    Box,
    Para,
    Run,
    figures_table,
    fitting_size,
    height,
    para,
    section_tables,
    text_box,
    write,
)
from reports.deck_template import (
    BODIES,
    GAP,
    UNUSABLE,
    Kit,
    TemplateError,
    box_of,
    kinds_of,
    open_presentation,
)

__all__ = ["TemplateError", "deck"]

CREATOR = "Pilotage du mentorat ASE"
TITLE = "Comité de pilotage du mentorat"
GREY = RGBColor(0xA6, 0xA6, 0xA6)
DARK = RGBColor(0x26, 0x26, 0x26)


def deck(pack: Pack, *, template: bytes | None = None, map_png: bytes | None = None) -> bytes:
    """The pack as a .pptx file (bytes), laid out on `template` (a .pptx or .potx) when
    given; `map_png` (reports/map_picture.py) gets a slide after the map's section."""
    if map_png is not None:
        _check_picture(map_png)
    prs = open_presentation(template)
    try:
        _slides(Kit.of(prs), pack, map_png)
        _properties(prs, pack)
        out = io.BytesIO()
        prs.save(out)
    except Exception as exc:
        if template is None:
            raise
        raise TemplateError(UNUSABLE) from exc
    return out.getvalue()


def _check_picture(png: bytes) -> None:
    """A map that is no picture is the caller's error, never the template's."""
    try:
        Image.from_blob(png).size  # noqa: B018 (reads the header)
    except Exception as exc:
        raise ValueError("map_png is not a picture") from exc


# --- slides -----------------------------------------------------------------------------


def _slides(kit: Kit, pack: Pack, map_png: bytes | None) -> None:
    _cover(kit, pack)
    slide = kit.slide(kit.bare, "Chiffres clés")
    figures_table(slide, pack, kit.area)
    for section in pack.sections:
        if section.chart is not None or section.figures or section.note or not section.rows:
            section_body(kit.slide(kit.bare, section.title), section, kit.area)
        if section.picture == "carte" and map_png:
            _map(kit, pack, map_png)
        for i, fill in enumerate(section_tables(section, kit.area)):
            title = f"{section.title} : le tableau" + (" (suite)" if i else "")
            fill(kit.slide(kit.bare, title))
    _text_slides(kit, "Alertes à traiter", _alerts(pack), (24, 20, 18, 16, 14, 12), 12, 12)
    _decisions(kit)
    _text_slides(kit, "Définitions", _definitions(pack), (20, 18, 16, 14, 12, 11), 14, 8, 1600)


def _cover(kit: Kit, pack: Pack) -> None:
    lines = [
        f"Période {period_words(pack.du, pack.au)}",
        f"Périmètre : {pack.scope_label}",
        f"Comparaison : {pack.comparison_words}",
    ]
    if pack.generated:
        lines.append(f"Préparé {pack.generated}")
    if pack.frozen_on:
        lines.append(f"Figé {pack.frozen_on}")
    if pack.data_version:
        lines.append(f"Version des données : {pack.data_version}")
    if pack.small_counts_hidden:
        lines.append(
            f"Effectifs de 1 à {max(pack.threshold - 1, 1)} masqués "
            f"(« {hidden_label(pack.threshold)} ») dans les tableaux de lieux"
        )
    lines += [f"Données : {source} — {date}" for source, date in pack.sources]
    paras = [para(line) for line in lines]
    title = pack.frozen_label or TITLE
    if PP_PLACEHOLDER.SUBTITLE in kinds_of(kit.cover):
        slide = kit.slide(kit.cover, title, keep=(PP_PLACEHOLDER.SUBTITLE,))
        shape = kit.placeholder(slide, (PP_PLACEHOLDER.SUBTITLE,))
    elif kit.content is not None:
        slide = kit.slide(kit.content, title, keep=BODIES)
        shape = kit.placeholder(slide, BODIES)
    else:
        slide = kit.slide(kit.bare, title)
        shape = slide.shapes.add_textbox(*_astuple(kit.area))
    box = box_of(shape) or kit.area
    sizes = (20, 18, 16, 14, 12)
    size = fitting_size(paras, box, sizes)
    bottom = kit.prs.slide_height - Inches(0.3)
    if (size or 0) < 16 and box.top + box.height < bottom:  # room below: the box grows
        box = Box(box.left, box.top, box.width, int(bottom - box.top))
        shape.left, shape.top, shape.width, shape.height = (Emu(v) for v in _astuple(box))
        size = fitting_size(paras, box, sizes)
    write(shape.text_frame, paras, size or 12)


def _astuple(box: Box) -> tuple[int, int, int, int]:
    return box.left, box.top, box.width, box.height


def _map(kit: Kit, pack: Pack, png: bytes) -> None:
    slide = kit.slide(kit.bare, "Carte des jeunes et des antennes")
    area = kit.area
    caption = f"Communes des jeunes inscrits {period_words(pack.du, pack.au)} et antennes des "
    caption += f"associations ({pack.scope_label})."
    if pack.small_counts_hidden:
        caption += " Les communes à petit effectif n'y sont pas détaillées."
    paras = [para(caption, align=PP_ALIGN.CENTER)]
    text = Box(area.left, area.top, area.width, height(paras, area.width, 12))
    picture = Box(area.left, area.top, area.width, area.height - text.height - GAP)
    shape = add_picture(slide, png, picture)
    text = Box(area.left, shape.top + shape.height + GAP, area.width, text.height)
    text_box(slide, text, paras, 12)


def _alerts(pack: Pack) -> list[list[Para]]:
    items = []
    for alert in pack.alerts:
        if alert.get("finding") is not None:
            item = [para(alert["finding"])]
            if alert.get("action"):
                item.append(para(Run("À faire : ", bold=True), alert["action"], level=1))
            items.append(item)
        else:
            items.append([para(alert.get("calm") or "")])
    return items or [[para("Aucune alerte sur la période.")]]


def _definitions(pack: Pack) -> list[list[Para]]:
    items = [[para(Run(f"{name} : ", bold=True), text)] for name, text in pack.definitions()]
    titles: dict[str, list[str]] = {}
    for section in pack.sections:
        if section.definition.strip():
            titles.setdefault(section.definition, []).append(section.title)
    for text, names in titles.items():
        parts = [p.strip() for p in text.split("\n") if p.strip()]
        first = para(Run(f"{' ; '.join(names)} : ", bold=True), parts[0])
        rest = [para(p.removeprefix("- ").removeprefix("* "), level=1) for p in parts[1:]]
        items.append([first, *rest])
    return items


def _text_slides(
    kit: Kit,
    title: str,
    items: list[list[Para]],
    sizes: tuple[float, ...],
    comfortable: float,
    per_slide: int,
    chars: int = 10**6,
) -> None:
    """`items` (lists of paragraphs kept together) as bullets in the body placeholder (a
    text box when the template has no such layout), over as many slides as they need at
    the `comfortable` size; each slide's text as large as `sizes` allow."""
    layout = kit.content or kit.bare
    slide = kit.slide(layout, title, keep=BODIES)
    shape = kit.placeholder(slide, BODIES) if kit.content is not None else None
    box = (box_of(shape) if shape is not None else None) or kit.area
    indent = Inches(0.3) if shape is not None else 0
    for i, group in enumerate(_paginate(items, box, comfortable, indent, per_slide, chars)):
        if i:
            slide = kit.slide(layout, f"{title} (suite)", keep=BODIES)
        target = kit.placeholder(slide, BODIES) if shape is not None else None
        if target is None:
            target = slide.shapes.add_textbox(*_astuple(box))
        write(target.text_frame, group, fitting_size(group, box, sizes, indent) or min(sizes))


def _paginate(items, box: Box, size: float, indent: int, per_slide: int, chars: int):
    """Items over slides: at most `per_slide` items and about `chars` characters each, and
    what fits `box` at `size`; an item taller than a slide is cut between its paragraphs."""
    pieces = []
    for item in items:
        if height(item, box.width, size, indent) <= box.height:
            pieces.append(item)
            continue
        piece: list[Para] = []
        for p in item:
            if piece and height([*piece, p], box.width, size, indent) > box.height:
                pieces.append(piece)
                piece = []
            piece.append(p)
        pieces.append(piece)
    out: list[list[Para]] = []
    count, current = 0, []
    for piece in pieces:
        trial = [*current, *piece]
        full = count + 1 > per_slide or sum(len(p.text) for p in trial) > chars
        if current and (full or height(trial, box.width, size, indent) > box.height):
            out.append(current)
            count, current = 0, list(piece)
        else:
            current = trial
        count += 1
    out.append(current)
    return out


def _decisions(kit: Kit) -> None:
    """Three empty boxes for the comité to fill in."""
    slide = kit.slide(kit.bare, "Décisions à prendre")
    area, count = kit.area, 3
    tall = (area.height - GAP * (count - 1)) // count
    for i in range(count):
        shape = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, area.left, area.top + i * (tall + GAP), area.width, tall
        )
        shape.fill.background()
        shape.line.color.rgb = GREY
        shape.line.width = Pt(1)
        shape.shadow.inherit = False
        frame = shape.text_frame
        frame.vertical_anchor = MSO_ANCHOR.TOP
        lines = [f"Décision {i + 1} : …", "Responsable :", "Échéance :"]
        paras = [
            para(Run(t, bold=not j, color=DARK), align=PP_ALIGN.LEFT) for j, t in enumerate(lines)
        ]
        size = fitting_size(paras, Box(0, 0, area.width, tall), (16, 14, 12)) or 12
        write(frame, paras, size)


def _properties(prs, pack: Pack) -> None:
    props = prs.core_properties
    props.title = pack.frozen_label or TITLE
    props.subject = f"{pack.scope_label}, période {period_words(pack.du, pack.au)}"
    props.author = props.last_modified_by = CREATOR
    props.keywords = "comité de pilotage ; mentorat ; ASE"
    props.comments = ""
    props.language = "fr-FR"
    props.revision = 1
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    props.created = props.modified = now
