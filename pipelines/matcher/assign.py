"""Columns to fields: header score and cell evidence combined into a certainty per column,
one field per column and one column per field, the funnel order as a last witness.

A column is *recognised* when its certainty reaches `CERTAIN`; otherwise it is *asked*
(`ColumnGuess.ask`) when the user must answer before anything is loaded — its cells are
dates or known labels, or the header clearly names a field — and merely *not recognised*
(reported, ignored) when it holds free text the header does not explain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from domain.schema import ALTERNATIVES, FIELDS, Kind
from pipelines import normalise as norm
from pipelines.matcher.cells import (
    CONFIRM,
    REFUTE,
    CellShape,
    describe,
    fit,
    holds_known_labels,
    looks_like,
)
from pipelines.matcher.headers import header_scores
from pipelines.vocabulary import concepts, read_words

CERTAIN = 0.75  # at or above: recognised; below: asked or left out, never guessed
SUGGEST = 0.3  # candidates below this are not offered first
ASK_HEADER = 0.5  # a header this close to a field is asked even over free text
CLEAR_HEADER = 0.9  # a header this close names its field: cells against it make a question
ORDER_ROWS = 2000  # rows read to check the funnel order
ORDER_MIN_ROWS = 8  # pairs of dates needed before the order says anything
ORDER_BROKEN = 0.8  # below this share of rows in order, two step columns disagree
ORDER_FITS = 0.95  # a column fits between two steps when this share of rows agree

# The order the steps' dates follow within a row, per kind (DOMAIN: the funnel).
STEP_ORDER: dict[Kind, list[str]] = {
    Kind.ASSOCIATION: [
        "date_proposition",
        "date_inscription",
        "date_autorisation_parentale",
        "date_mise_en_relation",
        "date_convention",
        "date_debut",
        "date_fin",
    ],
    Kind.FICHE_CD: ["date_proposition", "date_inscription", "date_attribution"],
    Kind.HONORABILITE: [
        "date_collecte",
        "date_transmission_cd",
        "date_demande_service",
        "date_retour",
    ],
}


@dataclass
class ColumnGuess:
    position: int
    header: str
    field: str | None  # the field recognised, None when asked or not recognised
    certitude: float  # of `field`, or of the best candidate when none was recognised
    candidates: list[tuple[str, float]]  # fields by likelihood (the select box's order)
    looks_like: str  # what the cells look like, in French
    ask: bool = False  # must be answered before loading
    why: str = ""  # why it is asked: "doute", "conflit", "ordre", "dates", "libellés", "en-tête"
    fixed: bool = False  # decided by a profile or an answer, not by the matcher


@dataclass
class Match:
    kind: Kind
    guesses: list[ColumnGuess]
    signature_hits: int = 0  # columns recognised by a concept only this kind has

    @property
    def columns(self) -> dict[int, str]:
        return {g.position: g.field for g in self.guesses if g.field}

    @property
    def questions(self) -> list[ColumnGuess]:
        return [g for g in self.guesses if g.ask]


SPECIFIC_MIN_CELLS = 5  # fewer cells cannot name their field by themselves


def _specific(kind: Kind, name: str, shape: CellShape) -> bool:
    """Cells that name their field by themselves (the header may say anything)."""
    if shape.filled < SPECIFIC_MIN_CELLS:
        return False
    if name in ("commune_insee", "code_postal", "sexe"):
        return fit(kind, name, shape) == CONFIRM
    if name == "commune":
        return shape.communes >= 0.8
    if name == "association":
        return shape.associations >= 0.8
    f = next(f for f in FIELDS[kind] if f.name == name)
    if f.table is None or f.table == "oui_non":
        return False
    if sum(1 for g in FIELDS[kind] if g.table == f.table) != 1:
        return False
    # One table knows every distinct value and no other does: the cells name the field.
    if shape.full_tables == {f.table}:
        return True
    table, share, second = shape.best_table()
    return table == f.table and share >= 0.8 and second <= 0.4


def certitude(h: float, evidence: float, specific: bool, doubt: bool = False) -> float:
    """Header score and cell evidence as one certainty (0-1); a doubtful header ("prévue",
    "dernier"…) never reaches `CERTAIN`."""
    if doubt:
        return min(CERTAIN - 0.1, certitude(h, evidence, specific))
    if evidence <= REFUTE:
        return min(h, SUGGEST)
    if h >= 0.5:
        return min(1.0, h + 0.25 * evidence)
    if specific:
        return max(0.8, h + 0.25 * evidence)
    return min(CERTAIN - 0.05, h + 0.25 * max(evidence, 0.0))


def _order_dates(frame: pd.DataFrame | None, positions: list[int]) -> dict[int, pd.Series]:
    if frame is None:
        return {}
    head = frame.head(ORDER_ROWS)
    out = {}
    for pos in positions:
        days, _ = norm.parse_dates(head[pos], serial_ok=True)
        out[pos] = days
    return out


def _in_order(earlier: pd.Series, later: pd.Series) -> tuple[float, int]:
    both = earlier.notna() & later.notna()
    n = int(both.sum())
    if n == 0:
        return 1.0, 0
    return float((earlier[both] <= later[both]).mean()), n


def _order_share(
    kind: Kind, name: str, pos: int, placed: dict[str, int], dates: dict[int, pd.Series]
) -> tuple[float, int]:
    """Worst share of rows where column `pos`, read as `name`, is in order with the step
    columns already placed; and the fewest rows compared."""
    order = STEP_ORDER.get(kind, [])
    if name not in order:
        return 1.0, 0
    rank = order.index(name)
    worst, fewest = 1.0, 10**9
    for other, other_pos in placed.items():
        if other not in order or other_pos == pos or other == name:
            continue
        a, b = (pos, other_pos) if rank < order.index(other) else (other_pos, pos)
        share, n = _in_order(dates[a], dates[b])
        if n >= ORDER_MIN_ROWS:
            worst, fewest = min(worst, share), min(fewest, n)
    return worst, (0 if fewest == 10**9 else fewest)


def match_columns(
    headers: list[str],
    kind: Kind,
    shapes: list[CellShape] | None = None,
    groups: list[str] | None = None,
    frame: pd.DataFrame | None = None,
    fixed: dict[int, str] | None = None,
    today: dt.date | None = None,
    hidden: frozenset[int] = frozenset(),
) -> Match:
    """Recognise each column of a table as a field of `kind` (or ask, or leave it out).

    `fixed`: columns already decided (a profile, the user's answers; "" = ignored); their
    fields are taken. `shapes`: the cells described (`describe`), computed from `frame`
    when not given. `hidden`: the columns the sheet hides; a field goes to a visible column
    whenever one is certain (a hidden CRM key never wins over the visible « N° dossier »)."""
    fixed = fixed or {}
    groups = groups or [""] * len(headers)
    if shapes is None:
        shapes = [
            describe(frame[pos]) if frame is not None and pos in frame else CellShape()
            for pos in range(len(headers))
        ]
    names = [f.name for f in FIELDS[kind]]
    taken = {f for f in fixed.values() if f}
    scored: dict[int, Scored] = {}
    doubtful: set[int] = set()
    for pos, header in enumerate(headers):
        if pos in fixed or (not header and shapes[pos].empty):
            continue
        scored[pos] = _score_column(kind, names, header, groups[pos], shapes[pos], today)
        if header and read_words(header).doubt:
            doubtful.add(pos)
    _roles_from_neighbours(kind, names, headers, groups, shapes, scored, fixed, today)

    chosen: dict[int, tuple[str, float]] = {}
    why: dict[int, str] = {}
    pairs = sorted(
        ((c, rank, pos, name) for pos, ranked in scored.items() for name, c, _, rank, _ in ranked),
        key=lambda t: (t[2] in hidden, -t[1], t[2]),
    )
    for c, _, pos, name in pairs:
        if c < CERTAIN:
            continue
        if pos in chosen or name in taken or _alternative_taken(name, taken):
            continue
        ranked = scored[pos]
        rivals = [r for r in ranked if r[0] != name and r[0] not in taken]
        if rivals and rivals[0][3] >= _rank_of(ranked, name) - 0.03 and rivals[0][1] >= CERTAIN:
            why[pos] = "conflit"  # two fields as likely: ask
            continue
        chosen[pos] = (name, c)
        taken.add(name)

    _check_order(kind, headers, shapes, frame, fixed, scored, chosen, why, doubtful)

    placed_names = {name for name, _ in chosen.values()} | {f for f in fixed.values() if f}
    guesses: list[ColumnGuess] = []
    hits = 0
    for pos, header in enumerate(headers):
        shape = shapes[pos]
        if pos in fixed:
            guesses.append(
                ColumnGuess(pos, header, fixed[pos] or None, 1.0, [], looks_like(shape), fixed=True)
            )
            continue
        if pos not in scored:
            continue
        ranked = scored[pos]
        free_first = sorted(ranked, key=lambda r: (r[0] in placed_names, -r[3]))
        candidates = [(n, c) for n, c, *_ in free_first]
        if pos in chosen:
            name, c = chosen[pos]
            own = any(r[0] == name and r[2] for r in ranked)
            hits += own or name not in _shared_fields(kind)
            guesses.append(ColumnGuess(pos, header, name, c, candidates, looks_like(shape)))
            continue
        best = candidates[0][1] if candidates else 0.0
        reason = why.get(pos, "")
        ask = (
            bool(reason)
            or shape.any_dates >= 0.6
            or holds_known_labels(shape)
            or best >= ASK_HEADER
        )
        if pos in hidden and ranked and ranked[0][0] in placed_names:
            ask = False  # a hidden copy of a field a visible column gives: left out, said
        if ask and not reason:
            reason = (
                "doute"
                if pos in doubtful
                else "en-tête"
                if best >= ASK_HEADER
                else "dates"
                if shape.any_dates >= 0.6
                else "libellés"
            )
        guesses.append(
            ColumnGuess(pos, header, None, best, candidates, looks_like(shape), ask, reason)
        )
    return Match(kind, guesses, hits)


def _alternative_taken(name: str, taken: set[str]) -> bool:
    """A full name in one cell and the two name columns stand for each other: once one is
    placed, the other is not (« À » next to « NOM Prénom » is no surname)."""
    full = ALTERNATIVES.get(name)
    if full is not None:
        return full in taken
    return any(ALTERNATIVES.get(part) == name for part in taken)


def _rank_of(ranked: list[tuple], name: str) -> float:
    return next(r[3] for r in ranked if r[0] == name)


# (field, certainty, own concept, rank key, header score)
Scored = list[tuple[str, float, bool, float, float]]


def _score_column(
    kind: Kind,
    names: list[str],
    header: str,
    group: str,
    shape: CellShape,
    today: dt.date | None,
) -> Scored:
    """Every field's certainty for one column, most likely first."""
    hs = header_scores(header, kind, group) if header else {}
    ranked = []
    clear: list[bool] = []  # per field the header names clearly: do the cells refute it?
    named_by_cells = False  # the cells alone name a field (« Structure » over associations)
    for name in names:
        score = hs.get(name)
        h = score.score if score else 0.0
        evidence = fit(kind, name, shape, today) if not shape.empty else 0.0
        if h >= CLEAR_HEADER:
            clear.append(evidence <= REFUTE)
        specific = not shape.empty and _specific(kind, name, shape)
        # Place names are too common to overrule a header (Bernard, Roux); codes, labels
        # and the associations' own names are not.
        named_by_cells |= specific and name != "commune"
        c = certitude(h, evidence, specific, bool(score and score.doubt))
        if c > 0:
            rank = c + (score.specificity if score else 0.0)
            own = bool(score and score.own)
            ranked.append((name, round(c, 3), own, round(rank, 3), h))
    if clear and all(clear) and not named_by_cells:  # « Nom » over town names: asked
        ranked = [(n, min(c, CERTAIN - 0.05), o, r, h) for n, c, o, r, h in ranked]
    ranked.sort(key=lambda r: -r[3])
    return ranked


def _roles_from_neighbours(
    kind: Kind,
    names: list[str],
    headers: list[str],
    groups: list[str],
    shapes: list[CellShape],
    scored: dict[int, Scored],
    fixed: dict[int, str],
    today: dt.date | None,
) -> None:
    """A header without a role word next to the mentor's columns ("Tuteur", "Prénom",
    "Né(e) le", "Lieu naiss.") is read as the mentor's: re-scored with that role."""
    roles = concepts(kind).roles

    def role_at(pos: int) -> str | None:
        if pos in fixed:
            return roles.get(fixed[pos])
        best = scored.get(pos)
        if best and best[0][1] >= CERTAIN:
            return roles.get(best[0][0])
        return None

    for pos in sorted(scored):
        header = headers[pos]
        words = read_words(header) if header else None
        if not words or not words.all or groups[pos] or words.roles & {"jeune", "mentor"}:
            continue  # a header that says nothing (« À ») gets no field from its neighbours
        left = role_at(pos - 1) if pos > 0 else None
        if left != "mentor":
            continue
        rescored = _score_column(kind, names, header, "mentor", shapes[pos], today)
        if rescored and rescored[0][1] >= CERTAIN and roles.get(rescored[0][0]) == "mentor":
            scored[pos] = rescored


def _header_of(ranked: Scored, name: str) -> float:
    return next((r[4] for r in ranked if r[0] == name), 0.0)


def _shared_fields(kind: Kind) -> set[str]:
    """Fields that other kinds have too (they say nothing about the kind)."""
    return {f.name for k in Kind if k != kind for f in FIELDS[k]}


def _check_order(
    kind: Kind,
    headers: list[str],
    shapes: list[CellShape],
    frame: pd.DataFrame | None,
    fixed: dict[int, str],
    scored: dict[int, Scored],
    chosen: dict[int, tuple[str, float]],
    why: dict[int, str],
    doubtful: set[int],
) -> None:
    """The funnel order as a witness: a recognised step column out of order with the others
    is asked; an asked date column that fits exactly one free step, which its header
    suggests, is recognised."""
    order = STEP_ORDER.get(kind, [])
    if frame is None or not order:
        return
    dated = [p for p in range(len(headers)) if shapes[p].any_dates >= 0.6]
    dates = _order_dates(frame, dated)
    placed = {name: pos for pos, (name, _) in chosen.items() if name in order and pos in dates}
    placed |= {name: pos for pos, name in fixed.items() if name in order and pos in dates}
    # Recognised steps that break the order: the less certain one of the pair is asked.
    for name, pos in sorted(placed.items(), key=lambda kv: chosen.get(kv[1], ("", 1.0))[1]):
        if pos not in chosen or _header_of(scored[pos], name) >= 1.0:
            continue  # a header that says exactly this step stands: disorder is an alert
        others = {n: p for n, p in placed.items() if n != name}
        share, n = _order_share(kind, name, pos, others, dates)
        if n and share < ORDER_BROKEN:
            del chosen[pos]
            why[pos] = "ordre"
            del placed[name]
    # Asked date columns: one free step fits, and the header leans to it.
    free = [n for n in order if n not in placed]
    for pos in dated:
        if pos in chosen or pos in fixed or pos not in scored:
            continue
        if pos in doubtful:
            why.setdefault(pos, "doute")
            continue
        fits = []
        for name in free:
            share, n = _order_share(kind, name, pos, placed, dates)
            if n and share >= ORDER_FITS:
                fits.append(name)
        suggested = {r[0]: r[1] for r in scored[pos]}
        leaning = [n for n in fits if suggested.get(n, 0.0) >= 0.5]
        if len(leaning) == 1 and why.get(pos) != "ordre":
            name = leaning[0]
            chosen[pos] = (name, max(CERTAIN, suggested[name]))
            placed[name] = pos
            free.remove(name)
            why.pop(pos, None)
        else:  # offer the fitting steps first
            rank = {n: i for i, n in enumerate(fits)}
            scored[pos].sort(key=lambda r: (r[0] not in rank, -r[1]))
