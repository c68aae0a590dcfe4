"""`pilotage users …` and the audit entries of the command line (accounts,
imports, undos), run in-process through `commands.cli.main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

import settings
from auth import passwords
from auth.accounts import authenticate
from commands import cli
from commands import users as users_cli
from store.audit import CLI_ORIGIN, entries
from store.db import make_engine
from store.models import ImportLot
from tests.helpers import csv_bytes, xlsx_bytes
from tests.test_ingest import HEADER, ROW_A1, ROW_A2

PASSWORD = "cheval agrafe correct"


@pytest.fixture
def env(tmp_path: Path, monkeypatch, key):
    """A fresh SQLite database, a known OS user, cheap hashes, no password in the
    environment unless a test sets it."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    monkeypatch.delenv(settings.NEW_PASSWORD.env, raising=False)
    monkeypatch.delenv(settings.FAILURES_BEFORE_LOCK.env, raising=False)
    monkeypatch.delenv(settings.LOCK_MINUTES.env, raising=False)
    monkeypatch.setattr(users_cli.getpass, "getuser", lambda: "operateur")
    monkeypatch.setattr(
        passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _typed(monkeypatch, *answers: str) -> list[str]:
    """Answer the getpass prompts in turn; returns the prompts shown."""
    prompts: list[str] = []
    queue = list(answers)

    def fake(prompt: str = "") -> str:
        prompts.append(prompt)
        if not queue:
            raise EOFError
        return queue.pop(0)

    monkeypatch.setattr(users_cli.getpass, "getpass", fake)
    monkeypatch.setattr(users_cli, "_has_terminal", lambda: True)
    return prompts


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_with_the_password_from_the_environment_then_list(env, capsys, monkeypatch):
    monkeypatch.setenv(settings.NEW_PASSWORD.env, PASSWORD)
    code, out, err = run(capsys, "users", "add", "Marie.Dupont", "--role", "admin")
    assert (code, err) == (0, "")
    assert out.strip() == (
        "✓ Compte « marie.dupont » créé (Administrateur (chargé(e) de projet) ; "
        "mot de passe local)."
    )
    assert authenticate(env, "marie.dupont", PASSWORD).ok

    code, out, _ = run(capsys, "users", "list", "--json")
    assert code == 0 and "argon2" not in out and PASSWORD not in out
    (account,) = json.loads(out)["comptes"]
    assert account["identifiant"] == "marie.dupont" and account["role"] == "admin"
    assert account["mot_de_passe_local"] is True and account["actif"] is True
    assert account["bloque"] is False and account["bloque_jusqua"] is None
    assert account["derniere_connexion"].startswith("20")  # the sign-in above, ISO

    audit = entries(env, actions=["compte"])
    assert audit.utilisateur.tolist() == ["operateur"]
    assert audit.origine.tolist() == [CLI_ORIGIN]
    assert audit.detail.tolist() == [
        "création du compte « marie.dupont » (rôle admin, mot de passe local)"
    ]


def test_add_asks_the_password_twice(env, capsys, monkeypatch):
    prompts = _typed(monkeypatch, PASSWORD, PASSWORD)
    code, out, _ = run(capsys, "users", "add", "paul", "--role", "direction")
    assert code == 0 and "Compte « paul » créé" in out
    assert prompts == ["Mot de passe pour « paul » : ", "Confirmez le mot de passe : "]
    assert authenticate(env, "paul", PASSWORD).ok


@pytest.mark.parametrize(
    ("answers", "message", "prompts"),
    [
        ((PASSWORD, PASSWORD + "x"), "Les deux saisies ne correspondent pas", 2),
        (("court",), "au moins 12 caractères", 1),  # refused before the confirmation
        ((), "Saisie du mot de passe interrompue", 1),  # no terminal, no input
    ],
)
def test_add_refuses_a_bad_typed_password(env, capsys, monkeypatch, answers, message, prompts):
    shown = _typed(monkeypatch, *answers)
    code, out, err = run(capsys, "users", "add", "paul", "--role", "direction")
    assert code == 1 and out == ""
    assert message in err and "rien n'a été modifié" in err.lower() and "Traceback" not in err
    assert len(shown) == prompts
    code, out, _ = run(capsys, "users", "list")
    assert out.strip() == "Aucun compte."
    if not answers:
        assert settings.NEW_PASSWORD.env in err


def test_no_terminal_and_no_password_in_the_environment(env, capsys, monkeypatch):
    prompts = _typed(monkeypatch, PASSWORD, PASSWORD)
    monkeypatch.setattr(users_cli, "_has_terminal", lambda: False)
    code, out, err = run(capsys, "users", "add", "paul", "--role", "direction")
    assert (code, out, prompts) == (1, "", [])
    assert err.strip() == (
        "Aucun terminal pour saisir le mot de passe : donnez-le dans la variable "
        f"{settings.NEW_PASSWORD.env} le temps de la commande. Rien n'a été modifié."
    )


def test_oidc_account_asks_no_password(env, capsys, monkeypatch):
    prompts = _typed(monkeypatch)
    code, out, _ = run(
        capsys, "users", "add", "Contact@Envol.fr", "--role", "association", "--association",
        "Envol", "--oidc",
    )  # fmt: skip
    assert code == 0 and prompts == []
    assert "connexion par le fournisseur d'identité" in out and "Association, Envol" in out
    code, out, _ = run(capsys, "users", "list")
    assert out.strip() == (
        "contact@envol.fr — Association — Envol — fournisseur d'identité — actif — "
        "dernière connexion : jamais"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--role", "association"], "Un compte d'association doit indiquer son association."),
        (["--role", "admin", "--association", "Envol"], "n'indiquez pas d'association"),
        (["--role", "admin", "--oidc"], "n'est pas une adresse e-mail"),
    ],
)
def test_add_refusals_come_before_any_prompt(env, capsys, monkeypatch, argv, message):
    prompts = _typed(monkeypatch, PASSWORD, PASSWORD)
    code, _, err = run(capsys, "users", "add", "paul", *argv)
    assert code == 1 and message in err and prompts == []


def test_duplicate_is_refused(env, capsys, monkeypatch):
    monkeypatch.setenv(settings.NEW_PASSWORD.env, PASSWORD)
    assert run(capsys, "users", "add", "paul", "--role", "direction")[0] == 0
    code, out, err = run(capsys, "users", "add", "PAUL", "--role", "admin")
    assert (code, out) == (1, "")
    assert err.strip() == "Le compte « paul » existe déjà."


def test_weak_password_from_the_environment_is_refused(env, capsys, monkeypatch):
    monkeypatch.setenv(settings.NEW_PASSWORD.env, "court")
    code, _, err = run(capsys, "users", "add", "paul", "--role", "direction")
    assert code == 1 and "au moins 12 caractères" in err


def test_disable_enable_unlock_password(env, capsys, monkeypatch):
    monkeypatch.setenv(settings.NEW_PASSWORD.env, PASSWORD)
    run(capsys, "users", "add", "chef", "--role", "admin")
    run(capsys, "users", "add", "paul", "--role", "direction")

    assert run(capsys, "users", "disable", "Paul")[:2] == (0, "✓ Compte « paul » désactivé.\n")
    assert "désactivé" in authenticate(env, "paul", PASSWORD).message
    code, out, _ = run(capsys, "users", "disable", "paul")
    assert code == 0 and "était déjà désactivé : rien n'a changé" in out
    assert "— désactivé —" in run(capsys, "users", "list")[1]
    assert run(capsys, "users", "enable", "paul")[:2] == (0, "✓ Compte « paul » réactivé.\n")
    assert authenticate(env, "paul", PASSWORD).ok

    for _ in range(5):
        authenticate(env, "paul", "mauvais mot de passe")
    assert "bloqué jusqu'au" in run(capsys, "users", "list")[1]
    assert run(capsys, "users", "unlock", "paul")[:2] == (0, "✓ Compte « paul » débloqué.\n")
    assert "n'était pas bloqué" in run(capsys, "users", "unlock", "paul")[1]
    assert authenticate(env, "paul", PASSWORD).ok

    monkeypatch.setenv(settings.NEW_PASSWORD.env, "un tout nouveau mot de passe")
    code, out, _ = run(capsys, "users", "password", "paul")
    assert code == 0 and "Mot de passe de « paul » changé" in out
    assert authenticate(env, "paul", "un tout nouveau mot de passe").ok

    code, _, err = run(capsys, "users", "disable", "chef")
    assert code == 1 and "dernier administrateur actif" in err
    code, _, err = run(capsys, "users", "enable", "personne")
    assert (code, err.strip()) == (1, "Aucun compte « personne ».")
    prompts = _typed(monkeypatch, PASSWORD, PASSWORD)
    monkeypatch.delenv(settings.NEW_PASSWORD.env)
    code, _, err = run(capsys, "users", "password", "personne")
    assert (code, err.strip(), prompts) == (1, "Aucun compte « personne ».", [])

    audit = entries(env, actions=["compte"])
    assert set(audit.utilisateur) == {"operateur"} and set(audit.origine) == {CLI_ORIGIN}
    assert audit.detail.tolist()[::-1] == [
        "création du compte « chef » (rôle admin, mot de passe local)",
        "création du compte « paul » (rôle direction, mot de passe local)",
        "désactivation du compte « paul »",
        "réactivation du compte « paul »",
        "déblocage du compte « paul »",
        "nouveau mot de passe pour « paul »",
    ]


def test_ingest_and_undo_write_the_audit_log(env, capsys, tmp_path):
    good = tmp_path / "envol.csv"
    good.write_bytes(csv_bytes([HEADER, ROW_A1, ROW_A2]))
    bad = tmp_path / "export.xlsx"
    bad.write_bytes(b"%PDF-1.7\n%binary pdf content")
    ref = tmp_path / "associations.xlsx"
    ref.write_bytes(xlsx_bytes([["Association", "Capacité"], ["Envol", 120]]))

    code, _, _ = run(capsys, "ingest", str(ref), str(good), "--association", "Envol")
    assert code == 0
    code, _, _ = run(capsys, "ingest", str(good), str(bad), str(tmp_path / "absent.csv"))
    assert code == 1  # already imported (no entry), refused, missing (entries)

    frame = entries(env)[::-1]
    assert frame.action.tolist() == ["referentiel", "import", "import", "import"]
    assert set(frame.utilisateur) == {"operateur"} and set(frame.origine) == {CLI_ORIGIN}
    ref_detail, good_detail, bad_detail, missing_detail = frame.detail.tolist()
    assert ref_detail.startswith("« associations.xlsx » (sha256 ")
    assert "statut charge" in ref_detail
    assert good_detail.startswith("« envol.csv » (sha256 ")
    assert (
        "statut charge — export d'association, Envol, import n° 2 : 2 lignes lues, "
        "2 chargées, 0 en quarantaine (2 nouvelles, 0 mises à jour, 0 absentes)"
    ) in good_detail
    assert bad_detail.startswith("« export.xlsx » (sha256 ") and "statut rejete — " in bad_detail
    assert missing_detail.startswith("« absent.csv » (fichier illisible) : statut rejete")

    # The history keeps the OS user as the importer when --user is absent.
    code, _, err = run(capsys, "undo", "2")
    assert code == 0, err
    last = entries(env).iloc[0]
    assert last.action == "annulation" and last.origine == CLI_ORIGIN
    assert last.utilisateur == "operateur"
    assert last.detail == (
        "import n° 2 (« envol.csv ») annulé : 2 lignes supprimées, 0 lignes rétablies"
    )
    # A refused undo writes nothing.
    code, _, err = run(capsys, "undo", "2", "--user", "marie")
    assert code == 1 and "déjà annulé" in err
    assert len(entries(env, actions=["annulation"])) == 1

    # --user names the actor in the history and the audit log alike.
    assert run(capsys, "ingest", str(good), "--association", "Envol", "--user", "marie")[0] == 0
    assert run(capsys, "undo", "3", "--user", "paul")[0] == 0
    assert entries(env).utilisateur.tolist()[:2] == ["paul", "marie"]
    with env.connect() as conn:
        history = conn.execute(select(ImportLot.utilisateur).order_by(ImportLot.id)).scalars()
        assert history.all() == ["operateur", "operateur", "marie"]


def test_accounts_with_and_without_association_list_in_text_and_json(env, capsys, monkeypatch):
    """An account without association (admin, direction) beside an association's: the text
    says « — » for it, the JSON null, never NaN (which is no JSON)."""
    monkeypatch.setenv(settings.NEW_PASSWORD.env, PASSWORD)
    for argv in (
        ("users", "add", "claire", "--role", "admin"),
        ("users", "add", "horizon", "--role", "association", "--association", "Horizon"),
        ("users", "add", "dir", "--role", "direction"),
    ):
        assert run(capsys, *argv)[0] == 0
    code, out, err = run(capsys, "users", "list")
    assert (code, err) == (0, "")
    lines = out.strip().splitlines()
    assert [line.split(" — ")[:3] for line in lines] == [
        ["claire", "Administrateur (chargé(e) de projet)", "—"],
        ["dir", lines[1].split(" — ")[1], "—"],
        ["horizon", lines[2].split(" — ")[1], "Horizon"],
    ]
    code, out, _ = run(capsys, "users", "list", "--json")
    assert code == 0 and "NaN" not in out
    accounts = json.loads(out)["comptes"]
    assert [a["association"] for a in accounts] == [None, None, "Horizon"]
