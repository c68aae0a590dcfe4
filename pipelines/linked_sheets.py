"""Workbooks of linked sheets: a main sheet of one row per record (the youths), and sheets
that share a key with it — the pairs keyed by the youth's dossier number, the mentors keyed
by a code the pairs sheet gives — joined into one table.

A link is found from the cells: a column of a sheet whose values are, for most of them,
values of a column already joined (`LINK_SHARE`), both holding codes or numbers, not
dates, labels or names. A sheet that has several rows for one key (a youth with two pairs)
gives its latest row (by its dates of this decade), and the report says how many keys had
several. Joined columns are named « Feuille - En-tête », so « Nom » of the mentors' sheet
stays apart from the youth's; the codes that only link two sheets are left out of the
mapping.

Never a silent loss: a sheet that holds dates or labels and shares no key is a question
(`Answers.sheets`: « ignorer »); a sheet with neither is left out and said; a read-me or a
hidden sheet of values is named in the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from domain.text import normalise_key
from pipelines import normalise as norm
from pipelines.errors import IngestError
from pipelines.extract import RawTable
from pipelines.matcher.cells import CellShape, describe, holds_known_labels

LINK_SHARE = 0.8  # share of a sheet's key values found in the joined column
MIN_KEYS = 2
EARLIEST_STEP_YEAR = 2015
MAIN, JOINED, IGNORED, ASKED = "principale", "jointe", "ignoree", "a_preciser"
NO_KEY = "aucune colonne en commun avec la feuille principale"
NOTHING_TO_JOIN = "ni dates ni libellés, aucune colonne en commun"
JOIN, IGNORE_SHEET = "joindre", "ignorer"


@dataclass
class Sheet:
    """One sheet of the workbook and what became of it (the report's `feuilles`)."""

    name: str
    decision: str  # principale | jointe | ignoree | a_preciser
    rows: int = 0
    key: str | None = None  # the sheet's column that links it
    several: int = 0  # keys with several rows: the latest kept
    looks_like: str = ""  # what it holds, for a question
    reason: str = ""  # French, for the page and the command line

    def report(self) -> dict:
        out: dict = {"feuille": self.name, "decision": self.decision, "lignes": self.rows}
        out["cle"] = self.key
        if self.several:
            out["plusieurs"] = self.several
        if self.reason:
            out["motif"] = self.reason
        return out


@dataclass
class Joined:
    table: RawTable
    sheets: list[Sheet]
    ignored_codes: set[int]  # positions of codes that only link two sheets

    @property
    def questions(self) -> list[Sheet]:
        return [s for s in self.sheets if s.decision == ASKED]


def _keys(values: pd.Series) -> pd.Series:
    """Cells as comparable keys: numbers without « .0 », text as `normalise_key`."""

    def key(v: object) -> str | None:
        if v is None or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        text = normalise_key(str(v))
        return text or None

    return values.map(key)


def _may_link(shape: CellShape, values: pd.Series) -> bool:
    """Codes (« RJ-0012 », « P17 ») or numbers of three digits or more: not dates, labels,
    places, words, nor small counts that any two columns share by chance."""
    if shape.filled < MIN_KEYS or shape.any_dates >= 0.5 or holds_known_labels(shape):
        return False
    if shape.communes >= 0.5 or shape.yes_no >= 0.5:
        return False
    text = values.dropna().map(
        lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
    )
    if text.empty:
        return False
    coded = text.str.contains(r"\d") & ~text.str.contains(" ")
    small = text.str.fullmatch(r"\d{1,2}")
    return float((coded & ~small).mean()) >= 0.8


def _candidates(table: RawTable) -> dict[int, pd.Series]:
    out = {}
    for pos in range(len(table.header)):
        if pos not in table.frame:
            continue
        column = table.frame[pos]
        if _may_link(describe(column), column):
            out[pos] = _keys(column)
    return out


def _link(joined: pd.DataFrame, joined_keys: dict[int, pd.Series], other: RawTable):
    """(position in the joined table, position in `other`, share) of the best link."""
    best = None
    for b, bkeys in _candidates(other).items():
        wanted = set(bkeys.dropna())
        if len(wanted) < MIN_KEYS:
            continue
        unique_b = bkeys.dropna().is_unique
        for a, akeys in joined_keys.items():
            present = akeys.dropna()
            have = set(present)
            if len(have) < MIN_KEYS:
                continue
            # The pairs name youths of the main sheet; the mentors' sheet lists more mentors
            # than the pairs kept name: either side may hold the other.
            common = len(wanted & have)
            share = max(common / len(wanted), common / len(have))
            # One of the two is a key: the youths' numbers, the mentors' codes.
            keyed = unique_b or present.is_unique
            if keyed and share >= LINK_SHARE and (best is None or share > best[2]):
                best = (a, b, share)
    return best


def _latest(other: RawTable, key_pos: int) -> tuple[pd.DataFrame, int]:
    """One row per key: the latest by the sheet's dates of this decade (else the last
    row); and how many keys had several."""
    frame = other.frame.copy()
    frame["_key"] = _keys(frame[key_pos])
    frame = frame[frame["_key"].notna()]
    counts = frame["_key"].value_counts()
    several = int((counts > 1).sum())
    order = None
    for pos in range(len(other.header)):
        shape = describe(other.frame[pos]) if pos in other.frame else CellShape()
        if shape.any_dates >= 0.8 and shape.years and shape.years[1] >= EARLIEST_STEP_YEAR:
            days, _ = norm.parse_dates(frame[pos], serial_ok=True)
            order = days
            break
    if order is not None:
        frame = frame.assign(_order=order).sort_values("_order", na_position="first", kind="stable")
    last = frame.groupby("_key", sort=False).tail(1).set_index("_key")
    return last.drop(columns=["_order"], errors="ignore"), several


def _holds_something(table: RawTable) -> str | None:
    """What an unlinked sheet holds that must not be dropped unasked (dates, labels)."""
    for pos in range(len(table.header)):
        if pos not in table.frame:
            continue
        shape = describe(table.frame[pos])
        if shape.any_dates >= 0.6 and shape.years:
            low, _, high = shape.years
            return f"des dates ({low} à {high})" if low != high else f"des dates ({low})"
        if holds_known_labels(shape):
            table_name, _, _ = shape.best_table()
            return f"des libellés connus, par exemple « {shape.examples[table_name]} »"
    return None


def join(main: RawTable, answers: dict[str, str]) -> Joined:
    """The main sheet with the sheets that share a key joined; `answers`: sheet name
    (normalised) -> « joindre » / « ignorer »."""
    frame = main.frame.copy()
    header = list(main.header)
    groups = list(main.groups) if main.groups else [""] * len(header)
    keys = _candidates(main)
    sheets = [Sheet(main.sheet or "", MAIN, len(main.frame))]
    ignored_codes: set[int] = set()
    pending = list(main.others)
    progress = True
    while pending and progress:
        progress = False
        for other in list(pending):
            said = answers.get(normalise_key(other.sheet or ""))
            if said == IGNORE_SHEET:
                pending.remove(other)
                sheets.append(Sheet(other.sheet or "", IGNORED, len(other.frame),
                                    reason="ignorée à votre demande"))  # fmt: skip
                continue
            link = _link(frame, keys, other)
            if link is None:
                continue
            a, b, _ = link
            rows, several = _latest(other, b)
            start = len(header)
            for pos, text in enumerate(other.header):
                if pos == b or pos not in rows:
                    continue
                frame[len(header)] = keys[a].map(rows[pos])
                header.append(f"{other.sheet} - {text}" if text else f"{other.sheet}")
                groups.append(other.sheet or "")
            for pos, series in _candidates(_slice(frame, header, start)).items():
                keys[start + pos] = series
            if a >= len(main.header):
                ignored_codes.add(a)  # a code of a joined sheet: it only links sheets
            sheets.append(Sheet(other.sheet or "", JOINED, len(other.frame),
                                key=other.header[b], several=several))  # fmt: skip
            pending.remove(other)
            progress = True
    for other in pending:
        said = answers.get(normalise_key(other.sheet or ""))
        holds = _holds_something(other)
        if said == JOIN:
            raise IngestError(
                f"La feuille « {other.sheet} » n'a aucune colonne en commun avec la feuille "
                f"« {main.sheet} » (un numéro de dossier, un code) : elle ne peut pas être "
                "jointe. Ajoutez-lui cette colonne, ou répondez « ignorer »."
            )
        name, rows = other.sheet or "", len(other.frame)
        if holds:
            sheets.append(Sheet(name, ASKED, rows, looks_like=holds, reason=NO_KEY))
        else:
            sheets.append(Sheet(name, IGNORED, rows, reason=NOTHING_TO_JOIN))
    sheets += [Sheet(name, IGNORED, reason="feuille de notes ou masquée") for name in main.notes]
    frame.columns = pd.RangeIndex(len(header))
    frame = frame.astype(object).where(frame.notna(), None)
    table = RawTable(
        header=header,
        frame=frame,
        format=main.format,
        sheet=main.sheet,
        header_line=main.header_line,
        title_lines=main.title_lines,
        groups=groups if any(groups) else [],
        hidden=main.hidden,
    )
    return Joined(table, sheets, ignored_codes)


def _slice(frame: pd.DataFrame, header: list[str], start: int) -> RawTable:
    """The columns just joined, as a table of their own (to look for keys in them)."""
    part = frame.iloc[:, start:].copy()
    part.columns = pd.RangeIndex(part.shape[1])
    return RawTable(header=header[start:], frame=part, format="", sheet=None, header_line=0)
