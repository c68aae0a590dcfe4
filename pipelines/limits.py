"""What fits in the database, checked before it: the same rule on SQLite (which would store a
too-long value as is) and PostgreSQL (which would refuse the whole import).

A value longer than its column is cut (free text: an establishment's or a territory's name,
with « … »), except an identifier or an association's name, which cannot be cut without
risking two becoming one: that row is quarantined, with its line and column."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from sqlalchemy import String

from domain.schema import Kind
from store.models import Association, DemandeHonorabilite, Enregistrement

_TABLES = {
    Kind.ASSOCIATION: Enregistrement,
    Kind.FICHE_CD: Enregistrement,
    Kind.HONORABILITE: DemandeHonorabilite,
    Kind.ASSOCIATIONS: Association,
}
NOT_CUT = {"id_source", "association"}
ANTENNE_NAME = 200  # antenne.nom
MAX_ASSOCIATION_NAME = 200  # association.nom, import_lot.association


@lru_cache(maxsize=8)
def max_lengths(kind: Kind) -> dict[str, int]:
    """Column -> its length, for the text columns of the table `kind` is loaded into."""
    table = _TABLES[kind].__table__
    lengths = {
        c.name: c.type.length
        for c in table.columns
        if isinstance(c.type, String) and c.type.length is not None
    }
    if kind == Kind.ASSOCIATIONS:
        lengths["antenne"] = ANTENNE_NAME
    return lengths


def too_long(frame: pd.DataFrame, kind: Kind) -> dict[str, tuple[pd.Series, int]]:
    """Cut the long free text in place; return, per column that cannot be cut, the rows too
    long and the limit."""
    refused: dict[str, tuple[pd.Series, int]] = {}
    for column, limit in max_lengths(kind).items():
        if column not in frame:
            continue
        values = frame[column]
        try:
            lengths = values.str.len()  # vectorised: no Python call per cell
        except AttributeError:
            continue  # not a text column (numbers, dates): never too long
        long = (lengths > limit).fillna(False).astype(bool)
        if not long.any():
            continue
        if column in NOT_CUT:
            refused[column] = (long, limit)
        else:
            frame[column] = values.where(~long, values[long].str.slice(0, limit - 1) + "…")
    return refused
