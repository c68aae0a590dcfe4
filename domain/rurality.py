"""INSEE's grille communale de densité: the seven levels, the three classes, rural.

INSEE classes every commune in one of seven levels by how its population spreads over
1 km² squares. Since 2020 INSEE calls a commune **rural** when its level is 5, 6 or 7;
levels 1 to 4 are urban. The seven levels group into three classes: dense (1),
intermédiaire (2, 3, 4) and rural (5, 6, 7). The level of each commune is in the referential
(`niveau_densite`, built by scripts/build_communes.py from the edition named in
data/referentiels/grille_densite.json); the density in inhabitants per km² stays a figure
and never decides the class.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

EDITION_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "referentiels" / "grille_densite.json"
)

LEVELS = {
    1: "Grands centres urbains",
    2: "Centres urbains intermédiaires",
    3: "Ceintures urbaines",
    4: "Petites villes",
    5: "Bourgs ruraux",
    6: "Rural à habitat dispersé",
    7: "Rural à habitat très dispersé",
}
RURAL_LEVELS = frozenset({5, 6, 7})

# The three classes of the grid, in order, with their French labels.
GRID_CLASSES = {"dense": "Dense", "intermediaire": "Intermédiaire", "rural": "Rural"}
_CLASS_OF_LEVEL = {1: "dense", 2: "intermediaire", 3: "intermediaire", 4: "intermediaire"}
_CLASS_OF_LEVEL |= dict.fromkeys(RURAL_LEVELS, "rural")


def grid_class(level) -> str | None:
    """« dense », « intermediaire » or « rural » for a level 1-7; None otherwise."""
    try:
        return _CLASS_OF_LEVEL.get(int(level))
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1)
def edition() -> int | None:
    """The edition (year of its geography) of the grid in the referential."""
    try:
        return int(json.loads(EDITION_FILE.read_text(encoding="utf-8"))["edition"])
    except (OSError, ValueError, KeyError):
        return None


def definition() -> str:
    """The rule in one French sentence, with the edition, for the foot of a chart."""
    named = f", édition {edition()}" if edition() else ""
    return (
        f"Classes de la grille communale de densité de l'INSEE{named} : dense (niveau 1, "
        "grands centres urbains), intermédiaire (niveaux 2 à 4 : centres urbains "
        "intermédiaires, ceintures urbaines, petites villes) et rurale (niveaux 5 à 7 : "
        "bourgs ruraux, rural à habitat dispersé ou très dispersé). Une commune est rurale "
        "quand son niveau est 5, 6 ou 7 (définition de l'INSEE) ; la densité en habitants "
        "par km² n'entre pas dans la classe."
    )
