"""Rural coverage and distances: haversine, nearest antenne, rural/urban split, communes.

Values worked out by hand; builders shared with tests/test_indicators_load.py. The demo
database checks live there (one pipeline build for all the indicator modules).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from indicators.coverage import (
    METRICS,
    antennes_known,
    by_commune,
    by_epci,
    density_grid,
    distance_bands,
    rural_urban,
    territories_json,
    uncovered_communes,
)
from indicators.geo import format_km, haversine_km, nearest_antenne
from tests.test_indicators_load import AU, make_antennes, make_communes, make_dataset, period

KM_PER_DEGREE = 6371.0 * math.pi / 180  # along a meridian: 111.19 km


# --- distances -----------------------------------------------------------------------------


def test_haversine_lille_merville():
    # Lille (50.6319 N, 3.0469 E) to Merville (50.6453 N, 2.6356 E): 0.4113° of longitude
    # at 50.6386° N is 0.4113 × 111.195 × cos(50.6386°) = 29.005 km, 0.0134° of latitude is
    # 1.490 km, so √(29.005² + 1.490²) = 29.043 km; the spherical law of cosines agrees
    # (29.0435 km). About 29 km, not 39.
    lille_merville = haversine_km(50.6319, 3.0469, 50.6453, 2.6356)
    assert isinstance(lille_merville, float)
    assert math.isclose(lille_merville, 29.0435, abs_tol=1e-3)
    assert haversine_km(50.0, 3.0, 50.0, 3.0) == 0.0
    # one degree along a meridian
    assert math.isclose(haversine_km(50.0, 3.0, 51.0, 3.0), KM_PER_DEGREE, rel_tol=1e-9)


def test_haversine_is_vectorised_and_propagates_nan():
    d = haversine_km(np.array([50.0, 50.0, np.nan]), 3.0, np.array([50.1, 50.0, 50.0]), 3.0)
    assert d.shape == (3,)
    assert math.isclose(d[0], 0.1 * KM_PER_DEGREE)
    assert d[1] == 0.0 and np.isnan(d[2])


def test_nearest_antenne_per_commune():
    communes = pd.DataFrame(
        {
            "insee": ["59001", "59002", "59003"],
            "latitude": [50.0, None, 50.95],
            "longitude": [3.0, None, 3.0],
        }
    )
    antennes = make_antennes(
        {"association": "Loin", "nom": "Antenne Nord", "latitude": 51.0, "longitude": 3.0},
        {"association": "Près", "nom": "Antenne Sud", "latitude": 50.1, "longitude": 3.0},
        {"association": "Sans", "nom": "Sans position", "latitude": None, "longitude": None},
    )
    result = nearest_antenne(communes, antennes)
    assert list(result.columns) == ["insee", "antenne", "association", "distance_km"]
    assert result["insee"].tolist() == ["59001", "59002", "59003"]
    assert result["antenne"].tolist() == ["Antenne Sud", None, "Antenne Nord"]
    assert result["association"].tolist() == ["Près", None, "Loin"]
    assert result.loc[0, "distance_km"] == 11.1  # 0.1 × 111.19 km
    assert np.isnan(result.loc[1, "distance_km"])
    assert result.loc[2, "distance_km"] == 5.6  # 0.05 × 111.19 km
    no_antenne = nearest_antenne(communes, make_antennes())
    assert no_antenne["distance_km"].isna().all() and no_antenne["antenne"].isna().all()


def test_format_km_in_french():
    assert format_km(12.34) == "12,3 km"
    assert format_km(0) == "0,0 km"
    assert format_km(np.nan) == "distance inconnue"


# --- rural / urban ---------------------------------------------------------------------------

# Ruralville is 0.5° south of Urbaine, where the only antenne stands: 55.6 km.
COMMUNES = make_communes(
    {"insee": "59001", "nom": "Ruralville", "classe": "rural", "niveau_densite": 6,
     "population": 800,
     "latitude": 50.0, "longitude": 3.0, "epci": "E1", "epci_nom": "CC Test"},
    {"insee": "59002", "nom": "Urbaine", "classe": "urbain", "niveau_densite": 2,
     "population": 20000,
     "latitude": 50.5, "longitude": 3.0, "epci": "E1", "epci_nom": "CC Test"},
    {"insee": "59003", "nom": "Sans classe", "classe": None, "population": None,
     "latitude": None, "longitude": None, "epci": None, "epci_nom": None},
    {"insee": "59004", "nom": "Voisine", "classe": "rural", "niveau_densite": 5, "population": 1200,
     "latitude": 50.2, "longitude": 3.0, "epci": "E1", "epci_nom": "CC Test"},
)  # fmt: skip
ANTENNES = make_antennes(
    {"association": "Asso A", "nom": "Antenne d'Urbaine", "commune_insee": "59002",
     "commune": "Urbaine", "latitude": 50.5, "longitude": 3.0},
)  # fmt: skip
FAR = round(0.5 * KM_PER_DEGREE, 1)  # 55.6


def coverage_example():
    return make_dataset(
        # Ruralville: 3 youths in the cohort, 2 started (one in person, one mixed)
        {"commune_insee": "59001", "date_inscription": "2025-01-10", "date_debut": "2025-03-10",
         "modalite": "presentiel"},  # 59 days
        {"commune_insee": "59001", "date_inscription": "2025-02-01", "date_debut": "2025-04-02",
         "modalite": "mixte"},  # 60 days
        {"commune_insee": "59001", "date_inscription": "2025-03-01", "date_debut": "2025-07-10",
         "modalite": "distanciel", "date_attribution": "2025-03-01"},  # starts after au: waiting
        {"commune_insee": "59001", "date_inscription": "2024-12-15"},  # outside the period
        # Urbaine: 3 youths, 2 started, one of unknown modality
        {"commune_insee": "59002", "date_inscription": "2025-01-05", "date_debut": "2025-02-04",
         "modalite": "presentiel"},  # 30 days
        {"commune_insee": "59002", "date_inscription": "2025-01-20",
         "date_debut": "2025-02-09"},  # 20 days
        {"commune_insee": "59002", "date_inscription": "2025-05-01",
         "date_attribution": "2025-05-01"},  # waiting, but next to the antenne
        # unknown: no commune; a commune without class
        {"commune_insee": None, "date_inscription": "2025-02-01",
         "date_attribution": "2025-02-01"},
        {"commune_insee": "59003", "date_inscription": "2025-02-01", "date_debut": "2025-03-01",
         "modalite": "distanciel"},  # 28 days
        communes=COMMUNES,
        antennes=ANTENNES,
    )  # fmt: skip


PERIOD = period("2025-01-01", "2025-06-30")


def test_rural_urban_split_with_unknown_apart():
    table = rural_urban(coverage_example(), PERIOD)
    assert list(table.columns) == METRICS
    assert table.index.tolist() == ["rural", "urbain", "inconnu"]
    assert table["jeunes_inscrits"].tolist() == [3, 3, 2]
    assert table["demarrages"].tolist() == [2, 2, 1]
    # presentiel only; the démarrage of unknown modality is not in the base
    assert table["part_presentiel"].tolist() == [0.5, 1.0, 0.0]
    assert table["part_mixte"].tolist() == [0.5, 0.0, 0.0]
    assert table["delai_avant_demarrage"].tolist() == [59.5, 25.0, 28.0]
    assert table.at["rural", "distance_mediane_km"] == FAR
    assert table.at["urbain", "distance_mediane_km"] == 0.0
    assert np.isnan(table.at["inconnu", "distance_mediane_km"])


def test_the_three_classes_and_the_seven_levels_of_insee_s_grid():
    # Ruralville (level 6): 3 youths, 2 started; Urbaine (level 2, intermédiaire): 3 and 2;
    # no commune, or a commune without level: 2 youths, 1 started, « inconnu » apart.
    classes = density_grid(coverage_example(), PERIOD)
    assert classes["grille"].tolist() == ["dense", "intermediaire", "rural", "inconnu"]
    assert classes["libelle"].tolist() == ["Dense", "Intermédiaire", "Rural", "Commune inconnue"]
    assert classes["jeunes_inscrits"].tolist() == [0, 3, 3, 2]
    assert classes["demarrages"].tolist() == [0, 2, 2, 1]
    assert classes["part"].tolist()[:3] == [0.0, 0.5, 0.5]
    assert np.isnan(classes["part"].iloc[3])
    levels = density_grid(coverage_example(), PERIOD, levels=True)
    assert levels["grille"].tolist() == [1, 2, 3, 4, 5, 6, 7, "inconnu"]
    assert levels["jeunes_inscrits"].tolist() == [0, 3, 0, 0, 0, 3, 0, 2]
    assert levels["libelle"].iloc[4] == "5 – Bourgs ruraux"
    # the rural class is the sum of levels 5 to 7, as rural_urban counts it
    assert (
        levels["jeunes_inscrits"].iloc[4:7].sum()
        == rural_urban(coverage_example(), PERIOD).at["rural", "jeunes_inscrits"]
    )


def test_territories_json_has_both_classes_even_when_absent():
    assert territories_json(coverage_example(), PERIOD) == {
        "rural": {"jeunes_inscrits": 3, "demarrages": 2, "part_presentiel": 0.5},
        "urbain": {"jeunes_inscrits": 3, "demarrages": 2, "part_presentiel": 1.0},
    }
    urban_only = make_dataset(
        {"commune_insee": "59002", "date_inscription": "2025-01-05"}, communes=COMMUNES
    )
    assert territories_json(urban_only, PERIOD) == {
        "rural": {"jeunes_inscrits": 0, "demarrages": 0, "part_presentiel": None},
        "urbain": {"jeunes_inscrits": 1, "demarrages": 0, "part_presentiel": None},
    }
    assert rural_urban(urban_only, PERIOD).index.tolist() == ["rural", "urbain"]


def test_by_commune_for_the_map():
    frame = by_commune(coverage_example(), PERIOD)
    assert frame["insee"].tolist() == ["59001", "59002", "59003"]
    rural = frame.iloc[0]
    assert (rural["nom"], rural["classe"], rural["population"]) == ("Ruralville", "rural", 800)
    assert (rural["latitude"], rural["longitude"]) == (50.0, 3.0)
    assert (rural["jeunes_inscrits"], rural["demarrages"], rural["part_presentiel"]) == (3, 2, 0.5)
    assert rural["antenne_proche"] == "Antenne d'Urbaine"
    assert rural["association_antenne"] == "Asso A"
    assert rural["distance_km"] == FAR
    assert frame.iloc[1]["distance_km"] == 0.0
    assert np.isnan(frame.iloc[2]["distance_km"])


def test_by_epci_sums_youths_and_population():
    frame = by_epci(coverage_example(), PERIOD)
    assert frame["epci_nom"].tolist() == ["CC Test"]  # 59003 has no EPCI: left out
    row = frame.iloc[0]
    assert (row["jeunes_inscrits"], row["communes"], row["demarrages"]) == (6, 2, 4)
    assert row["population"] == 800 + 20000 + 1200  # the whole EPCI
    assert row["part_rurale"] == 0.5
    assert row["part_presentiel"] == round(2 / 3, 4)  # 2 of 3 known modalities
    assert row["distance_mediane_km"] == round((0.0 + FAR) / 2, 1)
    assert 50.0 < row["latitude"] < 50.5


def test_uncovered_communes_have_youths_waiting_far_from_antennes():
    ds = coverage_example()
    frame = uncovered_communes(ds, AU, radius_km=30)
    assert frame["insee"].tolist() == ["59001"]  # Urbaine has the antenne
    row = frame.iloc[0]
    assert (row["nom"], row["en_attente_binome"], row["distance_km"]) == ("Ruralville", 1, FAR)
    assert uncovered_communes(ds, AU, radius_km=60).empty
    # No antenne at all (the associations' referential not imported): no distance is
    # known, so no commune is called « non couverte »; the page says why.
    bare = make_dataset(
        {"commune_insee": "59002", "date_attribution": "2025-05-01"},
        {"commune_insee": "59003", "date_attribution": "2025-05-01"},  # no position
        communes=COMMUNES,
    )
    assert not antennes_known(bare) and antennes_known(ds)
    assert uncovered_communes(bare, AU).empty


def test_distance_bands_of_the_cohort_with_unknown_last():
    # Ruralville 55.6 km (3 youths), Urbaine 0 km (3), no commune (1), no position (1).
    frame = distance_bands(coverage_example(), PERIOD)
    assert frame["tranche"].tolist() == [
        "moins de 5 km",
        "5 à 10 km",
        "10 à 20 km",
        "20 à 30 km",
        "30 km et plus",
        "distance inconnue",
    ]
    assert frame["jeunes_inscrits"].tolist() == [3, 0, 0, 0, 3, 2]
    assert frame["part"].tolist() == [0.375, 0.0, 0.0, 0.0, 0.375, 0.25]
    # a band holds its lower edge; no "inconnue" row when every distance is known
    near = make_dataset(
        {"commune_insee": "59002", "date_inscription": "2025-01-05"},
        communes=COMMUNES,
        antennes=ANTENNES,
    )
    frame = distance_bands(near, PERIOD, edges=(0.5, 60))
    assert frame["tranche"].tolist() == ["moins de 0,5 km", "0,5 à 60 km", "60 km et plus"]
    assert frame["jeunes_inscrits"].tolist() == [1, 0, 0]
    empty = distance_bands(near, period("2020-01-01", "2020-12-31"))
    assert empty["jeunes_inscrits"].sum() == 0 and empty["part"].isna().all()
