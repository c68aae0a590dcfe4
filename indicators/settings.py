"""Settings of the figures that a département may change, each read in one place.

- `PILOTAGE_JOURS_PARCOURS_BLOQUE` — a parcours is « bloqué » when it has had no new step
  for at least this many days at the as-of date (default 90: a quarter without news,
  three monthly exports). The same threshold on every page, in the command line and in
  every export.
- The small-count threshold is `indicators.small_counts.threshold`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

STUCK_ENV_VAR = "PILOTAGE_JOURS_PARCOURS_BLOQUE"
DEFAULT_STUCK_DAYS = 90


def stuck_days(env: Mapping[str, str] | None = None) -> int:
    """Days without a new step from which a parcours is « bloqué ». A value that is not a
    whole number of at least 1 is a ValueError with a French message (the app stops rather
    than show a figure under a definition nobody chose)."""
    env = os.environ if env is None else env
    raw = env.get(STUCK_ENV_VAR)
    if raw is None or not raw.strip():
        return DEFAULT_STUCK_DAYS
    text = raw.strip()
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(
            f"Réglage {STUCK_ENV_VAR} invalide (« {text} ») : indiquez un nombre entier de "
            f"jours, au moins 1 (par exemple {DEFAULT_STUCK_DAYS})."
        )
    return value
