"""The matcher: recognise the columns of a file nobody described, from what the headers say
(`headers`, `vocabulary`) and what the cells hold (`cells`), ask what it cannot tell
(`assign`), and read category labels word by word (`labels`)."""

from pipelines.matcher.assign import CERTAIN, ColumnGuess, Match, match_columns
from pipelines.matcher.cells import CellShape, describe, looks_like
from pipelines.matcher.labels import match_label

__all__ = [
    "CERTAIN",
    "CellShape",
    "ColumnGuess",
    "Match",
    "describe",
    "looks_like",
    "match_columns",
    "match_label",
]
