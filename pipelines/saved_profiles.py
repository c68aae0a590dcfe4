"""Column mappings saved from the import page, per association (or per kind for the CD's
own files): the next export of the same layout is recognised with no fixing.

They take the shape of the TOML profiles (pipelines/mappings) and rank before them, so a
correction made by the chargé(e) de projet wins over the shipped guess.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, Engine, insert, select, update

from domain.schema import KIND_LABELS, Kind
from domain.text import normalise_key
from pipelines.mapping import Profile, load_profiles
from store.models import ProfilColonnes

PREFIX = "enregistré"
STEPS, SHEETS = "@etapes", "@feuilles"  # a profile's values: the shape's answers too
MAX_NAME = 100  # profil_colonnes.nom and import_lot.profil


def profile_name(kind: Kind, association: str | None) -> str:
    """One saved profile per association (association exports) or per kind (other files)."""
    owner = association if kind == Kind.ASSOCIATION and association else KIND_LABELS[kind]
    name = f"{PREFIX} : {owner}"
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def stored_profiles(engine_or_conn) -> tuple[Profile, ...]:
    table = ProfilColonnes.__table__
    query = select(table).order_by(table.c.modifie_le.desc(), table.c.id.desc())
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            rows = conn.execute(query).fetchall()
    else:
        rows = engine_or_conn.execute(query).fetchall()
    return tuple(
        Profile(
            name=row.nom,
            kind=Kind(row.type),
            association=row.association,
            description=f"correspondance enregistrée par {row.modifie_par}",
            columns=json.loads(row.colonnes),
            values=json.loads(row.valeurs) if row.valeurs else {},
        )
        for row in rows
    )


def all_profiles(engine_or_conn) -> tuple[Profile, ...]:
    """Saved profiles first (they win a tie), then the shipped TOML profiles."""
    return stored_profiles(engine_or_conn) + load_profiles()


def stored_headers(profiles: tuple[Profile, ...]) -> frozenset[str]:
    return frozenset(h for p in profiles if p.path is None for h in p.columns if h)


def save_profile(
    conn: Connection,
    kind: Kind,
    association: str | None,
    columns: dict[str, str],
    values: dict[str, dict[str, str]],
    user: str,
) -> str:
    """Create or replace the saved profile of this association (or kind); returns its name."""
    table = ProfilColonnes.__table__
    name = profile_name(kind, association)
    now = dt.datetime.now(dt.UTC)
    payload = {
        "type": kind.value,
        "association": association if kind == Kind.ASSOCIATION else None,
        "colonnes": json.dumps({normalise_key(h): f for h, f in columns.items()}),
        "valeurs": json.dumps(values, ensure_ascii=False) if values else None,
        "modifie_le": now,
        "modifie_par": user[:100],
    }
    found = conn.execute(select(table.c.id).where(table.c.nom == name)).scalar_one_or_none()
    if found is None:
        conn.execute(insert(table).values(nom=name, cree_le=now, cree_par=user[:100], **payload))
    else:
        conn.execute(update(table).where(table.c.id == found).values(**payload))
    return name


def shape_answers(answers) -> dict[str, dict[str, str]]:
    """The steps and sheets answered, as a saved profile keeps them (beside its labels)."""
    out = {}
    if answers.steps:
        out[STEPS] = dict(answers.steps)
    if answers.sheets:
        out[SHEETS] = dict(answers.sheets)
    return out


def remembered_shape(
    profiles: tuple[Profile, ...], association: str | None
) -> tuple[dict[str, str], dict[str, str]]:
    """The steps and sheets answered in the saved profiles (the association's own first,
    the most recent first): a journal or a workbook answered once is not asked again."""
    steps: dict[str, str] = {}
    sheets: dict[str, str] = {}
    key = normalise_key(association) if association else None
    mine = [
        p for p in profiles if p.path is None and key and normalise_key(p.association or "") == key
    ]
    others = [p for p in profiles if p.path is None and p not in mine]
    for profile in [*mine, *others]:
        for answered, name in ((steps, STEPS), (sheets, SHEETS)):
            for label, value in profile.values.get(name, {}).items():
                answered.setdefault(label, value)
    return steps, sheets
