"""The Modèles et rapports page under AppTest: the templates on an empty database, and the
quarantine reports of the demo database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

import settings
from reports.quarantine_report import HEADERS
from store.db import make_engine
from store.models import ImportLot, Quarantaine
from tests.helpers import as_viewer

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "modeles.py")
TEMPLATE_BUTTONS = {
    "Modèle d'export d'association (xlsx)",
    "Fiche candidature (docx)",
    "Liste des fiches candidature (xlsx)",
    "Suivi de l'honorabilité B2/FIJAIS (xlsx)",
}


def run_page() -> AppTest:
    at = as_viewer(AppTest.from_file(PAGE, default_timeout=60)).run()
    assert not at.exception, at.exception
    return at


def downloads(at: AppTest) -> dict[str, object]:
    """Download buttons by label."""
    return {b.proto.label: b.proto for b in at.get("download_button")}


def test_templates_are_offered_on_an_empty_database(tmp_path, monkeypatch, key):
    monkeypatch.setenv(settings.DB_URL.env, f"sqlite:///{tmp_path / 'vide.db'}")
    at = run_page()
    assert at.title[0].value == "Modèles et rapports"
    assert not at.warning  # no "Aucun parcours": the page is for getting started
    assert set(downloads(at)) == TEMPLATE_BUTTONS
    assert "Aucun import n'a de ligne refusée" in at.success[0].value
    assert not at.selectbox and not at.dataframe


def test_demo_quarantine_reports_are_listed_and_downloadable(demo_app):
    engine = make_engine(demo_app)
    with engine.connect() as conn:
        files = dict(
            conn.execute(
                select(ImportLot.id, ImportLot.fichier)
                .where(ImportLot.lignes_en_quarantaine > 0, ImportLot.annule.is_(False))
                .order_by(ImportLot.id.desc())
            ).all()
        )
        sizes = dict(
            conn.execute(
                select(Quarantaine.import_id, func.count()).group_by(Quarantaine.import_id)
            ).all()
        )
    engine.dispose()
    # the demo quarantines 1 row of the Envol CSV (an impossible date; its unknown commune
    # costs no row) and 1 of the Tremplin workbook
    assert sorted((name.rsplit(".", 1)[1], sizes[i]) for i, name in files.items()) == [
        ("csv", 1),
        ("xlsx", 1),
    ]
    at = run_page()
    assert at.info  # demo banner
    buttons = downloads(at)
    assert set(buttons) - TEMPLATE_BUTTONS == {"Télécharger le rapport des lignes refusées (xlsx)"}
    box = at.selectbox[0]
    assert len(box.options) == len(files) == 2
    for option, name in zip(box.options, files.values(), strict=True):
        assert name in option  # newest first, like the import history
    for import_id in files:
        at = box.set_value(import_id).run()
        assert not at.exception, at.exception
        box = at.selectbox[0]
        shown = at.dataframe[0].value
        assert list(shown.columns) == list(HEADERS)
        assert len(shown) == sizes[import_id]
        assert shown[HEADERS[3]].str.len().gt(0).all()
