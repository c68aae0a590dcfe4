"""Plotly figures in French, readable without colour: values written on the marks, a
colour-blind-safe palette (Okabe-Ito), decimal comma and thin-space thousands."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from babel.dates import get_day_names, get_month_names

from dashboard.markdown import chart_text

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14, color="#1f1f1f")


def _months(width: str) -> list[str]:
    """French month names, January first, as Babel (CLDR) writes them: « janvier » …,
    « janv. », « févr. », « mars », « mai » … (abbreviated with a dot, short ones whole)."""
    names = get_month_names(width, locale="fr_FR")
    return [names[month] for month in range(1, 13)]


def _days(width: str) -> list[str]:
    """French day names, Sunday first as plotly.js (d3) wants them; Babel counts from
    Monday (0) to Sunday (6)."""
    names = get_day_names(width, locale="fr_FR")
    return [names[6], *(names[day] for day in range(6))]


# Plotly's own words (its toolbar, its messages, month names on a time axis) in French:
# plotly.js takes a locale given with each chart (config `locales`), nothing to register in
# the page. The keys are plotly.js's English, found in Streamlit's bundled plotly.js by
# tests/test_streamlit_fr.py.
PLOTLY_FR = {
    "dictionary": {
        "Download plot as a PNG": "Télécharger l'image (PNG)",
        "Download plot": "Télécharger l'image",
        "Preparing image - this may take a few seconds": "Préparation de l'image…",
        "Image download succeeded": "Image téléchargée",
        "Sorry, there was a problem downloading your image!": "L'image n'a pas pu être "
        "téléchargée.",
        "Pan": "Déplacer",
        "Zoom": "Agrandir une zone",
        "Zoom in": "Agrandir",
        "Zoom out": "Réduire",
        "Autoscale": "Tout afficher",
        "Reset axes": "Revenir à la vue d'origine",
        "Reset": "Revenir à la vue d'origine",
        "Reset view": "Revenir à la vue d'origine",
        "Box Select": "Sélection rectangulaire",
        "Lasso Select": "Sélection au lasso",
        "Show closest data on hover": "Valeur la plus proche au survol",
        "Compare data on hover": "Comparer les valeurs au survol",
        "Toggle show closest data on hover": "Valeurs au survol",
        "Toggle Spike Lines": "Lignes de repère",
        "Double-click to zoom back out": "Double-cliquez pour revenir à la vue d'origine",
        "Double-click on legend to isolate one trace": "Double-cliquez sur la légende pour "
        "n'afficher que cette série",
        "Produced with Plotly.js": "Réalisé avec Plotly.js",
    },
    "format": {
        "days": _days("wide"),
        "shortDays": _days("abbreviated"),
        "months": _months("wide"),
        "shortMonths": _months("abbreviated"),
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": "\u202f",
    },
}
# The toolbar keeps the image download and Streamlit's full screen; a chart one can move
# (the map) also keeps move, zoom in and out, and back to the start. Box zoom, selections
# and autoscale serve nobody on these charts.
STILL = ("zoom2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d")
MOVABLE = ("zoom2d", "autoScale2d")


def config(movable: bool = False) -> dict:
    """The `config` of `st.plotly_chart`: French, no Plotly logo, a toolbar that only holds
    what serves, an image named « graphique.png » (not « newplot.png »)."""
    return {
        "displaylogo": False,
        "locale": "fr",
        "locales": {"fr": PLOTLY_FR},
        "modeBarButtonsToRemove": [*(MOVABLE if movable else STILL), "select2d", "lasso2d"],
        "toImageButtonOptions": {"filename": "graphique"},
        "scrollZoom": movable,
    }


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
