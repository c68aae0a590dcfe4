"""The offline map of the comité pack as a PNG: commune outlines, youths and antennes.

Drawn with Pillow alone (no tile, no browser, no network, no system font), from the commune
outlines the Territoires page draws (`indicators.outlines`), with the
same projection: x = longitude, y = latitude stretched by 1 / cos(latitude of the map's
middle) so that a kilometre is as long east-west as north-south. Colour is never the only
carrier: rural communes are hatched, youths are circles whose area is proportional to their
number, antennes are named stars, and the legend says it in French. A commune whose count
may not be shown (`cache`) gets no circle when `hide` is set; the frame of the map does not
depend on it. Drawn at twice the size and reduced, so edges are smooth; the same input gives
the same bytes.

Pillow's scalable default font has no accented letter: a French text is written with its
plain letters and the accents are drawn over them (`_write`).
"""

from __future__ import annotations

import io
import math
import unicodedata

import pandas as pd
from PIL import Image, ImageChops, ImageDraw, ImageFont

from indicators.outlines import map_departements, outlines_for
from indicators.territory import served_departement

SCALE = 2  # drawn at twice the size, then reduced: smooth edges
FILLS = {"rural": (214, 236, 220), "urbain": (221, 221, 221)}
OTHER_FILL = (243, 243, 243)
HATCH = (0, 140, 100)  # the rural hatch
EDGES = {"rural": (80, 150, 120), "urbain": (115, 115, 115)}
OTHER_EDGE = (175, 175, 175)
CIRCLE_FILL, CIRCLE_EDGE = (0, 114, 178, 140), (0, 45, 80, 255)
STAR_FILL, STAR_EDGE = (213, 94, 0), (31, 31, 31)
INK = (31, 31, 31)
EMPTY = "Aucune commune à afficher sur la période."
# what the default font lacks, written with the letters it has
SUBSTITUTES = str.maketrans(
    {"’": "'", "‘": "'", "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "–": "-", "—": "-"}
    | {"…": "...", "\u00a0": " ", "\u202f": " "}
)
ACCENTS = {"\u0301": "aigu", "\u0300": "grave", "\u0302": "circonflexe", "\u0308": "trema"}
ACCENTS |= {"\u0327": "cedille"}


def map_png(
    communes: pd.DataFrame,
    antennes: pd.DataFrame,
    *,
    hide: bool,
    width: int = 1600,
    threshold: int = 11,
) -> bytes:
    """The map of `communes` (`indicators.committee.hidden_places` rows: `insee`, `nom`,
    `classe`, `latitude`, `longitude`, `jeunes_inscrits`, `cache`) and `antennes` (`nom`,
    `association`, `latitude`, `longitude`; may be empty) as PNG bytes, `width` pixels
    wide. With `hide`, the communes flagged `cache` get no circle (`threshold`: the one the
    flag was computed with, for the legend)."""
    if communes.empty:
        return _message(EMPTY, width)
    placed = communes.dropna(subset=["latitude", "longitude", "jeunes_inscrits"])
    placed = placed[placed["jeunes_inscrits"] > 0]
    hidden = placed["cache"].fillna(False).astype(bool) if hide and "cache" in placed else None
    circles = placed if hidden is None else placed[~hidden]
    circles = circles.sort_values(["jeunes_inscrits", "insee"], ascending=[False, True])
    sites = _sites(antennes)
    departements = map_departements(served_departement(), communes["insee"].dropna())
    shapes = [(o.insee, o.classe, o.rings) for o in outlines_for(departements)]
    points = [p for _, _, rings in shapes for ring in rings for p in ring]
    for frame in (placed, sites):  # every placed commune: the frame does not depend on `hide`
        points += list(zip(frame["longitude"], frame["latitude"], strict=True))
    if not points:
        return _message(EMPTY, width)
    legend = [
        ("rural", "Commune rurale"),
        ("urbain", "Commune urbaine"),
        ("cercle", "Jeunes inscrits sur la période (surface proportionnelle)"),
        ("antenne", "Antenne de mentorat"),
    ]
    if hidden is not None and bool(hidden.any()):
        legend.append(("cache", f"Communes de moins de {threshold} jeunes : pas de cercle"))
    canvas = _Canvas(points, width * SCALE, len(legend))
    canvas.communes(shapes)
    canvas.circles(circles)
    canvas.antennes(sites)
    canvas.legend(legend)
    return _png(canvas.image.reduce(SCALE))


def _sites(antennes: pd.DataFrame) -> pd.DataFrame:
    if antennes.empty or not {"nom", "latitude", "longitude"} <= set(antennes.columns):
        return pd.DataFrame({"nom": [], "latitude": [], "longitude": []})
    sites = antennes.dropna(subset=["latitude", "longitude"])
    return sites.sort_values(["latitude", "longitude", "nom"], ascending=[False, True, True])


def _font(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=max(8, round(size)))


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=4)
    return buffer.getvalue()


def _message(text: str, width: int) -> bytes:
    image = Image.new("RGB", (width, max(200, width // 3)), "white")
    _write(ImageDraw.Draw(image), (width / 2, image.height / 2), text, _font(width / 45), "mm")
    return _png(image)


def _split(text: str) -> tuple[str, list[tuple[int, str]]]:
    """`text` in the default font's letters, and the accents to draw: (letter, accent)."""
    letters, accents = "", []
    for char in unicodedata.normalize("NFD", str(text).translate(SUBSTITUTES)):
        if char in ACCENTS and letters:
            accents.append((len(letters) - 1, ACCENTS[char]))
        elif not unicodedata.combining(char):
            letters += char
    return letters, accents


def _write(draw, xy, text, font, anchor="ls", halo: int = 0) -> None:
    """Write `text` at `xy` (anchor: l/m then t/m/b/s, as Pillow's), accents drawn."""
    letters, accents = _split(text)
    ascent, descent = font.getmetrics()
    left = xy[0] - font.getlength(letters) * {"l": 0, "m": 0.5}[anchor[0]]
    base = xy[1] + {"t": ascent, "m": (ascent - descent) / 2, "b": -descent, "s": 0}[anchor[1]]
    draw.text((left, base), letters, font=font, fill=INK, anchor="ls", **_halo(halo))
    em = font.size
    for at, accent in accents:
        x = left + font.getlength(letters[:at]) + font.getlength(letters[at]) / 2
        low = base + font.getbbox(letters[at], anchor="ls")[1] - 0.07 * em  # above the letter
        high = low - 0.17 * em
        mark = {
            "aigu": [(x - 0.06 * em, low), (x + 0.09 * em, high)],
            "grave": [(x + 0.06 * em, low), (x - 0.09 * em, high)],
            "circonflexe": [(x - 0.12 * em, low), (x, high), (x + 0.12 * em, low)],
            "cedille": [(x, base), (x, base + 0.1 * em), (x - 0.07 * em, base + 0.2 * em)],
        }.get(accent)
        for colour, extra in [("white", 2 * halo)] * bool(halo) + [(INK, 0)]:
            if mark:
                draw.line(mark, fill=colour, width=round(em / 11) + extra, joint="curve")
                continue
            r, middle = 0.05 * em + extra / 2, (low + high) / 2  # a tréma: two dots
            for dot in (x - 0.1 * em, x + 0.1 * em):
                draw.ellipse((dot - r, middle - r, dot + r, middle + r), colour)


def _halo(width: int) -> dict:
    return {"stroke_width": width, "stroke_fill": "white"} if width else {}


def _star(x: float, y: float, radius: float) -> list[tuple[float, float]]:
    return [
        (
            x + radius * (1 if i % 2 == 0 else 0.45) * math.sin(math.pi * i / 5),
            y - radius * (1 if i % 2 == 0 else 0.45) * math.cos(math.pi * i / 5),
        )
        for i in range(10)
    ]


def _hatched(size: tuple[int, int], step: int, phase: int = 0) -> Image.Image:
    """Diagonal lines over a picture of `size` (`phase`: where they start, so that pieces
    of a bigger picture line up)."""
    lines = Image.new("L", size, 0)
    draw = ImageDraw.Draw(lines)
    for start in range(-size[1] - (phase % step), size[0] + 1, step):
        draw.line([(start, size[1]), (start + size[1], 0)], fill=110, width=2)
    return lines


class _Canvas:
    """The picture being drawn, at SCALE times the final size: the map, then the legend in
    a band under it."""

    def __init__(self, points: list[tuple[float, float]], width: int, legend_lines: int):
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        self.stretch = 1 / math.cos(math.radians((min(lats) + max(lats)) / 2))
        self.lon0, self.top = min(lons), max(lats) * self.stretch
        span_x = max(max(lons) - self.lon0, 1e-6)
        span_y = max(self.top - min(lats) * self.stretch, 1e-6)
        self.width, self.margin = width, width * 0.04
        self.unit = min((width - 2 * self.margin) / span_x, width * 1.1 / span_y)
        self.offset = (width - 2 * self.margin - span_x * self.unit) / 2
        self.map_height = round(span_y * self.unit + 2 * self.margin)
        self.text, self.small = _font(width / 70), _font(width / 85)
        self.line = width / 70 * 1.7
        height = self.map_height + self.line * (legend_lines + 1.3)
        self.image = Image.new("RGB", (width, math.ceil(height / SCALE) * SCALE), "white")
        self.draw = ImageDraw.Draw(self.image)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.margin + self.offset + (lon - self.lon0) * self.unit
        return x, self.margin + (self.top - lat * self.stretch) * self.unit

    def communes(self, shapes) -> None:
        rural = Image.new("L", self.image.size, 0)
        mask = ImageDraw.Draw(rural)
        polygons = [(c, [self.xy(*p) for p in ring]) for _, c, rings in shapes for ring in rings]
        for classe, polygon in polygons:
            self.draw.polygon(polygon, fill=FILLS.get(classe, OTHER_FILL))
            if classe == "rural":
                mask.polygon(polygon, fill=255)
        box = rural.getbbox()
        if box is not None:  # only where rural communes are: pasting a mask costs its size
            rural = rural.crop(box)
            lines = _hatched(rural.size, max(8, round(self.width / 220)), box[0] + box[1])
            self.image.paste(HATCH, box, mask=ImageChops.multiply(rural, lines))
        for classe, polygon in polygons:
            self.draw.line([*polygon, polygon[0]], fill=EDGES.get(classe, OTHER_EDGE), width=2)

    def circles(self, circles: pd.DataFrame) -> None:
        """A circle per commune, its area proportional to its youths; biggest first."""
        if circles.empty:
            return
        layer = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        biggest, largest = float(circles["jeunes_inscrits"].max()), self.width * 0.03
        for row in circles.itertuples():
            x, y = self.xy(row.longitude, row.latitude)
            r = max(largest * math.sqrt(float(row.jeunes_inscrits) / biggest), 3 * SCALE)
            draw.ellipse((x - r, y - r, x + r, y + r), CIRCLE_FILL, CIRCLE_EDGE, width=3)
        box = layer.getbbox()
        self.image.paste(layer.crop(box), box, mask=layer.crop(box))

    def antennes(self, sites: pd.DataFrame) -> None:
        placed = [(row.nom, *self.xy(row.longitude, row.latitude)) for row in sites.itertuples()]
        radius = self.width / 110
        for _, x, y in placed:
            self.draw.polygon(_star(x, y, radius), fill=STAR_FILL, outline=STAR_EDGE, width=2)
        for name, x, y in placed:
            # under its star when another one stands just above, so that names do not overlap
            crowded = any(0 < y - b < radius * 4 and abs(a - x) < radius * 9 for _, a, b in placed)
            at = (x, y + radius * 1.2) if crowded else (x, y - radius * 1.2)
            _write(self.draw, at, name, self.small, "mt" if crowded else "mb", halo=3)

    def legend(self, items: list[tuple[str, str]]) -> None:
        left, size, top = self.margin, self.line * 0.7, self.map_height + self.line * 0.5
        rule = top - self.line * 0.25
        self.draw.line([(left, rule), (self.width - left, rule)], fill=OTHER_EDGE, width=2)
        for i, (kind, label) in enumerate(items):
            y = top + i * self.line + self.line / 2
            box = [round(v) for v in (left, y - size / 2, left + size * 1.4, y + size / 2)]
            cx, r = left + size * 0.7, size / 2
            if kind in FILLS:
                self.draw.rectangle(box, fill=FILLS[kind])
                if kind == "rural":
                    swatch = (box[2] - box[0], box[3] - box[1])
                    self.image.paste(HATCH, box[:2], mask=_hatched(swatch, round(size / 3)))
                self.draw.rectangle(box, outline=EDGES[kind], width=2)
            elif kind == "cercle":
                self.draw.ellipse((cx - r, y - r, cx + r, y + r), (128, 184, 216), CIRCLE_EDGE, 3)
            elif kind == "antenne":
                self.draw.polygon(_star(cx, y, size * 0.6), STAR_FILL, STAR_EDGE, width=2)
            else:  # no circle: a dotted one
                for k in range(12):
                    a = math.pi * k / 6
                    dot = (cx + r * 0.8 * math.cos(a), y + r * 0.8 * math.sin(a))
                    self.draw.ellipse((dot[0] - 2, dot[1] - 2, dot[0] + 2, dot[1] + 2), INK)
            _write(self.draw, (left + size * 2, y), label, self.text, "lm")
