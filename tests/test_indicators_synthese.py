"""The small indicators behind the Synthèse and Honorabilité pages: median days to the start,
the plain-French alerts, the delay distribution, adjustable targets.

Expected values are worked out by hand on small literal frames (see the tables in
`tests/test_indicators_honorabilite.py` for the honorabilité requests R1-R7)."""

from __future__ import annotations

import pandas as pd

from indicators.dataset import Dataset
from indicators.funnel import STUCK_COLUMNS, median_days_to_start, stuck_alert
from indicators.honorabilite import (
    by_association,
    delay_distribution,
    monthly,
    overdue_alert,
    pending,
)
from tests.test_indicators_funnel import make_dataset, period
from tests.test_indicators_honorabilite import APRIL, ROWS, _row, make_demandes

H1 = period("2025-01-01", "2025-06-30")


def requests_dataset(*rows: dict) -> Dataset:
    return Dataset(parcours=pd.DataFrame(), demandes=make_demandes(*rows))


# --- median days inscription → démarrage ---------------------------------------------------


def test_median_days_to_start_over_the_cohort_started_by_au():
    data = make_dataset(
        {"date_inscription": "2025-01-06", "date_debut": "2025-02-05"},  # 30 days
        {"date_inscription": "2025-02-01", "date_debut": "2025-03-13"},  # 40 days
        {"date_inscription": "2025-03-01", "date_debut": "2025-07-15"},  # starts after au
        {"date_inscription": "2025-03-01", "date_debut": "2025-02-20"},  # out of order
        {"date_inscription": "2024-12-01", "date_debut": "2025-01-01"},  # not in the cohort
        {"date_inscription": "2025-04-01", "date_debut": "2025-05-31"},  # 60 days
    )
    assert median_days_to_start(data, H1) == 40.0


def test_median_days_to_start_is_none_without_a_start():
    data = make_dataset({"date_inscription": "2025-01-06"})
    assert median_days_to_start(data, H1) is None


# --- stuck parcours, in plain French -------------------------------------------------------


def test_stuck_alert_gives_count_busiest_association_and_oldest():
    blocked = pd.DataFrame(
        [
            ("A", "A1", "Attribution", None, 200, "270 jours et plus"),
            ("B", "B1", "Mise en relation", None, 120, "90-179 jours"),
            ("A", "A2", "Convention", None, 95, "90-179 jours"),
            (None, "F1", "Inscription", None, 91, "90-179 jours"),
        ],
        columns=STUCK_COLUMNS,
    )
    finding, action = stuck_alert(blocked, 90)
    assert finding == (
        "4 parcours sans nouvelle étape depuis 90 jours ou plus, dont 2 chez A ; le plus "
        "ancien attend depuis 200 jours après l'étape « Attribution »."
    )
    assert action.startswith("Demander aux associations")


def test_stuck_alert_is_none_when_nothing_is_stuck():
    assert stuck_alert(pd.DataFrame(columns=STUCK_COLUMNS), 90) is None


# --- honorabilité: adjustable targets, distribution, overdue alert -------------------------


def test_pending_takes_the_targets_of_the_page():
    data = requests_dataset(*ROWS)
    default = pending(data, APRIL)  # R5: 11 working days at au, R4: 2
    assert list(default["id_source"]) == ["R5", "R4"]
    assert list(default["en_retard"]) == [True, False]
    relaxed = pending(data, APRIL, {"cd_b2_fijais": 12})
    assert list(relaxed["en_retard"]) == [False, False]
    assert list(relaxed["objectif_jours_ouvres"]) == [12, 12]


def test_monthly_and_by_association_follow_the_target():
    data = requests_dataset(*ROWS)
    # working-day delays: R1 2 (A), R2 4 (A), R3 1 (B)
    assert monthly(data, APRIL)["part_dans_objectif"].tolist() == [0.6667]
    assert monthly(data, APRIL, target=1)["part_dans_objectif"].tolist() == [0.3333]
    split = by_association(data, APRIL, target=1)
    assert split[["association", "part_dans_objectif"]].values.tolist() == [
        ["A", 0.0],
        ["B", 1.0],
    ]


def test_delay_distribution_counts_every_calendar_day_up_to_the_longest():
    frame = delay_distribution(requests_dataset(*ROWS), APRIL)  # R3 3, R2 4, R1 5 days
    assert frame["delai_jours"].tolist() == [0, 1, 2, 3, 4, 5]
    assert frame["libelle"].tolist() == ["0 j", "1 j", "2 j", "3 j", "4 j", "5 j"]
    assert frame["traitees"].tolist() == [0, 0, 0, 1, 1, 1]
    assert frame["part"].tolist() == [0.0, 0.0, 0.0, 0.3333, 0.3333, 0.3333]


def test_delay_distribution_groups_the_long_tail():
    frame = delay_distribution(requests_dataset(*ROWS), APRIL, last=4)
    assert frame["libelle"].tolist()[-1] == "4 j et plus"
    assert frame["traitees"].tolist() == [0, 0, 0, 1, 2]
    assert frame["part"].tolist()[-1] == 0.6667


def test_delay_distribution_is_empty_without_a_treated_request():
    frame = delay_distribution(requests_dataset(ROWS[3]), APRIL)  # R4 only: pending
    assert frame.empty
    assert list(frame.columns) == ["delai_jours", "libelle", "traitees", "part"]


def test_overdue_alert_counts_per_voie_and_names_the_oldest():
    late_attestation = _row("R8", "C", "2025-04-01", "2025-04-01", None, None)
    late_attestation["voie"] = "attestation_nationale"  # 29 days, 20 working days at au
    data = requests_dataset(*ROWS, late_attestation)
    finding, action = overdue_alert(pending(data, APRIL))
    assert finding == (
        "2 demandes d'honorabilité en retard sur l'objectif (1 B2 / FIJAIS par le CD, 1 en "
        "attestation nationale) ; la plus ancienne attend un retour depuis 29 jours (C)."
    )
    assert "service honorabilité" in action


def test_overdue_alert_singular_and_none():
    data = requests_dataset(*ROWS)
    finding, _ = overdue_alert(pending(data, APRIL))
    assert finding.startswith("1 demande d'honorabilité en retard sur l'objectif (1 B2")
    assert "depuis 16 jours (B)" in finding
    assert overdue_alert(pending(data, APRIL, {"cd_b2_fijais": 12})) is None
