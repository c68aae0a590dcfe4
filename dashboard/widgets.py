"""Page building blocks: definitions, tables with a CSV download, the freshness banner."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.tables import paris
from indicators.formatting import day

STALE_AFTER_DAYS = 45
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def definition(text: str) -> None:
    with st.expander("Définition", icon=":material/info:"):
        st.markdown(text)


def csv_for_excel(frame: pd.DataFrame) -> bytes:
    """CSV as French Excel opens it (UTF-8 with BOM, `;`, decimal comma); a cell that would
    start a formula is written as text."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return safe.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def table(frame: pd.DataFrame, name: str, key: str | None = None) -> None:
    """The data under a chart, downloadable as CSV."""
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Télécharger (CSV)",
        csv_for_excel(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key or f"dl_{name}",
        icon=":material/download:",
    )


def freshness(latest: pd.DataFrame, today: dt.date | None = None) -> None:
    """ "Données au …": each association's latest export, with a warning when it is old."""
    today = today or dt.date.today()
    exports = latest[latest["type"] == "association"]
    if exports.empty:
        return
    dates = {row.association: paris(row.dernier_import).date() for row in exports.itertuples()}
    parts = [f"{name} {day(d)}" for name, d in sorted(dates.items())]
    st.caption("Données au : " + " · ".join(parts))
    stale = [n for n, d in dates.items() if (today - d).days > STALE_AFTER_DAYS]
    if stale:
        st.warning(
            f"Export de plus de {STALE_AFTER_DAYS} jours : "
            + ", ".join(sorted(stale))
            + ". Demandez un export à jour.",
            icon=":material/schedule:",
        )
