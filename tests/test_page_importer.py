"""The Importer page under AppTest (uploads included), and its pure helpers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import settings
from dashboard.markdown import plain
from pipelines.api import Answers, Conversation, Upload
from pipelines.preview import (
    BY_SYNONYMS,
    IGNORED,
    columns_preview,
    layout_label,
    quarantine_preview,
)
from store.audit import Actor
from store.db import init_db, make_engine
from tests.helpers import as_viewer, counts, csv_bytes
from tests.test_ingest import HEADER, ROW_A1, ROW_A2, ROW_BAD_DATE

PAGE = Path(__file__).resolve().parent.parent / "pages" / "importer.py"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
EXPORT = csv_bytes([[*HEADER, "Remarque"], *[[*r, ""] for r in (ROW_A1, ROW_A2, ROW_BAD_DATE)]])


@pytest.fixture
def db(tmp_path, monkeypatch, key):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    engine = make_engine(url)
    init_db(engine)
    yield engine
    engine.dispose()


def page() -> AppTest:
    at = as_viewer(AppTest.from_file(str(PAGE), default_timeout=60)).run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, association: str | None = None) -> AppTest:
    at.file_uploader(key="importer_fichiers").upload(name, data)
    at.run()
    assert not at.exception, at.exception
    if association:
        choose_association(at, data, association)
    return at


def choose_association(at: AppTest, data: bytes, name: str) -> AppTest:
    """Choose the association on the file's line, or type a new name (the list accepts
    one: AppTest needs it among the options to send it)."""
    box = at.selectbox(key=f"association_{hashlib.sha256(data).hexdigest()[:16]}")
    shown = box.format_func(name)  # the list shows a name as it will be stored
    if shown not in box.options:
        box.options.append(shown)
    box.set_value(name).run()
    assert not at.exception, at.exception
    return at


def buttons(at: AppTest) -> list:
    """The page's own buttons (the sidebar's "Se déconnecter" left out)."""
    return [b for b in at.button if b.key != "se_deconnecter"]


def texts(at: AppTest) -> str:
    parts = [*at.markdown, *at.info, *at.success, *at.error, *at.warning]
    return "\n".join(str(e.value) for e in parts)


def test_empty_database_shows_the_uploader(db):
    at = page()
    assert at.title[0].value == "Importer"
    assert len(at.file_uploader) == 1 and at.file_uploader[0].accept_multiple_files
    assert set(at.file_uploader[0].allowed_type) >= {".xlsx", ".xls", ".ods", ".csv", ".docx"}
    assert "Confirmer l'import" in at.markdown[0].value
    assert not buttons(at) and not at.error and not at.selectbox


def test_each_file_has_its_kind_on_its_own_line(db):
    at = upload(page(), "envol.csv", EXPORT)
    box = at.selectbox(key=f"type_{hashlib.sha256(EXPORT).hexdigest()[:16]}")
    assert box.value is None and box.placeholder == "Export d'association (reconnu)"
    # the kinds as written, first letter up: « du CD », « (B2/FIJAIS) », never lowercased
    assert "Fiches candidature du CD" in box.options
    assert "Suivi honorabilité (B2/FIJAIS)" in box.options


def test_missing_key_is_a_french_message(db, monkeypatch, tmp_path):
    monkeypatch.delenv(settings.SECRET_KEY.env)
    monkeypatch.setenv(settings.SECRET_KEY_FILE.env, str(tmp_path / "absente.key"))
    at = page()
    assert "introuvable" in at.error[0].value
    assert not at.file_uploader


def test_report_before_writing_then_confirm(db):
    at = upload(page(), "envol.csv", EXPORT, association="Envol")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Lignes lues": "3",
        "Lignes qui seront chargées": "2",
        "Lignes en quarantaine": "1",
    }
    quarantine = at.dataframe[1].value
    assert list(quarantine.columns) == ["Ligne", "Colonne", "Motif", "Identifiant (association)"]
    assert quarantine.iloc[0]["Ligne"] == 4 and quarantine.iloc[0]["Identifiant (association)"] == (
        "A3"
    )
    shown = texts(at) + at.dataframe[0].value.to_string() + quarantine.to_string()
    for name in ("Dupont", "Marie-Claire", "N'Diaye", "Awa", "Leroy", "Tom"):
        assert name not in shown
    assert "Envol" in texts(at) and "export d'association" in texts(at)
    assert counts(db)["imports"] == 0  # nothing written yet

    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click().run()
    assert not at.exception, at.exception
    assert counts(db)["imports"] == 1 and counts(db)["parcours"] == 2
    assert "2 nouveaux" in at.success[0].value
    assert "déjà importé" in at.info[0].value and not buttons(at)

    again = upload(page(), "copie.csv", EXPORT)  # a new session, the same bytes
    assert "déjà importé" in again.info[0].value
    assert not buttons(again) and not again.metric
    assert counts(db)["imports"] == 1


def test_pdf_renamed_xlsx_is_refused(db):
    at = upload(page(), "export.xlsx", PDF)
    assert "n'est pas un tableur" in at.error[0].value
    assert not buttons(at) and not at.metric
    assert counts(db)["imports"] == 0


def test_export_without_association_asks_for_it(db):
    at = upload(page(), "export.csv", EXPORT)
    assert "Impossible de savoir de quelle association" in at.warning[0].value
    assert "--" not in at.warning[0].value  # no command-line option on the web page
    assert not at.error and not buttons(at) and not at.metric
    choose_association(at, EXPORT, "Envol")
    assert {m.label: m.value for m in at.metric}["Lignes lues"] == "3"
    assert "**Association** : Envol (choisie à l'import)" in texts(at)


# --- pure helpers ------------------------------------------------------------------------------


def test_mapping_and_quarantine_previews(engine, key):
    plan = Conversation(engine, Upload.of("envol.csv", EXPORT), key, association="Envol").plan()
    mapping = columns_preview(plan.mapping, plan.raw.header, plan.raw.frame)
    assert list(mapping["Colonne du fichier"]) == [*HEADER, "Remarque"]
    fields = dict(zip(mapping["Colonne du fichier"], mapping["Champ"], strict=True))
    assert fields["Remarque"] == IGNORED
    assert fields["Date d'inscription"] != IGNORED
    assert layout_label(plan) == BY_SYNONYMS  # a layout no profile describes
    quarantine = quarantine_preview(plan)
    assert quarantine[["Ligne", "Identifiant (association)"]].values.tolist() == [[4, "A3"]]


def test_a_saved_layout_is_named_by_its_profile(engine, key):
    first = Conversation(engine, Upload.of("envol.csv", EXPORT), key, association="Envol")
    plan = first.plan(Answers(positions={len(HEADER): ""}))  # « Remarque » ignored
    first.apply(plan, Actor("claire"), keep_mapping=True, audited=False)
    again = csv_bytes([[*HEADER, "Remarque"], [*ROW_A1, "x"]])
    later = Conversation(engine, Upload.of("envol_avril.csv", again), key).plan()
    assert layout_label(later) == "enregistré : Envol"


def test_batch_identity_and_name():
    batch = Upload.fiches([("fiche_Dupont_Marie.docx", b"a"), ("b.docx", b"b")])
    # sha256 of the two files' sha256 in hexadecimal, one after the other (worked out once
    # with `sha256sum`): the batch is the same whatever the files are called, not in
    # another order.
    assert batch.sha256 == "62af5c3cb8da3e4f25061e829ebeea5c7513c54949115b1acc225930a90154da"
    renamed = Upload.fiches([("x.docx", b"a"), ("y.docx", b"b")])
    assert renamed.sha256 == batch.sha256
    assert Upload.fiches([("b.docx", b"b"), ("a.docx", b"a")]).sha256 != batch.sha256
    # Never the file names: a fiche is often saved under the youth's name.
    assert batch.name == "2 fiche(s) candidature (Word)"
    assert batch.docx and [name for name, _ in batch.parts] == ["fiche_Dupont_Marie.docx", "b.docx"]


def test_word_fiches_go_together_as_one_batch(db):
    from tests.test_docx_fiches import _fiche

    at = page()
    at.file_uploader(key="importer_fichiers").upload("a.docx", _fiche("Benali"))
    at.file_uploader(key="importer_fichiers").upload("b.docx", _fiche("Morel"))
    at.run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == "2 fiche(s) candidature (Word)"
    assert {m.label: m.value for m in at.metric}["Lignes lues"] == "2"
    assert "fiches candidature du CD" in texts(at)
    assert len(buttons(at)) == 1


def _questions(at: AppTest) -> dict:
    return {s.label: s for s in at.selectbox if "_q" in s.key and s.key.startswith("colonne_")}


def _corrections(at: AppTest) -> dict:
    return {s.label: s for s in at.selectbox if s.key.startswith("colonne_") and "_q" not in s.key}


def test_questions_first_then_corrections_then_next_month_needs_no_fixing(db):
    from tests.test_saved_profiles import A2_MATCHED, A5, FOREIGN_HEADER

    march = csv_bytes([FOREIGN_HEADER, ROW_A1, ROW_A2])
    at = upload(page(), "export_mars.csv", march, association="Envol")
    # "Jalon" holds dates the app cannot place: asked, nothing chosen in advance.
    asked = _questions(at)
    assert list(asked) == ["« Jalon »"]
    assert asked["« Jalon »"].value is None
    assert "1 colonne(s) à préciser" in at.warning[0].value
    assert "Contient des dates (2025)." in [c.value for c in at.caption]
    assert texts(at).count("1 colonne(s) à préciser") == 1
    assert not at.metric and not buttons(at)
    asked["« Jalon »"].select("Date d'inscription").run()
    assert not at.exception, at.exception
    # "Repère" (text) says nothing of its field: the identifier is still missing.
    assert "Colonnes obligatoires non trouvées : « Identifiant »" in at.warning[0].value
    assert not at.metric
    at.toggle(key=next(t.key for t in at.toggle if t.key.startswith("colonne_"))).set_value(True)
    at.run()
    boxes = _corrections(at)
    assert boxes["« Heures »"].value == "— ignorer cette colonne —"
    assert boxes["« Nom »"].value == "Nom du jeune"  # recognised: preselected
    boxes["« Repère »"].select("Identifiant").run()
    assert not at.exception, at.exception
    assert not at.error
    assert {m.label: m.value for m in at.metric}["Lignes qui seront chargées"] == "2"
    keep = next(c for c in at.checkbox if c.key.startswith("garder_"))
    assert keep.value and keep.label.endswith("d'Envol")
    assert counts(db)["imports"] == 0
    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click().run()
    assert not at.exception, at.exception
    done = at.success[0].value
    assert "2 nouveaux" in done
    assert "Étapes nouvellement atteintes : Inscription : 2 · Attribution : 2" in done
    assert "Démarrage : 1" in done and "Clôture" not in done
    assert "correspondance des colonnes est enregistrée" in done

    april = csv_bytes([FOREIGN_HEADER, ROW_A1, A2_MATCHED, A5])
    at = upload(page(), "export_avril.csv", april)  # a new session, no association chosen
    assert not at.error and not at.warning
    assert not _questions(at) and not _corrections(at)
    assert "enregistré : Envol" in texts(at)
    assert not [c for c in at.checkbox if c.key.startswith("garder_")]
    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click().run()
    assert not at.exception, at.exception
    assert "1 nouveau, 2 mis à jour" in at.success[0].value
    assert "Inscription : 1 · Attribution : 1 · Mise en relation : 1." in at.success[0].value
    assert counts(db)["imports"] == 2 and counts(db)["parcours"] == 3


def test_a_field_chosen_for_two_columns_is_refused(db):
    from tests.test_saved_profiles import FOREIGN_HEADER

    at = upload(page(), "x.csv", csv_bytes([FOREIGN_HEADER, ROW_A1]), association="Envol")
    _questions(at)["« Jalon »"].select("Date d'inscription").run()
    at.toggle(key=next(t.key for t in at.toggle if t.key.startswith("colonne_"))).set_value(True)
    at.run()
    boxes = _corrections(at)
    assert len(boxes) == len(FOREIGN_HEADER) - 1  # every column but the one answered above
    boxes["« Repère »"].select("Nom du jeune").run()
    assert "choisi pour deux colonnes" in at.error[0].value
    assert counts(db)["imports"] == 0


def test_unknown_labels_answered_on_the_page_and_a_new_association_added(db):
    header = [*HEADER[:9], "Motif de fin"]
    rows = [[*ROW_A1[:9], "Parti en Belgique"], [*ROW_A2[:9], "Parti en Belgique"]]
    at = upload(page(), "export.csv", csv_bytes([header, *rows]), association="Horizon")
    assert not at.exception, at.exception
    label = next(s for s in at.selectbox if "Parti en Belgique" in s.label)
    assert label.label == "Motif de fin : « Parti en Belgique » (2 lignes)"
    assert label.value == "— laisser vide —"
    assert "1 libellé(s) non reconnu(s)" in at.info[0].value
    label.select("Changement de situation").run()
    assert "« Horizon » n'est pas encore dans le référentiel" in texts(at)
    at.number_input(key=next(n.key for n in at.number_input)).set_value(12).run()
    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click().run()
    assert not at.exception, at.exception
    assert "Association « Horizon » ajoutée au référentiel" in at.success[0].value
    engine = db
    with engine.connect() as conn:
        from sqlalchemy import select

        from store.models import Association, Enregistrement

        assert conn.execute(select(Association.nom, Association.capacite)).all() == [
            ("Horizon", 12)
        ]
        motifs = conn.execute(select(Enregistrement.motif_fin)).scalars().all()
    assert motifs == ["changement_situation", "changement_situation"]


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> list[Path]:
    from demo import generate_demo_files

    return generate_demo_files(tmp_path_factory.mktemp("demo_files"), n_parcours=200)


def test_each_demo_layout_through_the_page(db, demo_files, key):
    """Every demo file, in the order a chargée de projet would import them, uploaded
    through the page: the report shows what the pipeline plans, then confirming loads it."""

    for path in demo_files:
        data = path.read_bytes()
        expected = Conversation(db, Upload.of(path.name, data), key).plan()
        at = upload(page(), path.name, data)
        assert not at.error, (path.name, at.error[0].value)
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Lignes lues"] == f"{expected.prepared.rows_read:,}".replace(",", "\u202f")
        assert metrics["Lignes en quarantaine"] == str(expected.prepared.quarantined_lines)
        assert plain(layout_label(expected)) in texts(at), path.name
        before = counts(db)["imports"]
        at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click()
        at.run()
        assert not at.exception, at.exception
        assert "importé" in at.success[0].value, path.name
        assert counts(db)["imports"] == before + 1
    assert counts(db)["parcours"] > 0


def test_headers_and_labels_from_a_file_render_no_markdown(db):
    header = [*HEADER[:9], "![b](http://exemple.invalid/x.png)", "Motif de fin"]
    rows = [
        [*ROW_A1[:9], "02/03/2025", "[clic](http://exemple.invalid) *gras*"],
        [*ROW_A2[:9], "03/03/2025", "[clic](http://exemple.invalid) *gras*"],
        [*ROW_A2[:9], "04/03/2025", "Autre"],
    ]
    rows[2][0] = "A9"
    at = upload(page(), "x.csv", csv_bytes([header, *rows]), association="Envol")
    asked = next(s for s in at.selectbox if "_q" in s.key)
    # The brackets are escaped: Streamlit shows the text, fetches no image.
    assert asked.label == "« !\\[b\\](http\u2060\\://exemple\u2060.invalid/x\u2060.png) »"
    asked.select("— ignorer cette colonne —").run()
    label = next(s for s in at.selectbox if "clic" in s.label)
    assert r"\[clic\]" in label.label and r"\*gras\*" in label.label


def test_an_event_log_asks_its_unsure_step_then_loads(db):
    """The journal is said in French (its steps, what is no step, the details per step);
    the label the vocabulary is unsure of is a select box with nothing chosen; once
    answered, the report and the confirmation as for any file."""
    from tests.test_event_logs import LOG

    at = upload(page(), "historique.csv", LOG, association="Fil Rouge")
    summary = at.info[0].value
    assert "Journal d'événements : 11 lignes" in summary and "4 dossier(s)" in summary
    assert "« Appel de suivi » (2)" in summary  # no step, said
    assert "« Précisions » sur les lignes" in summary
    step = next(s for s in at.selectbox if "Étape du journal" in s.label)
    assert step.value is None and not at.metric  # nothing planned before the answer
    step.set_value("Date de signature de la convention").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lignes lues"] == "4" and metrics["Lignes en quarantaine"] == "1"
    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click()
    at.run()
    assert not at.exception, at.exception
    assert counts(db)["parcours"] == 3


def test_a_workbook_says_its_sheets_and_asks_the_one_it_cannot_join(db):
    from tests.test_linked_sheets import _book

    at = upload(page(), "relais.xlsx", _book(), association="Relais")
    summary = at.info[0].value
    assert "« Duos » : jointe par la colonne « N° jeune » (1 jeune(s) avec plusieurs" in summary
    assert "« Parrains » : jointe par la colonne « Code »" in summary
    assert "« À lire » : laissée de côté" in summary
    sheet = next(r for r in at.radio if "Sorties collectives" in r.label)
    assert sheet.value is None and not at.metric  # nothing planned before the answer
    sheet.set_value("Ignorer cette feuille").run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Lignes qui seront chargées"] == "3"
    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click()
    at.run()
    assert not at.exception, at.exception
    assert counts(db)["parcours"] == 3


# --- a month's batch: each file its own association --------------------------------------------


def _demo(demo_files, stem: str) -> bytes:
    return next(p for p in demo_files if p.name.startswith(stem)).read_bytes()


def _line(at: AppTest, data: bytes, what: str):
    return at.selectbox(key=f"{what}_{hashlib.sha256(data).hexdigest()[:16]}")


def test_a_batch_lands_each_file_on_its_own_association(db, demo_files, key):
    from pipelines.api import ingest

    referential = _demo(demo_files, "01_referentiel")
    assert ingest(db, referential, "referentiel.xlsx", key).statut == "charge"
    envol, tremplin = _demo(demo_files, "03_export_envol"), _demo(demo_files, "05_export")
    boussole, b2 = _demo(demo_files, "06_export"), _demo(demo_files, "07_suivi")
    fiches = _demo(demo_files, "02_fiches")
    at = page()
    uploader = at.file_uploader(key="importer_fichiers")
    for name, data in [
        ("ENVOL_extraction_decembre.csv", envol),
        ("tremplin_export.xlsx", tremplin),
        ("export_mensuel.xlsx", boussole),  # nothing names it
        ("fiches.xlsx", fiches),
        ("suivi_b2.xlsx", b2),
    ]:
        uploader.upload(name, data)
    at.run()
    assert not at.exception, at.exception
    assert _line(at, envol, "association").placeholder == (
        "Envol Mentorat Nord (d'après le nom du fichier)"
    )
    assert _line(at, tremplin, "association").placeholder == (
        "Tremplin Avenir 59 (d'après le nom du fichier)"
    )
    assert _line(at, boussole, "association").placeholder == "À choisir, ou tapez son nom…"
    shown = texts(at)
    assert "**Association** : aucune pour le fichier : chaque fiche nomme la sienne" in shown
    assert "**Association** : celle de chaque ligne" in shown
    unsettled = [w.value for w in at.warning if "Impossible de savoir" in w.value]
    assert len(unsettled) == 1 and plain("« export_mensuel.xlsx »") in unsettled[0]
    everything = at.button(key="confirmer_tout")
    assert everything.disabled
    captions = " ".join(c.value for c in at.caption)
    assert plain("« export_mensuel.xlsx » (association à choisir)") in captions
    assert counts(db)["imports"] == 1

    choose_association(at, boussole, "La Boussole Mentorat")
    assert not at.button(key="confirmer_tout").disabled
    at.button(key="confirmer_tout").click().run()
    assert not at.exception, at.exception
    engine = db
    with engine.connect() as conn:
        from sqlalchemy import text

        landed = dict(conn.execute(text("SELECT fichier, association FROM import_lot")).all())
    assert landed == {
        "referentiel.xlsx": None,
        "ENVOL_extraction_decembre.csv": "Envol Mentorat Nord",
        "tremplin_export.xlsx": "Tremplin Avenir 59",
        "export_mensuel.xlsx": "La Boussole Mentorat",
        "fiches.xlsx": None,
        "suivi_b2.xlsx": None,
    }


def test_an_association_may_not_import_another_associations_export(db, demo_files, key):
    from pipelines.api import ingest

    assert ingest(db, _demo(demo_files, "01_referentiel"), "r.xlsx", key).statut == "charge"
    at = as_viewer(AppTest.from_file(str(PAGE), default_timeout=60), "association",
                   association="Envol Mentorat Nord").run()  # fmt: skip
    assert "Déposez les exports d'Envol Mentorat Nord" in at.markdown[0].value
    at.file_uploader(key="importer_fichiers").upload(
        "tremplin_export.xlsx", _demo(demo_files, "05_export")
    )
    at.run()
    assert not at.exception, at.exception
    assert "semble être celui de Tremplin Avenir 59 (le nom du fichier la nomme)" in (
        at.error[0].value
    )
    assert "exports d'Envol Mentorat Nord" in at.error[0].value
    assert not buttons(at) and counts(db)["imports"] == 1


def test_a_label_is_asked_once_in_a_batch(db):
    header = [*HEADER[:9], "Motif de fin"]
    first = csv_bytes([header, [*ROW_A1[:9], "Parti en Belgique"]])
    second = csv_bytes([header, [*ROW_A2[:9], "Parti en Belgique"]])
    at = page()
    at.file_uploader(key="importer_fichiers").upload("a.csv", first)
    at.file_uploader(key="importer_fichiers").upload("b.csv", second)
    at.run()
    choose_association(at, first, "Envol")
    choose_association(at, second, "Envol")
    asked = [s for s in at.selectbox if "Parti en Belgique" in s.label]
    assert len(asked) == 1
    captions = " ".join(c.value for c in at.caption)
    assert plain("« Parti en Belgique » (comme pour « a.csv »)") in captions
    asked[0].select("Changement de situation").run()
    at.button(key="confirmer_tout").click().run()
    assert not at.exception, at.exception
    with db.connect() as conn:
        from sqlalchemy import select

        from store.models import Enregistrement

        motifs = conn.execute(select(Enregistrement.motif_fin)).scalars().all()
    assert motifs == ["changement_situation", "changement_situation"]
