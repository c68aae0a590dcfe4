"""Matching keys and text hygiene, the same for every package.

`normalise_key` is how a header, a label or a name is compared (case, accents, ligatures and
punctuation do not count). `one_line` is how a name typed or given by a file is stored:
invisible and bidirectional characters dropped (they can make a name read backwards on
screen), control characters (NUL included: PostgreSQL refuses it in text) as spaces,
whitespace collapsed — so a value means the same on every database and shows as it reads.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = [chr(c) for c in (*range(32), *range(127, 160))]
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Invisible and bidirectional characters dropped, control characters as spaces.
CLEAN = str.maketrans(dict.fromkeys(INVISIBLE + BIDI_CONTROLS, None) | dict.fromkeys(CONTROLS, " "))

_LOWER_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l"})
_NON_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=100_000)
def normalise_key(text: str) -> str:
    """Matching key of a label or a header: lowercase, œ -> oe, æ -> ae, no accents, every
    run of non-alphanumeric characters -> one space, trimmed. "Famille d'accueil" ->
    "famille d accueil", "Date de naissance (JJ/MM/AAAA)" -> "date de naissance jj mm aaaa"."""
    text = text.lower().translate(_LOWER_LIGATURES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", text).strip()


def one_line(text: str) -> str:
    """A name typed or given by a file (association, file name, user), as stored."""
    return " ".join(text.translate(CLEAN).split())
