"""How long binômes last: Kaplan-Meier estimate over started binômes.

A binôme is a parcours with `date_debut` ≤ au. Its duration is min(`date_fin`, au) −
`date_debut` in days; it has ended (event) when `date_fin` ≤ au, otherwise it is still
running and censored at au (we only know it lasted at least that long). Kaplan-Meier uses
both, so recent binômes do not pull the durations down as a plain average of ended ones
would.

Left out: parcours ended without a start (a loss in the funnel, not the end of a binôme),
and binômes whose `date_fin` precedes their `date_debut` (dates out of order, a compliance
alert).

Retention at 3, 6 and 12 months comes with a 95 % confidence interval: Greenwood's variance
and the log-log ("exponential Greenwood") interval, the one `lifelines.KaplanMeierFitter`
reports as `confidence_interval_` (tests/test_retention_intervals.py compares the two). With
V(t) = Σ d_i / (n_i (n_i − d_i)) over the days t_i ≤ t with ends (a day where every binôme
still followed ends adds nothing), S = S(t) and z = 1.959963984540054:

    bas  = exp(−exp(log(−log S) − z √V / log S))
    haut = exp(−exp(log(−log S) + z √V / log S))

(log S < 0, so the lower bound moves log(−log S) up). The bounds are 1 where S = 1 and 0
where S = 0. Greenwood's variance of S itself is S² V. A figure with fewer than 20 binômes
still followed at its horizon is "fragile": the pages and the pack say so instead of a bare
percentage.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain.formatting import number, percent
from domain.values import category_labels
from indicators.dataset import Dataset, Period
from indicators.stats import as_of
from indicators.workload import known

MIN_AT_RISK = 20  # fewer binômes still followed at a horizon: the figure is fragile

INTERVAL_DEFINITION = (
    "Intervalle de confiance à 95 % (IC 95 %) : variance de Greenwood, bornes calculées sur "
    "log(−log S) (méthode « log-log », ou Greenwood exponentielle) ; il dit la "
    "marge d'incertitude due au petit nombre de binômes. Avec moins de "
    f"{MIN_AT_RISK} binômes encore suivis à la durée considérée, l'estimation est dite "
    "fragile et n'est pas donnée seule."
)

DEFINITION = (
    "Durée des binômes : pour chaque mentorat démarré à la date d'arrêté, nombre de jours "
    "entre le démarrage et la fin (ou la date d'arrêté s'il est toujours en cours). La part "
    "des binômes durant au moins 3 mois (91 jours), 6 mois (183 jours) ou 12 mois "
    "(365 jours) et la durée médiane sont estimées par la méthode de Kaplan-Meier, qui tient "
    "compte des binômes encore en cours (ils ont duré au moins jusqu'à la date d'arrêté). "
    f"{INTERVAL_DEFINITION} Les jeunes sortis avant le démarrage ne sont pas des fins de "
    "binôme et ne sont pas comptés."
)

RETENTION_DEFINITION = (
    "Maintien des binômes : estimation de Kaplan-Meier de la part des binômes démarrés au "
    "plus tard à la date d'arrêté qui durent au moins 3 mois (91 jours), 6 mois (183 jours) "
    "et 12 mois (365 jours), les binômes encore en cours comptant jusqu'à la date d'arrêté ; "
    "« Binômes suivis jusque-là » : ceux dont la durée suivie atteint ce seuil. "
    f"{INTERVAL_DEFINITION}"
)

END_REASONS_DEFINITION = (
    "Motifs de fin : binômes démarrés et terminés à la date d'arrêté, par motif de fin "
    "déclaré par l'association ; « Non renseigné » quand le motif manque. Part : rapportée "
    "à l'ensemble des binômes terminés."
)

THREE_MONTHS_DAYS = 91
SIX_MONTHS_DAYS = 183
TWELVE_MONTHS_DAYS = 365
# months -> days: the horizons of the retention figures (`part_3_mois`…)
HORIZONS = {3: THREE_MONTHS_DAYS, 6: SIX_MONTHS_DAYS, 12: TWELVE_MONTHS_DAYS}
Z_95 = 1.959963984540054  # the normal distribution's 97.5 % quantile (lifelines' z)
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
    """Kaplan-Meier survival table: `jours`, `survie`, `a_risque`, `evenements`,
    `greenwood`, `ic_bas`, `ic_haut`.

    First row: day 0, survie 1.0, everyone at risk, no event. Then one row per distinct
    observed duration (ended or censored; a day-0 row only when binômes ended on their
    first day): `a_risque` = durations ≥ jours (ends come before censorings of the same
    day), `evenements` = ends on that day, `survie` = product of (1 − evenements /
    a_risque) up to that day (a step function, right-continuous: the value holds until the
    next row). `greenwood` = Σ evenements / (a_risque (a_risque − evenements)) up to that
    day (0 for a day where every binôme at risk ends, as lifelines does); `ic_bas` /
    `ic_haut`: the 95 % log-log interval of `survie` (module docstring)."""
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
        terms = ended / (at_risk * (at_risk - ended))
    survival = np.cumprod(factors)
    greenwood = np.cumsum(np.where(np.isfinite(terms), terms, 0.0))
    if times.size and times[0] == 0 and ended[0] == 0:
        # the day-0 row already reads survie 1.0: no separate starting row
        times, survival, at_risk, ended = times[1:], survival[1:], at_risk[1:], ended[1:]
        greenwood = greenwood[1:]
    survival = np.concatenate(([1.0], survival))
    greenwood = np.concatenate(([0.0], greenwood))
    low, high = log_log_interval(survival, greenwood)
    table = pd.DataFrame(
        {
            "jours": np.concatenate(([0.0], times)),
            "survie": survival,
            "a_risque": np.concatenate(([n], at_risk)).astype("int64"),
            "evenements": np.concatenate(([0], ended)).astype("int64"),
            "greenwood": greenwood,
            "ic_bas": low,
            "ic_haut": high,
        }
    )
    if np.all(np.mod(table["jours"], 1) == 0):
        table["jours"] = table["jours"].astype("int64")
    return table


def log_log_interval(survival, greenwood, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """The log-log ("exponential Greenwood") interval of survival values S with Greenwood
    sums V: exp(−exp(log(−log S) ∓ z √V / log S)); 1 where S = 1 (nothing ended yet) and 0
    where S = 0, as `lifelines.KaplanMeierFitter.confidence_interval_`."""
    s = np.asarray(survival, dtype=float)
    v = np.asarray(greenwood, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_s = np.log(s)
        centre = np.log(-log_s)
        spread = z * np.sqrt(v) / log_s
        low = np.exp(-np.exp(centre - spread))
        high = np.exp(-np.exp(centre + spread))
    return np.where(np.isnan(low), 1.0, low), np.where(np.isnan(high), 1.0, high)


def _position(km: pd.DataFrame, days: float) -> int | None:
    """The row of a `kaplan_meier` table that holds on `days` (the last one at or before
    it); None beyond the longest observed duration (unless survival already reached 0) or
    when the table holds no binôme."""
    if km.empty or km["a_risque"].iloc[0] == 0:
        return None
    times = km["jours"].to_numpy(dtype=float)
    if days > times[-1] and km["survie"].iloc[-1] > 0:
        return None
    return max(int(np.searchsorted(times, days, side="right")) - 1, 0)


def survival_at(km: pd.DataFrame, days: float) -> float | None:
    """S(days) from a `kaplan_meier` table; None beyond the longest observed duration
    (unless survival already reached 0) or when the table holds no binôme."""
    position = _position(km, days)
    return None if position is None else float(km["survie"].iloc[position])


def at_risk_at(km: pd.DataFrame, days: float) -> int:
    """Binômes still followed on `days` (durations ≥ days) from a `kaplan_meier` table."""
    times = km["jours"].to_numpy(dtype=float)
    first = int(np.searchsorted(times, days, side="left"))
    return 0 if first >= len(km) else int(km["a_risque"].iloc[first])


def retention(km: pd.DataFrame, horizons: dict[int, float] = HORIZONS) -> pd.DataFrame:
    """One row per horizon (months -> days) from a `kaplan_meier` table: `mois`, `jours`,
    `survie`, `greenwood`, `ic_bas`, `ic_haut` (the table's row holding on that day; NaN
    when not estimable, as `survival_at`), `a_risque` (binômes still followed at the
    horizon) and `fragile` (fewer than MIN_AT_RISK of them, the estimate being known)."""
    estimates = ("survie", "greenwood", "ic_bas", "ic_haut")
    rows = []
    for months, days in horizons.items():
        position = _position(km, days)
        values = {c: np.nan if position is None else float(km[c].iloc[position]) for c in estimates}
        at_risk = at_risk_at(km, days)
        fragile = position is not None and at_risk < MIN_AT_RISK
        rows.append(
            {"mois": months, "jours": days, **values, "a_risque": at_risk, "fragile": fragile}
        )
    columns = ["mois", "jours", *estimates, "a_risque", "fragile"]
    return pd.DataFrame(rows, columns=columns).astype({c: float for c in estimates})


def median_duration(km: pd.DataFrame) -> float | None:
    """First day on which survival is ≤ 0.5; None when not reached."""
    reached = km[km["survie"] <= 0.5]
    if reached.empty:
        return None
    return float(reached["jours"].iloc[0])


def summary(dataset: Dataset, period: Period | None, au: dt.date | None = None) -> dict:
    """`binomes_suivis` (started by au; in `period` when given), `binomes_termines` (ended by au),
    `part_3_mois` / `part_6_mois` / `part_12_mois`: estimated share of binômes lasting at
    least 91 / 183 / 365 days (Kaplan-Meier survival, rounded to 4; None when not
    estimable), `duree_mediane_jours` (KM median, None when over half still run)."""
    rows = binomes(dataset, period, au)
    km = kaplan_meier(rows["jours"], rows["termine"])
    shares = {}
    for months, days in HORIZONS.items():
        share = survival_at(km, days)
        shares[f"part_{months}_mois"] = None if share is None else round(share, 4)
    return {
        "binomes_suivis": len(rows),
        "binomes_termines": int(rows["termine"].sum()),
        **shares,
        "duree_mediane_jours": median_duration(km) if len(rows) else None,
    }


def retention_by_horizon(
    dataset: Dataset, period: Period | None, au: dt.date | None = None
) -> pd.DataFrame:
    """`retention` of the binômes `summary` counts, at 3, 6 and 12 months: `mois`,
    `jours`, `survie`, `greenwood`, `ic_bas`, `ic_haut` (rounded to 4, NaN when not
    estimable), `a_risque`, `fragile`, and `libelle` ("3 mois") and `lecture` (the figure
    in French: `retention_text`)."""
    rows = binomes(dataset, period, au)
    table = retention(kaplan_meier(rows["jours"], rows["termine"]))
    table[["survie", "ic_bas", "ic_haut"]] = table[["survie", "ic_bas", "ic_haut"]].round(4)
    table["libelle"] = [f"{m} mois" for m in table["mois"]]
    table["lecture"] = [retention_text(r) for r in table.to_dict("records")]
    return table


def retention_text(row: dict) -> str:
    """A retention figure in French: « 71,2 % (IC 95 % : 58,3 – 81,0 %) »; « fragile : moins
    de 20 binômes encore suivis à 12 mois » instead of a bare percentage; « pas encore
    estimable… » when nobody was followed that long. `row`: a row of `retention`."""
    months, share = row["mois"], row["survie"]
    if share is None or share != share:  # None or NaN
        return f"pas encore estimable : aucun binôme suivi jusqu'à {months} mois"
    if row["fragile"]:
        return f"fragile : moins de {MIN_AT_RISK} binômes encore suivis à {months} mois"
    low, high = row["ic_bas"], row["ic_haut"]
    return f"{percent(share)} (IC 95\u202f% : {number(low * 100, 1)} – {percent(high)})"


def figures(dataset: Dataset, period: Period | None, au: dt.date | None = None) -> dict:
    """`summary` with, after each `part_N_mois`, its 95 % interval `part_N_mois_ic_bas` /
    `part_N_mois_ic_haut` (None when not estimable) and `part_N_mois_a_risque` (binômes
    still followed at N months): the command line's JSON, keys as the catalogue's ids."""
    table = retention_by_horizon(dataset, period, au)
    horizons = {f"part_{r['mois']}_mois": r for r in table.to_dict("records")}
    out = {}
    for key, value in summary(dataset, period, au).items():
        out[key] = value
        if key in horizons:
            row = horizons[key]
            for bound in ("ic_bas", "ic_haut"):
                out[f"{key}_{bound}"] = None if pd.isna(row[bound]) else float(row[bound])
            out[f"{key}_a_risque"] = int(row["a_risque"])
    return out


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
