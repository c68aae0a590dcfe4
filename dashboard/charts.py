"""Plotly figures in French, readable without colour: values written on the marks, a
colour-blind-safe palette (Okabe-Ito), decimal comma and thin-space thousands."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.markdown import chart_text

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14, color="#1f1f1f")


# Trace attributes that carry data (association names, labels): Plotly reads HTML in them.
# `text` is left to the builder, which escapes the data it puts between its own markup.
DATA_TEXT = ("x", "y", "labels", "parents", "ids", "customdata", "name", "legendgroup")


def _escaped(value):
    if isinstance(value, str):
        return chart_text(value)
    if isinstance(value, np.ndarray) and value.dtype.kind not in "OUS":
        return value  # numbers, dates: nothing to escape
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_escaped(item) for item in value]
    return value


def escape_data(fig: go.Figure) -> go.Figure:
    """Every string of every trace's data attributes as text (HTML entities)."""
    for trace in fig.data:
        for attribute in DATA_TEXT:
            value = getattr(trace, attribute, None)
            if value is not None and attribute in trace:
                trace[attribute] = _escaped(value)
    return fig


def french(fig: go.Figure, height: int = 380) -> go.Figure:
    """French separators, accessible contrast, no clutter; data strings escaped (each figure
    goes through here once)."""
    escape_data(fig)
    fig.update_layout(
        separators=", ",  # decimal comma, space as thousands separator
        font=FONT,
        colorway=PALETTE,
        template="simple_white",
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        hoverlabel=dict(font_size=14),
    )
    return fig


def bars(
    labels: list[str],
    values: list[float],
    *,
    title: str = "",
    horizontal: bool = False,
    text: list[str] | None = None,
    color: str = PALETTE[0],
) -> go.Figure:
    """One series of bars with its value written on each bar."""
    bar = go.Bar(
        x=values if horizontal else labels,
        y=labels if horizontal else values,
        orientation="h" if horizontal else "v",
        text=text,
        textposition="auto",
        marker_color=color,
    )
    fig = go.Figure(bar)
    fig.update_layout(title=title)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return french(fig)
