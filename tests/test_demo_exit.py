"""Leaving demo mode from the Importer (demo/exit.py, dashboard/demo_exit.py): what
will happen is said first, nothing happens before the person agrees, then the fictitious data
are out, the app asks for sign-in and, on this machine, offers to create the first admin."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

import settings
from demo.exit import leave_demo
from pipelines.errors import IngestError
from store.audit import Actor, entries
from store.db import make_engine
from store.models import Association, ComiteFige, Commune, ImportLot, Parcours
from store.queries import is_demo
from tests.test_access import ROOT, listening  # noqa: F401  (fixture)


@pytest.fixture
def demo_copy(demo_pristine, tmp_path, monkeypatch, key):
    """A copy of the demo database as `make demo` leaves it (no account yet, whatever the
    tests before this one did), that this test may change."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_pristine, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _freeze_a_pack(engine) -> None:
    import datetime as dt

    from indicators.dataset import Dataset, Period
    from reports import frozen
    from reports.pack import build_pack
    from store.queries import dataset_frames

    with engine.connect() as conn:
        data = Dataset(**dataset_frames(conn))
    pack = build_pack(engine, data, Period.default(dt.date(2026, 10, 31)))
    frozen.freeze(engine, pack, None, "Démo", "departement", None, Actor("démonstration"))
    assert _count(engine, ComiteFige) == 1


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_the_importer_on_the_demo_says_what_leaving_does_before_doing_it(demo_copy, listening):  # noqa: F811
    listening("localhost")
    parcours = _count(demo_copy, Parcours)
    _freeze_a_pack(demo_copy)
    at = AppTest.from_file(str(ROOT / "pages" / "importer.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    warning = at.warning[0].value
    assert "base de démonstration" in warning
    assert f"{parcours:,}".replace(",", "\u202f") + " parcours fictifs" in warning
    assert "créer le compte administrateur" in warning
    assert not at.get("file_uploader")  # no real file into fictitious data
    button = at.button[0]
    assert button.label == "Quitter le mode démonstration" and button.disabled
    assert _count(demo_copy, Parcours) == parcours  # nothing happened yet
    at.checkbox(key="sortie_demo_ok").check().run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Premier démarrage : créer le compte administrateur"
    assert _count(demo_copy, Parcours) == 0 and _count(demo_copy, Association) == 0
    assert _count(demo_copy, ComiteFige) == 0  # its figures were fictitious too
    assert _count(demo_copy, Commune) > 0  # the communes referential stays
    with demo_copy.connect() as conn:
        assert not is_demo(conn)
        assert conn.execute(select(ImportLot.annule)).scalars().all() == [True] * _count(
            demo_copy, ImportLot
        )
    (entry,) = entries(demo_copy, actions=["sortie_demo"]).to_dict("records")
    assert entry["utilisateur"] == "démonstration"
    assert f"{parcours} parcours fictifs retirés" in entry["detail"]


def test_real_data_are_never_taken_out(real_engine):
    before = _count(real_engine, Parcours)
    with pytest.raises(IngestError, match="rien n'a été retiré"):
        leave_demo(real_engine, Actor("quelqu'un"))
    assert _count(real_engine, Parcours) == before > 0
    assert entries(real_engine, actions=["sortie_demo"]).empty


@pytest.fixture
def real_engine(tmp_path, key):
    from pipelines.api import ingest
    from store.db import init_db
    from tests.helpers import csv_bytes
    from tests.test_ingest import HEADER, ROW_A1

    engine = make_engine(f"sqlite:///{tmp_path / 'reel.db'}")
    init_db(engine)
    ingest(engine, csv_bytes([HEADER, ROW_A1]), "envol.csv", key, association="Envol")
    yield engine
    engine.dispose()


def test_leaving_the_demo_undoes_nothing_a_person_did(demo_copy, key):
    """The demo's imports, marked undone when the demo is left, are no « imports annulés »
    of the next pack; an import a person undoes is one."""
    import datetime as dt

    from indicators.dataset import Dataset, Period
    from pipelines.api import ingest, undo
    from reports.pack import build_pack
    from store.queries import data_version, dataset_frames, imports_undone
    from tests.helpers import csv_bytes
    from tests.test_ingest import HEADER, ROW_A1

    def pack_version() -> str:
        with demo_copy.connect() as conn:
            data = Dataset(**dataset_frames(conn))
        return build_pack(demo_copy, data, Period.default(dt.date(2025, 12, 31))).data_version

    with demo_copy.connect() as conn:
        assert imports_undone(conn) == 0
    leave_demo(demo_copy, Actor("démonstration"))
    envol = ingest(demo_copy, csv_bytes([HEADER, ROW_A1]), "envol.csv", key, association="Envol")
    row = ["B1", "Martin", "Paul", "01/02/2009", *ROW_A1[4:]]
    boussole = ingest(demo_copy, csv_bytes([HEADER, row]), "b.csv", key, association="Boussole")
    assert envol.statut == boussole.statut == "charge"
    with demo_copy.connect() as conn:
        assert data_version(conn)[1] == 7  # the demo's seven imports: the caches' key moved
        assert imports_undone(conn) == 0
    assert pack_version() == f"dernier import n° {boussole.import_id}"

    undo(demo_copy, boussole.import_id, Actor("claire"))
    with demo_copy.connect() as conn:
        assert imports_undone(conn) == 1
    assert pack_version() == f"dernier import n° {boussole.import_id} (1 import annulé)"


def test_an_import_undone_in_the_demo_counts_while_in_the_demo(demo_copy):
    from pipelines.api import undo
    from store.queries import imports_undone, undoable_imports

    with demo_copy.connect() as conn:
        latest = int(undoable_imports(conn)["id"].iloc[0])
    undo(demo_copy, latest, Actor("claire"))
    with demo_copy.connect() as conn:
        assert is_demo(conn) and imports_undone(conn) == 1
