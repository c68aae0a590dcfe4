"""Value tables: the canonical values of each category field with their French labels
and the spellings staff type for them (domain/valeurs.toml). The first spelling of each list
is the label shown to users; matching is on `normalise_key`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from domain.text import normalise_key

VALUE_TABLES_FILE = Path(__file__).resolve().parent / "valeurs.toml"


@dataclass(frozen=True)
class ValueTable:
    name: str
    lookup: dict[str, str]  # normalise_key(spelling) -> canonical value
    labels: dict[str, str]  # canonical value -> French label (first spelling of the list)

    def allowed(self) -> str:
        return ", ".join(self.labels.values())


def _build_tables(raw: dict[str, dict[str, list[str]]]) -> dict[str, ValueTable]:
    tables: dict[str, ValueTable] = {}
    for name, values in raw.items():
        lookup: dict[str, str] = {}
        labels: dict[str, str] = {}
        for canonical, spellings in values.items():
            labels[canonical] = spellings[0] if spellings else canonical
            for spelling in [canonical, *spellings]:
                key = normalise_key(spelling)
                if lookup.get(key, canonical) != canonical:
                    raise ValueError(
                        f"valeurs.toml [{name}]: « {spelling} » is listed under both "
                        f"{lookup[key]} and {canonical}"
                    )
                lookup[key] = canonical
        tables[name] = ValueTable(name, lookup, labels)
    return tables


@lru_cache(maxsize=4)
def value_tables(path: Path = VALUE_TABLES_FILE) -> dict[str, ValueTable]:
    """All value tables of valeurs.toml (cached). ValueError when a spelling is ambiguous."""
    with open(path, "rb") as fh:
        return _build_tables(tomllib.load(fh))


def value_table(table: str) -> ValueTable:
    """One value table; KeyError for an unknown table name."""
    return value_tables()[table]


def category_labels(table: str) -> dict[str, str]:
    """Canonical value -> French label, in the table's order (for templates and displays)."""
    return dict(value_table(table).labels)


def canonical_set(value: object, table: str) -> frozenset[str]:
    """The canonical values of a stored multi-value cell ("insertion_pro;scolarite").
    Data is canonical once imported; a part that is a known spelling of the table (the
    referential typed by hand, a label chosen on a page) is read as its canonical value,
    anything else is kept as written."""
    if value is None or value != value:  # None or NaN
        return frozenset()
    lookup = value_table(table).lookup
    parts = (part.strip() for part in str(value).split(";"))
    return frozenset(lookup.get(normalise_key(part), part) for part in parts if part)
