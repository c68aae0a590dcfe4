"""The *load* stage: one file's prepared rows written in one transaction, then the parcours
rebuilt from every source record in that same transaction.

A newer snapshot of a source updates the rows it contributed (matched on `id_source`); rows
missing from it are kept and flagged, never deleted (DOMAIN.md, rule 5).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from pipelines.consolidate import consolidate
from pipelines.normalise import normalise_key
from pipelines.prepare import Prepared
from pipelines.schema import Kind
from store.models import (
    Antenne,
    Association,
    DemandeHonorabilite,
    Enregistrement,
    ImportLot,
    Parcours,
    Quarantaine,
)

CD_SOURCE = "CD"  # the `source` of the CD's own fiches
CHUNK = 900  # ids per IN (...) clause, under SQLite's variable limit


@dataclass
class ImportMeta:
    fichier: str
    sha256: str
    kind: Kind
    association: str | None
    profil: str | None
    utilisateur: str
    colonnes_non_reconnues: list[str]
    colonnes_absentes: list[str]


@dataclass
class LoadResult:
    import_id: int
    nouveaux: int
    mis_a_jour: int
    absents: int


def to_records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """DataFrame → list of dicts for executemany: dates as datetime.date, missing as None."""
    data = {}
    for col in columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            values = np.array([v.date() if v is not pd.NaT else None for v in s], dtype=object)
        else:
            values = s.astype(object).where(s.notna(), None).to_numpy()
        data[col] = values
    n = len(frame)
    return [{col: data[col][i] for col in columns} for i in range(n)]


def _columns_of(table: Table, frame: pd.DataFrame) -> list[str]:
    return [c.name for c in table.columns if c.name in frame.columns]


def _in_chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _upsert(
    conn: Connection,
    table: Table,
    rows: pd.DataFrame,
    scope: dict[str, str],
    kept_ids: set[str],
    import_id: int,
) -> tuple[int, int, int]:
    """Insert new rows, update known ones by id_source, flag the known ones now missing."""
    where = [table.c[k] == v for k, v in scope.items()]
    existing = dict(conn.execute(select(table.c.id_source, table.c.id).where(*where)).all())
    rows = rows.assign(**scope, import_id=import_id, absent_depuis_import_id=None)
    columns = _columns_of(table, rows)
    known = rows["id_source"].isin(existing.keys())
    new_rows = to_records(rows[~known], columns)
    if new_rows:
        conn.execute(insert(table), new_rows)
    updates = to_records(rows[known], columns)
    if updates:
        for record in updates:
            record["_id"] = existing[record["id_source"]]
        stmt = update(table).where(table.c.id == bindparam("_id"))
        conn.execute(stmt.values({c: bindparam(c) for c in columns}), updates)
    present = set(rows["id_source"]) | kept_ids
    missing = [pk for ident, pk in existing.items() if ident not in present]
    for chunk in _in_chunks(missing):
        conn.execute(
            update(table)
            .where(table.c.id.in_(chunk), table.c.absent_depuis_import_id.is_(None))
            .values(absent_depuis_import_id=import_id)
        )
    return len(new_rows), len(updates), len(missing)


def _upsert_associations(conn: Connection, rows: pd.DataFrame, import_id: int) -> tuple[int, int]:
    """The referential: one row per (association, antenne); an association's antennes are
    replaced by the file's."""
    assoc = Association.__table__
    existing = dict(conn.execute(select(assoc.c.cle, assoc.c.id)).all())
    created = updated = 0
    for name, group in rows.groupby("association", sort=False):
        values = {"nom": name, "cle": normalise_key(name), "import_id": import_id}
        for col in ("capacite", "communes_servies", "territoires", "objectifs", "modalites"):
            if col in group:
                known = group[col].dropna()
                values[col] = None if known.empty else _plain(known.iloc[0])
        if values["cle"] in existing:
            assoc_id = existing[values["cle"]]
            conn.execute(update(assoc).where(assoc.c.id == assoc_id).values(values))
            updated += 1
        else:
            assoc_id = conn.execute(insert(assoc).values(values).returning(assoc.c.id)).scalar_one()
            created += 1
        antennes = group.dropna(subset=["antenne"]) if "antenne" in group else group.iloc[:0]
        conn.execute(delete(Antenne.__table__).where(Antenne.association_id == assoc_id))
        for _, row in antennes.iterrows():
            conn.execute(
                insert(Antenne.__table__).values(
                    association_id=assoc_id,
                    nom=row["antenne"],
                    commune_insee=_plain(row.get("commune_antenne")),
                )
            )
    return created, updated


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    return value


def read_frame(conn: Connection, table: Table) -> pd.DataFrame:
    """A whole table as a frame, Date columns as datetime64 (NaT for missing)."""
    result = conn.execute(select(table))
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for col in table.columns:
        if col.type.python_type is dt.date:
            frame[col.name] = pd.to_datetime(frame[col.name])
    return frame


def rebuild_parcours(conn: Connection) -> int:
    """Recompute every parcours from the source records (rules of DOMAIN.md)."""
    records = read_frame(conn, Enregistrement.__table__)
    demandes = read_frame(conn, DemandeHonorabilite.__table__)
    parcours = consolidate(records, demandes)
    table = Parcours.__table__
    conn.execute(delete(table))
    rows = to_records(parcours, _columns_of(table, parcours))
    if rows:
        conn.execute(insert(table), rows)
    return len(rows)


def load(conn: Connection, prepared: Prepared, meta: ImportMeta) -> LoadResult:
    """Write one file; the caller owns the transaction (all or nothing)."""
    lot = ImportLot.__table__
    import_id = conn.execute(
        insert(lot)
        .values(
            fichier=meta.fichier,
            sha256=meta.sha256,
            type=meta.kind.value,
            association=meta.association,
            profil=meta.profil,
            utilisateur=meta.utilisateur,
            importe_le=dt.datetime.now(dt.UTC),
            lignes_lues=prepared.rows_read,
            lignes_chargees=len(prepared.rows),
            lignes_en_quarantaine=prepared.quarantined_lines,
            colonnes_non_reconnues=json.dumps(meta.colonnes_non_reconnues, ensure_ascii=False),
            colonnes_absentes=json.dumps(meta.colonnes_absentes, ensure_ascii=False),
            annule=False,
        )
        .returning(lot.c.id)
    ).scalar_one()
    if len(prepared.quarantine):
        q = prepared.quarantine.assign(import_id=import_id)
        conn.execute(
            insert(Quarantaine.__table__), to_records(q, _columns_of(Quarantaine.__table__, q))
        )
    kept = set(prepared.quarantine["id_source"].dropna()) if len(prepared.quarantine) else set()
    rows = prepared.rows
    if prepared.kind == Kind.ASSOCIATION:
        counts = _upsert(
            conn,
            Enregistrement.__table__,
            rows,
            {"type_source": "association", "source": meta.association},
            kept,
            import_id,
        )
    elif prepared.kind == Kind.FICHE_CD:
        counts = _upsert(
            conn,
            Enregistrement.__table__,
            rows,
            {"type_source": "fiche_cd", "source": CD_SOURCE},
            kept,
            import_id,
        )
    elif prepared.kind == Kind.HONORABILITE:
        counts = _upsert(conn, DemandeHonorabilite.__table__, rows, {}, kept, import_id)
    else:
        created, updated = _upsert_associations(conn, rows, import_id)
        counts = (created, updated, 0)
    rebuild_parcours(conn)
    nouveaux, mis_a_jour, absents = counts
    conn.execute(
        update(lot)
        .where(lot.c.id == import_id)
        .values(nouveaux=nouveaux, mis_a_jour=mis_a_jour, absents=absents)
    )
    return LoadResult(import_id, nouveaux, mis_a_jour, absents)
