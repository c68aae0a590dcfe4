"""Event logs (long format): one row per event of a dossier — the dossier's identifier
repeated over rows, a column of labels (« Inscription reçue », « 1ère rencontre »,
« Appel de suivi »), a column of dates — turned into one row per dossier.

Recognised from the cells, whatever the headers say: a column whose values repeat (the
dossier), a column of few labels of which some name a step (read like headers, with the
vocabulary), and one column of recent dates that changes from row to row.

The pivot:
- the date on a row whose label is a step goes to that step's field (the latest when a
  dossier has the step twice, counted in the report); labels that are no step (reminders,
  calls) are listed with their rows and dropped; a label the vocabulary is unsure of is a
  question (`Step.certain` False) until answered (`Answers.steps`);
- a column whose value changes along a dossier's rows and holds, on one step's rows, the
  labels of one value table (the canal on the inscription row, the modalité on the first
  meeting, the motif on the end) becomes that field, read on that step's row;
- a column that does not change along a dossier (its identity) keeps its value; a dossier
  whose rows disagree there is quarantined with the column named (`conflicts`), never
  merged by guess; any other changing column keeps the value of the dossier's latest event.
The new columns are named by their field's French label, so the mapping recognises them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from domain.schema import FIELDS, FieldType, Kind
from domain.schema import field as schema_field
from domain.text import normalise_key
from pipelines import normalise as norm
from pipelines.extract import RawTable
from pipelines.labels import match_label
from pipelines.matcher.cells import CellShape, describe, holds_known_labels, person_names
from pipelines.matcher.headers import header_scores

MIN_ROWS = 4
MAX_LABELS = 60  # a column of more distinct values is no column of event labels
FEW_LABELS = 12  # this many distinct labels may repeat little (a short log)
STEP_SURE = 0.75  # a label this close to a step's header is that step
STEP_LIKELY = 0.3  # under this, a label is no step (listed and dropped)
STEP_MARGIN = 0.1  # two steps this close for one label: asked
DETAIL_SHARE = 0.5  # a table knowing this share of one step's values places the detail (the
# others are listed as unknown labels, to answer)
VARYING = 0.2  # share of the dossiers of several rows where a column changes: not identity
EARLIEST_EVENT_YEAR = 2015
LOG_KINDS = (Kind.ASSOCIATION, Kind.HONORABILITE)


@dataclass
class Step:
    """One label of the label column, and what it means."""

    label: str  # as first written in the file
    rows: int
    field: str | None = None  # the date field it fills; None: no step (dropped)
    certain: bool = True  # False: a question until answered
    candidates: list[tuple[str, float]] = dataclasses.field(default_factory=list)


@dataclass
class Detail:
    """A changing column read on one step's rows as a field (« Précisions » on the
    inscription row = the canal)."""

    header: str
    step: str  # the date field of the step whose rows are read
    target: str  # the field it fills


@dataclass
class EventLog:
    kind: Kind
    id_pos: int
    label_pos: int
    date_pos: int
    steps: list[Step]
    details: list[Detail] = dataclasses.field(default_factory=list)
    conflicts: dict[int, list[tuple[str, str]]] = dataclasses.field(
        default_factory=dict
    )  # line -> probs
    repeated: int = 0  # dossiers with a step dated twice or more (the latest date kept)
    dossiers: int = 0
    id_header: str = ""  # the dossier column, as written
    dropped: list[str] = dataclasses.field(default_factory=list)  # per-event free columns
    fixed: dict[int, str] = dataclasses.field(default_factory=dict)  # pivot column -> field

    @property
    def questions(self) -> list[Step]:
        return [s for s in self.steps if not s.certain]


def _date_fields(kind: Kind) -> list[str]:
    return [f.name for f in FIELDS[kind] if f.type == FieldType.DATE]


def _step_scores(label: str, kind: Kind) -> list[tuple[str, float]]:
    """The date fields the label may name, likeliest first (a reminder, a doubt: none)."""
    dates = set(_date_fields(kind))
    scores = header_scores(label, kind)
    ranked = [(n, s.score) for n, s in scores.items() if n in dates and not s.doubt]
    return sorted(ranked, key=lambda kv: -kv[1])


def _event_dates(shape: CellShape) -> bool:
    return shape.any_dates >= 0.8 and bool(shape.years) and shape.years[1] >= EARLIEST_EVENT_YEAR


def _label_columns(frame: pd.DataFrame, shapes: list[CellShape]) -> list[int]:
    """Columns of few repeated text values (the events' labels), best first."""
    out = []
    for pos, shape in enumerate(shapes):
        if shape.filled < MIN_ROWS or shape.any_dates >= 0.5 or shape.ints >= 0.5:
            continue
        if holds_known_labels(shape):
            continue  # the labels of a value table (a motif, a statut): a column of a record
        values = frame[pos].dropna()
        if pd.api.types.infer_dtype(values, skipna=False) == "string":
            distinct = len(pd.unique(values.to_numpy()))  # text as it is: no copy as str
        else:
            distinct = values.astype(str).nunique()
        if 2 <= distinct <= MAX_LABELS and distinct <= max(0.5 * len(values), FEW_LABELS):
            out.append(pos)
    return out


def _kind_and_steps(labels: pd.Series) -> tuple[Kind, int] | None:
    """The kind whose steps the labels name (two different steps at least: a column of
    reasons, « Fin du programme », « Arrêt du jeune », names one), and how many labels."""
    distinct = labels.dropna().astype(str).unique()
    best: tuple[int, float, Kind] | None = None
    for kind in LOG_KINDS:
        named = [s[0] for v in distinct if (s := _step_scores(v, kind))]
        strong = [(name, score) for name, score in named if score >= 0.5]
        steps = {name for name, _ in strong}
        key = (len(strong), sum(score for _, score in strong), kind)
        if len(steps) >= 2 and (best is None or key[:2] > best[:2]):
            best = key
    return (best[2], best[0]) if best else None


def _dossiers(values: pd.Series) -> bool:
    """Values that repeat over rows: a dossier's identifier in an event log."""
    present = values.dropna()
    return len(present) >= MIN_ROWS and present.nunique() <= len(present) / 1.3


def recognise(raw: RawTable, shapes: list[CellShape] | None = None) -> EventLog | None:
    """The event log in a table, or None when it is a table of one row per record.
    `shapes`: the columns described (`describe`), when the caller has them already."""
    frame = raw.frame
    if len(frame) < MIN_ROWS:
        return None
    width = len(raw.header)
    if shapes is None:
        shapes = [describe(frame[pos]) if pos in frame else CellShape() for pos in range(width)]
    dated = [p for p, s in enumerate(shapes) if _event_dates(s)]
    for label_pos in _label_columns(frame, shapes):
        found = _kind_and_steps(frame[label_pos])
        if found is None:
            continue
        kind, _ = found
        for date_pos in dated:
            id_pos = _best_id(raw, frame, shapes, kind, label_pos, date_pos)
            if id_pos is not None and not _constant_per(frame, id_pos, date_pos):
                return EventLog(
                    kind, id_pos, label_pos, date_pos, steps=[], id_header=raw.header[id_pos]
                )
    return None


def _best_id(
    raw: RawTable,
    frame: pd.DataFrame,
    shapes: list[CellShape],
    kind: Kind,
    label_pos: int,
    date_pos: int,
) -> int | None:
    """The dossier column: its values repeat over rows that carry different labels; the
    header that best says an identifier, else codes (« 2025-014 », « J17 ») over words
    (a name, an association repeated on every row), else the finest grouping."""
    candidates = []
    for pos, header in enumerate(raw.header):
        if pos in (label_pos, date_pos) or pos not in frame or not _dossiers(frame[pos]):
            continue
        if _not_an_identifier(shapes[pos]):
            continue
        if not _several_labels_per(frame, pos, label_pos):
            continue
        score = header_scores(header, kind).get("id_source") if header else None
        values = frame[pos].dropna().astype(str).str.strip()
        coded = float((values.str.contains(r"\d") & ~values.str.contains(" ")).mean())
        candidates.append((score.score if score else 0.0, coded >= 0.8, values.nunique(), pos))
    if not candidates:
        return None
    best = max(candidates)
    return best[3] if best[0] > 0 or best[1] else None


SPARSE = 0.6  # a column filled on fewer rows than this share may belong to one step
ONE_STEP = 0.9  # ... when this share of its values sit on that step's rows


def _step_of_sparse(column: pd.Series, order: pd.DataFrame) -> list[str]:
    """The step a sparse column is written on (« Issue » filled on the answer's row only),
    as a one-item list; [] when it is filled anywhere else too."""
    filled = column.notna()
    if not filled.any() or filled.mean() >= SPARSE:
        return []
    steps = order.loc[filled[filled].index, "step"].value_counts()
    if steps.empty or steps.iloc[0] < ONE_STEP * int(filled.sum()):
        return []
    return [str(steps.index[0])]


def _same(values: pd.Series) -> pd.Series:
    """Values compared as the user reads them (case, accents and spaces aside)."""
    return values.map(lambda v: normalise_key(str(v)) if v is not None else None)


SMALL_NUMBERS = 1000  # ages, counts, hours: numbers that repeat, not dossiers


def _not_an_identifier(shape: CellShape) -> bool:
    """Cells that repeat for another reason than a dossier: dates, places, codes of
    places, yes/no, small numbers, the labels of a value table."""
    small = shape.ints >= 0.8 and shape.int_range is not None
    return (
        (small and shape.int_range[1] < SMALL_NUMBERS)
        or shape.any_dates >= 0.5
        or shape.postcodes >= 0.5
        or shape.insee >= 0.5
        or shape.communes >= 0.5
        or shape.yes_no >= 0.5
        or holds_known_labels(shape)
    )


def _several_labels_per(frame: pd.DataFrame, id_pos: int, label_pos: int) -> bool:
    """A dossier's rows carry different labels (its events), for most dossiers of several
    rows."""
    pairs = frame[[id_pos, label_pos]].dropna()
    sizes = pairs.groupby(id_pos, sort=False)[label_pos].agg(["size", "nunique"])
    several = sizes[sizes["size"] >= 2]
    return not several.empty and float((several["nunique"] >= 2).mean()) >= 0.8


def _constant_per(frame: pd.DataFrame, id_pos: int, pos: int) -> bool:
    """Whether column `pos` keeps one value along a dossier's rows (at least 1 - VARYING of
    the dossiers of several rows)."""
    pairs = pd.DataFrame({"id": frame[id_pos], "v": _same(frame[pos])}).dropna(subset=["id"])
    sizes = pairs.groupby("id", sort=False)["v"].agg(["size", "nunique"])
    several = sizes[sizes["size"] >= 2]
    if several.empty:
        return True
    return float((several["nunique"] > 1).mean()) < VARYING


def decide_steps(log: EventLog, labels: pd.Series, answers: dict[str, str]) -> None:
    """Each distinct label's step: the user's answer, else the vocabulary's when sure."""
    counts = labels.dropna().astype(str).map(lambda v: " ".join(v.split())).value_counts(sort=False)
    steps: dict[str, Step] = {}
    for label, rows in counts.items():
        key = normalise_key(label)
        if key in steps:
            steps[key].rows += int(rows)
            continue
        ranked = _step_scores(label, log.kind)
        step = Step(label, int(rows), candidates=ranked[:3])
        if key in answers:
            step.field = answers[key] or None
        elif (
            ranked
            and ranked[0][1] >= STEP_SURE
            and (len(ranked) == 1 or ranked[1][1] <= ranked[0][1] - STEP_MARGIN)
        ):
            step.field = ranked[0][0]
        elif ranked and ranked[0][1] >= STEP_LIKELY:
            step.certain = False
        steps[key] = step
    log.steps = sorted(steps.values(), key=lambda s: (-s.rows, s.label))


# A detail that names a person on a step's row: the mentor, on the row of the matching.
NAMED_ON: dict[Kind, dict[str, str]] = {
    Kind.ASSOCIATION: {"date_mise_en_relation": "nom_prenom_mentor"}
}


def _detail_field(kind: Kind, step: str, values: pd.Series) -> str | None:
    """What a detail column holds on one step's rows: the labels of a value table, or the
    full names of the person that step brings (the mentor on the matching's row)."""
    target = _table_of_values(kind, values)
    if target is not None:
        return target
    named = NAMED_ON.get(kind, {}).get(step)
    if named is None or values.dropna().empty:
        return None
    shape = describe(values)
    # People's full names: of two words, and as many as the rows (a remark repeats).
    varied = shape.distinct >= 0.8 * shape.filled
    return named if person_names(shape) and varied and shape.several_words >= 0.8 else None


def _table_of_values(kind: Kind, values: pd.Series) -> str | None:
    """The category field of `kind` whose table knows DETAIL_SHARE of these values and
    more than any other."""
    distinct = values.dropna().astype(str).unique()
    if len(distinct) == 0:
        return None
    ranked = []
    for f in FIELDS[kind]:
        if f.type != FieldType.CATEGORY or f.table is None or f.table == "oui_non":
            continue
        share = sum(match_label(v, f.table) is not None for v in distinct) / len(distinct)
        ranked.append((share, f.name))
    ranked.sort(reverse=True)
    if not ranked or ranked[0][0] < DETAIL_SHARE:
        return None
    if len(ranked) > 1 and ranked[1][0] >= ranked[0][0]:
        return None
    return ranked[0][1]


def pivot(raw: RawTable, log: EventLog) -> RawTable:
    """One row per dossier (see the module's docstring); `log` gains its details,
    conflicts and counts."""
    frame = raw.frame
    ids = frame[log.id_pos]
    alone = pd.Series([f"ligne {i}" for i in frame.index], index=frame.index)
    keys = ids.where(ids.notna(), alone)  # a row without identifier stays a row of its own
    labels = frame[log.label_pos].map(lambda v: normalise_key(str(v)) if v is not None else None)
    by_label = {normalise_key(s.label): s.field for s in log.steps}
    step_of = labels.map(by_label)
    days, _ = norm.parse_dates(frame[log.date_pos], serial_ok=True)
    events = pd.DataFrame({"key": keys, "step": step_of, "day": days}, index=frame.index)
    order = events.assign(line=frame.index).sort_values(["day", "line"], na_position="first")

    first_line = events.reset_index().groupby("key", sort=False)["index"].min()
    out = pd.DataFrame(index=first_line.index)
    headers: list[str] = []
    rest = [p for p in range(len(raw.header)) if p not in (log.label_pos, log.date_pos)]
    placed_from: set[int] = set()

    # Steps: the latest date of each.
    dated = order[order["step"].notna() & order["day"].notna()]
    repeated = dated.groupby(["key", "step"]).size()
    log.repeated = int((repeated > 1).groupby(level=0).any().sum())
    latest = dated.groupby(["key", "step"])["day"].max().unstack()
    step_fields = [s for s in _date_fields(log.kind) if s in latest.columns]

    # Details: a changing column read on one step's rows. A column that names an identity
    # never changes: its rows must agree.
    changing = [
        p
        for p in rest
        if p != log.id_pos
        and not _identity(raw.header[p], log.kind)
        and not _constant_per(frame, log.id_pos, p)
    ]
    detail_values: dict[str, pd.Series] = {}
    for pos in rest:
        if pos == log.id_pos or _identity(raw.header[pos], log.kind):
            continue
        steps = step_fields if pos in changing else _step_of_sparse(frame[pos], order)
        for step in steps:
            rows = order[order["step"] == step].index
            target = _detail_field(log.kind, step, frame.loc[rows, pos])
            if target is None or target in detail_values:
                continue
            values = frame.loc[rows, pos].groupby(events.loc[rows, "key"]).last()
            detail_values[target] = values
            log.details.append(Detail(raw.header[pos], step, target))
            placed_from.add(pos)

    # Columns of the dossier: one value each; rows that disagree are a conflict.
    for pos in rest:
        if pos in placed_from:
            continue
        column = frame[pos]
        if pos == log.id_pos or pos not in changing:
            values = column.groupby(keys, sort=False).first()
            if pos != log.id_pos:
                _conflicts(
                    log, _same(column).groupby(keys, sort=False), first_line, raw.header[pos]
                )
        elif _dated_or_labelled(column):  # changes along the dossier: its latest event's
            values = column.loc[order.index].groupby(keys.loc[order.index], sort=False).last()
        else:  # a counter, a remark, who typed the row: nothing of the dossier's
            log.dropped.append(raw.header[pos] or f"colonne {pos + 1}")
            continue
        if pos == log.id_pos:
            log.fixed[len(headers)] = "id_source"
        out[len(headers)] = values.reindex(out.index)
        headers.append(raw.header[pos])
    for name, values in [
        *((step, latest[step]) for step in step_fields),
        *detail_values.items(),
    ]:
        log.fixed[len(headers)] = name
        out[len(headers)] = values.reindex(out.index)
        headers.append(schema_field(log.kind, name).label)

    out.index = pd.Index(first_line.reindex(out.index).astype("int64").to_numpy(), dtype="int64")
    out = out.sort_index()
    out = out.astype(object).where(out.notna(), None)
    out.columns = pd.RangeIndex(len(headers))
    log.dossiers = len(out)
    return RawTable(
        header=headers,
        frame=out,
        format=raw.format,
        sheet=raw.sheet,
        header_line=raw.header_line,
        title_lines=raw.title_lines,
        encoding=raw.encoding,
        separator=raw.separator,
    )


IDENTITY_FIELDS = (
    "nom", "prenom", "nom_prenom", "date_naissance", "nom_mentor", "prenom_mentor",
    "nom_prenom_mentor", "date_naissance_mentor", "sexe",
)  # fmt: skip


def _identity(header: str, kind: Kind) -> bool:
    """A header that names who the dossier is about: its cells must agree on every row."""
    if not header:
        return False
    scores = header_scores(header, kind)
    return any(scores[n].score >= 0.5 for n in IDENTITY_FIELDS if n in scores)


def _dated_or_labelled(column: pd.Series) -> bool:
    """Dates or the labels of a value table: kept (and asked about), never dropped."""
    shape = describe(column)
    table, share, _ = shape.best_table()
    return shape.any_dates >= 0.6 or (table not in (None, "oui_non") and share >= 0.6)


def _conflicts(log: EventLog, grouped, first_line: pd.Series, header: str) -> None:
    """Dossiers whose rows give two values of a column that should not change: quarantined
    on their first line, the column named (never the values: they may be names)."""
    counts = grouped.nunique()
    for key in counts[counts > 1].index:
        line = int(first_line[key])
        lines = sorted(int(i) for i in grouped.get_group(key).index)
        shown = ", ".join(str(n) for n in lines[:6]) + (" …" if len(lines) > 6 else "")
        reason = (
            f"le dossier a des lignes qui ne disent pas la même chose (lignes {shown}) : "
            "corrigez-les dans le fichier"
        )
        log.conflicts.setdefault(line, []).append((header, reason))
