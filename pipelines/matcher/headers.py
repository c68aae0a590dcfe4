"""What a header says: a score per canonical field, from the concepts of the vocabulary.

A concept matches when each of its words is found in the header (a spelling slip tolerated
on long words); the header's other words lower the score (0.25 each) unless they are context
("mentorat", "binôme"…). Role words decide between the youth's and the mentor's fields; a
doubtful word ("prévue", "dernier") caps the score below the certainty threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from domain.schema import FIELDS, FieldType, Kind
from pipelines.vocabulary import (
    Concept,
    Words,
    concepts,
    read_words,
    same_word,
    word_lists,
)

EXTRA_WORD_COST = 0.25
HINT_ONLY_COST = 0.15
DOUBT_CAP = 0.5
NOT_A_DATE_FACTOR = 0.6  # the header says "date" but the field holds none
UNSTATED_MENTOR_FACTOR = 0.6  # "Nom" in a file that has youths: the youth's, most likely
# A header that is only a role word ("Bénéficiaire", "Mentor"): a full name or a last name,
# as likely as each other until the cells tell (one word or several).
ROLE_ONLY_FULL_NAME = 0.75
ROLE_ONLY_NAME = 0.75
YOUTH_KINDS = (Kind.ASSOCIATION, Kind.FICHE_CD)
_NAME_FIELDS = {
    "jeune": ("nom_prenom", "nom"),
    "mentor": ("nom_prenom_mentor", "nom_mentor"),
}


def expects_date(kind: Kind, name: str) -> bool:
    """Whether the field holds dates (the mentor's birth date is read as identity text)."""
    for f in FIELDS[kind]:
        if f.name == name:
            return f.type in (FieldType.DATE, FieldType.IDENTITY_DATE) or name.startswith(
                "date_naissance"
            )
    return False


MAX_HEADER = 200  # characters read of a header (a real one is far shorter; a hostile one is not)
SPECIFICITY = 0.04  # per concept word beyond the first, and for a role the header states


@dataclass(frozen=True)
class HeaderScore:
    score: float
    own: bool  # matched a concept only this kind has (e.g. « Date de réception » = fiche)
    specificity: float = 0.0  # breaks ties: « Nom de famille du jeune » over « Nom »
    doubt: bool = False  # a doubtful word ("prévue") on a field that holds dates


def _match(concept: tuple[str, ...], words: Words) -> tuple[set[int], bool] | None:
    """Positions of the header words used by the concept (main first, then hint), and
    whether some concept word was found in the hint only; None when a word is missing."""
    used: set[int] = set()
    in_hint = False
    pool = words.all
    for word in concept:
        found = next(
            (i for i, w in enumerate(pool) if i not in used and same_word(word, w)),
            None,
        )
        if found is None:
            return None
        used.add(found)
        in_hint = in_hint or found >= len(words.main)
    return used, in_hint


def _concept_score(
    concept: Concept, words: Words, roles: frozenset[str], extra_ok: frozenset[str]
) -> float:
    if not concept.roles <= roles:
        return 0.0
    matched = _match(concept.words, words)
    if matched is None:
        return 0.0
    used, in_hint = matched
    context = word_lists().context | extra_ok
    extra = [w for i, w in enumerate(words.main) if i not in used and w not in context]
    return max(0.0, 1.0 - EXTRA_WORD_COST * len(extra) - (HINT_ONLY_COST if in_hint else 0.0))


def _role_factor(field_role: str | None, roles: frozenset[str], kind: Kind) -> float:
    if field_role is None:
        return 1.0
    if "pro" in roles:
        return 0.0  # "Nom du référent" is nobody's identity here
    other = "mentor" if field_role == "jeune" else "jeune"
    if other in roles and field_role not in roles:
        return 0.0
    if field_role == "mentor" and "mentor" not in roles and kind in YOUTH_KINDS:
        return UNSTATED_MENTOR_FACTOR
    return 1.0


@lru_cache(maxsize=1)
def _concept_words() -> dict[str, frozenset[str]]:
    """Every word of every concept of every kind, by first letter."""
    by_letter: dict[str, set[str]] = {}
    for kind in Kind:
        for field_concepts in concepts(kind).by_field.values():
            for concept in field_concepts:
                for word in concept.words:
                    by_letter.setdefault(word[:1], set()).add(word)
    return {letter: frozenset(words) for letter, words in by_letter.items()}


def could_name_a_field(text: str) -> bool:
    """A quick test before `header_scores`: some word of the text is (or is a slip of) a
    concept word, or the text is a role word alone ("Mentor")."""
    words = read_words(text[:MAX_HEADER])
    if not words.all:
        return bool(words.roles & {"jeune", "mentor"})
    known = _concept_words()
    return any(
        w in known.get(w[:1], ()) or any(same_word(w, c) for c in known.get(w[:1], ()))
        for w in words.all
    )


@lru_cache(maxsize=20_000)
def header_scores(text: str, kind: Kind, group: str = "") -> dict[str, HeaderScore]:
    """Score (0-1) of every field of `kind` the header may name; fields scoring 0 left out.
    `group`: the merged cell above the header, if any ("Mentor" over "Nom", "Prénom")."""
    words = read_words(text[:MAX_HEADER])
    roles = words.roles | (read_words(group[:MAX_HEADER]).roles if group else frozenset())
    known = concepts(kind)
    out: dict[str, HeaderScore] = {}
    # A role word alone, or with neutral words only (« Mentor » under a « Parcours » group,
    # « Bénévole associé »): the person's name, full or not, as the cells will tell.
    neutral = word_lists().context
    if (
        roles & {"jeune", "mentor"}
        and all(w in neutral for w in words.all)
        and (not words.all or not words.says_date)
    ):
        role = "mentor" if "mentor" in roles and "jeune" not in roles else "jeune"
        if kind not in YOUTH_KINDS:
            role = "mentor"
        full, single = _NAME_FIELDS[role]
        names = {f.name for f in FIELDS[kind]}
        if full in names:
            out[full] = HeaderScore(ROLE_ONLY_FULL_NAME, False)
        if single in names:
            out[single] = HeaderScore(ROLE_ONLY_NAME, False)
        return out
    pro_ok = frozenset(word_lists().roles) if "pro" in roles else frozenset()
    doubt_words = word_lists().doubt if words.doubt else frozenset()
    for name, field_concepts in known.by_field.items():
        best, own, size, used = 0.0, False, 0, frozenset()
        extra_ok = pro_ok if name == "initiateur" else frozenset()
        for concept in field_concepts:
            score = _concept_score(concept, words, roles, extra_ok)
            if "pro" in roles and name != "initiateur" and known.roles.get(name) is None:
                score = max(0.0, score - EXTRA_WORD_COST)
            mine = (name, concept) in known.own
            if score > best or (
                score == best
                and score > 0
                and (mine, len(concept.words))
                > (
                    own,
                    size,
                )
            ):
                best, own, size = score, mine, len(concept.words)
                used = frozenset(concept.words)
        if best <= 0:
            continue
        field_role = known.roles.get(name)
        best *= _role_factor(field_role, roles, kind)
        dated = expects_date(kind, name)
        if words.says_date and not dated:
            best *= NOT_A_DATE_FACTOR
        # A doubtful word the field's own concept names (« dernière » in « dernière
        # rencontre ») says what the column is, not that its date is uncertain.
        doubt = dated and any(w in doubt_words and w not in used for w in words.main)
        if doubt:
            best = min(best, DOUBT_CAP)
        if best > 0:
            specificity = SPECIFICITY * (size - 1) + (
                SPECIFICITY if field_role is not None and field_role in roles else 0.0
            )
            out[name] = HeaderScore(round(best, 3), own, specificity, doubt)
    return out
