"""Local accounts: creation and management, sign-in with lock-out, and the audit entries of
both.

A `compte` row with a password hash signs in here; one without (`mot_de_passe` None) is an
e-mail address for the identity provider and never signs in with a password. After
`max_failures()` consecutive failures an account is locked for `lock_minutes()`; while
locked even the right password is refused. Every outcome is written to the audit log in the
same transaction as the change it describes.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

import settings
from auth import passwords
from auth.roles import ROLE_LABELS, Identity, Role, parse_role
from domain.formatting import PARIS, count
from domain.text import normalise_key
from store.audit import Actor, record
from store.db import writing
from store.models import Association, Compte, SessionConnexion

MAX_IDENTIFIANT = 200
_IDENTIFIANT = re.compile(r"^\w[\w.@+'-]*$")

WRONG = "Identifiant ou mot de passe incorrect."
DISABLED = "Ce compte est désactivé : adressez-vous à l'administrateur du tableau de bord."
TABLE = Compte.__table__
SESSIONS = SessionConnexion.__table__

LIST_COLUMNS = [
    "identifiant",
    "role",
    "association",
    "mot_de_passe_local",
    "actif",
    "bloque",
    "echecs",
    "bloque_jusqua",
    "cree_le",
    "modifie_le",
    "derniere_connexion",
]
_DATE_COLUMNS = ["bloque_jusqua", "cree_le", "modifie_le", "derniere_connexion"]


class AccountError(Exception):
    """A refused account operation; `message` is French and says what to change."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SignIn:
    """Outcome of a sign-in: the identity when it succeeded, and what to tell the person."""

    identity: Identity | None
    message: str

    @property
    def ok(self) -> bool:
        return self.identity is not None


# --- settings ---------------------------------------------------------------------------------


def _setting(setting: settings.Setting) -> int:
    """A whole-number setting of the accounts; a wrong value refuses the operation with the
    registry's French message, as an AccountError like every refused account operation."""
    try:
        return setting.value()
    except settings.SettingError as error:
        raise AccountError(error.message) from None


def max_failures() -> int:
    """Consecutive failed sign-ins that lock an account (`settings.FAILURES_BEFORE_LOCK`)."""
    return _setting(settings.FAILURES_BEFORE_LOCK)


def lock_minutes() -> int:
    """How long a lock lasts, in minutes (`settings.LOCK_MINUTES`)."""
    return _setting(settings.LOCK_MINUTES)


def session_hours() -> int:
    """How long a local sign-in lasts, in hours (`settings.SESSION_HOURS`,
    auth/sessions.py)."""
    return _setting(settings.SESSION_HOURS)


# --- helpers ----------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive UTC datetimes, PostgreSQL aware ones: make both aware."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def until_text(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """ "jusqu'à 21:45" (Paris time), or "jusqu'au 27/11/2026 à 00:10" on another day."""
    local = _aware(moment).astimezone(PARIS)
    today = (now or _now()).astimezone(PARIS).date()
    if local.date() == today:
        return f"jusqu'à {local:%H:%M}"
    return f"jusqu'au {local:%d/%m/%Y à %H:%M}"


def _ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


def normalise_identifiant(identifiant: str) -> str:
    """The stored form of an identifiant: trimmed, lower-cased."""
    return (identifiant or "").strip().lower()


def _valid_identifiant(identifiant: str) -> str:
    name = normalise_identifiant(identifiant)
    if not name:
        raise AccountError("L'identifiant est vide.")
    if len(name) > MAX_IDENTIFIANT:
        raise AccountError(f"L'identifiant ne peut pas dépasser {MAX_IDENTIFIANT} caractères.")
    if not _IDENTIFIANT.match(name):
        raise AccountError(
            f"Identifiant invalide « {name} » : lettres, chiffres et . _ - @ + ' uniquement, "
            "sans espace (par exemple prenom.nom ou une adresse e-mail)."
        )
    return name


def _valid_role(role: str | Role) -> Role:
    parsed = parse_role(role)
    if parsed is None:
        choices = ", ".join(r.value for r in Role)
        raise AccountError(f"Rôle inconnu « {role} » : attendu {choices}.")
    return parsed


def _valid_association(conn, role: Role, association: str | None) -> str | None:
    """The association of an association account, spelt as in the referential when the
    referential is loaded; None for the other roles."""
    name = (association or "").strip()
    if role is not Role.ASSOCIATION:
        if name:
            raise AccountError(
                f"Le rôle « {role.value} » voit toutes les associations : "
                "n'indiquez pas d'association."
            )
        return None
    if not name:
        raise AccountError("Un compte d'association doit indiquer son association.")
    known = dict(conn.execute(select(Association.cle, Association.nom)).all())
    if not known:
        return name  # referential not loaded yet: taken as written
    if normalise_key(name) in known:
        return known[normalise_key(name)]
    listed = ", ".join(f"« {n} »" for n in sorted(known.values()))
    raise AccountError(
        f"Association inconnue du référentiel : « {name} ». Associations connues : {listed}."
    )


def password_problem(identifiant: str, password: str) -> str | None:
    """Why `password` cannot be the password of `identifiant` (French), or None."""
    problem = passwords.check_policy(password)
    if problem:
        return problem
    if password.strip().lower() == normalise_identifiant(identifiant):
        return "Le mot de passe ne doit pas être l'identifiant."
    return None


def _check_password(identifiant: str, password: str) -> None:
    problem = password_problem(identifiant, password)
    if problem:
        raise AccountError(problem)


def _find(conn, identifiant: str):
    name = normalise_identifiant(identifiant)
    row = conn.execute(select(TABLE).where(TABLE.c.identifiant == name)).first()
    if row is None:
        raise AccountError(f"Aucun compte « {name} ».")
    return row


def require_account(engine: Engine, identifiant: str) -> None:
    """Raise AccountError (French) when there is no such account."""
    with engine.connect() as conn:
        _find(conn, identifiant)


def _audit(conn, actor: Actor | None, detail: str) -> None:
    if actor is not None:
        record(conn, actor, "compte", detail)


# --- management -------------------------------------------------------------------------------


def _hashed(identifiant: str, password: str | None) -> str | None:
    """The Argon2 hash of a new account's password, after the policy check (None: an
    identity-provider account)."""
    if password is None:
        return None
    _check_password(identifiant, password)
    return passwords.hash_password(password)


def _insert(
    conn: Connection, name: str, role: Role, association: str | None, hashed, signed_in: bool
) -> None:
    now = _now()
    conn.execute(
        insert(TABLE).values(
            identifiant=name,
            role=role.value,
            association=association,
            mot_de_passe=hashed,
            actif=True,
            echecs=0,
            bloque_jusqua=None,
            cree_le=now,
            modifie_le=now,
            derniere_connexion=now if signed_in else None,
        )
    )


def _validate_new(
    conn, identifiant: str, role: str | Role, association: str | None, oidc: bool
) -> tuple[str, Role, str | None]:
    name = _valid_identifiant(identifiant)
    parsed = _valid_role(role)
    if oidc and "@" not in name:
        raise AccountError(
            f"« {name} » n'est pas une adresse e-mail : un compte sans mot de passe se connecte "
            "par le fournisseur d'identité, qui le reconnaît à son adresse e-mail."
        )
    assoc = _valid_association(conn, parsed, association)
    exists = conn.execute(select(TABLE.c.id).where(TABLE.c.identifiant == name)).first()
    if exists is not None:
        raise AccountError(f"Le compte « {name} » existe déjà.")
    return name, parsed, assoc


def check_new_account(
    engine: Engine,
    identifiant: str,
    role: str | Role,
    association: str | None = None,
    oidc: bool = False,
) -> None:
    """Raise the AccountError `create_account` would raise for these values, before a
    password is asked for."""
    with engine.connect() as conn:
        _validate_new(conn, identifiant, role, association, oidc)


def create_account(
    engine: Engine,
    identifiant: str,
    role: str | Role,
    association: str | None = None,
    password: str | None = None,
    actor: Actor | None = None,
) -> Identity:
    """Create an account; without a password it is for the identity provider (the
    identifiant is then the person's e-mail). Raises AccountError (French) when refused;
    with `actor`, the creation is written to the audit log."""
    _valid_identifiant(identifiant)  # the cheap checks before hashing
    _valid_role(role)
    hashed = _hashed(identifiant, password)
    try:
        with engine.begin() as conn:
            name, parsed, assoc = _validate_new(
                conn, identifiant, role, association, oidc=hashed is None
            )
            _insert(conn, name, parsed, assoc, hashed, signed_in=False)
            how = "mot de passe local" if hashed else "fournisseur d'identité"
            who = f", association « {assoc} »" if assoc else ""
            _audit(conn, actor, f"création du compte « {name} » (rôle {parsed.value}{who}, {how})")
    except IntegrityError:  # created by someone else in the meantime
        raise AccountError(
            f"Le compte « {normalise_identifiant(identifiant)} » existe déjà."
        ) from None
    return Identity(name, parsed, assoc, "local" if hashed else "oidc")


def set_password(
    engine: Engine,
    identifiant: str,
    password: str,
    actor: Actor | None = None,
    generated: bool = False,
) -> None:
    """Give an account a new password; it also clears the failures and any lock, and ends
    the account's sessions. `generated`: a password made by `temporary_password`, so
    noted in the audit entry."""
    name = normalise_identifiant(identifiant)
    _check_password(name, password)
    hashed = passwords.hash_password(password)
    with engine.begin() as conn:
        row = _find(conn, name)
        conn.execute(
            update(TABLE)
            .where(TABLE.c.id == row.id)
            .values(mot_de_passe=hashed, echecs=0, bloque_jusqua=None, modifie_le=_now())
        )
        end_sessions(conn, row.identifiant)
        how = " (généré)" if generated else ""
        _audit(conn, actor, f"nouveau mot de passe{how} pour « {row.identifiant} »")


def _is_oneself(actor: Actor | None, row) -> bool:
    """Whether a signed-in person acts on their own account. The command line's actor has
    no role: it is a system user, never taken for an account."""
    return (
        actor is not None
        and actor.role is not None
        and normalise_identifiant(actor.utilisateur) == row.identifiant
    )


def _active_admins(conn) -> int:
    query = select(func.count()).where(TABLE.c.role == Role.ADMIN.value, TABLE.c.actif)
    return conn.execute(query.select_from(TABLE)).scalar_one()


def disable(engine: Engine, identifiant: str, actor: Actor | None = None) -> bool:
    """Disable an account (it can no longer sign in, by any means). False when it already
    was. The last active administrator cannot be disabled."""
    with engine.begin() as conn:
        row = _find(conn, identifiant)
        if not row.actif:
            return False
        if _is_oneself(actor, row):
            raise AccountError(
                "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre "
                "administrateur."
            )
        if row.role == Role.ADMIN.value and _active_admins(conn) <= 1:
            raise AccountError(
                f"« {row.identifiant} » est le dernier administrateur actif : "
                "créez ou réactivez un autre administrateur avant de le désactiver."
            )
        conn.execute(
            update(TABLE).where(TABLE.c.id == row.id).values(actif=False, modifie_le=_now())
        )
        end_sessions(conn, row.identifiant)
        _audit(conn, actor, f"désactivation du compte « {row.identifiant} »")
    return True


def enable(engine: Engine, identifiant: str, actor: Actor | None = None) -> bool:
    """Enable a disabled account again (failures and lock cleared). False when it was."""
    with engine.begin() as conn:
        row = _find(conn, identifiant)
        if row.actif:
            return False
        conn.execute(
            update(TABLE)
            .where(TABLE.c.id == row.id)
            .values(actif=True, echecs=0, bloque_jusqua=None, modifie_le=_now())
        )
        _audit(conn, actor, f"réactivation du compte « {row.identifiant} »")
    return True


def unlock(engine: Engine, identifiant: str, actor: Actor | None = None) -> bool:
    """Clear the failures and the lock of an account. False when there was nothing to
    clear."""
    with engine.begin() as conn:
        row = _find(conn, identifiant)
        locked = row.bloque_jusqua is not None and _aware(row.bloque_jusqua) > _now()
        if not locked and not row.echecs:
            return False
        conn.execute(
            update(TABLE)
            .where(TABLE.c.id == row.id)
            .values(echecs=0, bloque_jusqua=None, modifie_le=_now())
        )
        _audit(conn, actor, f"déblocage du compte « {row.identifiant} »")
    return True


def _role_words(role: str, association: str | None) -> str:
    return f"{role} (« {association} »)" if association else role


def set_role(
    engine: Engine,
    identifiant: str,
    role: str | Role,
    association: str | None = None,
    actor: Actor | None = None,
) -> bool:
    """Give an account another role or association, validated as at creation (an
    association account names a known association, the others none). Its sessions end, so
    the new rights apply at once. False when nothing changes. A signed-in administrator
    cannot take the role from themselves, and the last active administrator keeps it."""
    parsed = _valid_role(role)
    with engine.begin() as conn:
        row = _find(conn, identifiant)
        assoc = _valid_association(conn, parsed, association)
        if row.role == parsed.value and row.association == assoc:
            return False
        if row.role == Role.ADMIN.value and parsed is not Role.ADMIN:
            if _is_oneself(actor, row):
                raise AccountError(
                    "Vous ne pouvez pas retirer votre propre rôle d'administrateur : "
                    "demandez-le à un autre administrateur."
                )
            if row.actif and _active_admins(conn) <= 1:
                raise AccountError(
                    f"« {row.identifiant} » est le dernier administrateur actif : "
                    "créez ou réactivez un autre administrateur avant de lui retirer ce rôle."
                )
        conn.execute(
            update(TABLE)
            .where(TABLE.c.id == row.id)
            .values(role=parsed.value, association=assoc, modifie_le=_now())
        )
        ended = end_sessions(conn, row.identifiant)
        _audit(
            conn,
            actor,
            f"rôle du compte « {row.identifiant} » : "
            f"{_role_words(row.role, row.association)} → {_role_words(parsed.value, assoc)}"
            f" ({_sessions_words(ended)})",
        )
    return True


def _sessions_words(ended: int) -> str:
    if ended == 0:
        return "aucune session ouverte"
    return count(ended, "session terminée", "sessions terminées")


def end_account_sessions(engine: Engine, identifiant: str, actor: Actor | None = None) -> int:
    """End every open session of an account, written to the audit log when there was one:
    the person must sign in again everywhere. How many were open."""
    with engine.begin() as conn:
        row = _find(conn, identifiant)
        ended = end_sessions(conn, row.identifiant)
        if ended:
            _audit(
                conn,
                actor,
                f"fin des sessions du compte « {row.identifiant} » ({_sessions_words(ended)})",
            )
    return ended


def open_sessions(engine: Engine) -> dict[str, int]:
    """Identifiant -> how many of its sessions are open now (not ended, not expired);
    accounts without one are absent."""
    now = _now()
    query = (
        select(SESSIONS.c.identifiant, func.count())
        .where(SESSIONS.c.fin_le.is_(None), SESSIONS.c.expire_le > now)
        .group_by(SESSIONS.c.identifiant)
    )
    with engine.connect() as conn:
        return {name: int(n) for name, n in conn.execute(query).all()}


def known_associations(engine: Engine) -> list[str]:
    """The associations an association account may name: the referential's, by name
    (empty while the referential is not loaded: any name is then taken as written)."""
    with engine.connect() as conn:
        return list(conn.execute(select(Association.nom).order_by(Association.nom)).scalars())


_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def temporary_password(identifiant: str = "") -> str:
    """A random password that passes the policy, for an administrator to hand over
    (« k7mp-x3rt-9qaf-h2wd », about 79 bits): shown once, never stored in clear."""
    while True:
        groups = ("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4))
        password = "-".join(groups)
        if password_problem(identifiant, password) is None:
            return password


def list_accounts(engine: Engine) -> pd.DataFrame:
    """Every account, by identifiant, without the password hash; dates in aware UTC.
    `mot_de_passe_local` says whether it signs in here; `bloque`, whether it is locked now."""
    columns = [c for c in TABLE.c if c.name != "mot_de_passe"]
    has_password = TABLE.c.mot_de_passe.is_not(None).label("mot_de_passe_local")
    with engine.connect() as conn:
        result = conn.execute(select(*columns, has_password).order_by(TABLE.c.identifiant))
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for column in _DATE_COLUMNS:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    for column in ("actif", "mot_de_passe_local"):
        frame[column] = frame[column].astype(bool)
    frame["echecs"] = frame["echecs"].astype(int)
    frame["bloque"] = (frame["bloque_jusqua"] > pd.Timestamp(_now())).fillna(False).astype(bool)
    # An account without association has None there (never NaN: it reaches JSON and text).
    frame["association"] = frame["association"].astype(object)
    frame["association"] = frame["association"].where(frame["association"].notna(), None)
    return frame[LIST_COLUMNS].reset_index(drop=True)


# --- sign-in ----------------------------------------------------------------------------------

_DUMMY: dict[int, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password with the current hasher, so an unknown identifiant costs
    the same time as a known one."""
    key = id(passwords.HASHER)
    if key not in _DUMMY:
        _DUMMY.clear()
        _DUMMY[key] = passwords.hash_password(secrets.token_urlsafe(24))
    return _DUMMY[key]


def _actor(name: str, row, origine: str | None) -> Actor:
    if row is None:
        return Actor(name[:MAX_IDENTIFIANT], None, None, origine)
    return Actor(row.identifiant, row.role, row.association, origine)


def _locked_message(until: dt.datetime, limit: int) -> str:
    return (
        f"Compte bloqué après {limit} échecs de connexion consécutifs, {until_text(until)} "
        "(heure de Paris). Réessayez ensuite, ou demandez à l'administrateur de le débloquer."
    )


def authenticate(
    engine: Engine, identifiant: str, password: str, origine: str | None = None
) -> SignIn:
    """Check a local sign-in, count failures, lock and write the audit log.

    An unknown identifiant, an account without a local password and a wrong password get
    the same message (and cost the same hash verification). Raises AccountError only when
    a lock-out setting is invalid."""
    limit = max_failures()
    minutes = lock_minutes()
    name = normalise_identifiant(identifiant)
    if not name or not password:
        return SignIn(None, "Saisissez votre identifiant et votre mot de passe.")
    with engine.connect() as conn:
        row = conn.execute(select(TABLE).where(TABLE.c.identifiant == name)).first()
    actor = _actor(name, row, origine)
    now = _now()

    if row is None or row.mot_de_passe is None:
        passwords.verify(_dummy_hash(), password)
        why = (
            "compte inconnu"
            if row is None
            else "compte sans mot de passe local (connexion par le fournisseur d'identité)"
        )
        record(engine, actor, "echec_connexion", why)
        return SignIn(None, WRONG)

    if not row.actif:
        correct = passwords.verify(row.mot_de_passe, password)
        record(engine, actor, "echec_connexion", "compte désactivé")
        return SignIn(None, DISABLED if correct else WRONG)

    # The attempt is counted as a failure before the password is checked, in one conditional
    # UPDATE: parallel attempts can never check more passwords than the limit allows.
    count = _reserve_attempt(engine, row.id, limit, now)
    if count is None:
        return _refused_locked(engine, row.id, actor, limit, minutes, now)
    correct = passwords.verify(row.mot_de_passe, password)
    role = parse_role(row.role)
    if not correct or role is None:
        return _failure(engine, row, actor, count, limit, minutes, now)

    values = {"echecs": 0, "bloque_jusqua": None, "derniere_connexion": now}
    if passwords.needs_rehash(row.mot_de_passe):
        values["mot_de_passe"] = passwords.hash_password(password)
    with engine.begin() as conn:
        # Locked meanwhile by parallel failures: the right password is refused too.
        done = conn.execute(
            update(TABLE)
            .where(TABLE.c.id == row.id, _not_locked(now))
            .values(**values)
            .returning(TABLE.c.id)
        ).first()
        if done is None:
            record(conn, actor, "echec_connexion", "compte bloqué pendant la vérification")
        else:
            record(conn, actor, "connexion", "connexion avec un compte local")
    if done is None:
        return _refused_locked(engine, row.id, actor, limit, minutes, now, audited=True)
    association = row.association if role is Role.ASSOCIATION else None
    return SignIn(
        Identity(row.identifiant, role, association, "local"),
        f"Connecté(e) : {row.identifiant} — {ROLE_LABELS[role]}.",
    )


def _not_locked(now: dt.datetime):
    return or_(TABLE.c.bloque_jusqua.is_(None), TABLE.c.bloque_jusqua <= now)


def _reserve_attempt(engine: Engine, account_id: int, limit: int, now) -> int | None:
    """One more consecutive failure counted ahead of the check, if the account is not locked
    and under the limit; the new count, or None when refused."""
    with engine.begin() as conn:
        return conn.execute(
            update(TABLE)
            .where(TABLE.c.id == account_id, _not_locked(now), TABLE.c.echecs < limit)
            .values(echecs=TABLE.c.echecs + 1)
            .returning(TABLE.c.echecs)
        ).scalar_one_or_none()


def _refused_locked(
    engine: Engine,
    account_id: int,
    actor: Actor,
    limit: int,
    minutes: int,
    now,
    audited: bool = False,
) -> SignIn:
    """Refused without checking the password: the account is locked, or the attempts in
    flight already reach the limit (then it is locked now)."""
    until = now + dt.timedelta(minutes=minutes)
    with engine.begin() as conn:
        locked = conn.execute(
            update(TABLE)
            .where(TABLE.c.id == account_id, _not_locked(now), TABLE.c.echecs >= limit)
            .values(echecs=0, bloque_jusqua=until)
            .returning(TABLE.c.id)
        ).first()
        if locked is not None:
            record(
                conn,
                actor,
                "blocage",
                f"compte bloqué {until_text(until, now)} (heure de Paris) "
                f"après {limit} échecs consécutifs",
            )
        current = conn.execute(
            select(TABLE.c.bloque_jusqua).where(TABLE.c.id == account_id)
        ).scalar_one()
        until = _aware(current) or until
        if not audited:
            record(
                conn,
                actor,
                "echec_connexion",
                f"compte bloqué ({until_text(until, now)}, heure de Paris)",
            )
    return SignIn(None, _locked_message(until, limit))


def _failure(
    engine: Engine, row, actor: Actor, count: int, limit: int, minutes: int, now
) -> SignIn:
    """A wrong password (already counted): the lock when it is the last one allowed."""
    with engine.begin() as conn:
        record(
            conn,
            actor,
            "echec_connexion",
            f"mot de passe incorrect ({_ordinal(count)} échec consécutif)",
        )
        if count < limit:
            return SignIn(None, WRONG)
        until = now + dt.timedelta(minutes=minutes)
        # The count starts again from zero once the lock is over.
        conn.execute(
            update(TABLE).where(TABLE.c.id == row.id).values(echecs=0, bloque_jusqua=until)
        )
        record(
            conn,
            actor,
            "blocage",
            f"compte bloqué {until_text(until, now)} (heure de Paris) "
            f"après {count} échecs consécutifs",
        )
    return SignIn(
        None, f"{WRONG} {_locked_message(until, limit).replace('Compte', 'Le compte est', 1)}"
    )


def record_oidc_sign_in(engine: Engine, identity: Identity, origine: str | None = None) -> None:
    """Note a sign-in through the identity provider: the audit entry, and the last sign-in
    date of the matching account when there is one."""
    with engine.begin() as conn:
        conn.execute(
            update(TABLE)
            .where(TABLE.c.identifiant == normalise_identifiant(identity.identifiant))
            .values(derniere_connexion=_now())
        )
        record(
            conn, identity.actor(origine), "connexion", "connexion par le fournisseur d'identité"
        )


def current_identity(engine: Engine, identity: Identity) -> Identity | None:
    """A signed-in local identity as the accounts table says now: None once the account is
    disabled or deleted; its role and association as they are now (a change made with
    `users` applies at the next page, not at the next sign-in)."""
    return account_identity(engine, identity.identifiant, identity.source)


def account_identity(engine: Engine, identifiant: str, source: str) -> Identity | None:
    """The identity of an account as the table says now; None if it is missing, disabled
    or inconsistent."""
    with engine.connect() as conn:
        row = conn.execute(
            select(TABLE).where(TABLE.c.identifiant == normalise_identifiant(identifiant))
        ).first()
    if row is None or not row.actif:
        return None
    role = parse_role(row.role)
    if role is None or (role is Role.ASSOCIATION) != bool(row.association):
        return None
    association = row.association if role is Role.ASSOCIATION else None
    return Identity(row.identifiant, role, association, source)


def end_sessions(engine_or_conn: Engine | Connection, identifiant: str) -> int:
    """End every open sign-in session of an account (auth/sessions.py): sign-out, a new
    password, a disabled account. Returns how many were open."""
    statement = (
        update(SESSIONS)
        .where(
            SESSIONS.c.identifiant == normalise_identifiant(identifiant),
            SESSIONS.c.fin_le.is_(None),
        )
        .values(fin_le=_now())
    )
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.begin() as conn:
            return conn.execute(statement).rowcount
    return engine_or_conn.execute(statement).rowcount


def any_admin(engine: Engine) -> bool:
    """Whether an administrator account was ever created (active or not): until then, the
    local machine may create the first one (dashboard/first_admin.py)."""
    with engine.connect() as conn:
        return _admin_exists(conn)


def _admin_exists(conn: Connection) -> bool:
    query = select(TABLE.c.id).where(TABLE.c.role == Role.ADMIN.value).limit(1)
    return conn.execute(query).first() is not None


def create_first_admin(
    engine: Engine, identifiant: str, password: str | None, origine: str | None = None
) -> Identity:
    """The first administrator, created from the app on the local machine while no
    administrator exists (without a password: an identity-provider account). Under the
    dataset's write lock, so two visitors cannot both create one; AccountError when one
    exists already."""
    _valid_identifiant(identifiant)
    hashed = _hashed(identifiant, password)
    with writing(engine) as conn:
        if _admin_exists(conn):
            raise AccountError(
                "Un compte administrateur existe déjà : connectez-vous avec lui, ou demandez-lui "
                "de vous ouvrir un compte."
            )
        name, role, _ = _validate_new(conn, identifiant, Role.ADMIN, None, oidc=hashed is None)
        _insert(conn, name, role, None, hashed, signed_in=hashed is not None)
        actor = Actor(name, role.value, None, origine)
        record(conn, actor, "compte", f"création du premier compte administrateur « {name} »")
        if hashed:
            record(conn, actor, "connexion", "connexion avec un compte local")
    return Identity(name, role, None, "local" if hashed else "oidc")
