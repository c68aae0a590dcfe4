"""The comité deck (reports/deck.py) read back with python-pptx: native charts and tables
holding the pack's values, checked against the indicators computed directly on the demo
data; small counts hidden in the EPCI table and chart; the département's template used,
bad templates refused with a French message, hostile ones (external links, DOCTYPE, OLE,
ActiveX) cleaned or refused; hostile names kept as plain text, in the charts' workbooks
too."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date

import openpyxl
import pytest
from docx import Document
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER

import settings
from domain.spreadsheet_cells import is_formula_like
from indicators import committee, coverage, funnel, headline, workload
from indicators.catalogue import entry, shown
from indicators.committee import Chart, Section, period_words
from indicators.dataset import Period
from reports.deck import TemplateError, deck
from reports.deck_template_clean import clean_template
from tests import _hostile_templates as hostile

PERIOD = Period(date(2025, 1, 1), date(2025, 12, 31))
KINDS = {
    "barres": XL_CHART_TYPE.BAR_CLUSTERED,
    "colonnes": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "courbes": XL_CHART_TYPE.LINE_MARKERS,
}
GREEN, RED = RGBColor(0x1B, 0x6E, 0x2F), RGBColor(0xB0, 0x1E, 0x1E)
MAP_TITLE = "Carte des jeunes et des antennes"


@pytest.fixture(scope="module")
def pack(demo_dataset):
    built = committee.build(demo_dataset, PERIOD, "precedente", hide_small=True)
    return dataclasses.replace(
        built,
        sources=[["Envol Mentorat Nord", "données au 30/11/2025"]],
        generated="le 02/01/2026 à 09:30 par m.dupont",
    )


@pytest.fixture(scope="module")
def map_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 600), (210, 225, 240)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def content(pack, map_png) -> bytes:
    return deck(pack, map_png=map_png)


@pytest.fixture(scope="module")
def prs(content):
    return _open(content)


def _open(content: bytes):
    return Presentation(io.BytesIO(content))


def _title(slide) -> str:
    return slide.shapes.title.text


def _slides(prs, title: str) -> list:
    return [s for s in prs.slides if _title(s) == title]


def _chart(slide):
    charts = [s for s in slide.shapes if s.has_chart]
    assert len(charts) == 1, _title(slide)
    return charts[0].chart


def _table(slide) -> list[list[str]]:
    tables = [s for s in slide.shapes if s.has_table]
    assert len(tables) == 1, _title(slide)
    return [[c.text for c in row.cells] for row in tables[0].table.rows]


def _section_table(prs, title: str) -> list[list[str]]:
    """Header then every row of a section's table, over its slides."""
    rows: list[list[str]] = []
    first = f"{title} : le tableau"
    for slide in [*_slides(prs, first), *_slides(prs, f"{first} (suite)")]:
        header, *body = _table(slide)
        rows = rows or [header]
        rows += body
    return rows


def _points(column: list) -> list:
    return [None if isinstance(v, str) or v is None else v for v in column]


def _series(chart) -> dict[str, list]:
    return {s.name: list(s.values) for s in chart.plots[0].series}


def _pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def _body_text(slide) -> list[str]:
    body = [
        ph
        for ph in slide.placeholders
        if ph.placeholder_format.type in (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
    ]
    assert len(body) == 1, _title(slide)
    return [p.text for p in body[0].text_frame.paragraphs]


# --- slides, titles, charts ---------------------------------------------------------------


def test_slides_in_order_with_titles_in_placeholders(prs, pack):
    titles = [_title(s) for s in prs.slides]
    for slide in prs.slides:
        assert slide.shapes.title.is_placeholder
        assert slide.shapes.title.text.strip()
    assert titles[:2] == ["Comité de pilotage du mentorat", "Chiffres clés"]
    assert titles.index("Alertes à traiter") < titles.index("Décisions à prendre")
    assert titles.index("Décisions à prendre") < titles.index("Définitions")
    positions = [titles.index(s.title) for s in pack.sections]
    assert positions == sorted(positions)
    territories = titles.index(pack.section("territoires").title)
    assert titles[territories + 1] == MAP_TITLE
    assert titles[territories + 2] == f"{pack.section('territoires').title} : le tableau"
    assert prs.slide_width == 12192000 and prs.slide_height == 6858000  # 16:9
    assert prs.core_properties.language == "fr-FR"
    assert prs.core_properties.title == "Comité de pilotage du mentorat"


def test_title_slide(prs, pack):
    slide = prs.slides[0]
    subtitle = next(
        ph for ph in slide.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE
    )
    lines = [p.text for p in subtitle.text_frame.paragraphs]
    assert "Période du 01/01/2025 au 31/12/2025" in lines
    assert "Périmètre : Département" in lines
    assert "Comparaison : Période précédente de même durée (du 02/01/2024 au 31/12/2024)" in lines
    assert "Préparé le 02/01/2026 à 09:30 par m.dupont" in lines
    assert "Données : Envol Mentorat Nord — données au 30/11/2025" in lines
    assert not any(line.startswith("Figé") for line in lines)
    frozen = dataclasses.replace(
        pack, frozen_label="Comité du 12 juin 2026", frozen_on="le 12/06/2026 à 10:02 par m.d"
    )
    again = _open(deck(frozen))
    assert _title(again.slides[0]) == "Comité du 12 juin 2026"
    assert "Figé le 12/06/2026 à 10:02 par m.d" in [
        p.text for p in again.slides[0].placeholders[1].text_frame.paragraphs
    ]
    assert again.core_properties.title == "Comité du 12 juin 2026"


def test_every_chart_is_native_and_holds_the_section_table(prs, pack):
    drawn = [s for s in pack.sections if s.chart is not None and s.rows]
    assert len(drawn) >= 8
    for section in drawn:
        (slide,) = _slides(prs, section.title)
        chart = _chart(slide)
        assert not _pictures(slide)
        assert chart.chart_type == KINDS[section.chart.kind]
        assert list(chart.plots[0].categories) == [
            str(v) for v in section.column(section.chart.categories)
        ]
        names = [entry(c).name for c in section.chart.series]
        assert list(_series(chart)) == names
        for column, name in zip(section.chart.series, names, strict=True):
            assert _series(chart)[name] == _points(section.column(column))
        assert chart.has_legend == (len(section.chart.series) > 1)
        if section.chart.kind == "barres":
            assert chart.category_axis.reverse_order
    pictures = [s for s in prs.slides if _pictures(s)]
    assert [_title(s) for s in pictures] == [MAP_TITLE]  # the map is the only picture


def test_charts_equal_the_indicators_computed_directly(prs, pack, demo_dataset):
    steps = funnel.funnel(demo_dataset, PERIOD)
    chart = _chart(_slides(prs, "Entonnoir du parcours")[0])
    assert list(chart.plots[0].categories) == steps["libelle"].tolist()
    assert _series(chart)["Parcours ayant atteint l'étape"] == steps["effectif"].tolist()

    load = workload.association_load(demo_dataset, PERIOD.au)
    chart = _chart(_slides(prs, pack.section("associations").title)[0])
    assert list(chart.plots[0].categories) == load["association"].tolist()
    assert _series(chart)["Binômes actifs"] == load["binomes_actifs"].tolist()
    assert _series(chart)["Capacité (binômes financés)"] == [int(v) for v in load["capacite"]]

    bands = coverage.distance_bands(demo_dataset, PERIOD)
    chart = _chart(_slides(prs, "Distance à l'antenne la plus proche")[0])
    assert list(chart.plots[0].categories) == bands["tranche"].tolist()
    assert _series(chart)["Jeunes inscrits"] == bands["jeunes_inscrits"].tolist()

    epci = coverage.by_epci(demo_dataset, PERIOD)
    chart = _chart(_slides(prs, pack.section("epci").title)[0])
    assert list(chart.plots[0].categories) == epci["epci_nom"].tolist()
    drawn = _series(chart)["Jeunes inscrits"]
    for value, count in zip(drawn, epci["jeunes_inscrits"], strict=True):
        if 1 <= count < 11:
            assert value is None  # a small count is an empty point, never a number
        else:  # drawn, or hidden too so that the totals do not give a small one back
            assert value in (count, None)
    assert sum(v is not None for v in drawn) >= len(drawn) // 2


def test_chart_number_formats(prs, pack):
    chart = _chart(_slides(prs, "Entonnoir du parcours")[0])
    assert chart.value_axis.tick_labels.number_format == "#,##0"
    assert not chart.value_axis.tick_labels.number_format_is_linked
    assert chart.plots[0].data_labels.number_format == "#,##0"
    chart = _chart(_slides(prs, pack.section("honorabilite").title)[0])
    assert chart.value_axis.tick_labels.number_format == "#,##0.0"
    assert chart.plots[0].data_labels.number_format == "#,##0.0"

    shares = Section(
        "parts",
        "Taux par étape",
        "Définition.",
        ["libelle", "taux_depuis_inscription"],
        [["Attribution", 0.9732], ["Démarrage", "< 11"], ["Clôture", None]],
        chart=Chart("colonnes", "Taux", "libelle", ["taux_depuis_inscription"], "part"),
    )
    chart = _chart(
        _slides(_open(deck(dataclasses.replace(pack, sections=[shares]))), "Taux par étape")[0]
    )
    assert chart.value_axis.tick_labels.number_format == "0.0%"
    assert chart.plots[0].data_labels.number_format == "0.0%"
    assert not chart.plots[0].data_labels.number_format_is_linked
    codes = chart.plots[0].series[0]._element.xpath("./c:val//c:formatCode")
    assert [c.text for c in codes] == ["0.0%"]
    assert list(chart.plots[0].series[0].values) == [0.9732, None, None]


# --- small counts -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def few_in_lille(demo_dataset):
    """The demo data with only 4 cohort youths left in the largest EPCI: its count is
    surely hidden when small counts are."""
    p = demo_dataset.parcours
    in_cohort = PERIOD.contains(p["date_inscription"])
    target = p.loc[in_cohort, "epci_nom"].value_counts().index[0]
    drop = p.index[in_cohort & (p["epci_nom"] == target)][4:]
    cut = dataclasses.replace(demo_dataset, parcours=p.drop(index=drop))
    counts = coverage.by_epci(cut, PERIOD).set_index("epci_nom")["jeunes_inscrits"]
    assert counts[target] == 4  # worked out by hand: 4 kept
    return cut, target


def _epci_cell(prs, title: str, name: str) -> str:
    header, *rows = _section_table(prs, title)
    at = header.index("Jeunes inscrits")
    return next(row[at] for row in rows if row[0] == name)


def test_small_count_hidden_in_table_and_chart(few_in_lille):
    data, target = few_in_lille
    hidden = committee.build(data, PERIOD, hide_small=True)
    section = hidden.section("epci")
    row = next(r for r in section.rows if r[0] == target)
    assert row[section.columns.index("jeunes_inscrits")] == "< 11"  # the pack hides it
    prs = _open(deck(hidden))
    assert _epci_cell(prs, section.title, target) == "< 11"
    chart = _chart(_slides(prs, section.title)[0])
    at = list(chart.plots[0].categories).index(target)
    assert _series(chart)["Jeunes inscrits"][at] is None
    (slide,) = _slides(prs, section.title)
    assert any("« < 11 »" in s.text_frame.text for s in slide.shapes if s.has_text_frame)

    shown_pack = committee.build(data, PERIOD, hide_small=False)
    prs = _open(deck(shown_pack))
    assert _epci_cell(prs, section.title, target) == "4"
    chart = _chart(_slides(prs, section.title)[0])
    at = list(chart.plots[0].categories).index(target)
    assert _series(chart)["Jeunes inscrits"][at] == 4


# --- tables -------------------------------------------------------------------------------


def test_key_figures_table(prs, pack, demo_dataset):
    header, *rows = _table(_slides(prs, "Chiffres clés")[0])
    assert header == ["Indicateur", "Sur la période", "Période de comparaison", "Évolution"]
    now = headline.figures(demo_dataset, PERIOD)
    before = headline.figures(demo_dataset, PERIOD.previous())
    days = settings.STUCK_DAYS.value()
    now["parcours_bloques"] = len(funnel.stuck(demo_dataset, PERIOD, days))
    before["parcours_bloques"] = len(funnel.stuck(demo_dataset, PERIOD.previous(), days))
    assert [r[0] for r in rows] == [entry(i).name for i in now]
    for row, id_ in zip(rows, now, strict=True):
        assert row[1] == shown(id_, now[id_])
        assert row[2] == shown(id_, before[id_])
    young = rows[0]
    diff = now["jeunes_inscrits"] - before["jeunes_inscrits"]
    assert 0 < diff < 1000
    assert young[3] == f"+{diff}"  # worked out by hand
    cell = next(s for s in prs.slides[1].shapes if s.has_table).table.cell(1, 3)
    assert cell.text_frame.paragraphs[0].runs[0].font.color.rgb == GREEN  # a rise is good


def test_since_last_comite_columns(pack):
    figures = [
        dataclasses.replace(f, last_comite=f.now - 10 if f.id == "jeunes_inscrits" else f.now)
        for f in pack.figures
    ]
    since = dataclasses.replace(pack, figures=figures, last_comite_label="Comité du 12 juin")
    prs = _open(deck(since))
    header, young, *_ = _table(_slides(prs, "Chiffres clés")[0])
    assert header[4:] == ["Au dernier comité", "Depuis le dernier comité"]
    assert young[4] == shown("jeunes_inscrits", figures[0].last_comite)
    assert young[5] == "+10"
    table = next(s for s in prs.slides[1].shapes if s.has_table).table
    assert table.cell(1, 5).text_frame.paragraphs[0].runs[0].font.color.rgb == GREEN
    blocked = [f.id for f in pack.figures].index("parcours_bloques")
    assert pack.figures[blocked].now > 0
    worse = [
        dataclasses.replace(f, last_comite=0) if f.id == "parcours_bloques" else f for f in figures
    ]
    prs = _open(deck(dataclasses.replace(since, figures=worse)))
    cell = next(s for s in prs.slides[1].shapes if s.has_table).table.cell(blocked + 1, 5)
    assert cell.text == f"+{pack.figures[blocked].now}"  # more parcours bloqués: bad, red
    assert cell.text_frame.paragraphs[0].runs[0].font.color.rgb == RED


def test_section_tables_formatted_and_complete(prs, pack):
    for section in pack.sections:
        rows = _section_table(prs, section.title)
        assert rows[0] == [section.header(c) for c in section.columns]
        expected = [
            [
                "–" if v is None else v if isinstance(v, str) else shown(c, v)
                for c, v in zip(section.columns, row, strict=True)
            ]
            for row in section.rows
        ]
        assert rows[1:] == expected, section.id
    steps = _section_table(prs, "Entonnoir du parcours")
    assert steps[2][steps[0].index("Taux depuis l'inscription")] == shown(
        "taux_depuis_inscription", pack.section("entonnoir").rows[1][3]
    )


def test_long_table_continues_on_further_slides(pack):
    rows = [[f"Ligne {i}", i] for i in range(40)]
    long = Section("long", "Liste", "Définition.", ["libelle", "demandes"], rows)
    prs = _open(deck(dataclasses.replace(pack, sections=[long])))
    slides = [*_slides(prs, "Liste : le tableau"), *_slides(prs, "Liste : le tableau (suite)")]
    assert len(slides) >= 3
    assert all(len(_table(s)) - 1 <= 15 for s in slides)
    assert _section_table(prs, "Liste")[1:] == [[f"Ligne {i}", str(i)] for i in range(40)]


def test_empty_section_says_so(pack):
    empty = dataclasses.replace(pack.section("honorabilite"), rows=[])
    prs = _open(deck(dataclasses.replace(pack, sections=[empty])))
    (slide,) = _slides(prs, empty.title)
    assert not any(s.has_chart for s in slide.shapes)
    texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    assert "Aucune donnée sur la période." in texts
    assert not _slides(prs, f"{empty.title} : le tableau")


def test_section_figures_and_note_beside_the_chart(prs, pack):
    section = pack.section("durees")
    (slide,) = _slides(prs, section.title)
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    for id_, value in section.figures:
        assert f"{entry(id_).name} : {shown(id_, value)}" in text
    for shape in slide.shapes:
        if shape.has_text_frame and not shape.is_placeholder:
            sizes = [r.font.size.pt for p in shape.text_frame.paragraphs for r in p.runs]
            assert sizes and min(sizes) >= 12


# --- map, alerts, decisions, definitions --------------------------------------------------


def test_map_slide(pack, map_png):
    prs = _open(deck(pack, map_png=map_png))
    with_pictures = [s for s in prs.slides if _pictures(s)]
    assert [_title(s) for s in with_pictures] == [MAP_TITLE]
    (picture,) = _pictures(with_pictures[0])
    assert picture.width / picture.height == pytest.approx(2.0, rel=0.01)
    assert picture.left >= 0 and picture.left + picture.width <= prs.slide_width
    assert picture.top + picture.height <= prs.slide_height


def test_alerts_in_the_body_placeholder(prs, pack):
    lines = [line for s in _slides(prs, "Alertes à traiter") for line in _body_text(s)]
    for alert in pack.alerts:
        if alert["finding"] is None:
            assert alert["calm"] in lines
        else:
            assert alert["finding"] in lines
            assert f"À faire : {alert['action']}" in lines


def test_decision_boxes(prs):
    (slide,) = _slides(prs, "Décisions à prendre")
    boxes = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE]
    assert len(boxes) in (3, 4)
    assert boxes[0].text_frame.text.splitlines() == [
        "Décision 1 : …",
        "Responsable :",
        "Échéance :",
    ]


def test_definitions_over_several_slides(prs, pack):
    slides = [*_slides(prs, "Définitions"), *_slides(prs, "Définitions (suite)")]
    assert len(slides) >= 2
    text = "\n".join(line for s in slides for line in _body_text(s))
    for name, definition in pack.definitions():
        assert f"{name} : {definition}" in text
    for section in pack.sections:
        assert section.definition.split("\n")[0] in text
    for slide in slides:
        body = next(ph for ph in slide.placeholders if ph.placeholder_format.idx != 0)
        paragraphs = body.text_frame.paragraphs
        assert sum(p.level == 0 for p in paragraphs) <= 8
        assert min(r.font.size.pt for p in paragraphs for r in p.runs) >= 11


# --- templates ----------------------------------------------------------------------------


def _saved(presentation) -> bytes:
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _charter() -> bytes:
    """A 4:3 template with a renamed layout and a slide of its own."""
    charter = Presentation()  # python-pptx's own template is 4:3
    charter.slide_layouts[5].name = "Titre seul (charte)"
    slide = charter.slides.add_slide(charter.slide_layouts[0])
    slide.shapes.title.text = "Diapositive du modèle"
    slide.notes_slide.notes_text_frame.text = "Notes du modèle"
    return _saved(charter)


def test_template_size_and_layouts_used(pack):
    content = deck(pack, template=_charter())
    prs = _open(content)
    parts = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert len([n for n in parts if n.startswith("ppt/slides/slide")]) == len(prs.slides)
    assert not any(b"Notes du mod" in zipfile.ZipFile(io.BytesIO(content)).read(n) for n in parts)
    assert (prs.slide_width, prs.slide_height) == (9144000, 6858000)
    titles = [_title(s) for s in prs.slides]
    assert "Diapositive du modèle" not in titles
    assert titles[:2] == ["Comité de pilotage du mentorat", "Chiffres clés"]
    assert prs.slides[1].slide_layout.name == "Titre seul (charte)"
    for slide in prs.slides:
        for shape in slide.shapes:
            if not shape.is_placeholder:
                assert shape.left >= 0 and shape.left + shape.width <= prs.slide_width


def test_potx_template_is_accepted(pack):
    source = zipfile.ZipFile(io.BytesIO(_charter()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as potx:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"presentation.main+xml", b"template.main+xml")
            potx.writestr(info, data)
    prs = _open(deck(pack, template=out.getvalue()))
    assert prs.slide_width == 9144000


def _docx() -> bytes:
    document = Document()
    document.add_paragraph("Charte graphique")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip(**entries: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name.replace("__", "/").replace("_xml", ".xml"), data)
    return out.getvalue()


def _bomb() -> bytes:
    """A small zip declaring 160 MB once unpacked."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("ppt/presentation.xml", "w", force_zip64=True) as member:
            block = b"\0" * 2**20
            for _ in range(160):
                member.write(block)
    return out.getvalue()


def _without_titles() -> bytes:
    charter = Presentation()
    for layout in charter.slide_layouts:
        for ph in list(layout.placeholders):
            if ph.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE):
                ph._element.getparent().remove(ph._element)
    return _saved(charter)


def _with_macros() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_charter()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr("ppt/vbaProject.bin", b"macro")
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: b"not a pptx", "pas une présentation PowerPoint"),
        (lambda: b"", "pas une présentation PowerPoint"),
        (_docx, "document Word"),
        (lambda: _zip(), "pas une présentation PowerPoint"),
        (lambda: _zip(ppt__presentation_xml=b"<x/>"), "pas une présentation PowerPoint"),
        (lambda: b"PK" + b"\0" * (20 * 2**20), "20 Mo"),
        (_bomb, "décompressé"),
        (_without_titles, "espace réservé de titre"),
        (_with_macros, "macros"),
        (
            lambda: _zip(**{"[Content_Types].xml": b"<", "ppt__presentation.xml": b"<"}),
            "n'a pas pu être lu",
        ),
    ],
)
def test_bad_templates_are_refused_in_french(pack, make, words):
    with pytest.raises(TemplateError) as caught:
        deck(pack, template=make())
    message = str(caught.value)
    assert words in message
    assert "PowerPoint" in message or "modèle" in message


def test_a_map_that_is_no_picture_is_not_blamed_on_the_template(pack):
    with pytest.raises(ValueError) as caught:
        deck(pack, template=_charter(), map_png=b"not a png")
    assert not isinstance(caught.value, TemplateError)


# --- hostile text and speed ---------------------------------------------------------------

HOSTILE = ["<script>&\"'", '=HYPERLINK("http://example.org","clic")', "+1-1", "@SOMME(A1)"]


def test_hostile_names_stay_plain_text(pack):
    section = pack.section("associations")
    rows = [[name, *row[1:]] for name, row in zip(HOSTILE, section.rows, strict=False)]
    rows[0][0] += "\x0b\x00"  # characters XML cannot hold are dropped
    hostile = dataclasses.replace(section, rows=rows, note='Note <b>&amp; "citée"</b>')
    prs = _open(deck(dataclasses.replace(pack, sections=[hostile], scope_label="<i>&</i>")))
    (slide,) = _slides(prs, section.title)
    chart = _chart(slide)
    assert list(chart.plots[0].categories) == HOSTILE[: len(rows)]
    texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    assert 'Note <b>&amp; "citée"</b>' in texts
    table = _section_table(prs, section.title)
    assert [r[0] for r in table[1:]] == HOSTILE[: len(rows)]
    assert "Périmètre : <i>&</i>" in prs.slides[0].placeholders[1].text_frame.text
    workbook = chart.part.chart_workbook.xlsx_part.blob
    sheet = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet  # "=HYPERLINK(…)" is a string in the chart's data, not a formula
    # Each name is a text cell, a formula-like one with Excel's quote prefix (as in every
    # workbook the product writes), so that editing the chart's data keeps it text.
    cells = openpyxl.load_workbook(io.BytesIO(workbook)).active
    names = [cells.cell(row=2 + i, column=1) for i in range(len(rows))]
    assert [c.value for c in names] == HOSTILE[: len(rows)]
    assert [c.data_type for c in names] == ["s"] * len(rows)
    assert [c.quotePrefix for c in names] == [is_formula_like(n) for n in HOSTILE[: len(rows)]]
    assert any(c.quotePrefix for c in names)


def test_period_words_on_the_key_figures_slide(prs, pack):
    slide = _slides(prs, "Chiffres clés")[0]
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert f"Sur la période : {period_words(pack.du, pack.au)}." in text


# --- hostile templates: nothing in them reaches whoever opens the deck -------------------


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}


def _nothing_hostile(content: bytes) -> None:
    """No external link, no DOCTYPE or entity, no hostile target in any part, and no part
    referring to a relationship it lacks."""
    for name, data in _members(content).items():
        assert b'TargetMode="External"' not in data, name
        assert b"<!DOCTYPE" not in data.upper() and b"<!ENTITY" not in data.upper(), name
        assert not [t for t in hostile.TARGETS if t in data], name
    assert hostile.dangling_references(content) == []


def test_the_default_deck_holds_no_doctype_nor_external_link(content):
    _nothing_hostile(content)  # python-pptx's printer settings (a Mac plist) are left out


def test_external_links_of_a_template_are_removed_and_said(pack):
    template = hostile.with_external_links()
    cleaned = clean_template(template)
    assert cleaned.removed == (
        f"{hostile.KEPT_LINKS} liens externes retirés du modèle",
        f"{hostile.ACTIONS} actions au clic (macro, programme) retirées du modèle",
    )
    assert clean_template(cleaned.blob).removed == ()  # nothing left to remove
    content = deck(pack, template=template)
    _nothing_hostile(content)
    members = _members(content)
    assert hostile.TASKPANES not in members  # the add-in
    assert "docProps/thumbnail.jpeg" not in members  # the picture of the template's slide
    prs = _open(content)
    titles = [_title(s) for s in prs.slides]
    assert titles[:2] == ["Comité de pilotage du mentorat", "Chiffres clés"]
    assert "Diapositive du modèle" not in titles
    assert len(prs.slides) == len(_open(deck(pack, template=hostile.base())).slides)
    layouts = {layout.name: [s.name for s in layout.shapes] for layout in prs.slide_layouts}
    assert "Mouchard" not in layouts["Title and Content"]  # the linked picture, gone alone
    assert len(layouts["Title and Content"]) == len(_base_content_layout_shapes())
    master = prs.slide_masters[0]._element
    assert not master.xpath(".//a:hlinkClick")
    assert not master.xpath("./p:cSld/p:bg")  # the linked background: the theme's instead


def _base_content_layout_shapes() -> list[str]:
    charter = Presentation(io.BytesIO(hostile.base()))
    return [s.name for s in charter.slide_layouts[1].shapes]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: hostile.with_declaration(hostile.MASTER), id="master-entity"),
        pytest.param(
            lambda: hostile.with_declaration("[Content_Types].xml", hostile.LAUGHS),
            id="content-types-laughs",
        ),
        pytest.param(
            lambda: hostile.with_declaration(
                "ppt/slideLayouts/_rels/slideLayout2.xml.rels",
                '<!DOCTYPE x SYSTEM "http://evil.example/x.dtd">',
            ),
            id="rels-external-dtd",
        ),
        pytest.param(
            lambda: hostile.with_declaration(hostile.THEME, hostile.LAUGHS, "utf-16"),
            id="theme-utf16",
        ),
        pytest.param(lambda: hostile.with_declaration(hostile.SLIDE), id="own-slide"),
    ],
)
def test_a_template_declaring_a_doctype_is_refused(pack, make):
    with pytest.raises(TemplateError) as caught:
        deck(pack, template=make())
    assert "déclaration DOCTYPE ou ENTITY" in str(caught.value)
    assert "refusé par sécurité" in str(caught.value)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (hostile.with_ole_object, "objets incorporés (OLE) ou des contrôles ActiveX"),
        (hostile.with_activex, "objets incorporés (OLE) ou des contrôles ActiveX"),
        (hostile.with_unremovable_link, "ne peut pas être retiré sans abîmer le diaporama"),
    ],
)
def test_objects_and_links_that_cannot_be_removed_refuse_the_template(pack, make, words):
    with pytest.raises(TemplateError) as caught:
        deck(pack, template=make())
    assert words in str(caught.value)
