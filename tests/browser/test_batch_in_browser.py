"""A month's batch through the real Importer page in headless Chromium: five files from five
sources dropped together, each landing on its own source — two associations recognised by
their file names, a third the file does not name, typed on its line and created in place,
the CD fiches and the B2 follow-up with no association of the batch — and « tout
confirmer » refused until the third is settled."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from auth.accounts import create_account
from demo import generate_demo_files
from pipelines.api import ingest
from store.db import init_db, make_engine
from tests.browser.conftest import CHROMIUM, sign_in, streamlit_server
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.browser

PASSWORD = "mot de passe de la chargée de projet"
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    directory = tmp_path_factory.mktemp("lot")
    files = {p.name[:2]: p for p in generate_demo_files(directory / "fichiers", n_parcours=120)}
    url = f"sqlite:///{directory / 'lot.db'}"
    engine = make_engine(url)
    init_db(engine)
    referential = files["01"]
    report = ingest(engine, referential.read_bytes(), referential.name, TEST_KEY, user="claire")
    assert report.statut == "charge", report.erreurs
    create_account(engine, "claire@cd59.fr", "admin", password=PASSWORD)
    engine.dispose()
    with streamlit_server(url) as base:
        yield base, url, files


def _file(name: str, path) -> dict:
    return {"name": name, "mimeType": MIME[name.rsplit(".", 1)[1]], "buffer": path.read_bytes()}


def test_five_files_from_five_sources_land_each_on_its_own(server, browser):
    base, url, files = server
    page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="fr-FR")
    page.goto(base)
    sign_in(page, "claire@cd59.fr", PASSWORD)
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Importer").first.click()
    page.get_by_role("heading", name="Importer", exact=True).first.wait_for(timeout=60_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[
            _file("ENVOL_extraction_decembre.csv", files["03"]),
            _file("ailes_export.xlsx", files["04"]),
            _file("export_mensuel.xlsx", files["05"]),  # Tremplin's layout, named nowhere
            _file("fiches_candidature.xlsx", files["02"]),
            _file("suivi_b2.xlsx", files["07"]),
        ]
    )
    page.get_by_text("Impossible de savoir de quelle association vient").wait_for(timeout=90_000)
    page.get_by_text("Envol Mentorat Nord (d'après le nom du fichier)").wait_for(timeout=60_000)
    page.get_by_text("Les Ailes du Possible (d'après le titre et le nom du fichier)").wait_for()
    everything = page.get_by_role("button", name="Confirmer l'import de tous les fichiers valides")
    assert everything.is_disabled()
    page.get_by_text("(association à choisir)").wait_for()

    # The file no name settles: its own list, where a new association is typed.
    page.get_by_placeholder("À choisir, ou tapez son nom…").click()
    page.keyboard.type("Horizon Mentorat")
    page.keyboard.press("Enter")
    page.get_by_text("n'est pas encore dans le référentiel").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some(b => b.innerText.includes("
        "'tous les fichiers valides') && !b.disabled)",
        timeout=60_000,
    )
    everything.click()
    page.get_by_text("Association « Horizon Mentorat » ajoutée au référentiel").wait_for(
        timeout=120_000
    )
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()

    engine = make_engine(url)
    with engine.connect() as conn:
        landed = dict(conn.execute(text("SELECT fichier, association FROM import_lot")).all())
        b2 = conn.execute(text("SELECT DISTINCT association FROM demande_honorabilite")).all()
    engine.dispose()
    assert landed == {
        files["01"].name: None,
        "ENVOL_extraction_decembre.csv": "Envol Mentorat Nord",
        "ailes_export.xlsx": "Les Ailes du Possible",
        "export_mensuel.xlsx": "Horizon Mentorat",
        "fiches_candidature.xlsx": None,
        "suivi_b2.xlsx": None,
    }
    assert "Horizon Mentorat" not in {r[0] for r in b2}  # the B2 rows keep their own
