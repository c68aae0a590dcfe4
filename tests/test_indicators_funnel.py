"""The funnel: the reaches rule, as-of cut, cohort, rates, delays, stuck parcours.

Expected values are worked out by hand on small literal frames; the demo database, built
through the real pipeline, is checked against facts counted directly in SQL.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.steps import STEP_DATE, STEP_LABELS, STEPS
from indicators.dataset import Dataset, Period
from indicators.funnel import (
    FUNNEL_COLUMNS,
    STUCK_COLUMNS,
    cohort,
    cohort_table,
    funnel,
    funnel_by,
    stuck,
)
from indicators.stats import median, p90
from indicators.steps import last_step, own_condition, reached, status, step_dates
from store.models import DemandeHonorabilite, Parcours

PARCOURS_COLUMNS = [c.name for c in Parcours.__table__.columns] + ["classe", "epci_nom"]
DATE_COLUMNS = [c for c in PARCOURS_COLUMNS if c.startswith("date_")]
DEMANDE_COLUMNS = [c.name for c in DemandeHonorabilite.__table__.columns]


def make_parcours(*rows: dict) -> pd.DataFrame:
    """A parcours frame with the columns and dtypes of `dataset_frames`, from a few dicts
    (dates as ISO strings; unspecified fields get neutral defaults)."""
    defaults = {"association": "Asso A", "canal": "association_directe", "age_inscription": 15}
    records = [
        {**defaults, "id": i + 1, "id_source": f"P{i + 1}", "id_jeune": f"J{i + 1}", **row}
        for i, row in enumerate(rows)
    ]
    frame = pd.DataFrame(records, columns=PARCOURS_COLUMNS)
    for col in DATE_COLUMNS:
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
    for col in ("id", "age_inscription", "annee_naissance"):
        frame[col] = frame[col].astype("Int64")
    return frame


def make_dataset(*rows: dict) -> Dataset:
    demandes = pd.DataFrame(columns=DEMANDE_COLUMNS)
    return Dataset(parcours=make_parcours(*rows), demandes=demandes)


def non_increasing(counts: list[int]) -> bool:
    return all(a >= b for a, b in itertools.pairwise(counts))


def period(du: str, au: str) -> Period:
    return Period(dt.date.fromisoformat(du), dt.date.fromisoformat(au))


AU = dt.date(2025, 6, 30)


# --- the reaches rule -----------------------------------------------------------------


def test_a_later_step_proves_the_earlier_ones():
    p = make_parcours(
        {
            "date_inscription": "2025-01-06",
            "date_attribution": None,
            "date_convention": "2025-03-01",
            "age_inscription": 15,
        }
    )
    own = own_condition(p, AU).iloc[0]
    assert not own["mise_en_relation"] and not own["attribution"]
    r = reached(p, AU).iloc[0]
    assert r[["inscription", "attribution", "autorisation_parentale"]].all()
    assert r[["mise_en_relation", "honorabilite", "convention"]].all()
    assert not r["demarrage"] and not r["cloture"]
    assert last_step(p, AU).iloc[0] == "convention"
    # The missing dates stay missing: no delay can be computed from them.
    dates = step_dates(p, AU).iloc[0]
    assert pd.isna(dates["mise_en_relation"]) and pd.isna(dates["attribution"])


def test_reached_columns_are_steps_in_order_and_never_rise():
    p = make_parcours(
        {"date_inscription": "2025-01-06", "date_debut": "2025-04-01"},
        {"date_inscription": "2025-01-06", "date_honorabilite": "2025-02-01"},
        {"date_inscription": "2025-01-06"},
    )
    r = reached(p, AU)
    assert list(r.columns) == STEPS
    counts = r.sum().tolist()
    assert counts == [3, 2, 2, 2, 2, 1, 1, 0]
    assert non_increasing(counts)


def test_honorabilite_needs_a_favourable_check_known_by_au():
    p = make_parcours(
        {"date_inscription": "2025-01-06", "date_honorabilite": "2025-02-01"},
        {"date_inscription": "2025-01-06", "date_honorabilite": "2025-08-01"},
        {
            "date_inscription": "2025-01-06",
            "date_mise_en_relation": "2025-02-01",
            "date_honorabilite_defavorable": "2025-02-10",
            "resultat_honorabilite": "defavorable",
        },
    )
    assert reached(p, AU)["honorabilite"].tolist() == [True, False, False]


def test_autorisation_parentale_of_adults():
    base = {"date_inscription": "2025-01-06", "date_attribution": "2025-01-10"}
    p = make_parcours(
        {**base, "age_inscription": 17},
        {**base, "age_inscription": 18},
        {**base, "age_inscription": None},
        {**base, "age_inscription": 19, "date_attribution": "2025-07-10"},  # after au
        {**base, "age_inscription": 17, "date_autorisation_parentale": "2025-01-20"},
    )
    assert own_condition(p, AU)["autorisation_parentale"].tolist() == [
        False,
        True,
        False,
        False,
        True,
    ]
    dates = step_dates(p, AU)["autorisation_parentale"]
    # An adult's autorisation parentale is dated by the attribution.
    assert dates.iloc[1] == pd.Timestamp("2025-01-10")
    assert pd.isna(dates.iloc[0]) and pd.isna(dates.iloc[3])
    assert dates.iloc[4] == pd.Timestamp("2025-01-20")


def test_cloture_only_after_a_start():
    base = {"date_inscription": "2025-01-06", "date_mise_en_relation": "2025-02-01"}
    p = make_parcours(
        {**base, "date_debut": "2025-02-20", "date_fin": "2025-05-01"},  # closed
        {**base, "date_fin": "2025-03-01"},  # stopped before the start
        {**base, "date_debut": "2025-02-20", "date_fin": "2025-07-15"},  # end after au
        {**base, "date_debut": "2025-07-01", "date_fin": "2025-06-01"},  # start after au
        {**base},
    )
    assert reached(p, AU)["cloture"].tolist() == [True, False, False, False, False]
    assert status(p, AU).tolist() == ["termine", "perdu", "en_cours", "perdu", "en_cours"]
    assert last_step(p, AU).tolist()[:2] == ["cloture", "mise_en_relation"]
    dates = step_dates(p, AU)["cloture"]
    assert dates.iloc[0] == pd.Timestamp("2025-05-01")
    assert dates.iloc[1:].isna().all()


def test_dates_after_au_are_unknown():
    p = make_parcours(
        {
            "date_inscription": "2025-06-01",
            "date_attribution": "2025-06-30",  # on au: known
            "date_mise_en_relation": "2025-07-01",  # the day after: unknown
            "date_convention": "2025-07-05",
        }
    )
    r = reached(p, AU).iloc[0]
    assert r["attribution"] and not r["mise_en_relation"] and not r["convention"]
    dates = step_dates(p, AU).iloc[0]
    assert dates["attribution"] == pd.Timestamp("2025-06-30")
    assert dates[["mise_en_relation", "convention"]].isna().all()
    later = dt.date(2025, 7, 31)
    assert reached(p, later).iloc[0]["convention"]
    assert last_step(p, dt.date(2025, 5, 31)).iloc[0] is None


def test_step_tables_describe_every_step():
    assert list(STEP_LABELS) == STEPS == list(STEP_DATE)
    assert STEP_DATE["demarrage"] == "date_debut" and STEP_DATE["cloture"] == "date_fin"
    assert STEP_LABELS["honorabilite"] == "Honorabilité"


# --- cohort, rates and delays ---------------------------------------------------------


def test_cohort_is_inclusive_of_du_and_au():
    ds = make_dataset(
        {"date_inscription": "2024-12-31"},
        {"date_inscription": "2025-01-01"},
        {"date_inscription": "2025-06-30"},
        {"date_inscription": "2025-07-01"},
        {"date_inscription": None, "date_attribution": "2025-02-01"},
    )
    per = period("2025-01-01", "2025-06-30")
    assert cohort(ds, per)["id_source"].tolist() == ["P2", "P3"]
    assert funnel(ds, per)["effectif"].iloc[0] == 2


def _rates_dataset() -> Dataset:
    rows = [
        {"date_inscription": "2025-01-06", "date_attribution": a}
        for a in ("2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10", "2025-01-16")
    ]
    rows[0]["date_autorisation_parentale"] = "2025-01-12"  # 5 days after attribution
    rows[1]["date_autorisation_parentale"] = "2025-01-10"  # 2 days after attribution
    rows.append({"date_inscription": "2025-01-06"})
    return make_dataset(*rows)


def test_funnel_counts_rates_and_delays():
    table = funnel(_rates_dataset(), period("2025-01-01", "2025-03-31"))
    assert list(table.columns) == FUNNEL_COLUMNS
    assert table["etape"].tolist() == STEPS
    assert table["libelle"].tolist() == [STEP_LABELS[s] for s in STEPS]
    assert table["effectif"].tolist() == [6, 5, 2, 0, 0, 0, 0, 0]
    rows = table.set_index("etape")
    assert rows.loc["inscription", "taux_etape_precedente"] is None
    assert rows.loc["inscription", "taux_depuis_inscription"] == 1.0
    assert rows.loc["attribution", "taux_etape_precedente"] == 0.8333
    assert rows.loc["autorisation_parentale", "taux_etape_precedente"] == 0.4
    assert rows.loc["autorisation_parentale", "taux_depuis_inscription"] == 0.3333
    assert rows.loc["mise_en_relation", "taux_etape_precedente"] == 0.0
    assert rows.loc["honorabilite", "taux_etape_precedente"] is None  # base 0
    assert rows.loc["honorabilite", "taux_depuis_inscription"] == 0.0
    # Attribution delays 1, 2, 3, 4, 10 days: median 3; p90 = 4 + 0.6 × (10 − 4) = 7.6.
    assert rows.loc["attribution", "delai_etape_jours"] == 3.0
    assert rows.loc["attribution", "delai_etape_p90_jours"] == 7.6
    # Autorisation delays 5 and 2: median 3.5; p90 = 2 + 0.9 × (5 − 2) = 4.7.
    assert rows.loc["autorisation_parentale", "delai_etape_jours"] == 3.5
    assert rows.loc["autorisation_parentale", "delai_etape_p90_jours"] == 4.7
    assert rows.loc["inscription", "delai_etape_jours"] is None
    assert rows.loc["convention", "delai_etape_p90_jours"] is None


def test_stats_interpolate_linearly_and_ignore_missing():
    assert median([1, 2, 3, 4, 10]) == 3.0
    assert p90([1, 2, 3, 4, 10]) == pytest.approx(7.6)
    assert p90(pd.Series([2.0, None, 5.0])) == pytest.approx(4.7)
    assert median([]) is None and p90(pd.Series([], dtype=float)) is None


def test_empty_cohort_gives_zero_counts_and_no_rates():
    table = funnel(make_dataset(), period("2025-01-01", "2025-06-30"))
    assert table["effectif"].tolist() == [0] * 8
    assert table["taux_depuis_inscription"].isna().all()
    assert table["taux_etape_precedente"].tolist() == [None] * 8
    assert stuck(make_dataset(), period("2025-01-01", "2025-06-30"), 30).empty


def test_funnel_by_column():
    ds = make_dataset(
        {"date_inscription": "2025-01-06", "canal": "fiche_cd", "association": None},
        {"date_inscription": "2025-01-06", "canal": "fiche_cd", "date_attribution": "2025-01-08"},
        {"date_inscription": "2025-01-06", "canal": "plateforme_1j1m", "association": "Asso B"},
    )
    per = period("2025-01-01", "2025-06-30")
    table = funnel_by(ds, per, "canal")
    assert list(table.columns) == ["canal", *FUNNEL_COLUMNS]
    assert table["canal"].tolist() == ["fiche_cd"] * 8 + ["plateforme_1j1m"] * 8
    fiche = table[table["canal"] == "fiche_cd"].set_index("etape")
    assert fiche.loc["inscription", "effectif"] == 2
    assert fiche.loc["attribution", "effectif"] == 1
    assert fiche.loc["attribution", "taux_etape_precedente"] == 0.5
    assert fiche.loc["attribution", "delai_etape_jours"] == 2.0
    by_asso = funnel_by(ds, per, "association")
    assert by_asso["association"].drop_duplicates().tolist() == ["Asso A", "Asso B", None]


def test_cohort_table_counts_by_month_of_inscription():
    ds = make_dataset(
        {"date_inscription": "2025-01-06", "date_attribution": "2025-01-08"},
        {"date_inscription": "2025-01-31"},
        {"date_inscription": "2025-03-01", "date_debut": "2025-03-20"},
        {"date_inscription": "2025-03-02", "date_debut": "2025-04-01"},  # starts after au
    )
    table = cohort_table(ds, period("2025-01-15", "2025-03-31"))
    assert list(table.columns) == ["mois", *STEPS]
    assert table["mois"].tolist() == [pd.Timestamp(f"2025-0{m}-01") for m in (1, 2, 3)]
    # 6 January is before du: only the 31 January inscription counts for January.
    assert table["inscription"].tolist() == [1, 0, 2]
    assert table["attribution"].tolist() == [0, 0, 1]  # proven by the start
    assert table["demarrage"].tolist() == [0, 0, 1]

    # data known until 20 February: March is not known yet, it is no row of zeros
    known = cohort_table(ds, period("2025-01-15", "2025-03-31"), dt.date(2025, 2, 20))
    assert known["mois"].tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")]
    assert known["inscription"].tolist() == [1, 0]


# --- stuck parcours -------------------------------------------------------------------


def test_stuck_buckets_and_order():
    insc = "2025-01-02"
    ds = make_dataset(
        {"id_source": "A", "date_inscription": insc, "date_attribution": "2025-06-01"},  # 29 d
        {"id_source": "B", "date_inscription": insc, "date_attribution": "2025-05-31"},  # 30 d
        {
            "id_source": "C",
            "date_inscription": insc,
            "date_attribution": "2025-01-03",
            "date_autorisation_parentale": "2025-01-10",
            "date_mise_en_relation": "2025-05-02",  # 59 d
        },
        {"id_source": "D", "date_inscription": insc, "date_attribution": "2025-05-01"},  # 60 d
        {"id_source": "E", "date_inscription": insc, "date_attribution": "2025-04-01"},  # 90 d
        {
            "id_source": "F",  # lost: not stuck
            "date_inscription": insc,
            "date_attribution": "2025-04-01",
            "date_fin": "2025-04-15",
        },
        {
            "id_source": "G",  # closed: not stuck
            "date_inscription": insc,
            "date_debut": "2025-02-01",
            "date_fin": "2025-04-15",
        },
        {
            "id_source": "H",  # adult: autorisation dated by the attribution, 121 d
            "date_inscription": insc,
            "date_attribution": "2025-03-01",
            "age_inscription": 19,
            "association": "Asso B",
        },
    )
    table = stuck(ds, period("2025-01-01", "2025-06-30"), 30)
    assert list(table.columns) == STUCK_COLUMNS
    assert table["id_source"].tolist() == ["H", "E", "D", "C", "B"]
    assert table["jours_sans_etape"].tolist() == [121, 90, 60, 59, 30]
    assert table["tranche"].tolist() == [
        "90 jours et plus",
        "90 jours et plus",
        "60-89 jours",
        "30-59 jours",
        "30-59 jours",
    ]
    assert table["etape_atteinte"].tolist() == [
        "Autorisation parentale",
        "Attribution",
        "Attribution",
        "Mise en relation",
        "Attribution",
    ]
    assert table["depuis"].iloc[0] == dt.date(2025, 3, 1)
    assert table["association"].iloc[0] == "Asso B"

    short = stuck(ds, period("2025-01-01", "2025-06-30"), threshold_days=10)
    tranche = short.set_index("id_source")["tranche"]
    assert tranche["A"] == "20-29 jours" and tranche["B"] == "30 jours et plus"


def test_stuck_threshold_buckets_follow_the_threshold():
    ds = make_dataset(
        {"date_inscription": "2025-06-10"},  # 20 days
        {"date_inscription": "2025-06-15"},  # 15 days
    )
    table = stuck(ds, period("2025-01-01", "2025-06-30"), threshold_days=10)
    assert table["tranche"].tolist() == ["20-29 jours", "10-19 jours"]


def test_an_active_binome_is_not_stuck():
    started = {
        "date_inscription": "2025-01-06",
        "date_attribution": "2025-01-10",
        "date_mise_en_relation": "2025-01-20",
        "date_convention": "2025-01-25",
        "date_debut": "2025-02-01",  # 149 days at au, mentoring under way: not stuck
        "date_honorabilite": "2025-01-24",
        "age_inscription": 19,
    }
    waiting = {"date_inscription": "2025-01-06", "date_attribution": "2025-01-10"}  # 171 days
    ds = make_dataset({**started, "id_source": "S"}, {**waiting, "id_source": "W"})
    table = stuck(ds, period("2025-01-01", "2025-06-30"), 30)
    assert table["id_source"].tolist() == ["W"]
    assert table["jours_sans_etape"].tolist() == [171]


# --- property: counts never rise ------------------------------------------------------

_DAY0 = dt.date(2024, 1, 1)
_dates = st.one_of(st.none(), st.integers(0, 900).map(lambda d: _DAY0 + dt.timedelta(days=d)))
_parcours = st.fixed_dictionaries(
    {
        **{col: _dates for col in STEP_DATE.values()},
        "date_inscription": _dates,
        "age_inscription": st.one_of(st.none(), st.integers(10, 22)),
        "canal": st.sampled_from(["fiche_cd", "association_directe"]),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(_parcours, min_size=0, max_size=25),
    start=st.integers(0, 900),
    length=st.integers(0, 900),
)
def test_funnel_counts_never_rise(rows, start, length):
    du = _DAY0 + dt.timedelta(days=start)
    per = Period(du, du + dt.timedelta(days=length))
    ds = make_dataset(*rows)
    counts = funnel(ds, per)["effectif"].tolist()
    assert non_increasing(counts)
    assert counts[0] == len(cohort(ds, per))
    r = reached(ds.parcours, per.au).to_numpy()
    assert (r[:, :-1] >= r[:, 1:]).all()  # per parcours as well
    assert set(status(ds.parcours, per.au)) <= {"en_cours", "perdu", "termine"}
    by_canal = funnel_by(ds, per, "canal").groupby("etape", sort=False)["effectif"].sum()
    assert by_canal.reindex(STEPS, fill_value=0).tolist() == counts


# --- the demo database, built through the pipeline ------------------------------------


DEMO_PERIODS = [period("2015-01-01", "2026-10-31"), period("2025-11-01", "2026-10-31")]


@pytest.mark.parametrize("per", DEMO_PERIODS)
def test_demo_funnel_matches_sql_counts(demo, per):
    engine, dataset = demo
    p = Parcours.__table__
    in_period = p.c.date_inscription.between(per.du, per.au)
    with engine.connect() as conn:
        inscribed = conn.execute(select(func.count()).where(in_period)).scalar_one()
        started = conn.execute(
            select(func.count()).where(in_period, p.c.date_debut <= per.au)
        ).scalar_one()
        with_convention = conn.execute(
            select(func.count()).where(in_period, p.c.date_convention <= per.au)
        ).scalar_one()
    table = funnel(dataset, per).set_index("etape")
    assert inscribed > 0
    assert table.loc["inscription", "effectif"] == inscribed
    # Reaching a step needs at most its own date: counts are at least the dated ones.
    assert table.loc["demarrage", "effectif"] >= started
    assert table.loc["convention", "effectif"] >= with_convention
    counts = table["effectif"].tolist()
    assert non_increasing(counts)
    assert counts[-1] > 0


def test_demo_breakdowns_add_up(demo):
    _, dataset = demo
    per = DEMO_PERIODS[1]
    counts = funnel(dataset, per)["effectif"].tolist()
    by_asso = funnel_by(dataset, per, "association")
    assert by_asso.groupby("etape", sort=False)["effectif"].sum()[STEPS].tolist() == counts
    assert cohort_table(dataset, per)[STEPS].sum().tolist() == counts
    assert len(cohort_table(dataset, per)) == 12


def test_demo_stuck_are_open_and_sorted(demo):
    _, dataset = demo
    per = DEMO_PERIODS[1]
    table = stuck(dataset, per, 30)
    assert not table.empty
    assert (table["jours_sans_etape"] >= 30).all()
    assert table["jours_sans_etape"].is_monotonic_decreasing
    ids = set(table["id_source"])
    c = cohort(dataset, per)
    stuck_rows = c[c["id_source"].isin(ids)]
    assert stuck_rows["date_fin"].isna().all() | (stuck_rows["date_fin"] > per.end).all()
    assert set(table["tranche"]) <= {"30-59 jours", "60-89 jours", "90 jours et plus"}


def test_step_delays_skip_unknown_and_negative_delays():
    ds = make_dataset(
        {"date_inscription": "2025-01-06", "date_attribution": "2025-01-09"},  # 3
        {"date_inscription": "2025-01-06", "date_attribution": "2025-01-02"},  # negative
        {"date_inscription": "2025-01-06", "date_attribution": "2025-08-01"},  # after au
        {"date_inscription": "2025-01-06", "date_mise_en_relation": "2025-02-01"},
    )
    rows = funnel(ds, period("2025-01-01", "2025-06-30")).set_index("etape")
    assert rows.loc["attribution", "delai_etape_jours"] == 3.0
    assert rows.loc["attribution", "delai_etape_p90_jours"] == 3.0
    assert rows.loc["mise_en_relation", "delai_etape_jours"] is None
