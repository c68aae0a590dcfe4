"""Account management as the page « Comptes » does it (auth/accounts.py): role and
association changed with the account's sessions ended, the last administrator and one's own
account protected, sessions ended and counted, generated passwords, and the audit entry of
each change with the administrator as actor (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import insert, select, update

from auth import accounts, passwords, sessions
from auth.accounts import AccountError, create_account, disable, set_password, set_role
from auth.roles import Identity, Role
from store.audit import Actor, command_line_actor, entries
from store.models import Association, Compte, SessionConnexion
from tests.test_accounts import PASSWORD, cheap_hasher

ADMIN = Actor("claire@cd59.fr", "admin", None, "10.0.0.7")


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", cheap_hasher())


def _account(engine, identifiant: str):
    with engine.connect() as conn:
        return conn.execute(
            select(Compte.__table__).where(Compte.identifiant == identifiant)
        ).first()


def _compte_entries(engine) -> list[tuple[str, str | None, str | None, str]]:
    """(utilisateur, role, origine, detail) of the account entries, oldest first."""
    log = entries(engine, actions=["compte"])
    rows = zip(log.utilisateur, log.role, log.origine, log.detail, strict=True)
    return [(u, r, o, d) for u, r, o, d in rows][::-1]


def _referential(engine, *names: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Association.__table__),
            [{"nom": n, "cle": n.lower()} for n in names],
        )


def _open(engine, identifiant: str, role: Role = Role.DIRECTION) -> str:
    token, _ = sessions.open_session(engine, Identity(identifiant, role, None, "local"))
    return token


@pytest.fixture
def team(engine):
    """Two administrators and a direction account."""
    create_account(engine, "claire@cd59.fr", "admin", password=PASSWORD)
    create_account(engine, "adjoint@cd59.fr", "admin", password=PASSWORD)
    create_account(engine, "dir@cd59.fr", "direction", password=PASSWORD)
    return engine


def test_a_role_change_ends_the_sessions_and_is_audited_with_the_actor(team):
    _referential(team, "Envol Mentorat", "Les Ailes")
    token = _open(team, "dir@cd59.fr")
    other = _open(team, "dir@cd59.fr")
    assert sessions.resume(team, token) == Identity("dir@cd59.fr", Role.DIRECTION, None, "local")

    assert set_role(team, "DIR@cd59.fr", "association", "envol mentorat", ADMIN) is True
    row = _account(team, "dir@cd59.fr")
    assert (row.role, row.association) == ("association", "Envol Mentorat")  # as spelt there
    assert sessions.resume(team, token) is None and sessions.resume(team, other) is None
    assert accounts.open_sessions(team) == {}
    # The same values again: nothing changes, nothing is written.
    assert set_role(team, "dir@cd59.fr", Role.ASSOCIATION, "Envol Mentorat", ADMIN) is False
    assert set_role(team, "dir@cd59.fr", "direction", None, ADMIN) is True
    assert _compte_entries(team) == [
        (
            "claire@cd59.fr",
            "admin",
            "10.0.0.7",
            "rôle du compte « dir@cd59.fr » : direction → association (« Envol Mentorat ») "
            "(2 sessions terminées)",
        ),
        (
            "claire@cd59.fr",
            "admin",
            "10.0.0.7",
            "rôle du compte « dir@cd59.fr » : association (« Envol Mentorat ») → direction "
            "(aucune session ouverte)",
        ),
    ]


@pytest.mark.parametrize(
    ("role", "association", "expected"),
    [
        ("association", None, "Un compte d'association doit indiquer son association."),
        ("association", "  ", "Un compte d'association doit indiquer son association."),
        (
            "association",
            "Envoll",
            "Association inconnue du référentiel : « Envoll ». "
            "Associations connues : « Envol Mentorat », « Les Ailes ».",
        ),
        (
            "direction",
            "Les Ailes",
            "Le rôle « direction » voit toutes les associations : n'indiquez pas d'association.",
        ),
        ("superviseur", None, "Rôle inconnu « superviseur » : attendu admin, direction"),
    ],
)
def test_a_role_change_is_validated_as_a_creation(team, role, association, expected):
    _referential(team, "Envol Mentorat", "Les Ailes")
    token = _open(team, "dir@cd59.fr")
    with pytest.raises(AccountError) as error:
        set_role(team, "dir@cd59.fr", role, association, ADMIN)
    assert error.value.message.startswith(expected)
    assert _account(team, "dir@cd59.fr").role == "direction"
    assert sessions.resume(team, token) is not None  # refused: the sessions go on
    assert _compte_entries(team) == []


def test_an_unknown_account_is_said(team):
    with pytest.raises(AccountError, match=re.escape("Aucun compte « personne@cd59.fr ».")):
        set_role(team, "personne@cd59.fr", "direction", None, ADMIN)
    with pytest.raises(AccountError, match="Aucun compte"):
        accounts.end_account_sessions(team, "personne@cd59.fr", ADMIN)


def test_the_last_active_admin_keeps_the_role(team):
    assert disable(team, "adjoint@cd59.fr", ADMIN) is True
    with pytest.raises(AccountError) as error:
        set_role(team, "claire@cd59.fr", "direction", None, command_line_actor("root"))
    assert error.value.message == (
        "« claire@cd59.fr » est le dernier administrateur actif : créez ou réactivez un autre "
        "administrateur avant de lui retirer ce rôle."
    )
    assert _account(team, "claire@cd59.fr").role == "admin"
    # A disabled administrator may lose the role: it was not an active one.
    assert set_role(team, "adjoint@cd59.fr", "direction", None, ADMIN) is True
    assert _account(team, "adjoint@cd59.fr").role == "direction"


def test_an_admin_cannot_remove_their_own_role_nor_disable_themselves(team):
    with pytest.raises(AccountError) as error:
        set_role(team, "claire@cd59.fr", "direction", None, ADMIN)
    assert error.value.message == (
        "Vous ne pouvez pas retirer votre propre rôle d'administrateur : demandez-le à un autre "
        "administrateur."
    )
    with pytest.raises(AccountError) as error:
        disable(team, "Claire@CD59.fr", ADMIN)
    assert error.value.message == (
        "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur."
    )
    row = _account(team, "claire@cd59.fr")
    assert row.actif and row.role == "admin"
    # Another administrator may; the command line's actor (a system user, no role) is never
    # taken for the account of the same name.
    other = Actor("adjoint@cd59.fr", "admin", None, None)
    assert set_role(team, "claire@cd59.fr", "direction", None, other) is True
    assert set_role(team, "claire@cd59.fr", "admin", None, other) is True
    assert disable(team, "claire@cd59.fr", command_line_actor("claire@cd59.fr")) is True
    assert [d for _, _, _, d in _compte_entries(team)][-1] == (
        "désactivation du compte « claire@cd59.fr »"
    )


def test_ending_the_sessions_of_an_account(team):
    first, second = _open(team, "dir@cd59.fr"), _open(team, "dir@cd59.fr")
    mine = _open(team, "claire@cd59.fr", Role.ADMIN)
    _open(team, "adjoint@cd59.fr", Role.ADMIN)
    accounts.end_sessions(team, "adjoint@cd59.fr")  # ended: not counted
    _open(team, "adjoint@cd59.fr", Role.ADMIN)  # expired below: not counted
    table = SessionConnexion.__table__
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with team.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.fin_le.is_(None), table.c.identifiant == "adjoint@cd59.fr")
            .values(expire_le=past)
        )
    assert accounts.open_sessions(team) == {"dir@cd59.fr": 2, "claire@cd59.fr": 1}

    assert accounts.end_account_sessions(team, "Dir@cd59.fr", ADMIN) == 2
    assert sessions.resume(team, first) is None and sessions.resume(team, second) is None
    assert sessions.resume(team, mine) is not None
    assert accounts.open_sessions(team) == {"claire@cd59.fr": 1}
    assert accounts.end_account_sessions(team, "dir@cd59.fr", ADMIN) == 0  # nothing written
    assert _compte_entries(team) == [
        (
            "claire@cd59.fr",
            "admin",
            "10.0.0.7",
            "fin des sessions du compte « dir@cd59.fr » (2 sessions terminées)",
        )
    ]


def test_a_generated_password_passes_the_policy_and_is_audited_as_generated(team):
    made = {accounts.temporary_password("dir@cd59.fr") for _ in range(50)}
    assert len(made) == 50
    for password in made:
        assert re.fullmatch(r"[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}", password), password
        assert accounts.password_problem("dir@cd59.fr", password) is None
    password = made.pop()
    token = _open(team, "dir@cd59.fr")
    set_password(team, "dir@cd59.fr", password, ADMIN, generated=True)
    assert accounts.authenticate(team, "dir@cd59.fr", password).ok
    assert sessions.resume(team, token) is None
    assert _compte_entries(team)[-1][3] == "nouveau mot de passe (généré) pour « dir@cd59.fr »"


def test_known_associations_are_the_referential(engine):
    assert accounts.known_associations(engine) == []
    _referential(engine, "Les Ailes", "Envol Mentorat")
    assert accounts.known_associations(engine) == ["Envol Mentorat", "Les Ailes"]
