"""The Comité de pilotage page under AppTest on the demo database: the pack follows the
sidebar's period and filters (and the address), its tiles equal the indicators for the same
period and scope, an association gets its own pack with small counts hidden, the
administrator freezes a pack and finds it again, deletes it; only the administrator gives
the deck a template, which is cleaned of its external links (said) or refused (said)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

import settings
from indicators import funnel, headline
from indicators.catalogue import name, shown
from indicators.dataset import Filters, Period, accepted_range
from reports import frozen
from store.db import make_engine
from store.models import Journal
from tests import _hostile_templates as hostile
from tests.helpers import as_viewer, data_date_of, default_period

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "comite.py")
ENVOL = "Envol Mentorat Nord"


def expected_tiles(data, period: Period) -> dict[str, str]:
    """Catalogue name -> value as shown, computed here from the indicator functions."""
    values = headline.figures(data, period)
    values["parcours_bloques"] = len(funnel.stuck(data, period, settings.STUCK_DAYS.value()))
    return {name(i): shown(i, v) for i, v in values.items()}


def run(role: str = "admin", association: str | None = None, address=None) -> AppTest:
    at = as_viewer(AppTest.from_file(PAGE, default_timeout=120), role, association)
    for key, value in (address or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_tiles_are_the_indicators_of_the_period(demo_app, demo_dataset):
    at = run()
    period = default_period()
    assert {m.label: m.value for m in at.metric} == expected_tiles(demo_dataset, period)
    before = expected_tiles(demo_dataset, period.previous())
    assert {m.label: m.help.rsplit(" : ", 1)[1] for m in at.metric} == before
    assert [b.proto.label for b in at.get("download_button")][:2] == [
        "Diaporama PowerPoint (.pptx)",
        "Classeur Excel (.xlsx)",
    ]
    assert any("3. Entonnoir du parcours" in m.value for m in at.markdown)
    assert [c.label for c in at.checkbox] == [
        "Diffusion aux partenaires (masquer les effectifs de 1 à 10)"
    ]
    assert at.button(key="FormSubmitter:comite_figer-Figer pour le comité")


def test_a_comparison_a_year_earlier_and_a_territory(demo_app, demo_dataset):
    at = run()
    at.radio(key="comite_comparaison").set_value("annee").run()
    period = default_period()
    year = Period(
        period.du.replace(year=period.du.year - 1), period.au.replace(year=period.au.year - 1)
    )
    before = expected_tiles(demo_dataset, year)
    assert {m.label: m.help.rsplit(" : ", 1)[1] for m in at.metric} == before

    territory = at.sidebar.selectbox(key="f_territoire").options[1]
    at.sidebar.selectbox(key="f_territoire").set_value(territory).run()
    scoped = demo_dataset.scoped(Filters(territoire=territory))
    assert {m.label: m.value for m in at.metric} == expected_tiles(scoped, period)
    assert any(c.value.startswith(f"Territoire {territory} · ") for c in at.caption)


def test_two_chosen_dates_are_checked_like_every_period(demo_app, demo_dataset):
    at = run()
    at.radio(key="comite_comparaison").set_value("dates").run()
    chosen = Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    at.date_input(key="comite_comparaison_dates").set_value((chosen.du, chosen.au)).run()
    assert not at.exception
    assert not [e for e in at.error if "Période refusée" in e.value]
    before = expected_tiles(demo_dataset, chosen)
    assert {m.label: m.help.rsplit(" : ", 1)[1] for m in at.metric} == before
    # a date outside the accepted range, sent anyway (a hand-built message): the box's
    # bounds put its default back, the previous period, and nothing is asked of 1900
    box = at.date_input(key="comite_comparaison_dates")
    assert (box.min, box.max) == accepted_range(data_date_of())
    box.set_value((dt.date(1900, 1, 1), dt.date(2025, 3, 31))).run()
    assert not at.exception
    previous = default_period().previous()
    assert at.date_input(key="comite_comparaison_dates").value == (previous.du, previous.au)
    assert {m.label: m.help.rsplit(" : ", 1)[1] for m in at.metric} == expected_tiles(
        demo_dataset, previous
    )


def test_an_association_gets_its_own_pack_with_small_counts_hidden(demo_app, demo_dataset):
    at = run("association", ENVOL)
    period = default_period()
    own = demo_dataset.scoped(Filters(association=ENVOL))
    assert {m.label: m.value for m in at.metric} == expected_tiles(own, period)
    captions = " ".join(c.value for c in at.caption)
    assert f"Périmètre : Association {ENVOL}." in captions
    assert "effectifs de 1 à 10 des tableaux de lieux sont masqués" in captions
    assert not at.checkbox  # no choice of audience: the pack is for partners
    assert [s.options for s in at.sidebar.selectbox if s.label == "Association"] == [
        ["Toutes", ENVOL]
    ]
    assert not [b for b in at.button if "Figer" in b.label]


def test_the_direction_reads_and_downloads_but_does_not_freeze(demo_app):
    at = run("direction")
    assert at.get("download_button")
    assert not [b for b in at.button if "Figer" in b.label]


@pytest.mark.parametrize(("role", "association"), [("direction", None), ("association", ENVOL)])
def test_only_the_administrator_gives_the_deck_a_template(demo_app, role, association):
    at = run(role, association)
    assert at.get("download_button")  # the pack itself, on the default layout
    assert not at.file_uploader


def test_a_template_loses_its_external_links_and_says_so(demo_app):
    at = run()
    assert at.file_uploader(key="comite_modele")
    template = hostile.with_external_links()
    at.file_uploader(key="comite_modele").upload("charte.pptx", template).run()
    assert not at.exception, at.exception
    assert not [e for e in at.error if "modèle" in e.value]  # the pack's alerts aside
    assert [i.value for i in at.info if "retiré" in i.value] == [
        f"{hostile.KEPT_LINKS} liens externes retirés du modèle ; {hostile.ACTIONS} actions "
        "au clic (macro, programme) retirées du modèle."
    ]
    assert [b.proto.label for b in at.get("download_button")][:2] == [
        "Diaporama PowerPoint (.pptx)",
        "Classeur Excel (.xlsx)",
    ]


def test_a_template_with_a_doctype_is_refused_in_french(demo_app):
    at = run()
    template = hostile.with_declaration(hostile.MASTER)
    at.file_uploader(key="comite_modele").upload("charte.pptx", template).run()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error if "modèle" in e.value]  # the pack's alerts aside
    assert "déclaration DOCTYPE ou ENTITY" in error
    assert any("mise en page par défaut" in c.value for c in at.caption)
    assert at.get("download_button")  # the pack is still there, on the default layout


@pytest.fixture
def own_copy(demo_pristine, tmp_path, monkeypatch):
    """A copy of the demo database this test may write to."""
    path = tmp_path / "comite.db"
    shutil.copy(demo_pristine, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    from tests.conftest import TEST_KEY

    monkeypatch.setenv(settings.SECRET_KEY.env, TEST_KEY.decode())
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_the_administrator_freezes_a_pack_then_deletes_it(own_copy):
    at = run()
    at.text_input[0].set_value("Comité de décembre")
    at.button(key="FormSubmitter:comite_figer-Figer pour le comité").click().run()
    assert not at.exception, at.exception
    done = [s.value for s in at.success if s.value.startswith("Pack figé")]
    assert done and done[0].startswith("Pack figé n° 1 « Comité de décembre » :")
    packs = frozen.listing(own_copy)
    assert [p.libelle for p in packs] == ["Comité de décembre"]
    stored, picture = frozen.load(own_copy, packs[0].id)
    assert picture.startswith(b"\x89PNG")
    shown_now = {m.label: m.value for m in at.metric}
    assert {name(f.id): shown(f.id, f.now) for f in stored.figures} == shown_now
    # The next pack of the same scope is compared with it.
    assert [i.value for i in at.info if "Depuis" in i.value] == [
        "Depuis le pack figé « Comité de décembre » : aucun chiffre n'a changé."
    ]
    assert at.selectbox(key="comite_fige").value == packs[0].id
    assert len(at.get("download_button")) == 4

    at.checkbox(key=f"comite_sur_{packs[0].id}").check().run()
    at.button(key="comite_supprimer").click().run()
    assert frozen.listing(own_copy) == []
    with own_copy.connect() as conn:
        actions = conn.execute(select(Journal.action).order_by(Journal.id)).scalars().all()
    assert actions[-2:] == ["comite_fige", "comite_supprime"]


def test_a_pack_for_partners_says_where_small_counts_are_hidden(demo_app, demo_dataset):
    from indicators import coverage
    from indicators.small_counts import suppress

    at = run()
    assert not [c for c in at.caption if "masqués (« < 11 »)" in c.value]
    at.checkbox(key="comite_partenaires").check().run()
    period = default_period()
    epci = coverage.by_epci(demo_dataset, period)
    hidden = suppress(epci, ["jeunes_inscrits", "demarrages"], threshold=11).count_hidden
    assert hidden > 0  # the demo has small EPCI counts: the case is exercised
    (said,) = [c.value for c in at.caption if "masqués (« < 11 »)" in c.value]
    assert "Jeunes inscrits par intercommunalité (EPCI)" in said
    assert "Entonnoir" not in said


def test_after_next_months_import_the_frozen_pack_keeps_its_numbers(own_copy):
    """The journey of the issue: freeze, import next month's file, download the frozen pack
    again (same numbers) while the live pack shows the change since the comité."""
    from pipelines.api import ingest
    from reports.workbook import workbook
    from tests.conftest import TEST_KEY
    from tests.helpers import csv_bytes
    from tests.test_ingest import HEADER

    at = run()
    youths = {m.label: m.value for m in at.metric}["Jeunes inscrits"]
    at.text_input[0].set_value("Comité d'octobre")
    at.button(key="FormSubmitter:comite_figer-Figer pour le comité").click().run()
    recent = (data_date_of() - dt.timedelta(days=5)).strftime("%d/%m/%Y")  # in the period
    rows = [
        [f"NOUV{i}", f"Nom{i}", f"Prénom{i}", f"0{i}/01/2010", "Lille", "", "", "", recent]
        + [""] * 8
        for i in (1, 2)
    ]
    report = ingest(
        own_copy, csv_bytes([HEADER, *rows]), "novembre.csv", TEST_KEY, association=ENVOL, demo=True
    )
    assert report.statut == "charge" and report.nouveaux == 2

    at.run()
    assert not at.exception, at.exception
    now = {m.label: m.value for m in at.metric}["Jeunes inscrits"]
    assert int(now.replace("\u202f", "")) == int(youths.replace("\u202f", "")) + 2
    (since,) = [i.value for i in at.info if i.value.startswith("Depuis le pack figé")]
    assert since.startswith("Depuis le pack figé « Comité d'octobre » : Jeunes inscrits +2")

    (pack_id,) = [p.id for p in frozen.listing(own_copy)]
    stored, picture = frozen.load(own_copy, pack_id)
    book = openpyxl.load_workbook(io.BytesIO(workbook(stored, map_png=picture)))
    figures = {r[0]: r[1] for r in book["Chiffres clés"].iter_rows(values_only=True) if r[0]}
    assert figures["Jeunes inscrits"] == int(youths.replace("\u202f", ""))


def test_a_label_full_of_markdown_reads_as_typed(own_copy):
    from reports.pack import build_pack
    from store.audit import Actor

    label = "**Comité** _x_ [lien](http://x.fr) :red[a]"
    with own_copy.connect() as conn:
        from indicators.dataset import Dataset
        from store.queries import dataset_frames

        data = Dataset(**dataset_frames(conn))
    pack = build_pack(own_copy, data, default_period())
    frozen.freeze(own_copy, pack, None, label, "departement", None, Actor("a_b_c"))
    at = run()
    assert at.selectbox(key="comite_fige").options[0].startswith(f"{label} — du ")
    (since,) = [i.value for i in at.info if i.value.startswith("Depuis le pack figé")]
    assert "\\*\\*Comité\\*\\* \\_x\\_ \\[lien\\](http" in since  # escaped: shown as typed
    assert any("par a\\_b\\_c" in c.value for c in at.caption)


def test_the_pack_follows_the_sidebar_and_the_address(demo_app, demo_dataset):
    """A shared link (period, association, canal) opens the pack of that view; a filter
    changed in the sidebar changes the pack: one period and one scope for the pages and the
    pack."""
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    address = {"du": "2025-01-01", "au": "2025-06-30", "association": ENVOL, "canal": "fiche_cd"}
    at = run(address=address)
    both = demo_dataset.scoped(Filters(association=ENVOL, canal="fiche_cd"))
    assert {m.label: m.value for m in at.metric} == expected_tiles(both, period)
    before = expected_tiles(both, period.previous())
    assert {m.label: m.help.rsplit(" : ", 1)[1] for m in at.metric} == before
    scope = f"Association : {ENVOL} · Canal : fiche candidature du CD"
    assert any(c.value.startswith(f"{scope} · du 01/01/2025 au 30/06/2025") for c in at.caption)
    assert [d.label for d in at.date_input] == ["Période (inscriptions du … au …)"]  # sidebar

    (association,) = [s for s in at.sidebar.selectbox if s.label == "Association"]
    association.set_value("Toutes").run()
    canal = demo_dataset.scoped(Filters(canal="fiche_cd"))
    assert {m.label: m.value for m in at.metric} == expected_tiles(canal, period)
    assert at.query_params["du"] in ("2025-01-01", ["2025-01-01"])
