"""Text from files is text, on every page: association and antenna names, territories,
establishments, headers, labels, identifiers, file names and user names built to be
interpreted (a Markdown image — a tracking beacon —, a Markdown link, raw HTML, Streamlit
directives, LaTeX, a bare domain, control and bidirectional characters, very long) are
imported through the real pipeline on top of the demo database; every page is rendered under
AppTest and nothing of them is interpreted: Markdown bodies and labels hold them escaped,
charts hold them as HTML entities, select boxes show them as they read."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

import settings
from dashboard.markdown import chart_text, message, plain
from domain.text import one_line
from pipelines.api import ingest
from store.db import make_engine
from store.models import ImportLot
from tests.conftest import TEST_KEY
from tests.helpers import as_viewer, csv_bytes
from tests.rendering import interpreted, rendered_texts
from tests.test_ingest import HEADER, ROW_A1, ROW_A2

PAGES = Path(__file__).resolve().parent.parent / "pages"

IMAGE = "![pixel](http://evil.example/pixel.png)"
LINK = "[Cliquez ici](http://evil.example/phishing)"
HTML = '<img src="http://evil.example/h.png"><a href="http://evil.example/a">lien</a>'
DIRECTIVES = ":red[rouge] :material/warning: $x^2$"
BARE = "www.evil.example"
CONTROLS = "\x07\u202e\x1b"

ASSOCIATION = f"Asso {IMAGE} {LINK} <b>gras</b> {BARE}{CONTROLS}"
ANTENNE = f"Antenne {HTML}"
TERRITOIRE = f"Territoire {DIRECTIVES} {LINK}"
ETABLISSEMENT = f"MECS {HTML} " + "très " * 60  # longer than its column: cut
HEADER_UNKNOWN = f"Notes {IMAGE}"
FILE_NAME = f"export {IMAGE} {HTML}{CONTROLS}.csv"
USER = f"{LINK}{CONTROLS}"
# Each piece of the hostile strings, unescaped (a backslash before it: shown as text).
EVIDENCE = [
    re.compile(r"(?<!\\)" + re.escape(e))
    for e in ("evil.example", ":red[", ":material/warning:", "$x^2$", "<b>gras", "<img", "<a ")
]
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
OWN_CHART_MARKUP = {"b", "br", "extra"}  # the builders' own hover markup


def _referential(demo_dir: Path) -> bytes:
    """The demo referential plus one hostile association with a hostile antenna."""
    source = next((demo_dir / "fichiers").glob("01_referentiel_associations_*.xlsx"))
    workbook = openpyxl.load_workbook(source)
    sheet = workbook.active
    in_xlsx = ASSOCIATION.replace("\x07", " ").replace("\x1b", " ")  # xlsx holds no C0
    sheet.append([in_xlsx, 10, TERRITOIRE, "59350", "Scolarité", "Présentiel", ANTENNE, "59350"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _export() -> bytes:
    header = [*HEADER, "Établissement", "Territoire", HEADER_UNKNOWN]
    first = [*ROW_A1, ETABLISSEMENT, TERRITOIRE, "x"]
    second = [f"{LINK}", *ROW_A2[1:], ETABLISSEMENT, TERRITOIRE, "y"]
    second[4] = "Lille"
    return csv_bytes([header, first, second], encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_db(demo_pristine, tmp_path_factory) -> str:
    demo_path = demo_pristine
    copy = tmp_path_factory.mktemp("hostile") / "hostile.db"
    shutil.copy(demo_path, copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    referential = ingest(
        engine, _referential(demo_path.parent), f"referentiel {LINK}.xlsx", TEST_KEY, user=USER
    )
    export = ingest(engine, _export(), FILE_NAME, TEST_KEY, association=ASSOCIATION, user=USER)
    engine.dispose()
    assert referential.statut == "charge", referential.erreurs
    assert export.statut == "charge", export.erreurs
    assert export.colonnes_non_reconnues == ["Heures", HEADER_UNKNOWN]
    return url


@pytest.fixture
def hostile_app(hostile_db, monkeypatch):
    monkeypatch.setenv(settings.DB_URL.env, hostile_db)
    monkeypatch.setenv(settings.SECRET_KEY.env, TEST_KEY.decode())
    return hostile_db


def leaks(at: AppTest) -> list[str]:
    """Everything on the page that a browser would interpret, or show mangled."""
    found = []
    for shown in rendered_texts(at):
        where = f"{shown.element} {shown.text[:90]!r}"
        if INVISIBLE.search(shown.text):
            found.append(f"caractère de contrôle dans {where}")
        if shown.kind == "markdown":
            found += [f"{what} dans {where}" for what in interpreted(shown.text)]
            found += [
                f"« {e.pattern} » brut dans {where}" for e in EVIDENCE if e.search(shown.text)
            ]
        elif shown.kind == "chart":
            tags = set(re.findall(r"</?([a-zA-Z]+)", shown.text)) - OWN_CHART_MARKUP
            found += [f"balise <{tag}> dans {where}" for tag in sorted(tags)]
            found += [
                f"« {e} » brut dans {where}" for e in ("<b>gras", "<img", "<a ") if e in shown.text
            ]
        elif "\\" in shown.text:
            found.append(f"échappement visible dans {where}")
    return found


def run_page(page: str) -> AppTest:
    at = as_viewer(AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=90)).run()
    assert not at.exception, at.exception
    return at


def markdown_texts(at: AppTest) -> str:
    return "\n".join(s.text for s in rendered_texts(at) if s.kind == "markdown")


def plain_texts(at: AppTest) -> list[str]:
    return [s.text for s in rendered_texts(at) if s.kind == "plain"]


def chart_texts(at: AppTest) -> list[str]:
    return [s.text for s in rendered_texts(at) if s.kind == "chart"]


STORED_ASSOCIATION = one_line(ASSOCIATION)


@pytest.mark.parametrize("page", sorted(p.stem for p in PAGES.glob("*.py")))
def test_no_page_interprets_text_from_files(hostile_app, page):
    at = run_page(page)
    assert leaks(at) == []


def test_hostile_names_are_shown_as_they_read(hostile_app):
    """Escaped is not hidden: the association is in the filters as it reads, in the
    freshness line and the capacity notice escaped, on the load chart as entities."""
    at = run_page("associations")
    assert STORED_ASSOCIATION in plain_texts(at)  # the sidebar's association filter
    assert "\u202e" not in STORED_ASSOCIATION and "\x1b" not in STORED_ASSOCIATION
    shown = markdown_texts(at)
    assert plain(STORED_ASSOCIATION) in shown
    assert f"{plain(STORED_ASSOCIATION)} : capacité non renseignée" not in shown  # capacity 10
    assert chart_text(STORED_ASSOCIATION) in chart_texts(at)


def test_antenna_names_on_the_map_are_entities(hostile_app):
    at = run_page("territoires")
    texts = chart_texts(at)
    assert chart_text(ANTENNE) in texts  # the star's label
    assert any(f"Antenne la plus proche : {chart_text(ANTENNE)}" in t for t in texts)


def test_file_and_user_names_in_the_history_are_plain(hostile_app):
    at = run_page("donnees")
    history = at.dataframe[2].value
    assert one_line(FILE_NAME) in set(history["Fichier"])
    assert one_line(USER) in set(history["Par"])
    assert any(one_line(FILE_NAME) in o for o in at.selectbox(key="annuler_import").options)


def test_undoing_the_hostile_import_says_so_in_text(hostile_db, tmp_path, monkeypatch):
    copy = tmp_path / "undo.db"
    shutil.copy(hostile_db.removeprefix("sqlite:///"), copy)
    monkeypatch.setenv(settings.DB_URL.env, f"sqlite:///{copy}")
    monkeypatch.setenv(settings.SECRET_KEY.env, TEST_KEY.decode())
    at = run_page("donnees")
    with make_engine(f"sqlite:///{copy}").connect() as conn:
        import_id = conn.execute(
            select(ImportLot.id).where(ImportLot.fichier == one_line(FILE_NAME))
        ).scalar_one()
    at.selectbox(key="annuler_import").set_value(import_id).run()
    at.button(key="annuler").click().run()
    assert not at.exception, at.exception
    done = at.success[0].value
    assert "annulé" in done and plain(one_line(FILE_NAME)) in done
    assert leaks(at) == []


def test_escaping_helpers():
    j = "\u2060"  # the word joiner that keeps a bare address from becoming a link
    assert plain("a*b* [x](y) <i> :red[z] $m$ www.site.fr a@b.fr http://x.fr") == (
        rf"a\*b\* \[x\](y) \<i\> \:red\[z\] \$m\$ www{j}.site{j}.fr a{j}@b{j}.fr "
        rf"http{j}\://x{j}.fr"
    )
    assert plain("Colonne : « Date » fin.") == "Colonne : « Date » fin."  # French reads the same
    assert plain("a\x00b\u202ec\n d") == "a b c d"
    assert message("ligne *1*\n- ligne [2]") == "ligne \\*1\\*\n- ligne \\[2\\]"
    assert chart_text("<a href='x'>A & B</a>") == "&lt;a href='x'&gt;A &amp; B&lt;/a&gt;"
    assert interpreted(plain(ASSOCIATION)) == [] and interpreted(message(HTML)) == []
    assert interpreted(ASSOCIATION) != []  # the check itself sees what it must


def test_importer_page_shows_a_hostile_upload_as_text(tmp_path, monkeypatch, key):
    """Questions, corrections, unknown labels, quarantine, the new association, the done
    message and a refusal: every step of an upload built to be interpreted."""
    from tests.test_ingest import ROW_BAD_DATE
    from tests.test_page_importer import upload

    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    header = [*HEADER[:9], f"Étape {IMAGE}", "Motif de fin"]
    rows = [
        [*ROW_A1[:9], "02/03/2025", f"Parti {LINK}"],
        [*ROW_A2[:9], "03/03/2025", f"Parti {LINK}"],
        [f"{HTML}", *ROW_BAD_DATE[1:9], "04/03/2025", ""],
    ]
    at = as_viewer(AppTest.from_file(str(PAGES / "importer.py"), default_timeout=90)).run()
    at = upload(at, FILE_NAME, csv_bytes([header, *rows], encoding="utf-8"), ASSOCIATION)
    assert leaks(at) == []
    asked = next(s for s in at.selectbox if "_q" in s.key)
    assert asked.label == f"« {plain(header[9])} »"
    asked.select(next(o for o in asked.options if "mise en relation" in o)).run()
    assert leaks(at) == []
    at.toggle(key=next(t.key for t in at.toggle if t.key.startswith("colonne_"))).set_value(True)
    at.run()
    assert leaks(at) == []
    label = next(s for s in at.selectbox if "Parti" in s.label)
    assert plain(f"Parti {LINK}") in label.label
    assert at.dataframe and leaks(at) == []
    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click().run()
    assert not at.exception, at.exception
    assert plain(STORED_ASSOCIATION) in at.success[0].value
    assert leaks(at) == []

    refused = upload(
        as_viewer(AppTest.from_file(str(PAGES / "importer.py"), default_timeout=90)).run(),
        f"{LINK}.xlsx",
        b"%PDF-1.7\n",
    )
    assert refused.error and leaks(refused) == []
