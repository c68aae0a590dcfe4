"""The settings registry (settings/): each variable's name kept, one parser for every whole
number (default, spaces, wrong values, bounds, messages written out by hand), and no other
module of the application writing a variable's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import settings
from auth import accounts
from settings import Kind, Setting, SettingError

ROOT = Path(__file__).resolve().parent.parent
APPLICATION = [
    "auth", "bench", "commands", "dashboard", "demo", "domain", "indicators", "pages",
    "pipelines", "reports", "scripts", "settings", "store",
]  # fmt: skip

# What a deployment writes: renaming one breaks it, so a rename must change this list too.
NAMES = {
    "DB_URL": "PILOTAGE_DB_URL",
    "SNAPSHOT_DIR": "PILOTAGE_SNAPSHOT_DIR",
    "SECRET_KEY": "PILOTAGE_SECRET_KEY",
    "SECRET_KEY_FILE": "PILOTAGE_SECRET_KEY_FILE",
    "DEPARTEMENT": "PILOTAGE_DEPARTEMENT",
    "SMALL_COUNTS_THRESHOLD": "PILOTAGE_SEUIL_PETITS_EFFECTIFS",
    "STUCK_DAYS": "PILOTAGE_JOURS_PARCOURS_BLOQUE",
    "SILENT_DAYS": "PILOTAGE_JOURS_SANS_RENCONTRE",
    "MEETINGS_PER_MONTH_MIN": "PILOTAGE_RENCONTRES_MOIS_MIN",
    "MEETINGS_PER_MONTH_MAX": "PILOTAGE_RENCONTRES_MOIS_MAX",
    "OIDC_CLAIM_ROLE": "PILOTAGE_OIDC_CLAIM_ROLE",
    "OIDC_CLAIM_ASSOCIATION": "PILOTAGE_OIDC_CLAIM_ASSOCIATION",
    "NEW_PASSWORD": "PILOTAGE_NOUVEAU_MOT_DE_PASSE",
    "FAILURES_BEFORE_LOCK": "PILOTAGE_ECHECS_AVANT_BLOCAGE",
    "LOCK_MINUTES": "PILOTAGE_DUREE_BLOCAGE_MINUTES",
    "SESSION_HOURS": "PILOTAGE_DUREE_SESSION_HEURES",
    "BEHIND_PROXY": "PILOTAGE_DERRIERE_PROXY",
    "DEBUG": "PILOTAGE_DEBUG",
    "TEST_PG_URL": "PILOTAGE_TEST_PG_URL",
    "KILL_AT": "PILOTAGE_KILL_AT",
    "CAPTURES": "PILOTAGE_CAPTURES",
}


def test_every_record_keeps_its_name_and_is_listed_once():
    records = {n: s for n, s in vars(settings).items() if isinstance(s, Setting)}
    assert {n: s.env for n, s in records.items()} == NAMES
    assert list(settings.SETTINGS) == list(records.values())  # listed, in declaration order
    assert all(s.env.startswith(settings.PREFIX) for s in settings.SETTINGS)
    assert settings.by_env("PILOTAGE_DB_URL") is settings.DB_URL
    with pytest.raises(KeyError):
        settings.by_env("PILOTAGE_INCONNU")
    test_only = {s.env for s in settings.SETTINGS if s.test_only}
    assert test_only == {"PILOTAGE_TEST_PG_URL", "PILOTAGE_KILL_AT", "PILOTAGE_CAPTURES"}


def test_defaults_and_bounds_are_those_of_before():
    whole = {s.env: (s.default, s.minimum, s.maximum) for s in settings.SETTINGS if s.default}
    assert whole == {
        "PILOTAGE_SEUIL_PETITS_EFFECTIFS": (11, 0, None),
        "PILOTAGE_JOURS_PARCOURS_BLOQUE": (90, 1, None),
        "PILOTAGE_JOURS_SANS_RENCONTRE": (30, 1, None),
        "PILOTAGE_RENCONTRES_MOIS_MIN": (2, 0, None),
        "PILOTAGE_RENCONTRES_MOIS_MAX": (4, 1, None),
        "PILOTAGE_ECHECS_AVANT_BLOCAGE": (5, 1, 100),
        "PILOTAGE_DUREE_BLOCAGE_MINUTES": (15, 1, 10_080),
        "PILOTAGE_DUREE_SESSION_HEURES": (8, 1, 24),
    }
    assert {s.secrets_key for s in settings.SETTINGS if s.secrets_key} == {
        "cle_pseudonymisation",
        "role_claim",
        "association_claim",
    }


# --- the one parser of whole numbers ------------------------------------------------------

HOURS = settings.SESSION_HOURS
FAILURES = settings.FAILURES_BEFORE_LOCK
SMALL = settings.SMALL_COUNTS_THRESHOLD


@pytest.mark.parametrize(
    ("setting", "raw", "expected"),
    [
        (HOURS, None, 8),  # unset
        (HOURS, "", 8),
        (HOURS, "   ", 8),  # blank is unset
        (HOURS, " 12 ", 12),  # spaces around are ignored
        (HOURS, "1", 1),  # both bounds are allowed
        (HOURS, "24", 24),
        (HOURS, "+3", 3),  # what int() reads
        (SMALL, "0", 0),
        (SMALL, "1000000", 1_000_000),  # no upper bound
        (settings.LOCK_MINUTES, "10080", 10_080),
    ],
)
def test_a_whole_number_is_read(setting, raw, expected):
    env = {} if raw is None else {setting.env: raw}
    assert setting.value(env) == expected


@pytest.mark.parametrize(
    ("setting", "raw", "message"),
    [
        (
            HOURS,
            "0",
            "Réglage PILOTAGE_DUREE_SESSION_HEURES invalide (« 0 ») : attendu un nombre entier "
            "d'heures de 1 à 24.",
        ),
        (
            HOURS,
            " 25 ",
            "Réglage PILOTAGE_DUREE_SESSION_HEURES invalide (« 25 ») : attendu un nombre entier "
            "d'heures de 1 à 24.",
        ),
        (
            FAILURES,
            "cinq",
            "Réglage PILOTAGE_ECHECS_AVANT_BLOCAGE invalide (« cinq ») : attendu un nombre "
            "entier de 1 à 100.",
        ),
        (
            FAILURES,
            "1.5",
            "Réglage PILOTAGE_ECHECS_AVANT_BLOCAGE invalide (« 1.5 ») : attendu un nombre "
            "entier de 1 à 100.",
        ),
        (
            settings.LOCK_MINUTES,
            "10081",
            "Réglage PILOTAGE_DUREE_BLOCAGE_MINUTES invalide (« 10081 ») : attendu un nombre "
            "entier de 1 à 10080.",
        ),
        (
            SMALL,
            "-1",
            "Réglage PILOTAGE_SEUIL_PETITS_EFFECTIFS invalide (« -1 ») : indiquez un nombre "
            "entier positif ou nul, par exemple 11 pour masquer les effectifs de 1 à 10.",
        ),
        (  # a long value is quoted on its first 20 characters
            SMALL,
            "onze, comme avant le changement",
            "Réglage PILOTAGE_SEUIL_PETITS_EFFECTIFS invalide (« onze, comme avant le ») : "
            "indiquez un nombre entier positif ou nul, par exemple 11 pour masquer les "
            "effectifs de 1 à 10.",
        ),
    ],
)
def test_a_wrong_whole_number_stops_with_a_french_message(setting, raw, message):
    with pytest.raises(SettingError) as error:
        setting.value({setting.env: raw})
    assert error.value.message == str(error.value) == message
    assert isinstance(error.value, ValueError)  # what the indicators' callers catch


def test_a_wrong_account_setting_is_an_account_error(monkeypatch):
    monkeypatch.setenv(HOURS.env, "48")
    with pytest.raises(accounts.AccountError) as error:
        accounts.session_hours()
    assert error.value.message == (
        "Réglage PILOTAGE_DUREE_SESSION_HEURES invalide (« 48 ») : attendu un nombre entier "
        "d'heures de 1 à 24."
    )
    monkeypatch.setenv(HOURS.env, "6")
    assert accounts.session_hours() == 6


def test_without_advice_nor_maximum_the_message_says_the_minimum():
    at_least = Setting("PILOTAGE_ESSAI", Kind.INTEGER, "essai", default=3, minimum=2)
    with pytest.raises(SettingError, match=r"\(« 1 »\) : attendu un nombre entier d'au moins 2"):
        at_least.value({"PILOTAGE_ESSAI": "1"})


# --- the other kinds ----------------------------------------------------------------------


def test_a_flag_is_on_for_exactly_one():
    debug = settings.DEBUG
    assert debug.value({}) is False
    assert debug.value({debug.env: "1"}) is True
    for off in ("", "0", "true", " 1", "oui"):
        assert debug.value({debug.env: off}) is False


def test_a_text_is_given_as_written_and_empty_is_unset():
    password = settings.NEW_PASSWORD
    assert password.value({}) is None
    assert password.value({password.env: ""}) is None
    assert password.value({password.env: "  un mot de passe  "}) == "  un mot de passe  "
    assert settings.DB_URL.value({"PILOTAGE_DB_URL": "sqlite:///x.db"}) == "sqlite:///x.db"


def test_the_process_environment_is_the_default(monkeypatch):
    monkeypatch.setenv(settings.STUCK_DAYS.env, "45")
    monkeypatch.setenv(settings.SNAPSHOT_DIR.env, "/tmp/instantanes")
    assert settings.STUCK_DAYS.value() == 45
    assert settings.SNAPSHOT_DIR.value() == "/tmp/instantanes"
    assert settings.STUCK_DAYS.value({}) == 90  # an explicit mapping is read alone


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": Kind.INTEGER},  # no default
        {"kind": Kind.INTEGER, "default": 5},  # no minimum
        {"kind": Kind.INTEGER, "default": 0, "minimum": 1},  # default out of bounds
        {"kind": Kind.TEXT, "minimum": 1},  # bounds on a text
        {"kind": Kind.TEXT, "default": "x"},  # a text has no default
        {"kind": Kind.FLAG},  # a flag is off by default, said so
    ],
)
def test_a_record_that_cannot_be_read_is_refused_at_once(fields):
    with pytest.raises(TypeError):
        Setting("PILOTAGE_ESSAI", help="essai", **fields)


# --- one place for the names --------------------------------------------------------------


def test_no_other_module_writes_a_setting_name():
    """The application asks the registry; only the fault injection of the reliability tests
    may write its own variable's name."""
    allowed = {Path("settings/__init__.py"), Path("pipelines/faults.py")}
    files = [ROOT / "app.py", *(p for d in APPLICATION for p in (ROOT / d).rglob("*.py"))]
    writing = {
        path.relative_to(ROOT)
        for path in files
        if re.search(r"PILOTAGE_", path.read_text(encoding="utf-8"))
    }
    assert Path("settings/__init__.py") in writing, "the scan is broken"
    assert writing <= allowed, sorted(map(str, writing - allowed))
