"""Small builders for test files (bytes), so each test states its rows literally."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import Engine, func, select

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
