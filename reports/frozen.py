"""Packs frozen for a comité: stored as they were shown, listed, found again, deleted.

A frozen pack keeps its figures (`Pack.to_json`) and its map picture in `comite_fige`;
imports and undos never touch that table, so the pack downloaded again later shows the same
numbers. Freezing and deleting are written in the audit log, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace

from sqlalchemy import Engine, delete, insert, select

from domain.formatting import day, paris_time
from indicators.committee import Pack, period_words
from store.audit import Actor, record
from store.models import ComiteFige

MAX_LABEL = 200
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class FrozenError(ValueError):
    """A French message: what to change (the label), or the pack that no longer exists."""


@dataclass(frozen=True)
class Frozen:
    """One frozen pack as the list shows it."""

    id: int
    libelle: str
    fige_le: dt.datetime
    utilisateur: str
    perimetre: str
    association: str | None
    du: dt.date
    au: dt.date

    @property
    def title(self) -> str:
        return (
            f"{self.libelle} — {period_words(self.du, self.au)}, figé le "
            f"{paris_time(self.fige_le)} par {self.utilisateur}"
        )


def default_label(today: dt.date) -> str:
    return f"Comité du {day(today)}"


def clean_label(label: str) -> str:
    """The label on one line, trimmed; FrozenError when empty or too long."""
    text = " ".join(_UNPRINTABLE.sub(" ", label or "").split())
    if not text:
        raise FrozenError("Donnez un libellé au pack figé, par exemple « Comité du 12/06/2026 ».")
    if len(text) > MAX_LABEL:
        raise FrozenError(f"Libellé trop long : {MAX_LABEL} caractères au plus.")
    return text


def freeze(
    engine: Engine,
    pack: Pack,
    picture: bytes | None,
    label: str,
    scope_key: str,
    association: str | None,
    actor: Actor,
    now: dt.datetime | None = None,
) -> int:
    """Store `pack` (and its map) under `label`; returns its id. Audited."""
    label = clean_label(label)
    moment = now or dt.datetime.now(dt.UTC)
    stored = replace(
        pack,
        frozen_label=label,
        frozen_on=f"le {paris_time(moment)} par {actor.utilisateur}",
    )
    values = {
        "libelle": label,
        "fige_le": moment,
        "utilisateur": actor.utilisateur[:200],
        "perimetre": scope_key[:300],
        "association": association,
        "du": pack.du,
        "au": pack.au,
        "contenu": json.dumps(stored.to_json(), ensure_ascii=False),
        "carte": picture,
    }
    with engine.begin() as conn:
        new_id = conn.execute(
            insert(ComiteFige).values(values).returning(ComiteFige.id)
        ).scalar_one()
        record(
            conn,
            actor,
            "comite_fige",
            f"pack n° {new_id} « {label} » : {pack.scope_label}, {period_words(pack.du, pack.au)}",
        )
    return int(new_id)


_LIST_COLUMNS = (
    ComiteFige.id,
    ComiteFige.libelle,
    ComiteFige.fige_le,
    ComiteFige.utilisateur,
    ComiteFige.perimetre,
    ComiteFige.association,
    ComiteFige.du,
    ComiteFige.au,
)


def listing(engine: Engine, association: str | None = None) -> list[Frozen]:
    """The frozen packs, newest first; with `association`, only that association's."""
    query = select(*_LIST_COLUMNS).order_by(ComiteFige.fige_le.desc(), ComiteFige.id.desc())
    if association is not None:
        query = query.where(ComiteFige.association == association)
    with engine.connect() as conn:
        return [Frozen(*row) for row in conn.execute(query)]


def load(engine: Engine, id_: int, association: str | None = None) -> tuple[Pack, bytes | None]:
    """The frozen pack `id_` and its map; FrozenError when it does not exist (or belongs to
    another association than `association`, when given)."""
    query = select(ComiteFige.contenu, ComiteFige.carte, ComiteFige.association).where(
        ComiteFige.id == id_
    )
    with engine.connect() as conn:
        row = conn.execute(query).one_or_none()
    if row is None or (association is not None and row.association != association):
        raise FrozenError(f"Aucun pack figé n° {id_}.")
    return Pack.from_json(json.loads(row.contenu)), row.carte


def latest(engine: Engine, scope_key: str) -> Pack | None:
    """The latest pack frozen for this scope, or None."""
    query = (
        select(ComiteFige.contenu)
        .where(ComiteFige.perimetre == scope_key)
        .order_by(ComiteFige.fige_le.desc(), ComiteFige.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        content = conn.execute(query).scalar_one_or_none()
    return None if content is None else Pack.from_json(json.loads(content))


def remove(engine: Engine, id_: int, actor: Actor) -> None:
    """Delete the frozen pack `id_`. Audited; FrozenError when it does not exist."""
    with engine.begin() as conn:
        row = conn.execute(
            select(ComiteFige.libelle, ComiteFige.du, ComiteFige.au).where(ComiteFige.id == id_)
        ).one_or_none()
        if row is None:
            raise FrozenError(f"Aucun pack figé n° {id_}.")
        conn.execute(delete(ComiteFige).where(ComiteFige.id == id_))
        record(
            conn,
            actor,
            "comite_supprime",
            f"pack n° {id_} « {row.libelle} » ({period_words(row.du, row.au)})",
        )
