"""Real data in headless Chromium: nothing before sign-in, then a new export uploaded
through the real Importer page (report, confirmation), the synthesis counting the new
youths, and the sign-in, import and download in the audit log. On its own database: the
demo files imported by a person (not the demo builder), so sign-in is required."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from demo import DEFAULT_AS_OF
from store.audit import entries
from store.db import make_engine
from tests.browser.conftest import CHROMIUM, imported_database, sign_in, streamlit_server
from tests.browser.test_app_in_browser import _capture
from tests.helpers import csv_bytes

pytestmark = pytest.mark.browser

# The layout of Envol Mentorat Nord (pipelines/mappings/envol_csv.toml), three new youths.
HEADER = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Commune de résidence", "CP"]
HEADER += ["Date d'inscription"]


def _export() -> bytes:
    """Inscribed before the demo's data date: the default period (the 12 months ending on
    the latest data date) stays the same, so the synthesis counts them on top."""
    inscription = f"{DEFAULT_AS_OF - dt.timedelta(days=20):%d/%m/%Y}"
    rows = [
        ["NOUV-1", "Testeur", "Aline", "03/04/2010", "Lille", "59000", inscription],
        ["NOUV-2", "Testeur", "Bruno", "11/09/2009", "Roubaix", "59100", inscription],
        ["NOUV-3", "Testeur", "Chloé", "27/01/2011", "Merville", "59660", inscription],
    ]
    return csv_bytes([HEADER, *rows])


PASSWORD = "mot de passe de la chargée de projet"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    url = imported_database(
        tmp_path_factory.mktemp("upload"), {"claire@cd59.fr": ("admin", PASSWORD)}
    )
    with streamlit_server(url) as base:
        yield base, url


def _open(page, name: str) -> None:
    """Go to a page through the menu (a reload would start a new, signed-out session)."""
    page.locator('[data-testid="stSidebarNavLink"]', has_text=name).first.click()
    page.get_by_role("heading", name=name, exact=True).first.wait_for(timeout=60_000)


def _logged(url: str, action: str, timeout: float = 30) -> None:
    """Wait until the audit log holds `action`: a download's entry is written by the rerun
    its click starts, which a click elsewhere right after could otherwise overtake."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        engine = make_engine(url)
        found = action in entries(engine)["action"].tolist()
        engine.dispose()
        if found:
            return
        time.sleep(0.2)
    raise AssertionError(f"no « {action} » entry in the audit log after {timeout} s")


def _registered(page) -> int:
    tile = page.locator('[data-testid="stMetric"]').filter(has_text="Jeunes inscrits").first
    tile.wait_for(timeout=60_000)
    value = tile.locator('[data-testid="stMetricValue"]').inner_text()
    return int(value.replace("\u202f", "").replace("\xa0", "").replace(" ", ""))


def test_sign_in_then_an_upload_changes_the_synthesis(server, browser):
    server, url = server
    page = browser.new_page(viewport={"width": 1400, "height": 1600}, locale="fr-FR")
    page.goto(server)
    page.get_by_role("heading", name="Connexion", exact=True).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    _capture(page, "connexion")
    sign_in(page, "claire@cd59.fr", PASSWORD)
    before = _registered(page)
    page.get_by_role("button", name="Télécharger (CSV)").first.click()
    _logged(url, "export")

    _open(page, "Importer")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[
            {
                "name": "Envol Mentorat Nord - nouveaux.csv",
                "mimeType": "text/csv",
                "buffer": _export(),
            }
        ]
    )
    page.get_by_text("Lignes qui seront chargées").wait_for(timeout=60_000)
    page.get_by_role("button", name="Confirmer l'import", exact=True).click()
    page.get_by_text("3 nouveaux").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0

    _open(page, "Synthèse")
    assert _registered(page) == before + 3

    _open(page, "Journal d'audit")
    entries_tile = page.locator('[data-testid="stMetric"]').filter(has_text="Entrées").first
    assert entries_tile.locator('[data-testid="stMetricValue"]').inner_text() == "3"
    page.close()
    engine = make_engine(url)
    log = entries(engine)
    engine.dispose()
    assert log["action"].tolist() == ["import", "export", "connexion"]
    assert set(log["utilisateur"]) == {"claire@cd59.fr"}
    assert log["detail"].iloc[0].startswith("« Envol Mentorat Nord - nouveaux.csv »")


def _unseen_export() -> bytes:
    """A layout no profile knows, with a date column nothing explains (« Étape 2 »)."""
    inscription = f"{dt.date.today() - dt.timedelta(days=30):%d/%m/%Y}"
    step = f"{dt.date.today() - dt.timedelta(days=10):%d/%m/%Y}"
    header = ["Réf.", "Jeune", "DDN", "Ville (CP)", "Inscrit(e) le", "Étape 2"]
    rows = [
        ["INC-1", "TESTEUR Denis", "03/04/10", "Lille (59000)", inscription, step],
        ["INC-2", "Emma TESTEUR", "11/09/09", "59100 Roubaix", inscription, step],
        ["INC-3", "TESTEUR Fanny", "27/01/11", "Merville (59660)", inscription, step],
        ["INC-4", "Gaël TESTEUR", "05/05/08", "59200 Tourcoing", inscription, step],
    ]
    return csv_bytes([header, *rows])


def test_an_unseen_layout_asks_its_question_then_loads(server, browser):
    server, url = server
    page = browser.new_page(viewport={"width": 1400, "height": 1400}, locale="fr-FR")
    page.goto(server)
    sign_in(page, "claire@cd59.fr", PASSWORD)
    _registered(page)
    _open(page, "Importer")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "export inconnu.csv", "mimeType": "text/csv", "buffer": _unseen_export()}]
    )
    page.get_by_text("1 colonne(s) à préciser").wait_for(timeout=60_000)
    # The file's association, on its own line (nothing in the file names it).
    page.get_by_placeholder("Lue dans le fichier, ou à choisir…").click()
    page.get_by_role("option", name="Envol Mentorat Nord").click()
    page.get_by_text("1 colonne(s) à préciser").wait_for(timeout=60_000)
    assert page.get_by_text("Lignes qui seront chargées").count() == 0  # nothing planned yet
    _capture(page, "importer_question")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="« Étape 2 »").click()
    page.keyboard.type("mise en relation")  # the list is long: filter it as a user would
    page.get_by_role("option", name="Date de mise en relation").click()
    page.get_by_text("Lignes qui seront chargées").wait_for(timeout=60_000)
    page.get_by_role("button", name="Confirmer l'import", exact=True).click()
    page.get_by_text("4 nouveaux").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()
    engine = make_engine(url)
    with engine.connect() as conn:
        from sqlalchemy import text

        stored = conn.execute(
            text(
                "SELECT id_source, date_mise_en_relation FROM parcours WHERE id_source LIKE 'INC-%'"
            )
        ).all()
    engine.dispose()
    assert sorted(r[0] for r in stored) == ["INC-1", "INC-2", "INC-3", "INC-4"]
    assert all(r[1] is not None for r in stored)
