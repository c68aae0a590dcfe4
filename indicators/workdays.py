"""Working days (jours ouvrés): Monday to Friday, without the public holidays of the
département served.

The public holidays come from the `holidays` package (pinned in requirements.txt), France
with the subdivision of the département:
- every département: the eleven national holidays (Code du travail, art. L3133-1);
- Moselle (`57`, subdivision "57") and Alsace (`67`, `68`, subdivision "6AE"): also Good
  Friday (Vendredi saint) and 26 December (Saint-Étienne), art. L3134-13 (the law limits
  Good Friday to communes with a Protestant or mixed church; the package, like common
  practice, keeps it everywhere);
- the overseas départements (subdivisions "971" to "976"): also the abolition of slavery,
  each on its own date (971: 27 May, 972: 22 May, 973: 10 June, 974: 20 December, 976:
  27 April); Guadeloupe also Good Friday, Mi-Carême and 21 July (Victor Schœlcher), and
  Martinique 21 July, as the package lists them.

Every day the package lists as a public holiday of the subdivision is skipped, day off
(jour chômé) or not: the package does not tell them apart (by law only 1 May is a day off
everywhere, every holiday in Alsace-Moselle). Whit Monday (Lundi de Pentecôte) is skipped
except in 2005-2007: the law of 30 June 2004 made it the journée de solidarité and the
package does not list it those years, so it counts as a working day; since the law of
16 April 2008 it is listed again, and an employer's choice to hold the journée de
solidarité on it is ignored.
"""

from __future__ import annotations

from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

from domain import departement as departements
from indicators.territory import served_departement

# The subdivision of `holidays.France` for the départements with holidays of their own;
# every other (metropolitan) département has none.
SUBDIVISIONS = {
    "57": "57",  # Moselle
    "67": "6AE",  # Alsace: Bas-Rhin
    "68": "6AE",  # Alsace: Haut-Rhin
    **{code: code for code in departements.OVERSEAS},
}


def subdivision(departement: str) -> str | None:
    """The subdivision of `holidays.France` whose holidays `departement` keeps (None: the
    national holidays alone); ValueError when `departement` is no département code."""
    code = departements.normalise(departement)
    if code is None:
        raise ValueError(f"not a département code: {departement!r}")
    return SUBDIVISIONS.get(code)


@lru_cache(maxsize=64)
def _holiday_array(subdiv: str | None, first_year: int, last_year: int) -> np.ndarray:
    days = holidays.France(subdiv=subdiv, years=range(first_year, last_year + 1))
    array = np.array(sorted(days), dtype="datetime64[D]")
    array.flags.writeable = False  # shared by every caller of the cache
    return array


def holidays_for(departement: str, first_year: int, last_year: int | None = None) -> np.ndarray:
    """The public holidays of `departement` from `first_year` to `last_year` (both
    included; `last_year` defaults to `first_year`): a sorted, read-only `datetime64[D]`
    array, cached per subdivision and years."""
    last = first_year if last_year is None else last_year
    return _holiday_array(subdivision(departement), int(first_year), int(last))


def working_days_between(
    start: pd.Series, end: pd.Series, departement: str | None = None
) -> pd.Series:
    """Working days strictly after `start` up to and including `end`, per row, skipping the
    public holidays of `departement` (default: the département served,
    `indicators.territory.served_departement`).

    A request sent on Friday and answered on Monday took 1 working day; answered the same
    day, 0. `<NA>` where either date is missing; 0 when `end` is on or before `start`.
    Vectorised with `numpy.busday_count` over the holidays of the years involved.
    """
    start = pd.to_datetime(pd.Series(start))
    end = pd.to_datetime(pd.Series(end, index=start.index))
    out = pd.Series(pd.NA, index=start.index, dtype="Int64")
    valid = (start.notna() & end.notna()).to_numpy()
    if not valid.any():
        return out
    s = start.to_numpy(dtype="datetime64[D]")[valid]
    e = end.to_numpy(dtype="datetime64[D]")[valid]
    years = np.concatenate([s, e]).astype("datetime64[Y]").astype(int) + 1970
    code = served_departement() if departement is None else departement
    hol = holidays_for(code, int(years.min()), int(years.max()))
    one = np.timedelta64(1, "D")
    # busday_count counts [begin, end): shift both by one day to count (start, end].
    counts = np.busday_count(s + one, e + one, holidays=hol)
    out[valid] = np.maximum(counts, 0)
    return out
