"""The demo's geography: Nord communes, CD territories, fictional associations and homes.

Communes are real (the communes referential); associations, antennes and establishments
are fictional. Territories are the CD's eight *directions territoriales*, derived from the
commune's EPCI (the Métropole is split between Lille and Roubaix-Tourcoing by distance).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

COMMUNES_CSV = Path(__file__).resolve().parents[1] / "data" / "referentiels" / "communes.csv.gz"
DEPARTEMENT = "59"

METROPOLE_LILLE = "Métropole Lille"
ROUBAIX_TOURCOING = "Métropole Roubaix-Tourcoing"
FLANDRE_MARITIME = "Flandre maritime"
FLANDRE_INTERIEURE = "Flandre intérieure"
DOUAISIS = "Douaisis"
VALENCIENNOIS = "Valenciennois"
CAMBRESIS = "Cambrésis"
AVESNOIS = "Avesnois"

# Words of an EPCI name -> territory; the first match wins.
_EPCI_TERRITORY = [
    ("Pévèle", METROPOLE_LILLE),
    ("Flandre Lys", FLANDRE_INTERIEURE),
    ("Cœur de Flandre", FLANDRE_INTERIEURE),
    ("Dunkerque", FLANDRE_MARITIME),
    ("Hauts de Flandre", FLANDRE_MARITIME),
    ("Douaisis", DOUAISIS),
    ("Ostrevent", DOUAISIS),
    ("Valenciennes", VALENCIENNOIS),
    ("Porte du Hainaut", VALENCIENNOIS),
    ("Cambrai", CAMBRESIS),
    ("Caudrésis", CAMBRESIS),
    ("Solesmois", CAMBRESIS),
    ("Maubeuge", AVESNOIS),
    ("Mormal", AVESNOIS),
    ("Avesnois", AVESNOIS),
]
# Anchor communes (INSEE) of each territory, for the Métropole split and as a fallback.
_ANCHORS = {
    METROPOLE_LILLE: ["59350"],
    ROUBAIX_TOURCOING: ["59512", "59599"],
    FLANDRE_MARITIME: ["59183"],
    FLANDRE_INTERIEURE: ["59295", "59400"],
    DOUAISIS: ["59178"],
    VALENCIENNOIS: ["59606", "59172"],
    CAMBRESIS: ["59122"],
    AVESNOIS: ["59392", "59249"],
}


@dataclass(frozen=True)
class Antenne:
    nom: str
    commune_insee: str


@dataclass(frozen=True)
class Association:
    key: str  # short name used for the layout and file names
    nom: str
    capacite: int
    territoires: dict[str, float]  # territory -> weight of this association there
    antennes: tuple[Antenne, ...]
    objectifs: tuple[str, ...]
    modalites: tuple[str, ...]


ASSOCIATIONS = (
    Association(
        "envol",
        "Envol Mentorat Nord",
        300,
        {METROPOLE_LILLE: 1.0, ROUBAIX_TOURCOING: 1.0, DOUAISIS: 0.5},
        (Antenne("Siège de Lille", "59350"), Antenne("Antenne de Roubaix", "59512")),
        ("scolarite", "orientation", "insertion_pro", "ouverture_socio_culturelle"),
        ("presentiel", "distanciel", "mixte"),
    ),
    Association(
        "ailes",
        "Les Ailes du Possible",
        220,
        {FLANDRE_MARITIME: 1.0, FLANDRE_INTERIEURE: 1.0, METROPOLE_LILLE: 0.2},
        (Antenne("Siège de Dunkerque", "59183"), Antenne("MECS Les Tilleuls", "59400")),
        ("scolarite", "orientation", "ouverture_socio_culturelle"),
        ("presentiel", "mixte"),
    ),
    Association(
        "tremplin",
        "Tremplin Avenir 59",
        160,
        {VALENCIENNOIS: 1.0, DOUAISIS: 0.5, CAMBRESIS: 0.6},
        (Antenne("Siège de Valenciennes", "59606"),),
        ("orientation", "insertion_pro"),
        ("presentiel", "distanciel", "mixte"),
    ),
    Association(
        "boussole",
        "La Boussole Mentorat",
        90,
        {AVESNOIS: 1.0, CAMBRESIS: 0.4},
        (Antenne("Siège de Maubeuge", "59392"),),
        ("scolarite", "orientation", "ouverture_socio_culturelle", "autre"),
        ("presentiel", "distanciel", "mixte"),
    ),
)
BY_KEY = {a.key: a for a in ASSOCIATIONS}

# The guide's rural antenne: a MECS whose educators run weekly sessions with an association.
TILLEULS = "MECS Les Tilleuls"
TILLEULS_ASSOCIATION = "ailes"

# Fictional establishments (MECS, foyers, lieux de vie) in real communes.
ETABLISSEMENTS = [
    (TILLEULS, "59400"),
    ("Foyer de l'enfance de Lille", "59350"),
    ("MECS La Passerelle", "59512"),
    ("MECS Les Glycines", "59599"),
    ("Maison d'enfants Le Phare", "59183"),
    ("MECS L'Escale", "59094"),
    ("Maison d'enfants Les Hirondelles", "59249"),
    ("Lieu de vie La Clairière", "59525"),
    ("MECS Les Peupliers", "59606"),
    ("Foyer Le Cèdre", "59172"),
    ("MECS Les Marronniers", "59122"),
    ("Maison d'enfants La Roseraie", "59571"),
    ("MECS Les Acacias", "59178"),
    ("MECS Le Moulin", "59580"),
    ("Foyer Les Saules", "59392"),
    ("MECS Les Érables", "59331"),
]


@lru_cache(maxsize=2)
def nord_communes() -> pd.DataFrame:
    """Nord communes from the referential, with a `territoire` column added."""
    try:
        from pipelines.communes import load_communes
    except ImportError:  # the loader is not there yet: read the file with the same contract
        frame = pd.read_csv(COMMUNES_CSV, dtype=str, keep_default_na=False)
    else:
        frame = load_communes()
    frame = frame[frame["departement"].astype(str) == DEPARTEMENT].copy()
    frame["insee"] = frame["insee"].astype(str)
    frame["population"] = pd.to_numeric(frame["population"]).astype(int)
    frame["latitude"] = pd.to_numeric(frame["latitude"]).astype(float)
    frame["longitude"] = pd.to_numeric(frame["longitude"]).astype(float)
    frame["codes_postaux"] = frame["codes_postaux"].fillna("").astype(str)
    frame["epci_nom"] = frame["epci_nom"].fillna("").astype(str)
    frame = frame.sort_values("insee").reset_index(drop=True)
    position = {row.insee: (row.latitude, row.longitude) for row in frame.itertuples(index=False)}

    def nearest(insee: str, territories: list[str]) -> str:
        lat, lon = position[insee]
        return min(
            territories,
            key=lambda t: min(
                math.hypot(lat - position[a][0], (lon - position[a][1]) * 0.66) for a in _ANCHORS[t]
            ),
        )

    def territory(row) -> str:
        if "Lille" in row.epci_nom:
            return nearest(row.insee, [METROPOLE_LILLE, ROUBAIX_TOURCOING])
        for word, name in _EPCI_TERRITORY:
            if word in row.epci_nom:
                return name
        return nearest(row.insee, list(_ANCHORS))

    frame["territoire"] = [territory(row) for row in frame.itertuples(index=False)]
    return frame


class Geography:
    """Draws communes and associations; all randomness comes from the caller's rng."""

    def __init__(self, communes: pd.DataFrame) -> None:
        self.communes = communes
        self.by_insee = {r.insee: r for r in communes.itertuples(index=False)}
        self._pool: dict[str, tuple[list[str], list[int]]] = {}
        for classe in ("rural", "urbain"):
            part = communes[communes["classe"] == classe]
            self._pool[classe] = (list(part["insee"]), list(part["population"]))
        self.etablissements_by_territory: dict[str, list[tuple[str, str]]] = {}
        for name, insee in ETABLISSEMENTS:
            if name == TILLEULS or insee not in self.by_insee:
                continue
            terr = self.by_insee[insee].territoire
            self.etablissements_by_territory.setdefault(terr, []).append((name, insee))

    def draw_commune(self, rng: random.Random, rural_share: float) -> str:
        classe = "rural" if rng.random() < rural_share else "urbain"
        codes, weights = self._pool[classe]
        return rng.choices(codes, weights)[0]

    def territory(self, insee: str) -> str:
        return self.by_insee[insee].territoire

    def is_rural(self, insee: str) -> bool:
        return self.by_insee[insee].classe == "rural"

    def draw_association(
        self, rng: random.Random, territory: str, exclude: str | None = None
    ) -> str:
        candidates = [
            (a.key, a.capacite * a.territoires[territory])
            for a in ASSOCIATIONS
            if territory in a.territoires and a.key != exclude
        ]
        if not candidates:  # moved out of every territory the others cover
            candidates = [(a.key, a.capacite) for a in ASSOCIATIONS if a.key != exclude]
        keys, weights = zip(*candidates, strict=True)
        return rng.choices(keys, weights)[0]

    def draw_etablissement(self, rng: random.Random, territory: str) -> tuple[str, str] | None:
        options = self.etablissements_by_territory.get(territory)
        return rng.choice(options) if options else None

    def postcode(self, insee: str) -> str:
        return self.by_insee[insee].codes_postaux.split(";")[0]

    def name(self, insee: str) -> str:
        return self.by_insee[insee].nom

    def served_communes(self, association: Association) -> list[str]:
        mask = self.communes["territoire"].isin(list(association.territoires))
        return list(self.communes.loc[mask, "insee"])
