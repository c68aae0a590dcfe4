"""Leaving demo mode: before the first real file goes into the demo database, the fictitious
data are taken out, so that no figure ever mixes invented youths with real ones.

Every data row goes (parcours, step records, honorabilité requests, the referential of
invented associations and their antennes, saved column mappings, quarantine reports, comité
packs frozen on the fictitious figures); the
demo imports stay listed as undone (so the data version moves on and every cached figure is
dropped); accounts, communes and the audit log stay. After this, the app is no longer open
without sign-in: on the local machine it offers to create the first administrator.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, func, select, update

from pipelines.api import IngestError
from store.audit import Actor, record
from store.db import writing
from store.models import (
    Antenne,
    Association,
    ComiteFige,
    DemandeHonorabilite,
    Enregistrement,
    ImportLot,
    Parcours,
    ProfilColonnes,
    Quarantaine,
    ValeurInconnue,
    VersionLigne,
)
from store.queries import is_demo

# Children before parents (foreign keys).
DATA_TABLES = (
    VersionLigne,
    Quarantaine,
    ValeurInconnue,
    Enregistrement,
    DemandeHonorabilite,
    Parcours,
    Antenne,
    Association,
    ProfilColonnes,
    ComiteFige,
)


def fictitious_parcours(engine: Engine) -> int:
    """How many parcours leaving demo mode would take out."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Parcours)).scalar_one()


def leave_demo(engine: Engine, actor: Actor) -> int:
    """Take the fictitious data out, in one transaction under the write lock; returns the
    number of parcours taken out. IngestError (French) when the database holds real data:
    nothing is removed then."""
    with writing(engine) as conn:
        if not is_demo(conn):
            raise IngestError(
                "La base ne contient pas que les données de démonstration : rien n'a été retiré."
            )
        parcours = conn.execute(select(func.count()).select_from(Parcours)).scalar_one()
        for table in DATA_TABLES:
            conn.execute(delete(table))
        lot = ImportLot.__table__
        conn.execute(
            update(lot)
            .where(lot.c.annule.is_(False))
            .values(annule=True, annule_le=dt.datetime.now(dt.UTC), annule_par=actor.utilisateur)
        )
        record(
            conn,
            actor,
            "sortie_demo",
            f"sortie du mode démonstration : {parcours} parcours fictifs retirés de la base",
        )
    return parcours
