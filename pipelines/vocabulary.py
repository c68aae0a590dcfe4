"""The matcher's vocabulary (pipelines/mappings/vocabulaire.toml) and the text of headers and
labels read as words.

`words(text)` is the one reading of a header, a concept or a label: lowercase, no accents,
inclusive endings removed ("mentor·e", "filleul(e)", "éducateur/trice"), abbreviations
expanded, and every word reduced to a stem (plural and final "e" dropped), so that "Date de
signature des conventions" and "convention signée" share the words they mean.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

from domain.schema import FIELDS, Kind
from domain.text import normalise_key

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
VOCABULARY_FILE = MAPPINGS_DIR / "vocabulaire.toml"

# What people type in a cell to say "nothing" (compared on normalise_key): empty, without
# error. A value table is looked up first, so "néant" still means `favorable` for `resultat`.
MISSING_KEYS = frozenset(
    {
        "",
        "na",
        "n a",
        "nc",
        "n c",
        "nr",
        "n r",
        "nd",
        "n d",
        "s o",
        "sans objet",
        "non renseigne",
        "non renseignee",
        "non communique",
        "non communiquee",
        "inconnu",
        "inconnue",
        "neant",
        "nan",
        "none",
        "null",
        "nat",
    }
)

_INCLUSIVE_DOT = re.compile(
    r"(\w)\s*[·•∙‧⋅]\s*(es|e|s|nes|ne|rices|rice|trices|trice|euses|euse|le|les|x)\b"
)
_INCLUSIVE_POINT = re.compile(r"(\w)\.(es|e|nes|ne|rice|trice|euse)\b")
_INCLUSIVE_PAREN = re.compile(r"\(\s*(es|e|s|nes|ne|rices|rice|trices|trice|euses|euse|le|x)\s*\)")
_INCLUSIVE_SLASH = re.compile(r"(\w)/(e|es|rice|trice|euse|ne)\b")
_NUMBER_SIGN = re.compile(r"\b(n|no|num)\s*[°º]\s*|[°º]")
_BRACKETS = re.compile(r"[(\[]([^)\]]*)[)\]]")
_CD_NUMBER = re.compile(r"^cd\d{2,3}$")


def stem(word: str) -> str:
    """Plural and final "e" dropped: "signées", "signée" and "signé" all give "sign"."""
    if len(word) <= 3 or word.isdigit():
        return word
    while len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    while len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def same_word(a: str, b: str) -> bool:
    """Equal stems, or a spelling slip on a long word (same first letter, one edit — two
    from nine letters on; a swap of two letters is one edit)."""
    if a == b:
        return True
    if len(a) < 5 or len(b) < 5 or a[0] != b[0]:
        return False
    limit = 2 if min(len(a), len(b)) >= 9 else 1
    return OSA.distance(a, b, score_cutoff=limit) <= limit


@dataclass(frozen=True)
class WordLists:
    """The [mots] and [abreviations] sections, read once."""

    fillers: frozenset[str]
    date_words: frozenset[str]
    context: frozenset[str]
    doubt: frozenset[str]
    roles: dict[str, str]  # word or stem -> "jeune" | "mentor" | "pro"
    phrases: tuple[tuple[str, str], ...]  # (normalised phrase, replacement), longest first


@lru_cache(maxsize=1)
def _raw(path: Path = VOCABULARY_FILE) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _stems(words: list[str]) -> frozenset[str]:
    return frozenset(stem(normalise_key(w)) for w in words)


def _word_set(name: str) -> frozenset[str]:
    words = [normalise_key(w) for w in _raw()["mots"][name]]
    return frozenset(words) | frozenset(stem(w) for w in words)


@lru_cache(maxsize=1)
def pending_words() -> tuple[frozenset[str], frozenset[str]]:
    """The [mots] en_attente and en_attente_avec lists (normalised, with their stems)."""
    return _word_set("en_attente"), _word_set("en_attente_avec")


def says_pending(key: str, dateish: frozenset[str] = frozenset()) -> bool:
    """Whether a date cell's text (normalised: `normalise_key`) gives no date: a word of
    `en_attente` and nothing else than such words, words of `en_attente_avec`, fillers,
    numbers and the words of a date (`dateish`: month names); or, with no digit at all,
    only words of `en_attente_avec` (« demandé », « reçu »: done, its day not written)."""
    pending, beside = pending_words()
    fillers = word_lists().fillers
    words = key.split()
    # « demandé », « reçu », « transmis » with no date at all: done, its day not written.
    found = bool(words) and not any(c.isdigit() for c in key)
    found = found and all(w in beside or stem(w) in beside or w in fillers for w in words)
    for word in words:
        if word in pending or stem(word) in pending:
            found = True
        elif not (
            word.isdigit()
            or word in fillers
            or word in dateish
            or word == "er"
            or word in beside
            or stem(word) in beside
        ):
            return False
    return found


@lru_cache(maxsize=1)
def total_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """The [mots] totaux list: its one-word entries, and its phrases (normalised)."""
    words = [normalise_key(w) for w in _raw()["mots"]["totaux"]]
    return frozenset(w for w in words if " " not in w), tuple(w for w in words if " " in w)


@lru_cache(maxsize=1)
def word_lists() -> WordLists:
    raw = _raw()
    mots = raw["mots"]
    roles: dict[str, str] = {}
    for role, key in (("jeune", "jeune"), ("mentor", "mentor"), ("pro", "professionnel")):
        for w in mots[key]:
            word = normalise_key(w)
            roles[word] = role  # "mentore" (the youth) before its stem "mentor"
    for word, role in list(roles.items()):
        roles.setdefault(stem(word), role)
    phrases = sorted(
        ((normalise_key(k), normalise_key(v)) for k, v in raw["abreviations"].items()),
        key=lambda kv: -len(kv[0]),
    )
    return WordLists(
        fillers=frozenset(normalise_key(w) for w in mots["vides"]),
        date_words=frozenset(normalise_key(w) for w in mots["dates"]),
        context=_stems(mots["contexte"]),
        doubt=_stems(mots["doute"]),
        roles=roles,
        phrases=tuple(phrases),
    )


@dataclass(frozen=True)
class LabelLists:
    """The [libelles] section: how category labels are read (pipelines/matcher/labels)."""

    abbreviations: dict[str, str]  # word -> its meaning (words)
    equivalents: dict[str, str]  # stem -> the stem it stands for
    roles: dict[str, str]  # role word (or stem) -> "jeune" | "mentor"


@lru_cache(maxsize=1)
def label_lists() -> LabelLists:
    raw = _raw()
    section = raw.get("libelles", {})
    roles: dict[str, str] = {}
    for role in ("jeune", "mentor"):
        for w in raw["mots"][role]:
            roles[normalise_key(w)] = role
    for word, role in list(roles.items()):
        roles.setdefault(stem(word), role)
    return LabelLists(
        abbreviations={
            normalise_key(k): normalise_key(v) for k, v in section.get("abreviations", {}).items()
        },
        equivalents={
            stem(normalise_key(k)): stem(normalise_key(v))
            for k, v in section.get("equivalents", {}).items()
        },
        roles=roles,
    )


def _replace_phrases(text: str, phrases: tuple[tuple[str, str], ...]) -> str:
    padded = f" {text} "
    for phrase, meaning in phrases:
        if f" {phrase} " in padded:
            padded = padded.replace(f" {phrase} ", f" {meaning} ")
    return " ".join(padded.split())


def prepare_text(text: str) -> tuple[str, str]:
    """(main text, hint text): inclusive endings removed, "n°" read as "numero", the text in
    parentheses or brackets set apart as a hint, both lowercase without accents."""
    text = text.lower()
    text = _NUMBER_SIGN.sub(" numero ", text)
    text = _INCLUSIVE_PAREN.sub("", text)
    text = _INCLUSIVE_DOT.sub(r"\1", text)
    text = _INCLUSIVE_POINT.sub(r"\1", text)
    text = _INCLUSIVE_SLASH.sub(r"\1", text)
    hints = " ".join(_BRACKETS.findall(text))
    main = _BRACKETS.sub(" ", text)
    return normalise_key(main), normalise_key(hints)


@dataclass(frozen=True)
class Words:
    """A text read as words."""

    main: tuple[str, ...]  # stems of the words that carry meaning
    hint: tuple[str, ...]  # stems of the words in parentheses
    roles: frozenset[str]  # "jeune", "mentor", "pro"
    says_date: bool  # "date", "jour", or a final "le" ("inscrit le")
    doubt: bool  # "prévue", "dernier", "relance"…

    @property
    def all(self) -> tuple[str, ...]:
        return self.main + self.hint


@lru_cache(maxsize=50_000)
def read_words(text: str, plain: bool = False) -> Words:
    """The words of a header; with `plain` (concepts, labels) role words stay words."""
    lists = word_lists()
    main_text, hint_text = prepare_text(text)
    raw_main = main_text.split()
    says_date = bool(raw_main) and raw_main[-1] in ("le", "depuis")
    roles: set[str] = set()
    doubt = False
    parts: list[list[str]] = []
    for is_main, part in ((True, main_text), (False, hint_text)):
        kept: list[str] = []
        for token in _replace_phrases(part, lists.phrases).split():
            if _CD_NUMBER.match(token):
                token = "departement"
            if token in lists.date_words:
                says_date = True
                continue
            if token in lists.fillers:
                continue
            stemmed = stem(token)
            if not plain:
                role = lists.roles.get(token) or lists.roles.get(stemmed)
                if role is not None:
                    roles.add(role)
                    continue
                doubt = doubt or (is_main and stemmed in lists.doubt)
            kept.append(stemmed)
        parts.append(kept)
    return Words(tuple(parts[0]), tuple(parts[1]), frozenset(roles), says_date, doubt)


@dataclass(frozen=True)
class Concept:
    words: tuple[str, ...]  # all must be in the header
    roles: frozenset[str]  # role words the concept names ("association du mentor"): needed too


@dataclass(frozen=True)
class Concepts:
    by_field: dict[str, tuple[Concept, ...]]  # field -> its concepts
    own: frozenset[tuple[str, Concept]]  # (field, concept) that only this kind has
    roles: dict[str, str]  # field -> "jeune" | "mentor"


def _concept(text: str) -> Concept | None:
    words = read_words(text)
    return Concept(words.all, words.roles) if words.all else None


@lru_cache(maxsize=8)
def concepts(kind: Kind) -> Concepts:
    """The concepts of each field of `kind`: the shared list, the kind's own list, and the
    headers of synonymes.toml for that kind (each read as words)."""
    raw = _raw()["champs"]
    exact: dict[str, list[str]] = {}
    for header, name in synonyms()[kind].items():
        exact.setdefault(name, []).append(header)
    by_field: dict[str, tuple[Concept, ...]] = {}
    own: set[tuple[str, Concept]] = set()
    roles: dict[str, str] = {}
    for f in FIELDS[kind]:
        spec = raw.get(f.name, {})
        if "role" in spec:
            roles[f.name] = spec["role"]
        mine = [_concept(t) for t in spec.get(kind.value, [])]
        shared = [_concept(t) for t in spec.get("concepts", [])]
        known = [_concept(t) for t in exact.get(f.name, [])]
        by_field[f.name] = tuple(dict.fromkeys(c for c in [*shared, *mine, *known] if c))
        own.update((f.name, c) for c in mine if c)
    return Concepts(by_field, frozenset(own), roles)


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
