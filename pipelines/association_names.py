"""Whose export is it? What a file says of its association: a column holding one name, a
known association named in its title rows, or in its file name.

Each place that names an association is a piece of *evidence*; the association is certain
only when every piece names the same one. Names are compared on their matching keys
(`domain.text.normalise_key`): a title row or a file name names an association by its
whole name (« ÉLAN JEUNESSE — Mentorat ASE Nord » names « Élan Jeunesse ») or by a word
only that association's name holds (`HORIZON_extraction_decembre.xlsx` names « Horizon Mentorat »,
`batisseurs_export.csv` names « Les Bâtisseurs »). Words that many names share or that
exports are full of (« association », « mentorat », « jeunes », « nord »…) never name one
on their own; nor do words of fewer than four letters, nor numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from domain.text import normalise_key

# Words too common in association names, titles and file names to name one on their own.
_COMMON = """
association associations asso assoc mentorat mentor mentors mentore mentores parrainage
parrain parrains marraine marraines jeune jeunes jeunesse enfance enfant enfants famille
familles ase aide sociale solidaire solidarite solidarites reseau ensemble accompagnement
avenir nord sud est ouest france departement departemental departementale metropole
export extraction extrait fichier suivi liste tableau donnees base binome binomes
mensuel mensuelle annuel annuelle janvier fevrier mars avril mai juin juillet aout
septembre octobre novembre decembre projet programme antenne antennes service services
pour avec dans chez des les une aux sur par
"""
COMMON_WORDS = frozenset(_COMMON.split())
MIN_WORD = 4

COLUMN = "colonne"
TITLE = "titre"
FILE_NAME = "nom du fichier"
ORIGIN_LABELS = {
    COLUMN: "la colonne « Association » du fichier",
    TITLE: "le titre du fichier",
    FILE_NAME: "le nom du fichier",
}


@dataclass(frozen=True)
class Evidence:
    """One place of the file that names an association (as the referential spells it when
    known)."""

    name: str
    origin: str  # COLUMN, TITLE or FILE_NAME

    @property
    def said(self) -> str:
        """« le nom du fichier » etc., for French messages."""
        return ORIGIN_LABELS[self.origin]


def _stem(word: str) -> str:
    """A word without its plural mark: « batisseurs » and « batisseur » compare equal."""
    return word[:-1] if len(word) > MIN_WORD and word[-1] in "sx" else word


def _words(key: str) -> set[str]:
    return {_stem(w) for w in key.split()}


def distinctive_words(known: dict[str, str]) -> dict[str, frozenset[str]]:
    """Known association key → the words of its name that no other known name holds and
    that are not common words: any one of them names the association in a file name."""
    words = {
        cle: {w for w in _words(cle) if len(w) >= MIN_WORD and not w.isdigit()}
        - {_stem(c) for c in COMMON_WORDS}
        for cle in known
    }
    out = {}
    for cle, own in words.items():
        others = set().union(*(w for k, w in words.items() if k != cle))
        out[cle] = frozenset(own - others)
    return out


def named_in(text: str, known: dict[str, str]) -> list[str]:
    """The known associations `text` names (as the referential spells them), by their
    whole name or by one of their distinctive words."""
    key = normalise_key(text)
    if not key:
        return []
    padded = f" {key} "
    words = _words(key)
    distinct = distinctive_words(known)
    return [
        nom
        for cle, nom in known.items()
        if (cle and f" {cle} " in padded) or distinct.get(cle, frozenset()) & words
    ]


def evidence(
    column_values: Iterable[object],
    title_lines: Iterable[str],
    filename: str,
    known: dict[str, str],
) -> list[Evidence]:
    """Every place of the file that names one association: its association column when it
    holds a single name (spelt as the referential does when known), the title rows and the
    file name when exactly one known association is named there."""
    out: list[Evidence] = []
    values = {normalise_key(str(v)): " ".join(str(v).split()) for v in column_values}
    values.pop("", None)
    if len(values) == 1:
        ((key, value),) = values.items()
        out.append(Evidence(known.get(key, value), COLUMN))
    titles = named_in(" \n ".join(title_lines), known)
    if len(titles) == 1:
        out.append(Evidence(titles[0], TITLE))
    names = named_in(Path(filename).stem, known)
    if len(names) == 1:
        out.append(Evidence(names[0], FILE_NAME))
    return out


def settled(found: list[Evidence]) -> Evidence | None:
    """The association when every piece of evidence names the same one, else None (none
    found, or two names: the user is asked)."""
    names = {normalise_key(e.name) for e in found}
    return found[0] if len(names) == 1 else None
