"""The funnel of the launch process: cohort, counts per step, rates, delays, stuck parcours.

See docs/domaine.md (« Les étapes », « Indicateurs ») and `indicators.steps` for the rule.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd

from domain.formatting import number
from domain.steps import STEP_LABELS, STEPS
from indicators.dataset import Dataset, Period, memoized
from indicators.stats import known_by, median, month_start, months, none_if_nan, rounded
from indicators.steps import last_step, reached, status, step_dates

DEFINITION = (
    "**Cohorte** : les parcours dont la date d'inscription tombe dans la période choisie "
    "(bornes incluses). La date de fin de période sert aussi de date d'observation : une date "
    "postérieure est considérée comme pas encore connue.\n\n"
    "**Étape atteinte** : un parcours atteint une étape quand sa date est connue à la date "
    "d'observation, ou quand il a atteint une étape suivante (une convention signée prouve la "
    "mise en relation, même si sa date manque). L'autorisation parentale est acquise sans "
    "document pour un jeune de 18 ans ou plus à l'inscription, dès l'attribution. "
    "L'honorabilité est acquise quand le mentor a un retour favorable. La clôture suppose un "
    "mentorat démarré : un arrêt avant le démarrage est un abandon, pas une clôture. Les "
    "effectifs ne peuvent donc qu'être stables ou décroître d'une étape à la suivante.\n\n"
    "**Taux** : effectif de l'étape rapporté à celui de l'étape précédente, et à celui de "
    "l'inscription.\n\n"
    "**Délais** : médiane et 90e centile (interpolation linéaire) du nombre de jours "
    "calendaires entre la date de l'étape précédente et celle de l'étape, pour les parcours "
    "dont les deux dates sont connues et dans l'ordre. Pour un jeune majeur, l'autorisation "
    "parentale est datée par l'attribution."
)

FUNNEL_COLUMNS = [
    "etape",
    "libelle",
    "effectif",
    "taux_etape_precedente",
    "taux_depuis_inscription",
    "delai_etape_jours",
    "delai_etape_p90_jours",
]

STUCK_COLUMNS = [
    "association",
    "id_source",
    "etape_atteinte",
    "depuis",
    "jours_sans_etape",
    "tranche",
]

_RATE_DIGITS = 4
_DELAY_DIGITS = 1
_ALL = "__all__"  # the single group of an ungrouped funnel


@memoized
def cohort(dataset: Dataset, period: Period) -> pd.DataFrame:
    """The parcours whose `date_inscription` falls within the period (inclusive)."""
    p = dataset.parcours
    return p[period.contains(p["date_inscription"])]


def _group_key(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(_ALL, index=frame.index, name="_groupe", dtype="object")
    return frame[column].astype("object").rename("_groupe")


def _groups(key: pd.Series) -> pd.Index:
    """The group values, sorted, missing last (None and NaN as one group, like groupby)."""
    values = pd.unique(key.dropna())
    missing = [np.nan] if key.isna().any() else []
    return pd.Index([*sorted(values, key=str), *missing], dtype="object")


def _delays(c: pd.DataFrame, period: Period, key: pd.Series) -> dict[str, pd.DataFrame]:
    """Per group × step (from the second step): n, median and p90 of days since the
    previous step, over parcours with both dates known by `au` and in order."""
    dates = step_dates(c, period.au)
    groups = _groups(key)
    out = {
        name: pd.DataFrame(index=groups, columns=STEPS[1:], dtype=float)
        for name in ("n", "median", "p90")
    }
    for before, step in itertools.pairwise(STEPS):
        days = (dates[step] - dates[before]).dt.days
        ok = days.notna() & (days >= 0)
        if not ok.any():
            out["n"][step] = 0.0
            continue
        grouped = days[ok].astype(float).groupby(key[ok], dropna=False)
        out["n"][step] = grouped.size().reindex(groups).fillna(0)
        out["median"][step] = grouped.median().reindex(groups)
        out["p90"][step] = grouped.quantile(0.9).reindex(groups)
    return out


def _funnel_long(c: pd.DataFrame, period: Period, column: str | None) -> pd.DataFrame:
    key = _group_key(c, column)
    groups = _groups(key)
    if column is None:
        groups = pd.Index([_ALL], dtype="object")
    counts = (
        reached(c, period.au)
        .groupby(key, dropna=False)
        .sum()
        .reindex(groups)
        .fillna(0)
        .astype("int64")
    )
    previous = counts.shift(1, axis=1)
    by_previous = (counts / previous.where(previous > 0)).round(_RATE_DIGITS)
    first = counts["inscription"]
    by_first = counts.div(first.where(first > 0), axis=0).round(_RATE_DIGITS)
    delays = _delays(c, period, key)

    def long(frame: pd.DataFrame, name: str) -> pd.Series:
        frame = frame.reindex(index=groups, columns=STEPS)
        frame.index.name, frame.columns.name = "_groupe", "etape"
        return frame.stack(future_stack=True).rename(name)

    table = pd.concat(
        [
            long(counts, "effectif"),
            long(by_previous, "taux_etape_precedente"),
            long(by_first, "taux_depuis_inscription"),
            long(delays["median"].round(_DELAY_DIGITS), "delai_etape_jours"),
            long(delays["p90"].round(_DELAY_DIGITS), "delai_etape_p90_jours"),
        ],
        axis=1,
    ).reset_index()
    table["effectif"] = table["effectif"].astype("int64")
    table.insert(2, "libelle", table["etape"].map(STEP_LABELS))
    return none_if_nan(
        table,
        [
            "taux_etape_precedente",
            "taux_depuis_inscription",
            "delai_etape_jours",
            "delai_etape_p90_jours",
        ],
    )


@memoized
def funnel(dataset: Dataset, period: Period) -> pd.DataFrame:
    """One row per step (STEPS order): count of cohort parcours that reached it by `au`,
    rates (fractions 0-1, 4 decimals; None without a base) and delays from the previous step
    (days, median and p90, 1 decimal; None for inscription or without data)."""
    table = _funnel_long(cohort(dataset, period), period, None)
    return table[FUNNEL_COLUMNS].reset_index(drop=True)


def funnel_by(dataset: Dataset, period: Period, column: str) -> pd.DataFrame:
    """The funnel per value of `column` (e.g. "canal", "association"), long format: the
    value in `column` (None when missing), then the columns of `funnel`. Sorted by value
    (missing last), then by step."""
    table = _funnel_long(cohort(dataset, period), period, column)
    values = table["_groupe"].astype("object")
    table[column] = values.where(values.notna(), None)
    return table[[column, *FUNNEL_COLUMNS]].reset_index(drop=True)


def cohort_table(
    dataset: Dataset, period: Period, known_until: dt.date | None = None
) -> pd.DataFrame:
    """Month of inscription × step: `mois` (first day of the month, every month of the
    period up to the month of `known_until`, the data date: a later month is not known yet,
    never a row of zeros), then one column per step with the count reached by `au`."""
    c = cohort(dataset, period)
    shown = months(period, known_until)
    counts = (
        reached(c, period.au)
        .groupby(month_start(c["date_inscription"]))
        .sum()
        .reindex(shown, fill_value=0)
        .astype("int64")
    )
    counts.index.name = "mois"
    return counts.reset_index()


def ageing_buckets(threshold_days: int) -> list[tuple[int, str]]:
    """The ageing buckets of stuck parcours: [t, 2t), [2t, 3t), 3t and more."""
    t = threshold_days
    return [
        (t, f"{t}-{2 * t - 1} jours"),
        (2 * t, f"{2 * t}-{3 * t - 1} jours"),
        (3 * t, f"{3 * t} jours et plus"),
    ]


def stuck(dataset: Dataset, period: Period, threshold_days: int) -> pd.DataFrame:
    """Open parcours of the cohort (status "en_cours", clôture not reached) whose last
    reached step was reached `threshold_days` days or more before `au`; oldest first. An
    active binôme (last step « Démarrage »: mentoring under way) is not stuck. The
    app passes the one setting `settings.STUCK_DAYS.value()`.

    `etape_atteinte` is the French label of the last step reached, `depuis` its date,
    `jours_sans_etape` the days since then at `au`, `tranche` the ageing bucket ("30-59 jours",
    "60-89 jours", "90 jours et plus" for a threshold of 30)."""
    if threshold_days < 1:
        raise ValueError("threshold_days must be at least 1")
    c = cohort(dataset, period)
    au = period.au
    last = last_step(c, au)
    dates = step_dates(c, au)
    open_ = (status(c, au) == "en_cours") & last.notna() & (last != "demarrage")
    c, last, dates = c[open_], last[open_], dates[open_]
    since = pd.Series(pd.NaT, index=c.index, dtype=dates["inscription"].dtype)
    for step in STEPS:
        on_step = last == step
        since[on_step] = dates.loc[on_step, step]
    days = (pd.Timestamp(au) - since).dt.days
    keep = days.notna() & (days >= threshold_days)
    days = days[keep].astype("int64")
    buckets = ageing_buckets(threshold_days)
    tranche = pd.Series(buckets[0][1], index=days.index, dtype="object")
    for low, label in buckets[1:]:
        tranche[days >= low] = label
    out = pd.DataFrame(
        {
            "association": c.loc[keep, "association"].astype("object"),
            "id_source": c.loc[keep, "id_source"],
            "etape_atteinte": last[keep].map(STEP_LABELS),
            "depuis": since[keep].dt.date,
            "jours_sans_etape": days,
            "tranche": tranche,
        },
        columns=STUCK_COLUMNS,
    )
    out = out.sort_values(
        ["jours_sans_etape", "association", "id_source"],
        ascending=[False, True, True],
        na_position="last",
    )
    return out.reset_index(drop=True)


START_DELAY_DEFINITION = (
    "**Délai avant démarrage** : médiane du nombre de jours calendaires entre "
    "l'inscription et la première séance, pour les parcours de la cohorte démarrés à la date "
    "d'observation (dates dans le désordre écartées)."
)


def median_days_to_start(dataset: Dataset, period: Period) -> float | None:
    """Median calendar days `date_debut` − `date_inscription` over the cohort parcours
    started by `au` (1 decimal); negative delays (dates out of order) are left out; None
    when no parcours of the cohort has started."""
    c = cohort(dataset, period)
    days = (known_by(c["date_debut"], period.au) - c["date_inscription"]).dt.days
    return rounded(median(days[days >= 0]))


def stuck_alert(blocked: pd.DataFrame, threshold_days: int) -> tuple[str, str] | None:
    """Plain French reading of a `stuck` frame: (finding, what to do), None when empty.
    The finding gives the count, the oldest parcours and the association with the most."""
    if blocked.empty:
        return None
    oldest = blocked.iloc[0]
    where = blocked["association"].fillna("sans association (fiche non transmise)")
    top = where.value_counts()
    finding = (
        f"{number(len(blocked))} parcours sans nouvelle étape depuis {threshold_days} "
        f"jours ou plus, dont {number(int(top.iloc[0]))} chez {top.index[0]} ; le plus ancien "
        f"attend depuis {number(int(oldest['jours_sans_etape']))} jours après l'étape "
        f"« {oldest['etape_atteinte']} »."
    )
    action = (
        "Demander aux associations de relancer ces jeunes ou de clore leur parcours "
        "(liste détaillée dans la page Entonnoir, « Parcours bloqués »)."
    )
    return finding, action
