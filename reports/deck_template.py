"""The deck's template: the département's charter checked and opened, or python-pptx's
default one widened to 16:9, and the layouts the deck uses, picked by their placeholders
(never by position): a cover (title and subtitle), a content layout (title and one body)
and a bare one (title alone).

A template that cannot be used is a `TemplateError` whose French message says what to
change: not a presentation (random bytes, a Word document, an empty archive), over 20 MB or
far larger unpacked, with macros, OLE objects or a DOCTYPE, unreadable
(reports/deck_template_clean.py, which also removes its external links and its own
slides), or with no layout holding a title.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Emu, Inches

from reports.deck_tables import Box, fitting_size, height, para, write
from reports.deck_template_clean import (
    UNREADABLE,
    TemplateError,
    clean_template,
)

WIDE = (Emu(12192000), Emu(6858000))  # 13.333 x 7.5 inches
MARGIN, GAP = Inches(0.5), Inches(0.15)

TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
BODIES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
LATENT = (
    PP_PLACEHOLDER.DATE,
    PP_PLACEHOLDER.FOOTER,
    PP_PLACEHOLDER.SLIDE_NUMBER,
    PP_PLACEHOLDER.HEADER,
)
NO_TITLE = (
    "Ce modèle n'a aucune disposition avec un espace réservé de titre : dans PowerPoint, menu "
    "Affichage > Masque des diapositives, ajoutez un titre à la disposition « Titre et "
    "contenu » (ou « Titre seul »), puis enregistrez le modèle."
)
UNUSABLE = (
    "Le diaporama n'a pas pu être construit avec ce modèle : retirez-en les éléments "
    "inhabituels (vidéos, objets incorporés) ou enregistrez-le de nouveau depuis PowerPoint ; "
    "sans modèle, le diaporama est construit avec la mise en page par défaut."
)


def open_presentation(template: bytes | None):
    """The presentation to fill: the default template at 16:9, or `template` checked and
    cleaned (reports/deck_template_clean.py), without its own slides, at its own size."""
    if template is None:
        prs = Presentation()
        for rid, rel in list(prs.part.rels.items()):
            if rel.reltype.endswith("/printerSettings"):  # a Mac's, with a DOCTYPE in it
                prs.part.drop_rel(rid)
        _widen(prs)
        return prs
    blob = clean_template(template).blob
    try:
        prs = Presentation(io.BytesIO(blob))
    except Exception as exc:
        raise TemplateError(UNREADABLE) from exc
    if not any(kind(ph) in TITLES for layout in prs.slide_layouts for ph in layout.placeholders):
        raise TemplateError(NO_TITLE)
    if not prs.slide_width or not prs.slide_height:
        prs.slide_width, prs.slide_height = WIDE
    return prs


def _widen(prs) -> None:
    """The default template at 16:9: its masters' and layouts' shapes stretched across."""
    factor = WIDE[0] / prs.slide_width
    prs.slide_width, prs.slide_height = WIDE
    for master in prs.slide_masters:
        for shape in [*master.shapes, *(s for lay in master.slide_layouts for s in lay.shapes)]:
            xfrm = getattr(shape._element, "xfrm", None)
            if xfrm is not None and xfrm.off is not None and xfrm.ext is not None:
                xfrm.off.x, xfrm.ext.cx = int(xfrm.off.x * factor), int(xfrm.ext.cx * factor)


def kind(placeholder):
    fmt = placeholder.placeholder_format
    if fmt.element.get("orient") == "vert":
        return None  # a vertical title or text is no use here
    return fmt.type


def kinds_of(layout) -> list:
    return [kind(ph) for ph in layout.placeholders]


def box_of(shape) -> Box | None:
    values = (shape.left, shape.top, shape.width, shape.height)
    return None if any(v is None for v in values) else Box(*values)


# --- layouts ----------------------------------------------------------------------------


@dataclass
class Kit:
    """The presentation, the layouts the deck uses and the content area below a title."""

    prs: object
    cover: object  # title and subtitle
    content: object | None  # title and one body
    bare: object  # title alone (or the layout whose other placeholders are removed)
    area: Box

    @classmethod
    def of(cls, prs) -> Kit:
        layouts = [lay for lay in prs.slide_layouts if _title_of(lay) is not None]
        kinds = {id(lay): [kind(ph) for ph in lay.placeholders] for lay in layouts}

        def extra(lay) -> list:
            return [k for k in kinds[id(lay)] if k not in (*TITLES, *LATENT)]

        def title_above_body(lay) -> bool:
            title, body = box_of(_title_of(lay)), box_of(_body_of(lay))
            return bool(title and body and title.top + title.height <= body.top + GAP)

        covers = [lay for lay in layouts if PP_PLACEHOLDER.SUBTITLE in kinds[id(lay)]]
        contents = [
            lay
            for lay in layouts
            if [k for k in extra(lay) if k in BODIES] and title_above_body(lay)
        ]
        contents.sort(key=lambda lay: (len(extra(lay)) != 1, -_area(box_of(_body_of(lay)))))
        bare = [lay for lay in layouts if not extra(lay)]
        cover = min(
            covers or layouts,
            key=lambda lay: PP_PLACEHOLDER.CENTER_TITLE not in kinds[id(lay)],
        )
        content = contents[0] if contents else None
        chosen_bare = bare[0] if bare else (content or layouts[0])
        return cls(prs, cover, content, chosen_bare, _area_of(prs, content, chosen_bare))

    def slide(self, layout, title: str, keep=()):
        """A new slide of `layout` titled `title`; placeholders other than the title and
        the types in `keep` removed."""
        slide = self.prs.slides.add_slide(layout)
        for ph in list(slide.placeholders):
            found = kind(ph)
            if found not in TITLES and found not in keep:
                ph._element.getparent().remove(ph._element)
        set_title(slide, title)
        return slide

    def placeholder(self, slide, kinds):
        return next((ph for ph in slide.placeholders if kind(ph) in kinds), None)


def _title_of(layout):
    return next((ph for ph in layout.placeholders if kind(ph) in TITLES), None)


def _body_of(layout):
    return next((ph for ph in layout.placeholders if kind(ph) in BODIES), None)


def _area(box: Box | None) -> int:
    return box.width * box.height if box else 0


def _area_of(prs, content, bare) -> Box:
    """Where a slide's content goes: the content layout's body, kept below the bare
    layout's title and inside the slide."""
    width, high = prs.slide_width, prs.slide_height
    body = box_of(_body_of(content)) if content is not None else None
    title = box_of(_title_of(bare))
    top = max(
        body.top if body else MARGIN + Inches(1.2),
        title.top + title.height + GAP if title and title.top < high / 2 else 0,
    )
    left = body.left if body else MARGIN
    right = body.left + body.width if body else width - MARGIN
    bottom = body.top + body.height if body else high - MARGIN
    left, right = max(left, Inches(0.2)), min(right, width - Inches(0.2))
    bottom = min(bottom, high - Inches(0.3))
    if right - left < width / 2 or bottom - top < high / 3:  # an odd body: margins
        left, right, bottom = MARGIN, width - MARGIN, high - MARGIN
        top = min(top, high / 4)
    return Box(int(left), int(top), int(right - left), int(bottom - top))


def set_title(slide, text: str) -> None:
    """The title in the title placeholder, at the master's size unless it would not fit."""
    shape = next(ph for ph in slide.placeholders if kind(ph) in TITLES)
    paras = [para(text)]
    box = box_of(shape)
    size = None
    if box is not None and height(paras, box.width, _master_title_size(slide)) > box.height:
        size = fitting_size(paras, box, (36, 32, 28, 24)) or 20
    write(shape.text_frame, paras, size)


def _master_title_size(slide) -> float:
    master = slide.slide_layout.slide_master
    sizes = master._element.xpath("./p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@sz")
    return int(sizes[0]) / 100 if sizes else 44
