"""Evidence from the cells: what a column's values look like, and whether that fits a field.

A sample of each column (its first filled cells) is described once (`CellShape`): dates and
their years, whole numbers, INSEE codes, postcodes, commune names, yes/no, person names,
e-mails and phone numbers, and for every value table the share of cells it recognises.
`fit(kind, field, shape)` then says whether the cells confirm (up to +1) or refute (-1) a
header's guess; `specific` fields (INSEE codes, postcodes, sexes, labels of one table) can
be recognised from their cells when the header says nothing clear.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import statistics
from dataclasses import dataclass, field

import pandas as pd

from domain.schema import FIELDS, FieldType, Kind
from domain.values import value_table
from pipelines import normalise as norm
from pipelines.communes import is_commune_name, known_codes, known_postcodes
from pipelines.labels import match_label
from pipelines.vocabulary import MISSING_KEYS, says_pending

SAMPLE_CELLS = 400
FEW_CELLS = 3  # below this many filled cells, only dates against non-dates is evidence
EARLIEST_STEP_YEAR = 2015  # a step dated before is an alert (docs/domaine.md), a birth date
FUTURE_STEPS = 0.2  # more dates than this after today: planned dates, not steps done
MAX_DISTINCT_LABELS = 120
SERIAL_MIN, SERIAL_MAX = 32874, 54789  # Excel serial numbers of 1990-01-01 .. 2049-12-31
_NAME = re.compile(r"^[^\W\d_][^\W\d_'’\-. ]*(?:[ '’\-.,]+[^\W\d_]+)*\.?$")
_PHONE = re.compile(r"^\+?[\d .\-/()]{9,}$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_DATE_SHAPED = re.compile(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}\b")
_YES_NO = frozenset(
    {"oui", "non", "o", "n", "x", "vrai", "faux", "yes", "no", "1", "0", "ok", "ko", "v"}
)
_DATE_FIELD_EXCEPTIONS = {"date_naissance_mentor"}  # identity text that holds a date
CATEGORY_TABLES = sorted(
    {f.table for fields in FIELDS.values() for f in fields if f.table is not None}
)


@dataclass
class CellShape:
    """What the sampled cells of one column look like (shares of the filled cells)."""

    filled: int = 0
    distinct: int = 0
    dates: float = 0.0  # date cells and dated text
    serials: float = 0.0  # plain numbers that are Excel serial dates (1990-2049)
    years: tuple[int, int, int] | None = None  # min, median, max year of the dates
    future: float = 0.0  # among the dates, those after today (plans, not steps)
    ints: float = 0.0
    numbers: float = 0.0  # whole or decimal numbers (« 1.5 », « 2,5 », « 3 »)
    int_range: tuple[int, int] | None = None
    insee: float = 0.0
    postcodes: float = 0.0
    communes: float = 0.0
    yes_no: float = 0.0
    names: float = 0.0  # person-name-like text
    several_words: float = 0.0  # among the name-like cells, those of two words or more
    emails: float = 0.0
    phones: float = 0.0
    tables: dict[str, float] = field(default_factory=dict)  # table -> share recognised
    examples: dict[str, str] = field(default_factory=dict)  # table -> one recognised label
    # The tables that know every distinct value of the column (at least MIN_FULL of them).
    full_tables: frozenset[str] = frozenset()
    associations: float = 0.0  # names of associations the database knows

    @property
    def empty(self) -> bool:
        return self.filled == 0

    @property
    def any_dates(self) -> float:
        return max(self.dates, self.serials)

    def best_table(self) -> tuple[str | None, float, float]:
        """(table, its share, the runner-up's share)."""
        ranked = sorted(self.tables.items(), key=lambda kv: -kv[1])
        if not ranked:
            return None, 0.0, 0.0
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        return ranked[0][0], ranked[0][1], second


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).split())
    return text or None


def _filled(value: object) -> bool:
    """A cell with something in it ("n/a", "NC", "-" say nothing)."""
    text = _text(value)
    return text is not None and norm.normalise_key(text) not in MISSING_KEYS


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


MIN_FULL = 3  # distinct values a table must know, all of them, to name the column alone


def describe(
    values: pd.Series,
    today: dt.date | None = None,
    associations: frozenset[str] = frozenset(),
) -> CellShape:
    """The shape of a column from its first filled cells. `associations`: the names
    (`normalise_key`) of the associations the database knows."""
    # The first SAMPLE_CELLS filled cells among the first SAMPLE_CELLS * 4 (the search
    # stops once they are found).
    head = values.head(SAMPLE_CELLS * 4).tolist()
    cells = list(itertools.islice(filter(_filled, head), SAMPLE_CELLS))
    texts = [_text(v) for v in cells]
    shape = CellShape(filled=len(cells), distinct=len(set(texts)))
    if not cells:
        return shape
    n = len(cells)
    _dates(shape, cells, n, today or dt.date.today())
    numbers = [v for v in cells if _is_number(v)] + [
        int(t) for v, t in zip(cells, texts, strict=True) if isinstance(v, str) and t.isdigit()
    ]
    ints = [int(x) for x in numbers if float(x).is_integer()]
    shape.ints = len(ints) / n
    shape.numbers = (
        sum(_is_number(v) or bool(_NUMBER.match(t)) for v, t in zip(cells, texts, strict=True)) / n
    )
    if ints:
        shape.int_range = (min(ints), max(ints))
    codes = [_code(t) for t in texts]
    insee, postcodes = known_codes(), known_postcodes()
    shape.insee = sum(c in insee for c in codes) / n
    shape.postcodes = sum(c in postcodes for c in codes) / n
    distinct = list(dict.fromkeys(texts))[:MAX_DISTINCT_LABELS]
    weights = {t: texts.count(t) for t in distinct}
    counted = sum(weights.values())
    shape.communes = sum(weights[t] for t in distinct if is_commune_name(t)) / counted
    keys = [norm.normalise_key(t) for t in texts]
    if associations:
        shape.associations = sum(k in associations for k in keys) / n
    shape.yes_no = sum(k in _YES_NO for k in keys) / n
    shape.emails = sum("@" in t for t in texts) / n
    shape.phones = sum(bool(_PHONE.match(t)) for t in texts) / n
    named = [t for t in texts if _NAME.match(t) and 1 < len(t) <= 60]
    shape.names = len(named) / n
    if named:
        shape.several_words = sum(len(re.split(r"[ ,]+", t.strip())) >= 2 for t in named) / len(
            named
        )
    if not _may_hold_labels(shape, len(distinct)):
        shape.tables = dict.fromkeys(CATEGORY_TABLES, 0.0)
        return shape
    full = set()
    for table in CATEGORY_TABLES:
        hits = known = 0
        for t in distinct:
            found = match_label(t, table)
            if found is None and table == "objectifs":
                labels, unknown = norm.split_labels(t, t, table)
                found = ";".join(sorted(labels)) if labels and not unknown else None
            if found is not None:
                hits += weights[t]
                known += 1
                shape.examples.setdefault(table, t)
        shape.tables[table] = hits / counted
        if known == len(distinct) >= MIN_FULL:
            full.add(table)
    shape.full_tables = frozenset(full)
    return shape


def _scores_of(table: str, int_range: tuple[int, int] | None) -> bool:
    """Whether every whole number of the column's range is a spelling of `table` (a score
    of 1 to 5 in a satisfaction column), so numbers are its labels, not counts."""
    if int_range is None or int_range[1] - int_range[0] > 10:
        return False
    lookup = value_table(table).lookup
    return all(str(i) in lookup for i in range(int_range[0], int_range[1] + 1))


MAX_LABEL_VARIETY = 60  # more distinct values than this: names, ids or comments, not labels


def _may_hold_labels(shape: CellShape, distinct: int) -> bool:
    """Labels are few and neither dates nor numbers (whole or decimal: hours « 1.5 »,
    « 2.0 » are no scores): other columns skip the label tables."""
    if shape.any_dates >= 0.8 or max(shape.ints, shape.numbers) >= 0.8 or shape.insee >= 0.8:
        return False
    return distinct <= MAX_LABEL_VARIETY or shape.distinct <= 0.5 * shape.filled


def _code(text: str) -> str:
    code = text.replace(" ", "").upper()
    if code.endswith(".0"):
        code = code[:-2]
    return code.zfill(5) if len(code) == 4 and code.isdigit() else code


def _dates(shape: CellShape, cells: list, n: int, today: dt.date) -> None:
    numeric = [v for v in cells if _is_number(v)]
    numeric += [int(v) for v in cells if isinstance(v, str) and v.strip().isdigit()]
    serials = [v for v in numeric if SERIAL_MIN <= float(v) <= SERIAL_MAX]
    others = [
        v for v in cells if not _is_number(v) and not (isinstance(v, str) and v.strip().isdigit())
    ]
    parsed, _ = norm.parse_dates(pd.Series(others, dtype=object), serial_ok=False)
    days = [d for d in parsed.dropna().tolist() if 1920 <= d.year <= 2060]
    # A date typed wrong (« 31/02/2010 ») is still a date column: it is quarantined later.
    misshapen = sum(
        1
        for v, d in zip(others, parsed.tolist(), strict=True)
        if pd.isna(d) and isinstance(v, str) and _DATE_SHAPED.match(v.strip())
    )
    # « en attente », « non reçu »: a date not there yet, not a cell of another kind.
    pending = sum(
        1
        for v in others
        if isinstance(v, str) and says_pending(norm.normalise_key(v), norm.MONTH_WORDS)
    )
    dated = len(days) + misshapen
    shape.dates = dated / (n - pending) if dated and n > pending else dated / n
    shape.serials = len(serials) / n
    all_days = [d.date() for d in days] + [
        dt.date(1899, 12, 30) + dt.timedelta(days=int(v)) for v in serials
    ]
    if all_days:
        years = [d.year for d in all_days]
        shape.years = (min(years), int(statistics.median(years)), max(years))
        shape.future = sum(d > today for d in all_days) / len(all_days)


# --- fit ------------------------------------------------------------------------------------

CONFIRM, LEAN, NEUTRAL, REFUTE = 1.0, 0.5, 0.0, -1.0


def _field_of(kind: Kind, name: str):
    return next(f for f in FIELDS[kind] if f.name == name)


def _holds_dates(shape: CellShape) -> float:
    return shape.any_dates


def _date_fit(name: str, shape: CellShape, today: dt.date) -> float:
    share = _holds_dates(shape)
    if share < 0.3:
        if shape.filled < FEW_CELLS:
            return NEUTRAL
        # Cells that are something else (names, labels, numbers, codes) refute; unreadable
        # text under a date header is only doubtful: its rows will be quarantined, said.
        other = (
            _something_else(shape)
            or (person_names(shape) and shape.filled >= FEW_CELLS * 4)
            or shape.insee >= 0.8
            or shape.postcodes >= 0.8
        )
        return REFUTE if other else -LEAN
    if shape.years is None:
        return NEUTRAL
    _, median, _ = shape.years
    birth = name.startswith("date_naissance")
    if birth and median > today.year - 6:
        return -LEAN  # dates of this decade are hardly birth dates (their rows say why)
    if not birth and median < EARLIEST_STEP_YEAR:
        return -LEAN  # steps of mentoring before 2015: more likely birth dates
    if not birth and shape.future > FUTURE_STEPS:
        return -LEAN  # many dates still to come: more likely a plan than a step done
    return CONFIRM if share >= 0.8 else LEAN


def fit(kind: Kind, name: str, shape: CellShape, today: dt.date | None = None) -> float:
    """How well the cells fit the field: +1 confirm, +0.5 lean, 0 neutral, -1 refute."""
    if shape.empty:
        return NEUTRAL
    today = today or dt.date.today()
    f = _field_of(kind, name)
    if f.type in (FieldType.DATE, FieldType.IDENTITY_DATE) or name in _DATE_FIELD_EXCEPTIONS:
        return _date_fit(name, shape, today)
    if shape.filled < FEW_CELLS:
        return REFUTE if shape.any_dates >= 0.6 and name != "id_source" else NEUTRAL
    dated = _holds_dates(shape) >= 0.6
    if name == "id_source":
        if (dated and shape.serials < 0.6) or holds_known_labels(shape):
            return REFUTE
        if shape.distinct >= 0.9 * shape.filled:
            return LEAN
        # Repeated ids are quarantined row by row; a column of few values is hardly an id.
        return -LEAN if shape.filled >= 20 and shape.distinct < 0.5 * shape.filled else NEUTRAL
    if name == "association":
        return CONFIRM if shape.associations >= 0.8 else NEUTRAL
    if shape.associations >= 0.8:
        return REFUTE  # the associations' own names: that column is the association
    person = ("nom_prenom", "nom_prenom_mentor", "nom", "prenom", "nom_mentor", "prenom_mentor")
    if name in person:
        if _something_else(shape) or _place_names(shape):
            return REFUTE  # place names are no one's name
        if not person_names(shape):
            return NEUTRAL
    # Names of several words: full names (a few compound surnames aside).
    if name in ("nom_prenom", "nom_prenom_mentor"):
        if shape.several_words >= 0.7:
            return CONFIRM
        return LEAN if shape.several_words >= 0.5 else REFUTE
    if name in ("nom", "prenom", "nom_mentor", "prenom_mentor"):
        if shape.several_words < 0.3:
            return LEAN
        return NEUTRAL if shape.several_words < 0.5 else -LEAN
    if name == "lieu_naissance_mentor":
        return REFUTE if dated or shape.ints > 0.5 else LEAN if shape.communes > 0.5 else NEUTRAL
    if name == "commune_insee":
        return CONFIRM if shape.insee >= 0.8 else LEAN if shape.insee >= 0.5 else REFUTE
    if name in ("code_postal",):
        return CONFIRM if shape.postcodes >= 0.8 else LEAN if shape.postcodes >= 0.5 else REFUTE
    if name in ("commune", "commune_antenne"):
        return CONFIRM if shape.communes >= 0.6 else LEAN if shape.communes >= 0.3 else REFUTE
    if name == "annee_naissance":
        low_high = shape.int_range
        if shape.ints >= 0.9 and low_high and low_high[0] >= 1950 and low_high[1] <= today.year:
            return CONFIRM
        return REFUTE
    if f.type == FieldType.INT:
        return LEAN if shape.ints >= 0.9 else REFUTE
    if f.table == "oui_non":
        return CONFIRM if shape.yes_no >= 0.9 else REFUTE
    if f.table is not None:
        share = shape.tables.get(f.table, 0.0)
        if shape.ints >= 0.8 and _scores_of(f.table, shape.int_range):
            return LEAN  # « 1 » to « 5 »: scores the value table reads (satisfaction)
        if name == "sexe":
            return CONFIRM if share >= 0.9 and shape.distinct <= 6 else REFUTE
        if share >= 0.7:
            return CONFIRM
        if share >= 0.4:
            return LEAN
        # Unknown labels under a clear header are the layout's own: the column is kept and
        # its labels asked; cells that are something else refute.
        other = dated or shape.ints >= 0.8 or shape.emails > 0.3 or shape.phones > 0.3
        return REFUTE if other or holds_known_labels(shape) else -LEAN
    # free text: etablissement, territoire, association
    if dated or shape.ints >= 0.8 or shape.emails > 0.3 or shape.phones > 0.3:
        return REFUTE
    return NEUTRAL


def _something_else(shape: CellShape) -> bool:
    """Cells that are clearly not names: dates, numbers, labels, e-mails, phone numbers."""
    return (
        _holds_dates(shape) >= 0.6
        or shape.ints >= 0.8
        or holds_known_labels(shape)
        or shape.emails > 0.3
        or shape.phones > 0.3
    )


PLACES_DISTINCT = 5  # many surnames are communes too (Bernard, Roux): a few cells prove nothing


def _place_names(shape: CellShape) -> bool:
    """Cells that are commune names, many of them and varied: places, not people."""
    return shape.communes >= 0.8 and shape.distinct >= PLACES_DISTINCT


def person_names(shape: CellShape) -> bool:
    """Cells that read as people's names: letters only, many different values, and not the
    labels of a value table ("Une fille", "Un garçon" are letters too)."""
    if shape.names < 0.7 or holds_known_labels(shape):
        return False
    if shape.filled < FEW_CELLS * 4:
        return True  # too few cells to judge by their variety
    return shape.distinct >= max(5, 0.15 * shape.filled)


def looks_like(shape: CellShape) -> str:
    """A French description of the cells, for questions; never quotes a name or a date."""
    if shape.empty:
        return "vide"
    if _holds_dates(shape) >= 0.6 and shape.years:
        low, _, high = shape.years
        span = f"{low} à {high}" if low != high else f"{low}"
        if shape.future > FUTURE_STEPS:
            span += f", dont {round(100 * shape.future)} % à venir"
        return f"des dates ({span})"
    table, share, _ = shape.best_table()
    if table and share >= 0.6 and table != "oui_non":
        return f"des libellés connus, par exemple « {shape.examples[table]} »"
    if shape.yes_no >= 0.9:
        return "oui / non"
    if shape.insee >= 0.8:
        return "des codes INSEE"
    if shape.postcodes >= 0.8:
        return "des codes postaux"
    if shape.communes >= 0.6:
        return "des noms de communes"
    if shape.ints >= 0.9 and shape.int_range:
        return f"des nombres entiers ({shape.int_range[0]} à {shape.int_range[1]})"
    if shape.emails > 0.3:
        return "des adresses e-mail"
    if shape.phones > 0.3:
        return "des numéros de téléphone"
    if person_names(shape):
        return "des noms de personnes"
    return "du texte"


def may_name_organisations(shape: CellShape) -> bool:
    """Cells that could be the names of a few organisations: words (no dates, numbers,
    codes, e-mails), not places, not one name per row."""
    if shape.filled < FEW_CELLS or _something_else(shape) or shape.communes >= 0.5:
        return False
    if shape.insee >= 0.5 or shape.postcodes >= 0.5 or shape.yes_no >= 0.5:
        return False
    return shape.distinct <= max(10, 0.3 * shape.filled)


def holds_known_labels(shape: CellShape) -> bool:
    """Cells that are labels of a value table (yes/no aside): such a column is not dropped
    without a question."""
    table, share, _ = shape.best_table()
    return shape.filled >= FEW_CELLS and bool(table) and table != "oui_non" and share >= 0.6
