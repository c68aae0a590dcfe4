"""The audit log: entries read back with filters, append-only in the database itself, and
the 12-month purge (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, insert, text, update
from sqlalchemy.exc import DBAPIError

import settings
from domain.formatting import today_in_paris
from store.audit import Actor, entries, purge, record, retention_limit
from store.models import Journal

ADMIN = Actor("claire@cd59.fr", "admin", None, "10.0.0.4")
ENVOL = Actor("envol@asso.fr", "association", "Envol", "10.0.0.9")


def _old_entry(conn, months: int) -> None:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=31 * months)
    conn.execute(
        insert(Journal.__table__).values(
            horodatage=moment, utilisateur="ancien", action="export", detail="vieux"
        )
    )


def test_entries_are_read_back_newest_first_with_filters(engine):
    record(engine, ADMIN, "connexion", "Connexion réussie")
    record(engine, ENVOL, "import", "envol.csv : 12 lignes chargées")
    record(engine, ADMIN, "export", "synthese.csv")
    every = entries(engine)
    assert list(every["action"]) == ["export", "import", "connexion"]
    assert every.iloc[1][["utilisateur", "role", "association", "origine"]].tolist() == [
        "envol@asso.fr",
        "association",
        "Envol",
        "10.0.0.9",
    ]
    assert list(entries(engine, actions=["import"])["detail"]) == ["envol.csv : 12 lignes chargées"]
    assert len(entries(engine, utilisateur="claire@cd59.fr")) == 2
    today = today_in_paris()  # the filter's days are days of Paris
    assert len(entries(engine, du=today, au=today)) == 3
    assert entries(engine, au=today - dt.timedelta(days=1)).empty


def test_unknown_action_is_a_programming_error(engine):
    with pytest.raises(ValueError):
        record(engine, ADMIN, "effacement", "x")


def test_the_database_refuses_to_rewrite_history(engine):
    record(engine, ADMIN, "connexion", "Connexion réussie")
    table = Journal.__table__
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(update(table).values(utilisateur="quelqu'un d'autre"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(delete(table))
    first = int(entries(engine)["id"].iloc[0]) if "id" in entries(engine) else 1
    replace = (
        "INSERT OR REPLACE INTO journal (id, horodatage, utilisateur, action, detail) "
        "VALUES (:id, CURRENT_TIMESTAMP, 'pirate', 'export', 'effacé')"
        if engine.dialect.name == "sqlite"
        else "INSERT INTO journal (id, horodatage, utilisateur, action, detail) "
        "VALUES (:id, now(), 'pirate', 'export', 'effacé') "
        "ON CONFLICT (id) DO UPDATE SET utilisateur = 'pirate'"
    )
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text(replace), {"id": first})
    if engine.dialect.name == "sqlite":
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("REPLACE INTO journal (id, horodatage, utilisateur, action, "
                              "detail) VALUES (:id, CURRENT_TIMESTAMP, 'p', 'export', 'x')"),
                         {"id": first})  # fmt: skip
    else:
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("TRUNCATE journal"))
    assert list(entries(engine)["utilisateur"]) == ["claire@cd59.fr"]


def test_an_import_and_its_audit_entry_are_one_transaction(engine, key, monkeypatch):
    """A failure while writing the entry leaves no import: both or neither."""
    import pipelines.write as write_module
    from pipelines.api import ingest
    from tests.helpers import counts, csv_bytes
    from tests.test_ingest import HEADER, ROW_A1

    def broken(*_args, **_kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(write_module, "record", broken)
    with pytest.raises(RuntimeError):
        ingest(engine, csv_bytes([HEADER, ROW_A1]), "a.csv", key, association="E", actor=ADMIN)
    assert counts(engine)["imports"] == 0
    monkeypatch.undo()
    report = ingest(engine, csv_bytes([HEADER, ROW_A1]), "a.csv", key, association="E", actor=ADMIN)
    assert report.statut == "charge" and counts(engine)["imports"] == 1
    log = entries(engine)
    assert log["action"].tolist() == ["import"] and "statut charge" in log["detail"].iloc[0]


def test_purge_removes_only_entries_past_twelve_months(engine):
    with engine.begin() as conn:
        _old_entry(conn, 13)
        _old_entry(conn, 11)
    record(engine, ADMIN, "connexion", "Connexion réussie")
    assert purge(engine) == 1
    assert sorted(entries(engine)["detail"]) == ["Connexion réussie", "vieux"]
    assert purge(engine) == 0


def test_retention_limit_is_twelve_months_back():
    now = dt.datetime(2026, 11, 26, 21, 0, tzinfo=dt.UTC)
    assert retention_limit(now) == dt.datetime(2025, 11, 26, 21, 0, tzinfo=dt.UTC)
    assert retention_limit(now.replace(month=3, day=31)).date() == dt.date(2025, 3, 28)
    assert retention_limit(now.replace(month=1, day=5)).date() == dt.date(2025, 1, 5)


def test_purge_from_the_command_line(tmp_path, monkeypatch, capsys):
    from commands.cli import main
    from store.db import init_db, make_engine

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    engine = make_engine(url)
    init_db(engine)
    with engine.begin() as conn:
        _old_entry(conn, 14)
    assert main(["purge-journal"]) == 0
    assert "1 entrée(s) du journal d'audit purgée(s)" in capsys.readouterr().out
    assert entries(engine).empty


def test_the_day_filter_follows_paris_not_utc(engine):
    """An entry at 23:30 UTC on 26 November is on 27 November in Paris."""
    late = dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Journal.__table__).values(
                horodatage=late, utilisateur="x", action="export", detail="tard"
            )
        )
    assert entries(engine, du=dt.date(2026, 11, 27), au=dt.date(2026, 11, 27))[
        "detail"
    ].tolist() == ["tard"]
    assert entries(engine, du=dt.date(2026, 11, 26), au=dt.date(2026, 11, 26)).empty
