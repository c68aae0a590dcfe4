"""Small counts in tables of places: primary and secondary suppression, rates, the setting."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auth.roles import Role
from indicators import small_counts
from indicators.small_counts import (
    SUPPRESSED_NOTE,
    must_suppress,
    suppress,
    suppressed_note,
    threshold,
)
from settings import SMALL_COUNTS_THRESHOLD

ENV_VAR = SMALL_COUNTS_THRESHOLD.env

H = "< 11"


def hidden_cells(result, columns) -> set[tuple[str, str]]:
    """(row label, column) of the hidden cells, rows labelled by their "lieu"."""
    return {
        (result.display.loc[i, "lieu"], c)
        for c in columns
        for i in result.mask.index[result.mask[c]]
    }


# --- the setting ------------------------------------------------------------------------------


def test_setting_default():
    assert threshold({}) == 11
    assert threshold({ENV_VAR: "  "}) == 11
    assert threshold({ENV_VAR: " 5 "}) == 5
    assert threshold({ENV_VAR: "0"}) == 0


@pytest.mark.parametrize("raw", ["onze", "5.5", "-1", "1e3"])
def test_invalid_setting_is_refused_in_french(raw):
    with pytest.raises(ValueError, match="nombre entier positif ou nul") as info:
        threshold({ENV_VAR: raw})
    assert ENV_VAR in str(info.value) and f"« {raw} »" in str(info.value)


def test_suppress_reads_the_setting(monkeypatch):
    table = pd.DataFrame({"lieu": ["A", "B", "C"], "n": [4, 6, 30]})
    monkeypatch.setenv(ENV_VAR, "5")
    result = suppress(table, ["n"], total_known=False)
    assert result.display["n"].tolist() == ["< 5", 6, 30]
    assert result.threshold == 5
    monkeypatch.delenv(ENV_VAR)
    assert suppress(table, ["n"], total_known=False).display["n"].tolist() == [H, H, 30]
    monkeypatch.setenv(ENV_VAR, "x")
    with pytest.raises(ValueError):
        suppress(table, ["n"])


def test_threshold_five_with_secondary():
    table = pd.DataFrame({"lieu": ["A", "B", "C", "D"], "n": [4, 5, 30, 12]})
    result = suppress(table, ["n"], threshold=5)
    # 4 is small; 5 is not, but it is the smallest other non-zero cell of the column.
    assert result.display["n"].tolist() == ["< 5", "< 5", 30, 12]
    assert (result.primary_hidden, result.count_hidden) == (1, 2)


def test_threshold_zero_or_one_hides_nothing():
    table = pd.DataFrame({"lieu": ["A", "B"], "n": [1, 2]})
    for seuil in (0, 1):
        result = suppress(table, ["n"], threshold=seuil)
        assert result.display["n"].tolist() == [1, 2] and result.count_hidden == 0


# --- primary ----------------------------------------------------------------------------------


def test_primary_only():
    table = pd.DataFrame(
        {"lieu": ["A", "B", "C", "D", "E", "F"], "n": [3, 25, 10, 11, 1, 0]}, index=list("uvwxyz")
    )
    result = suppress(table, ["n"], total_known=False, threshold=11)
    assert result.display["n"].tolist() == [H, 25, H, 11, H, 0]
    assert result.mask["n"].tolist() == [True, False, True, False, True, False]
    assert result.count_hidden == result.primary_hidden == 3
    assert list(result.display.index) == list("uvwxyz")
    assert result.display["lieu"].tolist() == table["lieu"].tolist()
    assert result.display["n"].dtype == object
    assert type(result.display["n"].iloc[1]) is int
    assert table["n"].tolist() == [3, 25, 10, 11, 1, 0]  # the input is not modified


def test_nothing_small_stays_identical():
    table = pd.DataFrame(
        {"lieu": ["A", "B", "C"], "n": [11, 0, 250], "m": [40, 12, 0], "taux": [0.5, 0.25, 0.1]}
    )
    result = suppress(table, ["n", "m"], rates={"taux": "n"}, threshold=11)
    for column in table.columns:
        assert result.display[column].tolist() == table[column].tolist(), column
    assert not result.mask.to_numpy().any()
    assert result.count_hidden == 0 and result.unprotected == []


def test_missing_values_are_shown_missing_not_hidden():
    table = pd.DataFrame({"lieu": ["A", "B", "C"], "n": [np.nan, 40.0, 3.0]})
    result = suppress(table, ["n"], total_known=False)
    assert result.display["n"].tolist() == [None, 40, H]
    nullable = pd.DataFrame({"lieu": ["A", "B"], "n": pd.array([None, 2], dtype="Int64")})
    assert suppress(nullable, ["n"], total_known=False).display["n"].tolist() == [None, H]


# --- secondary in a column --------------------------------------------------------------------


def test_one_small_cell_in_a_column_hides_the_smallest_other():
    table = pd.DataFrame({"lieu": ["A", "B", "C", "D"], "n": [4, 30, 12, 17]})
    result = suppress(table, ["n"])
    assert result.display["n"].tolist() == [H, 30, H, 17]
    assert (result.primary_hidden, result.count_hidden) == (1, 2)
    # The département total (63) minus the visible cells leaves 16 for two places: A could
    # hold 4 or 5 or 1...: the total no longer gives the 4 back.
    visible = sum(v for v in result.display["n"] if v != H)
    assert table["n"].sum() - visible == 16 and result.mask["n"].sum() == 2


def test_secondary_ties_take_the_first_row():
    table = pd.DataFrame({"lieu": ["A", "B", "C", "D"], "n": [4, 12, 30, 12]})
    assert suppress(table, ["n"]).display["n"].tolist() == [H, H, 30, 12]


def test_two_small_cells_need_no_secondary():
    table = pd.DataFrame({"lieu": ["A", "B", "C"], "n": [4, 7, 30]})
    result = suppress(table, ["n"])
    assert result.display["n"].tolist() == [H, H, 30] and result.count_hidden == 2


def test_without_known_totals_only_small_cells_are_hidden():
    table = pd.DataFrame({"lieu": ["A", "B", "C", "D"], "n": [4, 30, 12, 17]})
    assert suppress(table, ["n"], total_known=False).display["n"].tolist() == [H, 30, 12, 17]


def test_zeros_are_never_hidden_nor_chosen():
    table = pd.DataFrame({"lieu": ["A", "B", "C", "D"], "n": [0, 0, 7, 50]})
    result = suppress(table, ["n"])
    assert result.display["n"].tolist() == [0, 0, H, H]  # 50 is the only non-zero left


def test_a_column_that_cannot_be_protected_is_reported():
    table = pd.DataFrame({"lieu": ["A", "B", "C"], "n": [0, 7, 0]}, index=[10, 20, 30])
    result = suppress(table, ["n"])
    assert result.display["n"].tolist() == [0, H, 0]
    assert result.unprotected == [("colonne", "n")]
    one_row = suppress(pd.DataFrame({"lieu": ["A"], "n": [3]}), ["n"])
    assert one_row.unprotected == [("colonne", "n")]
    assert suppress(table, ["n"], total_known=False).unprotected == []


# --- rows with a total ------------------------------------------------------------------------


def test_row_and_column_interplay_with_a_row_total():
    table = pd.DataFrame(
        {
            "lieu": ["A", "B", "C"],
            "garcons": [3, 15, 40],
            "filles": [20, 14, 12],
            "total": [23, 29, 52],
        }
    )
    result = suppress(table, ["garcons", "filles"], row_total="total")
    # A.garcons (3) is small. Column garcons: the smallest other is B (15). Row A: the
    # smallest other is filles (20 < total 23). Row B then has one hidden cell: filles (14).
    assert result.display["garcons"].tolist() == [H, H, 40]
    assert result.display["filles"].tolist() == [H, H, 12]
    assert result.display["total"].tolist() == [23, 29, 52]
    assert (result.primary_hidden, result.count_hidden) == (1, 4)
    # Another filling of the hidden cells fits every published total (rows 23 and 29,
    # columns 58 and 46): the 3 cannot be found again.
    a, b, c, d = 4, 19, 14, 15  # A.garcons, A.filles, B.garcons, B.filles
    assert (a + b, c + d, a + c + 40, b + d + 12) == (23, 29, 58, 46)


def test_hiding_spreads_over_several_passes():
    table = pd.DataFrame(
        {"lieu": ["A", "B", "C"], "g": [3, 0, 30], "f": [50, 40, 0], "total": [53, 40, 30]}
    )
    result = suppress(table, ["g", "f"], row_total="total")
    # Pass 1: column g hides C.g (30, the 0 is not chosen); row A hides A.f (50 < 53); row C
    # hides C.total (30, its f is 0). Pass 2: column f then holds one hidden cell (A.f) and
    # hides B.f (40); column total holds one (C.total) and hides B.total (40 < 53).
    assert hidden_cells(result, ["g", "f", "total"]) == {
        ("A", "g"),
        ("A", "f"),
        ("B", "f"),
        ("B", "total"),
        ("C", "g"),
        ("C", "total"),
    }
    assert result.display["g"].tolist() == [H, 0, H]
    assert result.display["total"].tolist() == [53, H, H]
    assert result.unprotected == []
    # Another filling fits all published totals (g 33, f 90, total 123, row A 53).
    ag, af, cg, bf = 4, 49, 29, 41
    assert (ag + af, ag + 0 + cg, af + bf + 0, 53 + bf + cg) == (53, 33, 90, 123)


def test_small_row_total_is_hidden_with_its_column_partner():
    table = pd.DataFrame(
        {"lieu": ["A", "B", "C"], "g": [3, 12, 20], "f": [0, 30, 25], "total": [3, 42, 45]}
    )
    result = suppress(table, ["g", "f"], row_total="total")
    assert hidden_cells(result, ["g", "f", "total"]) == {
        ("A", "g"),
        ("A", "total"),
        ("B", "g"),
        ("B", "total"),
    }
    assert result.display["f"].tolist() == [0, 30, 25]


def test_row_total_only_when_column_totals_are_not_published():
    table = pd.DataFrame({"lieu": ["A", "B"], "g": [2, 30], "f": [30, 40], "total": [32, 70]})
    result = suppress(table, ["g", "f"], row_total="total", total_known=False)
    assert result.display["g"].tolist() == [H, 30]
    assert result.display["f"].tolist() == [H, 40]  # 30 < 32: the row is covered
    assert result.display["total"].tolist() == [32, 70]


def test_a_row_whose_total_is_unknown_is_not_a_line():
    table = pd.DataFrame({"lieu": ["A"], "g": [2], "f": [30], "total": [np.nan]})
    result = suppress(table, ["g", "f", "total"], row_total="total", total_known=False)
    assert result.display.loc[0, ["g", "f", "total"]].tolist() == [H, 30, None]


# --- rates ------------------------------------------------------------------------------------


RATES = pd.DataFrame(
    {
        "lieu": ["A", "B", "C", "D"],
        "inscrits": [8, 40, 30, 25],
        "demarrages": [6, 3, 20, 15],
        "taux": [0.75, 0.075, 20 / 30, 0.6],
    }
)


def test_rate_blanked_on_a_hidden_denominator():
    result = suppress(
        RATES, ["inscrits", "demarrages"], rates={"taux": "inscrits"}, total_known=False
    )
    assert result.display["inscrits"].tolist() == [H, 40, 30, 25]
    assert result.display["demarrages"].tolist() == [H, H, 20, 15]
    # Only the denominator is known: B's rate stays (its denominator 40 is shown).
    assert result.display["taux"].tolist() == [None, 0.075, 20 / 30, 0.6]
    assert result.mask["taux"].tolist() == [True, False, False, False]
    assert result.count_hidden == 3  # rates are not counts


def test_rate_blanked_on_a_hidden_numerator_when_named():
    result = suppress(
        RATES,
        ["inscrits", "demarrages"],
        rates={"taux": ("demarrages", "inscrits")},
        total_known=False,
    )
    # B: 0.075 x 40 would give the hidden 3 back.
    assert result.display["taux"].tolist() == [None, None, 20 / 30, 0.6]


def test_rate_blanked_on_a_secondary_denominator():
    result = suppress(RATES, ["inscrits", "demarrages"], rates={"taux": "inscrits"})
    # inscrits: A (8) is the only small one, D (25) is hidden with it.
    assert result.display["inscrits"].tolist() == [H, 40, 30, H]
    assert result.display["taux"].tolist() == [None, 0.075, 20 / 30, None]


def test_bad_arguments():
    with pytest.raises(ValueError, match="not a count column"):
        suppress(RATES, ["inscrits"], rates={"taux": "demarrages"})
    with pytest.raises(ValueError, match="not in the table"):
        suppress(RATES, ["absent"])
    with pytest.raises(ValueError, match="negative"):
        suppress(pd.DataFrame({"n": [-1, 3]}), ["n"])


# --- who sees small counts, and the note ------------------------------------------------------


def test_who_sees_small_counts():
    assert not must_suppress("admin") and not must_suppress("direction")
    assert not must_suppress(Role.DIRECTION)
    assert must_suppress("association") and must_suppress(None) and must_suppress("")
    assert must_suppress("admin", export=True) and must_suppress("direction", export=True)


def test_note_under_a_table():
    assert "{seuil}" in SUPPRESSED_NOTE
    note = suppressed_note(11)
    assert note.startswith("« < 11 » : effectif compris entre 1 et 10, masqué")
    assert "totaux" in note and "taux" in note and "zéros" in note
    result = suppress(pd.DataFrame({"n": [3, 40]}), ["n"], threshold=5)
    assert result.note.startswith("« < 5 » : effectif compris entre 1 et 4")


# --- property ---------------------------------------------------------------------------------

cell_values = st.one_of(st.just(0), st.integers(1, 15), st.integers(11, 80), st.just(math.nan))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 3))
    with_nan = draw(st.booleans())
    values = cell_values if with_nan else cell_values.filter(lambda v: not math.isnan(v))
    data = {
        f"c{j}": draw(st.lists(values, min_size=n_rows, max_size=n_rows)) for j in range(n_cols)
    }
    table = pd.DataFrame(data, dtype="float64")
    with_total = draw(st.booleans())
    if with_total:
        table["total"] = table.sum(axis=1, skipna=False)
    return table, list(data), with_total, draw(st.booleans()), draw(st.integers(0, 15))


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_line_with_a_known_total_keeps_exactly_one_hidden_cell(case):
    table, components, with_total, total_known, seuil = case
    row_total = "total" if with_total else None
    result = suppress(
        table, components, row_total=row_total, total_known=total_known, threshold=seuil
    )
    columns = [*components, *(["total"] if with_total else [])]
    values, hidden = table[columns].to_numpy(), result.mask[columns].to_numpy()

    small = (values >= 1) & (values < seuil)
    assert hidden[small].all()  # every small count is hidden
    assert not hidden[np.isnan(values) | (values == 0)].any()  # zero and missing never
    for (i, j), value in np.ndenumerate(values):
        shown = result.display[columns[j]].iloc[i]
        if hidden[i, j]:
            assert shown == f"< {seuil}"
        else:
            assert (shown is None) if np.isnan(value) else shown == value
    assert result.count_hidden == hidden.sum()

    def protected(line_values, line_hidden, key) -> bool:
        if line_hidden.sum() != 1:
            return key not in result.unprotected
        # Left alone only when no non-zero visible cell could cover it.
        coverable = (~line_hidden) & (np.nan_to_num(line_values) > 0)
        return key in result.unprotected and not coverable.any()

    if total_known:
        for j, name in enumerate(columns):
            assert protected(values[:, j], hidden[:, j], ("colonne", name))
    if with_total:
        for i in range(len(table)):
            if not np.isnan(values[i, -1]):
                assert protected(values[i], hidden[i], ("ligne", table.index[i]))
    if not np.isnan(values).any():
        assert not [k for k in result.unprotected if k[0] == "ligne"]


def test_module_default_threshold():
    assert SMALL_COUNTS_THRESHOLD.default == 11
    assert small_counts.hidden_label(11) == H


def test_groups_published_elsewhere_are_protected_too():
    """Communes A (5) and B (50) in EPCI X, C (12) and D (40) in EPCI Y; the EPCI totals are
    shown in another table. Column alone: A (primary) and C (smallest other) are hidden;
    but then X's total minus B gives A back, and Y's total minus D gives C back: B and D
    must go too."""
    table = pd.DataFrame(
        {"commune": ["A", "B", "C", "D"], "epci": ["X", "X", "Y", "Y"], "jeunes": [5, 50, 12, 40]}
    )
    alone = suppress(table, ["jeunes"], threshold=11)
    assert alone.mask["jeunes"].tolist() == [True, False, True, False]
    grouped = suppress(table, ["jeunes"], threshold=11, groups=["epci"])
    assert grouped.mask["jeunes"].tolist() == [True, True, True, True]
    assert grouped.unprotected == []
    # A group with one hidden cell and nothing else to hide is reported, not left silent.
    lonely = pd.DataFrame({"epci": ["X", "Y", "Y"], "jeunes": [5, 30, 40]})
    result = suppress(lonely, ["jeunes"], threshold=11, groups=["epci"])
    assert result.mask["jeunes"].tolist() == [True, True, True]  # Y: 30 then 40
    assert ("groupe", ("epci", "X")) in result.unprotected
