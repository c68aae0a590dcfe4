"""The Qualité et conformité page under AppTest on the demo database: the alert counts
shown equal `compliance.counts`, computed here independently."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from domain.formatting import number
from indicators import compliance
from tests.helpers import as_viewer, default_period

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "qualite.py")


def test_page_shows_the_compliance_counts_and_the_scores(demo_app, demo_dataset):
    at = as_viewer(AppTest.from_file(PAGE, default_timeout=60)).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Qualité et conformité"
    au = default_period().au  # the default period ends on the data date
    counts = compliance.counts(demo_dataset, au)
    per_gravity = {
        g: sum(c["nombre"] for c in counts if c["gravite"] == g)
        for g in compliance.GRAVITY_LABELS.values()
    }
    assert {m.label: m.value for m in at.metric} == {
        "Alertes critiques": number(per_gravity["critique"]),
        "Alertes majeures": number(per_gravity["majeure"]),
        "Alertes à vérifier": number(per_gravity["à vérifier"]),
    }
    scores, unknown, fields, rules, listed = (d.value for d in at.dataframe)
    # The demo's unknown commune costs no row: its parcours is loaded, the label listed.
    assert ("Commune", "Bellevue-en-Flandre", 1) in set(
        zip(unknown["Champ"], unknown["Libellé"], unknown["Lignes"], strict=True)
    )
    assert rules["Alertes de la règle"].tolist() == [c["nombre"] for c in counts]
    assert rules["Règle"].tolist() == [label for label, _g in compliance.RULES.values()]
    assert len(listed) == min(sum(c["nombre"] for c in counts), 1000)
    assert listed["Gravité"].iloc[0] == "critique"
    names = sorted(demo_dataset.parcours["association"].dropna().unique())
    assert sorted(scores["Association"]) == names == sorted(fields["Association"])
    assert scores["Score (sur 100)"].between(0, 100).all()
    assert len(at.get("plotly_chart")) == 1
    assert len(at.get("download_button")) == 5
