"""Small builders for test files (bytes), so each test states its rows literally."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from sqlalchemy import Engine, func, select

import settings
from store.models import DemandeHonorabilite, Enregistrement, ImportLot, Parcours, Quarantaine


def csv_bytes(rows: list[list[str]], sep: str = ";", encoding: str = "cp1252") -> bytes:
    return "\r\n".join(sep.join(r) for r in rows).encode(encoding)


def xlsx_bytes(rows: list[list], title_rows: list[str] = ()) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for title in title_rows:
        ws.append([title])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def counts(engine: Engine) -> dict[str, int]:
    tables = {
        "imports": ImportLot,
        "quarantaine": Quarantaine,
        "enregistrements": Enregistrement,
        "demandes": DemandeHonorabilite,
        "parcours": Parcours,
    }
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in tables.items()
        }


def parcours_rows(engine: Engine) -> dict[str, dict]:
    """Parcours by id_source, as dicts."""
    with engine.connect() as conn:
        rows = conn.execute(select(Parcours.__table__)).mappings().all()
    return {r["id_source"]: dict(r) for r in rows}


def assert_parcours_match_a_full_rebuild(engine: Engine) -> None:
    """The parcours written by the last import equal a consolidation of everything the
    database holds (imports consolidate from memory, not from a read-back)."""
    import pandas as pd

    from pipelines.consolidate import PARCOURS_COLUMNS, consolidate
    from store.bulk import read_frame

    with engine.connect() as conn:
        stored = read_frame(conn, Parcours.__table__)[PARCOURS_COLUMNS]
        rebuilt = consolidate(
            read_frame(conn, Enregistrement.__table__),
            read_frame(conn, DemandeHonorabilite.__table__),
        )

    def canonical(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.astype("string").fillna("∅")
        out["absent_dernier_export"] = frame["absent_dernier_export"].astype(bool).astype(str)
        return out.sort_values(["association", "id_source"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(canonical(stored), canonical(rebuilt))


def as_viewer(at, role: str = "admin", association: str | None = None, name: str | None = None):
    """An AppTest with someone signed in (the page checks access itself, and checks the
    account against the database at every run: it is created there, without password)."""
    import os

    from sqlalchemy import select

    from auth.roles import Identity, Role
    from dashboard.access import IDENTITY
    from domain.text import normalise_key
    from store.db import init_db, make_engine
    from store.models import Compte

    suffix = "." + normalise_key(association).replace(" ", "-") if association else ""
    identifiant = name or f"{role}{suffix}@test.fr"
    engine = make_engine(os.environ[settings.DB_URL.env])
    init_db(engine)
    with engine.begin() as conn:
        known = conn.execute(select(Compte.id).where(Compte.identifiant == identifiant)).first()
        if known is None:
            now = dt.datetime.now(dt.UTC)
            conn.execute(
                Compte.__table__.insert().values(
                    identifiant=identifiant,
                    role=role,
                    association=association,
                    mot_de_passe=None,
                    actif=True,
                    echecs=0,
                    cree_le=now,
                    modifie_le=now,
                )
            )
    engine.dispose()
    at.session_state[IDENTITY] = Identity(identifiant, Role(role), association, "local")
    return at


def shown_number(value: float) -> str:
    """A decimal as a page's table shows it: one decimal, none when whole ("79", "4,5")."""
    from domain.formatting import number

    if value is None or value != value:
        return "–"
    return number(float(value), 1 if float(value) % 1 else 0)


def data_date_of(url: str | None = None) -> dt.date:
    """The data date of the database at `url` (default: the app's, `PILOTAGE_DB_URL`), as
    the pages compute it (`indicators.dataset.data_date`)."""
    import os

    from domain.formatting import today_in_paris
    from indicators.dataset import Dataset, data_date
    from store.db import make_engine
    from store.queries import dataset_frames, recorded_data_date

    engine = make_engine(url or os.environ[settings.DB_URL.env])
    with engine.connect() as conn:
        recorded = recorded_data_date(conn)
        data = Dataset(**dataset_frames(conn))
    engine.dispose()
    return data_date(data, recorded, today_in_paris()).day


def default_period(url: str | None = None):
    """The period a page shows until someone picks one: the 12 months ending on the data
    date of the database at `url` (default: the app's)."""
    from indicators.dataset import Period

    return Period.default(data_date_of(url))
