"""Rural coverage (docs/domaine.md, « Indicateurs »): the cohort by the class of the youth's
commune, and where youths wait far from any antenne.

Choices:
- cohort = parcours whose `date_inscription` falls in the period (with or without
  association); démarrage = `date_debut` ≤ au;
- `part_presentiel` counts `presentiel` only, over the démarrages whose modalité is known;
  `mixte` (in person and remote) is reported apart in `part_mixte`, so that "in person" keeps
  one meaning;
- `delai_avant_demarrage`: median days inscription → démarrage over the démarrages (negative
  delays, dates out of order, are left out);
- distances: straight line from the youth's commune to the nearest antenne of any
  association (`indicators.geo`); `distance_mediane_km` is a median over youths, not
  communes;
- a parcours without commune, or whose commune has no class, is "inconnu", kept apart.
Shares are fractions rounded to 4; NaN in frames, None in `territories_json`, when there
is nothing to divide. Small counts are not hidden here: the page hides them for viewers
outside the CD's team.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import numpy as np
import pandas as pd

from domain import rurality
from indicators.dataset import Dataset, Period, memoized
from indicators.geo import nearest_antenne
from indicators.stats import rate, rounded
from indicators.workload import known, ratios, waiting

DEFINITION = (
    "Couverture rurale : jeunes inscrits sur la période, répartis selon la classe de leur "
    "commune de résidence dans la grille communale de densité de l'INSEE (rurale : niveaux "
    "5 à 7 ; urbaine : niveaux 1 à 4) ; « inconnu » "
    "quand la commune n'est pas renseignée. Démarrages : mentorats commencés à la date "
    "d'arrêté. Part en présentiel : part des démarrages en présentiel seul, parmi ceux dont "
    "la modalité est connue (le mixte est indiqué à part). Délai médian : nombre de jours "
    "entre l'inscription et le démarrage. Distance : à vol d'oiseau entre la commune du "
    "jeune et l'antenne de mentorat la plus proche, toutes associations confondues."
)

UNCOVERED_DEFINITION = (
    "Communes non couvertes : communes où vivent des jeunes en attente de mentor à la date "
    "d'arrêté (attribués à une association, sans mise en relation ni date de fin) et où "
    "aucune antenne de mentorat, toutes associations confondues, ne se trouve à moins du "
    "rayon choisi (distance à vol d'oiseau)."
)

DISTANCE_EDGES_KM = (5, 10, 20, 30)
UNKNOWN_DISTANCE = "distance inconnue"

# Counts of youths in a place, and what is computed on them: the small counts a table of
# places hides, and the rates blanked with them (indicators/small_counts.py).
PLACE_COUNTS = ["jeunes_inscrits", "demarrages", "en_attente_binome"]
PLACE_RATES = {
    "part_rurale": "jeunes_inscrits",
    "distance_mediane_km": "jeunes_inscrits",
    "part_presentiel": "demarrages",
    "part_mixte": "demarrages",
    "delai_avant_demarrage": "demarrages",
}
# A commune's youths also add up to its EPCI, its class and its distance band.
PLACE_GROUPS = ["epci_nom", "classe", "tranche_distance"]

CLASSES = ["rural", "urbain"]
UNKNOWN = "inconnu"
METRICS = [
    "jeunes_inscrits",
    "demarrages",
    "part_presentiel",
    "part_mixte",
    "delai_avant_demarrage",
    "distance_mediane_km",
]


@memoized
def commune_distances(dataset: Dataset) -> pd.DataFrame:
    """Nearest antenne of each commune of the dataset, indexed by INSEE code."""
    communes = dataset.communes
    if communes.empty:
        return pd.DataFrame(columns=["antenne", "association", "distance_km"])
    return nearest_antenne(communes, dataset.antennes).set_index("insee")


@memoized
def _cohort(dataset: Dataset, period: Period) -> pd.DataFrame:
    """Cohort parcours with `classe` (rural/urbain/inconnu) and `distance_km` of their
    commune."""
    p = dataset.parcours
    cohort = p[period.contains(p["date_inscription"])]
    if "classe" in cohort:
        classe = cohort["classe"]
    else:
        places = dataset.communes.set_index("insee")["classe"] if not dataset.communes.empty else {}
        classe = cohort["commune_insee"].map(places)
    classe = classe.where(classe.isin(CLASSES), UNKNOWN).astype(object)
    if "niveau_densite" in cohort:
        level = cohort["niveau_densite"]
    else:
        levels = (
            dataset.communes.set_index("insee")["niveau_densite"]
            if "niveau_densite" in dataset.communes
            else {}
        )
        level = cohort["commune_insee"].map(levels)
    distances = commune_distances(dataset)["distance_km"]
    return pd.DataFrame(
        {
            "commune_insee": cohort["commune_insee"],
            "classe": classe,
            "niveau_densite": pd.to_numeric(level, errors="coerce").astype("Int64"),
            "date_inscription": cohort["date_inscription"],
            "date_debut": cohort["date_debut"],
            "modalite": cohort["modalite"],
            "distance_km": cohort["commune_insee"].map(distances).astype(float),
        },
        index=cohort.index,
    )


def _aggregate(cohort: pd.DataFrame, key: pd.Series, au: dt.date) -> pd.DataFrame:
    """The coverage metrics of `cohort` grouped by `key` (one row per key value present)."""
    started = known(cohort["date_debut"], au)
    modalite = cohort["modalite"].where(started)
    delay = (cohort["date_debut"] - cohort["date_inscription"]).dt.days.where(started)
    delay = delay.where(delay >= 0)
    parts = pd.DataFrame(
        {
            "jeunes_inscrits": 1,
            "demarrages": started.astype("int64"),
            "modalite_connue": modalite.notna().astype("int64"),
            "presentiel": (modalite == "presentiel").astype("int64"),
            "mixte": (modalite == "mixte").astype("int64"),
            "delai": delay.astype(float),
            "distance": cohort["distance_km"].astype(float),
        },
        index=cohort.index,
    )
    grouped = parts.groupby(key, sort=False)
    sums = grouped[
        ["jeunes_inscrits", "demarrages", "modalite_connue", "presentiel", "mixte"]
    ].sum()
    medians = grouped[["delai", "distance"]].median()
    base = sums["modalite_connue"].where(sums["modalite_connue"] > 0)
    return pd.DataFrame(
        {
            "jeunes_inscrits": sums["jeunes_inscrits"].astype("int64"),
            "demarrages": sums["demarrages"].astype("int64"),
            "part_presentiel": ratios(sums["presentiel"], base),
            "part_mixte": ratios(sums["mixte"], base),
            "delai_avant_demarrage": medians["delai"].astype(float),
            "distance_mediane_km": medians["distance"].round(1).astype(float),
        }
    )


def rural_urban(dataset: Dataset, period: Period) -> pd.DataFrame:
    """Indexed by `classe`: "rural", "urbain" (always), "inconnu" (only when some parcours
    have no known class); columns `jeunes_inscrits`, `demarrages`, `part_presentiel`, `part_mixte`,
    `delai_avant_demarrage`, `distance_mediane_km`."""
    cohort = _cohort(dataset, period)
    table = _aggregate(cohort, cohort["classe"], period.au)
    order = CLASSES + ([UNKNOWN] if UNKNOWN in table.index else [])
    frame = table.reindex(pd.Index(order, name="classe"))
    frame[["jeunes_inscrits", "demarrages"]] = (
        frame[["jeunes_inscrits", "demarrages"]].fillna(0).astype("int64")
    )
    return frame[METRICS]


def density_grid(dataset: Dataset, period: Period, levels: bool = False) -> pd.DataFrame:
    """The cohort by INSEE's grid: one row per class (`dense`, `intermediaire`, `rural`)
    or, with `levels`, per level (1 to 7), always all of them, then `inconnu` when some
    youths' commune has no level. Columns `grille` (the key), `libelle` (French),
    `jeunes_inscrits`, `demarrages`, `part` (share of the youths whose level is known, 4
    decimals; NaN for `inconnu` and when none is known)."""
    cohort = _cohort(dataset, period)
    level = cohort["niveau_densite"]
    if levels:
        keys = list(rurality.LEVELS)
        labels = {k: f"{k} – {label}" for k, label in rurality.LEVELS.items()}
        key = level.astype(object).where(level.notna(), UNKNOWN)
    else:
        keys = list(rurality.GRID_CLASSES)
        labels = dict(rurality.GRID_CLASSES)
        key = level.map(rurality.grid_class, na_action="ignore").astype(object)
        key = key.where(key.notna(), UNKNOWN)
    started = known(cohort["date_debut"], period.au).astype("int64")
    counts = pd.DataFrame({"jeunes_inscrits": 1, "demarrages": started}, index=cohort.index)
    sums = counts.groupby(key.rename("grille"), sort=False).sum()
    order = keys + ([UNKNOWN] if UNKNOWN in sums.index else [])
    frame = sums.reindex(pd.Index(order, dtype=object, name="grille")).fillna(0).astype("int64")
    known_youths = int(frame.loc[keys, "jeunes_inscrits"].sum())
    frame["part"] = [
        rate(int(n), known_youths) if k != UNKNOWN else None
        for k, n in zip(frame.index, frame["jeunes_inscrits"], strict=True)
    ]
    frame["part"] = frame["part"].astype(float)
    frame.insert(0, "libelle", [labels.get(k, "Commune inconnue") for k in frame.index])
    return frame.reset_index()


def rural_share(dataset: Dataset, period: Period) -> float | None:
    """« Part rurale »: youths of the cohort living in a rural commune, over those whose
    commune has a known class (4 decimals); None when no youth has one."""
    youths = rural_urban(dataset, period)["jeunes_inscrits"]
    return rate(int(youths["rural"]), int(youths[CLASSES].sum()))


def territories_json(dataset: Dataset, period: Period) -> dict:
    """`{"rural": {"jeunes_inscrits", "demarrages", "part_presentiel"}, "urbain": {...}}` with plain
    ints and floats (None when there is no démarrage to divide by)."""
    frame = rural_urban(dataset, period)
    return {
        classe: {
            "jeunes_inscrits": int(frame.at[classe, "jeunes_inscrits"]),
            "demarrages": int(frame.at[classe, "demarrages"]),
            "part_presentiel": rounded(frame.at[classe, "part_presentiel"], 4),
        }
        for classe in CLASSES
    }


def by_commune(dataset: Dataset, period: Period) -> pd.DataFrame:
    """One row per commune with cohort youths: `insee`, `nom`, `epci_nom`, `classe`,
    `population`, `latitude`, `longitude`, `jeunes_inscrits`, `demarrages`, `part_presentiel`,
    `part_mixte`, `delai_avant_demarrage`, `antenne_proche`, `association_antenne`,
    `distance_km`; most youths first. Communes missing from the referential keep their code
    with empty details."""
    cohort = _cohort(dataset, period)
    cohort = cohort[cohort["commune_insee"].notna()]
    table = _aggregate(cohort, cohort["commune_insee"].rename("insee"), period.au)
    table = table.drop(columns="distance_mediane_km")
    info_columns = ["nom", "epci_nom", "classe", "population", "latitude", "longitude"]
    communes = dataset.communes
    if communes.empty:
        info = pd.DataFrame(columns=info_columns)
    else:
        info = communes.drop_duplicates("insee").set_index("insee")[info_columns]
    nearest = commune_distances(dataset).rename(
        columns={"antenne": "antenne_proche", "association": "association_antenne"}
    )
    frame = table.join(info).join(nearest)
    frame.index.name = "insee"
    frame = frame.reset_index()
    frame = frame.sort_values(["jeunes_inscrits", "insee"], ascending=[False, True]).reset_index(
        drop=True
    )
    return frame[
        [
            "insee",
            *info_columns,
            "jeunes_inscrits",
            "demarrages",
            "part_presentiel",
            "part_mixte",
            "delai_avant_demarrage",
            "antenne_proche",
            "association_antenne",
            "distance_km",
        ]
    ]


def with_distance_band(communes: pd.DataFrame) -> pd.DataFrame:
    """`by_commune`'s table with `tranche_distance`, the band of `distance_km` (a group
    whose total other tables show, for small-count suppression)."""
    edges = [0, *DISTANCE_EDGES_KM, float("inf")]
    return communes.assign(tranche_distance=pd.cut(communes["distance_km"], edges, right=False))


def by_epci(dataset: Dataset, period: Period) -> pd.DataFrame:
    """One row per EPCI with cohort youths: `epci_nom`, `communes` (with youths),
    `population` (whole EPCI), `latitude`/`longitude` (population-weighted centre of its
    communes), `jeunes_inscrits`, `part_rurale` (share of its youths living in a rural commune),
    `demarrages`, `part_presentiel`, `part_mixte`, `delai_avant_demarrage`,
    `distance_mediane_km`; most youths first. Youths whose commune has no EPCI are left
    out (see `by_commune`)."""
    cohort = _cohort(dataset, period)
    communes = dataset.communes
    columns = [
        "epci_nom",
        "communes",
        "population",
        "latitude",
        "longitude",
        "jeunes_inscrits",
        "part_rurale",
        "demarrages",
        "part_presentiel",
        "part_mixte",
        "delai_avant_demarrage",
        "distance_mediane_km",
    ]
    if communes.empty:
        return pd.DataFrame(columns=columns)
    epci = cohort["commune_insee"].map(
        communes.drop_duplicates("insee").set_index("insee")["epci_nom"]
    )
    cohort = cohort[epci.notna()]
    epci = epci[epci.notna()].rename("epci_nom")
    table = _aggregate(cohort, epci, period.au)
    table["communes"] = cohort.groupby(epci)["commune_insee"].nunique()
    rural = (cohort["classe"] == "rural").groupby(epci).sum()
    table["part_rurale"] = ratios(rural, table["jeunes_inscrits"].reindex(rural.index))
    c = communes[communes["epci_nom"].notna()].copy()
    weight = pd.to_numeric(c["population"], errors="coerce").fillna(0).astype(float) + 1.0
    c["_w"] = weight
    c["_wlat"] = c["latitude"] * weight
    c["_wlon"] = c["longitude"] * weight
    sums = c.groupby("epci_nom")[["_w", "_wlat", "_wlon"]].sum(min_count=1)
    places = pd.DataFrame(
        {
            "population": c.groupby("epci_nom")["population"].sum(min_count=1).astype("Int64"),
            "latitude": (sums["_wlat"] / sums["_w"]).round(5),
            "longitude": (sums["_wlon"] / sums["_w"]).round(5),
        }
    )
    frame = table.join(places)
    frame.index.name = "epci_nom"
    frame = frame.reset_index()
    frame["communes"] = frame["communes"].astype("int64")
    return frame.sort_values(["jeunes_inscrits", "epci_nom"], ascending=[False, True]).reset_index(
        drop=True
    )[columns]


NO_ANTENNE = (
    "Aucune antenne de mentorat n'est connue : les distances à l'antenne la plus proche et "
    "les communes non couvertes demandent le référentiel des associations (avec la commune "
    "de chaque antenne). Importez-le depuis la page Importer ; son modèle est dans « Modèles "
    "et rapports »."
)


def antennes_known(dataset: Dataset) -> bool:
    """Whether at least one antenne has a position: without one, no distance is known."""
    antennes = dataset.antennes
    if antennes.empty or "latitude" not in antennes:
        return False
    return bool((antennes["latitude"].notna() & antennes["longitude"].notna()).any())


def uncovered_communes(dataset: Dataset, au: dt.date, radius_km: float = 30) -> pd.DataFrame:
    """Communes where youths wait for a mentor at `au` (as in `indicators.workload`) and no
    antenne lies within `radius_km`: `insee`, `nom`, `classe`, `population`, `latitude`,
    `longitude`, `en_attente_binome`, `antenne_proche`, `association_antenne`, `distance_km`;
    most youths waiting first. Communes without a known position are left out: nothing can
    be said of their distance; with no antenne placed at all (the associations' referential
    not imported), no commune is « non couverte » (`antennes_known` tells the page)."""
    columns = [
        "insee",
        "nom",
        "classe",
        "population",
        "latitude",
        "longitude",
        "en_attente_binome",
        "antenne_proche",
        "association_antenne",
        "distance_km",
    ]
    waiting_rows = waiting(dataset, au)
    counts = waiting_rows["commune_insee"].dropna().value_counts().rename("en_attente_binome")
    communes = dataset.communes
    if counts.empty or communes.empty or not antennes_known(dataset):
        return pd.DataFrame(columns=columns)
    info = communes.drop_duplicates("insee").set_index("insee")[
        ["nom", "classe", "population", "latitude", "longitude"]
    ]
    nearest = commune_distances(dataset).rename(
        columns={"antenne": "antenne_proche", "association": "association_antenne"}
    )
    frame = counts.to_frame().join(info, how="inner").join(nearest)
    placed = frame["latitude"].notna() & frame["longitude"].notna()
    far = frame["distance_km"].isna() | (frame["distance_km"] > radius_km)
    frame = frame[placed & far]
    frame.index.name = "insee"
    frame = frame.reset_index()
    frame["en_attente_binome"] = frame["en_attente_binome"].astype("int64")
    return frame.sort_values(
        ["en_attente_binome", "distance_km", "insee"], ascending=[False, False, True]
    ).reset_index(drop=True)[columns]


def _band_labels(edges: tuple[float, ...]) -> list[str]:
    def km(value: float) -> str:
        return f"{value:g}".replace(".", ",")

    labels = [f"moins de {km(edges[0])} km"]
    labels += [f"{km(low)} à {km(high)} km" for low, high in pairwise(edges)]
    return [*labels, f"{km(edges[-1])} km et plus"]


def distance_bands(
    dataset: Dataset, period: Period, edges: tuple[float, ...] = DISTANCE_EDGES_KM
) -> pd.DataFrame:
    """Cohort youths by distance from their commune to the nearest antenne: `tranche`
    ("moins de 5 km", "5 à 10 km", …, "30 km et plus"; a band holds its lower edge),
    `jeunes_inscrits`, `part` (fraction of the cohort, rounded to 4; NaN when the cohort is empty).
    Every band in order, zeros included; "distance inconnue" last, only when some youths
    have no commune, no position or no antenne is known."""
    if not edges or list(edges) != sorted(set(edges)):
        raise ValueError("edges must be increasing")
    cohort = _cohort(dataset, period)
    distance = cohort["distance_km"].to_numpy(dtype=float)
    labels = _band_labels(tuple(edges))
    band = pd.Series(
        pd.cut(distance, [-np.inf, *edges, np.inf], right=False, labels=labels),
        index=cohort.index,
    )
    counts = band.value_counts().reindex(labels, fill_value=0)
    unknown = int(np.isnan(distance).sum())
    if unknown:
        counts[UNKNOWN_DISTANCE] = unknown
    jeunes = counts.astype("int64")
    total = pd.Series(len(cohort), index=jeunes.index)
    return pd.DataFrame(
        {
            "tranche": jeunes.index.astype(str),
            "jeunes_inscrits": jeunes.to_numpy(),
            "part": ratios(jeunes, total).to_numpy(),
        }
    )
