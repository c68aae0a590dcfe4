"""The Durée des binômes page under AppTest on the demo database: tiles, survival curve and
end reasons equal the durations indicators computed here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import plotly.io as pio
from streamlit.testing.v1 import AppTest

from domain.formatting import number, percent
from indicators import durations
from indicators.dataset import Filters, Period
from tests.helpers import as_viewer

ROOT = Path(__file__).resolve().parent.parent
ASSOCIATION = "Envol Mentorat Nord"


def run_page() -> AppTest:
    at = as_viewer(AppTest.from_file(str(ROOT / "pages" / "durees.py"), default_timeout=60))
    at.run()
    assert not at.exception, at.exception
    return at


def default_period() -> Period:
    return Period.last_months(dt.date.today(), 12)


def tiles(facts: dict) -> dict[str, str]:
    median = facts["duree_mediane_jours"]
    return {
        "Binômes démarrés pris en compte": number(facts["binomes_suivis"]),
        "Binômes terminés": number(facts["binomes_termines"]),
        "Durent au moins 6 mois": percent(facts["part_6_mois"]),
        "Durent au moins 12 mois": percent(facts["part_12_mois"]),
        "Durée médiane des binômes": "–" if median is None else f"{number(median)} j",
    }


def shown_tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_tiles_curve_and_end_reasons_of_every_binome_by_au(demo_app, demo_dataset):
    at = run_page()
    au = default_period().au
    facts = durations.summary(demo_dataset, None, au)
    assert facts["binomes_suivis"] > 0 and facts["part_6_mois"] is not None
    assert shown_tiles(at) == tiles(facts)

    curve = durations.survival_curve(demo_dataset, None, au)
    line = pio.from_json(at.get("plotly_chart")[0].proto.spec).data[0]
    assert line.line.shape == "hv"
    table = at.dataframe[0].value
    assert table["Jours depuis le démarrage"].tolist() == curve["jours"].tolist()
    assert table["Encore en cours (estimation)"].tolist() == [percent(s) for s in curve["survie"]]
    assert table["Binômes suivis jusque-là"].iloc[0] == facts["binomes_suivis"]

    reasons = durations.end_reasons(demo_dataset, None, au)
    bars = pio.from_json(at.get("plotly_chart")[1].proto.spec).data[0]
    assert list(bars.y) == reasons["libelle"].tolist()
    assert list(bars.text) == [
        f"{number(n)} ({percent(p)})"
        for n, p in zip(reasons["binomes_termines"], reasons["part"], strict=True)
    ]
    table = at.dataframe[1].value
    assert table["Binômes terminés"].sum() == facts["binomes_termines"]


def test_binomes_started_in_the_period(demo_app, demo_dataset):
    at = run_page()
    at.radio(key="durees_binomes").set_value(True).run()
    assert not at.exception, at.exception
    facts = durations.summary(demo_dataset, default_period())
    assert shown_tiles(at) == tiles(facts)
    assert facts["part_12_mois"] is None  # nobody started in the last 12 months ran 365 days
    assert shown_tiles(at)["Durent au moins 12 mois"] == "–"


def test_association_filter_gives_its_binomes_only(demo_app, demo_dataset):
    at = run_page()
    at.sidebar.selectbox(key="f_association").set_value(ASSOCIATION).run()
    assert not at.exception, at.exception
    mine = demo_dataset.scoped(Filters(association=ASSOCIATION))
    facts = durations.summary(mine, None, default_period().au)
    everyone = durations.summary(demo_dataset, None, default_period().au)
    assert 0 < facts["binomes_suivis"] < everyone["binomes_suivis"]
    assert shown_tiles(at) == tiles(facts)
