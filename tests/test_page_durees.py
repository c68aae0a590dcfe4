"""The Durée des binômes page under AppTest on the demo database: tiles, retention at 3, 6
and 12 months with its 95 % interval (or « fragile »), survival curve and end reasons equal
the durations indicators computed here."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import numpy as np
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from domain.formatting import count, number, percent
from indicators import durations
from indicators.dataset import Filters
from tests.helpers import as_viewer, default_period

ROOT = Path(__file__).resolve().parent.parent
ASSOCIATION = "Envol Mentorat Nord"
NNBSP = "\u202f"


def run_page(**address) -> AppTest:
    at = as_viewer(AppTest.from_file(str(ROOT / "pages" / "durees.py"), default_timeout=60))
    for name, value in address.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def tiles(facts: dict, horizons) -> dict[str, str]:
    median = facts["duree_mediane_jours"]
    shown = {
        "Binômes démarrés pris en compte": number(facts["binomes_suivis"]),
        "Binômes terminés": number(facts["binomes_termines"]),
        "Durée médiane des binômes": "–" if median is None else f"{number(median)} j",
    }
    for row in horizons.itertuples():
        share = "–" if row.survie != row.survie else percent(row.survie)
        shown[f"Durent au moins {row.mois} mois"] = "Fragile" if row.fragile else share
        assert facts[f"part_{row.mois}_mois"] == (None if share == "–" else row.survie)
    return shown


def numbers_of(array) -> list[float]:
    """A trace's values: Plotly's JSON may hold them as a typed array in base64."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def retention_captions(at: AppTest) -> list[str]:
    words = ("IC 95", "ragile", "estimable")
    return [c.value for c in at.caption if any(w in c.value for w in words)]


def shown_tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_tiles_curve_and_end_reasons_of_every_binome_by_au(demo_app, demo_dataset):
    at = run_page()
    au = default_period().au
    facts = durations.summary(demo_dataset, None, au)
    horizons = durations.retention_by_horizon(demo_dataset, None, au)
    assert facts["binomes_suivis"] > 0 and facts["part_6_mois"] is not None
    assert shown_tiles(at) == tiles(facts, horizons)
    median = facts["duree_mediane_jours"]
    months = number(median / (365.25 / 12), 1)
    assert f"Durée médiane : {number(median)} jours, soit {months} mois." in [
        c.value for c in at.caption
    ]
    assert len(retention_captions(at)) == 3
    three = horizons.iloc[0]
    assert not three["fragile"]  # hundreds of binômes followed 3 months
    assert retention_captions(at)[0] == (
        f"{three['lecture']} ; {count(three['a_risque'], 'binôme')} encore suivis à 3 mois."
    )
    assert three["lecture"] == (
        f"{percent(three['survie'])} (IC 95{NNBSP}% : {number(three['ic_bas'] * 100, 1)} – "
        f"{percent(three['ic_haut'])})"
    )

    curve = durations.survival_curve(demo_dataset, None, au)
    traces = pio.from_json(at.get("plotly_chart")[0].proto.spec).data
    (line,) = [t for t in traces if t.name == "Binômes encore en cours"]
    assert line.line.shape == "hv"
    upper, lower = traces[0], traces[1]  # the interval's band, under the curve
    assert numbers_of(upper.y) == pytest.approx(list(curve["ic_haut"] * 100))
    assert numbers_of(lower.y) == pytest.approx(list(curve["ic_bas"] * 100))
    assert lower.fill == "tonexty" and lower.name == "Intervalle de confiance à 95 %"
    table = at.dataframe[0].value
    assert table["Jours depuis le démarrage"].tolist() == curve["jours"].tolist()
    assert table["Encore en cours (estimation)"].tolist() == [percent(s) for s in curve["survie"]]
    assert table["IC 95 % : borne basse"].tolist() == [percent(s) for s in curve["ic_bas"]]
    assert table["IC 95 % : borne haute"].tolist() == [percent(s) for s in curve["ic_haut"]]
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
    horizons = durations.retention_by_horizon(demo_dataset, default_period())
    assert shown_tiles(at) == tiles(facts, horizons)
    assert facts["part_12_mois"] is None  # nobody started in the last 12 months ran 365 days
    assert shown_tiles(at)["Durent au moins 12 mois"] == "–"
    assert retention_captions(at)[-1] == (
        "Pas encore estimable : aucun binôme suivi jusqu'à 12 mois."
    )


def test_association_filter_gives_its_binomes_only(demo_app, demo_dataset):
    at = run_page()
    at.sidebar.selectbox(key="f_association").set_value(ASSOCIATION).run()
    assert not at.exception, at.exception
    mine = demo_dataset.scoped(Filters(association=ASSOCIATION))
    facts = durations.summary(mine, None, default_period().au)
    everyone = durations.summary(demo_dataset, None, default_period().au)
    assert 0 < facts["binomes_suivis"] < everyone["binomes_suivis"]
    horizons = durations.retention_by_horizon(mine, None, default_period().au)
    assert shown_tiles(at) == tiles(facts, horizons)


def test_few_binomes_followed_a_year_is_fragile_not_a_percentage(demo_app, demo_dataset):
    # One small association as of 31/10/2026 (fixed, the demo's date): 81 binômes followed
    # 3 months, 3 followed 12 months.
    small = "La Boussole Mentorat"
    at = run_page(association=small, du="2025-11-01", au="2026-10-31")
    mine = demo_dataset.scoped(Filters(association=small))
    horizons = durations.retention_by_horizon(mine, None, dt.date(2026, 10, 31))
    assert horizons["a_risque"].tolist() == [81, 46, 3]
    assert horizons["fragile"].tolist() == [False, False, True]
    twelve = horizons.iloc[2]
    assert twelve["survie"] > 0  # an estimate exists, and is not shown bare
    assert shown_tiles(at)["Durent au moins 12 mois"] == "Fragile"
    three, six, fragile = retention_captions(at)
    assert fragile == "Fragile : moins de 20 binômes encore suivis à 12 mois (3 binômes)."
    assert percent(twelve["survie"]) not in fragile
    row = horizons.iloc[0]
    assert three == (
        f"{percent(row['survie'])} (IC 95{NNBSP}% : {number(row['ic_bas'] * 100, 1)} – "
        f"{percent(row['ic_haut'])}) ; 81 binômes encore suivis à 3 mois."
    )
    assert shown_tiles(at)["Durent au moins 3 mois"] == percent(row["survie"])
    assert six.endswith("; 46 binômes encore suivis à 6 mois.") and "IC 95" in six
