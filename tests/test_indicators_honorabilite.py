"""Honorabilité delays: summary, requests, segments, months, associations, pending.

Hand data: period April 2025, as-of 30 April 2025 (Easter Monday is 21 April).

| req | voie        | assoc | collecte | transmission | service | retour     | cal | ouvrés |
|-----|-------------|-------|----------|--------------|---------|------------|-----|--------|
| R1  | cd          | A     | 04-15    | Thu 04-17    | 04-18   | Tue 04-22  | 5   | 2      |
| R2  | cd          | A     | 04-07    | Mon 04-07    | 04-09   | Fri 04-11  | 4   | 4      |
| R3  | cd          | B     | 04-01    | Fri 04-04    | 04-07   | Mon 04-07  | 3   | 1      |
| R4  | cd          | B     | 04-25    | Mon 04-28    |         |            | pending, 2 days  |
| R5  | cd          | B     | 04-10    | Mon 04-14    | 04-15   | 05-05 > au | pending, 16 days |
| R6  | cd          | A     | 03-28    | Mon 03-31    | 04-01   | Wed 04-02  | 2   | 2      |
| R7  | attestation | A     | 03-31    | Tue 04-01    |         | Wed 04-16  | 15  | 11     |

R6 is transmitted in March: outside the April period.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from indicators.dataset import Dataset, Period
from indicators.honorabilite import (
    ATTESTATION_TARGET_WORKING_DAYS,
    DEFAULT_TARGET_WORKING_DAYS,
    DEFINITION,
    REQUEST_COLUMNS,
    SUMMARY_KEYS,
    by_association,
    monthly,
    pending,
    requests,
    segments,
    summary,
)
from store.models import DemandeHonorabilite

DEMANDE_COLUMNS = [c.name for c in DemandeHonorabilite.__table__.columns]
DATE_COLUMNS = [c for c in DEMANDE_COLUMNS if c.startswith("date_")]
APRIL = Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30))


def make_demandes(*rows: dict) -> pd.DataFrame:
    defaults = {"voie": "cd_b2_fijais", "resultat": "favorable", "association": "A"}
    records = [
        {**defaults, "id": i + 1, "id_mentor": f"M{i + 1}", **row} for i, row in enumerate(rows)
    ]
    frame = pd.DataFrame(records, columns=DEMANDE_COLUMNS)
    for col in DATE_COLUMNS:
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
    return frame


def _row(id_source, association, collecte, transmission, service, retour, voie="cd_b2_fijais"):
    return {
        "id_source": id_source,
        "association": association,
        "voie": voie,
        "date_collecte": collecte,
        "date_transmission_cd": transmission,
        "date_demande_service": service,
        "date_retour": retour,
    }


ROWS = [
    _row("R1", "A", "2025-04-15", "2025-04-17", "2025-04-18", "2025-04-22"),
    _row("R2", "A", "2025-04-07", "2025-04-07", "2025-04-09", "2025-04-11"),
    _row("R3", "B", "2025-04-01", "2025-04-04", "2025-04-07", "2025-04-07"),
    _row("R4", "B", "2025-04-25", "2025-04-28", None, None),
    _row("R5", "B", "2025-04-10", "2025-04-14", "2025-04-15", "2025-05-05"),
    _row("R6", "A", "2025-03-28", "2025-03-31", "2025-04-01", "2025-04-02"),
    _row("R7", "A", "2025-03-31", "2025-04-01", None, "2025-04-16", "attestation_nationale"),
]


@pytest.fixture
def dataset() -> Dataset:
    return Dataset(parcours=pd.DataFrame(), demandes=make_demandes(*ROWS))


def test_summary_of_the_cd_route(dataset):
    result = summary(dataset, APRIL)
    assert list(result) == SUMMARY_KEYS
    assert result == {
        "demandes": 5,  # R1-R5; R6 is transmitted in March, R7 is the other voie
        "traitees": 3,
        "en_attente": 2,  # R4, and R5 returned after au
        "delai_median_jours": 4.0,  # 3, 4, 5
        "delai_p90_jours": 4.8,  # 4 + 0.8 × (5 − 4)
        "delai_median_jours_ouvres": 2.0,  # 1, 2, 4
        "part_dans_objectif": 0.6667,  # R1 (2) and R3 (1) within 3 working days
        "objectif_jours_ouvres": DEFAULT_TARGET_WORKING_DAYS,
    }
    assert DEFAULT_TARGET_WORKING_DAYS == 3


def test_summary_target_is_a_parameter(dataset):
    result = summary(dataset, APRIL, target=1)
    assert result["part_dans_objectif"] == 0.3333
    assert result["objectif_jours_ouvres"] == 1


def test_summary_of_the_national_attestation(dataset):
    result = summary(dataset, APRIL, voie="attestation_nationale")
    assert result["demandes"] == 1
    assert result["delai_median_jours"] == 15.0
    assert result["delai_median_jours_ouvres"] == 11.0
    assert result["objectif_jours_ouvres"] == ATTESTATION_TARGET_WORKING_DAYS == 11
    assert result["part_dans_objectif"] == 1.0
    assert summary(dataset, APRIL, "attestation_nationale", target=10)["part_dans_objectif"] == 0


def test_summary_of_every_voie(dataset):
    result = summary(dataset, APRIL, voie=None)
    assert (result["demandes"], result["traitees"], result["en_attente"]) == (6, 4, 2)
    assert result["delai_median_jours"] == 4.5  # 3, 4, 5, 15
    assert result["part_dans_objectif"] == 0.75  # each against its own voie's target
    assert result["objectif_jours_ouvres"] is None


def test_summary_without_requests_or_returns():
    empty = Dataset(parcours=pd.DataFrame(), demandes=make_demandes())
    result = summary(empty, APRIL)
    assert result["demandes"] == 0 and result["traitees"] == 0
    assert result["delai_median_jours"] is None and result["part_dans_objectif"] is None
    waiting = Dataset(parcours=pd.DataFrame(), demandes=make_demandes(ROWS[3]))
    assert summary(waiting, APRIL)["part_dans_objectif"] is None


def test_requests_rows(dataset):
    r = requests(dataset, APRIL).set_index("id_source")
    assert list(requests(dataset, APRIL).columns) == REQUEST_COLUMNS
    assert sorted(r.index) == ["R1", "R2", "R3", "R4", "R5", "R7"]
    assert r.loc["R1", "delai_jours"] == 5 and r.loc["R1", "delai_jours_ouvres"] == 2
    assert bool(r.loc["R1", "dans_objectif"]) and not bool(r.loc["R2", "dans_objectif"])
    assert r.loc["R3", "delai_jours_ouvres"] == 1  # Friday → Monday
    # R5's return is after au: not yet known, pending, no result shown.
    assert pd.isna(r.loc["R5", "date_retour"]) and r.loc["R5", "resultat"] is None
    assert bool(r.loc["R5", "en_attente"]) and pd.isna(r.loc["R5", "dans_objectif"])
    assert r.loc["R5", "age_jours"] == 16
    assert r.loc["R5", "age_jours_ouvres"] == 11  # 21 April is Easter Monday
    assert r.loc["R4", "age_jours"] == 2 and r.loc["R4", "age_jours_ouvres"] == 2
    assert pd.isna(r.loc["R1", "age_jours"])
    assert r.loc["R7", "objectif_jours_ouvres"] == 11


def test_a_return_before_the_transmission_is_left_out_of_delays():
    ds = Dataset(
        parcours=pd.DataFrame(),
        demandes=make_demandes(
            ROWS[0], _row("X", "A", "2025-04-01", "2025-04-10", None, "2025-04-08")
        ),
    )
    result = summary(ds, APRIL)
    assert result["traitees"] == 2
    assert result["delai_median_jours"] == 5.0
    assert result["part_dans_objectif"] == 1.0


def test_pending_overdue_first(dataset):
    table = pending(dataset, APRIL)
    assert table["id_source"].tolist() == ["R5", "R4"]
    assert table["en_retard"].tolist() == [True, False]  # 11 > 3 working days; 2 ≤ 3
    assert table["age_jours"].tolist() == [16, 2]
    assert table["date_transmission_cd"].iloc[0] == dt.date(2025, 4, 14)
    assert {"association", "id_source", "age_jours", "en_retard"} <= set(table.columns)


def test_segments(dataset):
    table = segments(dataset, APRIL).set_index("segment")
    assert table.index.tolist() == ["association_cd", "cd_service", "service_retour"]
    assert table.loc["association_cd", "demandes_mesurees"] == 5  # 2, 0, 3, 3, 4
    assert table.loc["association_cd", "delai_median_jours"] == 3.0
    assert table.loc["cd_service", "demandes_mesurees"] == 4  # 1, 2, 3, 1
    assert table.loc["cd_service", "delai_median_jours"] == 1.5
    assert (
        table.loc["service_retour", "demandes_mesurees"] == 3
    )  # 4, 2, 0 (R5's return is after au)
    assert table.loc["service_retour", "delai_median_jours"] == 2.0
    assert table.loc["association_cd", "libelle"] == "Association → CD"


def test_monthly(dataset):
    table = monthly(dataset, Period(dt.date(2025, 3, 1), dt.date(2025, 4, 30)))
    assert table["mois"].tolist() == [pd.Timestamp("2025-03-01"), pd.Timestamp("2025-04-01")]
    march, april = table.to_dict("records")
    assert (march["demandes"], march["traitees"], march["en_attente"]) == (1, 1, 0)
    assert march["delai_median_jours"] == 2.0 and march["part_dans_objectif"] == 1.0
    assert (april["demandes"], april["traitees"], april["en_attente"]) == (5, 3, 2)
    assert april["delai_median_jours"] == 4.0 and april["part_dans_objectif"] == 0.6667


def test_by_association(dataset):
    table = by_association(dataset, APRIL).set_index("association")
    assert table.index.tolist() == ["A", "B"]
    assert table.loc["A", "demandes"] == 2 and table.loc["A", "delai_median_jours"] == 4.5
    assert table.loc["A", "delai_median_jours_ouvres"] == 3.0
    assert table.loc["A", "part_dans_objectif"] == 0.5
    assert table.loc["B", "en_attente"] == 2 and table.loc["B", "traitees"] == 1
    assert table.loc["B", "part_dans_objectif"] == 1.0


def test_definition_is_french_and_names_the_targets():
    assert "jours ouvrés" in DEFINITION and "attestation nationale" in DEFINITION


# --- the demo database, built through the pipeline ------------------------------------


@pytest.mark.parametrize(
    "per",
    [
        Period(dt.date(2015, 1, 1), dt.date(2026, 10, 31)),
        Period(dt.date(2025, 11, 1), dt.date(2026, 10, 31)),
        Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ],
)
def test_demo_counts_match_sql(demo, per):
    engine, dataset = demo
    d = DemandeHonorabilite.__table__
    in_period = d.c.date_transmission_cd.between(per.du, per.au)
    cd = d.c.voie == "cd_b2_fijais"
    with engine.connect() as conn:
        sent = conn.execute(select(func.count()).where(in_period, cd)).scalar_one()
        back = conn.execute(
            select(func.count()).where(in_period, cd, d.c.date_retour <= per.au)
        ).scalar_one()
        every = conn.execute(select(func.count()).where(in_period)).scalar_one()
    result = summary(dataset, per)
    assert sent > 0
    assert result["demandes"] == sent
    assert result["traitees"] == back
    assert result["en_attente"] == sent - back
    assert summary(dataset, per, voie=None)["demandes"] == every
    assert len(requests(dataset, per)) == every
    assert len(pending(dataset, per)) == summary(dataset, per, voie=None)["en_attente"]
    assert by_association(dataset, per)["demandes"].sum() == sent
    assert monthly(dataset, per)["demandes"].sum() == sent
    assert 0 <= result["part_dans_objectif"] <= 1
    assert result["delai_median_jours_ouvres"] <= result["delai_median_jours"]
