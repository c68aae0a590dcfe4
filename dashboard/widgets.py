"""Page building blocks: definitions, tables with a CSV download, the freshness banner."""

from __future__ import annotations

import contextlib
import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.download_gate import download_button
from dashboard.markdown import plain
from domain.formatting import day, number, percent
from domain.spreadsheet_cells import CSV_LINE_TERMINATOR, neutralise_frame

STALE_AFTER_DAYS = 45
MAX_ROWS_SHOWN = 1000  # on screen; the CSV download has every row


def definition(text: str) -> None:
    with st.expander("Définition", icon=":material/info:"):
        st.markdown(text)


def _decimal_comma(value: object) -> object:
    """A float inside an object column (e.g. a rate beside hidden small counts) as French
    Excel reads a number; other values as they are."""
    if isinstance(value, float | np.floating) and not np.isnan(value):
        return str(float(value)).replace(".", ",")
    return value


def csv_for_excel(frame: pd.DataFrame) -> bytes:
    """CSV as French Excel opens it (UTF-8 with BOM, `;`, decimal comma also in columns of
    mixed values, CRLF); a text cell or a column label that would start a formula gets a
    leading apostrophe (`domain.spreadsheet_cells`), numbers stay numbers. CRLF line ends also
    make the writer quote any cell holding a carriage return, which Excel would otherwise
    take for a new row starting inside the cell."""
    safe = neutralise_frame(frame)
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if pd.api.types.is_object_dtype(column.dtype):  # `decimal=` skips floats in objects
            safe.isetitem(position, column.map(_decimal_comma))
    return safe.to_csv(
        index=False, sep=";", decimal=",", lineterminator=CSV_LINE_TERMINATOR
    ).encode("utf-8-sig")


def for_display(
    frame: pd.DataFrame, percent_columns: tuple[str, ...] = (), decimals: int = 1
) -> pd.DataFrame:
    """French formats on screen: dates "12/03/2025" (also Python dates in a text column),
    shares "12,5 %", decimals "4,5" and whole values "79" (not "79,0"), "–" when missing;
    whole numbers stay numbers (so columns still sort)."""
    shown = frame.copy()
    for col in shown.columns:
        s = shown[col]
        if col in percent_columns:
            shown[col] = s.map(lambda v: percent(None if pd.isna(v) else float(v)))
        elif pd.api.types.is_datetime64_any_dtype(s):
            shown[col] = s.map(lambda v: day(None if pd.isna(v) else v.date()))
        elif s.dtype == object and s.map(lambda v: isinstance(v, dt.date)).any():
            shown[col] = s.map(_french_date)
        elif pd.api.types.is_float_dtype(s) or (
            s.dtype == object and s.map(lambda v: isinstance(v, float)).any()
        ):
            shown[col] = s.map(lambda v: _french_number(v, decimals))
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            shown[col] = s.map(lambda v: "–" if v is None or v is pd.NA or v != v else v)
    return shown


def _french_date(value: object) -> object:
    if isinstance(value, dt.date):
        return day(value)
    return "–" if value is None or pd.isna(value) else value


def _french_number(value: object, decimals: int) -> str:
    if value is None or pd.isna(value):
        return "–"
    value = float(value)
    return number(value, decimals if value % 1 else 0)


CHAR_PX, PADDING_PX, MIN_PX, MAX_PX = 7.8, 28, 64, 560  # the grid's font, 14 px sans


def column_width(frame: pd.DataFrame, column) -> int:
    """Pixels for a column to show its header and its longest cell (among the first 500)
    uncut, within bounds: a long text stays scrollable rather than cut at a few letters."""
    cells = frame[column].head(500).map(lambda v: len(str(v)))
    chars = max(len(str(column)), int(cells.max()) if len(cells) else 0)
    return int(min(MAX_PX, max(MIN_PX, PADDING_PX + CHAR_PX * chars)))


def french_table(frame: pd.DataFrame) -> None:
    """A table on screen: every column wide enough for its header and cells (no « B2… »),
    whole numbers with the reader's thousands separator (« 1 234 » in a French browser)
    while they stay numbers, so that columns still sort."""
    config = {}
    for column in frame.columns:
        width = column_width(frame, column)
        if pd.api.types.is_integer_dtype(frame[column]):
            config[column] = st.column_config.NumberColumn(format="localized", width=width)
        else:
            config[column] = st.column_config.Column(width=width)
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)


def table(
    frame: pd.DataFrame,
    name: str,
    key: str | None = None,
    percent_columns: tuple[str, ...] = (),
    export: pd.DataFrame | None = None,
    download_help: str | None = None,
) -> None:
    """The data under a chart, in French formats on screen, downloadable as CSV (numbers
    kept as numbers there; `export` when the file must differ from the screen, e.g. small
    counts hidden). The file is made on a click, for a viewer who may still have it, and
    written in the audit log (dashboard/download_gate.py)."""
    shown = frame.head(MAX_ROWS_SHOWN)
    french_table(for_display(shown, percent_columns))
    if len(frame) > MAX_ROWS_SHOWN:
        st.caption(
            f"{number(MAX_ROWS_SHOWN)} premières lignes sur {number(len(frame))} : "
            "le fichier CSV les contient toutes."
        )
    written = frame if export is None else export
    download_button(
        "Télécharger (CSV)",
        lambda: csv_for_excel(written),
        f"{name}.csv",
        "text/csv",
        key=key or f"dl_{name}",
        action="export",
        what=f"{name}.csv",
        help=download_help,
    )


def freshness(latest: pd.DataFrame, today: dt.date | None = None) -> None:
    """ "Données au …": the date each association's latest export describes (its « extraction
    du … », else its latest date), with a warning when it is old."""
    today = today or dt.date.today()
    exports = latest[latest["type"] == "association"]
    if exports.empty:
        return
    dates = {row.association: row.date_donnees for row in exports.itertuples()}
    parts = [f"{plain(name)} {day(d)}" for name, d in sorted(dates.items())]
    st.caption("Données au : " + " · ".join(parts))
    stale = [n for n, d in dates.items() if (today - d).days > STALE_AFTER_DAYS]
    if stale:
        st.warning(
            f"Export de plus de {STALE_AFTER_DAYS} jours : "
            + ", ".join(plain(n) for n in sorted(stale))
            + ". Demandez un export à jour.",
            icon=":material/schedule:",
        )


UPLOAD = ":material/upload:"


def no_data_yet(may_import: bool) -> None:
    """An empty base: what to do, in the web's own words (never a command line), and the
    way to the Importer for those who may import."""
    st.warning(
        "Aucun parcours dans la base pour l'instant. "
        + (
            "Importez les fichiers du mois (exports des associations, fiches du CD, suivi "
            "d'honorabilité) depuis la page « Importer »."
            if may_import
            else "Les chiffres apparaîtront dès que les fichiers du mois auront été importés "
            "par le chargé(e) de projet ou par les associations."
        ),
        icon=":material/inbox:",
    )
    if may_import:
        # A page run on its own (outside the app's navigation) has no page to link to.
        with contextlib.suppress(StreamlitAPIException):
            st.page_link("pages/importer.py", label="Aller à la page « Importer »", icon=UPLOAD)
