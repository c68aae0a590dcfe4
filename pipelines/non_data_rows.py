"""Rows of a table that are no data: the totals and subtotals of a CRM extraction or a pivot,
and the section rows that name the group below them (« Territoire Lille »).

Such a row is no parcours to load nor a line to send back to the association: it is set
aside with its reason and listed in the report (« ligne 12 : sous-total »), never counted
as quarantined and never dropped without a word. Rows read = rows loaded + rows quarantined
+ rows set aside.

A total row names itself in one of its cells (« Total », « Sous-total Lille », « Total
général », « Nombre de jeunes »: the words of [mots] totaux in the vocabulary) and holds
nothing else than numbers. A section row has one cell of words (its other cells empty, or
numbers: the group's count), outside the identifier's column, in a table of several columns.
Neither could be a record: a record has its identifier, its names and its dates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from domain.text import normalise_key
from pipelines.vocabulary import total_words

TOTAL, SUBTOTAL, SECTION = "total", "sous-total", "intitulé de section"
MIN_COLUMNS_FOR_SECTIONS = 4  # in a narrower table, a lone cell may be a row's only value


def _number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        text = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        text = text.rstrip("%").replace(",", ".")
        try:
            float(text)
        except ValueError:
            return False
        return True
    return False


def _total_kind(value: object) -> str | None:
    """« sous-total » or « total » when the cell names a total, None otherwise."""
    if not isinstance(value, str):
        return None
    words = normalise_key(value).split()
    if not words:
        return None
    firsts, phrases = total_words()
    joined = " ".join(words)
    if words[0] in ("sous", "soustotal") or joined.startswith("sous total"):
        return SUBTOTAL
    if words[0] in firsts or any(joined.startswith(p) for p in phrases):
        return TOTAL
    return None


def _words(value: object) -> bool:
    """Text of two words or more with letters (« Territoire Lille »), not a code."""
    return isinstance(value, str) and sum(any(c.isalpha() for c in w) for w in value.split()) >= 2


def _reason(
    cells: list, id_position: int | None, width: int, sections: bool, ids_are_codes: bool
) -> str | None:
    filled = [(pos, v) for pos, v in enumerate(cells) if v is not None and str(v).strip()]
    if not filled:
        return None
    named = [(pos, kind) for pos, v in filled if (kind := _total_kind(v))]
    if named:
        rest = [v for pos, v in filled if pos != named[0][0]]
        if all(_number(v) for v in rest):
            return named[0][1]
        return None
    texts = [(pos, v) for pos, v in filled if not _number(v)]
    if sections and len(texts) == 1 and width >= MIN_COLUMNS_FOR_SECTIONS:
        # One label, and numbers at most (« Secteur Lille | 12 »): the name of a group.
        pos, value = texts[0]
        words = isinstance(value, str) and any(c.isalpha() for c in value)
        # In the identifier's column, a lone value is a record with nothing else filled
        # (quarantined), unless the identifiers are codes and this is words.
        named = pos != id_position or (ids_are_codes and _words(value))
        if named and words and not _number(value) and not _date_like(value):
            return SECTION
    return None


CODES = 0.9  # share of the identifiers without a space that makes them codes


def _codes(ids: pd.Series) -> bool:
    """Whether the identifiers are codes (« A12 », « PAS-0001 », 1001), not words."""
    present = ids.dropna().astype(str)
    return len(present) > 0 and float((~present.str.contains(" ")).mean()) >= CODES


def _date_like(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(sep in text for sep in "/.-")


_TOTAL_START = r"^\s*(?:tot|sous|cumul|ensemble|somme|nombre|nb|effectif|moyenne)"
FEW_CELLS = 3  # a section's name with its counts; a record fills more


def _text(column: pd.Series) -> pa.Array | None:
    """The column as pyarrow text, None when it holds other things (dates, numbers)."""
    try:
        return pa.array(column.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _matches(cells: pa.Array | None, found, size: int) -> np.ndarray:
    if cells is None:
        return np.zeros(size, dtype=bool)
    return found(cells).fill_null(False).to_numpy(zero_copy_only=False)


def _starts_like_a_total(cells: pa.Array | None, size: int) -> np.ndarray:
    """Cells that start like the name of a total, found by pyarrow in one pass."""
    return _matches(
        cells, lambda c: pc.match_substring_regex(c, _TOTAL_START, ignore_case=True), size
    )


def _candidates(frame: pd.DataFrame, id_position: int | None, filled: np.ndarray) -> np.ndarray:
    """Rows worth a look, found column-wise (a 100,000-row file is not read row by row): a
    few cells filled at most, or no identifier like the others' (none, words, a total's
    name) — a record has its identifier; without an identifier's column, a cell anywhere
    that starts like a total's name. `filled`: each row's count of filled cells."""
    mask = filled <= FEW_CELLS
    size = len(frame)
    if id_position is not None:
        ids = frame.iloc[:, id_position]
        cells = _text(ids)
        spaced = _matches(cells, lambda c: pc.match_substring(c, " "), size)
        return mask | ids.isna().to_numpy() | spaced | _starts_like_a_total(cells, size)
    for position in range(frame.shape[1]):
        mask = mask | _starts_like_a_total(_text(frame.iloc[:, position]), size)
    return mask


def set_aside(
    frame: pd.DataFrame, id_position: int | None, sections: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the data rows, the rows set aside: `ligne`, `motif`). `id_position`: the column of
    the records' identifier, when there is one (a lone value there is a data row with
    its other cells missing: quarantined, not set aside). `sections`: whether a row of one
    text cell can be a section's name (not in a referential, where a name alone is a row)."""
    width = frame.shape[1]
    # Counted once, on the cells as one array (3 million cells; DataFrame.notna().sum costs
    # three times as much).
    filled = (~pd.isna(frame.to_numpy())).sum(axis=1)
    looked = frame[_candidates(frame, id_position, filled)]
    rows = list(zip(looked.index, looked.itertuples(index=False, name=None), strict=True))
    reasons = {
        line: reason
        for line, cells in rows
        if (reason := _reason(list(cells), id_position, width, False, False)) is not None
    }
    if sections:  # the identifiers' shape, read on the records (many values, no total)
        several = filled >= min(width, FEW_CELLS + 1)
        records = frame[several & ~frame.index.isin(list(reasons))]
        codes = id_position is not None and _codes(records.iloc[:, id_position])
        for line, cells in rows:
            if line not in reasons and (
                found := _reason(list(cells), id_position, width, True, codes)
            ):
                reasons[line] = found
    reasons = dict(sorted(reasons.items()))
    aside = pd.DataFrame(
        {"ligne": list(reasons), "motif": list(reasons.values())}, columns=["ligne", "motif"]
    )
    if not reasons:
        return frame, aside
    return frame.drop(index=list(reasons)), aside
