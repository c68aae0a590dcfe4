"""Binôme durations: Kaplan-Meier by hand, which binômes count, summary, end reasons."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from domain.values import category_labels
from indicators.durations import (
    binomes,
    end_reasons,
    kaplan_meier,
    median_duration,
    summary,
    survival_at,
)
from tests.test_indicators_load import make_dataset, period

AU = dt.date(2025, 6, 30)


# --- Kaplan-Meier ----------------------------------------------------------------------------


def test_kaplan_meier_hand_example():
    # durations 5, 8+, 8, 12, 15+ (+ = still running, censored)
    km = kaplan_meier([5, 8, 8, 12, 15], [1, 0, 1, 1, 0])
    assert list(km.columns) == [
        "jours", "survie", "a_risque", "evenements", "greenwood", "ic_bas", "ic_haut",
    ]  # fmt: skip
    assert km["jours"].tolist() == [0, 5, 8, 12, 15]
    assert km["a_risque"].tolist() == [5, 5, 4, 2, 1]
    assert km["evenements"].tolist() == [0, 1, 1, 1, 0]
    s5 = 1 - 1 / 5  # 0.8
    s8 = s5 * (1 - 1 / 4)  # 4 at risk at day 8 (the censored 8 still counts): 0.6
    s12 = s8 * (1 - 1 / 2)  # 0.3
    assert np.allclose(km["survie"], [1.0, s5, s8, s12, s12])
    assert survival_at(km, 0) == 1.0
    assert survival_at(km, 4.9) == 1.0
    assert math.isclose(survival_at(km, 5), 0.8)
    assert math.isclose(survival_at(km, 10), s8)
    assert math.isclose(survival_at(km, 15), s12)
    assert survival_at(km, 16) is None  # beyond the longest follow-up: not estimable
    assert median_duration(km) == 12  # first day with survival ≤ 0.5


def test_kaplan_meier_when_an_event_and_a_censoring_share_a_day():
    # Ties: ends happen before censorings on the same day (3 at risk at day 8 here).
    km = kaplan_meier([5, 8, 8, 12], [1, 1, 0, 0])
    assert np.allclose(km["survie"], [1.0, 0.75, 0.75 * (1 - 1 / 3), 0.5])
    assert median_duration(km) == 8


def test_kaplan_meier_edge_cases():
    empty = kaplan_meier([], [])
    assert empty["jours"].tolist() == [0] and empty["survie"].tolist() == [1.0]
    assert survival_at(empty, 10) is None and median_duration(empty) is None
    ended_day_one = kaplan_meier([0, 0, 5], [1, 0, 1])
    assert ended_day_one["jours"].tolist() == [0, 0, 5]
    assert survival_at(ended_day_one, 0) == pytest.approx(2 / 3)
    assert survival_at(ended_day_one, 400) == 0.0  # everyone ended: 0 stays 0
    none_ended = kaplan_meier([10, 20], [0, 0])
    assert median_duration(none_ended) is None and survival_at(none_ended, 15) == 1.0
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [1])


# --- binômes of the dataset ------------------------------------------------------------------


def durations_example():
    return make_dataset(
        {"date_debut": "2025-01-01", "date_fin": "2025-01-31",
         "motif_fin": "arret_jeune"},  # B1: 30 days, ended
        {"date_debut": "2025-01-01", "date_fin": "2025-07-15"},  # B2: ends after au: 180+
        {"date_debut": "2025-03-01"},  # B3: running, 121+
        {"date_fin": "2025-02-01", "motif_fin": "arret_jeune"},  # B4: lost before the start
        {"date_debut": "2025-07-02"},  # B5: starts after au
        {"date_debut": "2025-02-01", "date_fin": "2025-01-15"},  # B6: dates out of order
        {"date_debut": "2024-06-01", "date_fin": "2025-06-30"},  # B7: 394 days, ended on au
    )  # fmt: skip


def test_binomes_started_by_au_with_censoring():
    rows = binomes(durations_example(), au=AU)
    assert rows["id_source"].tolist() == ["P1", "P2", "P3", "P7"]
    assert rows["jours"].tolist() == [30, 180, 121, 394]
    assert rows["termine"].tolist() == [True, False, False, True]
    in_period = binomes(durations_example(), period("2025-01-01", "2025-06-30"))
    assert in_period["id_source"].tolist() == ["P1", "P2", "P3"]
    with pytest.raises(ValueError):
        binomes(durations_example())


def test_summary_all_binomes_as_of_au():
    # KM over 30, 121+, 180+, 394: S = 3/4 from day 30, 0 at day 394.
    assert summary(durations_example(), None, AU) == {
        "binomes_suivis": 4,
        "binomes_termines": 2,
        "part_3_mois": 0.75,
        "part_6_mois": 0.75,
        "part_12_mois": 0.75,
        "duree_mediane_jours": 394.0,
    }


def test_summary_of_binomes_started_in_the_period():
    # KM over 30, 121+, 180+: S = 2/3 from day 30; nobody followed to 183 days.
    # 3 months = 91 days: 121+ and 180+ were still followed then.
    assert summary(durations_example(), period("2025-01-01", "2025-06-30")) == {
        "binomes_suivis": 3,
        "binomes_termines": 1,
        "part_3_mois": 0.6667,
        "part_6_mois": None,
        "part_12_mois": None,
        "duree_mediane_jours": None,
    }
    empty = summary(make_dataset({"date_inscription": "2025-01-01"}), None, AU)
    assert empty == {
        "binomes_suivis": 0,
        "binomes_termines": 0,
        "part_3_mois": None,
        "part_6_mois": None,
        "part_12_mois": None,
        "duree_mediane_jours": None,
    }


def test_end_reasons_of_ended_binomes_only():
    frame = end_reasons(durations_example(), None, AU)
    labels = category_labels("motif_fin")
    assert frame["motif_fin"].tolist() == [*labels, None]
    assert frame["libelle"].tolist() == [*labels.values(), "Non renseigné"]
    counts = dict(zip(frame["libelle"], frame["binomes_termines"], strict=True))
    # B1 (arrêt du jeune) and B7 (no reason); B4 ended before its start: a loss, not counted
    assert counts["arrêt du jeune"] == 1 and counts["Non renseigné"] == 1
    assert frame["binomes_termines"].sum() == 2
    assert frame.set_index("libelle").at["arrêt du jeune", "part"] == 0.5
    none_ended = end_reasons(make_dataset({"date_debut": "2025-01-01"}), None, AU)
    assert none_ended["binomes_termines"].sum() == 0 and none_ended["part"].isna().all()
    assert None not in none_ended["motif_fin"].tolist()
