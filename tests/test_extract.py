"""Extract stage: formats, header detection, cell values and line numbers (checked by hand)."""

from __future__ import annotations

import csv
import datetime
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.errors import IngestError
from pipelines.extract import RawTable, detect_separator, read_table
from tests._filemakers import score, xlsx_bytes

HEADER = ["Identifiant", "Nom", "Prénom", "Date de naissance", "Code INSEE"]


def _titled_workbook() -> bytes:
    return xlsx_bytes(
        {
            "Export": [
                ["Export Association Envol - mars 2025"],  # line 1
                [None, "Édité le", datetime.date(2025, 3, 31)],  # line 2
                HEADER,  # line 3
                ["A1", "  Dupont\xa0", "Lœtitia", datetime.date(2009, 3, 5), "01000"],  # 4
                [],  # line 5: empty, dropped
                ["A2", "Martin", "   ", "05/03/2009", 1000],  # line 6
                [None, None, None, None, "\u202f2A004 "],  # line 7
            ]
        }
    )


def test_xlsx_titles_header_and_line_numbers():
    raw = read_table(_titled_workbook(), "envol.xlsx", score)
    assert isinstance(raw, RawTable)
    assert raw.format == "xlsx"
    assert raw.sheet == "Export"
    assert raw.header == HEADER
    assert raw.header_line == 3
    assert raw.title_lines == ["Export Association Envol - mars 2025", "Édité le", "2025-03-31"]
    assert raw.frame.index.tolist() == [4, 6, 7]  # Excel rows; the empty row 5 is gone
    assert raw.frame.columns.tolist() == [0, 1, 2, 3, 4]
    assert all(dtype == "object" for dtype in raw.frame.dtypes)
    assert raw.encoding is None and raw.separator is None


def test_xlsx_cell_values():
    frame = read_table(_titled_workbook(), "envol.xlsx", score).frame
    assert frame.loc[4].tolist() == ["A1", "Dupont", "Lœtitia", datetime.date(2009, 3, 5), "01000"]
    birth = frame.at[4, 3]
    assert isinstance(birth, datetime.date)  # a date cell is a date
    assert frame.at[6, 3] == "05/03/2009"  # a date typed as text stays text
    assert frame.at[4, 4] == "01000"  # a code typed as text keeps its zero
    assert frame.at[6, 4] == 1000 and isinstance(frame.at[6, 4], (int, float))  # a number stays one
    assert frame.at[6, 2] is None  # spaces only -> empty
    assert frame.at[7, 4] == "2A004"  # narrow no-break space stripped
    assert frame.at[7, 0] is None


def test_xlsx_datetime_cell_keeps_its_time():
    data = xlsx_bytes({"S": [["Nom", "Prénom"], ["a", datetime.datetime(2024, 5, 6, 14, 30)]]})
    assert read_table(data, "f.xlsx", score).frame.at[2, 1] == datetime.datetime(2024, 5, 6, 14, 30)


def test_trailing_columns_without_header_or_value_are_dropped():
    # Spaces-only cells far to the right are empty: their columns go.
    data = xlsx_bytes({"S": [["Nom", "Prénom", None, None, " "], ["a", "b", None, None, "  "]]})
    raw = read_table(data, "f.xlsx", score)
    assert raw.header == ["Nom", "Prénom"]
    assert raw.frame.shape == (1, 2)
    # A column with a value keeps its place, with an empty header.
    rows = [["Nom", "Prénom", None, None], ["a", "b", None, None], ["c", "d", "x", None]]
    raw = read_table(xlsx_bytes({"S": rows}), "f.xlsx", score)
    assert raw.header == ["Nom", "Prénom", ""]
    assert raw.frame.loc[3].tolist() == ["c", "d", "x"]
    # Same in a CSV padded with separators by Excel.
    raw = read_table(b"Nom;Prenom;;\r\na;b;;\r\n", "f.csv", lambda cells: 2.0)
    assert raw.header == ["Nom", "Prenom"] and raw.frame.loc[2].tolist() == ["a", "b"]


def test_leading_empty_columns_keep_excel_positions():
    data = xlsx_bytes({"S": [[None, None, "Nom", "Prénom"], [None, None, "a", "b"]]})
    raw = read_table(data, "f.xlsx", score)
    assert raw.header == ["", "", "Nom", "Prénom"]
    assert raw.frame.loc[2].tolist() == [None, None, "a", "b"]


def test_multi_sheet_picks_the_sheet_with_the_header():
    data = xlsx_bytes(
        {
            "Notice": [["Ce fichier liste les jeunes"], ["Nom : nom du jeune"]],
            "Données": [["Nom", "Prénom", "Commune"], ["a", "b", "Lille"]],
            "Stats": [["Nom", "Commune", "Total"], ["x", "Lille", 3]],
        }
    )
    raw = read_table(data, "f.xlsx", score)
    assert raw.sheet == "Données"
    assert raw.frame.loc[2].tolist() == ["a", "b", "Lille"]
    # An explicit sheet is read even if another scores better.
    raw = read_table(data, "f.xlsx", score, sheet="Stats")
    assert raw.sheet == "Stats" and raw.header == ["Nom", "Commune", "Total"]


def test_sheet_ties_go_to_the_first_sheet():
    same = [["Nom", "Prénom"], ["a", "b"]]
    data = xlsx_bytes({"Janvier": same, "Février": same})
    assert read_table(data, "f.xlsx", score).sheet == "Janvier"


def test_unknown_sheet_lists_the_sheets():
    data = xlsx_bytes({"Janvier": [["Nom", "Prénom"], ["a", "b"]]})
    with pytest.raises(IngestError, match=r"« Mars » n'existe pas.*« Janvier »"):
        read_table(data, "f.xlsx", score, sheet="Mars")


def test_header_is_the_best_row_ties_to_the_first():
    rows = [
        ["Nom", "Prénom"],  # score 2
        ["Nom", "Prénom"],  # also 2: the first wins
        ["x", "y"],
    ]
    raw = read_table(xlsx_bytes({"S": rows}), "f.xlsx", score)
    assert raw.header_line == 1
    assert raw.frame.index.tolist() == [2, 3]
    rows = [["Nom", "Prénom", "x"], ["Nom", "Prénom", "Commune"], ["a", "b", "c"]]
    assert read_table(xlsx_bytes({"S": rows}), "f.xlsx", score).header_line == 2


def test_header_searched_in_the_first_30_non_empty_rows():
    titles = [[f"ligne {i}"] for i in range(29)]
    spaced = [r for t in titles for r in (t, [])]  # empty rows do not count
    ok = xlsx_bytes({"S": [*spaced, ["Nom", "Prénom"], ["a", "b"]]})
    raw = read_table(ok, "f.xlsx", score)
    assert raw.header_line == 59 and len(raw.title_lines) == 29
    late = xlsx_bytes({"S": [*titles, ["ligne 30"], ["Nom", "Prénom"], ["a", "b"]]})
    with pytest.raises(IngestError, match="Aucune ligne d'en-tête"):
        read_table(late, "f.xlsx", score)


def test_ods():
    pytest.importorskip("odf")  # odfpy, test-only dependency
    frame = pd.DataFrame(
        {
            "Nom": ["Dupont", "Martin"],
            "Prénom": ["Lœtitia", "Zoé"],
            "Date de naissance": [datetime.date(2009, 3, 5), "05/03/2009"],
            "Code INSEE": ["01000", "2A004"],
        }
    )
    buf = io.BytesIO()
    frame.to_excel(buf, engine="odf", index=False, sheet_name="Jeunes")
    raw = read_table(buf.getvalue(), "jeunes.ods", score)
    assert raw.format == "ods" and raw.sheet == "Jeunes" and raw.header_line == 1
    assert raw.frame.loc[2].tolist() == ["Dupont", "Lœtitia", datetime.date(2009, 3, 5), "01000"]
    assert raw.frame.loc[3].tolist() == ["Martin", "Zoé", "05/03/2009", "2A004"]


def test_xls():
    xlwt = pytest.importorskip("xlwt")  # test-only dependency: the only writer of .xls
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Feuil1")
    ws.write(0, 0, "Export Envol")
    for c, h in enumerate(HEADER):
        ws.write(2, c, h)
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    ws.write(3, 0, "A1")
    ws.write(3, 1, "Dupont")
    ws.write(3, 2, "Lœtitia")
    ws.write(3, 3, datetime.date(2009, 3, 5), date_style)
    ws.write(3, 4, "01000")
    ws.write(5, 0, "A2")
    ws.write(5, 3, "05/03/2009")
    ws.write(5, 4, 1000)
    buf = io.BytesIO()
    wb.save(buf)
    raw = read_table(buf.getvalue(), "envol.xls", score)
    assert raw.format == "xls" and raw.header_line == 3 and raw.title_lines == ["Export Envol"]
    assert raw.frame.index.tolist() == [4, 6]
    assert raw.frame.loc[4].tolist() == [
        "A1",
        "Dupont",
        "Lœtitia",
        datetime.date(2009, 3, 5),
        "01000",
    ]
    assert raw.frame.loc[6].tolist() == ["A2", None, None, "05/03/2009", 1000]


# --- CSV --------------------------------------------------------------------------------------


def _cells_are_text(frame: pd.DataFrame) -> bool:
    return all(v is None or isinstance(v, str) for v in frame.to_numpy().ravel())


def test_csv_utf8_sig_comma():
    text = "Nom,Prénom,Code INSEE\r\nDupont,Zoé,01000\r\nN'Diaye,Élise,2A004\r\n"
    raw = read_table(("\ufeff" + text).encode("utf-8"), "export.csv", score)
    assert (raw.format, raw.encoding, raw.separator) == ("csv", "utf-8-sig", ",")
    assert raw.header == ["Nom", "Prénom", "Code INSEE"]  # no BOM glued to "Nom"
    assert raw.frame.loc[2].tolist() == ["Dupont", "Zoé", "01000"]
    assert raw.frame.loc[3].tolist() == ["N'Diaye", "Élise", "2A004"]
    assert _cells_are_text(raw.frame)


def test_csv_utf8_tab():
    text = "Nom\tPrénom\tDate de naissance\n Dupont \tZoé\t05/03/2009\n"
    raw = read_table(text.encode("utf-8"), "export.txt", score)
    assert (raw.encoding, raw.separator) == ("utf-8", "\t")
    assert raw.frame.loc[2].tolist() == ["Dupont", "Zoé", "05/03/2009"]


def test_csv_cp1252_semicolon_french_excel():
    text = (
        "Export Association Envol - mars 2025;;;\r\n"
        "Nom;Prénom;Commune;Commentaire\r\n"
        "Dupont;Lœtitia;Villeneuve-d’Ascq;Bourse 150 €\r\n"
        ";;;\r\n"
        "Martin;Zoé;Marcq-en-Barœul;12,5\r\n"
    )
    raw = read_table(text.encode("cp1252"), "export.csv", score)
    assert (raw.encoding, raw.separator) == ("cp1252", ";")
    assert raw.header_line == 2
    assert raw.title_lines == ["Export Association Envol - mars 2025"]
    assert raw.frame.index.tolist() == [3, 5]  # line 4 holds only separators: dropped
    assert raw.frame.loc[3].tolist() == ["Dupont", "Lœtitia", "Villeneuve-d’Ascq", "Bourse 150 €"]
    assert raw.frame.loc[5].tolist() == ["Martin", "Zoé", "Marcq-en-Barœul", "12,5"]


def test_csv_never_infers_types():
    text = "Nom;Prénom;Code INSEE;Commune\nA;B;01000;0\nC;D;1e3;NA\nE;F;;nan\n"
    frame = read_table(text.encode(), "f.csv", score).frame
    assert frame[2].tolist() == ["01000", "1e3", None]
    assert frame[3].tolist() == ["0", "NA", "nan"]
    assert _cells_are_text(frame)


def test_csv_line_numbers_count_blank_lines_and_follow_excel_rows():
    text = (
        "Nom;Prénom;Commune\n"  # 1
        "\n"  # 2: blank, an empty row in Excel
        'a;"texte; avec ""guillemets""";Lille\n'  # 3
        'b;"sur\ndeux lignes";Douai\n'  # 4 (two physical lines, one Excel row)
        "c;d;Arras\n"  # 5 in Excel, physical line 6
    )
    raw = read_table(text.encode(), "f.csv", score)
    assert raw.frame.index.tolist() == [3, 4, 5]
    assert raw.frame.loc[3, 1] == 'texte; avec "guillemets"'
    assert raw.frame.loc[4, 1] == "sur\ndeux lignes"
    assert raw.frame.loc[5].tolist() == ["c", "d", "Arras"]


def test_csv_sep_hint_line_is_not_a_row():
    text = "sep=,\r\nNom,Prénom,Commentaire\r\na,b,x;y\r\nc,d,z\r\n"
    raw = read_table(text.encode(), "f.csv", score)
    assert raw.separator == "," and raw.header_line == 1 and raw.title_lines == []
    assert raw.frame.index.tolist() == [2, 3]
    assert raw.frame.loc[2].tolist() == ["a", "b", "x;y"]


def test_csv_ragged_rows_are_padded():
    text = "Nom;Prénom;Commune\na;b\nc;d;e;extra\n"
    raw = read_table(text.encode(), "f.csv", score)
    assert raw.header == ["Nom", "Prénom", "Commune", ""]
    assert raw.frame.loc[2].tolist() == ["a", "b", None, None]
    assert raw.frame.loc[3].tolist() == ["c", "d", "e", "extra"]


def test_extension_is_ignored():
    data = xlsx_bytes({"S": [["Nom", "Prénom"], ["a", "b"]]})
    raw = read_table(data, "export.csv", score)  # an xlsx named .csv
    assert raw.format == "xlsx" and raw.frame.loc[2].tolist() == ["a", "b"]
    raw = read_table(b"Nom;Pr\xe9nom\r\na;b\r\n", "export.xls", score)  # a CSV named .xls
    assert raw.format == "csv" and raw.header == ["Nom", "Prénom"]


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a;b;c\n1,5;2,5;3\n4;5,1;6\n", ";"),  # decimal commas do not fool it
        ('a,b,c\n"x;y",2,3\n4,"p;q;r",6\n', ","),  # separators inside quotes do not count
        ("Nom\tCommentaire\na\tx, y, z\nb\tp\n", "\t"),  # commas in free text
        ("titre\n\na;b\n1;2\n3;4\n", ";"),
        ("un seul champ\nsur chaque ligne\n", None),
    ],
)
def test_detect_separator(sample, expected):
    assert detect_separator(sample) == expected


_cell = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
).map(str.strip)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=8),
    sep=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_csv_round_trip(rows, sep, encoding):
    """Whatever the cells, a CSV written by the csv module reads back cell for cell."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=sep, quoting=csv.QUOTE_ALL)
    writer.writerow(["Nom", "Prénom", "Commune"])
    writer.writerows(rows)
    expected = {
        line: [c or None for c in row] for line, row in enumerate(rows, start=2) if any(row)
    }
    data = buf.getvalue().encode(encoding)
    if not expected:
        with pytest.raises(IngestError, match="aucune ligne de données"):
            read_table(data, "f.csv", score)
        return
    raw = read_table(data, "f.csv", score)
    assert raw.separator == sep and raw.encoding == encoding
    assert {line: raw.frame.loc[line].tolist() for line in raw.frame.index} == expected
