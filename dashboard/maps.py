"""Offline maps: commune outlines drawn as plain plotly shapes on cartesian axes.

No tile server, no CDN topojson, no map style: x = longitude, y = latitude, with the y
scale stretched by 1 / cos(latitude) so that a kilometre is as long east-west as
north-south. Colour is never the only carrier: rural communes are hatched with a dotted
outline, urban ones plain with a solid outline, youths are sized circles, antennes stars
with their names, uncovered communes crossed; every trace is named in the legend and the
counts are in the hover and in the table under the map.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import PALETTE, french
from dashboard.markdown import chart_text
from domain.formatting import number
from indicators.outlines import map_departements, outlines_for
from indicators.territory import served_departement

CLASS_STYLE = {
    "rural": dict(
        name="Commune rurale (hachurée, pointillés)",
        fillcolor="rgba(0, 158, 115, 0.10)",
        fillpattern=dict(shape="/", fgcolor="rgba(0, 158, 115, 0.55)", size=7, solidity=0.15),
        line=dict(color="rgba(0, 110, 80, 0.7)", width=0.6, dash="dot"),
    ),
    "urbain": dict(
        name="Commune urbaine (trait plein)",
        fillcolor="rgba(150, 150, 150, 0.22)",
        fillpattern=None,
        line=dict(color="rgba(60, 60, 60, 0.8)", width=0.7),
    ),
}
OTHER_STYLE = dict(
    name="Commune non classée",
    fillcolor="rgba(200, 200, 200, 0.3)",
    fillpattern=None,
    line=dict(color="#888888", width=0.6),
)
MAX_BUBBLE_PX = 42


@lru_cache(maxsize=8)
def outlines(departements: frozenset[str]) -> dict[str, tuple[tuple, tuple]]:
    """The commune outlines of `departements`, per class: the x (longitude) and y
    (latitude) of every ring, rings separated by None (read once per set)."""
    rings: dict[str, tuple[list, list]] = {}
    for outline in outlines_for(departements):
        xs, ys = rings.setdefault(outline.classe, ([], []))
        for ring in outline.rings:
            xs.extend(point[0] for point in ring)
            ys.extend(point[1] for point in ring)
            xs.append(None)
            ys.append(None)
    return {k: (tuple(xs), tuple(ys)) for k, (xs, ys) in sorted(rings.items())}


def _outline_traces(departements: set[str]) -> list[go.Scatter]:
    traces = []
    for classe, (xs, ys) in outlines(frozenset(departements)).items():
        style = CLASS_STYLE.get(classe, OTHER_STYLE)
        trace = go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            fill="toself",
            name=style["name"],
            fillcolor=style["fillcolor"],
            line=style["line"],
            hoverinfo="skip",
        )
        if style["fillpattern"]:
            trace.update(fillpattern=style["fillpattern"])
        traces.append(trace)
    return traces


def _label_positions(sites: pd.DataFrame, near_km: float = 15) -> list[str]:
    """Labels above the stars, except below a star that has another one just north of it
    (Lille under Roubaix), so that close names do not overlap."""
    lat, lon = sites["latitude"].to_numpy(float), sites["longitude"].to_numpy(float)
    positions = []
    for i in range(len(sites)):
        dy = (lat - lat[i]) * 111.2
        dx = (lon - lon[i]) * 111.2 * math.cos(math.radians(lat[i]))
        crowded = ((dy > 0) & (dx**2 + dy**2 < near_km**2)).any()
        positions.append("bottom center" if crowded else "top center")
    return positions


def _km(value: float) -> str:
    return "distance inconnue" if pd.isna(value) else f"{number(float(value), 1)} km"


def _youths_trace(placed: pd.DataFrame, small: pd.Series, count) -> go.Scatter:
    """A circle per commune with youths, its area proportional to their number."""
    biggest = max(int(placed["jeunes_inscrits"].max()) if len(placed) else 1, 1)
    return go.Scatter(
        x=placed["longitude"],
        y=placed["latitude"],
        mode="markers",
        name="Jeunes inscrits sur la période (taille du cercle)",
        marker=dict(
            size=placed["jeunes_inscrits"],
            sizemode="area",
            sizeref=2.0 * biggest / MAX_BUBBLE_PX**2,
            sizemin=3,
            color="rgba(0, 114, 178, 0.75)",
            line=dict(color="white", width=1),
        ),
        text=[
            f"<b>{chart_text(row.nom)}</b> ({row.insee})<br>"
            f"{count(row.jeunes_inscrits, hidden_flag, 'jeune')}, "
            f"{count(row.demarrages, hidden_flag, 'démarrage')}"
            f"<br>Antenne la plus proche : {chart_text(row.antenne_proche or '–')} "
            f"({_km(row.distance_km)})"
            for row, hidden_flag in zip(placed.itertuples(), small, strict=True)
        ],
        hovertemplate="%{text}<extra></extra>",
    )


def _uncovered_trace(uncovered: pd.DataFrame, radius_km: float, count, hidden) -> go.Scatter:
    """A cross per commune whose youths wait for a mentor far from every antenne."""
    return go.Scatter(
        x=uncovered["longitude"],
        y=uncovered["latitude"],
        mode="markers",
        name=f"Jeunes en attente à plus de {number(radius_km)} km d'une antenne",
        marker=dict(symbol="x-thin-open", size=16, line=dict(color=PALETTE[3], width=3)),
        text=[
            f"<b>{chart_text(row.nom)}</b> ({row.insee})<br>"
            f"{count(row.en_attente_binome, hidden(row.Index), 'jeune')} "
            "en attente de mentor<br>"
            f"Antenne la plus proche : {chart_text(row.antenne_proche or '–')} "
            f"({_km(row.distance_km)})"
            for row in uncovered.itertuples()
        ],
        hovertemplate="%{text}<extra></extra>",
    )


def _antennes_trace(sites: pd.DataFrame) -> go.Scatter:
    """A star per antenne, named."""
    return go.Scatter(
        x=sites["longitude"],
        y=sites["latitude"],
        mode="markers+text",
        name="Antenne de mentorat (étoile)",
        marker=dict(symbol="star", size=17, color=PALETTE[1], line=dict(color="#1f1f1f", width=1)),
        text=[chart_text(name) for name in sites["nom"]],
        textposition=_label_positions(sites),
        textfont=dict(size=12, color="#1f1f1f"),
        customdata=sites[["association", "commune"]].to_numpy(),
        hovertemplate="<b>%{text}</b><br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
    )


def _map_layout(fig: go.Figure, latitudes: pd.Series, height: int) -> go.Figure:
    """No axes, distances true at the map's latitude, legend above, panning."""
    middle = float(latitudes.mean()) if len(latitudes) else 50.5
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(middle)))
    french(fig, height=height)
    return fig.update_layout(
        legend=dict(
            orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left", itemsizing="constant"
        ),
        margin=dict(l=0, r=0, t=60, b=0),
        plot_bgcolor="white",
        dragmode="pan",
    )


def commune_map(
    communes: pd.DataFrame,
    antennes: pd.DataFrame,
    uncovered: pd.DataFrame | None = None,
    radius_km: float = 30,
    height: int = 780,
    hide_below: int | None = None,
    hidden: pd.Series | None = None,
    hidden_waiting: pd.Series | None = None,
) -> go.Figure:
    """The département's communes, youths per commune and antennes.

    `communes`: `coverage.by_commune` rows (`insee`, `nom`, `classe`, `latitude`,
    `longitude`, `jeunes_inscrits`, `demarrages`, `antenne_proche`, `distance_km`);
    `antennes`: the dataset's antennes (`association`, `nom`, `commune`, `latitude`,
    `longitude`); `uncovered`: `coverage.uncovered_communes` rows, crossed out on the map.
    With `hide_below` (the small-count threshold), the communes whose youths count is
    hidden (`hidden`, aligned on `communes`: the table's primary and secondary suppression;
    by default the counts under the threshold) are written "< hide_below" and drawn at the
    threshold's size, so neither gives it away; likewise the waiting youths of `uncovered`
    (`hidden_waiting`)."""
    placed = communes.dropna(subset=["latitude", "longitude"])
    placed = placed[placed["jeunes_inscrits"] > 0]
    small = pd.Series(False, index=placed.index)
    waiting_mask = None
    if hide_below:
        mask = communes["jeunes_inscrits"] < hide_below if hidden is None else hidden
        small = mask.reindex(placed.index).fillna(False).astype(bool)
        placed = placed.assign(jeunes_inscrits=placed["jeunes_inscrits"].where(~small, hide_below))
        waiting_mask = hidden_waiting
        if waiting_mask is None and uncovered is not None:
            waiting_mask = uncovered["en_attente_binome"] < hide_below

    def count(n, flag: bool, word: str) -> str:
        if flag:
            return f"< {hide_below} {word}s"
        return f"{number(int(n))} {word}{'s' if n > 1 else ''}"

    def waiting_hidden(index) -> bool:
        return bool(waiting_mask is not None and waiting_mask.get(index, False))

    departements = map_departements(served_departement(), communes["insee"].dropna())
    fig = go.Figure(_outline_traces(departements))
    fig.add_trace(_youths_trace(placed, small, count))
    if uncovered is not None and not uncovered.empty:
        fig.add_trace(_uncovered_trace(uncovered, radius_km, count, waiting_hidden))
    sites = antennes.dropna(subset=["latitude", "longitude"]) if not antennes.empty else antennes
    latitudes = [placed["latitude"]]
    if not sites.empty:
        fig.add_trace(_antennes_trace(sites))
        latitudes.append(sites["latitude"])
    return _map_layout(fig, pd.concat(latitudes), height)
