"""The Synthèse page under AppTest on the demo database: every tile and alert equals a
figure computed here, independently, from the indicator functions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from domain.formatting import number, percent
from indicators import compliance, coverage, followup, funnel, honorabilite, workload
from indicators.dataset import Dataset, Period
from store import queries
from store.db import make_engine
from tests.helpers import as_viewer, default_period

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "synthese.py")


def demo_dataset(url: str) -> Dataset:
    engine = make_engine(url)
    with engine.connect() as conn:
        data = Dataset(**queries.dataset_frames(conn))
    engine.dispose()
    return data


def started(data: Dataset, period: Period) -> tuple[int, int]:
    """(youths registered in the period, of whom started by au), counted directly."""
    p = data.parcours
    cohort = p[(p["date_inscription"] >= period.start) & (p["date_inscription"] <= period.end)]
    return len(cohort), int((cohort["date_debut"] <= period.end).sum())


def in_days(value: float) -> str:
    return f"{number(value, 1 if value % 1 else 0)} j"


@pytest.fixture
def page(demo_app):
    """The page run on the demo database, the same data read here, the default period."""
    at = as_viewer(AppTest.from_file(PAGE, default_timeout=60)).run()
    return at, demo_dataset(demo_app), default_period()


def test_tiles_show_the_figures_of_the_period(page):
    at, data, period = page
    assert not at.exception, at.exception
    assert at.title[0].value == "Synthèse"
    shown = {m.label: m.value for m in at.metric}
    youths, starts = started(data, period)
    p = data.parcours
    cohort = p[period.contains(p["date_inscription"])]
    days = (cohort["date_debut"] - cohort["date_inscription"]).dt.days
    days = days[(cohort["date_debut"] <= period.end) & (days >= 0)]
    b2 = honorabilite.summary(data, period)
    places = coverage.rural_urban(data, period)["jeunes_inscrits"]
    assert shown == {
        "Jeunes inscrits": number(youths),
        "Binômes démarrés (cohorte)": number(starts),
        "Binômes actifs": number(
            int(workload.association_load(data, period.au)["binomes_actifs"].sum())
        ),
        "Taux de démarrage": percent(round(starts / youths, 4)),
        "Délai médian inscription → démarrage": in_days(float(np.median(days))),
        "Délai médian B2 / FIJAIS (jours ouvrés)": in_days(b2["delai_median_jours_ouvres"])
        + " ouvrés",
        "B2 / FIJAIS dans l'objectif": percent(b2["part_dans_objectif"]),
        "Part rurale": percent(round(places["rural"] / (places["rural"] + places["urbain"]), 4)),
    }


def test_tiles_compare_with_the_previous_period(page):
    at, data, period = page
    tiles = {m.label: m for m in at.metric}
    diff = started(data, period)[0] - started(data, period.previous())[0]
    assert diff != 0  # the demo grows: the comparison has something to say
    youths = tiles["Jeunes inscrits"]
    sign = "+" if diff > 0 else "−"
    assert youths.delta == f"{sign}{number(abs(diff))}"
    good, bad = MetricProto.MetricColor.GREEN, MetricProto.MetricColor.RED
    assert youths.proto.color == (good if diff > 0 else bad)
    # a delay that goes down is good: green with a down arrow, red with an up arrow
    delay = tiles["Délai médian inscription → démarrage"]
    if delay.delta.startswith("−"):
        assert (delay.proto.color, delay.proto.direction) == (good, MetricProto.DOWN)
    elif delay.delta.startswith("+"):
        assert (delay.proto.color, delay.proto.direction) == (bad, MetricProto.UP)
    share = tiles["B2 / FIJAIS dans l'objectif"]
    now = honorabilite.summary(data, period)["part_dans_objectif"]
    before = honorabilite.summary(data, period.previous())["part_dans_objectif"]
    points = round((now - before) * 100, 1)
    assert share.delta == ("+" if points > 0 else "−") + number(abs(points), 1) + " pts"


def test_alerts_give_the_counts_and_what_to_do(page):
    at, data, period = page
    waiting = honorabilite.pending(data, period)
    late = int(waiting["en_retard"].sum())
    blocked = funnel.stuck(data, period, 90)
    critical = [
        c for c in compliance.counts(data, period.au) if c["gravite"] == "critique" and c["nombre"]
    ]
    alerts = [e.value for e in at.error]
    assert late and len(blocked) and critical  # all three happen in the demo
    # every kind, the critical compliance breaches first
    total = sum(c["nombre"] for c in critical)
    assert alerts[0].startswith(f"**{total} alertes de conformité critiques (")
    assert "mineur démarré sans autorisation parentale : " in alerts[0]
    assert alerts[1].startswith(f"**{number(late)} demandes d'honorabilité en retard")
    assert alerts[2].startswith(f"**{number(len(blocked))} parcours sans nouvelle étape")
    assert f"depuis {number(int(blocked['jours_sans_etape'].max()))} jours" in alerts[2]
    # the binômes' follow-up: silent pairs, then early breaks (both in the demo)
    silent = followup.silent_pairs(data, period.au)
    breaks = followup.figures(data, period)["ruptures_precoces"]
    assert len(silent) and breaks["ruptures"]
    assert alerts[3].startswith(
        f"**{number(len(silent))} binômes actifs sans rencontre depuis plus de 30 jours"
    )
    assert alerts[4].startswith(
        f"**{number(breaks['ruptures'])} ruptures précoces (fin avant 3 mois, hors objectifs "
        f"atteints) sur {number(breaks['cohorte'])} binômes"
    )
    assert all("À faire :" in a for a in alerts)
    # each alert points to the page that lists it (as text when the page runs alone)
    links = [c.value for c in at.caption if c.value.startswith("Voir la page")]
    assert links[:5] == [
        "Voir la page « Qualité et conformité ».",
        "Voir la page « Honorabilité ».",
        "Voir la page « Entonnoir ».",
        "Voir la page « Suivi des binômes ».",
        "Voir la page « Suivi des binômes ».",
    ]
    loads = workload.association_load(data, period.au)
    if (loads["taux_charge"] >= workload.OVERLOAD).any():
        assert len(alerts) == 6
    else:
        assert [s.value for s in at.success] == ["Aucune association au-delà de sa capacité."]


def test_tables_hold_both_periods_and_the_funnel(page):
    at, data, period = page
    tiles = at.dataframe[0].value
    assert len(tiles) == 2 and tiles.iloc[0]["Jeunes inscrits"] == started(data, period)[0]
    steps = at.dataframe[1].value
    expected = funnel.funnel(data, period)["effectif"].tolist()
    assert steps["Parcours ayant atteint l'étape"].tolist() == expected
    assert len(at.get("plotly_chart")) == 1
