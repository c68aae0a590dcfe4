"""Undo an import: the rows it inserted are deleted, the rows it updated or flagged absent
take back their former values (kept in `version_ligne` by the load), the import is marked
undone (when, by whom), and the parcours are rebuilt, all in one transaction.

Only the latest import of a source still in force can be undone: an older one's rows may
have been rewritten since. The referential is not versioned: it is corrected by importing
it again.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, delete, func, select, update

from domain.schema import Kind
from domain.text import one_line
from pipelines import faults
from pipelines.errors import IngestError
from pipelines.load import CHUNK, rebuild_parcours
from store import snapshot
from store.audit import Actor, record
from store.bulk import typed_columns, update_frame_by_id
from store.db import Busy, writing
from store.models import DemandeHonorabilite, Enregistrement, ImportLot, VersionLigne

TABLES = {t.name: t for t in (Enregistrement.__table__, DemandeHonorabilite.__table__)}


@dataclass
class UndoReport:
    import_id: int
    fichier: str
    supprimes: int  # rows the import had created
    restaures: int  # rows it had updated or flagged absent, back to their former values

    def audit_entry(self) -> tuple[str, str]:
        return (
            "annulation",
            f"import n° {self.import_id} (« {self.fichier} ») annulé : "
            f"{self.supprimes} lignes supprimées, {self.restaures} lignes rétablies",
        )


def _check(conn, import_id: int):
    lot = ImportLot.__table__
    row = conn.execute(select(lot).where(lot.c.id == import_id)).first()
    if row is None:
        raise IngestError(f"L'import n° {import_id} n'existe pas.")
    if row.annule:
        raise IngestError(f"L'import n° {import_id} est déjà annulé.")
    if row.type == Kind.ASSOCIATIONS.value:
        raise IngestError(
            "L'annulation d'un import du référentiel n'est pas possible : "
            "réimportez le référentiel précédent."
        )
    same_source = [lot.c.type == row.type, lot.c.annule.is_(False)]
    if row.type == Kind.ASSOCIATION.value:
        same_source.append(lot.c.association == row.association)
    latest = conn.execute(select(func.max(lot.c.id)).where(*same_source)).scalar_one()
    if latest != import_id:
        raise IngestError(f"Annulez d'abord l'import n° {latest}, plus récent, de la même source.")
    return row


def _restore(conn, table, ids: list[int], previous: list[str]) -> None:
    """Put back the former values of rows `ids` (JSON objects, dates in ISO)."""
    frame = pd.DataFrame.from_records([json.loads(p) for p in previous])
    frame = frame.astype(object).where(frame.notna(), None)
    for col in frame.columns:
        if table.c[col].type.python_type is dt.date:
            frame[col] = pd.to_datetime(frame[col])
    frame = typed_columns(frame, table)
    columns = [c.name for c in table.columns if c.name in frame.columns]
    update_frame_by_id(conn, table, frame, columns, ids)


def undo_import(
    engine: Engine, import_id: int, user: str, actor: Actor | None = None
) -> UndoReport:
    """Undo import `import_id`, with its audit entry in the same transaction when an `actor`
    is given; raises IngestError (French) when it cannot be undone."""
    versions = VersionLigne.__table__
    lot = ImportLot.__table__
    try:
        report = _undo(engine, import_id, user, versions, lot, actor)
    except Busy:
        raise IngestError(
            "Un import (ou une autre annulation) est en cours depuis plus d'une minute : "
            "réessayez dans un instant. Rien n'a été annulé."
        ) from None
    snapshot.refresh_kept(engine)  # a server started later finds the undone state ready
    return report


def _undo(
    engine: Engine, import_id: int, user: str, versions, lot, actor: Actor | None
) -> UndoReport:
    with writing(engine) as conn:
        row = _check(conn, import_id)
        changes = pd.DataFrame(
            conn.execute(
                select(
                    versions.c.table_name,
                    versions.c.row_id,
                    versions.c.action,
                    versions.c.previous,
                )
                .where(versions.c.import_id == import_id)
                .order_by(versions.c.id)
            ).all(),
            columns=["table_name", "row_id", "action", "previous"],
        )
        deleted = restored = 0
        for name, group in changes.groupby("table_name", sort=False):
            table = TABLES[name]
            inserted = group.loc[group["action"] == "insert", "row_id"].astype(int).tolist()
            for i in range(0, len(inserted), CHUNK):
                conn.execute(delete(table).where(table.c.id.in_(inserted[i : i + CHUNK])))
            # Updates first, then flags: the flag of a row only touches its absence column.
            for action in ("update", "flag"):
                part = group[group["action"] == action]
                if len(part):
                    ids = part["row_id"].astype(int).tolist()
                    _restore(conn, table, ids, part["previous"].tolist())
            deleted += len(inserted)
            restored += int(group["action"].isin(["update", "flag"]).sum())
        conn.execute(
            update(lot)
            .where(lot.c.id == import_id)
            .values(annule=True, annule_le=dt.datetime.now(dt.UTC), annule_par=one_line(user)[:100])
        )
        rebuild_parcours(conn)
        report = UndoReport(import_id, row.fichier, deleted, restored)
        if actor is not None:
            record(conn, actor, *report.audit_entry())
        faults.point("annulation")
    return report
