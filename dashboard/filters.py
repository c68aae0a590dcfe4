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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from auth.roles import Identity
from dashboard.markdown import plain
from domain.values import category_labels
from indicators.dataset import AGE_BANDS, Dataset, Filters, Period

ALL = "Toutes"
PERIOD_KEY = "periode"
WRITTEN = "_pilotage_adresse"  # session state: the query string this session last wrote
KEPT = "_pilotage_filtres"  # session state: the filters' values, kept across pages
GENERATION = "_pilotage_filtres_generation"  # session state: bumped by an applied address


@dataclass(frozen=True)
class View:
    period: Period
    filters: Filters
    viewer: Identity | None = None  # who is looking (set by dashboard.page.start)


@dataclass(frozen=True)
class Choice:
    """One select box of the sidebar and its name in the address."""

    param: str  # query-string name
    key: str  # widget key
    label: str
    field: str  # Filters field


CHOICES = (
    Choice("association", "f_association", "Association", "association"),
    Choice("canal", "f_canal", "Canal", "canal"),
    Choice("territoire", "f_territoire", "Territoire", "territoire"),
    Choice("classe", "f_classe", "Rural / urbain", "classe"),
    Choice("age", "f_age", "Âge à l'inscription", "tranche_age"),
    Choice("accueil", "f_accueil", "Type d'accueil", "type_accueil"),
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


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _address() -> dict[str, str]:
    return {name: st.query_params.get(name) for name in st.query_params}


def _apply_address(options: dict[str, tuple[list[str], dict[str, str]]]) -> list[str]:
    """Take the filters from an address this session did not write; returns what in it
    could not be applied (French, for the sidebar)."""
    address = _address()
    if not address or address == st.session_state.get(WRITTEN):
        return []
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
    du, au = _date(address.get("du")), _date(address.get("au"))
    if du and au and du <= au:
        kept[PERIOD_KEY] = (du, au)
    elif "du" in address or "au" in address:
        ignored.append("période illisible (attendu : du=AAAA-MM-JJ&au=AAAA-MM-JJ)")
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
    return ignored


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


def kept_period(today: dt.date | None = None) -> Period:
    """The period last chosen in the sidebar this session, else the last 12 months."""
    default = Period.last_months(today or dt.date.today(), 12)
    chosen = _kept().get(PERIOD_KEY)
    complete = isinstance(chosen, tuple) and len(chosen) == 2
    return Period(*chosen) if complete else default


def sidebar(data: Dataset, today: dt.date | None = None) -> View:
    """Render the shared filters and return what they select (also written in the
    address)."""
    today = today or dt.date.today()
    default = Period.last_months(today, 12)
    options = _options(data)
    ignored = _apply_address(options)
    st.sidebar.header("Filtres")
    key = _drawn_with(widget_key(PERIOD_KEY), _kept().get(PERIOD_KEY, (default.du, default.au)))
    chosen = st.sidebar.date_input("Période (inscriptions du … au …)", format="DD/MM/YYYY", key=key)
    _kept()[PERIOD_KEY] = chosen
    # While only one date of the range is picked, keep the default period.
    complete = isinstance(chosen, tuple) and len(chosen) == 2
    period = Period(*chosen) if complete else default
    filters = Filters(
        **{c.field: _choice(c, *options[c.param]) for c in CHOICES},
    )
    if ignored:
        st.sidebar.warning(
            "Le lien ouvert demande des filtres qui n'existent pas ici ; ils sont ignorés : "
            + " ; ".join(ignored)
            + "."
        )
    st.sidebar.caption(
        f"Données au {period.au:%d/%m/%Y} : une date postérieure compte comme inconnue."
    )
    st.sidebar.caption("L'adresse de la page reproduit cette vue : copiez-la pour la partager.")
    _write_address(period, default, filters)
    return View(period, filters)


def in_words(view: View) -> str:
    """The view a page's figures are computed for, in French (shown above them, so the
    figures always say which filters they follow)."""
    labels = {c.field: c.label for c in CHOICES}
    names = {"canal": category_labels("canal"), "type_accueil": category_labels("type_accueil")}
    chosen = [
        f"{labels[field]} : {names.get(field, {}).get(value, value)}"
        for field in labels
        if (value := getattr(view.filters, field)) is not None
    ]
    period = f"Inscriptions du {view.period.du:%d/%m/%Y} au {view.period.au:%d/%m/%Y}"
    return " · ".join([period, *chosen])


def _values(column: pd.Series) -> list[str]:
    return sorted(v for v in column.dropna().unique().tolist() if v)
