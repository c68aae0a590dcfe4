"""Figures several others start from are computed once per dataset (indicators.dataset
.memoized), and a caller changing what it got never changes what the next caller gets."""

from __future__ import annotations

import pandas as pd

from indicators import funnel
from indicators.dataset import Filters, memoized
from tests.test_indicators_funnel import make_dataset, period


def test_computed_once_per_dataset_and_arguments():
    calls = []

    @memoized
    def count(dataset, minimum, *, label="n"):
        calls.append(minimum)
        return pd.DataFrame({label: [len(dataset.parcours) + minimum]})

    data = make_dataset({"date_inscription": "2025-01-06"}, {"date_inscription": "2025-02-06"})
    first = count(data, 1)
    assert count(data, 1).equals(first)
    assert count(data, 2)["n"].tolist() == [4]
    assert count(data, 1, label="m")["m"].tolist() == [3]
    assert calls == [1, 2, 1]
    other = data.scoped(Filters(canal="fiche_cd"))  # another dataset: its own results
    count(other, 1)
    assert calls == [1, 2, 1, 1]


def test_a_caller_changing_its_result_leaves_the_next_one_intact():
    data = make_dataset({"date_inscription": "2025-01-06", "date_debut": "2025-02-01"})
    june = period("2025-01-01", "2025-06-30")
    table = funnel.funnel(data, june)
    expected = table.copy(deep=True)
    table.loc[0, "effectif"] = 999
    table["autre"] = 1
    cohort = funnel.cohort(data, june)
    cohort.loc[cohort.index[0], "association"] = "changée"
    pd.testing.assert_frame_equal(funnel.funnel(data, june), expected)
    assert funnel.cohort(data, june)["association"].iloc[0] != "changée"


def test_unhashable_arguments_are_computed_each_time():
    calls = []

    @memoized
    def total(dataset, values):
        calls.append(1)
        return sum(values)

    data = make_dataset({"date_inscription": "2025-01-06"})
    assert total(data, [1, 2]) == total(data, [1, 2]) == 3
    assert len(calls) == 2


def test_the_least_recently_used_results_go_beyond_the_budget(monkeypatch):
    from indicators import dataset as module

    @memoized
    def rows(dataset, n):
        return pd.DataFrame({"x": range(n)})  # 8 bytes a row

    monkeypatch.setattr(module, "MEMO_BYTES", 8 * 250)
    data = make_dataset({"date_inscription": "2025-01-06"})
    rows(data, 100)
    rows(data, 100)  # used again: now the most recent
    rows(data, 101)
    rows(data, 102)  # 303 rows kept would pass the budget: the oldest, 100, goes
    kept = [key[2] for key in data._memo]
    assert kept == [(101,), (102,)]
    rows(data, 1000)  # alone beyond the budget: still kept, the others go
    assert [key[2] for key in data._memo] == [(1000,)]
