"""An instance for another département (`PILOTAGE_DEPARTEMENT`): Moselle (57) and La
Réunion (974), without the demo. A file of youths of that département imports, its map
draws that département's communes with INSEE's classes, and « communes non couvertes »
are found there."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import pytest

import settings
from dashboard.maps import commune_map
from indicators import coverage
from indicators.dataset import Dataset, Period
from indicators.outlines import departement_of, departement_outlines
from pipelines.api import ensure_database, ingest
from store.db import make_engine
from store.queries import dataset_frames
from tests.helpers import csv_bytes

PERIOD = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
HEADER = [
    "N° dossier", "Nom", "Prénom", "Né(e) le", "Code INSEE", "Date d'inscription",
    "Date d'attribution",
]  # fmt: skip
CASES = {
    # département: (communes of its youths, a commune of another département)
    "57": (["57463", "57463", "57672", "57227"], "59350"),  # Metz ×2, Sarreguemines, Forbach
    "974": (["97411", "97415", "97416"], "59350"),  # Saint-Denis, Saint-Paul, Saint-Pierre
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_an_instance_of_another_departement(code, tmp_path, monkeypatch, key):
    monkeypatch.setenv(settings.DEPARTEMENT.env, code)
    engine = make_engine(f"sqlite:///{tmp_path / 'base.db'}")
    ensure_database(engine)
    communes, _ = CASES[code]
    rows = [
        [f"D{i}", f"Nom{i}", "Prénom", f"{i + 10}/02/2009", insee, "15/03/2025", "20/03/2025"]
        for i, insee in enumerate(communes)
    ]
    report = ingest(engine, csv_bytes([HEADER, *rows]), "export.csv", key, association="Asso")
    assert (report.statut, report.lignes_chargees) == ("charge", len(communes)), report.erreurs

    with engine.connect() as conn:
        data = Dataset(**dataset_frames(conn))
    assert set(data.communes["departement"]) == {code}
    # No antenne known: no distance, nothing « non couvert »; one antenne in Lille (59350,
    # over 100 km from either département): every commune where youths wait is far from it.
    assert coverage.uncovered_communes(data, PERIOD.au).empty
    lille = pd.DataFrame(
        [{"association": "Asso", "nom": "Siège", "commune_insee": "59350", "commune": "Lille",
          "latitude": 50.63, "longitude": 3.05}]
    )  # fmt: skip
    data = replace(data, antennes=lille)
    far = coverage.uncovered_communes(data, PERIOD.au)
    assert sorted(far["insee"]) == sorted(set(communes))
    assert far["en_attente_binome"].sum() == len(communes)
    assert (far["distance_km"] > 100).all() and set(far["antenne_proche"]) == {"Siège"}

    # The map draws the département's communes (and no other), with INSEE's classes
    places = coverage.with_distance_band(coverage.by_commune(data, PERIOD))
    figure: go.Figure = commune_map(places, data.antennes, far, 30)
    drawn = departement_outlines(code)
    assert len(drawn) == int((data.communes["departement"] == code).sum())
    outline_traces = [t for t in figure.data if t.fill == "toself"]
    rings = sum(len(o.rings) for o in drawn)
    assert sum(list(t.x).count(None) for t in outline_traces) == rings
    names = {t.name for t in outline_traces}
    assert "Commune rurale (hachurée, pointillés)" in names
    assert "Commune urbaine (trait plein)" in names
    assert all(departement_of(o.insee) == code for o in drawn)


def test_a_departement_code_that_names_none_is_refused_in_french(monkeypatch):
    from indicators.territory import served_departement

    monkeypatch.setenv(settings.DEPARTEMENT.env, "Moselle")
    with pytest.raises(settings.SettingError, match="attendu le code INSEE d'un département"):
        served_departement()
    monkeypatch.setenv(settings.DEPARTEMENT.env, "2a")
    assert served_departement() == "2A"
