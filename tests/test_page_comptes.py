"""The page « Comptes » under AppTest: the administrator lists, creates and manages the
accounts; every change is in the audit log with the administrator as actor; each refusal
is one French message; the other roles cannot open it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import insert
from streamlit.testing.v1 import AppTest

import settings
from auth import accounts, passwords, sessions
from auth.roles import Identity, Role
from dashboard.accounts import accounts_table
from store.audit import entries
from store.db import init_db, make_engine
from store.models import Association
from tests.helpers import as_viewer
from tests.test_access import AUTH, shows_nothing
from tests.test_accounts import cheap_hasher

PAGE = Path(__file__).resolve().parent.parent / "pages" / "comptes.py"
VIEWER = "admin@test.fr"  # tests.helpers.as_viewer's administrator
PASSWORD = "un mot de passe assez long"


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", cheap_hasher())


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A database with a direction account and an association account, the referential
    of the associations loaded."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    engine = make_engine(url)
    init_db(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(Association.__table__),
            [{"nom": "Envol", "cle": "envol"}, {"nom": "Les Ailes", "cle": "les ailes"}],
        )
    accounts.create_account(engine, "dir@cd59.fr", "direction", password=PASSWORD)
    accounts.create_account(engine, "envol@asso.fr", "association", "Envol", PASSWORD)
    yield engine
    engine.dispose()


def admin_page(role: str = "admin", association: str | None = None) -> AppTest:
    at = as_viewer(AppTest.from_file(str(PAGE), default_timeout=60), role, association).run()
    assert not at.exception, at.exception
    return at


def widget(elements, label: str):
    """The one widget of a kind with this label (forms give their widgets numbered keys)."""
    found = [e for e in elements if e.label == label]
    assert len(found) == 1, [e.label for e in elements]
    return found[0]


def listed(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value.set_index("Identifiant")


def account_log(engine) -> list[tuple[str, str, str]]:
    """(utilisateur, role, detail) of the account entries, newest first."""
    log = entries(engine, actions=["compte"])
    return list(zip(log.utilisateur, log.role, log.detail, strict=True))


def choose(at: AppTest, identifiant: str) -> AppTest:
    at.selectbox(key="comptes_compte").set_value(identifiant).run()
    assert not at.exception, at.exception
    return at


def test_the_admin_sees_every_account_in_french(db):
    accounts.authenticate(db, "dir@cd59.fr", PASSWORD)
    for _ in range(accounts.max_failures()):
        accounts.authenticate(db, "envol@asso.fr", "pas le bon mot de passe")
    sessions.open_session(db, Identity("dir@cd59.fr", Role.DIRECTION, None, "local"))
    at = admin_page()
    assert at.title[0].value == "Comptes"
    table = at.dataframe[0].value
    assert table["Identifiant"].tolist() == [VIEWER, "dir@cd59.fr", "envol@asso.fr"]
    shown = table.set_index("Identifiant")
    assert shown["Rôle"].tolist() == [
        "Administrateur (chargé(e) de projet)",
        "Direction (lecture seule)",
        "Association",
    ]
    assert shown["Association"].tolist() == ["—", "—", "Envol"]
    assert shown["Connexion"].tolist() == [
        "fournisseur d'identité",
        "mot de passe local",
        "mot de passe local",
    ]
    assert shown["État"].tolist() == ["actif", "actif", "bloqué"]
    assert shown["Sessions ouvertes"].tolist() == [0, 1, 0]
    assert shown.loc[VIEWER, "Dernière connexion"] == "jamais"
    assert re.fullmatch(
        r"\d\d/\d\d/\d{4} à \d\d:\d\d", shown.loc["dir@cd59.fr", "Dernière connexion"]
    )
    assert shown.loc["dir@cd59.fr", "Bloqué jusqu'au"] == "—"
    assert re.fullmatch(
        r"\d\d/\d\d/\d{4} à \d\d:\d\d", shown.loc["envol@asso.fr", "Bloqué jusqu'au"]
    )
    cells = " ".join(table.astype(str).to_numpy().ravel())
    assert not re.search(r"\b(None|nan|NaN|NaT|True|False)\b", cells)
    assert "3 comptes · 1 bloqué." in [c.value.split(" Les mots")[0] for c in at.caption]


def test_the_table_never_shows_a_missing_value():
    frame = pd.DataFrame(
        {
            "identifiant": ["a", "b"],
            "role": ["direction", "ancien"],
            "association": [None, float("nan")],
            "mot_de_passe_local": [False, True],
            "actif": [False, True],
            "bloque": [False, False],
            "echecs": [0, 0],
            "bloque_jusqua": pd.to_datetime([None, None], utc=True),
            "cree_le": pd.to_datetime(["2026-03-01T23:30:00Z", None], utc=True),
            "modifie_le": pd.to_datetime([None, None], utc=True),
            "derniere_connexion": pd.to_datetime([None, "2026-03-02T08:05:00Z"], utc=True),
        }
    )
    table = accounts_table(frame, {"b": 2})
    assert table.to_dict("records") == [
        {
            "Identifiant": "a",
            "Rôle": "Direction (lecture seule)",
            "Association": "—",
            "Connexion": "fournisseur d'identité",
            "État": "désactivé",
            "Bloqué jusqu'au": "—",
            "Dernière connexion": "jamais",
            "Sessions ouvertes": 0,
        },
        {
            "Identifiant": "b",
            "Rôle": "rôle inconnu « ancien »",
            "Association": "—",
            "Connexion": "mot de passe local",
            "État": "actif",
            "Bloqué jusqu'au": "—",
            "Dernière connexion": "02/03/2026 à 09:05",  # 08:05 UTC, in Paris time
            "Sessions ouvertes": 2,
        },
    ]


def fill_creation(at: AppTest, identifiant: str, role: Role, **fields) -> AppTest:
    widget(at.text_input, "Identifiant").input(identifiant)
    at.selectbox(key="comptes_role_0").set_value(role)
    if "association" in fields:
        at.selectbox(key="comptes_association_0").set_value(fields["association"])
    if "mode" in fields:
        at.radio(key="comptes_mode_0").set_value(fields["mode"])
    if "password" in fields:
        at.text_input(key="comptes_mot_de_passe_0_1").input(fields["password"])
        at.text_input(key="comptes_mot_de_passe_0_2").input(fields.get("again", fields["password"]))
    widget(at.button, "Créer le compte").click().run()
    assert not at.exception, at.exception
    return at


def test_creating_an_account_through_the_form(db):
    at = fill_creation(
        admin_page(), " Paul.Martin ", Role.DIRECTION, mode="saisir", password="cheval agrafe bleu"
    )
    assert at.success[0].value.replace("\u2060", "") == (
        "Compte « paul.martin » créé : Direction (lecture seule) ; mot de passe local."
    )
    assert not at.code  # a typed password is never shown
    assert listed(at).loc["paul.martin", "Rôle"] == "Direction (lecture seule)"
    assert at.selectbox(key="comptes_compte").value == "paul.martin"  # ready to manage
    assert widget(at.text_input, "Identifiant").value == ""  # the form starts afresh
    assert account_log(db) == [
        (VIEWER, "admin", "création du compte « paul.martin » (rôle direction, mot de passe local)")
    ]
    assert accounts.authenticate(db, "paul.martin", "cheval agrafe bleu").ok
    at.run()
    assert not at.success  # said once


def test_an_association_account_with_a_generated_password(db):
    at = fill_creation(
        admin_page(), "ailes@asso.fr", Role.ASSOCIATION, association="Les Ailes", mode="generer"
    )
    assert "Association, association « Les Ailes » ; mot de passe local" in at.success[0].value
    (shown,) = at.code
    password = shown.value
    assert accounts.password_problem("ailes@asso.fr", password) is None
    assert "affiché cette fois seulement" in at.warning[0].value
    signed = accounts.authenticate(db, "ailes@asso.fr", password)
    assert signed.identity == Identity("ailes@asso.fr", Role.ASSOCIATION, "Les Ailes", "local")
    assert listed(at).loc["ailes@asso.fr", "Association"] == "Les Ailes"
    at.run()
    assert not at.code  # shown once, never again
    assert password not in " ".join(d for _, _, d in account_log(db))


@pytest.mark.parametrize(
    ("identifiant", "role", "fields", "expected"),
    [
        (
            "paul",
            Role.DIRECTION,
            {"mode": "saisir", "password": "court"},
            "Le mot de passe doit compter au moins 12 caractères.",
        ),
        (
            "paul",
            Role.DIRECTION,
            {"mode": "saisir", "password": "cheval agrafe bleu", "again": "cheval agrafe vert"},
            "Les deux mots de passe diffèrent : saisissez-les à nouveau.",
        ),
        (
            "paul",
            Role.ASSOCIATION,
            {"mode": "generer"},
            "Un compte d'association doit indiquer son association.",
        ),
        (
            "dir@cd59.fr",
            Role.DIRECTION,
            {"mode": "generer"},
            "Le compte « dir@cd59.fr » existe déjà.",
        ),
        (
            "paul martin",
            Role.DIRECTION,
            {"mode": "generer"},
            "Identifiant invalide « paul martin »",
        ),
    ],
)
def test_a_refused_creation_says_why_in_french(db, identifiant, role, fields, expected):
    at = fill_creation(admin_page(), identifiant, role, **fields)
    (error,) = at.error
    assert error.value.replace("\\", "").replace("\u2060", "").startswith(expected)
    assert not at.success and not at.code
    assert len(at.dataframe[0].value) == 3 and account_log(db) == []


def test_changing_a_role_ends_the_sessions(db):
    token, _ = sessions.open_session(db, Identity("dir@cd59.fr", Role.DIRECTION, None, "local"))
    at = choose(admin_page(), "dir@cd59.fr")
    at.selectbox(key="comptes_role_de_dir@cd59.fr_0").set_value(Role.ASSOCIATION)
    at.selectbox(key="comptes_association_de_dir@cd59.fr_0").set_value("Les Ailes")
    widget(at.button, "Enregistrer le rôle et l'association").click().run()
    assert not at.exception, at.exception
    assert "Ses sessions ouvertes sont terminées" in at.success[0].value
    assert listed(at).loc["dir@cd59.fr", ["Rôle", "Association"]].tolist() == [
        "Association",
        "Les Ailes",
    ]
    assert sessions.resume(db, token) is None
    assert account_log(db) == [
        (
            VIEWER,
            "admin",
            "rôle du compte « dir@cd59.fr » : direction → association (« Les Ailes ») "
            "(1 session terminée)",
        )
    ]


def test_saving_the_same_role_changes_nothing_and_says_so(db):
    token, _ = sessions.open_session(db, Identity("dir@cd59.fr", Role.DIRECTION, None, "local"))
    at = choose(admin_page(), "dir@cd59.fr")
    widget(at.button, "Enregistrer le rôle et l'association").click().run()
    assert not at.exception, at.exception
    assert [i.value.replace("\u2060", "").replace("\\", "") for i in at.info] == [
        "« dir@cd59.fr » a déjà ce rôle et cette association : rien n'a changé."
    ]
    assert not at.success and not at.error
    assert sessions.resume(db, token) is not None  # its sessions go on
    assert account_log(db) == []


def test_an_admin_cannot_remove_their_own_role(db):
    at = choose(admin_page(), VIEWER)
    assert "C'est votre compte" in at.info[0].value
    at.selectbox(key=f"comptes_role_de_{VIEWER}_0").set_value(Role.DIRECTION)
    widget(at.button, "Enregistrer le rôle et l'association").click().run()
    assert at.error[0].value.startswith("Vous ne pouvez pas retirer votre propre rôle")
    assert listed(at).loc[VIEWER, "Rôle"].startswith("Administrateur")
    assert account_log(db) == []


def test_disabling_and_enabling_an_account(db):
    at = choose(admin_page(), "dir@cd59.fr")
    at.button(key="comptes_desactiver").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.replace("\u2060", "") == "Compte « dir@cd59.fr » désactivé."
    assert listed(at).loc["dir@cd59.fr", "État"] == "désactivé"
    assert not accounts.authenticate(db, "dir@cd59.fr", PASSWORD).ok
    at.button(key="comptes_reactiver").click().run()
    assert listed(at).loc["dir@cd59.fr", "État"] == "actif"
    assert [d for _, _, d in account_log(db)] == [
        "réactivation du compte « dir@cd59.fr »",
        "désactivation du compte « dir@cd59.fr »",
    ]
    # One's own account: refused, and said.
    at = choose(at, VIEWER)
    at.button(key="comptes_desactiver").click().run()
    assert at.error[0].value.startswith("Vous ne pouvez pas désactiver votre propre compte")
    assert listed(at).loc[VIEWER, "État"] == "actif"


def test_the_last_admin_cannot_be_disabled_nor_demoted(db):
    """An administrator by the identity provider's claim (no account here) manages the
    only administrator account of the table."""
    accounts.create_account(db, "chef@cd59.fr", "admin", password=PASSWORD)
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.secrets["pilotage"] = {"role_claim": "roles"}
    at.user = {"is_logged_in": True, "email": "dsi@cd59.fr", "roles": ["admin"]}
    at = choose(at.run(), "chef@cd59.fr")
    at.button(key="comptes_desactiver").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value.replace("\u2060", "") == (
        "« chef@cd59.fr » est le dernier administrateur actif : créez ou réactivez un autre "
        "administrateur avant de le désactiver."
    )
    at.selectbox(key="comptes_role_de_chef@cd59.fr_0").set_value(Role.DIRECTION)
    widget(at.button, "Enregistrer le rôle et l'association").click().run()
    assert "est le dernier administrateur actif" in at.error[0].value
    assert listed(at).loc["chef@cd59.fr", ["Rôle", "État"]].tolist() == [
        "Administrateur (chargé(e) de projet)",
        "actif",
    ]
    assert account_log(db) == []


def test_new_password_unlock_and_end_of_sessions(db):
    for _ in range(accounts.max_failures()):
        accounts.authenticate(db, "envol@asso.fr", "pas le bon mot de passe")
    sessions.open_session(db, Identity("dir@cd59.fr", Role.DIRECTION, None, "local"))
    at = choose(admin_page(), "envol@asso.fr")
    at.button(key="comptes_debloquer").click().run()
    assert at.success[0].value.replace("\u2060", "") == "Compte « envol@asso.fr » débloqué."
    assert listed(at).loc["envol@asso.fr", "État"] == "actif"
    assert at.button(key="comptes_debloquer").disabled  # nothing left to clear

    at.radio(key="comptes_mode_de_envol@asso.fr_1").set_value("generer")
    widget(at.button, "Changer le mot de passe").click().run()
    (shown,) = at.code
    assert accounts.authenticate(db, "envol@asso.fr", shown.value).ok

    at = choose(at, "dir@cd59.fr")
    at.button(key="comptes_fin_sessions").click().run()
    assert at.success[0].value.replace("\u2060", "") == "« dir@cd59.fr » : 1 session terminée."
    assert listed(at).loc["dir@cd59.fr", "Sessions ouvertes"] == 0
    assert at.button(key="comptes_fin_sessions").disabled
    assert [d for _, _, d in account_log(db)] == [
        "fin des sessions du compte « dir@cd59.fr » (1 session terminée)",
        "nouveau mot de passe (généré) pour « envol@asso.fr »",
        "déblocage du compte « envol@asso.fr »",
    ]
    assert set(u for u, _, _ in account_log(db)) == {VIEWER}


@pytest.mark.parametrize(("role", "association"), [("direction", None), ("association", "Envol")])
def test_direction_and_associations_cannot_open_the_page(db, role, association):
    at = admin_page(role, association)
    assert at.title[0].value == "Comptes"
    assert "ne donne pas accès à cette page" in at.error[0].value
    assert shows_nothing(at) and not at.text_input and not at.button
    refused = entries(db, actions=["acces_refuse"])
    assert refused[["role", "detail"]].values.tolist() == [[role, "page « Comptes »"]]
