"""Compliance alerts and the quality score: each rule on a hand-made parcours, the planted
defects of the demo found, the counts in the report, a score worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from demo import DEFAULT_AS_OF, build_demo
from indicators import compliance, quality
from indicators.dataset import Dataset, Period
from indicators.report import indicators_report
from indicators.summary_text import summary_text
from tests.test_indicators_funnel import DEMANDE_COLUMNS, make_parcours

AU = dt.date(2025, 6, 30)
# a clean started parcours: every date in order, favourable check, adult
CLEAN = {
    "date_inscription": "2025-01-06",
    "date_attribution": "2025-01-10",
    "date_mise_en_relation": "2025-02-01",
    "date_honorabilite": "2025-02-10",
    "resultat_honorabilite": "favorable",
    "date_convention": "2025-02-15",
    "date_debut": "2025-02-20",
    "age_inscription": 19,
}


def data(*rows: dict) -> Dataset:
    return Dataset(make_parcours(*rows), pd.DataFrame(columns=DEMANDE_COLUMNS))


def rules_of(*rows: dict, au: dt.date = AU) -> list[tuple[str, str]]:
    found = compliance.alerts(data(*rows), au)
    return sorted(zip(found["id_source"], found["regle"], strict=True))


def test_a_clean_parcours_raises_nothing():
    assert rules_of(CLEAN) == []
    assert all(c["nombre"] == 0 for c in compliance.counts(data(CLEAN), AU))


@pytest.mark.parametrize(
    ("change", "rule", "since"),
    [
        ({"date_convention": None}, "debut_sans_convention", "2025-02-20"),
        ({"date_convention": "2025-02-25"}, "debut_avant_convention", "2025-02-20"),
        ({"date_honorabilite": None}, "debut_avant_honorabilite", "2025-02-20"),
        ({"date_honorabilite": "2025-02-21"}, "debut_avant_honorabilite", "2025-02-20"),
        ({"age_inscription": 16}, "mineur_sans_autorisation", "2025-02-20"),
        ({"date_mise_en_relation": "2025-02-16"}, "dates_desordre", "2025-02-15"),
        ({"date_fin": "2025-02-18"}, "dates_desordre", "2025-02-18"),
        ({"date_attribution": "2014-12-31"}, "date_trop_ancienne", "2014-12-31"),
    ],
)
def test_each_rule_on_a_hand_made_parcours(change, rule, since):
    found = compliance.alerts(data({**CLEAN, **change}), AU)
    assert found["regle"].tolist() == [rule]
    row = found.iloc[0]
    assert row["depuis"] == pd.Timestamp(since)
    assert row["gravite"] == compliance.RULES[rule][1]
    assert (row["association"], row["id_source"]) == ("Asso A", "P1")
    assert row["libelle"] == compliance.RULES[rule][0] and row["detail"]


def test_activity_with_an_unfavourable_check():
    row = {
        **CLEAN,
        "date_honorabilite": None,
        "date_honorabilite_defavorable": "2025-02-10",
        "resultat_honorabilite": "defavorable",
        "date_debut": None,
    }
    assert rules_of(row) == [("P1", "activite_apres_defavorable")]  # convention signed
    assert rules_of({**row, "date_convention": None}) == []  # only matched: no activity
    both = rules_of({**row, "date_debut": "2025-02-20"})
    assert ("P1", "activite_apres_defavorable") in both
    assert ("P1", "debut_avant_honorabilite") in both


def test_dates_after_au_are_future_and_unknown_to_the_other_rules():
    # a start typed in the future: reported as future, not as started without convention
    row = {**CLEAN, "date_convention": None, "date_debut": "2025-09-01"}
    found = compliance.alerts(data(row), AU)
    assert found["regle"].tolist() == ["date_future"]
    assert found.iloc[0]["depuis"] == pd.Timestamp("2025-09-01")
    assert "démarrage le 01/09/2025" in found.iloc[0]["detail"]
    # seen later, the same start is now known and lacks its convention
    assert rules_of(row, au=dt.date(2025, 9, 30)) == [("P1", "debut_sans_convention")]


def test_a_minor_with_an_autorisation_known_by_au_is_fine():
    assert (
        rules_of({**CLEAN, "age_inscription": 16, "date_autorisation_parentale": "2025-01-20"})
        == []
    )
    late = {**CLEAN, "age_inscription": 16, "date_autorisation_parentale": "2025-08-01"}
    assert rules_of(late) == [("P1", "date_future"), ("P1", "mineur_sans_autorisation")]


def test_every_parcours_known_at_au_whatever_its_inscription():
    old = {**CLEAN, "id_source": "OLD", "date_inscription": "2016-01-04", "date_convention": None}
    later = {**CLEAN, "id_source": "LATER", "date_inscription": "2025-08-01"}
    assert rules_of(old, later) == [("OLD", "debut_sans_convention")]


def test_order_most_serious_first_then_oldest():
    rows = [
        {**CLEAN, "id_source": "A", "date_attribution": "2014-01-01"},  # à vérifier
        {**CLEAN, "id_source": "B", "date_convention": "2025-02-25"},  # majeure
        {**CLEAN, "id_source": "C", "date_convention": None},  # critique, 20/02
        {**CLEAN, "id_source": "D", "date_convention": None, "date_debut": "2025-02-16"},
    ]
    found = compliance.alerts(data(*rows), AU)
    assert found["id_source"].tolist() == ["D", "C", "B", "A"]
    assert found["gravite"].tolist() == [1, 1, 2, 3]
    assert list(found.columns) == compliance.ALERT_COLUMNS


def test_counts_one_entry_per_rule_in_a_fixed_order():
    rows = [{**CLEAN, "date_convention": None}, {**CLEAN, "date_fin": "2025-02-01"}]
    counts = compliance.counts(data(*rows), AU)
    assert [c["regle"] for c in counts] == list(compliance.RULES)
    by_rule = {c["regle"]: (c["gravite"], c["nombre"]) for c in counts}
    assert by_rule["debut_sans_convention"] == ("critique", 1)
    assert by_rule["dates_desordre"] == ("majeure", 1)
    assert by_rule["date_future"] == ("à vérifier", 0)
    assert sum(n for _g, n in by_rule.values()) == 2


def test_report_and_summary_carry_the_counts(demo_dataset):
    period = Period(dt.date(2025, 11, 1), DEFAULT_AS_OF)
    report = indicators_report(demo_dataset, period)
    assert report["conformite"] == compliance.counts(demo_dataset, DEFAULT_AS_OF)
    total = sum(c["nombre"] for c in report["conformite"])
    critical = sum(c["nombre"] for c in report["conformite"] if c["gravite"] == "critique")
    assert f"Conformité (tous les parcours connus au 31/10/2026) : {total} alertes, " in (
        summary_text(report).replace("\u202f", "").replace("\xa0", "")
    )
    assert critical >= 7  # the planted critical defects at least


@pytest.fixture(scope="module")
def planted():
    return build_demo(n_parcours=1500, as_of=DEFAULT_AS_OF).defects


RULE_OF_DEFECT = {
    "convention_avant_mise_en_relation": "dates_desordre",
    "fin_avant_debut": "dates_desordre",
    "debut_sans_convention": "debut_sans_convention",
    "debut_avant_honorabilite": "debut_avant_honorabilite",
    "mineur_sans_autorisation": "mineur_sans_autorisation",
}


def test_the_planted_defects_of_the_demo_are_found(demo_dataset, planted):
    found = compliance.alerts(demo_dataset, DEFAULT_AS_OF)
    raised = set(
        zip(found["association"], found["id_source"].astype(str), found["regle"], strict=True)
    )
    expected = [
        (d.association, str(d.id_source), RULE_OF_DEFECT[d.kind])
        for d in planted
        if d.kind in RULE_OF_DEFECT
    ]
    assert len(expected) == 12
    missing = [e for e in expected if e not in raised]
    assert not missing
    counts = {c["regle"]: c["nombre"] for c in compliance.counts(demo_dataset, DEFAULT_AS_OF)}
    assert counts["debut_sans_convention"] >= 3 and counts["dates_desordre"] >= 5


# --- quality -------------------------------------------------------------------------


def imports(**values) -> pd.DataFrame:
    row = {
        "association": "Asso A",
        "dernier_import": pd.Timestamp("2025-06-20 16:00"),  # naive UTC, as SQLite gives
        "imports": 2,
        "lignes_lues": 100,
        "lignes_en_quarantaine": 0,
    }
    return pd.DataFrame([{**row, **values}])


FULL = {
    **CLEAN,
    "sexe": "F",
    "commune_insee": "59350",
    "type_accueil": "famille",
    "objectifs": "scolarite",
    "initiateur": "jeune",
    "id_mentor": "M1",
    "modalite": "presentiel",
}


def test_a_complete_fresh_clean_association_scores_100():
    table = quality.quality(data(FULL), AU, imports())
    row = table.iloc[0]
    assert (row["association"], row["parcours"], row["score"]) == ("Asso A", 1, 100)
    assert row["completude"] == 1 and row["jours_depuis_import"] == 10
    assert row["dernier_import"] == dt.date(2025, 6, 20)
    assert row["raisons"] == "Aucun point faible relevé."


def test_score_loses_the_documented_points_with_its_reasons():
    # two parcours: one lacks its sexe and commune (2 of the 6 "tous" fields); the other
    # started without convention (1 critical alert, also the convention date missing)
    rows = [
        {**FULL, "sexe": None, "commune_insee": None},
        {**FULL, "id_source": "P2", "date_convention": None},
    ]
    table = quality.quality(
        data(*rows),
        AU,
        imports(dernier_import=pd.Timestamp("2025-04-16 10:00"), lignes_en_quarantaine=4),
    )
    row = table.iloc[0]
    # completeness: sexe 1/2, commune 1/2, date_convention 1/2, 6 other fields 1 (no minor:
    # the autorisation parentale is not counted) -> 7.5 / 9
    assert row["completude"] == round(7.5 / 9, 4)
    assert row["jours_depuis_import"] == 75 and row["part_quarantaine"] == 0.04
    assert (row["alertes"], row["alertes_critiques"], row["dates_desordre"]) == (1, 1, 0)
    expected = (
        quality.WEIGHT_COMPLETENESS * 7.5 / 9
        + quality.WEIGHT_FRESHNESS * (90 - 75) / (90 - 45)
        + quality.WEIGHT_QUARANTINE * (0.10 - 0.04) / 0.10
        + 0  # 1 critical alert for 2 parcours: beyond 10 % of the parcours
    )
    assert row["score"] == round(expected)
    for words in ("Complétude moyenne de 83,3", "75 jours", "quarantaine", "1 alerte"):
        assert words in row["raisons"]


def test_completeness_asks_each_field_only_of_those_that_should_have_it():
    rows = [
        {**FULL, "age_inscription": 16, "date_autorisation_parentale": None},
        {**FULL, "id_source": "P2", "date_mise_en_relation": None, "date_convention": None,
         "date_debut": None, "id_mentor": None, "modalite": None},
    ]  # fmt: skip
    shares = quality.completeness(data(*rows), AU).iloc[0]
    assert shares["date_autorisation_parentale"] == 0  # the only attributed minor lacks it
    assert shares["id_mentor"] == 1 and shares["modalite"] == 1  # P2 not matched yet
    assert shares["sexe"] == 1


def test_an_association_without_import_loses_the_freshness_points():
    table = quality.quality(data(FULL), AU, imports().iloc[0:0])
    row = table.iloc[0]
    assert row["score"] == 100 - quality.WEIGHT_FRESHNESS
    assert row["jours_depuis_import"] is None or pd.isna(row["jours_depuis_import"])
    assert "Aucun import" in row["raisons"]
