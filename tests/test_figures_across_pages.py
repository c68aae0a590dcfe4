"""One name, one number: every tile of every page is named by the catalogue of figures, and
a name shown on several pages shows the same value there for the same filters (demo
database, under AppTest, as an administrator)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import registry
from indicators.catalogue import figure_names
from tests.helpers import as_viewer

ROOT = Path(__file__).resolve().parent.parent
FIGURE_PAGES = ["synthese", "entonnoir", "honorabilite", "associations", "territoires", "durees"]
FIGURE_PAGES += ["qualite"]


def run(stem: str, association: str | None = None) -> AppTest:
    at = as_viewer(AppTest.from_file(str(ROOT / registry.page(stem).path), default_timeout=90))
    at.run()
    if association is not None:
        at.sidebar.selectbox(key="f_association").set_value(association).run()
    assert not at.exception, (stem, at.exception)
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
