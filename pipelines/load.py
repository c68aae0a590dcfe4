"""The *load* stage: one file's prepared rows written in one transaction, then the parcours
rebuilt from every source record in that same transaction.

A newer snapshot of a source updates the rows it contributed (matched on `id_source`); rows
missing from it are kept and flagged, never deleted (docs/domaine.md, rule 5).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    delete,
    insert,
    not_,
    select,
    true,
    update,
)

from domain.formatting import today_in_paris
from domain.schema import Kind
from domain.text import normalise_key, one_line
from pipelines import faults
from pipelines.consolidate import consolidate
from pipelines.prepare import Prepared
from pipelines.steps_reached import newly_reached
from store.bulk import insert_frame, plain_rows, read_frame, update_frame_by_id
from store.models import (
    Antenne,
    Association,
    DemandeHonorabilite,
    Enregistrement,
    ImportLot,
    Parcours,
    Quarantaine,
    ValeurInconnue,
    VersionLigne,
)

CD_SOURCE = "CD"  # the `source` of the CD's own fiches
CHUNK = 900  # ids per IN (...) clause, under SQLite's variable limit
MAX_FILE_NAME = 255  # import_lot.fichier


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
    date_donnees: dt.date | None = None
    origine_date_donnees: str | None = None
    demo: bool = False  # made by the demo builder (fictitious data)
    snapshot: bool = True  # the whole source as it stands (rows it lacks are flagged absent)


@dataclass
class LoadResult:
    import_id: int
    nouveaux: int
    mis_a_jour: int
    absents: int
    etapes_atteintes: dict[str, int]  # step -> parcours newly reaching it (steps_reached.py)


def _plain_name(name: str) -> str:
    """A file name as stored: control characters (NUL included) as spaces, invisible and
    bidirectional ones dropped."""
    return one_line(name) or "sans nom"


def _columns_of(table: Table, frame: pd.DataFrame) -> list[str]:
    return [c.name for c in table.columns if c.name in frame.columns]


def _in_chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


@dataclass
class _Upserted:
    created: int
    updated: int
    missing: int
    after: pd.DataFrame  # the scope's rows as the table now holds them


def _upsert(
    conn: Connection,
    table: Table,
    rows: pd.DataFrame,
    scope: dict[str, str],
    kept_ids: set[str],
    import_id: int,
    snapshot: bool = True,
) -> _Upserted:
    """Insert new rows, update known ones by id_source, flag the known ones now missing
    (only when the file is a `snapshot` of its source: a batch of Word fiches is not).

    The same changes are applied to the rows read before writing, so consolidation reads
    the result from memory instead of reading the table back.
    """
    before = read_frame(conn, table, _scope_clause(table, scope))
    existing = dict(zip(before["id_source"].tolist(), before["id"].tolist(), strict=True))
    rows = rows.assign(**scope, import_id=import_id, absent_depuis_import_id=None)
    columns = _columns_of(table, rows)
    known = rows["id_source"].isin(existing.keys())
    created = insert_frame(conn, table, rows[~known], columns)
    updates = rows[known]
    update_frame_by_id(
        conn, table, updates, columns, [existing[i] for i in updates["id_source"].tolist()]
    )
    present = set(rows["id_source"]) | kept_ids
    gone = ~before["id_source"].isin(present) & snapshot
    missing = before.loc[gone, "id"].tolist()
    written = [c for c in columns if c not in ("id_source", *scope)]
    _record_versions(conn, table, before, updates["id_source"], written, gone, scope, import_id)
    for chunk in _in_chunks(missing):
        conn.execute(
            update(table)
            .where(table.c.id.in_(chunk), table.c.absent_depuis_import_id.is_(None))
            .values(absent_depuis_import_id=import_id)
        )

    # In memory: updated rows take the file's columns (blanks included) and keep the others.
    by_id = before.set_index("id_source", drop=False)
    file_rows = rows.set_index("id_source", drop=False)
    known_ids = file_rows.index[known.to_numpy()]
    updated = by_id.loc[known_ids].copy()
    for col in columns:
        updated[col] = file_rows.loc[known_ids, col]
    rest = before[~before["id_source"].isin(rows["id_source"])].copy()
    flag = gone[rest.index] & rest["absent_depuis_import_id"].isna()
    rest.loc[flag, "absent_depuis_import_id"] = import_id
    after = pd.concat(
        [rest, updated.reset_index(drop=True), rows[~known][columns]], ignore_index=True
    )
    return _Upserted(created, len(updates), len(missing), after)


def _record_versions(
    conn: Connection,
    table: Table,
    before: pd.DataFrame,
    updated_sources: pd.Series,
    written: list[str],
    gone: pd.Series,
    scope: dict[str, str],
    import_id: int,
) -> None:
    """Write in `version_ligne` what the import changes, so it can be undone: the rows it
    inserted, the former values of the rows it updated (the `written` columns: the others
    are unchanged), the rows it newly flagged absent.

    Called after the inserts and updates: the inserted rows are the scope's rows of this
    import not known before."""
    of_import = plain_rows(
        conn,
        select(table.c.id, table.c.id_source).where(
            _scope_clause(table, scope), table.c.import_id == import_id
        ),
    )
    known = set(before["id_source"])
    inserted = [int(row_id) for row_id, id_source in of_import if id_source not in known]
    updated = before[before["id_source"].isin(updated_sources)]
    flagged = before.loc[gone & before["absent_depuis_import_id"].isna(), "id"]
    if updated.empty:
        previous: list[str] = []
    else:
        values = updated[written]
        previous = values.to_json(orient="records", lines=True, date_format="iso").splitlines()
    n_ins, n_upd, n_flag = len(inserted), len(updated), len(flagged)
    versions = pd.DataFrame(
        {
            "import_id": import_id,
            "table_name": table.name,
            "row_id": [*inserted, *updated["id"].tolist(), *flagged.tolist()],
            "action": ["insert"] * n_ins + ["update"] * n_upd + ["flag"] * n_flag,
            "previous": [None] * n_ins + previous + ['{"absent_depuis_import_id":null}'] * n_flag,
        }
    )
    version_table = VersionLigne.__table__
    insert_frame(conn, version_table, versions, _columns_of(version_table, versions))


def _scope_clause(table: Table, scope: dict[str, str]) -> ColumnElement[bool]:
    return and_(true(), *[table.c[k] == v for k, v in scope.items()])


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


def rebuild_parcours(
    conn: Connection, records: pd.DataFrame | None = None, demandes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Recompute every parcours from the source records (rules of docs/domaine.md) and return
    them; the frames not given are read from the database."""
    if records is None:
        records = read_frame(conn, Enregistrement.__table__)
    if demandes is None:
        demandes = read_frame(conn, DemandeHonorabilite.__table__)
    parcours = consolidate(records, demandes)
    table = Parcours.__table__
    conn.execute(delete(table))
    insert_frame(conn, table, parcours, _columns_of(table, parcours))
    return parcours


def load(conn: Connection, prepared: Prepared, meta: ImportMeta) -> LoadResult:
    """Write one file; the caller owns the transaction (all or nothing)."""
    lot = ImportLot.__table__
    import_id = conn.execute(
        insert(lot)
        .values(
            fichier=_plain_name(meta.fichier)[:MAX_FILE_NAME],
            sha256=meta.sha256,
            type=meta.kind.value,
            association=meta.association,
            profil=meta.profil,
            utilisateur=one_line(meta.utilisateur)[:100],
            importe_le=dt.datetime.now(dt.UTC),
            lignes_lues=prepared.rows_read,
            lignes_chargees=len(prepared.rows),
            lignes_en_quarantaine=prepared.quarantined_lines,
            colonnes_non_reconnues=json.dumps(meta.colonnes_non_reconnues, ensure_ascii=False),
            colonnes_absentes=json.dumps(meta.colonnes_absentes, ensure_ascii=False),
            annule=False,
            date_donnees=meta.date_donnees,
            origine_date_donnees=meta.origine_date_donnees,
            demo=meta.demo,
        )
        .returning(lot.c.id)
    ).scalar_one()
    faults.point("lot")
    if len(prepared.unknown):
        u = prepared.unknown.assign(import_id=import_id)
        insert_frame(conn, ValeurInconnue.__table__, u, _columns_of(ValeurInconnue.__table__, u))
    if len(prepared.quarantine):
        q = prepared.quarantine.assign(import_id=import_id)
        q["colonne"] = q["colonne"].map(lambda c: c[:255] if isinstance(c, str) else c)
        q["id_source"] = q["id_source"].map(lambda i: i[:100] if isinstance(i, str) else i)
        insert_frame(conn, Quarantaine.__table__, q, _columns_of(Quarantaine.__table__, q))
    kept = set(prepared.quarantine["id_source"].dropna()) if len(prepared.quarantine) else set()
    rows = prepared.rows
    records = Enregistrement.__table__
    steps: dict[str, int] = {}
    if prepared.kind != Kind.ASSOCIATIONS:
        before = read_frame(conn, Parcours.__table__)
    if prepared.kind in (Kind.ASSOCIATION, Kind.FICHE_CD):
        scope = (
            {"type_source": "association", "source": meta.association}
            if prepared.kind == Kind.ASSOCIATION
            else {"type_source": "fiche_cd", "source": CD_SOURCE}
        )
        others = read_frame(conn, records, not_(_scope_clause(records, scope)))
        done = _upsert(conn, records, rows, scope, kept, import_id, meta.snapshot)
        faults.point("enregistrements")
        after = rebuild_parcours(conn, records=pd.concat([others, done.after], ignore_index=True))
        if prepared.kind == Kind.ASSOCIATION:  # what this association's export changed
            before = before[before["association"] == meta.association]
            after = after[after["association"] == meta.association]
        steps = newly_reached(before, after, today_in_paris())
        counts = (done.created, done.updated, done.missing)
    elif prepared.kind == Kind.HONORABILITE:
        done = _upsert(conn, DemandeHonorabilite.__table__, rows, {}, kept, import_id)
        after = rebuild_parcours(conn, demandes=done.after)
        steps = newly_reached(before, after, today_in_paris())
        counts = (done.created, done.updated, done.missing)
    else:  # the referential does not enter the parcours
        created, updated = _upsert_associations(conn, rows, import_id)
        counts = (created, updated, 0)
    faults.point("parcours")
    nouveaux, mis_a_jour, absents = counts
    conn.execute(
        update(lot)
        .where(lot.c.id == import_id)
        .values(nouveaux=nouveaux, mis_a_jour=mis_a_jour, absents=absents)
    )
    return LoadResult(import_id, nouveaux, mis_a_jour, absents, steps)
