"""Dispatch helper: ranking three associations for a new fiche, with the reasons given.

Scores worked out by hand from the weights of indicators.dispatch (commune 40, objectives
25, modality 10, places 15 (full from 10 places), distance 10 (full up to 10 km, none from
60 km); a criterion the referential leaves empty earns half).
"""

from __future__ import annotations

import datetime as dt
import math

from indicators.dispatch import COLUMNS, WEIGHTS, rank_associations
from tests.test_indicators_load import (
    make_antennes,
    make_associations,
    make_communes,
    make_dataset,
)

AU = dt.date(2025, 6, 30)
KM_PER_DEGREE = 6371.0 * math.pi / 180

COMMUNES = make_communes(
    {"insee": "59001", "nom": "Ruralville", "classe": "rural", "latitude": 50.0, "longitude": 3.0},
    {"insee": "59002", "nom": "Urbaine", "classe": "urbain", "latitude": 50.3, "longitude": 3.0},
)
ASSOCIATIONS = make_associations(
    {"nom": "Alpha", "capacite": 10, "communes_servies": "59001;59002",
     "objectifs": "orientation;scolarite", "modalites": "mixte;presentiel"},
    # a referential typed with labels: read through the value tables
    {"nom": "Beta", "capacite": 5, "communes_servies": "59002",
     "objectifs": "Scolarité", "modalites": "Distanciel"},
    {"nom": "Gamma", "capacite": None, "communes_servies": None,
     "objectifs": None, "modalites": None},
)  # fmt: skip
ANTENNES = make_antennes(
    {"association": "Alpha", "nom": "Siège Alpha", "commune_insee": "59001",
     "latitude": 50.0, "longitude": 3.0},
    {"association": "Beta", "nom": "Siège Beta", "commune_insee": "59002",
     "latitude": 50.3, "longitude": 3.0},
)  # fmt: skip


def dispatch_example():
    running = {"date_debut": "2025-01-01"}
    return make_dataset(
        {**running, "association": "Alpha"},
        {**running, "association": "Alpha"},
        {"association": "Alpha", "date_attribution": "2025-06-01"},  # waiting
        *[{**running, "association": "Beta"}] * 5,  # Beta is full
        {"association": "Beta", "date_debut": "2025-01-01", "date_fin": "2025-03-01"},
        associations=ASSOCIATIONS,
        antennes=ANTENNES,
        communes=COMMUNES,
    )


def test_weights_add_up_to_100():
    assert sum(WEIGHTS.values()) == 100


def test_ranking_of_three_associations_with_reasons():
    frame = rank_associations(
        dispatch_example(), AU, "59001", ["scolarite", "orientation"], "presentiel"
    )
    assert list(frame.columns) == COLUMNS
    assert frame["rang"].tolist() == [1, 2, 3]
    assert frame["association"].tolist() == ["Alpha", "Gamma", "Beta"]
    # Alpha: 40 + 25 + 10 + 15 × 8/10 + 10 (antenne in the commune) = 97
    # Gamma: everything unknown, half of 40 + 25 + 10 + 15, no antenne = 45
    # Beta: 0 + 25 × 1/2 + 0 + 0 (full) + 10 × (60 − 33.4) / 50 = 17.82
    assert frame["score"].tolist() == [97.0, 45.0, 17.8]
    far = round(0.3 * KM_PER_DEGREE, 1)
    assert far == 33.4
    assert frame["raisons"].tolist() == [
        "dessert la commune ; propose scolarité, orientation ; propose le présentiel ; "
        "8 places disponibles, 1 jeune déjà en attente ; antenne à 0,0 km (Siège Alpha)",
        "communes desservies non renseignées ; objectifs proposés non renseignés ; "
        "modalités proposées non renseignées ; capacité non renseignée ; aucune antenne connue",
        "ne dessert pas la commune ; propose scolarité ; ne propose pas orientation ; "
        "ne propose pas le présentiel ; complet (5 binômes actifs pour 5 financés) ; "
        "antenne à 33,4 km (Siège Beta)",
    ]


def test_no_wish_gives_full_points_and_labels_are_accepted():
    ds = dispatch_example()
    frame = rank_associations(ds, AU, "59002", [], None).set_index("association")
    # Beta now serves the commune and has its antenne there, but no place left:
    # 40 + 25 + 10 + 0 + 10 = 85; Alpha: 40 + 25 + 10 + 12 + 10 × (60 − 33.4) / 50 = 92.3
    assert frame.loc["Alpha", "score"] == 92.3
    assert frame.loc["Beta", "score"] == 85.0
    assert frame["rang"].to_dict() == {"Alpha": 1, "Beta": 2, "Gamma": 3}
    assert "propose" not in frame.loc["Alpha", "raisons"]
    labelled = rank_associations(ds, AU, "59002", ["Scolarité"], "distanciel")
    beta = labelled.set_index("association").loc["Beta"]
    # "Scolarité" and "Distanciel" in the referential are read as scolarite, distanciel:
    # 40 + 25 + 10 + 0 + 10
    assert beta["score"] == 85.0
    assert "propose scolarité ; propose le distanciel" in beta["raisons"]


def test_unknown_commune_and_empty_referential():
    ds = dispatch_example()
    frame = rank_associations(ds, AU, None, [], None).set_index("association")
    # commune unknown: half of 40 for everybody, distance unknown: 0
    assert frame.loc["Alpha", "score"] == 20 + 25 + 10 + 12
    assert "commune du jeune non renseignée" in frame.loc["Alpha", "raisons"]
    assert "distance à l'antenne inconnue" in frame.loc["Alpha", "raisons"]
    empty = rank_associations(make_dataset(), AU, "59001", [], None)
    assert empty.empty and list(empty.columns) == COLUMNS
