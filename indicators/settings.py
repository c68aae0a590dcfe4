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


def whole_number(
    env: Mapping[str, str] | None, name: str, default: int, minimum: int, advice: str
) -> int:
    """The whole number set in `name` (`env`, default the process environment); `default`
    when unset or blank. Anything else than a whole number of at least `minimum` is a
    ValueError with a French message ending with `advice`, so a typo in the deployment
    stops the app instead of showing figures under a definition nobody chose."""
    env = os.environ if env is None else env
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    text = raw.strip()
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ValueError(f"Réglage {name} invalide (« {text} ») : {advice}")
    return value


def stuck_days(env: Mapping[str, str] | None = None) -> int:
    """Days without a new step from which a parcours is « bloqué » (at least 1)."""
    return whole_number(
        env,
        STUCK_ENV_VAR,
        DEFAULT_STUCK_DAYS,
        1,
        f"indiquez un nombre entier de jours, au moins 1 (par exemple {DEFAULT_STUCK_DAYS}).",
    )
