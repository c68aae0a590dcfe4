"""What a page is made of: sections (title, definition), tiles, charts and tables whose
names, units and formats come from the catalogue of figures (indicators/catalogue.py).

A page reads as a list of sections; no page renames a figure itself. Descriptive columns
(the `libelle` of a step, a rule, a reason…) may be named for their table with `labels`; a
figure column never is: its name is the catalogue's, the same on every page.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.charts import config as chart_config
from dashboard.filters import View
from dashboard.registry import page
from dashboard.widgets import definition, table
from domain.formatting import day
from indicators.catalogue import BY_ID, Unit, entry, french_names, shown
from indicators.headline import Change


def section(title: str, explained: str | None = None) -> None:
    """A section title and, when given, its definition under « Définition »."""
    st.subheader(title)
    if explained:
        definition(explained)


explain = definition  # a definition under a block that has no title of its own


def link_to(stem: str) -> None:
    """A link to another page of the app (declared in the registry)."""
    target = page(stem)
    try:
        st.page_link(target.path, label=f"Voir la page « {target.title} »", icon=target.icon)
    except StreamlitAPIException:  # a page run on its own, outside the app's navigation
        st.caption(f"Voir la page « {target.title} ».")


def months_caption(view: View) -> str:
    """Under a series by month: the ends of the period may be partial months, and the
    months after the data date are not known yet (not drawn, never as zero)."""
    words = "Le premier et le dernier mois de la période peuvent être incomplets."
    if view.known_until is not None:
        words += (
            f" Les mois après la date des données ({day(view.known_until)}) ne sont pas "
            "encore connus : ils ne sont pas montrés."
        )
    return words


def chart(figure: go.Figure, *, movable: bool = False) -> None:
    """A figure with plotly's toolbar and messages in French (dashboard/charts.py);
    `movable` for a chart one moves and zooms (the map)."""
    st.plotly_chart(figure, config=chart_config(movable))


def tile(column, id_: str, value, change: Change | None = None, help: str | None = None) -> None:
    """One figure as a metric, named and formatted by the catalogue; with `change`, the
    move against the comparison period (green when it is the good way)."""
    kwargs = {}
    if change is not None:
        colour = "gray" if change.good is None else "green" if change.good else "red"
        kwargs = {"delta": change.text, "delta_color": colour, "delta_arrow": change.direction}
    column.metric(
        entry(id_).name,
        value if isinstance(value, str) else shown(id_, value),
        help=help,
        border=True,
        **kwargs,
    )


def tiles(values: Mapping[str, object], per_row: int = 4) -> None:
    """Several figures side by side ({catalogue id: value}), `per_row` to a row."""
    ids = list(values)
    for start in range(0, len(ids), per_row):
        row = ids[start : start + per_row]
        for column, id_ in zip(st.columns(per_row), row, strict=False):
            tile(column, id_, values[id_])


def in_french(
    frame: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    value_columns: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The table with its columns named by the catalogue (descriptive ones by `labels` when
    given); `value_columns` are columns named after data (one per association, per
    canal…) and kept as they are. KeyError for a column the catalogue does not declare,
    ValueError when `labels` would rename a figure."""
    labels = dict(labels or {})
    renamed = [c for c in labels if c in frame and entry(c).is_figure]
    if renamed:
        raise ValueError(f"figures are named by the catalogue only: {renamed}")
    names = french_names(c for c in frame.columns if c not in labels and c not in value_columns)
    return frame.rename(columns={**names, **labels})


def share_columns(
    frame: pd.DataFrame, value_columns: tuple[str, ...] = (), values_are: str | None = None
) -> tuple[str, ...]:
    """The French names of the columns holding shares (shown as percentages); the
    `value_columns` too when they hold the catalogue figure `values_are` and it is a share."""
    named = tuple(
        entry(c).name for c in frame.columns if c in BY_ID and entry(c).unit is Unit.SHARE
    )
    if values_are is not None and entry(values_are).unit is Unit.SHARE:
        named += tuple(value_columns)
    return named


def data_table(
    frame: pd.DataFrame,
    name: str,
    labels: Mapping[str, str] | None = None,
    export: pd.DataFrame | None = None,
    key: str | None = None,
    value_columns: tuple[str, ...] = (),
    values_are: str | None = None,
) -> None:
    """The data under a chart: French names from the catalogue, shares as percentages,
    dates and numbers in French, a CSV download (written in the audit log). A wide table
    has `value_columns` named after data (an association, a canal, a field) that all hold
    the catalogue figure `values_are`."""
    table(
        in_french(frame, labels, value_columns),
        name,
        key=key,
        percent_columns=share_columns(frame, value_columns, values_are),
        export=None if export is None else in_french(export, labels, value_columns),
    )
