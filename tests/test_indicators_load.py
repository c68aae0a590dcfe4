"""Association load at the as-of date: active binômes, youths waiting, capacity, readings.

Expected values are worked out by hand on small literal frames. The demo database, built
once through the real pipeline, is checked against facts counted directly in SQL for the
load, coverage, durations and dispatch modules (one build for all four).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import and_, func, or_, select

from indicators.dataset import Dataset, Period
from indicators.workload import (
    LOAD_COLUMNS,
    association_load,
    association_load_records,
    flow_share,
    imbalance,
    median_days_to_mentor,
    monthly_inflow,
    waiting,
    waiting_summary,
)
from store.models import Association, Commune, DemandeHonorabilite, Parcours

PARCOURS_COLUMNS = [c.name for c in Parcours.__table__.columns] + ["classe", "epci_nom"]
DATE_COLUMNS = [c for c in PARCOURS_COLUMNS if c.startswith("date_")]
DEMANDE_COLUMNS = [c.name for c in DemandeHonorabilite.__table__.columns]
ASSOCIATION_COLUMNS = [c.name for c in Association.__table__.columns]
ANTENNE_COLUMNS = ["association", "nom", "commune_insee", "commune", "latitude", "longitude"]
COMMUNE_COLUMNS = [c.name for c in Commune.__table__.columns]


# --- builders shared by the indicator tests -------------------------------------------------


def make_parcours(*rows: dict) -> pd.DataFrame:
    """Parcours with the columns and dtypes of `dataset_frames` (dates as ISO strings;
    association "Asso A" unless said)."""
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
    text = [c for c in PARCOURS_COLUMNS if c not in DATE_COLUMNS and frame[c].isna().all()]
    frame[text] = frame[text].astype(object)  # an all-empty text column stays text
    return frame


def make_associations(*rows: dict) -> pd.DataFrame:
    records = [{"id": i + 1, "cle": r["nom"].lower(), **r} for i, r in enumerate(rows)]
    frame = pd.DataFrame(records, columns=ASSOCIATION_COLUMNS)
    frame["capacite"] = frame["capacite"].astype("Int64")
    return frame


def make_antennes(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=ANTENNE_COLUMNS)
    return frame.astype({"latitude": float, "longitude": float})


def make_communes(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(
        [{"departement": "59", **r} for r in rows], columns=COMMUNE_COLUMNS
    ).astype({"latitude": float, "longitude": float})
    frame["population"] = frame["population"].astype("Int64")
    return frame


def make_dataset(
    *rows: dict,
    associations: pd.DataFrame | None = None,
    antennes: pd.DataFrame | None = None,
    communes: pd.DataFrame | None = None,
) -> Dataset:
    """A Dataset as `dataset_frames` builds it: `classe`, `niveau_densite` and `epci_nom`
    of the parcours come from the communes frame."""
    parcours = make_parcours(*rows)
    communes = communes if communes is not None else make_communes()
    place = communes.set_index("insee")[["classe", "niveau_densite", "epci_nom"]]
    parcours = parcours.drop(columns=["classe", "niveau_densite", "epci_nom"], errors="ignore")
    parcours = parcours.join(place, on="commune_insee")
    return Dataset(
        parcours=parcours,
        demandes=pd.DataFrame(columns=DEMANDE_COLUMNS),
        associations=associations if associations is not None else make_associations(),
        antennes=antennes if antennes is not None else make_antennes(),
        communes=communes,
    )


def period(du: str, au: str) -> Period:
    return Period(dt.date.fromisoformat(du), dt.date.fromisoformat(au))


AU = dt.date(2025, 6, 30)


# --- load at au -----------------------------------------------------------------------------


def load_example() -> Dataset:
    return make_dataset(
        {"date_debut": "2025-01-10"},  # P1 active
        {"date_debut": "2025-01-10", "date_fin": "2025-06-30"},  # P2 ended on au: not active
        {"date_debut": "2025-01-10", "date_fin": "2025-07-15"},  # P3 end after au: active
        # P4 starts after au (not active), matched before au (not waiting)
        {"date_attribution": "2025-05-01", "date_mise_en_relation": "2025-06-20",
         "date_debut": "2025-07-01"},
        {"date_attribution": "2025-06-10"},  # P5 waiting 20 days
        # P6 matched after au: still waiting at au, 29 days
        {"date_attribution": "2025-06-01", "date_mise_en_relation": "2025-07-05"},
        {"date_attribution": "2025-06-01", "date_fin": "2025-06-15"},  # P7 left: not waiting
        {"date_attribution": "2025-07-02"},  # P8 attributed after au
        # P9 convention proves the mise en relation (its date is missing): not waiting
        {"date_attribution": "2025-05-31", "date_convention": "2025-06-20"},
        # P10 so does a favourable honorabilité of the mentor; not waiting
        {"date_attribution": "2025-05-31", "date_honorabilite": "2025-06-25"},
        {"association": "Asso B", "date_debut": "2025-02-01"},  # P11 active, no referential
        {"association": None, "date_attribution": "2025-06-01", "date_debut": "2025-06-02"},
        associations=make_associations(
            {"nom": "Asso A", "capacite": 4}, {"nom": "Asso C", "capacite": None}
        ),
    )  # fmt: skip


def test_load_at_au_counts_active_and_waiting_with_capacity():
    frame = association_load(load_example(), AU)
    assert list(frame.columns) == LOAD_COLUMNS
    assert frame["association"].tolist() == ["Asso A", "Asso B", "Asso C"]
    assert frame["binomes_actifs"].tolist() == [2, 1, 0]
    assert frame["en_attente_binome"].tolist() == [2, 0, 0]
    assert frame.loc[0, "capacite"] == 4 and frame.loc[0, "taux_charge"] == 0.5
    # Asso B is not in the referential, Asso C has no capacity: load not computed.
    assert frame["capacite"].isna().tolist() == [False, True, True]
    assert np.isnan(frame.loc[1, "taux_charge"]) and np.isnan(frame.loc[2, "taux_charge"])


def test_load_records_are_json_ready():
    records = association_load_records(load_example(), AU)
    assert records[0] == {
        "association": "Asso A",
        "binomes_actifs": 2,
        "en_attente_binome": 2,
        "capacite": 4,
        "taux_charge": 0.5,
    }
    assert records[1]["capacite"] is None and records[1]["taux_charge"] is None


def test_load_rate_is_rounded_and_zero_capacity_gives_no_rate():
    ds = make_dataset(
        {"date_debut": "2025-01-01"},
        {"date_debut": "2025-01-01"},
        {"association": "Asso Z", "date_debut": "2025-01-01"},
        associations=make_associations(
            {"nom": "Asso A", "capacite": 3}, {"nom": "Asso Z", "capacite": 0}
        ),
    )
    frame = association_load(ds, AU).set_index("association")
    assert frame.at["Asso A", "taux_charge"] == 0.6667
    assert np.isnan(frame.at["Asso Z", "taux_charge"])


def test_associations_are_sorted_by_name_ignoring_accents():
    ds = make_dataset(
        {"association": "Zèbre"},
        associations=make_associations(
            {"nom": "Envol", "capacite": 1}, {"nom": "Élan", "capacite": 1}
        ),
    )
    assert association_load(ds, AU)["association"].tolist() == ["Élan", "Envol", "Zèbre"]


def test_waiting_youths_longest_first_and_summary():
    ds = load_example()
    rows = waiting(ds, AU)
    assert rows["id_source"].tolist() == ["P6", "P5"]
    assert rows["jours_attente"].tolist() == [29, 20]
    summary = waiting_summary(ds, AU).set_index("association")
    assert summary.at["Asso A", "en_attente_binome"] == 2
    assert summary.at["Asso A", "attente_mediane_jours"] == 24.5
    assert summary.at["Asso B", "en_attente_binome"] == 0
    assert np.isnan(summary.at["Asso B", "attente_mediane_jours"])


def test_monthly_inflow_counts_attributions_per_month_with_zeros():
    frame = monthly_inflow(load_example(), period("2025-05-01", "2025-06-30"))
    table = frame.set_index(["association", "mois"])["attributions"]
    may, june = pd.Timestamp("2025-05-01"), pd.Timestamp("2025-06-01")
    assert table[("Asso A", may)] == 3  # P4, P9, P10
    assert table[("Asso A", june)] == 3  # P5, P6, P7 (P8 is July; P12 has no association)
    assert table[("Asso B", may)] == 0 and table[("Asso C", june)] == 0
    assert len(frame) == 3 * 2


def test_monthly_inflow_stops_at_the_data_date():
    """A period ending after the data date: the months after it are not known yet, never
    rows of zeros; the month of the data date is kept (partial)."""
    example, late = load_example(), period("2025-05-01", "2025-09-30")
    known = monthly_inflow(example, late, dt.date(2025, 6, 10))
    assert sorted(known["mois"].unique()) == [
        pd.Timestamp("2025-05-01"),
        pd.Timestamp("2025-06-01"),
    ]
    assert known.equals(monthly_inflow(example, period("2025-05-01", "2025-06-30")))
    assert monthly_inflow(example, late, dt.date(2025, 12, 31)).equals(
        monthly_inflow(example, late)
    )
    assert monthly_inflow(example, late, dt.date(2025, 4, 30)).empty  # nothing known yet


def test_median_days_to_mentor_on_the_cohort():
    ds = make_dataset(
        {"date_inscription": "2025-01-05", "date_attribution": "2025-01-05",
         "date_mise_en_relation": "2025-01-15"},  # 10 days
        {"date_inscription": "2025-02-01", "date_attribution": "2025-02-03",
         "date_mise_en_relation": "2025-03-05"},  # 30 days
        {"date_inscription": "2025-02-01", "date_attribution": "2025-02-03",
         "date_mise_en_relation": "2025-07-05"},  # after au: not yet
        {"date_inscription": "2024-12-01", "date_attribution": "2024-12-01",
         "date_mise_en_relation": "2025-01-01"},  # outside the cohort
        {"association": "Asso B", "date_inscription": "2025-03-01",
         "date_attribution": "2025-03-01"},  # no mentor yet
    )  # fmt: skip
    frame = median_days_to_mentor(ds, period("2025-01-01", "2025-06-30")).set_index("association")
    assert frame.at["Asso A", "mis_en_relation"] == 2
    assert frame.at["Asso A", "delai_mise_en_relation"] == 20.0
    assert frame.at["Asso B", "mis_en_relation"] == 0
    assert np.isnan(frame.at["Asso B", "delai_mise_en_relation"])


def test_flow_share_of_the_cohort():
    ds = make_dataset(
        {"date_inscription": "2025-01-05"},
        {"date_inscription": "2025-02-05"},
        {"date_inscription": "2025-03-05"},
        {"association": "Asso B", "date_inscription": "2025-03-05"},
        {"association": "Asso B", "date_inscription": "2024-03-05"},  # outside
        {"association": None, "date_inscription": "2025-03-05"},  # fiche not sent
    )
    frame = flow_share(ds, period("2025-01-01", "2025-06-30")).set_index("association")
    assert frame["jeunes_confies"].tolist() == [3, 1]
    assert frame["part_du_flux"].tolist() == [0.75, 0.25]


def test_imbalance_reads_over_and_under_capacity():
    load = pd.DataFrame(
        {
            "association": ["Envol", "Boussole", "Ailes", "Tremplin", "Nouvelle"],
            "binomes_actifs": [112, 48, 70, 10, 3],
            "en_attente_binome": [35, 4, 0, 1, 2],
            "capacite": pd.array([100, 100, 100, 10, None], dtype="Int64"),
            "taux_charge": [1.12, 0.48, 0.70, 1.0, np.nan],
        }
    )
    refs = make_associations(
        {"nom": "Envol", "capacite": 100, "communes_servies": "59350;59512"},
        {"nom": "Boussole", "capacite": 100, "communes_servies": "59392"},
        {"nom": "Ailes", "capacite": 100, "communes_servies": "59512;59400"},
        {"nom": "Tremplin", "capacite": 10, "communes_servies": ""},
    )
    assert imbalance(load, refs) == [
        "Envol est à 112\u202f% de sa capacité avec 35 jeunes en attente, alors que Ailes, "
        "qui dessert une partie des mêmes communes, a 30 places disponibles",
        "Tremplin est à 100\u202f% de sa capacité avec 1 jeune en attente",
        "Boussole est à 48\u202f% de sa capacité (52 places disponibles, 4 jeunes en attente "
        "de mentor)",
        "Nouvelle : capacité non renseignée dans le référentiel, taux de charge non calculé "
        "(3 binômes actifs)",
    ]
    # Without the referential, no comparison of served communes.
    assert imbalance(load)[0] == "Envol est à 112\u202f% de sa capacité avec 35 jeunes en attente"


# --- the demo database, built through the pipeline ------------------------------------------


DEMO_DATES = [dt.date(2025, 12, 31), dt.date(2026, 10, 31)]


def _unknown_at(column, au):
    """SQL: the date is not known by au (NULL or later)."""
    return or_(column.is_(None), column > au)


@pytest.mark.parametrize("au", DEMO_DATES)
def test_demo_load_matches_sql_counts(demo, au):
    engine, dataset = demo
    p = Parcours.__table__
    active = and_(p.c.date_debut <= au, _unknown_at(p.c.date_fin, au))
    waits = and_(
        p.c.date_attribution <= au,
        _unknown_at(p.c.date_mise_en_relation, au),
        _unknown_at(p.c.date_honorabilite, au),
        _unknown_at(p.c.date_convention, au),
        _unknown_at(p.c.date_debut, au),
        _unknown_at(p.c.date_fin, au),
    )
    with engine.connect() as conn:
        actives = dict(
            conn.execute(
                select(p.c.association, func.count())
                .where(active, p.c.association.is_not(None))
                .group_by(p.c.association)
            ).all()
        )
        waiting_counts = dict(
            conn.execute(
                select(p.c.association, func.count())
                .where(waits, p.c.association.is_not(None))
                .group_by(p.c.association)
            ).all()
        )
        capacity = dict(conn.execute(select(Association.nom, Association.capacite)).all())
    frame = association_load(dataset, au).set_index("association")
    assert sum(actives.values()) > 0 and sum(waiting_counts.values()) > 0
    assert frame["binomes_actifs"].to_dict() == {n: actives.get(n, 0) for n in frame.index}
    assert frame["en_attente_binome"].to_dict() == {
        n: waiting_counts.get(n, 0) for n in frame.index
    }
    for name, row in frame.iterrows():
        assert row["capacite"] == capacity[name]
        assert row["taux_charge"] == round(row["binomes_actifs"] / capacity[name], 4)
    assert all(isinstance(t, str) and t for t in imbalance(frame.reset_index()))


@pytest.mark.parametrize("au", DEMO_DATES)
def test_demo_coverage_matches_sql_counts(demo, au):
    from indicators.coverage import rural_urban, territories_json

    engine, dataset = demo
    per = Period.last_months(au)
    p, c = Parcours.__table__, Commune.__table__
    in_period = p.c.date_inscription.between(per.du, per.au)
    with engine.connect() as conn:
        youths = dict(
            conn.execute(
                select(c.c.classe, func.count())
                .select_from(p.join(c, c.c.insee == p.c.commune_insee))
                .where(in_period)
                .group_by(c.c.classe)
            ).all()
        )
        starts = dict(
            conn.execute(
                select(c.c.classe, func.count())
                .select_from(p.join(c, c.c.insee == p.c.commune_insee))
                .where(in_period, p.c.date_debut <= au)
                .group_by(c.c.classe)
            ).all()
        )
        in_person = dict(
            conn.execute(
                select(c.c.classe, func.count())
                .select_from(p.join(c, c.c.insee == p.c.commune_insee))
                .where(in_period, p.c.date_debut <= au, p.c.modalite == "presentiel")
                .group_by(c.c.classe)
            ).all()
        )
        known_mode = dict(
            conn.execute(
                select(c.c.classe, func.count())
                .select_from(p.join(c, c.c.insee == p.c.commune_insee))
                .where(in_period, p.c.date_debut <= au, p.c.modalite.is_not(None))
                .group_by(c.c.classe)
            ).all()
        )
    table = rural_urban(dataset, per)
    territories = territories_json(dataset, per)
    for classe in ("rural", "urbain"):
        assert youths[classe] > 0
        assert table.at[classe, "jeunes_inscrits"] == youths[classe]
        assert territories[classe]["demarrages"] == starts.get(classe, 0)
        share = round(in_person.get(classe, 0) / known_mode[classe], 4)
        assert territories[classe]["part_presentiel"] == share
    assert "inconnu" not in table.index  # every demo youth has a classified commune


def test_demo_durations_and_dispatch_hold_together(demo):
    from indicators.dispatch import rank_associations
    from indicators.durations import end_reasons, summary

    engine, dataset = demo
    au = DEMO_DATES[-1]
    p = Parcours.__table__
    in_order = or_(p.c.date_fin.is_(None), p.c.date_fin >= p.c.date_debut)
    with engine.connect() as conn:
        started = conn.execute(
            select(func.count()).where(p.c.date_debut <= au, in_order)
        ).scalar_one()
        ended = conn.execute(
            select(func.count()).where(
                p.c.date_debut <= au, p.c.date_fin <= au, p.c.date_fin >= p.c.date_debut
            )
        ).scalar_one()
        served = conn.execute(select(Association.nom, Association.communes_servies)).all()
    figures = summary(dataset, None, au)
    assert (figures["binomes_suivis"], figures["binomes_termines"]) == (started, ended)
    assert 0 < figures["part_12_mois"] <= figures["part_6_mois"] <= 1
    reasons = end_reasons(dataset, None, au)
    assert reasons["binomes_termines"].sum() == ended
    assert math.isclose(reasons["part"].sum(), 1.0, abs_tol=1e-3)

    # With no wish expressed, serving the commune (40 points) outweighs everything else
    # (at most 35): the associations listing the commune come first, in SQL's words too.
    commune = dataset.antennes["commune_insee"].iloc[0]
    servers = {name for name, codes in served if commune in (codes or "").split(";")}
    assert servers and len(servers) < len(dataset.associations)
    ranking = rank_associations(dataset, au, commune, [], None)
    assert ranking["rang"].tolist() == list(range(1, len(dataset.associations) + 1))
    assert set(ranking["association"].head(len(servers))) == servers
    assert ranking["raisons"].str.startswith("dessert la commune").sum() == len(servers)
    assert ranking["score"].is_monotonic_decreasing
