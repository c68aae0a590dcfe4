"""Retention at 3, 6 and 12 months with its 95 % interval: Greenwood's sum and the log-log
bounds by hand on six binômes, the same figures as lifelines' KaplanMeierFitter on
generated data (ties, censorings on an end's day, everyone ended), the fragile flag, the
French text, the command line's figures and the comité pack's section."""

from __future__ import annotations

import datetime as dt
import io
import math
import statistics

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from openpyxl import load_workbook
from pptx import Presentation

from domain.formatting import number, percent
from indicators import committee
from indicators.catalogue import entry
from indicators.dataset import Period
from indicators.durations import (
    HORIZONS,
    INTERVAL_DEFINITION,
    MIN_AT_RISK,
    Z_95,
    figures,
    kaplan_meier,
    log_log_interval,
    retention,
    retention_by_horizon,
    retention_text,
    summary,
)
from reports.deck import deck
from reports.workbook import workbook
from tests.test_indicators_durations import AU, durations_example
from tests.test_indicators_load import make_dataset

NNBSP = "\u202f"


def by_hand(s: float, v: float) -> tuple[float, float]:
    """The log-log bounds written out: exp(−exp(log(−log S) ∓ z √V / log S))."""
    spread = Z_95 * math.sqrt(v) / math.log(s)
    centre = math.log(-math.log(s))
    return math.exp(-math.exp(centre - spread)), math.exp(-math.exp(centre + spread))


# --- by hand ---------------------------------------------------------------------------------


def test_six_binomes_by_hand():
    # days 2, 3+, 4, 4+, 6+, 9 (+ = still running): an end and a censoring share day 4 (the
    # end comes first: 4 at risk), and the last binôme ends (S falls to 0).
    km = kaplan_meier([2, 3, 4, 4, 6, 9], [1, 0, 1, 0, 0, 1])
    assert km["jours"].tolist() == [0, 2, 3, 4, 6, 9]
    assert km["a_risque"].tolist() == [6, 6, 5, 4, 2, 1]
    assert km["evenements"].tolist() == [0, 1, 0, 1, 0, 1]
    s2, s4 = 5 / 6, 5 / 6 * 3 / 4  # 0.8333, 0.625
    v2 = 1 / (6 * 5)  # d / (n (n − d)) on day 2: 1/30
    v4 = v2 + 1 / (4 * 3)  # 1/30 + 1/12 = 7/60
    assert np.allclose(km["survie"], [1, s2, s2, s4, s4, 0])
    # day 9: 1 / (1 × 0) is not counted (lifelines too): V stays 7/60 where S = 0
    assert np.allclose(km["greenwood"], [0, v2, v2, v4, v4, v4])
    low2, high2 = by_hand(s2, v2)
    low4, high4 = by_hand(s4, v4)
    assert (round(low2, 4), round(high2, 4)) == (0.2731, 0.9747)
    assert (round(low4, 4), round(high4, 4)) == (0.1419, 0.8931)
    assert np.allclose(km["ic_bas"], [1, low2, low2, low4, low4, 0])
    assert np.allclose(km["ic_haut"], [1, high2, high2, high4, high4, 0])
    assert all(km["ic_bas"] <= km["survie"]) and all(km["survie"] <= km["ic_haut"])
    # Greenwood's variance of S itself is S² V: on day 4, 0.625² × 7/60
    assert s4**2 * v4 == pytest.approx(0.045573, abs=1e-6)

    table = retention(km, {1: 1, 2: 3, 3: 4, 4: 5, 5: 9, 6: 30})
    assert table["a_risque"].tolist() == [6, 5, 4, 2, 1, 0]  # still followed that day
    assert np.allclose(table["survie"], [1, s2, s4, s4, 0, 0])
    assert np.allclose(table["greenwood"], [0, v2, v4, v4, v4, v4])
    assert np.allclose(table["ic_bas"], [1, low2, low4, low4, 0, 0])
    assert np.allclose(table["ic_haut"], [1, high2, high4, high4, 0, 0])
    # day 30: beyond everyone, but S reached 0 and stays there (as `survival_at`)
    assert table["fragile"].all()  # 6 binômes at most: fewer than 20


def test_the_z_and_the_edge_cases():
    assert statistics.NormalDist().inv_cdf(0.975) == pytest.approx(Z_95, abs=1e-12)
    low, high = log_log_interval([1.0, 0.0, 0.5], [0.0, 0.2, 0.0])
    assert low.tolist()[:2] == [1.0, 0.0] and high.tolist()[:2] == [1.0, 0.0]
    assert low[2] == high[2] == pytest.approx(0.5)  # no variance: a point
    # nothing ended before the horizon: S = 1, the interval is [1, 1]
    early = retention(kaplan_meier([10, 20, 30], [0, 1, 1]), {1: 5})
    assert early.loc[0, ["survie", "ic_bas", "ic_haut"]].tolist() == [1.0, 1.0, 1.0]
    # beyond the longest follow-up, with binômes still running: not estimable
    late = retention(kaplan_meier([10, 20, 30], [1, 0, 0]), {12: 365})
    assert late.loc[0, ["survie", "ic_bas", "ic_haut"]].isna().all()
    assert late.loc[0, "a_risque"] == 0 and not late.loc[0, "fragile"]
    empty = retention(kaplan_meier([], []))
    assert empty["survie"].isna().all() and (empty["a_risque"] == 0).all()
    assert empty["mois"].tolist() == [3, 6, 12] and empty["jours"].tolist() == [91, 183, 365]


# --- against lifelines -----------------------------------------------------------------------


def generated(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Whole days (many ties), about a third censored, some censored on an end's day."""
    rng = np.random.default_rng(seed)
    days = np.floor(rng.exponential(300, n)).astype(int)
    if n > 10:
        days[: n // 10] = days[n // 10 : 2 * (n // 10)]  # the same days again
    events = rng.random(n) > 0.35
    return days, events


def lifelines_at(kmf: KaplanMeierFitter, days: float) -> tuple[float, float, float, float]:
    """S, V, lower and upper bound at `days`: the last row at or before it."""
    position = int(np.searchsorted(kmf.timeline, days, side="right")) - 1
    lower, upper = kmf.confidence_interval_.iloc[position]
    return (
        kmf.survival_function_.iloc[position, 0],
        kmf._cumulative_sq_.iloc[position],
        lower,
        upper,
    )


@pytest.mark.parametrize("n", [6, 40, 400])
@pytest.mark.parametrize("seed", range(8))
def test_same_figures_as_lifelines(seed, n):
    days, events = generated(seed, n)
    km = kaplan_meier(days, events)
    kmf = KaplanMeierFitter().fit(days, events)
    horizons = {h: float(h) for h in np.unique(np.r_[days, days + 0.5, 91, 183, 365, 0])}
    table = retention(km, horizons)
    compared = 0
    for row in table.itertuples():
        assert row.a_risque == int((days >= row.jours).sum())
        if math.isnan(row.survie):  # not estimable (beyond follow-up): lifelines carries on
            assert row.jours > days.max()
            continue
        expected = lifelines_at(kmf, row.jours)
        got = (row.survie, row.greenwood, row.ic_bas, row.ic_haut)
        assert got == pytest.approx(expected, abs=5e-4), (row.jours, got, expected)
        assert got == pytest.approx(expected, abs=1e-9)
        compared += 1
    assert compared > n / 3


def test_everyone_ended_against_lifelines():
    days, events = np.array([3, 3, 7, 7, 7, 12]), np.ones(6, dtype=bool)
    km = kaplan_meier(days, events)
    kmf = KaplanMeierFitter().fit(days, events)
    for t in (0, 3, 5, 7, 12, 40):
        row = retention(km, {1: t}).iloc[0]
        got = (row["survie"], row["greenwood"], row["ic_bas"], row["ic_haut"])
        assert got == pytest.approx(lifelines_at(kmf, t), abs=1e-9)


# --- the figures of the pages, the pack and the command line -------------------------------


def many_binomes(n: int, ended_every: int):
    """`n` binômes started on the 1st of a month of 2024, one in `ended_every` ended after
    100 days, the others running at AU (2025-06-30)."""
    rows = []
    for i in range(n):
        start = f"2024-{1 + i % 6:02d}-01"
        ends = {"date_fin": str(np.datetime64(start) + 100)} if i % ended_every == 0 else {}
        rows.append({"date_debut": start, **ends})
    return make_dataset(*rows)


def test_fragile_below_20_binomes_followed():
    assert MIN_AT_RISK == 20
    # 30 binômes, a third ended after 100 days: 20 still followed at 6 and 12 months
    table = retention_by_horizon(many_binomes(30, 3), None, AU)
    assert table["a_risque"].tolist() == [30, 20, 20]
    assert not table["fragile"].any()
    # 28 binômes: 18 still followed past 100 days, fragile at 6 and 12 months
    table = retention_by_horizon(many_binomes(28, 3), None, AU)
    assert table["a_risque"].tolist() == [28, 18, 18]
    assert table["fragile"].tolist() == [False, True, True]
    assert table["lecture"].tolist()[1:] == [
        "fragile : moins de 20 binômes encore suivis à 6 mois",
        "fragile : moins de 20 binômes encore suivis à 12 mois",
    ]
    three = table.iloc[0]
    assert three["lecture"] == (
        f"{percent(three['survie'])} (IC 95{NNBSP}% : {number(three['ic_bas'] * 100, 1)} – "
        f"{percent(three['ic_haut'])})"
    )
    assert three["lecture"] == f"100,0{NNBSP}% (IC 95{NNBSP}% : 100,0 – 100,0{NNBSP}%)"


def test_the_text_of_a_figure():
    row = {"mois": 12, "survie": 0.7123, "ic_bas": 0.5834, "ic_haut": 0.81, "fragile": False}
    assert retention_text(row) == f"71,2{NNBSP}% (IC 95{NNBSP}% : 58,3 – 81,0{NNBSP}%)"
    assert retention_text({**row, "fragile": True}) == (
        "fragile : moins de 20 binômes encore suivis à 12 mois"
    )
    assert retention_text({**row, "survie": float("nan")}) == (
        "pas encore estimable : aucun binôme suivi jusqu'à 12 mois"
    )


def test_figures_of_the_command_line():
    facts = figures(durations_example(), None, AU)
    # KM over 30, 121+, 180+, 394: S = 3/4 from day 30, 0 at day 394
    assert list(facts) == [
        "binomes_suivis", "binomes_termines",
        "part_3_mois", "part_3_mois_ic_bas", "part_3_mois_ic_haut", "part_3_mois_a_risque",
        "part_6_mois", "part_6_mois_ic_bas", "part_6_mois_ic_haut", "part_6_mois_a_risque",
        "part_12_mois", "part_12_mois_ic_bas", "part_12_mois_ic_haut", "part_12_mois_a_risque",
        "duree_mediane_jours",
    ]  # fmt: skip
    assert {k: facts[k] for k in summary(durations_example(), None, AU)} == summary(
        durations_example(), None, AU
    )
    low, high = by_hand(0.75, 1 / (4 * 3))
    assert (facts["part_3_mois_ic_bas"], facts["part_3_mois_ic_haut"]) == (
        round(low, 4),
        round(high, 4),
    )
    # still followed: 121+, 180+, 394 at 3 months; 394 alone at 6 and 12 months
    assert [facts[f"part_{m}_mois_a_risque"] for m in HORIZONS] == [3, 1, 1]
    assert facts["part_12_mois_ic_haut"] == round(high, 4)


def forty_binomes():
    """40 binômes as of AU (2025-06-30): 6 ended after 60 days and 14 running since
    01/01/2024; 4 ended after 100 days and 16 running since 01/02/2025 (149 days)."""
    early, late = {"date_debut": "2024-01-01"}, {"date_debut": "2025-02-01"}
    return make_dataset(
        *[{**early, "date_fin": "2024-03-01"}] * 6,
        *[early] * 14,
        *[{**late, "date_fin": "2025-05-12"}] * 4,
        *[late] * 16,
    )


def test_the_pack_gives_the_interval_and_says_fragile():
    period = Period(dt.date(2024, 1, 1), AU)
    section = committee._retention(forty_binomes(), period)
    assert section.columns == ["libelle", "survie", "ic_bas", "ic_haut", "a_risque"]
    # 3 months: 34 of 40 still followed, S = 34/40, V = 6 / (40 × 34)
    low, high = by_hand(34 / 40, 6 / (40 * 34))
    # 6 and 12 months: S = 0.85 × 30/34 = 0.75 (4 ends on day 100), 14 still followed
    assert section.rows == [
        ["3 mois", 0.85, round(low, 4), round(high, 4), 34],
        ["6 mois", 0.75, *section.rows[1][2:4], 14],
        ["12 mois", 0.75, *section.rows[1][2:4], 14],
    ]
    assert section.note == (
        f"3 mois : 85,0{NNBSP}% (IC 95{NNBSP}% : {number(round(low, 4) * 100, 1)} – "
        f"{percent(round(high, 4))}) ; "
        "6 mois : fragile : moins de 20 binômes encore suivis à 6 mois ; "
        "12 mois : fragile : moins de 20 binômes encore suivis à 12 mois. Binômes démarrés au "
        "plus tard le 30/06/2025, quelle que soit l'année de leur démarrage (comme la page "
        "« Durée des binômes » par défaut)."
    )
    assert section.chart.series == ["ic_bas", "survie", "ic_haut"]
    assert "IC 95 %" in section.definition and "fragile" in section.definition
    # the durations section keeps its counts and median; the shares moved here, with words
    durees = committee._durations(forty_binomes(), period)
    assert [i for i, _ in durees.figures] == [
        "binomes_suivis", "binomes_termines", "duree_mediane_jours",
    ]  # fmt: skip
    pack = committee.Pack(
        period.du, period.au, "precedente", dt.date(2022, 7, 1), dt.date(2023, 12, 31),
        "Département", False, 11, [], [], [section],
    )  # fmt: skip
    prs = Presentation(io.BytesIO(deck(pack)))
    (slide,) = [s for s in prs.slides if s.shapes.title.text == section.title]
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert section.note in text
    sheet = load_workbook(io.BytesIO(workbook(pack)))[section.title]
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert section.note in cells and "IC 95 % : borne basse" in cells


def test_the_catalogue_says_the_rule():
    for months in HORIZONS:
        definition = entry(f"part_{months}_mois").definition
        assert f"moins de {MIN_AT_RISK} binômes encore suivis à {months} mois" in definition
        assert "IC 95 %" in entry(f"part_{months}_mois_ic_bas").name
    assert f"moins de {MIN_AT_RISK} binômes" in INTERVAL_DEFINITION
