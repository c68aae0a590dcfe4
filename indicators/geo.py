"""Straight-line distances between communes and antennes (rural coverage, dispatch).

Distances are great-circle ("à vol d'oiseau") on a sphere of radius 6,371 km: road distances
are longer, but the order of antennes rarely changes and no routing service is needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.formatting import number

EARTH_RADIUS_KM = 6371.0

DEFINITION = (
    "Distance à l'antenne la plus proche : distance à vol d'oiseau entre le centre de la "
    "commune du jeune et la commune de l'antenne de mentorat la plus proche (toutes "
    "associations confondues), arrondie à 0,1 km. La distance par la route est plus longue."
)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray | float:
    """Great-circle distance in km; arguments broadcast like numpy arrays (NaN propagates)."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return distance if distance.ndim else float(distance)


def nearest_antenne(communes: pd.DataFrame, antennes: pd.DataFrame) -> pd.DataFrame:
    """For each commune (`insee`, `latitude`, `longitude`): its nearest antenne.

    Returns `insee`, `antenne`, `association`, `distance_km` (rounded to 0.1 km), one row
    per input row in the same order; NaN distance and None names when the commune has no
    position or no antenne has one. Ties go to the first antenne of the frame."""
    insee = communes["insee"].to_numpy(dtype=object) if "insee" in communes else np.array([])
    n = len(communes)
    result = pd.DataFrame(
        {
            "insee": insee,
            "antenne": np.full(n, None, dtype=object),
            "association": np.full(n, None, dtype=object),
            "distance_km": np.full(n, np.nan),
        }
    )
    if n == 0 or antennes is None or antennes.empty:
        return result
    placed = antennes.dropna(subset=["latitude", "longitude"])
    if placed.empty:
        return result
    lat = pd.to_numeric(communes["latitude"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(communes["longitude"], errors="coerce").to_numpy(dtype=float)
    known = ~(np.isnan(lat) | np.isnan(lon))
    if not known.any():
        return result
    distances = haversine_km(
        lat[known, None],
        lon[known, None],
        placed["latitude"].to_numpy(dtype=float)[None, :],
        placed["longitude"].to_numpy(dtype=float)[None, :],
    )
    best = distances.argmin(axis=1)
    rows = np.flatnonzero(known)
    result.loc[rows, "antenne"] = placed["nom"].to_numpy(dtype=object)[best]
    result.loc[rows, "association"] = placed["association"].to_numpy(dtype=object)[best]
    result.loc[rows, "distance_km"] = np.round(distances[np.arange(len(best)), best], 1)
    return result


def format_km(distance: float | None) -> str:
    """French display of a distance: 12.34 -> "12,3 km"; unknown -> "distance inconnue"."""
    if distance is None or pd.isna(distance):
        return "distance inconnue"
    return f"{number(round(float(distance), 1), 1)} km"
