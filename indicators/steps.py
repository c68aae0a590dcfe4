"""The steps of the funnel and the "reaches" rule (docs/domaine.md, « Les étapes »).

Defined once here; every page, export and the command line use these functions.

- A step's *own condition* holds when its date is known by the as-of date `au`, except:
  `autorisation_parentale` also holds for a youth aged 18 or more at inscription once
  `attribution` holds; `honorabilite` holds when the mentor has a favourable check known by
  `au` (`date_honorabilite` is the first favourable return, pipelines/consolidate.py);
  `cloture` holds only when the binôme started (`date_debut` ≤ `au`) and has a `date_fin`
  ≤ `au` (an early stop before the start is a loss, not a clôture).
- A parcours *reaches* a step when the step's own condition holds or it reaches a later
  step: a later step proves the earlier ones, so counts never rise from one step to the next.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain.steps import ADULT_AGE, STEP_DATE, STEPS
from indicators.stats import known_by

Au = dt.date | pd.Timestamp


def _adult(parcours: pd.DataFrame) -> pd.Series:
    age = parcours["age_inscription"]
    return (age.notna() & (age >= ADULT_AGE)).fillna(False).astype(bool)


def own_condition(parcours: pd.DataFrame, au: Au) -> pd.DataFrame:
    """One boolean column per step (STEPS order): the step's own condition at `au`."""
    known = {step: known_by(parcours[col], au).notna() for step, col in STEP_DATE.items()}
    known["autorisation_parentale"] = known["autorisation_parentale"] | (
        _adult(parcours) & known["attribution"]
    )
    known["cloture"] = known["cloture"] & known["demarrage"]
    return pd.DataFrame({step: known[step].to_numpy(dtype=bool) for step in STEPS}, parcours.index)


def reached(parcours: pd.DataFrame, au: Au) -> pd.DataFrame:
    """One boolean column per step: reached by `au` (own condition or a later step reached)."""
    own = own_condition(parcours, au).to_numpy()
    cumulative = np.logical_or.accumulate(own[:, ::-1], axis=1)[:, ::-1]
    return pd.DataFrame(cumulative, index=parcours.index, columns=STEPS)


def last_step(parcours: pd.DataFrame, au: Au) -> pd.Series:
    """The last step reached by `au` (a key of STEPS), None when not even inscribed by `au`."""
    count = reached(parcours, au).to_numpy().sum(axis=1)
    names = np.array([None, *STEPS], dtype=object)
    return pd.Series(names[count], index=parcours.index, name="etape", dtype="object")


def status(parcours: pd.DataFrame, au: Au) -> pd.Series:
    """ "termine" when the clôture is reached; else "perdu" once a `date_fin` ≤ `au` is known
    (stopped before the end of the path), else "en_cours"."""
    done = reached(parcours, au)["cloture"].to_numpy()
    ended = known_by(parcours["date_fin"], au).notna().to_numpy()
    values = np.where(done, "termine", np.where(ended, "perdu", "en_cours"))
    return pd.Series(values, index=parcours.index, name="statut", dtype="object")


def step_dates(parcours: pd.DataFrame, au: Au) -> pd.DataFrame:
    """The date of each step as known at `au` (a later date is NaT), STEPS order.

    Choices: a step is dated by the day its own condition first held. So the autorisation
    parentale of a youth aged 18 or more at inscription is dated by the attribution (or by
    its own date when that is earlier); the clôture is dated by `date_fin` only when the
    binôme started by `au` (otherwise `date_fin` dates a loss, not a clôture). A step reached
    only through a later step keeps NaT: its date is missing (a compliance alert), and delays
    are computed only between known dates.
    """
    dates = {step: known_by(parcours[col], au) for step, col in STEP_DATE.items()}
    adult = _adult(parcours)
    own = dates["autorisation_parentale"]
    attribution = dates["attribution"]
    by_attribution = adult & attribution.notna() & (own.isna() | (attribution < own))
    dates["autorisation_parentale"] = own.mask(by_attribution, attribution)
    dates["cloture"] = dates["cloture"].where(dates["demarrage"].notna())
    return pd.DataFrame({step: dates[step] for step in STEPS}, index=parcours.index)
