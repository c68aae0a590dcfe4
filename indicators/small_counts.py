"""Small counts hidden in tables of places (docs/domaine.md, « Confidentialité »).

Outside the admin and direction roles, and in every export, a count from 1 to
`threshold - 1` in a cell that describes a place or an establishment (commune, EPCI,
établissement, antenne) could single out a youth: it is shown as "< 11" (the label is built
from the threshold), and no rate is shown on it.

Rules applied by `suppress`, for a table whose rows are places:
- primary: a count `1 <= value < threshold` is hidden; 0 is never hidden (it says nobody is
  there, which points at no one) and a missing value (NaN) is shown as missing;
- secondary: a line whose total is published elsewhere must never hold exactly one hidden
  cell, or the total minus the visible cells gives it back. The lines are each count column
  when `total_known` (the département totals are shown on other pages and exports) and each
  row whose `row_total` cell is known, the row total itself being one of the row's cells
  (components + total). In such a line with exactly one hidden cell, the smallest non-zero
  visible cell is hidden too (ties: the first row, or the first column in `counts` order with
  the total last); this is repeated until no line changes, since hiding a cell of a column can
  leave one hidden cell in a row, and the other way round;
- zero is never chosen as a secondary cell. A line with exactly one hidden cell and no
  non-zero visible cell left (e.g. a one-row table, or a column whose other cells are all 0)
  cannot be protected inside the table: it is listed in `Suppressed.unprotected`, and the
  caller must hide the published total it would be recovered from (or the whole column);
- rates: `rates` maps a rate column to its denominator count column, or to a
  `(numerator, denominator)` pair of count columns. The rate is blanked when its denominator
  is hidden (rate x visible numerator would give it back, and "no rate on such a
  denominator") and, when the numerator is named, when the numerator is hidden (rate x
  visible denominator would give it back). With the plain `str` form the numerator is
  unknown, so a rate whose numerator is a hidden count column must use the pair form.

The table must not contain a totals row: a page that shows one is exactly why
`total_known=True` (the default) applies.

The threshold is the setting `settings.SMALL_COUNTS_THRESHOLD` (default 11: counts 1..10
are hidden; 0 or 1 hides nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import settings

ROLES_SEEING_SMALL_COUNTS = frozenset({"admin", "direction"})

SUPPRESSED_NOTE = (
    "« < {seuil} » : effectif compris entre 1 et {dernier}, masqué pour qu'aucun jeune ne "
    "puisse être reconnu dans une commune, un EPCI, un établissement ou une antenne. "
    "D'autres cases peuvent être masquées de la même façon pour que les totaux ne permettent "
    "pas de retrouver un effectif masqué, et aucun taux n'est affiché sur un effectif masqué. "
    "Les zéros restent affichés."
)


def threshold(env: Mapping[str, str] | None = None) -> int:
    """The small-count threshold: counts from 1 to `threshold - 1` are hidden.

    The setting `settings.SMALL_COUNTS_THRESHOLD` in `env` (default: the process
    environment); unset or blank gives 11. A value that is not a whole number >= 0 is a
    ValueError (`settings.SettingError`) with a French message, so a typo in the deployment
    stops the app instead of showing small counts.
    """
    return settings.SMALL_COUNTS_THRESHOLD.value(env)


_threshold_setting = threshold  # `suppress` has a parameter of the same name


def hidden_label(seuil: int) -> str:
    """What a hidden cell shows: "< 11"."""
    return f"< {seuil}"


def suppressed_note(seuil: int | None = None) -> str:
    """`SUPPRESSED_NOTE` for this threshold, to show under a table with hidden cells."""
    seuil = threshold() if seuil is None else seuil
    return SUPPRESSED_NOTE.format(seuil=seuil, dernier=max(seuil - 1, 1))


def must_suppress(role: str | None, *, export: bool = False) -> bool:
    """Whether small counts are hidden for this viewer: always in an export, and on screen
    for any role but admin and direction (an unknown or missing role hides them too)."""
    if export:
        return True
    return str(role or "").strip().lower() not in ROLES_SEEING_SMALL_COUNTS


@dataclass(frozen=True)
class Suppressed:
    """A table after suppression.

    `display`: the table with each count and rate column as objects: visible counts as
    Python ints (or floats if not whole), hidden counts as "< 11", missing or blanked values
    as None; other columns untouched. `mask`: True where a count is hidden or a rate blanked
    (count columns, then rate columns; same index as the table). `count_hidden`: hidden count
    cells (primary and secondary); `primary_hidden`: those hidden for being small.
    `unprotected`: lines left with exactly one hidden cell because no non-zero visible cell
    was left to hide, as ("colonne", column name) or ("ligne", index label).
    """

    display: pd.DataFrame
    mask: pd.DataFrame
    count_hidden: int
    threshold: int
    primary_hidden: int = 0
    unprotected: list[tuple[str, object]] = field(default_factory=list)

    @property
    def note(self) -> str:
        return suppressed_note(self.threshold)


def _rate_parts(rates: Mapping[str, str | tuple[str, str]] | None) -> dict[str, tuple]:
    """rate column -> (numerator or None, denominator)."""
    parts: dict[str, tuple] = {}
    for rate, spec in (rates or {}).items():
        if isinstance(spec, str):
            parts[rate] = (None, spec)
        else:
            numerator, denominator = spec
            parts[rate] = (numerator, denominator)
    return parts


def _check(
    table: pd.DataFrame, columns: list[str], rate_parts: dict[str, tuple], row_total: str | None
) -> None:
    if not columns:
        raise ValueError("suppress needs at least one count column")
    if len(set(columns)) != len(columns):
        raise ValueError(f"duplicate count columns: {columns}")
    missing = [c for c in [*columns, *rate_parts] if c not in table.columns]
    if missing:
        raise ValueError(f"columns not in the table: {missing}")
    for rate, (numerator, denominator) in rate_parts.items():
        if rate in columns:
            raise ValueError(f"rate column {rate!r} is also a count column")
        for part in (numerator, denominator):
            if part is not None and part not in columns:
                raise ValueError(f"rate {rate!r} refers to {part!r}, which is not a count column")
    if row_total is not None and len(columns) < 2:
        raise ValueError("a row total needs at least one other count column")


def _values(table: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The count columns as a float matrix, NaN for missing."""
    matrix = np.column_stack(
        [
            pd.to_numeric(table[c]).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
            for c in columns
        ]
    )
    if np.any(matrix[~np.isnan(matrix)] < 0):
        raise ValueError("counts cannot be negative")
    return matrix


def _lines(
    values: np.ndarray, total_known: bool, total_col: int | None
) -> list[tuple[tuple[str, int], np.ndarray, np.ndarray]]:
    """(key, rows, cols) of every line whose total is known, cells in tie-break order."""
    n_rows, n_cols = values.shape
    lines = []
    if total_known:
        for j in range(n_cols):
            lines.append((("colonne", j), np.arange(n_rows), np.full(n_rows, j)))
    if total_col is not None:
        order = [j for j in range(n_cols) if j != total_col] + [total_col]
        for i in range(n_rows):
            if not np.isnan(values[i, total_col]):
                lines.append((("ligne", i), np.full(n_cols, i), np.array(order)))
    return lines


def _group_lines(
    table: pd.DataFrame, columns: list[str], groups: list[str] | None
) -> list[tuple[tuple[str, object], np.ndarray, np.ndarray]]:
    """Lines whose total is published in another table: for each grouping column (e.g. the
    EPCI, the rural/urban class of a commune) and each count column, the rows of one group
    (their sum is that group's figure elsewhere)."""
    lines = []
    for name in groups or []:
        labels = table[name].astype("object").where(table[name].notna(), "(inconnu)")
        for label, positions in labels.groupby(labels, sort=False).indices.items():
            rows = np.asarray(positions)
            for j in range(len(columns)):
                lines.append((("groupe", (name, label)), rows, np.full(len(rows), j)))
    return lines


def _secondary(values: np.ndarray, hidden: np.ndarray, lines: list) -> list[tuple[str, int]]:
    """Hide cells in place until no line has exactly one hidden cell it can cover; returns
    the keys of the lines left with one hidden cell and nothing to cover it with."""
    candidate_ok = ~np.isnan(values) & (np.nan_to_num(values) > 0)
    changed = True
    while changed:
        changed = False
        for _, rows, cols in lines:
            line_hidden = hidden[rows, cols]
            if line_hidden.sum() != 1:
                continue
            free = candidate_ok[rows, cols] & ~line_hidden
            if not free.any():
                continue
            costs = np.where(free, values[rows, cols], np.inf)
            k = int(np.argmin(costs))  # argmin keeps the first of equal values
            hidden[rows[k], cols[k]] = True
            changed = True
    return [key for key, rows, cols in lines if hidden[rows, cols].sum() == 1]


def _shown_count(value: float) -> object:
    if np.isnan(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def suppress(
    table: pd.DataFrame,
    counts: list[str],
    *,
    rates: Mapping[str, str | tuple[str, str]] | None = None,
    row_total: str | None = None,
    total_known: bool = True,
    threshold: int | None = None,
    groups: list[str] | None = None,
) -> Suppressed:
    """Hide the small counts of a table of places, with secondary suppression (module
    docstring). `counts`: count columns; `row_total`: a count column holding the sum of the
    other count columns of its row (added to `counts` if absent); `rates`: rate column ->
    denominator column, or -> (numerator, denominator); `total_known`: the column totals are
    published elsewhere; `threshold`: default the setting (`threshold()`); `groups`: columns
    whose groups have their totals published in other tables (a commune's EPCI, its rural or
    urban class, its distance band): within each group too, no count column keeps exactly
    one hidden cell."""
    seuil = _threshold_setting() if threshold is None else threshold
    if seuil < 0:
        raise ValueError("the threshold cannot be negative")
    columns = list(counts)
    if row_total is not None and row_total not in columns:
        columns.append(row_total)
    rate_parts = _rate_parts(rates)
    _check(table, columns, rate_parts, row_total)

    values = _values(table, columns)
    present = ~np.isnan(values)
    primary = present & (np.nan_to_num(values) >= 1) & (np.nan_to_num(values) < seuil)
    hidden = primary.copy()
    total_col = columns.index(row_total) if row_total is not None else None
    lines = _lines(values, total_known, total_col) + _group_lines(table, columns, groups)
    left = _secondary(values, hidden, lines)

    label = hidden_label(seuil)
    display = table.copy()
    mask = pd.DataFrame(False, index=table.index, columns=[*columns, *rate_parts])
    for j, col in enumerate(columns):
        cells = [label if hidden[i, j] else _shown_count(values[i, j]) for i in range(len(table))]
        display[col] = pd.Series(cells, index=table.index, dtype=object)
        mask[col] = hidden[:, j]
    for rate, (numerator, denominator) in rate_parts.items():
        blank = hidden[:, columns.index(denominator)].copy()
        if numerator is not None:
            blank |= hidden[:, columns.index(numerator)]
        raw = pd.to_numeric(table[rate]).astype("Float64").to_numpy("float64", na_value=np.nan)
        cells = [None if blank[i] or np.isnan(raw[i]) else float(raw[i]) for i in range(len(table))]
        display[rate] = pd.Series(cells, index=table.index, dtype=object)
        mask[rate] = blank

    unprotected = [
        (kind, columns[pos] if kind == "colonne" else pos if kind == "groupe" else table.index[pos])
        for kind, pos in left
    ]
    return Suppressed(
        display=display,
        mask=mask,
        count_hidden=int(hidden.sum()),
        threshold=seuil,
        primary_hidden=int(primary.sum()),
        unprotected=unprotected,
    )
