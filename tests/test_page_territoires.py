"""The Territoires page under AppTest on the demo database: rural/urban tiles, the offline
map and the uncovered communes equal the coverage indicators computed here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import plotly.io as pio
from streamlit.testing.v1 import AppTest

from domain.formatting import number, percent
from indicators import coverage
from indicators.dataset import Filters, Period
from tests.helpers import as_viewer

ROOT = Path(__file__).resolve().parent.parent


def run_page() -> AppTest:
    at = as_viewer(AppTest.from_file(str(ROOT / "pages" / "territoires.py"), default_timeout=60))
    at.run()
    assert not at.exception, at.exception
    return at


def default_period() -> Period:
    return Period.last_months(dt.date.today(), 12)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_tiles(split) -> dict[str, str]:
    tiles = {}
    for classe in ("rural", "urbain"):
        row = split.loc[classe]
        tiles |= {
            f"Jeunes ({classe})": number(row["jeunes"]),
            f"Démarrages ({classe})": number(row["demarrages"]),
            f"En présentiel ({classe})": percent(row["part_presentiel"]),
            f"Délai médian ({classe})": f"{number(row['delai_median_jours'])} j",
            f"Distance médiane ({classe})": f"{number(row['distance_mediane_km'], 1)} km",
        }
    return tiles


def test_rural_urban_tiles_and_tables(demo_app, demo_dataset):
    at = run_page()
    period = default_period()
    split = coverage.rural_urban(demo_dataset, period)
    shown = metrics(at)
    for label, value in expected_tiles(split).items():
        assert shown[label] == value, label
    assert at.dataframe[0].value["Jeunes"].tolist() == split["jeunes"].tolist()

    communes = coverage.by_commune(demo_dataset, period)
    table = at.dataframe[1].value
    assert table["Code INSEE"].tolist() == communes["insee"].tolist()
    assert table["Jeunes"].sum() == communes["jeunes"].sum()

    bands = coverage.distance_bands(demo_dataset, period)
    table = at.dataframe[2].value
    assert table["Distance"].tolist() == bands["tranche"].tolist()
    assert table["Jeunes"].tolist() == bands["jeunes"].tolist()
    assert table["Jeunes"].sum() == split["jeunes"].sum()  # every youth of the cohort
    epci = coverage.by_epci(demo_dataset, period)
    assert at.dataframe[4].value["EPCI"].tolist() == epci["epci_nom"].tolist()


def test_offline_map_draws_outlines_youths_uncovered_and_antennes(demo_app, demo_dataset):
    at = run_page()
    period = default_period()
    fig = pio.from_json(at.get("plotly_chart")[0].proto.spec)
    assert [t.type for t in fig.data] == ["scatter"] * 5  # cartesian: no tiles, no CDN
    assert [t.name for t in fig.data] == [
        "Commune rurale (hachurée, pointillés)",
        "Commune urbaine (trait plein)",
        "Jeunes inscrits sur la période (taille du cercle)",
        "Jeunes en attente à plus de 30 km d'une antenne",
        "Antenne de mentorat (étoile)",
    ]
    rural, urbain, youths, uncovered, antennes = fig.data
    assert rural.fill == urbain.fill == "toself"
    assert rural.fillpattern.shape == "/" and rural.line.dash == "dot"  # not colour only
    assert urbain.line.dash is None
    assert fig.layout.yaxis.scaleanchor == "x"

    communes = coverage.by_commune(demo_dataset, period)
    placed = communes.dropna(subset=["latitude", "longitude"])
    assert len(youths.text) == len(placed)
    top = placed.iloc[0]
    assert youths.text[0].startswith(f"<b>{top['nom']}</b> ({top['insee']})")
    assert f"{number(int(top['jeunes']))} jeunes" in youths.text[0]

    far = coverage.uncovered_communes(demo_dataset, period.au, 30)
    assert len(uncovered.text) == len(far) > 0
    assert list(antennes.text) == demo_dataset.antennes["nom"].tolist()
    assert antennes.marker.symbol == "star"

    shown = at.dataframe[3].value
    assert shown["Code INSEE"].tolist() == far["insee"].tolist()
    assert metrics(at)["Communes non couvertes avec des jeunes en attente"] == number(len(far))


def test_radius_changes_the_uncovered_communes(demo_app, demo_dataset):
    at = run_page()
    at.slider[0].set_value(20).run()
    assert not at.exception, at.exception
    far = coverage.uncovered_communes(demo_dataset, default_period().au, 20)
    assert len(far) > len(coverage.uncovered_communes(demo_dataset, default_period().au, 30))
    assert metrics(at)["Communes non couvertes avec des jeunes en attente"] == number(len(far))
    fig = pio.from_json(at.get("plotly_chart")[0].proto.spec)
    assert fig.data[3].name == "Jeunes en attente à plus de 20 km d'une antenne"
    assert len(fig.data[3].text) == len(far)


def test_rural_filter_leaves_urban_tiles_empty(demo_app, demo_dataset):
    at = run_page()
    at.sidebar.selectbox(key="f_classe").set_value("rural").run()
    assert not at.exception, at.exception
    split = coverage.rural_urban(demo_dataset.scoped(Filters(classe="rural")), default_period())
    shown = metrics(at)
    assert shown["Jeunes (rural)"] == number(split.loc["rural", "jeunes"])
    assert shown["Jeunes (urbain)"] == "0"
    assert shown["Délai médian (urbain)"] == "–"
