"""The offline map hides what the tables hide: a commune whose youths count is under the
threshold is drawn at the threshold's size and written « < 11 », never at its true size."""

from __future__ import annotations

import pandas as pd

from dashboard.maps import commune_map

COMMUNES = pd.DataFrame(
    {
        "insee": ["59001", "59002"],
        "nom": ["Petiteville", "Grandeville"],
        "classe": ["rural", "urbain"],
        "latitude": [50.3, 50.6],
        "longitude": [3.1, 3.0],
        "jeunes_inscrits": [3, 25],
        "demarrages": [1, 12],
        "antenne_proche": ["Lille", "Lille"],
        "distance_km": [40.0, 2.0],
    }
)
ANTENNES = pd.DataFrame(
    {
        "association": ["Envol"],
        "nom": ["Lille"],
        "commune": ["Lille"],
        "latitude": [50.63],
        "longitude": [3.06],
    }
)
UNCOVERED = pd.DataFrame(
    {
        "insee": ["59001"],
        "nom": ["Petiteville"],
        "latitude": [50.3],
        "longitude": [3.1],
        "en_attente_binome": [2],
        "antenne_proche": ["Lille"],
        "distance_km": [40.0],
    }
)


def trace(fig, starts: str):
    return next(t for t in fig.data if (t.name or "").startswith(starts))


def test_small_counts_are_drawn_at_the_threshold_and_written_hidden():
    fig = commune_map(COMMUNES, ANTENNES, UNCOVERED, 30, hide_below=11)
    youths = trace(fig, "Jeunes inscrits")
    assert list(youths.marker.size) == [11, 25]  # 3 youths would show through their size
    assert "< 11 jeunes, < 11 démarrages" in youths.text[0]
    assert "25 jeunes, 12 démarrages" in youths.text[1]
    waiting = trace(fig, "Jeunes en attente")
    assert "< 11 jeunes en attente de mentor" in waiting.text[0]


def test_without_a_threshold_the_true_counts_are_drawn():
    fig = commune_map(COMMUNES, ANTENNES, UNCOVERED, 30)
    youths = trace(fig, "Jeunes inscrits")
    assert list(youths.marker.size) == [3, 25]
    assert "3 jeunes, 1 démarrage" in youths.text[0]
    assert "2 jeunes en attente" in trace(fig, "Jeunes en attente").text[0]
