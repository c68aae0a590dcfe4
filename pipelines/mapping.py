"""The *map* stage: a file's headers become canonical field names.

A mapping profile (one TOML file per known layout) wins when it matches; otherwise the
synonym dictionary maps each header on its own. Whatever the route, the result lists the
headers left unmapped and the required fields missing, so the user is told, never silently.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from pipelines.errors import IngestError
from pipelines.normalise import normalise_key
from pipelines.schema import FIELDS, KIND_LABELS, REQUIRED_COLUMNS, Kind
from pipelines.schema import field as schema_field

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
_NOT_PROFILES = {"synonymes.toml", "valeurs.toml"}
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
    duplicates: list[str] = field(default_factory=list)  # second header for the same field
    missing_required: list[str] = field(default_factory=list)
    signature_hits: int = 0  # headers that only this kind's own synonyms know
    saved: bool = False  # the profile was saved from the import page (not a shipped file)

    def field_positions(self) -> dict[str, int]:
        return {name: pos for pos, name in self.columns.items()}


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


@lru_cache(maxsize=8)
def synonyms(directory: Path = MAPPINGS_DIR) -> dict[Kind, dict[str, str]]:
    """Per kind: normalised header -> canonical field."""
    raw = tomllib.loads((directory / "synonymes.toml").read_text(encoding="utf-8"))
    common = raw.get("commun", {})
    result: dict[Kind, dict[str, str]] = {}
    for kind, fields in FIELDS.items():
        own = raw.get(kind.value, {})
        table: dict[str, str] = {}
        for f in fields:
            for label in [f.label, f.name, *own.get(f.name, common.get(f.name, []))]:
                table.setdefault(normalise_key(label), f.name)
        result[kind] = table
    return result


@lru_cache(maxsize=8)
def signatures(directory: Path = MAPPINGS_DIR) -> dict[Kind, frozenset[str]]:
    """Per kind: the headers its own section knows and [commun] does not (e.g. "Date de
    réception" says CD fiche). They decide the kind when several kinds map a file."""
    raw = tomllib.loads((directory / "synonymes.toml").read_text(encoding="utf-8"))
    common = {normalise_key(s) for labels in raw.get("commun", {}).values() for s in labels}
    return {
        kind: frozenset(
            normalise_key(s) for labels in raw.get(kind.value, {}).values() for s in labels
        )
        - common
        for kind in Kind
    }


@lru_cache(maxsize=1)
def _known_headers() -> frozenset[str]:
    known: set[str] = set()
    for table in synonyms().values():
        known.update(table)
    for profile in load_profiles():
        known.update(h for h in profile.columns if h)
    return frozenset(known)


def header_score(cells: list[str], extra: frozenset[str] = frozenset()) -> float:
    """How many cells of a candidate row look like known headers (for header detection);
    `extra`: more known headers (normalised), e.g. those of the saved profiles."""
    known = _known_headers()
    return float(sum(1 for c in cells if c and ((k := normalise_key(c)) in known or k in extra)))


def _profile_mapping(profile: Profile, keys: list[str]) -> ColumnMapping | None:
    present = set(keys)
    expected = [h for h in profile.columns if h]
    if not expected:
        return None
    share = sum(1 for h in expected if h in present) / len(expected)
    if share < PROFILE_MIN_SHARE:
        return None
    mapping = ColumnMapping(
        kind=profile.kind,
        columns={},
        profile=profile.name,
        association=profile.association,
        values=profile.values,
        saved=profile.path is None,
    )
    fallback = synonyms()[profile.kind]
    for pos, key in enumerate(keys):
        # A column the layout added since the profile was written: try the synonyms.
        target = profile.columns[key] if key in profile.columns else fallback.get(key)
        _assign(mapping, pos, key, target)
    return mapping


def _synonym_mapping(kind: Kind, keys: list[str]) -> ColumnMapping:
    mapping = ColumnMapping(kind=kind, columns={})
    table = synonyms()[kind]
    for pos, key in enumerate(keys):
        _assign(mapping, pos, key, table.get(key))
    mapping.signature_hits = sum(1 for key in keys if key in signatures()[kind])
    return mapping


def _assign(mapping: ColumnMapping, pos: int, key: str, target: str | None) -> None:
    if not key:
        return
    if target is None:
        mapping.unmapped.append(str(pos))
    elif target == "":
        mapping.ignored.append(str(pos))
    elif target in mapping.columns.values():
        mapping.duplicates.append(str(pos))
    else:
        mapping.columns[pos] = target


def _finish(mapping: ColumnMapping, header: list[str]) -> ColumnMapping:
    """Turn positions into the header texts for reports, and list missing required fields."""
    for attr in ("unmapped", "ignored", "duplicates"):
        setattr(mapping, attr, [header[int(p)] for p in getattr(mapping, attr)])
    mapped = set(mapping.columns.values())
    mapping.missing_required = [f for f in REQUIRED_COLUMNS[mapping.kind] if f not in mapped]
    return mapping


def map_columns(
    header: list[str],
    kind: Kind | None = None,
    association: str | None = None,
    profiles: tuple[Profile, ...] | None = None,
) -> ColumnMapping:
    """Choose the best mapping for this header: a matching profile, else the synonyms.

    When `kind` is None the kind is the one whose required fields are all found with the
    most columns mapped.
    """
    keys = [normalise_key(h) if h else "" for h in header]
    profiles = load_profiles() if profiles is None else profiles
    candidates: list[ColumnMapping] = []
    for profile in profiles:
        if kind is not None and profile.kind != kind:
            continue
        if association and profile.association and not _same_name(association, profile):
            continue
        found = _profile_mapping(profile, keys)
        if found is not None:
            candidates.append(_finish(found, header))
    kinds = [kind] if kind is not None else list(Kind)
    candidates += [_finish(_synonym_mapping(k, keys), header) for k in kinds]
    best = max(candidates, key=_rank)
    if association:
        best.association = association
    return best


def _same_name(association: str, profile: Profile) -> bool:
    return normalise_key(association) == normalise_key(profile.association or "")


def _rank(mapping: ColumnMapping) -> tuple:
    """A matching profile first; then the headers only one kind knows; then coverage; then
    completeness. A kind that maps most columns but lacks one required column wins over a
    kind that is complete by chance (the user is then told which column is missing)."""
    return (
        mapping.profile is not None,
        mapping.signature_hits,
        len(mapping.columns),
        not mapping.missing_required,
        -len(mapping.unmapped),
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
    fixed.duplicates = [h for h in mapping.duplicates if h not in named]
    mapped = set(columns.values())
    fixed.missing_required = [f for f in REQUIRED_COLUMNS[mapping.kind] if f not in mapped]
    return fixed


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
