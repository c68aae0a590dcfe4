"""Every page under AppTest, with assertions on what it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import settings
from pipelines.api import ingest
from store.db import init_db, make_engine
from tests.helpers import as_viewer, counts, csv_bytes
from tests.test_ingest import HEADER, ROW_A1, ROW_A2

PAGE = Path(__file__).resolve().parent.parent / "pages" / "donnees.py"


@pytest.fixture
def db_url(tmp_path, monkeypatch, key):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    return url


def run_app() -> AppTest:
    at = as_viewer(AppTest.from_file(str(PAGE), default_timeout=60))
    at.run()
    assert not at.exception, at.exception
    return at


# Pages meant for an empty database are left out and tested on their own: "modeles" (the
# templates are how an association starts; tests/test_page_modeles.py) and "importer" (how
# data gets in; tests/test_page_importer.py), "journal" (the audit log; tests/test_access.py)
# and "comptes" (the accounts; tests/test_page_comptes.py).
NOT_STOPPED_ON_EMPTY = {"modeles", "importer", "journal", "comptes"}


@pytest.mark.parametrize(
    "page",
    sorted(p.stem for p in PAGE.parent.glob("*.py") if p.stem not in NOT_STOPPED_ON_EMPTY),
)
def test_every_page_on_an_empty_database_says_what_to_do(db_url, page):
    at = as_viewer(AppTest.from_file(str(PAGE.parent / f"{page}.py"), default_timeout=60)).run()
    assert not at.exception, at.exception
    assert "Aucun parcours" in at.warning[0].value
    assert "page « Importer »" in at.warning[0].value  # the web's words: no command line
    assert "pilotage" not in at.warning[0].value and "make" not in at.warning[0].value
    assert not at.metric and not at.get("plotly_chart")


def test_data_page_shows_consolidated_counts_and_history(db_url, key):
    engine = make_engine(db_url)
    init_db(engine)
    report = ingest(
        engine,
        csv_bytes([HEADER, ROW_A1, ROW_A2]),
        "envol.csv",
        key,
        association="Envol",
        user="marie",
    )
    assert report.statut == "charge"
    at = run_app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Parcours consolidés": "2",
        "Parcours avec un démarrage enregistré": "1",
        "Associations": "1",
    }
    by_association = at.dataframe[0].value
    assert by_association.to_dict("records") == [
        {
            "Association": "Envol",
            "Canal": "inscription directe auprès de l'association",
            "Parcours": 2,
            "Démarrés": 1,
            "Terminés": 0,
            "Absents du dernier export": 0,
        }
    ]
    history = at.dataframe[2].value
    assert history.iloc[0]["Fichier"] == "envol.csv" and history.iloc[0]["Par"] == "marie"
    assert history.iloc[0]["Lignes lues"] == 2 and history.iloc[0]["Chargées"] == 2
    assert not at.info  # real data: no demo banner


def test_router_opens_on_the_synthesis(demo_app):
    at = as_viewer(AppTest.from_file(str(PAGE.parent.parent / "app.py"), default_timeout=60)).run()
    assert not at.exception
    assert at.title[0].value == "Synthèse"


def test_undo_from_the_history_restores_the_previous_snapshot(db_url, key):
    engine = make_engine(db_url)
    init_db(engine)
    ingest(engine, csv_bytes([HEADER, ROW_A1]), "mars.csv", key, association="Envol")
    later = ingest(
        engine, csv_bytes([HEADER, ROW_A1, ROW_A2]), "avril.csv", key, association="Envol"
    )
    at = run_app()
    assert at.metric[0].value == "2"
    undo = at.selectbox[0]
    assert len(undo.options) == 1 and undo.options[0].startswith(f"n° {later.import_id} – avril")
    undo.set_value(later.import_id).run()
    at.button[0].click().run()
    assert not at.exception
    assert "annulé" in at.success[0].value and "lignes retirées 1," in at.success[0].value
    assert at.metric[0].value == "1"  # back to the March snapshot
    assert counts(engine)["parcours"] == 1


def test_an_interrupted_import_is_said_on_the_data_page_and_in_the_audit_log(db_url, key):
    """An attempt left by a process that died (here: a process number no process has) is
    marked when the database is next opened, written once to the audit log, and listed."""
    import socket

    from sqlalchemy import update

    from pipelines.database_setup import ensure_database
    from store import attempts
    from store.audit import Actor, entries
    from store.models import TentativeImport

    engine = make_engine(db_url)
    init_db(engine)
    assert ingest(engine, csv_bytes([HEADER, ROW_A1]), "envol.csv", key, association="Envol")
    attempt = attempts.begin(
        engine, "export_mars.xlsx", "ab" * 32, "association", "Envol", Actor("marie", "admin")
    )
    with engine.begin() as conn:  # its process is gone: no process has this number
        conn.execute(
            update(TentativeImport)
            .where(TentativeImport.id == attempt)
            .values(processus=f"{socket.gethostname()}:4194304999:12345")
        )
    assert attempts.recover(engine, ) == 1  # fmt: skip
    ensure_database(engine, communes=False)  # opened again: said once only
    log = entries(engine)
    stopped = log[log["action"] == "import_interrompu"]
    assert stopped["utilisateur"].tolist() == ["marie"]
    assert stopped["detail"].iloc[0].startswith("« export_mars.xlsx » (sha256 abababababab)")

    at = run_app()
    warning = next(w.value for w in at.warning if "interrompu" in w.value)
    assert warning.startswith("**1 import interrompu** avant la fin")
    shown = at.dataframe[-1].value
    assert shown.iloc[0][["Fichier", "Type", "Association", "Par"]].tolist() == [
        "export_mars.xlsx",
        "export d'association",
        "Envol",
        "marie",
    ]
