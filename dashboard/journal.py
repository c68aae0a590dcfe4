"""The audit log as the Journal page reads it: entries filtered, and the purge."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.data import engine
from store import audit

RETENTION_MONTHS = audit.RETENTION_MONTHS
ACTION_LABELS = audit.ACTIONS


def entries(
    du: dt.date | None, au: dt.date | None, actions: list[str], utilisateur: str | None
) -> pd.DataFrame:
    return audit.entries(engine(), du=du, au=au, actions=actions, utilisateur=utilisateur)


def purge() -> int:
    """Delete the entries older than the retention period; how many went."""
    return audit.purge(engine())
