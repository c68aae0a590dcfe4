"""Category labels matched word by word, so that a precision or a short sentence does not make
a known label unknown: « Famille d'accueil (AF) », « Arrêt à l'initiative du jeune », « Le
jeune a déménagé », « Présentiel principalement ».

Order of tries: the whole label (valeurs.toml, as before); the label without its text in
parentheses; then the longest spelling of the table whose every word is in the label (a
spelling slip tolerated on long words). Two spellings of different values equally long, or
a negation in the label that the spelling does not have (« non », « pas », « sans »), leave
the label unknown: a wrong value is worse than an unknown one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from domain.text import normalise_key
from domain.values import value_table
from pipelines.vocabulary import MISSING_KEYS, label_lists, prepare_text, same_word, stem

_FILLERS = frozenset(
    {
        *("de", "du", "des", "d", "le", "la", "les", "l", "un", "une", "au", "aux", "a"),
        *("et", "par", "pour", "sur", "son", "sa", "ses", "leur", "qu", "que", "est", "ete"),
        *("avec", "dans", "chez", "il", "elle", "se", "s", "y", "ou"),
    }
)
_NEGATIONS = frozenset({"non", "pas", "sans", "aucun", "aucune", "ni", "jamais", "ne", "n"})
_SHORT = 2  # a spelling this short never matches inside a longer label
MAX_LABEL = 200  # longer text is a comment, not a label: never read word by word
MIN_COVER = 3  # a spelling must make at least a third of the label's words


def _label_stem(word: str) -> str:
    """Stem of a label word; a noun in "-ment" meets its verb: « déménagement » and
    « a déménagé », « changement » and « changé »."""
    if len(word) > 7 and word.endswith("ment"):
        word = word[:-4]
    return stem(word)


_ABBREVIATED = re.compile(r"(\w+)\.")


def label_words(text: str) -> tuple[str, ...]:
    """The words of a label: lowercase, no accents, articles and prepositions dropped,
    abbreviations expanded, role words read as "jeune" / "mentor", stems (plural, final
    "e" and "-ment" dropped). A word abbreviated with a dot ends with "…"."""
    lists = label_lists()
    abbreviated = {normalise_key(w) for w in _ABBREVIATED.findall(text)}
    out: list[str] = []
    for word in normalise_key(text).split():
        if word in _FILLERS:
            continue
        expanded = lists.abbreviations.get(word)
        if expanded:
            out.extend(_label_stem(w) for w in expanded.split())
            continue
        word = lists.roles.get(word) or lists.roles.get(stem(word)) or word
        stemmed = _label_stem(word)
        stemmed = lists.equivalents.get(stemmed, stemmed)
        out.append(stemmed + "…" if word in abbreviated and len(word) >= 3 else stemmed)
    return tuple(out)


def _same(spelling_word: str, label_word: str) -> bool:
    if label_word.endswith("…"):
        return spelling_word.startswith(label_word[:-1])
    return same_word(spelling_word, label_word)


@lru_cache(maxsize=32)
def _spellings(
    table: str,
) -> tuple[tuple[tuple[str, ...], str, bool, frozenset[str]], ...]:
    """(words, canonical value, has a negation, first letters of the words) of every
    spelling of the table, longest first."""
    out = []
    for key, canonical in value_table(table).lookup.items():
        words = label_words(key)
        if words:
            negated = any(w in _NEGATIONS for w in words)
            out.append((words, canonical, negated, frozenset(w[:1] for w in words)))
    return tuple(sorted(out, key=lambda s: -len(s[0])))


def _contains(label: tuple[str, ...], words: tuple[str, ...]) -> bool:
    used: set[int] = set()
    for word in words:
        found = next((i for i, w in enumerate(label) if i not in used and _same(word, w)), None)
        if found is None:
            return False
        used.add(found)
    return True


def _by_words(label: tuple[str, ...], table: str) -> str | None:
    if not label:
        return None
    negated = any(w in _NEGATIONS for w in label)
    if negated:
        opposite = _opposite(label, table)
        if opposite is not None:
            return opposite
    # Two words are the same word only if they start alike (`_same`): a spelling with a
    # word whose first letter starts no word of the label cannot be contained in it.
    initials = None if "…" in label else frozenset(w[:1] for w in label)
    best_len, found = 0, set()
    for words, canonical, has_negation, firsts in _spellings(table):
        if len(words) < best_len:
            break
        if len(words) > len(label):
            continue  # each word of a spelling needs a word of its own in the label
        if initials is not None and not firsts <= initials:
            continue
        if len("".join(words)) <= _SHORT:
            continue  # « H », « FA »: the whole label or nothing (matched before)
        if negated and not has_negation:
            continue
        if len(words) * MIN_COVER < len(label):
            continue  # one word inside a sentence (« jeune » in a comment) says nothing
        if _contains(label, words):
            best_len = len(words)
            found.add(canonical)
    return found.pop() if len(found) == 1 else None


def _opposite(label: tuple[str, ...], table: str) -> str | None:
    """In a table of two values (favorable / défavorable, oui / non), « non favorable » is
    the other value: the label without its negation names one value, it means the other."""
    values = set(value_table(table).labels)
    if len(values) != 2:
        return None
    rest = tuple(w for w in label if w not in _NEGATIONS)
    named = _by_words(rest, table) if rest else None
    return next(iter(values - {named})) if named is not None else None


@lru_cache(maxsize=100_000)
def match_label(text: str, table: str) -> str | None:
    """The canonical value of `table` a label means, or None when unknown (or empty)."""
    lookup = value_table(table).lookup
    key = normalise_key(text)
    if key in lookup:
        return lookup[key]
    if key in MISSING_KEYS or len(text) > MAX_LABEL:
        return None
    main, hint = prepare_text(text)
    if main in lookup:
        return lookup[main]
    found = _by_words(label_words(main), table)
    if found is None and hint and not main:
        found = _by_words(label_words(hint), table)
    if found is None and hint and main:
        # « Placement (AEMO) »: the precision alone says what the label means.
        found = lookup.get(hint) or _by_words(label_words(hint), table)
    return found
