"""The offline map picture (reports/map_picture.py): a PNG of the requested width, no circle
for a hidden commune, circles sized by area, the same bytes for the same input, an empty
cohort handled, and nothing fetched from the network."""

from __future__ import annotations

import io
import socket
from datetime import date

import pandas as pd
import pytest
from PIL import Image, ImageChops

from indicators.committee import hidden_places
from indicators.dataset import Period
from reports.map_picture import map_png

PERIOD = Period(date(2025, 1, 1), date(2025, 12, 31))
DUNKERQUE, LILLE, MAUBEUGE = "59183", "59350", "59392"


def _image(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _communes(demo_dataset, counts: dict[str, int], hidden: set[str] = frozenset()) -> pd.DataFrame:
    """`hidden_places`-like rows for a few communes of the demo's referential."""
    referential = demo_dataset.communes.drop_duplicates("insee").set_index("insee")
    rows = referential.loc[list(counts), ["nom", "classe", "latitude", "longitude"]]
    return rows.reset_index().assign(
        jeunes_inscrits=list(counts.values()), cache=[i in hidden for i in counts]
    )


def _blue(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> int:
    """Pixels covered by a youths circle (blue well above red), in `box`."""
    red, _, blue = (image.crop(box) if box else image).convert("RGB").split()
    return sum(
        ImageChops.subtract(blue, red).point(lambda v: 255 if v > 60 else 0).histogram()[255:]
    )


@pytest.fixture(scope="module")
def demo_places(demo_dataset) -> pd.DataFrame:
    return hidden_places(demo_dataset, PERIOD, 11)


@pytest.mark.parametrize("width", [800, 1600])
def test_a_png_of_the_requested_width(demo_dataset, demo_places, width):
    image = _image(map_png(demo_places, demo_dataset.antennes, hide=True, width=width))
    assert image.format == "PNG" and image.width == width
    assert width * 0.5 < image.height < width * 1.6
    assert _blue(image) > 0


def test_a_hidden_commune_gets_no_circle(demo_dataset):
    hidden = _communes(demo_dataset, {LILLE: 40, MAUBEUGE: 5}, hidden={MAUBEUGE})
    without = hidden[hidden["insee"] != MAUBEUGE]
    antennes = pd.DataFrame()
    masked = _image(map_png(hidden, antennes, hide=True, width=800))
    shown = _image(map_png(hidden, antennes, hide=False, width=800))
    absent = _image(map_png(without, antennes, hide=True, width=800))
    # The legend gains a line (« pas de cercle »); the map above it is the same as without
    # the commune at all, and differs from the map that draws it.
    assert masked.height > absent.height
    top = (0, 0, 800, absent.height - 200)
    assert ImageChops.difference(masked.crop(top), absent.crop(top)).getbbox() is None
    circle = ImageChops.difference(shown.crop(top), masked.crop(top)).getbbox()
    assert circle is not None
    assert _blue(shown, circle) > 0 and _blue(masked, circle) == 0
    # Without `hide`, the flag is ignored: the circle is drawn.
    assert _blue(shown, top) > _blue(masked, top)


def test_circle_area_is_proportional_and_at_most_three_percent_of_the_width(demo_dataset):
    communes = _communes(demo_dataset, {DUNKERQUE: 100, MAUBEUGE: 25})
    image = _image(map_png(communes, pd.DataFrame(), hide=False, width=1000))
    left = _blue(image, (0, 0, 500, image.height))  # Dunkerque is north-west
    right = _blue(image, (500, 0, 1000, image.height))  # Maubeuge south-east
    assert left / right == pytest.approx(4, rel=0.2)
    assert left == pytest.approx(3.1416 * 30**2, rel=0.2)  # radius 3 % of 1,000 pixels


def test_same_input_same_bytes(demo_dataset, demo_places):
    first = map_png(demo_places, demo_dataset.antennes, hide=True, width=800)
    assert map_png(demo_places.copy(), demo_dataset.antennes.copy(), hide=True, width=800) == first
    assert map_png(demo_places, demo_dataset.antennes, hide=False, width=800) != first


def test_empty_cohort_and_missing_antennes(demo_dataset, demo_places):
    empty = _image(map_png(demo_places.iloc[:0], demo_dataset.antennes, hide=True, width=900))
    assert empty.width == 900 and _blue(empty) == 0
    assert len(empty.getcolors(maxcolors=2**16)) > 1  # the sentence is written
    lost = demo_dataset.antennes.assign(latitude=None, longitude=None)
    for antennes in (pd.DataFrame(), lost, demo_dataset.antennes.iloc[:0]):
        assert _image(map_png(demo_places, antennes, hide=True, width=600)).width == 600
    unplaced = demo_places.assign(latitude=float("nan"), longitude=float("nan"))
    outlines_only = _image(map_png(unplaced, pd.DataFrame(), hide=False, width=600))
    assert _blue(outlines_only, (0, 0, 600, outlines_only.height - 120)) == 0  # legend apart


def test_no_network(demo_dataset, demo_places, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert _image(map_png(demo_places, demo_dataset.antennes, hide=True, width=600)).width == 600
