"""The dataset the indicators read, the viewer's scope and the period, and the date of the
data.

`Dataset` holds plain DataFrames (dates as datetime64, NaT when unknown), read once per data
version by `store.queries.dataset_frames` (or from its columnar copy, `store.snapshot`).
Every indicator takes a `Dataset` already cut to the viewer's scope and filters
(`Dataset.scoped`), and a `Period`.

The **data date** (`data_date`) is the day the loaded data describe: the latest date the
files in force say they describe (read from each file at import, capped at today), else
the latest dated event of the parcours. The default period is the 12 months ending on it
(`Period.default`), not the 12 months ending today: right after importing last year's
files, the figures are last year's, not an almost empty year.

Every period someone asks for (an address, the sidebar's date box, the period a session
keeps, --du/--au of the command line) is checked by `checked_period`: from EARLIEST_START
to a year after the data date, or refused with one French message.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import pandas as pd

from domain.formatting import day
from domain.values import category_labels


@dataclass(frozen=True)
class Period:
    """`du`..`au` inclusive; `au` is also the as-of date: a later date counts as unknown."""

    du: dt.date
    au: dt.date

    def __post_init__(self) -> None:
        if self.du > self.au:
            raise ValueError("du must not be after au")

    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(self.du)

    @property
    def end(self) -> pd.Timestamp:
        return pd.Timestamp(self.au)

    @property
    def days(self) -> int:
        return (self.au - self.du).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one (for comparisons). Total: near
        `dt.date.min` it is cut at that day (a period starting on it has that day for
        previous period); `checked_period` lets no such period reach a page."""
        first = dt.date.min.toordinal()
        au = max(self.du.toordinal() - 1, first)
        du = max(au - (self.days - 1), first)
        return Period(dt.date.fromordinal(du), dt.date.fromordinal(au))

    def contains(self, dates: pd.Series) -> pd.Series:
        return dates.notna() & (dates >= self.start) & (dates <= self.end)

    @staticmethod
    def last_months(au: dt.date, months: int = 12) -> Period:
        """The `months` months ending on `au`."""
        start = (pd.Timestamp(au) - pd.DateOffset(months=months) + pd.Timedelta(days=1)).date()
        return Period(start, au)

    @staticmethod
    def default(data_date: dt.date) -> Period:
        """The period a page shows until someone chooses one: the 12 months ending on the
        data date (`data_date`)."""
        return Period.last_months(data_date, DEFAULT_MONTHS)


DEFAULT_MONTHS = 12

# The periods a viewer may ask for (`checked_period`): the address, the sidebar's date box,
# the period a session keeps and the command line all go through it. Without bounds one
# address (`?du=0001-01-01`, `?au=9999-12-31`) broke every page or kept a server busy for
# a minute drawing charts thousands of months wide.
EARLIEST_START = dt.date(2015, 1, 1)
"""No period starts before this day: the product holds no plausible data before (a step
dated earlier is a compliance alert, `indicators.compliance.OLDEST_PLAUSIBLE`), and
comparing with the previous period stays far from any date a computer cannot hold."""
YEARS_AFTER_DATA_DATE = 1
"""No period ends more than this many years after the data date: a later day is not yet
known (`Period.au` is the as-of date), a year ahead leaves room to plan."""
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def accepted_range(data_date: dt.date) -> tuple[dt.date, dt.date]:
    """The first day a period may start on and the last day it may end on, for data
    describing `data_date`: EARLIEST_START (or the default period's start, if data that old
    make it earlier) to YEARS_AFTER_DATA_DATE after the data date (29 February gives the
    28th)."""
    default = Period.default(data_date)
    latest = (pd.Timestamp(data_date) + pd.DateOffset(years=YEARS_AFTER_DATA_DATE)).date()
    return min(EARLIEST_START, default.du), latest


class PeriodRefused(ValueError):
    """A period that `checked_period` refuses; `message` (French) says why and the accepted
    range, the same words for the address, the sidebar and the command line."""

    def __init__(self, reason: str, data_date: dt.date) -> None:
        first, last = accepted_range(data_date)
        years = "un an" if YEARS_AFTER_DATA_DATE == 1 else f"{YEARS_AFTER_DATA_DATE} ans"
        self.message = (
            f"Période refusée ({reason}). Une période commence au plus tôt le {day(first)} "
            f"et finit au plus tard le {day(last)} ({years} après la date des données, le "
            f"{day(data_date)}), sans finir avant de commencer ; dates au format AAAA-MM-JJ."
        )
        super().__init__(self.message)


def _words(value: dt.date) -> str:
    """dd/mm/yyyy, the year on four digits even before 1000 (`domain.formatting.day`
    writes year 1 as « 1 »)."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _day(value: dt.date | str | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return None


def checked_period(
    du: dt.date | str | None, au: dt.date | str | None, data_date: dt.date
) -> Period:
    """The period `du`..`au` (dates, or AAAA-MM-JJ text), or PeriodRefused when a date is
    missing or unreadable, outside `accepted_range(data_date)`, or `du` after `au`. The one
    check of every period someone asks for."""
    start, end = _day(du), _day(au)
    if start is None or end is None:
        raise PeriodRefused("date absente ou illisible", data_date)
    first, last = accepted_range(data_date)
    if start < first:
        raise PeriodRefused(f"début le {_words(start)}, avant le {day(first)}", data_date)
    if end > last:
        raise PeriodRefused(f"fin le {_words(end)}, après le {day(last)}", data_date)
    if start > end:
        raise PeriodRefused(f"début le {_words(start)}, après la fin le {_words(end)}", data_date)
    return Period(start, end)


# Where the data date comes from (`DataDate.origin`), in French.
FROM_IMPORTS, FROM_PARCOURS, FROM_TODAY = "imports", "parcours", "jour"
DATA_DATE_ORIGINS = {
    FROM_IMPORTS: "date des données des derniers imports",
    FROM_PARCOURS: "dernière date connue des parcours",
    FROM_TODAY: "aucune date dans les données : aujourd'hui",
}


@dataclass(frozen=True)
class DataDate:
    """The day the loaded data describe, and where it was read (a key of
    DATA_DATE_ORIGINS)."""

    day: dt.date
    origin: str

    @property
    def words(self) -> str:
        return DATA_DATE_ORIGINS[self.origin]


def latest_event(dataset: Dataset, today: dt.date) -> dt.date | None:
    """The latest date of any step or follow-up of the parcours that is not after `today`
    (None when the parcours hold no date)."""
    p = dataset.parcours
    latest = None
    limit = pd.Timestamp(today)
    for column in p.columns:
        if not (column.startswith("date_") and pd.api.types.is_datetime64_any_dtype(p[column])):
            continue
        dates = p[column]
        dates = dates[dates.notna() & (dates <= limit)]
        if len(dates) and (latest is None or dates.max() > latest):
            latest = dates.max()
    return None if latest is None else latest.date()


def data_date(dataset: Dataset, recorded: dt.date | None, today: dt.date) -> DataDate:
    """The data date: `recorded` (the latest date the files in force describe,
    `store.queries.recorded_data_date`) capped at `today`; without it (imports made
    before the date was recorded, files without any date), the latest dated event of the
    parcours (`latest_event`); without either, `today`."""
    if recorded is not None:
        return DataDate(min(recorded, today), FROM_IMPORTS)
    latest = latest_event(dataset, today)
    if latest is not None:
        return DataDate(latest, FROM_PARCOURS)
    return DataDate(today, FROM_TODAY)


AGE_BANDS = {  # label -> (min age, max age) at inscription, inclusive
    "moins de 15 ans": (0, 14),
    "15-17 ans": (15, 17),
    "18 ans et plus": (18, 200),
}


@dataclass(frozen=True)
class Filters:
    """What the sidebar narrows down; None means "all". Hashable (cache key)."""

    association: str | None = None  # the viewer's scope when they are an association
    canal: str | None = None
    territoire: str | None = None
    classe: str | None = None  # "rural" | "urbain" (of the youth's commune)
    tranche_age: str | None = None  # a key of AGE_BANDS
    type_accueil: str | None = None

    def chosen(self) -> dict[str, str]:
        """The filters set ({field: value}, in FILTER_LABELS order)."""
        return {f: v for f in FILTER_LABELS if (v := getattr(self, f)) is not None}

    def words(self) -> list[str]:
        """Each filter set, in French (« Canal : Fiche candidature du CD »): the sidebar's
        label and the value's label."""
        values = {f: category_labels(f) for f in ("canal", "type_accueil")}
        return [
            f"{FILTER_LABELS[f]} : {values.get(f, {}).get(v, v)}" for f, v in self.chosen().items()
        ]


# Each filter's name in French (the sidebar's labels, the pack's scope).
FILTER_LABELS = {
    "association": "Association",
    "canal": "Canal",
    "territoire": "Territoire",
    "classe": "Rural / urbain",
    "tranche_age": "Âge à l'inscription",
    "type_accueil": "Type d'accueil",
}


@dataclass
class Dataset:
    """Consolidated parcours and honorabilité requests, with the referentials.

    - `parcours`: the columns of the `parcours` table, plus `classe` (rural/urbain: INSEE's
      levels 5-7 / 1-4), `niveau_densite` (1-7) and `epci_nom` of the youth's commune;
    - `demandes`: the `demande_honorabilite` table;
    - `associations`: name, capacite, communes_servies, objectifs, modalites;
    - `antennes`: association, nom, commune_insee, latitude, longitude;
    - `communes`: the communes of the département(s) present in the data (insee, nom, epci,
      epci_nom, population, latitude, longitude, densite, niveau_densite, classe).
    """

    parcours: pd.DataFrame
    demandes: pd.DataFrame
    associations: pd.DataFrame = field(default_factory=pd.DataFrame)
    antennes: pd.DataFrame = field(default_factory=pd.DataFrame)
    communes: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Results of `memoized` functions on this dataset (a new dataset starts empty).
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def scoped(self, filters: Filters) -> Dataset:
        """The same dataset cut to the filters: parcours; with an association, also its
        honorabilité requests, referential line and antennes."""
        p = self.parcours
        keep = pd.Series(True, index=p.index)
        if filters.association is not None:
            keep &= p["association"] == filters.association
        if filters.canal is not None:
            keep &= p["canal"] == filters.canal
        if filters.territoire is not None:
            keep &= p["territoire"] == filters.territoire
        if filters.classe is not None:
            keep &= p["classe"] == filters.classe
        if filters.type_accueil is not None:
            keep &= p["type_accueil"] == filters.type_accueil
        if filters.tranche_age is not None:
            low, high = AGE_BANDS[filters.tranche_age]
            age = p["age_inscription"]
            keep &= age.notna() & (age >= low) & (age <= high)
        demandes, associations, antennes = self.demandes, self.associations, self.antennes
        if filters.association is not None:
            # One association's view: its requests, its line of the referential, its antennes.
            demandes = demandes[demandes["association"] == filters.association]
            if "nom" in associations:
                associations = associations[associations["nom"] == filters.association]
            if "association" in antennes:
                antennes = antennes[antennes["association"] == filters.association]
        return replace(
            self,
            parcours=p[keep.fillna(False)],
            demandes=demandes,
            associations=associations,
            antennes=antennes,
        )


MEMO_BYTES = 150 * 2**20  # kept per dataset; a period's cohort at 100,000 parcours ≈ 15 MiB
_memo_lock = threading.Lock()
_MISSING = object()
Result = TypeVar("Result")


def _shallow(value):
    """A copy sharing the data: with copy-on-write, a caller changing it (a column added,
    a cell set) leaves the kept result as it was."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)
    if isinstance(value, dict | list):
        return type(value)(value)
    return value


def _bytes(value) -> int:
    """What keeping `value` costs (text cells count their pointers: the strings are the
    dataset's own)."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=False).sum())
    if isinstance(value, pd.Series):
        return int(value.memory_usage(index=False))
    return 1024


def memoized(function: Callable[..., Result]) -> Callable[..., Result]:
    """`function(dataset, *args)` computed once per dataset and arguments: what several
    figures of a page start from (a period's cohort, the funnel, the compliance alerts) is
    computed once, not once per figure. Arguments that cannot be hashed skip the memo. The
    least recently used results go first beyond MEMO_BYTES per dataset (every period a
    viewer picks adds a few)."""

    @functools.wraps(function)
    def wrapper(dataset: Dataset, *args, **kwargs):
        key = (function.__module__, function.__qualname__, args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:
            return function(dataset, *args, **kwargs)
        memo = dataset._memo
        with _memo_lock:
            kept = memo.pop(key, _MISSING)
            if kept is not _MISSING:
                memo[key] = kept  # most recently used last
                return _shallow(kept[0])
        value = function(dataset, *args, **kwargs)
        size = _bytes(value)
        with _memo_lock:
            memo[key] = (value, size)
            total = sum(entry[1] for entry in memo.values())
            while total > MEMO_BYTES and len(memo) > 1:
                total -= memo.pop(next(iter(memo)))[1]
        return _shallow(value)

    return wrapper
