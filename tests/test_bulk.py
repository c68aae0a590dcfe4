"""The bulk SQLite path writes and reads exactly what SQLAlchemy would."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import insert, text

from store.bulk import insert_frame, read_frame
from store.models import ImportLot, Quarantaine


def _lot(conn) -> int:
    return conn.execute(
        insert(ImportLot.__table__)
        .values(
            fichier="f",
            sha256="0" * 64,
            type="association",
            utilisateur="t",
            importe_le=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            lignes_lues=0,
            lignes_chargees=0,
            lignes_en_quarantaine=0,
        )
        .returning(ImportLot.id)
    ).scalar_one()


def test_dates_stored_alike_through_both_paths(engine):
    from store.models import Enregistrement

    table = Enregistrement.__table__
    frame = pd.DataFrame(
        {
            "type_source": ["association"],
            "source": ["A"],
            "id_source": ["fast"],
            "id_jeune": ["j"],
            "date_inscription": pd.to_datetime(["2025-03-05"]),
            "date_fin": pd.to_datetime([None]),
            "age_inscription": pd.array([15], "Int64"),
        }
    )
    with engine.begin() as conn:
        lot = _lot(conn)
        frame["import_id"] = lot
        insert_frame(conn, table, frame, list(frame.columns))
        conn.execute(
            insert(table).values(
                type_source="association",
                source="A",
                id_source="orm",
                id_jeune="j",
                date_inscription=dt.date(2025, 3, 5),
                age_inscription=15,
                import_id=lot,
            )
        )
        if engine.dialect.name == "sqlite":
            stored = conn.execute(
                text(
                    "SELECT id_source, typeof(date_inscription), date_inscription, "
                    "typeof(date_fin), typeof(age_inscription) FROM enregistrement "
                    "ORDER BY id_source"
                )
            ).all()
            assert stored[0][1:] == stored[1][1:] == ("text", "2025-03-05", "null", "integer")
        back = read_frame(conn, table).set_index("id_source")
    assert back.loc["fast", "date_inscription"] == back.loc["orm", "date_inscription"]
    assert back.loc["fast", "date_inscription"] == pd.Timestamp("2025-03-05")
    assert pd.isna(back.loc["fast", "date_fin"])


def test_insert_of_an_empty_frame_writes_nothing(engine):
    with engine.begin() as conn:
        assert insert_frame(conn, Quarantaine.__table__, pd.DataFrame(), []) == 0


def test_update_by_numpy_ids_reaches_the_rows(engine):
    import numpy as np

    from store.bulk import update_frame_by_id
    from store.models import Enregistrement

    table = Enregistrement.__table__
    with engine.begin() as conn:
        lot = _lot(conn)
        row = pd.DataFrame(
            {
                "type_source": ["association"],
                "source": ["A"],
                "id_source": ["x"],
                "id_jeune": ["j"],
                "import_id": [lot],
            }
        )
        insert_frame(conn, table, row, list(row.columns))
        pk = read_frame(conn, table)["id"].to_numpy()  # numpy integers, as pandas gives them
        assert isinstance(pk[0], np.integer)
        change = pd.DataFrame({"statut": ["termine"]})
        update_frame_by_id(conn, table, change, ["statut"], list(pk))
        assert read_frame(conn, table)["statut"].tolist() == ["termine"]
