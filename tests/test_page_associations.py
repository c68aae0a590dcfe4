"""The Associations page under AppTest on the demo database: what it shows equals the load
indicators computed here on the same database for the default period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import plotly.io as pio
from streamlit.testing.v1 import AppTest

from domain.formatting import number, percent
from indicators import dispatch, workload
from indicators.dataset import Filters
from tests.helpers import as_viewer, default_period, shown_number

ROOT = Path(__file__).resolve().parent.parent
ASSOCIATION = "La Boussole Mentorat"


def run_page() -> AppTest:
    at = as_viewer(AppTest.from_file(str(ROOT / "pages" / "associations.py"), default_timeout=60))
    at.run()
    assert not at.exception, at.exception
    return at


def figure(at: AppTest, index: int):
    return pio.from_json(at.get("plotly_chart")[index].proto.spec)


def load_labels(frame) -> list[str]:
    return [
        f"{number(a)} / {number(c)} ({percent(r, 0)})"
        for a, c, r in zip(
            frame["binomes_actifs"], frame["capacite"], frame["taux_charge"], strict=True
        )
    ]


def test_load_waiting_flow_and_readings_match_the_indicators(demo_app, demo_dataset):
    at = run_page()
    period = default_period()
    expected = workload.association_load(demo_dataset, period.au)
    assert at.title[0].value == "Associations"

    shown = at.dataframe[0].value
    assert shown["Association"].tolist() == expected["association"].tolist()
    assert shown["Binômes actifs"].tolist() == expected["binomes_actifs"].tolist()
    assert shown["Jeunes en attente de mentor"].tolist() == (expected["en_attente_binome"].tolist())
    assert shown["Capacité (binômes financés)"].tolist() == expected["capacite"].tolist()
    assert shown["Taux de charge"].tolist() == [percent(r) for r in expected["taux_charge"]]
    bars = figure(at, 0).data[0]
    assert list(bars.text) == load_labels(expected)  # "196 / 300 (65 %)"

    readings = [
        i.value for i in at.info if not i.value.startswith(("Base de démonstration", "Choisissez"))
    ]
    assert readings == workload.imbalance(expected, demo_dataset.associations)
    assert readings  # the demo has under-used associations

    waiting = workload.waiting_summary(demo_dataset, period.au)
    shown = at.dataframe[1].value
    assert shown["Jeunes en attente de mentor"].tolist() == waiting["en_attente_binome"].tolist()
    assert shown["Attente médiane (jours)"].tolist() == [
        shown_number(m) for m in waiting["attente_mediane_jours"]
    ]
    detail = at.dataframe[2].value
    assert (
        len(detail)
        == len(workload.waiting(demo_dataset, period.au))
        == waiting["en_attente_binome"].sum()
    )

    inflow = workload.monthly_inflow(demo_dataset, period)
    shown = at.dataframe[3].value
    assert len(shown) == inflow["mois"].nunique()
    for name in expected["association"]:
        assert shown[name].sum() == inflow.loc[inflow["association"] == name, "attributions"].sum()

    delays = workload.median_days_to_mentor(demo_dataset, period)
    shown = at.dataframe[4].value
    assert shown["Jeunes mis en relation"].tolist() == delays["mis_en_relation"].tolist()
    share = workload.flow_share(demo_dataset, period)
    shown = at.dataframe[5].value
    assert (
        shown["Jeunes inscrits confiés à l'association"].tolist()
        == share["jeunes_confies"].tolist()
    )
    assert shown["Part du flux départemental"].tolist() == [
        percent(p) for p in share["part_du_flux"]
    ]


def test_dispatch_form_ranks_the_associations(demo_app, demo_dataset):
    at = run_page()
    at.selectbox(key="dispatch_commune").set_value("59350")
    at.multiselect(key="dispatch_objectifs").set_value(["scolarite", "insertion_pro"])
    at.selectbox(key="dispatch_modalite").set_value("presentiel")
    next(b for b in at.button if b.label == "Classer les associations").click()
    at.run()
    assert not at.exception, at.exception
    commune = at.selectbox(key="dispatch_commune")
    assert commune.format_func("59350") == "Lille (59350)"

    expected = dispatch.rank_associations(
        demo_dataset, default_period().au, "59350", ["scolarite", "insertion_pro"], "presentiel"
    )
    shown = at.dataframe[-1].value
    assert shown["Rang"].tolist() == expected["rang"].tolist()
    assert shown["Association"].tolist() == expected["association"].tolist()
    assert shown["Score (sur 100)"].tolist() == [shown_number(s) for s in expected["score"]]
    assert shown["Raisons"].tolist() == expected["raisons"].tolist()
    assert "dessert la commune" in shown["Raisons"].iloc[0]
    # shown once, as a table: no second list of the same ranking
    assert not any(m.value.startswith("1. **") for m in at.markdown)


def test_dispatch_waits_for_the_commune(demo_app):
    at = run_page()
    shown = [i.value for i in at.info]
    assert any(v.startswith("Choisissez la commune du jeune") for v in shown)
    assert not any("Rang" in d.value.columns for d in at.dataframe)


def test_association_filter_shows_that_association_only(demo_app, demo_dataset):
    at = run_page()
    at.sidebar.selectbox(key="f_association").set_value(ASSOCIATION).run()
    assert not at.exception, at.exception
    period = default_period()
    mine = demo_dataset.scoped(Filters(association=ASSOCIATION))
    expected = workload.association_load(mine, period.au)
    expected = expected[expected["association"] == ASSOCIATION]
    shown = at.dataframe[0].value
    assert shown["Association"].tolist() == [ASSOCIATION]
    assert shown["Binômes actifs"].tolist() == expected["binomes_actifs"].tolist()
    assert list(figure(at, 0).data[0].text) == load_labels(expected)
    waiting = at.dataframe[2].value
    assert set(waiting["Association"]) == {ASSOCIATION}
    share = at.dataframe[5].value
    assert share["Association"].tolist() == [ASSOCIATION]
    assert share["Part du flux départemental"].tolist() == [
        percent(1.0)
    ]  # the whole of its own flow
    # the dispatch ranking still ranks every association of the referential
    at.selectbox(key="dispatch_commune").set_value("59350")
    next(b for b in at.button if b.label == "Classer les associations").click()
    at.run()
    assert len(at.dataframe[-1].value) == len(demo_dataset.associations)


def test_the_monthly_flow_stops_at_the_data_date(demo_app):
    """A period ending two months after the data date (the demo's: 31/10/2026): the flow
    stops in October, November and December are not drawn as zero, and the page says so."""
    from domain.formatting import day, short_month

    data_date = default_period().au
    later = (pd.Timestamp(data_date) + pd.DateOffset(months=2)).date()
    at = as_viewer(AppTest.from_file(str(ROOT / "pages" / "associations.py"), default_timeout=60))
    at.query_params["du"] = "2026-01-01"
    at.query_params["au"] = later.isoformat()
    at.run()
    assert not at.exception, at.exception
    months = at.dataframe[3].value["Mois d'attribution"].tolist()
    assert months[0] == short_month(dt.date(2026, 1, 1))
    assert months[-1] == short_month(data_date)
    lines = figure(at, 2).data
    assert all(list(line.x)[-1] == short_month(data_date) for line in lines)
    said = " ".join(c.value for c in at.caption)
    assert f"Les mois après la date des données ({day(data_date)}) ne sont pas encore" in said
