"""Page building blocks: definitions, tables with a CSV download, the freshness banner."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.tables import paris
from indicators.formatting import day, number, percent

STALE_AFTER_DAYS = 45
MAX_ROWS_SHOWN = 1000  # on screen; the CSV download has every row
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


def for_display(
    frame: pd.DataFrame, percent_columns: tuple[str, ...] = (), decimals: int = 1
) -> pd.DataFrame:
    """French formats on screen: dates "12/03/2025", shares "12,5 %", decimals "4,5";
    whole numbers stay numbers (so columns still sort)."""
    shown = frame.copy()
    for col in shown.columns:
        s = shown[col]
        if col in percent_columns:
            shown[col] = s.map(lambda v: percent(None if pd.isna(v) else float(v)))
        elif pd.api.types.is_datetime64_any_dtype(s):
            shown[col] = s.map(lambda v: day(None if pd.isna(v) else v.date()))
        elif pd.api.types.is_float_dtype(s) or (
            s.dtype == object and s.map(lambda v: isinstance(v, float)).any()
        ):
            shown[col] = s.map(
                lambda v: "–" if v is None or pd.isna(v) else number(float(v), decimals)
            )
    return shown


def table(
    frame: pd.DataFrame,
    name: str,
    key: str | None = None,
    percent_columns: tuple[str, ...] = (),
) -> None:
    """The data under a chart, in French formats on screen, downloadable as CSV (numbers
    kept as numbers there)."""
    shown = frame.head(MAX_ROWS_SHOWN)
    st.dataframe(for_display(shown, percent_columns), hide_index=True, width="stretch")
    if len(frame) > MAX_ROWS_SHOWN:
        st.caption(
            f"{number(MAX_ROWS_SHOWN)} premières lignes sur {number(len(frame))} : "
            "le fichier CSV les contient toutes."
        )
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
