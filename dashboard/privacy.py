"""Tables of places (commune, EPCI, établissement, antenne) with their small counts hidden
(indicators/small_counts.py): on screen outside the admin and direction roles, and in
every export whatever the role."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from auth.roles import Identity
from dashboard.widgets import table
from indicators.formatting import number
from indicators.small_counts import must_suppress, suppress


def _as_text(display: pd.DataFrame, counts: list[str], mask: pd.DataFrame) -> pd.DataFrame:
    """Count columns holding hidden cells as French text ("1 234", "< 11", "–"): one type
    per column on screen."""
    shown = display.copy()
    for col in counts:
        if col in mask and mask[col].any():
            shown[col] = shown[col].map(
                lambda v: v if isinstance(v, str) else ("–" if v is None else number(v))
            )
    return shown


def place_table(
    frame: pd.DataFrame,
    name: str,
    viewer: Identity,
    counts: list[str],
    rates: Mapping[str, str | tuple[str, str]] | None = None,
    labels: Mapping[str, str] | None = None,
    percent_columns: tuple[str, ...] = (),
) -> None:
    """`widgets.table` for a table of places: small counts hidden in the CSV always, and on
    screen when the viewer's role requires it; a note says so when something is hidden."""
    labels = labels or {}
    present = [c for c in counts if c in frame]
    rates = {r: d for r, d in (rates or {}).items() if r in frame}
    hidden = suppress(frame, present, rates=rates)
    export = hidden.display.rename(columns=labels)
    on_screen = must_suppress(viewer.role.value)
    if on_screen:
        shown = _as_text(hidden.display, present, hidden.mask).rename(columns=labels)
    else:
        shown = frame.rename(columns=labels)
    table(shown, name, percent_columns=percent_columns, export=export)
    if hidden.count_hidden:
        where = "ci-dessus et dans le fichier CSV" if on_screen else "dans le fichier CSV"
        st.caption(f"{hidden.note} Masqués {where}.")
