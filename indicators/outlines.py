"""Commune outlines for the offline maps (Territoires page, comité pack picture).

One file per département, `data/referentiels/contours/<code>.geojson.gz`, built by
`scripts/build_communes.py` from IGN's outlines with each commune's INSEE density class and
level. A map draws the département the instance serves (`indicators.territory`) and those
of the communes it shows; a département without a file draws nothing (no error).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONTOURS_DIR = Path(__file__).resolve().parent.parent / "data" / "referentiels" / "contours"


@dataclass(frozen=True)
class Outline:
    """A commune's outline: `rings` are tuples of (longitude, latitude) points; `classe`
    is "rural", "urbain" or "autre" (no level in INSEE's grid)."""

    insee: str
    classe: str
    niveau: int | None
    rings: tuple[tuple[tuple[float, float], ...], ...]


def departement_of(insee: str) -> str:
    """The département of an INSEE commune code: `974` for `97411`, `2A` for `2A004`."""
    code = str(insee)
    return code[:3] if code.startswith("97") else code[:2]


@lru_cache(maxsize=8)
def departement_outlines(departement: str, directory: str = str(CONTOURS_DIR)) -> tuple:
    """The outlines of one département, sorted by INSEE code (read once per process)."""
    path = Path(directory) / f"{departement}.geojson.gz"
    if not path.exists():
        return ()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    found = []
    for feature in features:
        props, geometry = feature["properties"], feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = tuple(tuple((p[0], p[1]) for p in ring) for polygon in polygons for ring in polygon)
        found.append(
            Outline(
                str(props["insee"]),
                props.get("classe") or "autre",
                props.get("niveau_densite"),
                rings,
            )
        )
    return tuple(sorted(found, key=lambda o: o.insee))


def outlines_for(departements: Iterable[str]) -> list[Outline]:
    """The outlines of several départements, in the order of their codes."""
    return [o for dep in sorted(set(departements)) for o in departement_outlines(dep)]


def map_departements(served: str, insee_codes: Iterable) -> set[str]:
    """The départements a map draws: the one served and those of the communes shown."""
    return {served} | {departement_of(code) for code in insee_codes if code is not None}
