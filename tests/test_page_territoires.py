"""The Territoires page under AppTest on the demo database: rural/urban tiles, the offline
map and the uncovered communes equal the coverage indicators computed here."""

from __future__ import annotations

from pathlib import Path

import plotly.io as pio
from streamlit.testing.v1 import AppTest

from domain.formatting import number, percent
from indicators import coverage
from indicators.dataset import Filters
from tests.helpers import as_viewer, default_period, shown_number
from tests.test_page_suivi_binomes import filled as suivi_base

ROOT = Path(__file__).resolve().parent.parent


def run_page() -> AppTest:
    at = as_viewer(AppTest.from_file(str(ROOT / "pages" / "territoires.py"), default_timeout=60))
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_rural_urban_tiles_and_tables(demo_app, demo_dataset):
    at = run_page()
    period = default_period()
    split = coverage.rural_urban(demo_dataset, period)
    rural, urban = split.loc["rural", "jeunes_inscrits"], split.loc["urbain", "jeunes_inscrits"]
    assert metrics(at)["Part rurale"] == percent(round(rural / (rural + urban), 4))
    rows = at.dataframe[1].value.set_index("Classe")
    assert rows["Jeunes inscrits"].tolist() == split["jeunes_inscrits"].tolist()
    for classe in ("rural", "urbain"):
        row, expected = rows.loc[classe], split.loc[classe]
        assert row["Démarrages"] == expected["demarrages"]
        assert row["Part en présentiel"] == percent(expected["part_presentiel"])
        assert row["Délai médian inscription → démarrage"] == shown_number(
            expected["delai_avant_demarrage"]
        )
        assert row["Distance médiane à une antenne (km)"] == shown_number(
            expected["distance_mediane_km"]
        )

    communes = coverage.by_commune(demo_dataset, period)
    table = at.dataframe[2].value
    assert table["Code INSEE"].tolist() == communes["insee"].tolist()
    assert table["Jeunes inscrits"].sum() == communes["jeunes_inscrits"].sum()

    bands = coverage.distance_bands(demo_dataset, period)
    table = at.dataframe[3].value
    assert table["Distance"].tolist() == bands["tranche"].tolist()
    assert table["Jeunes inscrits"].tolist() == bands["jeunes_inscrits"].tolist()
    assert (
        table["Jeunes inscrits"].sum() == split["jeunes_inscrits"].sum()
    )  # every youth of the cohort
    epci = coverage.by_epci(demo_dataset, period)
    assert at.dataframe[5].value["EPCI"].tolist() == epci["epci_nom"].tolist()


def test_insee_s_three_classes_then_its_seven_levels_with_the_definition(demo_app, demo_dataset):
    at = run_page()
    period = default_period()
    classes = coverage.density_grid(demo_dataset, period)
    table = at.dataframe[0].value.set_index("Classe (grille de l'INSEE)")
    assert table.index.tolist()[:3] == ["Dense", "Intermédiaire", "Rural"]
    assert table["Jeunes inscrits"].tolist() == classes["jeunes_inscrits"].tolist()
    split = coverage.rural_urban(demo_dataset, period)
    assert table.loc["Rural", "Jeunes inscrits"] == split.loc["rural", "jeunes_inscrits"]
    assert (
        table.loc["Dense", "Jeunes inscrits"] + table.loc["Intermédiaire", "Jeunes inscrits"]
        == split.loc["urbain", "jeunes_inscrits"]
    )
    chart = pio.from_json(at.get("plotly_chart")[0].proto.spec)
    assert list(chart.data[0].x)[:3] == ["Dense", "Intermédiaire", "Rural"]
    captions = [c.value for c in at.caption]
    assert any("grille communale de densité de l'INSEE, édition 2024" in c for c in captions)

    at.toggle(key="sept_niveaux").set_value(True).run()
    assert not at.exception, at.exception
    levels = at.dataframe[0].value.set_index("Niveau de densité")
    assert levels.index.tolist()[:7] == [
        "1 – Grands centres urbains",
        "2 – Centres urbains intermédiaires",
        "3 – Ceintures urbaines",
        "4 – Petites villes",
        "5 – Bourgs ruraux",
        "6 – Rural à habitat dispersé",
        "7 – Rural à habitat très dispersé",
    ]
    rural_levels = levels["Jeunes inscrits"].iloc[4:7].sum()
    assert rural_levels == split.loc["rural", "jeunes_inscrits"]


def test_offline_map_draws_outlines_youths_uncovered_and_antennes(demo_app, demo_dataset):
    at = run_page()
    period = default_period()
    fig = pio.from_json(at.get("plotly_chart")[1].proto.spec)
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
    assert f"{number(int(top['jeunes_inscrits']))} jeunes" in youths.text[0]

    far = coverage.uncovered_communes(demo_dataset, period.au, 30)
    assert len(uncovered.text) == len(far) > 0
    assert list(antennes.text) == demo_dataset.antennes["nom"].tolist()
    assert antennes.marker.symbol == "star"

    shown = at.dataframe[4].value
    assert shown["Code INSEE"].tolist() == far["insee"].tolist()
    assert metrics(at)["Communes non couvertes avec des jeunes en attente"] == number(len(far))


def test_radius_changes_the_uncovered_communes(demo_app, demo_dataset):
    at = run_page()
    at.slider[0].set_value(20).run()
    assert not at.exception, at.exception
    far = coverage.uncovered_communes(demo_dataset, default_period().au, 20)
    assert len(far) > len(coverage.uncovered_communes(demo_dataset, default_period().au, 30))
    assert metrics(at)["Communes non couvertes avec des jeunes en attente"] == number(len(far))
    fig = pio.from_json(at.get("plotly_chart")[1].proto.spec)
    assert fig.data[3].name == "Jeunes en attente à plus de 20 km d'une antenne"
    assert len(fig.data[3].text) == len(far)


def test_rural_filter_leaves_urban_tiles_empty(demo_app, demo_dataset):
    at = run_page()
    at.sidebar.selectbox(key="f_classe").set_value("rural").run()
    assert not at.exception, at.exception
    split = coverage.rural_urban(demo_dataset.scoped(Filters(classe="rural")), default_period())
    assert metrics(at)["Part rurale"] == percent(1.0)
    rows = at.dataframe[1].value.set_index("Classe")
    assert rows.loc["rural", "Jeunes inscrits"] == split.loc["rural", "jeunes_inscrits"]
    assert rows.loc["urbain", "Jeunes inscrits"] == 0
    assert rows.loc["urbain", "Délai médian inscription → démarrage"] == "–"


filled = suivi_base  # a base filled through the import, without the associations' referential


def test_without_the_associations_referential_nothing_is_called_uncovered(filled):
    """A base without antennes (no referential imported): the page says that distances and
    coverage need it and links to the import; no distance table, no « non couverte »."""
    at = run_page()
    warnings = [w.value for w in at.warning]
    assert coverage.NO_ANTENNE in warnings
    captions = [c.value for c in at.caption]
    assert "Voir la page « Importer »." in captions  # the link, as text when run alone
    headers = [h.value for h in at.subheader] + [h.value for h in at.header]
    assert not any("Distance" in h or "Communes sans antenne" in h for h in headers)
    assert "Communes non couvertes avec des jeunes en attente" not in metrics(at)
