"""The *map* stage: a file's columns become canonical field names.

A mapping profile (a TOML file per known layout, or a mapping saved from the import page)
wins for the headers it knows; every other column goes to the matcher (`pipelines.matcher`),
which reads the header and the cells, recognises what it is sure of and asks the rest.
Whatever the route, the result lists the columns asked, the headers left unmapped and the
required fields missing, so the user is told, never silently.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path

import pandas as pd

from domain.schema import KIND_LABELS, Kind, missing_required
from domain.schema import field as schema_field
from domain.text import normalise_key
from pipelines.errors import IngestError
from pipelines.matcher.assign import CERTAIN, ColumnGuess, match_columns
from pipelines.matcher.cells import CellShape, describe, may_name_organisations
from pipelines.matcher.headers import could_name_a_field, header_scores
from pipelines.vocabulary import MAPPINGS_DIR, synonyms

_NOT_PROFILES = {"synonymes.toml", "valeurs.toml", "vocabulaire.toml"}
# A profile applies when this share of its columns is found in the file's header.
PROFILE_MIN_SHARE = 0.8


@dataclass(frozen=True)
class Profile:
    name: str
    kind: Kind
    association: str | None
    description: str
    columns: dict[str, str]  # normalised header -> canonical field ("" = ignored on purpose)
    values: dict[str, dict[str, str]]  # table -> normalised label -> canonical value
    path: Path | None = None


@dataclass
class ColumnMapping:
    kind: Kind
    columns: dict[int, str]  # position in the header -> canonical field
    profile: str | None = None
    association: str | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)  # headers neither mapped nor ignored
    ignored: list[str] = field(default_factory=list)  # headers the profile ignores on purpose
    missing_required: list[str] = field(default_factory=list)
    signature_hits: int = 0  # columns recognised by what only this kind has
    saved: bool = False  # the profile was saved from the import page (not a shipped file)
    guesses: list[ColumnGuess] = field(default_factory=list)  # per column, in file order

    def field_positions(self) -> dict[str, int]:
        return {name: pos for pos, name in self.columns.items()}

    @property
    def questions(self) -> list[ColumnGuess]:
        """Columns to answer before loading (dates or labels the matcher could not place)."""
        return [g for g in self.guesses if g.ask and g.position not in self.columns]

    def guess(self, pos: int) -> ColumnGuess | None:
        return next((g for g in self.guesses if g.position == pos), None)

    def certitude(self, pos: int) -> float | None:
        """How sure the mapping is of column `pos` (1 for a profile or an answer)."""
        if pos not in self.columns:
            return None
        found = self.guess(pos)
        return 1.0 if found is None or found.fixed else found.certitude


def _load_profile(path: Path) -> Profile:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    values = {
        table: {normalise_key(label): canon for label, canon in labels.items()}
        for table, labels in raw.get("valeurs", {}).items()
    }
    return Profile(
        name=raw.get("nom", path.stem),
        kind=Kind(raw["type"]),
        association=raw.get("association"),
        description=raw.get("description", ""),
        columns={normalise_key(h): f for h, f in raw.get("colonnes", {}).items()},
        values=values,
        path=path,
    )


@lru_cache(maxsize=8)
def load_profiles(directory: Path = MAPPINGS_DIR) -> tuple[Profile, ...]:
    paths = sorted(p for p in directory.glob("*.toml") if p.name not in _NOT_PROFILES)
    return tuple(_load_profile(p) for p in paths)


@lru_cache(maxsize=1)
def _known_headers() -> frozenset[str]:
    known: set[str] = set()
    for table in synonyms().values():
        known.update(table)
    for profile in load_profiles():
        known.update(h for h in profile.columns if h)
    return frozenset(known)


HEADER_CELL_MAX = 120  # a longer cell is prose (a read-me line), not a header


@lru_cache(maxsize=50_000)
def _looks_like_header(text: str) -> bool:
    """A cell the matcher would recognise as some field's header, whatever the kind."""
    if len(text) > HEADER_CELL_MAX or sum(c.isdigit() for c in text) > len(text) / 3:
        return False
    if not could_name_a_field(text):
        return False
    return any(
        score.score >= CERTAIN
        for kind in (Kind.ASSOCIATION, Kind.FICHE_CD, Kind.HONORABILITE)
        for score in header_scores(text, kind).values()
    )


def header_score(cells: list[str], extra: frozenset[str] = frozenset()) -> float:
    """How many cells of a candidate row look like headers (for header detection): known
    headers, headers of the saved profiles (`extra`, normalised), or cells the matcher
    reads as a field's header."""
    known = _known_headers()
    return float(
        sum(
            1
            for c in cells
            if c and ((k := normalise_key(c)) in known or k in extra or _looks_like_header(c))
        )
    )


def _fixed_by_profile(profile: Profile, keys: list[str]) -> dict[int, str] | None:
    """Position -> field ("" ignored) for the headers the profile knows; None when the
    profile does not describe this file (under 80 % of its headers present)."""
    present = set(keys)
    expected = [h for h in profile.columns if h]
    if not expected:
        return None
    share = sum(1 for h in expected if h in present) / len(expected)
    if share < PROFILE_MIN_SHARE:
        return None
    fixed: dict[int, str] = {}
    used: set[str] = set()
    for pos, key in enumerate(keys):
        if key and key in profile.columns:
            target = profile.columns[key]
            if target and target in used:
                continue  # a second column of the same header: left to the matcher
            fixed[pos] = target
            used.add(target)
    return fixed


def _from_match(
    kind: Kind,
    header: list[str],
    shapes: list[CellShape],
    groups: list[str] | None,
    cells: pd.DataFrame | None,
    fixed: dict[int, str],
    hidden: frozenset[int] = frozenset(),
) -> ColumnMapping:
    match = match_columns(header, kind, shapes, groups, cells, fixed, hidden=hidden)
    mapping = ColumnMapping(kind=kind, columns={}, guesses=match.guesses)
    mapping.signature_hits = match.signature_hits
    for guess in match.guesses:
        pos = guess.position
        if guess.field:
            mapping.columns[pos] = guess.field
        elif guess.fixed:
            mapping.ignored.append(str(pos))
        elif header[pos]:
            mapping.unmapped.append(str(pos))
    mapping.columns = dict(sorted(mapping.columns.items()))
    return mapping


def _finish(mapping: ColumnMapping, header: list[str]) -> ColumnMapping:
    """Turn positions into the header texts for reports, and list missing required fields."""
    for attr in ("unmapped", "ignored"):
        setattr(mapping, attr, [header[int(p)] for p in getattr(mapping, attr)])
    mapping.missing_required = missing_required(mapping.kind, mapping.columns.values())
    return mapping


def describe_columns(
    cells: pd.DataFrame | None, width: int, associations: frozenset[str] = frozenset()
) -> list[CellShape]:
    """The cells of every column described once (they do not depend on the kind);
    `associations`: the names (`normalise_key`) of the associations the database knows."""
    if cells is None:
        return [CellShape() for _ in range(width)]
    return [
        describe(cells[pos], associations=associations) if pos in cells else CellShape()
        for pos in range(width)
    ]


def map_columns(
    header: list[str],
    kind: Kind | None = None,
    association: str | None = None,
    profiles: tuple[Profile, ...] | None = None,
    cells: pd.DataFrame | None = None,
    groups: list[str] | None = None,
    shapes: list[CellShape] | None = None,
    associations: frozenset[str] = frozenset(),
    hidden: frozenset[int] = frozenset(),
    fixed: dict[int, str] | None = None,
) -> ColumnMapping:
    """Choose the best mapping for this table: a matching profile completed by the matcher,
    else the matcher alone.

    `cells`: the data rows (columns = positions); without them only the headers speak.
    When `kind` is None, every kind is tried and the best ranked wins (`_rank`).
    `associations`: the names (`normalise_key`) of the associations the database knows, so
    that a column of them is recognised whatever its header says. `hidden`: the columns
    the sheet hides (never preferred to a visible one). `fixed`: columns whose field is
    known already (those an event log's pivot made), whatever the profile says.
    """
    keys = [normalise_key(h) if h else "" for h in header]
    profiles = load_profiles() if profiles is None else profiles
    if shapes is None:
        shapes = describe_columns(cells, len(header), associations)
    candidates: list[ColumnMapping] = []
    for profile in profiles:
        if kind is not None and profile.kind != kind:
            continue
        if association and profile.association and not _same_name(association, profile):
            continue
        by_profile = _fixed_by_profile(profile, keys)
        if by_profile is None:
            continue
        found = _from_match(
            profile.kind, header, shapes, groups, cells, by_profile | (fixed or {}), hidden
        )
        found.profile = profile.name
        found.association = profile.association
        found.values = profile.values
        found.saved = profile.path is None
        candidates.append(_finish(found, header))
    kinds = [kind] if kind is not None else list(Kind)
    candidates += [
        _finish(_from_match(k, header, shapes, groups, cells, fixed or {}, hidden), header)
        for k in kinds
    ]
    best = max(candidates, key=_rank)
    if association:
        best.association = association
    else:
        _ask_whose_rows(best, shapes)
    return best


# Kinds whose every row must say whose it is when the file does not (prepare.py refuses the
# row otherwise): a B2 follow-up lists the checks of several associations.
PER_ROW_ASSOCIATION = (Kind.HONORABILITE,)


def _ask_whose_rows(mapping: ColumnMapping, shapes: list[CellShape]) -> None:
    """No column is the association and none was given for the file: rather than every row
    refused, the columns that could hold the associations' names are asked."""
    if mapping.kind not in PER_ROW_ASSOCIATION or "association" in mapping.columns.values():
        return
    if any(n == "association" for q in mapping.questions for n, _ in q.candidates):
        return  # already offered with a question
    for i, guess in enumerate(mapping.guesses):
        pos = guess.position
        if pos in mapping.columns or guess.ask or guess.fixed or pos >= len(shapes):
            continue
        if may_name_organisations(shapes[pos]):
            others = [c for c in guess.candidates if c[0] != "association"]
            mapping.guesses[i] = replace(
                guess, ask=True, why="association", candidates=[("association", 0.5), *others]
            )


def _same_name(association: str, profile: Profile) -> bool:
    return normalise_key(association) == normalise_key(profile.association or "")


def _rank(mapping: ColumnMapping) -> tuple:
    """A matching profile first; then the columns recognised, those only this kind
    explains counting twice (« Date de réception » says a CD fiche list) and those it asks
    about with a likely field counting half; then completeness; then the fewest questions.
    A kind that maps most columns but lacks one required column wins over a kind that is
    complete by chance (the user is then told which is missing)."""
    leaning = sum(0.5 for q in mapping.questions if q.candidates and q.candidates[0][1] >= 0.5)
    return (
        mapping.profile is not None,
        len(mapping.columns) + mapping.signature_hits + leaning,
        not mapping.missing_required,
        -len(mapping.questions),
    )


def require_complete(mapping: ColumnMapping, header: list[str], filename: str) -> None:
    """Refuse a file whose required columns are missing, naming them and the closest headers."""
    if not mapping.missing_required:
        return
    labels = [schema_field(mapping.kind, f).label for f in mapping.missing_required]
    candidates = [h for h in header if h]
    keys = {normalise_key(h): h for h in candidates}
    hints = []
    for name in mapping.missing_required:
        label = normalise_key(schema_field(mapping.kind, name).label)
        close = difflib.get_close_matches(label, list(keys), n=2, cutoff=0.4)
        hints.extend(keys[c] for c in close if keys[c] not in hints)
    message = (
        f"Colonnes obligatoires absentes dans « {filename} » "
        f"({KIND_LABELS[mapping.kind]}) : {', '.join(labels)}."
    )
    if hints:
        message += " En-têtes les plus proches trouvés : " + ", ".join(f"« {h} »" for h in hints)
        message += " — renommez la colonne correspondante."
    else:
        message += " Ajoutez ces colonnes ou utilisez le modèle fourni par le département."
    raise IngestError(message)


IGNORE = ""  # the target of a column the user chose to ignore
SUGGESTED = 0.3  # a field this likely is offered in a question


def suggestions(guess: ColumnGuess) -> list[tuple[str, float]]:
    """The likeliest fields of an asked column (at most three), if any is likely at all."""
    return [(n, c) for n, c in guess.candidates[:3] if c >= SUGGESTED]


def with_fixes(mapping: ColumnMapping, header: list[str], fixes: dict[int, str]) -> ColumnMapping:
    """The mapping after the user's corrections: position → field, or IGNORE.

    Two columns sent to the same field are refused with a French message naming both.
    """
    columns = {pos: name for pos, name in mapping.columns.items() if pos not in fixes}
    for pos, name in sorted(fixes.items()):
        if name == IGNORE:
            continue
        taken = [p for p, n in columns.items() if n == name]
        if taken:
            label = schema_field(mapping.kind, name).label
            raise IngestError(
                f"Le champ « {label} » est choisi pour deux colonnes : « {header[taken[0]]} » "
                f"et « {header[pos]} ». Choisissez-le pour une seule colonne."
            )
        columns[pos] = name
    fixed = ColumnMapping(
        kind=mapping.kind,
        columns=dict(sorted(columns.items())),
        profile=mapping.profile,
        association=mapping.association,
        values=mapping.values,
        saved=mapping.saved,
        signature_hits=mapping.signature_hits,
        guesses=[_answered(g, fixes) for g in mapping.guesses],
    )
    named = {header[p] for p in fixes}
    fixed.ignored = [h for h in mapping.ignored if h not in named] + [
        header[p] for p, n in sorted(fixes.items()) if n == IGNORE
    ]
    fixed.unmapped = [
        h
        for pos, h in enumerate(header)
        if h and pos not in columns and h not in fixed.ignored and h in mapping.unmapped
    ]
    fixed.missing_required = missing_required(mapping.kind, columns.values())
    return fixed


def _answered(guess: ColumnGuess, fixes: dict[int, str]) -> ColumnGuess:
    if guess.position not in fixes:
        return guess
    answer = fixes[guess.position]
    return replace(guess, field=answer or None, certitude=1.0, ask=False, why="", fixed=True)


def profile_columns(mapping: ColumnMapping, header: list[str]) -> dict[str, str]:
    """What a saved profile keeps of a mapping: every header of the file (normalised) → its
    field, or IGNORE when the column feeds none (so it is not reported again)."""
    out: dict[str, str] = {}
    for pos, text in enumerate(header):
        key = normalise_key(text) if text else ""
        if key and key not in out:
            out[key] = mapping.columns.get(pos, IGNORE)
    return out


def header_scorer(extra: frozenset[str] = frozenset()):
    """`header_score` that also knows the headers of the profiles saved in the database."""
    return partial(header_score, extra=extra) if extra else header_score
