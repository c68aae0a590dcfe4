"""Tables of places (commune, EPCI, établissement, antenne) with their small counts hidden
(indicators/small_counts.py): on screen outside the admin and direction roles, and in
every export whatever the role."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pandas as pd
import streamlit as st

from auth.roles import Identity
from dashboard.sections import in_french, share_columns
from dashboard.widgets import table
from domain.formatting import number
from indicators.small_counts import Suppressed, must_suppress, suppress


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


def hide_small_counts(
    frame: pd.DataFrame,
    counts: list[str],
    rates: Mapping[str, str | tuple[str, str]] | None = None,
    groups: list[str] | None = None,
) -> Suppressed:
    """`suppress` over the count, rate and grouping columns this frame has."""
    present = [c for c in counts if c in frame]
    rates = {r: d for r, d in (rates or {}).items() if r in frame}
    return suppress(frame, present, rates=rates, groups=[g for g in groups or [] if g in frame])


def place_table(
    frame: pd.DataFrame,
    name: str,
    viewer: Identity,
    counts: list[str],
    rates: Mapping[str, str | tuple[str, str]] | None = None,
    groups: list[str] | None = None,
    hidden_columns: list[str] | None = None,
) -> Suppressed:
    """`widgets.table` for a table of places, named by the catalogue: small counts hidden
    in the CSV always, and on screen when the viewer's role requires it; a note says so
    when something is hidden. Returns the suppression (its mask serves the map)."""
    present = [c for c in counts if c in frame]
    hidden = hide_small_counts(frame, counts, rates, groups)
    frame = frame.drop(columns=hidden_columns or [])
    hidden = replace(hidden, display=hidden.display.drop(columns=hidden_columns or []))
    export = in_french(hidden.display)
    on_screen = must_suppress(viewer.role.value)
    shown = _as_text(hidden.display, present, hidden.mask) if on_screen else frame
    # A viewer who sees every count on screen is told on the download only (the one place
    # something is hidden for them), not by a note under each table.
    in_file = f"{hidden.note} Masqués dans ce fichier." if hidden.count_hidden else None
    table(
        in_french(shown),
        name,
        percent_columns=share_columns(frame),
        export=export,
        download_help=None if on_screen else in_file,
    )
    if hidden.count_hidden and on_screen:
        st.caption(f"{hidden.note} Masqués ci-dessus et dans le fichier CSV.")
    return hidden
