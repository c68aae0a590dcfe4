"""The sidebar shared by every page: period, association, canal, territoire, rural/urbain,
age band, type d'accueil. Values persist across pages for the session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from domain.values import category_labels
from indicators.dataset import AGE_BANDS, Dataset, Filters, Period

ALL = "Toutes"


@dataclass(frozen=True)
class View:
    period: Period
    filters: Filters


def _choice(label: str, key: str, options: list[str], labels: dict[str, str] | None = None):
    """A select box whose first entry, "Toutes", means no filter (None)."""
    labels = labels or {}
    chosen = st.sidebar.selectbox(
        label,
        [ALL, *options],
        format_func=lambda v: labels.get(v, v),
        key=key,
        persist_state="session",
    )
    return None if chosen in (ALL, None) else chosen


def sidebar(data: Dataset, today: dt.date | None = None) -> View:
    """Render the shared filters and return what they select."""
    today = today or dt.date.today()
    default = Period.last_months(today, 12)
    st.sidebar.header("Filtres")
    chosen = st.sidebar.date_input(
        "Période (inscriptions du … au …)",
        value=(default.du, default.au),
        format="DD/MM/YYYY",
        key="periode",
        persist_state="session",
    )
    # While only one date of the range is picked, keep the default period.
    complete = isinstance(chosen, tuple) and len(chosen) == 2
    period = Period(*chosen) if complete else default
    p = data.parcours
    filters = Filters(
        association=_choice("Association", "f_association", _values(p["association"])),
        canal=_choice("Canal", "f_canal", _values(p["canal"]), category_labels("canal")),
        territoire=_choice("Territoire", "f_territoire", _values(p["territoire"])),
        classe=_choice(
            "Rural / urbain",
            "f_classe",
            ["rural", "urbain"],
            {"rural": "rural", "urbain": "urbain"},
        ),
        tranche_age=_choice("Âge à l'inscription", "f_age", list(AGE_BANDS)),
        type_accueil=_choice(
            "Type d'accueil",
            "f_accueil",
            _values(p["type_accueil"]),
            category_labels("type_accueil"),
        ),
    )
    st.sidebar.caption(
        f"Données au {period.au:%d/%m/%Y} : une date postérieure compte comme inconnue."
    )
    return View(period, filters)


def _values(column: pd.Series) -> list[str]:
    return sorted(v for v in column.dropna().unique().tolist() if v)
