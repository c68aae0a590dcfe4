"""Named read queries: the only SQL the pages depend on (through dashboard/)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, case, func, select

from domain.formatting import PARIS
from domain.schema import CONTENT, TITLE, Kind
from store.models import ImportLot, Parcours, Quarantaine, ValeurInconnue

DEMO_USER = "demo"  # the user name the demo builder imports under (history, audit log)


def data_version(conn: Connection) -> tuple[int, int]:
    """Changes whenever an import is loaded or undone: the key of every cached figure."""
    lot = ImportLot.__table__
    last, undone = conn.execute(
        select(func.coalesce(func.max(lot.c.id), 0), func.count().filter(lot.c.annule))
    ).one()
    return int(last), int(undone)


def recorded_data_date(conn: Connection) -> dt.date | None:
    """The latest date the files in force say they describe (`import_lot.date_donnees`, read
    from a title row or the file's latest step date, pipelines/data_date.py); None when no
    such date is recorded. Left out: undone imports, the associations' referential (it
    describes no step), imports whose date is only the day they were made (a file without
    any date) and imports made before the date was recorded. The data date itself, with
    its fallback, is `indicators.dataset.data_date`."""
    lot = ImportLot.__table__
    latest = conn.execute(
        select(func.max(lot.c.date_donnees)).where(
            lot.c.annule.is_(False),
            lot.c.type != Kind.ASSOCIATIONS.value,
            lot.c.origine_date_donnees.in_((TITLE, CONTENT)),
        )
    ).scalar_one()
    if latest is None:
        return None
    return latest if isinstance(latest, dt.date) else dt.date.fromisoformat(str(latest)[:10])


def imports_undone(conn: Connection) -> int:
    """The imports a person undid (« n imports annulés »): leaving the demo marks the
    fictitious imports undone too (demo/exit.py), but nobody undid them; once the database
    is no longer the demo, the demo's imports are not counted. (`data_version` counts every
    undone import: it keys the caches, and leaving the demo must change it.)"""
    lot = ImportLot.__table__
    undone = [lot.c.annule.is_(True)]
    if not is_demo(conn):
        undone.append(lot.c.demo.is_(False))
    return int(conn.execute(select(func.count()).select_from(lot).where(*undone)).scalar_one())


def import_history(conn: Connection, limit: int = 200) -> pd.DataFrame:
    lot = ImportLot.__table__
    rows = conn.execute(
        select(
            lot.c.id,
            lot.c.importe_le,
            lot.c.utilisateur,
            lot.c.fichier,
            lot.c.type,
            lot.c.association,
            lot.c.lignes_lues,
            lot.c.lignes_chargees,
            lot.c.lignes_en_quarantaine,
            lot.c.nouveaux,
            lot.c.mis_a_jour,
            lot.c.absents,
            lot.c.sha256,
        )
        .where(lot.c.annule.is_(False))
        .order_by(lot.c.id.desc())
        .limit(limit)
    )
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))


def _latest_per_source(conn: Connection) -> pd.DataFrame:
    """The latest import in force of each source (kind, association): `type`,
    `association`, `dernier_import` (its moment), `date_donnees` (the date its data describe;
    the import day for imports made before that date was recorded) and
    `origine_date_donnees`."""
    lot = ImportLot.__table__
    rows = conn.execute(
        select(
            lot.c.id,
            lot.c.type,
            lot.c.association,
            lot.c.importe_le,
            lot.c.date_donnees,
            lot.c.origine_date_donnees,
        ).where(lot.c.annule.is_(False))
    )
    frame = pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))
    columns = ["type", "association", "dernier_import", "date_donnees", "origine_date_donnees"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.sort_values("id").groupby(["type", "association"], dropna=False).tail(1)
    moments = pd.to_datetime(frame["importe_le"], utc=True)
    fallback = moments.dt.tz_convert(PARIS).dt.date
    given = pd.to_datetime(frame["date_donnees"], errors="coerce").dt.date
    frame["date_donnees"] = given.where(frame["date_donnees"].notna(), fallback)
    frame["origine_date_donnees"] = frame["origine_date_donnees"].fillna("import")
    frame = frame.rename(columns={"importe_le": "dernier_import"})
    return frame.sort_values(["type", "association"])[columns].reset_index(drop=True)


def latest_import_by_source(conn: Connection) -> pd.DataFrame:
    """Per kind and association: the latest import and the date of its data (freshness)."""
    return _latest_per_source(conn)


def parcours_by_association(conn: Connection) -> pd.DataFrame:
    """Parcours per association and canal, with those started and those ended."""
    p = Parcours.__table__
    association = p.c.association  # None: a CD fiche not yet sent to an association
    rows = conn.execute(
        select(
            association,
            p.c.canal,
            func.count().label("parcours"),
            func.sum(case((p.c.date_debut.is_not(None), 1), else_=0)).label("demarres"),
            func.sum(case((p.c.date_fin.is_not(None), 1), else_=0)).label("termines"),
            func.sum(case((p.c.absent_dernier_export, 1), else_=0)).label("absents"),
        )
        .group_by(association, p.c.canal)
        .order_by(association.is_(None), association, p.c.canal)
    )
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))


def quarantine_of_import(conn: Connection, import_id: int) -> pd.DataFrame:
    q = Quarantaine.__table__
    rows = conn.execute(
        select(q.c.ligne, q.c.colonne, q.c.motif, q.c.id_source)
        .where(q.c.import_id == import_id)
        .order_by(q.c.ligne, q.c.colonne)
    )
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))


def is_demo(conn: Connection) -> bool:
    """True when every import in force was made by the demo builder (fictitious data): a
    fact the builder records on its imports, not a user name anybody can type. Once the
    demo imports are undone (demo/exit.py), the database is no longer the demo."""
    lot = ImportLot.__table__
    kinds = conn.execute(select(lot.c.demo).where(lot.c.annule.is_(False)).distinct())
    kinds = kinds.scalars().all()
    return kinds == [True]


def dataset_frames(conn: Connection) -> dict[str, pd.DataFrame]:
    """Everything the indicators read, as frames (see indicators.dataset.Dataset): the
    communes are those of the départements where youths live, read once."""
    from store.bulk import read_frame
    from store.models import Antenne, Association, Commune, DemandeHonorabilite

    c, p, a = Commune.__table__, Parcours.__table__, Antenne.__table__
    lived_in = select(c.c.departement).join(p, p.c.commune_insee == c.c.insee).distinct()
    communes = read_frame(conn, c, c.c.departement.in_(lived_in))
    place = communes.set_index("insee")[["classe", "niveau_densite", "epci_nom"]]
    parcours = read_frame(conn, p).join(place, on="commune_insee")
    rows = conn.execute(
        select(
            Association.nom.label("association"),
            a.c.nom,
            a.c.commune_insee,
            c.c.nom.label("commune"),
            c.c.latitude,
            c.c.longitude,
        )
        .join(Association, Association.id == a.c.association_id)
        .outerjoin(c, c.c.insee == a.c.commune_insee)
        .order_by(Association.nom, a.c.nom)
    )
    antennes = pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))
    for col in ("latitude", "longitude"):
        antennes[col] = pd.to_numeric(antennes[col]).astype("float64")
    return {
        "parcours": parcours,
        "demandes": read_frame(conn, DemandeHonorabilite.__table__),
        "associations": read_frame(conn, Association.__table__),
        "antennes": antennes,
        "communes": communes,
    }


def imports_by_association(conn: Connection) -> pd.DataFrame:
    """Per association (its own exports, undone imports left out): `association`,
    `dernier_import` (datetime of the latest import), `date_donnees` (the date its data
    describe), `imports`, `lignes_lues` and `lignes_en_quarantaine` summed over its
    imports."""
    lot = ImportLot.__table__
    rows = conn.execute(
        select(
            lot.c.association,
            func.max(lot.c.importe_le).label("dernier_import"),
            func.count().label("imports"),
            func.coalesce(func.sum(lot.c.lignes_lues), 0).label("lignes_lues"),
            func.coalesce(func.sum(lot.c.lignes_en_quarantaine), 0).label("lignes_en_quarantaine"),
        )
        .where(lot.c.annule.is_(False), lot.c.type == "association")
        .where(lot.c.association.is_not(None))
        .group_by(lot.c.association)
        .order_by(lot.c.association)
    )
    frame = pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))
    latest = _latest_per_source(conn)
    latest = latest[latest["type"] == "association"][["association", "date_donnees"]]
    return frame.merge(latest, on="association", how="left")


def undoable_imports(conn: Connection) -> pd.DataFrame:
    """The imports that can be undone: the latest one still in force of each source (kind and
    association), the referential excepted (see pipelines.undo)."""
    lot = ImportLot.__table__
    latest = (
        select(func.max(lot.c.id))
        .where(lot.c.annule.is_(False), lot.c.type != "associations")
        .group_by(lot.c.type, lot.c.association)
    )
    rows = conn.execute(
        select(lot.c.id, lot.c.importe_le, lot.c.fichier, lot.c.type, lot.c.association)
        .where(lot.c.id.in_(latest))
        .order_by(lot.c.id.desc())
    )
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))


def unknown_labels(conn: Connection) -> pd.DataFrame:
    """The labels no value table knew in the latest import in force of each source:
    `association` (None for the CD's files), `type`, `fichier`, `champ`, `valeur`, `lignes`
    (most frequent first). Their rows were loaded with the field left empty."""
    lot, unknown = ImportLot.__table__, ValeurInconnue.__table__
    latest = (
        select(func.max(lot.c.id))
        .where(lot.c.annule.is_(False))
        .group_by(lot.c.type, lot.c.association)
    )
    rows = conn.execute(
        select(
            lot.c.association,
            lot.c.type,
            lot.c.fichier,
            unknown.c.champ,
            unknown.c.valeur,
            unknown.c.lignes,
        )
        .join(lot, lot.c.id == unknown.c.import_id)
        .where(lot.c.id.in_(latest))
        .order_by(unknown.c.lignes.desc(), lot.c.association, unknown.c.champ, unknown.c.valeur)
    )
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))
