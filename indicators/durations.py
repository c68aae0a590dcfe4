"""How long binômes last: Kaplan-Meier estimate over started binômes.

A binôme is a parcours with `date_debut` ≤ au. Its duration is min(`date_fin`, au) −
`date_debut` in days; it has ended (event) when `date_fin` ≤ au, otherwise it is still
running and censored at au (we only know it lasted at least that long). Kaplan-Meier uses
both, so recent binômes do not pull the durations down as a plain average of ended ones
would.

Left out: parcours ended without a start (a loss in the funnel, not the end of a binôme),
and binômes whose `date_fin` precedes their `date_debut` (dates out of order, a compliance
alert).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain.values import category_labels
from indicators.dataset import Dataset, Period
from indicators.stats import as_of
from indicators.workload import known

DEFINITION = (
    "Durée des binômes : pour chaque mentorat démarré à la date d'arrêté, nombre de jours "
    "entre le démarrage et la fin (ou la date d'arrêté s'il est toujours en cours). La part "
    "des binômes durant au moins 6 mois (183 jours) ou 12 mois (365 jours) et la durée "
    "médiane sont estimées par la méthode de Kaplan-Meier, qui tient compte des binômes "
    "encore en cours (ils ont duré au moins jusqu'à la date d'arrêté). Les jeunes sortis "
    "avant le démarrage ne sont pas des fins de binôme et ne sont pas comptés."
)

END_REASONS_DEFINITION = (
    "Motifs de fin : binômes démarrés et terminés à la date d'arrêté, par motif de fin "
    "déclaré par l'association ; « Non renseigné » quand le motif manque. Part : rapportée "
    "à l'ensemble des binômes terminés."
)

SIX_MONTHS_DAYS = 183
TWELVE_MONTHS_DAYS = 365
MISSING_REASON = "Non renseigné"


def _as_of(period: Period | None, au: dt.date | None) -> dt.date:
    if au is not None:
        return au
    if period is None:
        raise ValueError("au or period is required")
    return period.au


def binomes(
    dataset: Dataset, period: Period | None = None, au: dt.date | None = None
) -> pd.DataFrame:
    """Started binômes as of `au` (default: `period.au`), only those started in `period`
    when given: `association`, `id_source`, `date_debut`, `date_fin`, `motif_fin`, `jours`,
    `termine` (date_fin ≤ au)."""
    au = _as_of(period, au)
    p = dataset.parcours
    started = known(p["date_debut"], au)
    if period is not None:
        started &= period.contains(p["date_debut"])
    rows = p.loc[started, ["association", "id_source", "date_debut", "date_fin", "motif_fin"]]
    ended = known(rows["date_fin"], au)
    end = rows["date_fin"].where(ended, as_of(au))
    days = (end - rows["date_debut"]).dt.days
    keep = days >= 0
    rows = rows[keep].copy()
    rows["jours"] = days[keep].astype("int64")
    rows["termine"] = ended[keep].astype(bool)
    return rows.reset_index(drop=True)


def kaplan_meier(durations, events) -> pd.DataFrame:
    """Kaplan-Meier survival table: `jours`, `survie`, `a_risque`, `evenements`.

    First row: day 0, survie 1.0, everyone at risk, no event. Then one row per distinct
    observed duration (ended or censored; a day-0 row only when binômes ended on their
    first day): `a_risque` = durations ≥ jours, `evenements` =
    ends on that day, `survie` = product of (1 − evenements / a_risque) up to that day
    (a step function, right-continuous: the value holds until the next row)."""
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if d.shape != e.shape:
        raise ValueError("durations and events must have the same length")
    n = d.size
    times, inverse = np.unique(d, return_inverse=True)
    observed = np.bincount(inverse, minlength=times.size)
    ended = np.bincount(inverse, weights=e.astype(float), minlength=times.size).astype("int64")
    at_risk = n - (np.cumsum(observed) - observed)
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = np.where(at_risk > 0, 1.0 - ended / at_risk, 1.0)
    survival = np.cumprod(factors)
    if times.size and times[0] == 0 and ended[0] == 0:
        # the day-0 row already reads survie 1.0: no separate starting row
        times, survival, at_risk, ended = times[1:], survival[1:], at_risk[1:], ended[1:]
    table = pd.DataFrame(
        {
            "jours": np.concatenate(([0.0], times)),
            "survie": np.concatenate(([1.0], survival)),
            "a_risque": np.concatenate(([n], at_risk)).astype("int64"),
            "evenements": np.concatenate(([0], ended)).astype("int64"),
        }
    )
    if np.all(np.mod(table["jours"], 1) == 0):
        table["jours"] = table["jours"].astype("int64")
    return table


def survival_at(km: pd.DataFrame, days: float) -> float | None:
    """S(days) from a `kaplan_meier` table; None beyond the longest observed duration
    (unless survival already reached 0) or when the table holds no binôme."""
    if km.empty or km["a_risque"].iloc[0] == 0:
        return None
    times = km["jours"].to_numpy(dtype=float)
    survival = km["survie"].to_numpy(dtype=float)
    if days > times[-1] and survival[-1] > 0:
        return None
    position = int(np.searchsorted(times, days, side="right")) - 1
    return float(survival[max(position, 0)])


def median_duration(km: pd.DataFrame) -> float | None:
    """First day on which survival is ≤ 0.5; None when not reached."""
    reached = km[km["survie"] <= 0.5]
    if reached.empty:
        return None
    return float(reached["jours"].iloc[0])


def summary(dataset: Dataset, period: Period | None, au: dt.date | None = None) -> dict:
    """`binomes_suivis` (started by au; in `period` when given), `binomes_termines` (ended by au),
    `part_6_mois` / `part_12_mois`: estimated share of binômes lasting at least 183 / 365
    days (Kaplan-Meier survival, rounded to 4; None when not estimable),
    `duree_mediane_jours` (KM median, None when over half still run)."""
    rows = binomes(dataset, period, au)
    km = kaplan_meier(rows["jours"], rows["termine"])
    six, twelve = survival_at(km, SIX_MONTHS_DAYS), survival_at(km, TWELVE_MONTHS_DAYS)
    return {
        "binomes_suivis": len(rows),
        "binomes_termines": int(rows["termine"].sum()),
        "part_6_mois": None if six is None else round(six, 4),
        "part_12_mois": None if twelve is None else round(twelve, 4),
        "duree_mediane_jours": median_duration(km) if len(rows) else None,
    }


def survival_curve(
    dataset: Dataset, period: Period | None, au: dt.date | None = None
) -> pd.DataFrame:
    """The Kaplan-Meier table of the binômes `summary` counts (for the chart)."""
    rows = binomes(dataset, period, au)
    return kaplan_meier(rows["jours"], rows["termine"])


def end_reasons(dataset: Dataset, period: Period | None, au: dt.date | None = None) -> pd.DataFrame:
    """Ended binômes by `motif_fin`: `motif_fin` (canonical, None when missing), `libelle`
    (French), `binomes_termines`, `part` (fraction of ended binômes, rounded to 4). Every reason of
    the value table in its order, zeros included, then any other value found; "Non
    renseigné" last, only when some ended binômes have no reason."""
    rows = binomes(dataset, period, au)
    ended = rows[rows["termine"]]
    labels = category_labels("motif_fin")
    counts = ended["motif_fin"].value_counts()
    reasons: list[str | None] = [*labels, *(r for r in counts.index if r not in labels)]
    missing = int(ended["motif_fin"].isna().sum())
    if missing:
        reasons.append(None)
    numbers = [int(counts.get(r, 0)) if r is not None else missing for r in reasons]
    total = len(ended)
    return pd.DataFrame(
        {
            "motif_fin": pd.Series(reasons, dtype=object),
            "libelle": [labels.get(r, r) if r is not None else MISSING_REASON for r in reasons],
            "binomes_termines": np.array(numbers, dtype="int64"),
            "part": [round(n / total, 4) if total else np.nan for n in numbers],
        }
    )
