"""What a person reads is French: every page of the demo département, under AppTest, shows
no raw code of a value table, no « None », « nan », « NaT », « True »/« False », no ISO
date and no English word Streamlit lets us replace — in titles, texts, tiles, and every
column name and cell of every table —, and every chart is given plotly's French (its
toolbar, its messages: dashboard/charts.py).

What Streamlit's frontend writes itself (« Drag and drop files here », « Choose an
option »…) is translated when the server starts (dashboard/streamlit_fr.py, checked by
tests/test_streamlit_fr.py) and read in Chromium by tests/browser/test_french_in_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import registry
from domain.values import value_tables
from tests.helpers import as_viewer

ROOT = Path(__file__).resolve().parent.parent
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
NOT_FRENCH = re.compile(r"\b(None|nan|NaN|NaT|True|False|empty|Date range)\b")
# codes that a person would read as jargon: the canonical values that differ from their label
CODES = sorted(
    {c for t in value_tables().values() for c, label in t.labels.items() if "_" in c and c != label}
)
CODE = re.compile(r"\b(" + "|".join(map(re.escape, CODES)) + r")\b")


def read(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) of everything a person reads on the page."""
    out = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "error", "success"):
        out += [(kind, str(e.value)) for e in getattr(at, kind)]
    out += [("warning", str(e.value)) for e in at.warning]
    out += [("tuile", f"{m.label} {m.value} {m.delta or ''}") for m in at.metric]
    for table in at.dataframe:
        frame = table.value
        out.append(("colonnes", " | ".join(map(str, frame.columns))))
        for column in frame.columns:
            out += [(f"cellule « {column} »", str(v)) for v in frame[column].head(300)]
    return out


def faults(text: str) -> set[str]:
    return set(ISO_DATE.findall(text)) | set(NOT_FRENCH.findall(text)) | set(CODE.findall(text))


@pytest.mark.parametrize("stem", [p.stem for p in registry.PAGES])
def test_every_page_reads_in_french(demo_app, stem):
    at = as_viewer(AppTest.from_file(str(ROOT / registry.page(stem).path), default_timeout=90))
    at.run()
    assert not at.exception, at.exception
    found = {(where, fault, text[:80]) for where, text in read(at) for fault in faults(text)}
    assert not found, sorted(found)[:10]
    for chart in at.get("plotly_chart"):
        config = json.loads(chart.proto.config)
        assert config["locale"] == "fr" and "fr" in config["locales"], config
        assert config["displaylogo"] is False, config


def test_the_scan_sees_what_it_looks_for():
    assert faults("du 2026-01-05 au 05/01/2026") == {"2026-01-05"}
    assert faults("None") == {"None"} and faults("nan %") == {"nan"}
    assert faults("canal : fiche_cd") == {"fiche_cd"}
    assert not faults("Fiche candidature du CD, 12/03/2025, 1 234 jeunes")
