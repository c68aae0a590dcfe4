"""The comité workbook (reports/workbook.py): sheets, tables equal to the pack and to the
indicators, numbers with their formats, native charts on the table's cells, small counts
hidden for partners, hostile text kept inert, the map picture."""

from __future__ import annotations

import dataclasses
import io
import time
from datetime import date

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, quote_sheetname
from PIL import Image

from indicators import committee, funnel, workload
from indicators.catalogue import entry
from indicators.committee import Headline, Pack, Section
from indicators.dataset import Period
from reports.formats import number_format
from reports.workbook import CREATOR, HEADER_ROW, sheet_name, workbook

PERIOD = Period(date(2025, 1, 1), date(2025, 12, 31))
FIXED = ["Sommaire", "Chiffres clés", "Alertes", "Définitions"]
HOSTILE = ["=1+1", "@SUM(A1)", "<b>x</b>", '=HYPERLINK("http://x","clic")']


@pytest.fixture(scope="module")
def pack(demo_dataset) -> Pack:
    return committee.build(demo_dataset, PERIOD, "precedente", hide_small=True)


@pytest.fixture(scope="module")
def book(pack) -> openpyxl.Workbook:
    return _load(workbook(pack))


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _sheets(
    book: openpyxl.Workbook, pack: Pack
) -> dict[str, openpyxl.worksheet.worksheet.Worksheet]:
    """Section id -> its sheet (the sheets follow the sections, after the two first)."""
    names = book.sheetnames[2 : 2 + len(pack.sections)]
    return {s.id: book[n] for s, n in zip(pack.sections, names, strict=True)}


def _table(ws, section: Section) -> tuple[list, list[list]]:
    width = len(section.columns)
    rows = ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW + len(section.rows), max_col=width)
    cells = [[c.value for c in row] for row in rows]
    return cells[0], cells[1:]


def _png(width: int = 60, height: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 114, 178)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- sheets and Sommaire ------------------------------------------------------------------


def test_sheets_in_order_with_valid_names(pack, book):
    names = book.sheetnames
    assert names[:2] == ["Sommaire", "Chiffres clés"] and names[-2:] == ["Alertes", "Définitions"]
    assert len(names) == 4 + len(pack.sections)
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\") and "'" not in name
    assert book.properties.creator == CREATOR
    assert book.properties.title == "Comité de pilotage du mentorat"


def test_sheet_names_are_cut_cleaned_and_unique():
    taken = {"sommaire"}
    assert sheet_name("Sommaire", taken) == "Sommaire (2)"
    assert sheet_name("Charge des associations au 31/12/2025", taken) == "Charge des associations"
    assert (
        sheet_name("Charge des associations au 31/12/2026", taken) == "Charge des associations (2)"
    )
    assert sheet_name("a[b]c:d*e?f/g\\h'i", taken) == "abc-def-gh’i"
    assert sheet_name("   ", taken) == "Tableau"
    long = sheet_name("x" * 40, taken)
    assert len(long) == 31 and long.endswith("…")
    assert all(len(n) <= 31 for n in taken)


def test_sommaire_says_what_the_pack_is_and_links_every_sheet(pack, book):
    ws = book["Sommaire"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert ws["A1"].value == "Comité de pilotage du mentorat"
    for expected in (
        committee.period_words(pack.du, pack.au),
        pack.scope_label,
        pack.comparison_words,
        "Effectifs de 1 à 10 masqués (diffusion aux partenaires)",
    ):
        assert expected in texts, expected
    links = {c.value: c.hyperlink.target for row in ws.iter_rows() for c in row if c.hyperlink}
    assert set(links) == set(book.sheetnames) - {"Sommaire"}
    for name, target in links.items():
        assert target == f"#{quote_sheetname(name)}!A1"
        row = next(c.row for r in ws.iter_rows() for c in r if c.value == name and c.hyperlink)
        assert ws.cell(row=row, column=2).value  # one line saying what the sheet holds


def test_a_frozen_pack_says_so_with_its_sources(pack):
    frozen = dataclasses.replace(
        pack,
        frozen_label="Comité du 12 juin",
        frozen_on="le 12/06/2026 à 10:02 par m.dupont",
        generated="le 30/11/2026 à 14:05 par m.dupont",
        sources=[["Export Envol Mentorat Nord", "31/10/2026"]],
        small_counts_hidden=False,
    )
    book = _load(workbook(frozen))
    ws = book["Sommaire"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert ws["A1"].value == "Comité du 12 juin" and book.properties.title == "Comité du 12 juin"
    assert "Figé le 12/06/2026 à 10:02 par m.dupont" in texts
    assert "le 30/11/2026 à 14:05 par m.dupont" in texts
    assert "Export Envol Mentorat Nord : 31/10/2026" in texts
    assert not any("masqués" in t for t in texts)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1


# --- Chiffres clés ------------------------------------------------------------------------


def test_key_figures_are_numbers_with_their_format(pack, book):
    ws = book["Chiffres clés"]
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + len(pack.figures)))
    assert ws.max_column == 4  # no last comité in this pack
    for figure, row in zip(pack.figures, rows, strict=True):
        unit = entry(figure.id).unit
        assert row[0].value == entry(figure.id).name
        for cell, value in ((row[1], figure.now), (row[2], figure.before)):
            if value is None:
                assert cell.value is None
            else:
                assert cell.data_type == "n" and cell.value == pytest.approx(value)
                assert cell.number_format == number_format(unit)
        assert row[3].value == figure.change.text
    share = next(r for f, r in zip(pack.figures, rows, strict=True) if f.id == "taux_demarrage")
    assert share[1].number_format == "0.0%" and 0 < share[1].value < 1


def test_key_figures_at_the_last_comite(pack):
    figures = [Headline(f.id, f.now, f.before, f.now) for f in pack.figures]
    figures[0] = Headline(figures[0].id, 634, 72, 600)
    book = _load(
        workbook(
            dataclasses.replace(pack, figures=figures, last_comite_label="Comité du 12/06/2025")
        )
    )
    ws = book["Chiffres clés"]
    assert ws.cell(row=HEADER_ROW, column=5).value == "Comité du 12/06/2025"
    first = [c.value for c in ws[HEADER_ROW + 1]]
    assert first[:6] == [entry(figures[0].id).name, 634, 72, "+562", 600, "+34"]


# --- section sheets -----------------------------------------------------------------------


def test_every_section_table_equals_the_section(pack, book):
    sheets = _sheets(book, pack)
    for section in pack.sections:
        ws = sheets[section.id]
        assert ws["A1"].value == section.title and ws["A1"].font.b
        header, rows = _table(ws, section)
        assert header == [section.header(c) for c in section.columns]
        assert rows == section.rows, section.id
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
        last = get_column_letter(len(section.columns))
        assert ws.auto_filter.ref == f"A{HEADER_ROW}:{last}{HEADER_ROW + len(section.rows)}"
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert section.definition in texts
        assert section.note is None or section.note in texts
        for id_, value in section.figures:
            at = next(r for r in ws.iter_rows() if r[0].value == entry(id_).name)
            assert at[1].value == value and (value is None or at[1].data_type == "n")


def test_tables_agree_with_the_indicators(pack, book, demo_dataset):
    sheets = _sheets(book, pack)
    steps = funnel.funnel(demo_dataset, PERIOD)
    _, rows = _table(sheets["entonnoir"], pack.section("entonnoir"))
    assert [r[1] for r in rows] == steps["effectif"].tolist()
    load = workload.association_load(demo_dataset, PERIOD.au)
    _, rows = _table(sheets["associations"], pack.section("associations"))
    assert [r[0] for r in rows] == load["association"].tolist()
    assert [r[1] for r in rows] == load["binomes_actifs"].tolist()
    assert [r[2] for r in rows] == load["capacite"].tolist()
    assert [r[3] for r in rows] == pytest.approx(load["taux_charge"].tolist(), abs=1e-4)


def test_numbers_are_numeric_cells_with_their_unit_format(pack, book):
    sheets = _sheets(book, pack)
    shares = 0
    for section in pack.sections:
        ws = sheets[section.id]
        for column, id_ in enumerate(section.columns, start=1):
            fmt = number_format(entry(id_).unit)
            for row in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(section.rows)):
                cell = ws.cell(row=row, column=column)
                if not entry(id_).is_figure or cell.value is None:
                    assert cell.data_type == "s" or cell.value is None
                elif isinstance(cell.value, str):
                    assert cell.value == "< 11" and cell.alignment.horizontal == "right"
                else:
                    assert cell.data_type == "n" and cell.number_format == fmt, (id_, cell.value)
                    shares += fmt == "0.0%"
    assert shares > 10


def test_each_chart_draws_the_table_columns(pack, book):
    sheets = _sheets(book, pack)
    drawn = 0
    for section in pack.sections:
        ws, chart = sheets[section.id], section.chart
        if chart is None or not section.rows:
            assert ws._charts == []
            continue
        drawn += 1
        assert len(ws._charts) == 1, section.id
        excel = ws._charts[0]
        first, last = HEADER_ROW + 1, HEADER_ROW + len(section.rows)
        if chart.kind == "courbes":
            assert excel.tagname == "lineChart"
        else:
            assert excel.tagname == "barChart"
            assert excel.type == {"barres": "bar", "colonnes": "col"}[chart.kind]
        assert excel.y_axis.number_format.formatCode == number_format(chart.unit)
        sheet = quote_sheetname(ws.title)
        category = get_column_letter(section.columns.index(chart.categories) + 1)
        assert len(excel.series) == len(chart.series)
        for series, id_ in zip(excel.series, chart.series, strict=True):
            column = get_column_letter(section.columns.index(id_) + 1)
            assert series.val.numRef.f == f"{sheet}!${column}${first}:${column}${last}"
            assert series.cat.strRef.f == f"{sheet}!${category}${first}:${category}${last}"
            assert series.tx.strRef.f == f"{sheet}!{column}{HEADER_ROW}"  # header as title
        assert excel.anchor._from.col >= len(section.columns)  # right of the table
    assert drawn >= 8


def test_render_is_fast(pack):
    started = time.perf_counter()
    workbook(pack, map_png=_png())
    assert time.perf_counter() - started < 1


# --- small counts -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_epci(demo_dataset):
    """The demo with the biggest EPCI of the period cut to 3 cohort youths: a small EPCI
    count surely exists."""
    parcours, communes = demo_dataset.parcours, demo_dataset.communes
    epci = parcours["commune_insee"].map(
        communes.drop_duplicates("insee").set_index("insee")["epci_nom"]
    )
    cohort = PERIOD.contains(parcours["date_inscription"])
    biggest = epci[cohort].value_counts().index[0]
    members = parcours.index[cohort & (epci == biggest)]
    data = dataclasses.replace(demo_dataset, parcours=parcours.drop(members[3:]))
    return data, biggest


@pytest.mark.parametrize("hide", [True, False])
def test_small_epci_counts_hidden_only_for_partners(small_epci, hide):
    data, name = small_epci
    pack = committee.build(data, PERIOD, hide_small=hide)
    section = pack.section("epci")
    row = next(r for r in section.rows if r[0] == name)
    assert row[1] == ("< 11" if hide else 3)
    ws = _sheets(_load(workbook(pack)), pack)["epci"]
    cell = next(r[1] for r in ws.iter_rows(min_row=HEADER_ROW + 1) if r[0].value == name)
    if hide:
        assert (cell.data_type, cell.value, cell.alignment.horizontal) == ("s", "< 11", "right")
    else:
        assert (cell.data_type, cell.value, cell.number_format) == ("n", 3, "#,##0")


# --- hostile text, alerts, definitions, picture -------------------------------------------


def test_hostile_names_stay_inert_text(pack):
    section = pack.section("associations")
    rows = [[HOSTILE[i % len(HOSTILE)], *row[1:]] for i, row in enumerate(section.rows)]
    hostile = dataclasses.replace(
        pack,
        scope_label="=1+1",
        sources=[["@SUM(A1)", "<b>x</b>"]],
        alerts=[{"finding": "=2+2", "action": "+3", "calm": "ok"}],
        sections=[dataclasses.replace(section, rows=rows, title="=HYPERLINK(1)", note="-1+1")],
    )
    book = _load(workbook(hostile))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    for value in [*HOSTILE[: len(rows)], "=1+1", "@SUM(A1)", "<b>x</b>", "=2+2", "+3", "-1+1"]:
        found = [c for c in cells if c.value == value]
        assert found, value
        assert all(c.data_type == "s" for c in found), value
        assert all(c.quotePrefix for c in found if value[0] in "=+-@")
    assert not [c for c in cells if c.data_type == "f"]
    assert "=HYPERLINK(1)" in book.sheetnames


def test_alerts_and_definitions(pack, book):
    ws = book["Alertes"]
    rows = list(
        ws.iter_rows(
            min_row=HEADER_ROW + 1, max_row=HEADER_ROW + len(pack.alerts), values_only=True
        )
    )
    for alert, row in zip(pack.alerts, rows, strict=True):
        if alert["finding"] is None:
            assert row[1] == alert["calm"] and row[2] is None
        else:
            assert row[1:3] == (alert["finding"], alert["action"])
    texts = {c.value for row in book["Définitions"].iter_rows() for c in row}
    assert {name for name, _ in pack.definitions()} <= texts
    assert {d for _, d in pack.definitions()} <= texts
    assert {s.title for s in pack.sections} <= texts


def test_the_map_picture_is_on_the_map_sheet(pack):
    map_id = next(s.id for s in pack.sections if s.picture == "carte")
    with_map = _sheets(_load(workbook(pack, map_png=_png())), pack)
    without = _sheets(_load(workbook(pack)), pack)
    for id_, ws in with_map.items():
        assert len(ws._images) == (1 if id_ == map_id else 0)
        assert without[id_]._images == []
    picture = with_map[map_id]._images[0]
    assert picture.anchor._from.col >= len(pack.section(map_id).columns)
