"""The sidebar shared by every page: period, association, canal, territoire, rural/urbain,
age band, type d'accueil.

The filters are the truth of what the page shows, and they live in the address: every run
writes the current choice into the query string (`?du=2026-01-01&au=2026-06-30&association=…`,
defaults left out), so a reload keeps the view and a link reproduces it. An address that
differs from what the app last wrote (a reload, a shared link, a bookmark) is applied before
the widgets are drawn; a value it names that does not exist here is ignored and said. Across
pages (the menu drops the query string) the values are kept for the session and the new page
writes them back into the address.

The values live in the session (`KEPT`); each widget is drawn from them when it is new, and
an existing widget's state is never written from the server: an applied address gives the
widgets new keys (a new generation) instead. Written state once let the browser show
« Toutes » while the figures were computed for one association (tests/browser checks a date
typed then a click elsewhere, and a shared link).

Every period comes through `indicators.dataset.checked_period`: the address's, the date
box's (drawn with the accepted range as its bounds) and the one the session keeps. A period
it refuses (a date before 2015 or more than a year after the data date, unreadable, or a
start after the end) is said in the sidebar with the accepted range, and the default period
is shown instead; nothing of it is kept, so the next page and a reload show the default too.

The default period is the 12 months ending on the data date (`indicators.dataset.data_date`,
`dashboard.data.data_date`), said under the date box. The session keeps a period only when
it is not the default: after an import moves the data date, a view nobody chose follows the
new default, and a period somebody chose stays theirs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from auth.roles import Identity
from dashboard.markdown import plain
from domain.formatting import day, month
from domain.values import category_labels
from indicators.dataset import (
    AGE_BANDS,
    FILTER_LABELS,
    DataDate,
    Dataset,
    Filters,
    Period,
    PeriodRefused,
    accepted_range,
    checked_period,
)

ALL = "Toutes"
PERIOD_KEY = "periode"
WRITTEN = "_pilotage_adresse"  # session state: the query string this session last wrote
KEPT = "_pilotage_filtres"  # session state: the filters' values, kept across pages
GENERATION = "_pilotage_filtres_generation"  # session state: bumped by an applied address
DRAWN_DEFAULT = "_pilotage_periode_defaut"  # session state: the default the date box was drawn with
REFUSED = "_pilotage_periode_refusee"  # session state: a refusal to say after the box was reset
INSTEAD = " La période par défaut est affichée à la place."


@dataclass(frozen=True)
class View:
    period: Period
    filters: Filters
    viewer: Identity | None = None  # who is looking (set by dashboard.page.start)
    data_date: dt.date | None = None  # the day the data describe (None: not known here)

    @property
    def known_until(self) -> dt.date | None:
        """The data date when the period ends after it (a month series stops there), else
        None."""
        if self.data_date is not None and self.data_date < self.period.au:
            return self.data_date
        return None


@dataclass(frozen=True)
class Choice:
    """One select box of the sidebar and its name in the address."""

    param: str  # query-string name
    key: str  # widget key
    label: str
    field: str  # Filters field


CHOICES = tuple(
    Choice(param, f"f_{param}", FILTER_LABELS[field], field)
    for param, field in (
        ("association", "association"),
        ("canal", "canal"),
        ("territoire", "territoire"),
        ("classe", "classe"),
        ("age", "tranche_age"),
        ("accueil", "type_accueil"),
    )
)


def _options(data: Dataset) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Each select box's values and their French labels."""
    p = data.parcours
    return {
        "association": (_values(p["association"]), {}),
        "canal": (_values(p["canal"]), category_labels("canal")),
        "territoire": (_values(p["territoire"]), {}),
        "classe": (["rural", "urbain"], {}),
        "age": (list(AGE_BANDS), {}),
        "accueil": (_values(p["type_accueil"]), category_labels("type_accueil")),
    }


def _address() -> dict[str, str]:
    return {name: st.query_params.get(name) for name in st.query_params}


def _apply_address(
    options: dict[str, tuple[list[str], dict[str, str]]], data_date: dt.date
) -> tuple[list[str], str | None]:
    """Take the filters from an address this session did not write; returns what in it
    could not be applied and why its period was refused (French, for the sidebar)."""
    address = _address()
    if not address or address == st.session_state.get(WRITTEN):
        return [], None
    kept = _kept()
    ignored = []
    for choice in CHOICES:
        value = address.get(choice.param)
        if value is None:
            kept[choice.key] = ALL
        elif value in options[choice.param][0]:
            kept[choice.key] = value
        else:
            ignored.append(f"{choice.label.lower()} : valeur « {plain(value[:60])} » inconnue ici")
    kept[PERIOD_KEY] = None  # a link without dates, or with a period refused: the default
    refused = None
    if "du" in address or "au" in address:
        try:
            period = checked_period(address.get("du"), address.get("au"), data_date)
        except PeriodRefused as refusal:
            refused = refusal.message
        else:
            kept[PERIOD_KEY] = (period.du, period.au)
    _redraw()
    return ignored, refused


def _redraw() -> None:
    """Draw the sidebar's widgets anew (new keys) from the kept values."""
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def _checked_kept(data_date: dt.date) -> str | None:
    """Drop the kept period when `checked_period` refuses it now (kept before the data date
    moved back, or by an older version); returns why (French), else None. A period of one
    date (the second not picked yet) is checked as that day."""
    kept = _kept().get(PERIOD_KEY)
    if kept is None:
        return None
    dates = tuple(kept) if isinstance(kept, tuple | list) else ()
    try:
        if not 1 <= len(dates) <= 2:
            raise PeriodRefused("date absente ou illisible", data_date)
        checked_period(dates[0], dates[-1], data_date)
    except PeriodRefused as refusal:
        _kept()[PERIOD_KEY] = None
        _redraw()
        return refusal.message
    return None


def _kept() -> dict:
    return st.session_state.setdefault(KEPT, {})


def widget_key(name: str) -> str:
    """The key of a sidebar widget in this generation (the bare name until an address was
    applied in this session)."""
    generation = st.session_state.get(GENERATION, 0)
    return name if generation == 0 else f"{name}_{generation}"


def _write_address(period: Period, default: Period, filters: Filters) -> None:
    wanted = {}
    if period != default:
        wanted = {"du": period.du.isoformat(), "au": period.au.isoformat()}
    for choice in CHOICES:
        value = getattr(filters, choice.field)
        if value is not None:
            wanted[choice.param] = value
    if wanted != _address():
        st.query_params.from_dict(wanted)
    st.session_state[WRITTEN] = wanted


def _drawn_with(key: str, value) -> str:
    """The date widget's key, its state set to `value` when the widget is new (first drawn
    in this generation, or dropped by Streamlit while a page without the sidebar was shown);
    an existing widget's state is never written, the browser's value rules. (Given as
    `value=` instead, the browser showed the default again after a typed date was applied
    by a click elsewhere.)"""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _choice(choice: Choice, options: list[str], labels: dict[str, str]):
    """A select box whose first entry, "Toutes", means no filter (None). Drawn with the kept
    value as its default (`index`), its state never written: written state once showed
    « Toutes » in the browser while the figures were computed for one association."""
    entries = [ALL, *options]
    kept = _kept().get(choice.key, ALL)
    chosen = st.sidebar.selectbox(
        choice.label,
        entries,
        index=entries.index(kept) if kept in entries else 0,  # else: another scope's value
        format_func=lambda v: labels.get(v, v),
        key=widget_key(choice.key),
    )
    _kept()[choice.key] = chosen
    return None if chosen in (ALL, None) else chosen


def _follow_the_default(default: Period) -> None:
    """When the default period moved (an import changed the data date) and nobody chose a
    period in this session, the date box is drawn anew (new keys) with the new default; a
    period somebody chose is kept as it is."""
    drawn = st.session_state.get(DRAWN_DEFAULT)
    st.session_state[DRAWN_DEFAULT] = default
    if drawn is not None and drawn != default and _kept().get(PERIOD_KEY) is None:
        st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def _period_words(period: Period, data_date: DataDate) -> str:
    """Under the date box: the data date, what the default period is, what a period
    ending later means, and the periods accepted (the box refuses a date outside them)."""
    words = (
        f"Données au {day(data_date.day)} ({data_date.words}) : la période par défaut "
        "couvre les 12 mois qui finissent à cette date."
    )
    if period.au > data_date.day:
        words += (
            f" La période choisie va au-delà : la suite n'est pas encore connue, les séries "
            f"mensuelles s'arrêtent en {month(data_date.day)}."
        )
    first, last = accepted_range(data_date.day)
    return (
        words + f" Une date postérieure au {day(period.au)} compte comme inconnue."
        f" Périodes possibles : du {day(first)} au {day(last)}."
    )


def sidebar(data: Dataset, data_date: DataDate) -> View:
    """Render the shared filters and return what they select (also written in the
    address). `data_date`: the day the data describe; the default period ends on it."""
    default = Period.default(data_date.day)
    first, last = accepted_range(data_date.day)
    options = _options(data)
    ignored, refused = _apply_address(options, data_date.day)
    dropped = _checked_kept(data_date.day)
    refused = st.session_state.pop(REFUSED, None) or refused or dropped
    _follow_the_default(default)
    st.sidebar.header("Filtres")
    kept = _kept().get(PERIOD_KEY) or (default.du, default.au)
    key = _drawn_with(widget_key(PERIOD_KEY), kept)
    chosen = st.sidebar.date_input(
        "Période (inscriptions du … au …)",
        min_value=first,
        max_value=last,
        format="DD/MM/YYYY",
        key=key,
    )
    # While only one date of the range is picked, keep the default period.
    complete = isinstance(chosen, tuple) and len(chosen) == 2
    try:
        period = checked_period(*chosen, data_date.day) if complete else default
    except PeriodRefused as refusal:  # the box's bounds should have kept it out
        _kept()[PERIOD_KEY] = None
        _redraw()
        st.session_state[REFUSED] = refusal.message
        st.rerun()  # the box drawn anew with the default period, the refusal said then
    # Kept only when chosen: the default follows the data date.
    _kept()[PERIOD_KEY] = None if complete and period == default else chosen
    filters = Filters(
        **{c.field: _choice(c, *options[c.param]) for c in CHOICES},
    )
    if refused:
        st.sidebar.warning(refused + INSTEAD)
    if ignored:
        st.sidebar.warning(
            "Le lien ouvert demande des filtres qui n'existent pas ici ; ils sont ignorés : "
            + " ; ".join(ignored)
            + "."
        )
    st.sidebar.caption(_period_words(period, data_date))
    st.sidebar.caption("L'adresse de la page reproduit cette vue : copiez-la pour la partager.")
    _write_address(period, default, filters)
    return View(period, filters, data_date=data_date.day)


def in_words(view: View) -> str:
    """The view a page's figures are computed for, in French (shown above them, so the
    figures always say which filters they follow)."""
    period = f"Inscriptions du {view.period.du:%d/%m/%Y} au {view.period.au:%d/%m/%Y}"
    return " · ".join([period, *view.filters.words()])


def _values(column: pd.Series) -> list[str]:
    return sorted(v for v in column.dropna().unique().tolist() if v)
