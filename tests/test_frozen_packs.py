"""Packs frozen for a comité: the same numbers after later imports and undos, « depuis le
dernier comité » in the next pack, listed per association, deleted with an audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from indicators import headline
from indicators.dataset import Dataset, Period
from pipelines.api import ingest
from pipelines.undo import undo_import
from reports import frozen
from reports.pack import PackError, Scope, build_pack
from store.audit import Actor
from store.models import Journal
from store.queries import dataset_frames
from tests.helpers import csv_bytes
from tests.test_ingest import HEADER, ROW_A1, ROW_A2

PERIOD = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
ROW_A9 = ["A9", "Bernard", "Luc", "02/02/2008", "Lille", "", "", "", "01/04/2025"] + [""] * 8
ROW_A10 = ["A10", "Petit", "Léa", "03/03/2009", "Lille", "", "", "", "02/05/2025"] + [""] * 8
CLAIRE = Actor("claire", "admin")


def _data(engine) -> Dataset:
    with engine.connect() as conn:
        return Dataset(**dataset_frames(conn))


def _figures(pack) -> dict:
    return {f.id: f.now for f in pack.figures}


def _journal(engine, action: str) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(select(Journal.detail).where(Journal.action == action))
        return [r.detail for r in rows]


@pytest.fixture
def one_import(engine, key):
    report = ingest(
        engine, csv_bytes([HEADER, ROW_A1, ROW_A2]), "mars.csv", key, association="Envol"
    )
    assert report.statut == "charge"
    return engine


def test_a_frozen_pack_keeps_its_numbers_after_an_import_and_its_undo(one_import, key):
    engine = one_import
    pack = build_pack(engine, _data(engine), PERIOD, who="claire")
    # By hand: A1 and A2 registered in January 2025, A1 started on 05/03/2025.
    assert _figures(pack)["jeunes_inscrits"] == 2
    assert _figures(pack)["binomes_demarres_cohorte"] == 1
    assert pack.last_comite_label is None
    assert [source for source, _ in pack.sources] == ["Export d'association — Envol"]
    assert pack.data_version == "dernier import n° 1"
    number = frozen.freeze(engine, pack, b"carte", "Comité de juin", "departement", None, CLAIRE)
    stored, picture = frozen.load(engine, number)
    assert picture == b"carte"
    assert stored.frozen_label == "Comité de juin" and "par claire" in stored.frozen_on
    assert _figures(stored) == _figures(pack)

    later = csv_bytes([HEADER, ROW_A1, ROW_A2, ROW_A9, ROW_A10])
    report = ingest(engine, later, "avril.csv", key, association="Envol")
    assert report.statut == "charge" and report.nouveaux == 2
    live = build_pack(engine, _data(engine), PERIOD, who="claire")
    assert _figures(live)["jeunes_inscrits"] == 4
    assert headline.figures(_data(engine), PERIOD)["jeunes_inscrits"] == 4
    youths = next(f for f in live.figures if f.id == "jeunes_inscrits")
    assert (youths.last_comite, youths.since_last_comite.text) == (2, "+2")
    assert live.last_comite_label == "Comité de juin"

    assert frozen.load(engine, number)[0] == stored  # nothing recomputed
    undo_import(engine, report.import_id, "claire")
    assert frozen.load(engine, number)[0] == stored
    after_undo = build_pack(engine, _data(engine), PERIOD)
    assert _figures(after_undo)["jeunes_inscrits"] == 2
    assert after_undo.data_version == "dernier import n° 2 (1 import annulé)"
    assert frozen.load(engine, number)[0].data_version == "dernier import n° 1"
    assert _journal(engine, "comite_fige") == [
        "pack n° 1 « Comité de juin » : Département, du 01/01/2025 au 31/12/2025"
    ]


def test_frozen_packs_are_listed_per_association_and_deleted_with_an_audit_entry(one_import):
    engine = one_import
    data = _data(engine)
    whole = build_pack(engine, data, PERIOD)
    own = build_pack(
        engine, data, PERIOD, scope=Scope.named("association", "Envol"), hide_small=True
    )
    first = frozen.freeze(engine, whole, None, "  Comité\nde mars ", "departement", None, CLAIRE)
    second = frozen.freeze(engine, own, None, "Envol", "association:Envol", "Envol", CLAIRE)
    assert [p.id for p in frozen.listing(engine)] == [second, first]
    assert [p.libelle for p in frozen.listing(engine)] == ["Envol", "Comité de mars"]
    assert [p.id for p in frozen.listing(engine, "Envol")] == [second]
    assert frozen.listing(engine, "Autre") == []
    with pytest.raises(frozen.FrozenError):
        frozen.load(engine, first, association="Envol")  # another scope's pack
    assert frozen.latest(engine, "association:Envol").scope_label == "Association Envol"

    frozen.remove(engine, first, CLAIRE)
    assert [p.id for p in frozen.listing(engine)] == [second]
    with pytest.raises(frozen.FrozenError, match="Aucun pack figé n° 1"):
        frozen.load(engine, first)
    with pytest.raises(frozen.FrozenError):
        frozen.remove(engine, first, CLAIRE)
    assert _journal(engine, "comite_supprime") == [
        "pack n° 1 « Comité de mars » (du 01/01/2025 au 31/12/2025)"
    ]


@pytest.mark.parametrize("label", ["", "   ", "\n", "x" * 201])
def test_a_label_is_required_and_bounded(one_import, label):
    pack = build_pack(one_import, _data(one_import), PERIOD)
    with pytest.raises(frozen.FrozenError):
        frozen.freeze(one_import, pack, None, label, "departement", None, CLAIRE)
    assert frozen.listing(one_import) == []


def test_an_unknown_scope_or_a_comparison_without_dates_is_said_in_french(one_import):
    data = _data(one_import)
    with pytest.raises(PackError, match="Association « Nulle part » inconnu"):
        build_pack(one_import, data, PERIOD, scope=Scope.named("association", "Nulle part"))
    with pytest.raises(PackError, match="deux dates"):
        build_pack(one_import, data, PERIOD, comparison="dates")


def test_the_comparisons_are_the_periods_asked_for(one_import):
    data = _data(one_import)
    leap = Period(dt.date(2024, 2, 29), dt.date(2024, 12, 31))
    year = build_pack(one_import, data, leap, comparison="annee")
    assert (year.comparison_du, year.comparison_au) == (dt.date(2023, 2, 28), dt.date(2023, 12, 31))
    before = build_pack(one_import, data, PERIOD)  # 365 days, before a leap year's end
    assert (before.comparison_du, before.comparison_au) == (
        dt.date(2024, 1, 2),
        dt.date(2024, 12, 31),
    )
    chosen = build_pack(
        one_import,
        data,
        PERIOD,
        comparison="dates",
        compare_du=dt.date(2025, 1, 1),
        compare_au=dt.date(2025, 1, 12),
    )
    assert _figures(chosen)["jeunes_inscrits"] == 2
    # A1 (10/01) registered by the 12th, A2 (15/01) after.
    assert {f.id: f.before for f in chosen.figures}["jeunes_inscrits"] == 1
    assert chosen.figures[0].change.text == "+1"
