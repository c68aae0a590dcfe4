"""One name, one number: every tile of every page is named by the catalogue of figures, and
a name shown on several pages shows the same value there for the same filters; every number
of the comité pack is the one its page shows for the same period and scope (demo database,
under AppTest, as an administrator)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import registry
from dashboard.markdown import plain
from dashboard.sections import in_french, share_columns
from dashboard.widgets import for_display
from domain.formatting import count, number
from indicators.catalogue import BY_ID, figure_names, shown
from indicators.catalogue import name as named
from indicators.committee import Pack, Section
from indicators.dataset import Filters
from indicators.followup import NOT_PROVIDED
from reports.pack import Scope, build_pack
from store.db import make_engine
from tests.helpers import as_viewer, default_period

ROOT = Path(__file__).resolve().parent.parent
FIGURE_PAGES = ["synthese", "entonnoir", "honorabilite", "associations", "territoires", "durees"]
FIGURE_PAGES += ["qualite"]


_RUNS: dict[tuple[str, str | None], AppTest] = {}  # the demo's pages, run once per process


def run(stem: str, association: str | None = None) -> AppTest:
    if (stem, association) in _RUNS:
        return _RUNS[stem, association]
    at = as_viewer(AppTest.from_file(str(ROOT / registry.page(stem).path), default_timeout=90))
    at.run()
    if association is not None:
        at.sidebar.selectbox(key="f_association").set_value(association).run()
    assert not at.exception, (stem, at.exception)
    _RUNS[stem, association] = at
    return at


def tiles_by_name(association: str | None) -> tuple[dict[str, dict[str, str]], dict]:
    shown: dict[str, dict[str, str]] = defaultdict(dict)  # name -> page -> value
    pages = {}
    for stem in FIGURE_PAGES:
        at = run(stem, association)
        pages[stem] = at
        for metric in at.metric:
            shown[metric.label][stem] = metric.value
    return shown, pages


@pytest.mark.parametrize("association", [None, "Envol Mentorat Nord"])
def test_one_name_one_number_on_every_page(demo_app, association):
    shown, pages = tiles_by_name(association)
    unknown = set(shown) - set(figure_names())
    assert not unknown, f"tiles named outside the catalogue: {unknown}"
    for name, values in shown.items():
        assert len(set(values.values())) == 1, (name, values)
    on_several = {name for name, values in shown.items() if len(values) > 1}
    # the test compares something: the Synthèse shares figures with three pages
    expected = {
        "Part rurale",
        "Délai médian B2 / FIJAIS (jours ouvrés)",
        "B2 / FIJAIS dans l'objectif",
    }
    assert expected <= on_several

    # « parcours bloqués »: one threshold, so the Synthèse alert counts what Entonnoir lists
    blocked = shown["Parcours bloqués"]["entonnoir"].replace("\u202f", "")
    alerts = [e.value for e in pages["synthese"].error]
    stuck = [a.replace("\u202f", "") for a in alerts if "parcours sans nouvelle étape" in a]
    if int(blocked):
        assert re.match(rf"\*\*{blocked} parcours sans nouvelle étape depuis 90 jours", stuck[0])
    else:
        assert not stuck


# --- the comité pack against the pages --------------------------------------------------


def _text(value) -> str:
    """A cell as compared: spaces (thin, non-breaking) left out."""
    return re.sub(r"\s", "", str(value))


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _as_shown(section: Section) -> pd.DataFrame:
    """The section's table formatted as a page formats its tables (catalogue names, shares
    as percentages, French numbers)."""
    frame = pd.DataFrame(section.rows, columns=section.columns)
    return for_display(in_french(frame, section.labels), share_columns(frame))


def _page_table(at: AppTest, pack_table: pd.DataFrame, key: str | None) -> pd.DataFrame:
    """The page's table holding the key column and most of the pack table's columns."""
    tables = [d.value for d in at.dataframe if key is None or key in d.value.columns]
    best = max(tables, key=lambda t: len(set(t.columns) & set(pack_table.columns)))
    return best


# pack section -> (the page showing it, the column naming its rows; None: rows in order)
SECTION_TABLES = {
    "entonnoir": ("entonnoir", "Étape"),
    "honorabilite": ("honorabilite", "Voie"),
    "honorabilite_mois": ("honorabilite", "Mois de transmission"),
    "associations": ("associations", "Association"),
    "territoires": ("territoires", None),
    "epci": ("territoires", "EPCI"),
    "distance": ("territoires", "Distance"),
    "durees": ("durees", "Motif de fin"),
    "conformite": ("qualite", "Règle"),
}
# pack section -> its figures' page
SECTION_FIGURES = {"honorabilite": "honorabilite", "territoires": "territoires", "durees": "durees"}
# the « Qualité des binômes » columns (count, base) -> the row of the Suivi des binômes table
QUALITY_ROWS = {
    ("binomes_actifs", None): "Binômes actifs",
    ("sans_rencontre_30j", "binomes_actifs"): "Sans rencontre depuis plus de 30 jours / actifs",
    ("rythme_dans_la_norme", "rythme_evalues"): "Rythme dans la norme (2 à 4 par mois) / évalués",
    ("ruptures_precoces", "cohorte_ruptures"): "Ruptures précoces / cohorte",
    ("bilans_faits", "bilans_attendus"): "Bilans à 3 mois faits / attendus",
    ("jeunes_satisfaits", "jeunes_repondants"): "Jeunes satisfaits / répondants",
    ("mentors_satisfaits", "mentors_repondants"): "Mentors satisfaits / répondants",
}


def _compare_table(pack: Pack, section_id: str, association: str | None) -> int:
    """Every cell of the section's table equals the page's; returns the cells compared."""
    stem, key = SECTION_TABLES[section_id]
    ours = _as_shown(pack.section(section_id))
    theirs = _page_table(run(stem, association), ours, key)
    section = pack.section(section_id)
    figures = {BY_ID[c].name for c in section.columns if c in BY_ID and BY_ID[c].is_figure}
    shared = [c for c in ours.columns if c in theirs.columns and c in figures]
    assert shared, (section_id, list(ours.columns), list(theirs.columns))
    if key is None:
        assert len(ours) == len(theirs), section_id
        pairs = zip(ours.to_dict("records"), theirs.to_dict("records"), strict=True)
    else:
        by_key = {_text(r[key]): r for r in theirs.to_dict("records")}
        assert set(by_key) >= {_text(k) for k in ours[key]}, section_id
        pairs = ((r, by_key[_text(r[key])]) for r in ours.to_dict("records"))
    compared = 0
    for mine, page in pairs:
        for column in shared:
            assert _text(mine[column]) == _text(page[column]), (section_id, column, mine, page)
            compared += 1
    return compared


@pytest.mark.parametrize("association", [None, "Envol Mentorat Nord"])
def test_every_number_of_the_pack_is_the_pages(demo_app, association):
    """The pack built for the pages' default period and scope: its key figures and their
    comparison are the Synthèse's tiles, each section's table is the page's table, each
    section's figures the page's tiles (Honorabilité: the B2 / FIJAIS voie; Durée des
    binômes: every binôme started by the as-of date, the page's default)."""
    from indicators.dataset import Dataset
    from store.queries import dataset_frames

    period = default_period()
    engine = make_engine(demo_app)
    with engine.connect() as conn:
        data = Dataset(**dataset_frames(conn))
    pack = build_pack(engine, data, period, scope=Scope(Filters(association=association)))
    engine.dispose()
    synthese = run("synthese", association)
    assert f"du {period.du:%d/%m/%Y} au {period.au:%d/%m/%Y}" in synthese.caption[0].value

    # key figures, now and in the comparison period (the previous one, as on the Synthèse)
    tiles = {**_tiles(run("entonnoir", association)), **_tiles(synthese)}
    helps = {m.label: m.help.rsplit(" : ", 1)[1] for m in synthese.metric}
    assert (pack.comparison_du, pack.comparison_au) == (
        period.previous().du,
        period.previous().au,
    )
    for figure in pack.figures:
        assert tiles[named(figure.id)] == shown(figure.id, figure.now), figure
        if named(figure.id) in helps:  # « Parcours bloqués » is on Entonnoir, without one
            assert helps[named(figure.id)] == shown(figure.id, figure.before), figure

    # the alerts, in the Synthèse's order
    said = [e.value for e in synthese.error] + [s.value for s in synthese.success]
    for alert in pack.alerts:
        text = alert["calm"] if alert["finding"] is None else f"**{plain(alert['finding'])}**"
        assert any(s.startswith(text) for s in said), alert

    # each section's table and figures
    compared = sum(_compare_table(pack, s, association) for s in SECTION_TABLES)
    assert compared > 100
    for section_id, stem in SECTION_FIGURES.items():
        page = _tiles(run(stem, association))
        for id_, value in pack.section(section_id).figures:
            assert page[named(id_)] == shown(id_, value), (section_id, id_)
    imbalance = pack.section("associations").note
    infos = " ".join(i.value for i in run("associations", association).info)
    for line in filter(None, (imbalance or "").split(". ")):
        assert _text(plain(line.rstrip("."))) in _text(infos), line

    # retention at 3, 6 and 12 months: the Durée des binômes tiles and their words
    durees = run("durees", association)
    words = " ".join(c.value for c in durees.caption)
    for label, share, _low, _high, at_risk in pack.section("maintien").rows:
        months = int(label.split()[0])
        reading = re.search(rf"{label} : ([^;]*?)(?: ;|\. Binômes)", pack.section("maintien").note)
        lecture = reading.group(1)
        tile = _tiles(durees)[named(f"part_{months}_mois")]
        if lecture.startswith("fragile"):
            assert tile == "Fragile"
            assert f"{lecture[:1].upper()}{lecture[1:]} ({count(at_risk, 'binôme')})" in words
        elif share is None:
            assert tile == shown(f"part_{months}_mois", None)
        else:
            assert tile == shown(f"part_{months}_mois", share)
            assert lecture in words and count(at_risk, "binôme") in words

    # binômes' follow-up quality: each association's column of Suivi des binômes; the
    # « Ensemble » row is what the Synthèse's alerts count
    table = run("suivi_binomes", association).dataframe[0].value.set_index("Indicateur")
    section = pack.section("qualite")
    rows = {row[0]: dict(zip(section.columns, row, strict=True)) for row in section.rows}
    for association_name, row in rows.items():
        if association_name == "Ensemble":
            continue
        for (value, base), label in QUALITY_ROWS.items():
            expected = (
                NOT_PROVIDED
                if row[value] is None
                else number(row[value])
                if base is None
                else f"{number(row[value])} / {number(row[base])}"
            )
            assert table.loc[label, association_name] == expected, (association_name, label)
    everyone = rows["Ensemble"]
    silent = [s for s in said if "sans rencontre depuis plus de 30 jours" in s]
    if everyone["sans_rencontre_30j"]:
        assert _text(silent[0]).startswith(f"**{number(everyone['sans_rencontre_30j'])}binôme")
    else:
        assert not [s for s in silent if s.startswith("**")]
    broken = [s for s in said if "précoce" in s and s.startswith("**")]
    if everyone["ruptures_precoces"]:
        assert _text(broken[0]).startswith(
            _text(f"**{number(everyone['ruptures_precoces'])} rupture")
        )
        assert _text(f"sur {number(everyone['cohorte_ruptures'])} binômes") in _text(broken[0])
