"""The French names plotly.js writes on time axes (dashboard/charts.py), taken from Babel:
pinned here, so that a Babel (CLDR) upgrade that changed them is noticed, not shipped."""

from __future__ import annotations

import json

from dashboard import charts


def test_plotly_s_french_month_and_day_names_are_the_ones_the_charts_show():
    names = charts.PLOTLY_FR["format"]
    assert names["days"] == [
        "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
    ]  # fmt: skip
    assert names["shortDays"] == ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."]
    assert names["months"] == [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre",
    ]  # fmt: skip
    assert names["shortMonths"] == [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
        "nov.", "déc.",
    ]  # fmt: skip
    for key in ("days", "shortDays", "months", "shortMonths"):
        assert all(type(name) is str for name in names[key])
    json.dumps(charts.config())  # what Streamlit sends the browser
