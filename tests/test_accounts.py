"""Local accounts: Argon2 hashes, password policy, account management, sign-in with lock-out,
and the audit entry of every outcome (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import insert, select, update

import settings
from auth import accounts, passwords
from auth.accounts import (
    WRONG,
    AccountError,
    authenticate,
    create_account,
    disable,
    enable,
    list_accounts,
    record_oidc_sign_in,
    set_password,
    unlock,
    until_text,
)
from auth.roles import Identity, Role
from store.audit import Actor, entries
from store.models import Association, Compte

PASSWORD = "cheval agrafe correct"
ADMIN = Actor("chargee.projet", "admin", None, "tests")
UNTIL = re.compile(r"jusqu'(à \d\d:\d\d|au \d\d/\d\d/\d{4} à \d\d:\d\d)")


def cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    """Argon2 with its default cost takes 0.2 s a hash: tests use the cheapest parameters."""
    monkeypatch.setattr(passwords, "HASHER", cheap_hasher())
    monkeypatch.delenv(settings.FAILURES_BEFORE_LOCK.env, raising=False)
    monkeypatch.delenv(settings.LOCK_MINUTES.env, raising=False)


def _row(engine, identifiant: str):
    with engine.connect() as conn:
        return conn.execute(
            select(Compte.__table__).where(Compte.identifiant == identifiant)
        ).first()


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _journal(engine) -> list[tuple[str, str, str]]:
    """(action, utilisateur, detail), oldest first."""
    frame = entries(engine)
    return list(zip(frame.action, frame.utilisateur, frame.detail, strict=True))[::-1]


# --- passwords --------------------------------------------------------------------------------


def test_hash_and_verify():
    hashed = passwords.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert hashed != passwords.hash_password(PASSWORD)  # salted
    assert passwords.verify(hashed, PASSWORD)
    assert not passwords.verify(hashed, PASSWORD + "!")
    assert not passwords.verify("pas un hachage", PASSWORD)
    assert not passwords.verify(None, PASSWORD)
    assert not passwords.verify("", PASSWORD)
    assert not passwords.needs_rehash(hashed)
    assert passwords.needs_rehash("pas un hachage")


def test_needs_rehash_when_the_parameters_change(monkeypatch):
    hashed = passwords.hash_password(PASSWORD)
    monkeypatch.setattr(passwords, "HASHER", cheap_hasher(time_cost=2))
    assert passwords.needs_rehash(hashed)
    assert passwords.verify(hashed, PASSWORD)  # still verifies with the old parameters


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("court", "au moins 12 caractères"),
        ("onze-caract", "au moins 12 caractères"),
        ("aaaaaaaaaaaaaaaa", "caractères différents"),
        ("abababababab", "caractères différents"),
        ("x" * 200 + "abcdefghijklmnopqrstuvwxyz" * 3, "ne peut pas dépasser 256"),
    ],
)
def test_policy_refuses_weak_passwords(password, expected):
    assert expected in passwords.check_policy(password)


@pytest.mark.parametrize("password", ["douze-caract", PASSWORD, "Été à Lille 2026"])
def test_policy_accepts(password):
    assert passwords.check_policy(password) is None


# --- account management -----------------------------------------------------------------------


def test_create_account_and_list_without_hash(engine):
    identity = create_account(engine, "  Marie.Dupont ", "admin", password=PASSWORD, actor=ADMIN)
    assert identity == Identity("marie.dupont", Role.ADMIN, None, "local")
    create_account(engine, "Dir@CD59.fr", Role.DIRECTION)  # identity provider, no password
    row = _row(engine, "marie.dupont")
    assert row.actif and row.echecs == 0 and row.bloque_jusqua is None
    assert passwords.verify(row.mot_de_passe, PASSWORD)
    assert _row(engine, "dir@cd59.fr").mot_de_passe is None

    frame = list_accounts(engine)
    assert list(frame.columns) == accounts.LIST_COLUMNS
    assert "mot_de_passe" not in frame.columns
    assert "$argon2" not in frame.to_csv()
    assert frame.identifiant.tolist() == ["dir@cd59.fr", "marie.dupont"]
    assert frame.mot_de_passe_local.tolist() == [False, True]
    assert frame.actif.tolist() == [True, True] and frame.bloque.tolist() == [False, False]
    assert str(frame.cree_le.dt.tz) == "UTC"
    assert _journal(engine) == [
        (
            "compte",
            "chargee.projet",
            "création du compte « marie.dupont » (rôle admin, mot de passe local)",
        )
    ]


def test_list_accounts_of_an_empty_table(engine):
    frame = list_accounts(engine)
    assert frame.empty and list(frame.columns) == accounts.LIST_COLUMNS


REFUSALS = [
    ({"role": "superviseur"}, "Rôle inconnu « superviseur » : attendu admin, direction"),
    ({"role": "association"}, "doit indiquer son association"),
    ({"role": "association", "association": "   "}, "doit indiquer son association"),
    ({"role": "direction", "association": "Envol"}, "n'indiquez pas d'association"),
    ({"role": "admin", "password": "court"}, "au moins 12 caractères"),
    ({"role": "admin", "password": "Paul.Martin.Lille"}, "ne doit pas être l'identifiant"),
    ({"role": "admin", "password": None}, "n'est pas une adresse e-mail"),
    ({"role": "admin", "identifiant": "paul martin"}, "Identifiant invalide « paul martin »"),
    ({"role": "admin", "identifiant": "   "}, "L'identifiant est vide."),
    ({"role": "admin", "identifiant": "a" * 201}, "ne peut pas dépasser 200"),
]


def test_create_account_refusals(engine):
    for kwargs, message in REFUSALS:
        values = {"identifiant": "paul.martin.lille", "password": PASSWORD} | kwargs
        with pytest.raises(AccountError) as error:
            create_account(engine, **values)
        assert message in error.value.message, kwargs
    assert list_accounts(engine).empty and entries(engine).empty


def test_duplicate_identifiant_whatever_its_case(engine):
    create_account(engine, "paul.martin", "admin", password=PASSWORD)
    with pytest.raises(AccountError, match=re.escape("Le compte « paul.martin » existe déjà.")):
        create_account(engine, "Paul.MARTIN", "direction", password=PASSWORD)
    with pytest.raises(AccountError, match="existe déjà"):
        accounts.check_new_account(engine, "PAUL.martin", "admin")
    assert len(list_accounts(engine)) == 1


def test_association_is_spelt_as_in_the_referential(engine):
    # Without a referential the name is taken as written.
    create_account(engine, "avant", "association", "Envol", PASSWORD)
    with engine.begin() as conn:
        conn.execute(
            insert(Association.__table__),
            [
                {"nom": "Envol Mentorat", "cle": "envol mentorat"},
                {"nom": "Les Ailes", "cle": "les ailes"},
            ],
        )
    identity = create_account(engine, "envol", "association", "ENVOL-mentorat", PASSWORD)
    assert identity.association == "Envol Mentorat"
    assert _row(engine, "envol").association == "Envol Mentorat"
    with pytest.raises(AccountError) as error:
        create_account(engine, "autre", "association", "Envoll", PASSWORD)
    assert error.value.message == (
        "Association inconnue du référentiel : « Envoll ». "
        "Associations connues : « Envol Mentorat », « Les Ailes »."
    )


def test_set_password_disable_enable_and_audit(engine):
    create_account(engine, "chef", "admin", password=PASSWORD)
    create_account(engine, "paul", "direction", password=PASSWORD)
    set_password(engine, "PAUL", "un tout autre mot de passe", actor=ADMIN)
    assert authenticate(engine, "paul", "un tout autre mot de passe").identity is not None
    assert authenticate(engine, "paul", PASSWORD).identity is None
    with pytest.raises(AccountError, match="au moins 12"):
        set_password(engine, "paul", "court", actor=ADMIN)
    with pytest.raises(AccountError, match=re.escape("Aucun compte « inconnu ».")):
        set_password(engine, "inconnu", PASSWORD, actor=ADMIN)

    assert disable(engine, "paul", actor=ADMIN) is True
    assert disable(engine, "paul", actor=ADMIN) is False  # already: nothing written
    assert not _row(engine, "paul").actif
    assert enable(engine, "paul", actor=ADMIN) is True
    assert enable(engine, "paul", actor=ADMIN) is False
    with pytest.raises(AccountError, match="Aucun compte"):
        disable(engine, "personne", actor=ADMIN)
    compte = [detail for action, _, detail in _journal(engine) if action == "compte"]
    assert compte == [
        "nouveau mot de passe pour « paul »",
        "désactivation du compte « paul »",
        "réactivation du compte « paul »",
    ]


def test_the_last_active_admin_cannot_be_disabled(engine):
    create_account(engine, "chef", "admin", password=PASSWORD)
    with pytest.raises(AccountError, match="dernier administrateur actif"):
        disable(engine, "chef")
    create_account(engine, "adjointe", "admin", password=PASSWORD)
    assert disable(engine, "chef")
    with pytest.raises(AccountError, match="dernier administrateur actif"):
        disable(engine, "adjointe")


# --- sign-in ----------------------------------------------------------------------------------


def test_sign_in_success(engine):
    create_account(engine, "envol", "association", "Envol", PASSWORD)
    before = dt.datetime.now(dt.UTC)
    result = authenticate(engine, " Envol ", PASSWORD, "127.0.0.1")
    assert result.ok
    assert result.identity == Identity("envol", Role.ASSOCIATION, "Envol", "local")
    assert "Connecté(e) : envol — Association" in result.message
    row = _row(engine, "envol")
    assert _aware(row.derniere_connexion) >= before - dt.timedelta(seconds=1)
    frame = entries(engine)
    assert frame.action.tolist() == ["connexion"]
    assert frame.iloc[0].utilisateur == "envol" and frame.iloc[0].role == "association"
    assert frame.iloc[0].association == "Envol" and frame.iloc[0].origine == "127.0.0.1"


def test_wrong_password_counts_a_failure(engine):
    create_account(engine, "paul", "direction", password=PASSWORD)
    result = authenticate(engine, "paul", "mauvais mot de passe", "poste 12")
    assert result.identity is None and result.message == WRONG
    assert _row(engine, "paul").echecs == 1
    authenticate(engine, "paul", "encore mauvais")
    assert _row(engine, "paul").echecs == 2
    assert authenticate(engine, "paul", PASSWORD).ok
    assert _row(engine, "paul").echecs == 0  # a success starts the count again
    assert _journal(engine) == [
        ("echec_connexion", "paul", "mot de passe incorrect (1er échec consécutif)"),
        ("echec_connexion", "paul", "mot de passe incorrect (2e échec consécutif)"),
        ("connexion", "paul", "connexion avec un compte local"),
    ]


def test_unknown_identifiant_same_message_and_a_hash_still_verified(engine, monkeypatch):
    create_account(engine, "paul", "direction", password=PASSWORD)
    calls = []
    real = passwords.verify
    monkeypatch.setattr(passwords, "verify", lambda h, p: calls.append(h) or real(h, p))
    result = authenticate(engine, "PersonNe", PASSWORD, "poste 3")
    assert result.identity is None and result.message == WRONG
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")  # the dummy hash
    assert _journal(engine) == [("echec_connexion", "personne", "compte inconnu")]


def test_empty_fields_are_refused_without_audit(engine):
    assert authenticate(engine, "", PASSWORD).message == (
        "Saisissez votre identifiant et votre mot de passe."
    )
    assert authenticate(engine, "paul", "").identity is None
    assert entries(engine).empty


def test_an_identity_provider_account_cannot_sign_in_locally(engine):
    create_account(engine, "dir@cd59.fr", "direction")
    result = authenticate(engine, "dir@cd59.fr", PASSWORD)
    assert result.identity is None and result.message == WRONG
    assert _journal(engine)[-1][2].startswith("compte sans mot de passe local")


def test_disabled_account_is_refused(engine):
    create_account(engine, "chef", "admin", password=PASSWORD)
    create_account(engine, "paul", "direction", password=PASSWORD)
    disable(engine, "paul")
    right = authenticate(engine, "paul", PASSWORD)
    assert right.identity is None and "désactivé" in right.message
    wrong = authenticate(engine, "paul", "mauvais mot de passe")
    assert wrong.message == WRONG  # says nothing more without the right password
    assert [e for e in _journal(engine) if e[0] == "echec_connexion"] == [
        ("echec_connexion", "paul", "compte désactivé"),
        ("echec_connexion", "paul", "compte désactivé"),
    ]
    enable(engine, "paul")
    assert authenticate(engine, "paul", PASSWORD).ok


def test_lock_out_after_five_failures_then_unlock(engine):
    create_account(engine, "paul", "direction", password=PASSWORD)
    for _ in range(4):
        assert authenticate(engine, "paul", "mauvais mot de passe").message == WRONG
    before = dt.datetime.now(dt.UTC)
    fifth = authenticate(engine, "paul", "mauvais mot de passe")
    assert fifth.identity is None
    assert fifth.message.startswith(WRONG + " Le compte est bloqué après 5 échecs")
    assert UNTIL.search(fifth.message)
    row = _row(engine, "paul")
    until = _aware(row.bloque_jusqua)
    assert dt.timedelta(minutes=14) < until - before < dt.timedelta(minutes=16)
    assert row.echecs == 0  # the count starts again once the lock is over

    # Locked: even the right password is refused, and the message says until when.
    locked = authenticate(engine, "paul", PASSWORD)
    assert locked.identity is None
    assert locked.message.startswith("Compte bloqué après 5 échecs de connexion consécutifs")
    assert until_text(until) in locked.message and "(heure de Paris)" in locked.message
    assert list_accounts(engine).bloque.tolist() == [True]

    journal = _journal(engine)
    assert [action for action, _, _ in journal] == [
        *["echec_connexion"] * 5,
        "blocage",
        "echec_connexion",
    ]
    assert journal[5][2].startswith("compte bloqué jusqu") and "après 5 échecs" in journal[5][2]
    assert journal[6][2].startswith("compte bloqué (jusqu")

    assert unlock(engine, "paul", actor=ADMIN) is True
    assert unlock(engine, "paul", actor=ADMIN) is False
    assert authenticate(engine, "paul", PASSWORD).ok
    assert _journal(engine)[-2:] == [
        ("compte", "chargee.projet", "déblocage du compte « paul »"),
        ("connexion", "paul", "connexion avec un compte local"),
    ]


def test_lock_expires(engine):
    create_account(engine, "paul", "direction", password=PASSWORD)
    for _ in range(5):
        authenticate(engine, "paul", "mauvais mot de passe")
    assert not authenticate(engine, "paul", PASSWORD).ok
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with engine.begin() as conn:
        conn.execute(update(Compte.__table__).values(bloque_jusqua=past))
    assert list_accounts(engine).bloque.tolist() == [False]
    assert authenticate(engine, "paul", PASSWORD).ok
    row = _row(engine, "paul")
    assert row.bloque_jusqua is None and row.echecs == 0


def test_lock_settings_from_the_environment(engine, monkeypatch):
    monkeypatch.setenv(settings.FAILURES_BEFORE_LOCK.env, "2")
    monkeypatch.setenv(settings.LOCK_MINUTES.env, "120")
    create_account(engine, "paul", "direction", password=PASSWORD)
    before = dt.datetime.now(dt.UTC)
    assert authenticate(engine, "paul", "mauvais mot de passe").message == WRONG
    second = authenticate(engine, "paul", "mauvais mot de passe")
    assert "bloqué après 2 échecs" in second.message
    until = _aware(_row(engine, "paul").bloque_jusqua)
    assert dt.timedelta(minutes=119) < until - before < dt.timedelta(minutes=121)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (settings.FAILURES_BEFORE_LOCK.env, "cinq"),
        (settings.FAILURES_BEFORE_LOCK.env, "0"),
        (settings.LOCK_MINUTES.env, "-5"),
    ],
)
def test_invalid_lock_settings_say_so_in_french(engine, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(AccountError) as error:
        authenticate(engine, "paul", PASSWORD)
    assert error.value.message.startswith(f"Réglage {name} invalide (« {value} »)")


def test_rehash_on_success_when_the_parameters_changed(engine, monkeypatch):
    create_account(engine, "paul", "direction", password=PASSWORD)
    old = _row(engine, "paul").mot_de_passe
    monkeypatch.setattr(passwords, "HASHER", cheap_hasher(time_cost=2))
    assert not authenticate(engine, "paul", "mauvais mot de passe").ok
    assert _row(engine, "paul").mot_de_passe == old  # only a success rehashes
    assert authenticate(engine, "paul", PASSWORD).ok
    new = _row(engine, "paul").mot_de_passe
    assert new != old and "t=2" in new and not passwords.needs_rehash(new)
    assert authenticate(engine, "paul", PASSWORD).ok


def test_until_text_in_paris_time():
    now = dt.datetime(2026, 11, 26, 20, 30, tzinfo=dt.UTC)  # 21:30 in Paris (winter time)
    assert until_text(dt.datetime(2026, 11, 26, 20, 45, tzinfo=dt.UTC), now) == "jusqu'à 21:45"
    assert until_text(dt.datetime(2026, 11, 26, 23, 10), now) == "jusqu'au 27/11/2026 à 00:10"
    summer = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)
    assert until_text(summer + dt.timedelta(minutes=15), summer) == "jusqu'à 12:15"


def test_record_oidc_sign_in(engine):
    create_account(engine, "dir@cd59.fr", "direction")
    identity = Identity("dir@cd59.fr", Role.DIRECTION, None, "oidc")
    record_oidc_sign_in(engine, identity, "10.0.0.8")
    assert _row(engine, "dir@cd59.fr").derniere_connexion is not None
    frame = entries(engine)
    assert frame.action.tolist() == ["connexion"]
    assert frame.iloc[0].detail == "connexion par le fournisseur d'identité"
    assert frame.iloc[0].role == "direction" and frame.iloc[0].origine == "10.0.0.8"


# --- sign-in under load ------------------------------------------------------------------------


def _parallel_sign_ins(engine, monkeypatch, passwords_tried: list[str]) -> tuple[list, int]:
    """Every attempt from its own thread, released together; (results, passwords checked)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    checked = []
    real_verify = passwords.verify

    def counting_verify(stored, given):
        checked.append(1)
        return real_verify(stored, given)

    monkeypatch.setattr(passwords, "verify", counting_verify)
    start = threading.Barrier(len(passwords_tried))

    def attempt(password: str):
        start.wait()
        return authenticate(engine, "paul", password)

    with ThreadPoolExecutor(len(passwords_tried)) as pool:
        results = list(pool.map(attempt, passwords_tried))
    return results, len(checked)


def test_parallel_wrong_passwords_check_at_most_the_limit_then_lock(engine, monkeypatch):
    create_account(engine, "paul", "direction", password=PASSWORD)
    results, checked = _parallel_sign_ins(engine, monkeypatch, ["mauvais"] * 20)
    assert checked == 5  # the limit, never more, however many come at once
    assert not any(r.ok for r in results)
    assert _aware(_row(engine, "paul").bloque_jusqua) > dt.datetime.now(dt.UTC)
    assert sum("bloqué" in r.message for r in results) >= 15


def test_the_right_password_racing_wrong_ones_is_never_accepted_once_locked(engine, monkeypatch):
    create_account(engine, "paul", "direction", password=PASSWORD)
    for _ in range(3):
        results, checked = _parallel_sign_ins(engine, monkeypatch, [*["faux"] * 11, PASSWORD])
        accepted = [r for r in results if r.ok]
        assert len(accepted) <= 1
        # A success ends the run of consecutive failures: a new run of 5 may follow it.
        assert checked <= (10 if accepted else 5)
        refused_right = not accepted
        locked = _aware(_row(engine, "paul").bloque_jusqua)
        if refused_right:  # the right password came after the lock: refused, lock kept
            assert locked is not None and locked > dt.datetime.now(dt.UTC)
        with engine.begin() as conn:  # the administrator unlocks between rounds
            conn.execute(
                update(Compte.__table__)
                .where(Compte.identifiant == "paul")
                .values(echecs=0, bloque_jusqua=None)
            )
