"""Every download is built on its click, for the person who asked, and only if that person
may still have it (dashboard/download_gate.py), under AppTest.

A page left open in a tab keeps its buttons: the account may be disabled, its session ended
or its rights changed meanwhile. Streamlit runs a download's builder when the button is
clicked, outside the page's script; AppTest never runs it, so these tests call the builder
the page registered with Streamlit (the tab's click on the file), then click the button
(the run the click starts in the tab)."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import settings
from auth import accounts, passwords
from auth.roles import Identity, Role
from dashboard import comite
from dashboard.access import CHANGED, DEMO_IDENTITY, ENDED, Asker, check_again
from dashboard.download_gate import DownloadRefused, guarded
from pipelines.api import ingest
from store.audit import entries
from store.db import init_db, make_engine
from tests.helpers import as_viewer, csv_bytes
from tests.test_accounts import cheap_hasher
from tests.test_ingest import HEADER, ROW_A1, ROW_A2

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "un mot de passe assez long"
WHO = ["utilisateur", "role", "association", "action"]
DOWNLOADS = ["telechargement", "export", "acces_refuse"]


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", cheap_hasher())


@pytest.fixture
def db(tmp_path, monkeypatch, key):
    """Two parcours imported by a person (real data: sign-in required), an administrator."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    engine = make_engine(url)
    init_db(engine)
    data = csv_bytes([HEADER, ROW_A1, ROW_A2])
    report = ingest(engine, data, "envol.csv", key, association="Envol", user="marie")
    assert report.statut == "charge"
    accounts.create_account(engine, "claire@cd59.fr", "admin", password=PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture
def builders(monkeypatch) -> dict[str, object]:
    """The builders the pages hand Streamlit for their download buttons, by file name (the
    last run's)."""
    registered: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        registered[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return registered


@pytest.fixture
def workbooks(monkeypatch) -> list[int]:
    """How many times the comité workbook was made."""
    made: list[int] = []
    original = comite.workbook_bytes

    def counted(*args, **kwargs):
        made.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(comite, "workbook_bytes", counted)
    return made


def app(page: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def workbook_name(registered: dict) -> str:
    (name,) = [n for n in registered if n.endswith(".xlsx")]
    return name


def test_a_download_is_made_on_its_click_and_audited_with_who_asked(db, builders, workbooks):
    at = ran(as_viewer(app("comite"), "association", "Envol"))
    assert workbooks == [] and entries(db, actions=DOWNLOADS).empty  # nothing on drawing
    assert all(b.proto.deferred_file_id for b in at.get("download_button"))
    book = openpyxl.load_workbook(io.BytesIO(builders[workbook_name(builders)]()))
    assert book.sheetnames[0] == "Sommaire"
    assert workbooks == [1]
    log = entries(db, actions=DOWNLOADS)
    assert log[WHO].values.tolist() == [
        ["association.envol@test.fr", "association", "Envol", "telechargement"]
    ]
    assert log["detail"].iloc[0].startswith("pack de comité (classeur, xlsx) ; Association Envol")
    at.download_button(key="comite_xlsx").click()
    ran(at)  # the run the click starts
    assert at.title[0].value == "Comité de pilotage"
    assert not [e for e in at.error if "refusé" in e.value]
    assert len(entries(db, actions=DOWNLOADS)) == 1  # written once, by its builder


def test_a_disabled_account_in_an_open_tab_gets_nothing(db, builders, workbooks):
    at = ran(as_viewer(app("comite"), "direction"))
    build = builders[workbook_name(builders)]
    accounts.disable(db, "direction@test.fr")  # from another session, the tab stays open
    with pytest.raises(DownloadRefused):
        build()
    assert workbooks == []  # nothing was made
    log = entries(db, actions=DOWNLOADS)
    assert log[WHO].values.tolist() == [["direction@test.fr", "direction", None, "acces_refuse"]]
    assert log["detail"].iloc[0].startswith("pack de comité (classeur, xlsx)")
    assert log["detail"].iloc[0].endswith(" : session terminée ou compte désactivé")
    at.download_button(key="comite_xlsx").click()
    ran(at)
    assert at.title[0].value == "Connexion"  # signed out
    assert at.error[0].value.startswith("Téléchargement refusé : votre session a pris fin")
    assert not at.get("download_button") and not at.metric


def test_a_session_ended_in_another_tab_gets_no_csv(db, builders):
    at = ran(app("synthese"))
    at.text_input[0].input("claire@cd59.fr")
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    ran(at)
    assert at.title[0].value == "Synthèse"
    build = builders["synthese.csv"]
    assert "Jeunes inscrits" in build().decode("utf-8-sig")  # a session from the form
    assert entries(db, actions=["export"])[WHO].values.tolist() == [
        ["claire@cd59.fr", "admin", None, "export"]
    ]
    accounts.end_account_sessions(db, "claire@cd59.fr")  # « Se déconnecter » in another tab
    with pytest.raises(DownloadRefused):
        build()
    refused = entries(db, actions=["acces_refuse"])
    assert refused[WHO].values.tolist() == [["claire@cd59.fr", "admin", None, "acces_refuse"]]
    assert refused["detail"].iloc[0] == "synthese.csv : session terminée ou compte désactivé"
    at.download_button(key="dl_synthese").click()
    ran(at)
    assert at.title[0].value == "Connexion"
    assert "Téléchargement refusé" in at.error[0].value


def test_rights_changed_since_the_page_was_drawn_get_nothing(db, builders):
    accounts.create_account(db, "envol@asso.fr", "association", association="Envol")
    at = ran(as_viewer(app("modeles"), "association", "Envol", name="envol@asso.fr"))
    build = builders["modele-export-association.xlsx"]
    accounts.set_role(db, "envol@asso.fr", "direction")
    with pytest.raises(DownloadRefused):
        build()
    refused = entries(db, actions=["acces_refuse"])
    assert refused[WHO].values.tolist() == [
        ["envol@asso.fr", "association", "Envol", "acces_refuse"]
    ]
    assert refused["detail"].iloc[0].endswith("changés depuis l'affichage de la page")
    at.download_button(key="modele_association_template").click()
    ran(at)
    assert at.title[0].value == "Modèles et rapports"  # the page, as the new role sees it
    assert at.error[0].value.startswith("Téléchargement refusé : votre rôle ou votre association")
    assert builders["modele-export-association.xlsx"]()[:2] == b"PK"  # drawn again: allowed
    assert entries(db, actions=["telechargement"])[WHO].values.tolist() == [
        ["envol@asso.fr", "direction", None, "telechargement"]
    ]


def test_the_identity_provider_and_the_demo_are_checked_again(db):
    """Outside AppTest: a person the identity provider signed in is checked against the
    accounts table and the claims kept from the page; the demo identity only while the
    database is the demo's. Each entry carries the origin the page was drawn for."""
    accounts.create_account(db, "dir@cd59.fr", "direction")  # no password: the provider's
    person = Identity("dir@cd59.fr", Role.DIRECTION, None, "oidc")
    who = Asker(person, "10.1.2.3", user_info={"is_logged_in": True, "email": "dir@cd59.fr"})
    assert check_again(who, db) == person
    assert guarded(who, b"fichier", "export", "essai.csv")() == b"fichier"
    claimed = Asker(
        Identity("dir@cd59.fr", Role.ADMIN, None, "oidc"),
        None,
        user_info={"is_logged_in": True, "email": "dir@cd59.fr", "roles": ["direction"]},
        role_claim="roles",
    )
    assert check_again(claimed, db) == CHANGED  # the provider's claim now says direction
    accounts.disable(db, "dir@cd59.fr")
    assert check_again(who, db) == ENDED
    with pytest.raises(DownloadRefused):
        guarded(who, b"fichier", "export", "essai.csv")()
    assert check_again(Asker(DEMO_IDENTITY, None, local=True), db) == ENDED  # real data
    log = entries(db, actions=DOWNLOADS)
    assert log[[*WHO, "origine"]].values.tolist() == [
        ["dir@cd59.fr", "direction", None, "acces_refuse", "10.1.2.3"],
        ["dir@cd59.fr", "direction", None, "export", "10.1.2.3"],
    ]


def _download_buttons_outside_the_gate() -> list[str]:
    found = []
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("dashboard/*.py"), ROOT / "app.py"]:
        if path.name == "download_gate.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = node.func if isinstance(node, ast.Call) else None
            name = getattr(called, "attr", None) or getattr(called, "id", None)
            if name == "download_button" and isinstance(called, ast.Attribute):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_download_goes_through_the_gate():
    """No page or dashboard module calls Streamlit's download button itself."""
    assert _download_buttons_outside_the_gate() == []
