"""What an import changed in the funnel: for each step, how many parcours reach it now and
did not before (the "reaches" rule of indicators/steps.py, at today's date in Paris).

A parcours is the youth with one association (`id_jeune`, `association`); a parcours the
import created counts for every step it reaches.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.steps import STEPS
from indicators.steps import reached

KEY = ["id_jeune", "association"]


def _reached_keys(parcours: pd.DataFrame, au: dt.date) -> pd.DataFrame:
    if parcours.empty:
        return pd.DataFrame(columns=[*KEY, *STEPS])
    flags = reached(parcours, au)
    keys = parcours[KEY].astype("object").fillna("")
    frame = pd.concat([keys.reset_index(drop=True), flags.reset_index(drop=True)], axis=1)
    # A youth twice with one association (rare, two records): a step is reached if either is.
    return frame.groupby(KEY, sort=False, as_index=False)[list(STEPS)].max()


def newly_reached(before: pd.DataFrame, after: pd.DataFrame, au: dt.date) -> dict[str, int]:
    """Per step (STEPS order): parcours reaching it in `after` and not in `before`."""
    now = _reached_keys(after, au)
    then = _reached_keys(before, au)
    merged = now.merge(then, on=KEY, how="left", suffixes=("", "_avant"))
    out = {}
    for step in STEPS:
        previous = merged[f"{step}_avant"].astype("boolean").fillna(False).astype(bool)
        out[step] = int((merged[step].astype(bool) & ~previous).sum())
    return out
