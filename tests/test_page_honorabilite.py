"""The Honorabilité page under AppTest on the demo database: tiles, pending requests and the
adjustable target, checked against the indicator functions run here on the same data."""

from __future__ import annotations

from pathlib import Path

import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from domain.formatting import number, percent
from indicators import honorabilite
from tests.helpers import as_viewer, default_period
from tests.test_page_synthese import demo_dataset, in_days

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "honorabilite.py")
ATTESTATION = "attestation_nationale"


@pytest.fixture
def page(demo_app):
    at = as_viewer(AppTest.from_file(PAGE, default_timeout=60)).run()
    assert not at.exception, at.exception
    return at, demo_dataset(demo_app), default_period()


NAMES = {
    "cd_b2_fijais": (
        "Demandes B2 / FIJAIS transmises",
        "Demandes B2 / FIJAIS en attente",
        "B2 / FIJAIS dans l'objectif",
        "Délai médian B2 / FIJAIS (jours ouvrés)",
    ),
    ATTESTATION: (
        "Attestations nationales demandées",
        "Attestations nationales en attente",
        "Attestations dans l'objectif",
        "Délai médian attestation nationale (jours ouvrés)",
    ),
}


def tiles(figures: dict, voie: str = "cd_b2_fijais") -> list[tuple[str, str]]:
    """The tiles of one voie, delays in working days (the target's unit, the default)."""
    values = (
        number(figures["demandes"]),
        number(figures["en_attente"]),
        percent(figures["part_dans_objectif"]),
        in_days(figures["delai_median_jours_ouvres"]) + " ouvrés",
    )
    return list(zip(NAMES[voie], values, strict=True))


def frame_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_tiles_of_both_voies(page):
    at, data, period = page
    assert at.title[0].value == "Honorabilité"
    b2 = honorabilite.summary(data, period)
    attestation = honorabilite.summary(data, period, ATTESTATION)
    late = int(honorabilite.pending(data, period)["en_retard"].sum())
    shown = [(m.label, m.value) for m in at.metric]
    assert shown == [
        *tiles(b2),
        ("Demandes en retard sur l'objectif", number(late)),
        *tiles(attestation, ATTESTATION),
    ]
    assert b2["demandes"] and attestation["demandes"]  # the demo has both voies
    assert attestation["objectif_jours_ouvres"] == honorabilite.ATTESTATION_TARGET_WORKING_DAYS


def test_pending_requests_overdue_first_then_oldest(page):
    at, data, period = page
    shown = frame_with(at, "En retard")
    expected = honorabilite.pending(data, period)
    assert shown["Identifiant de la demande"].tolist() == expected["id_source"].tolist()
    late = shown["En retard"].tolist()
    assert late == sorted(late, key=lambda v: v != "oui") and "oui" in late
    for flag in ("oui", "non"):
        ages = shown.loc[shown["En retard"] == flag, "Ancienneté (jours)"].tolist()
        assert ages == sorted(ages, reverse=True)


def test_distribution_segments_months_and_associations(page):
    at, data, period = page
    spread = frame_with(at, "Délai")
    assert spread["Traitées"].sum() == honorabilite.summary(data, period)["traitees"]
    segments = frame_with(at, "Segment")
    assert segments["Segment"].tolist() == [s[1] for s in honorabilite.SEGMENTS]
    months = frame_with(at, "Mois de transmission")
    assert months["Demandes"].tolist() == honorabilite.monthly(data, period)["demandes"].tolist()
    assert len(at.get("plotly_chart")) == 4


def test_changing_the_target_changes_the_share_within_target(page):
    at, data, period = page
    before = honorabilite.summary(data, period, target=3)["part_dans_objectif"]
    after = honorabilite.summary(data, period, target=5)["part_dans_objectif"]
    assert before != after
    at.number_input[0].set_value(5).run()
    assert not at.exception, at.exception
    shown = [(m.label, m.value) for m in at.metric]
    assert shown[2] == ("B2 / FIJAIS dans l'objectif", percent(after))
    assert "5 jours ouvrés ou moins" in at.metric[2].help
    assert at.subheader[0].value.endswith("(objectif : 5 jours ouvrés)")
    late = honorabilite.pending(data, period, {"cd_b2_fijais": 5})["en_retard"].sum()
    assert shown[4] == ("Demandes en retard sur l'objectif", number(int(late)))
    by_month = honorabilite.monthly(data, period, target=5)["part_dans_objectif"]
    shown_months = frame_with(at, "Mois de transmission")["Part dans l'objectif"]
    assert shown_months.tolist() == [percent(v) for v in by_month]


def test_one_unit_at_a_time_and_the_target_drawn(page):
    at, data, period = page
    b2 = honorabilite.summary(data, period)
    spread = pio.from_json(at.get("plotly_chart")[0].proto.spec)
    target = honorabilite.DEFAULT_TARGET_WORKING_DAYS
    assert [s.x0 for s in spread.layout.shapes] == [target + 0.5]  # the target line
    working = honorabilite.delay_distribution(data, period, working_days=True)
    assert list(spread.data[0].y) == working["traitees"].tolist()
    months = frame_with(at, "Mois de transmission")  # segments alone stay in calendar days
    assert "Délai médian du contrôle (jours ouvrés)" in months.columns
    assert "Délai médian du contrôle (jours)" not in months.columns

    at.radio(key="honorabilite_unite").set_value("jours calendaires").run()
    assert not at.exception, at.exception
    shown = dict((m.label, m.value) for m in at.metric)
    assert shown["Délai médian B2 / FIJAIS (jours calendaires)"] == in_days(
        b2["delai_median_jours"]
    )
    assert not any("ouvrés" in m.label for m in at.metric)
    spread = pio.from_json(at.get("plotly_chart")[0].proto.spec)
    assert not spread.layout.shapes
    calendar = honorabilite.delay_distribution(data, period)
    assert list(spread.data[0].y) == calendar["traitees"].tolist()
    assert any("L'objectif se compte en jours ouvrés" in c.value for c in at.caption)
