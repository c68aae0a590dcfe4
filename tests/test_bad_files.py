"""Bad files: each is refused with one clear French IngestError, and nothing else escapes."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import filecheck
from pipelines.errors import IngestError
from pipelines.extract import RawTable, read_table
from pipelines.filecheck import Limits
from tests._filemakers import cfb_bytes, docx_bytes, score, xlsx_bytes, zip_bytes

GOOD_XLSX = xlsx_bytes({"Jeunes": [["Nom", "Prénom", "Commune"], ["Dupont", "Zoé", "Lille"]]})


def _refusal(data: bytes, filename: str = "fichier.xlsx", **kwargs) -> str:
    with pytest.raises(IngestError) as info:
        read_table(data, filename, score, **kwargs)
    message = info.value.message
    assert f"« {filename} »" in message  # the user knows which file is meant
    return message


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_good_xlsx_passes():
    assert read_table(GOOD_XLSX, "fichier.xlsx", score).frame.shape == (1, 3)


# --- empty ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b" \r\n\t\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n", b";;;\r\n;;;\r\n"],
    ids=["0 octet", "espaces", "lignes vides", "BOM seul", "BOM et blancs", "séparateurs"],
)
def test_empty_file(data):
    assert _refusal(data, "vide.csv") == "Le fichier « vide.csv » est vide."


def test_workbook_without_any_cell_is_empty():
    data = xlsx_bytes({"Feuil1": [], "Feuil2": []})
    assert _refusal(data) == "Le fichier « fichier.xlsx » est vide."


def test_chosen_sheet_that_is_empty():
    data = xlsx_bytes({"Jeunes": [["Nom", "Prénom"], ["a", "b"]], "Vide": []})
    assert "feuille « Vide »" in _refusal(data, sheet="Vide")


# --- not a spreadsheet ------------------------------------------------------------------------


def _odt() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        zf.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "JPEG"),
        (docx_bytes(), "Word"),
        (cfb_bytes(["WordDocument", "1Table"]), "Word"),
        (_odt(), "OpenDocument"),
        (zip_bytes({"photos/a.txt": b"hello"}), "archive"),
        (bytes(range(256)) * 8, None),  # random binary
        (b"{\\rtf1\\ansi Nom;Pr\\'e9nom}", "RTF"),
    ],
    ids=["pdf", "png", "jpeg", "docx", "doc", "odt", "zip", "binaire", "rtf"],
)
def test_not_a_spreadsheet(data, what):
    message = _refusal(data, "export.xlsx")  # the extension does not matter
    assert "n'est pas un tableur" in message
    assert all(ext in message for ext in (".xlsx", ".xls", ".ods", "CSV"))
    if what:
        assert what in message


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><html><body><table><tr><td>Nom</td></tr></table></body></html>",
        "<table><tr><td>Nom</td><td>Prénom</td></tr></table>",
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
    ],
    ids=["html", "table html", "xml 2003"],
)
def test_web_page_saved_as_xls(text):
    message = _refusal(text.encode(), "export.xls")
    assert "page web" in message and "Enregistrer sous" in message and ".xlsx" in message


def test_plain_text_is_not_a_table():
    message = _refusal(b"Bonjour,\nvoici le fichier.\nCordialement\n", "lettre.csv")
    assert "ne ressemble pas à un tableau" in message and "points-virgules" in message


def test_xlsb_is_refused_with_the_fix():
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x00\x01"})
    assert "xlsb" in _refusal(data, "export.xlsb")


# --- truncated or corrupt ---------------------------------------------------------------------


def _assert_corrupt(message: str) -> None:
    assert "semble endommagé ou incomplet" in message
    assert "ré-enregistrez-le depuis Excel" in message


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_truncated_xlsx(keep):
    _assert_corrupt(_refusal(GOOD_XLSX[: int(len(GOOD_XLSX) * keep)]))


def test_corrupt_member_data():
    with zipfile.ZipFile(io.BytesIO(GOOD_XLSX)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    bad = bytearray(GOOD_XLSX)
    bad[start : start + 20] = bytes(20)
    _assert_corrupt(_refusal(bytes(bad)))


@pytest.mark.parametrize("content", [b"pas du XML <<<", b"", b"<worksheet><sheetData><row>"])
def test_broken_sheet_xml(content):
    members = _members(GOOD_XLSX)
    members["xl/worksheets/sheet1.xml"] = content
    _assert_corrupt(_refusal(zip_bytes(members)))


def test_missing_sheet_part():
    members = _members(GOOD_XLSX)
    del members["xl/worksheets/sheet1.xml"]
    _assert_corrupt(_refusal(zip_bytes(members)))


def test_ole2_workbook_without_content():
    _assert_corrupt(_refusal(cfb_bytes(["Workbook"]), "ancien.xls"))


@pytest.mark.parametrize("size", [8, 100, 511, 600])
def test_truncated_ole2(size):
    _assert_corrupt(_refusal(cfb_bytes(["Workbook"])[:size], "ancien.xls"))


def test_truncated_xls():
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Feuil1")
    for r in range(200):
        ws.write(r, 0, "Nom" if r == 0 else f"n{r}")
        ws.write(r, 1, "Prénom" if r == 0 else f"p{r}")
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    assert read_table(data, "ancien.xls", score).frame.shape == (199, 2)
    _assert_corrupt(_refusal(data[: len(data) // 2], "ancien.xls"))


# --- password-protected -----------------------------------------------------------------------


def _assert_protected(message: str) -> None:
    assert "protégé par un mot de passe" in message
    assert "enregistrez-le sans mot de passe" in message


def test_password_protected_xlsx():
    # Excel stores a password-protected xlsx as an OLE2 file with these two streams.
    data = cfb_bytes(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])
    _assert_protected(_refusal(data, "protégé.xlsx"))


def test_password_protected_ods():
    pytest.importorskip("odf")
    buf = io.BytesIO()
    pd.DataFrame({"Nom": ["a"], "Prénom": ["b"]}).to_excel(buf, engine="odf", index=False)
    members = _members(buf.getvalue())
    members["META-INF/manifest.xml"] = (
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        b'<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
        b'<manifest:algorithm manifest:algorithm-name="Blowfish CFB"/></manifest:encryption-data>'
        b"</manifest:file-entry></manifest:manifest>"
    )
    members["content.xml"] = bytes(range(256))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", members.pop("mimetype"), zipfile.ZIP_STORED)
        for name, content in members.items():
            zf.writestr(name, content)
    _assert_protected(_refusal(out.getvalue(), "protégé.ods"))


def test_zip_level_encryption():
    data = bytearray(GOOD_XLSX)
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x01  # "encrypted" bit of the first central directory entry
    _assert_protected(_refusal(bytes(data)))


# --- size caps and zip bombs ------------------------------------------------------------------


def _assert_bomb(message: str) -> None:
    assert "refusé par sécurité" in message


def test_zip_bomb_by_compression_ratio(tmp_path):
    """300 MB of zeros deflate to about 300 KB: refused from the zip directory alone."""
    path = tmp_path / "bombe.xlsx"
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(chunk)
    data = path.read_bytes()
    assert len(data) < 2_000_000
    message = _refusal(data, "bombe.xlsx")
    _assert_bomb(message)
    assert "taux de compression anormal" in message


def test_zip_bomb_by_total_size(monkeypatch):
    message = _refusal(GOOD_XLSX, limits=Limits(max_uncompressed_bytes=10_000))
    _assert_bomb(message)
    assert "une fois décompressé" in message
    # The module constant is the default, read when the limits are created.
    monkeypatch.setattr(filecheck, "MAX_UNCOMPRESSED_BYTES", 10_000)
    _assert_bomb(_refusal(GOOD_XLSX))


def test_zip_bomb_by_member_count():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(filecheck.MAX_ZIP_MEMBERS):
            zf.writestr(f"xl/media/{i}.bin", b"")
    message = _refusal(buf.getvalue())
    _assert_bomb(message)
    assert "éléments internes" in message


def test_upload_size_cap():
    message = _refusal(GOOD_XLSX, limits=Limits(max_upload_bytes=1000))
    assert "trop volumineux" in message and "maximum 1000 octets" in message


def test_csv_size_cap():
    text = ("Nom;Prénom\n" + "a;b\n" * 100).encode()
    assert "trop volumineux" in _refusal(text, "gros.csv", limits=Limits(max_csv_bytes=200))
    # The CSV cap does not apply to workbooks.
    assert read_table(GOOD_XLSX, "f.xlsx", score, limits=Limits(max_csv_bytes=200))


def test_real_workbooks_pass_the_zip_checks():
    rows = [["Nom", "Prénom"]] + [["x", 0]] * 20000  # very repetitive: compresses well
    assert read_table(xlsx_bytes({"S": rows}), "f.xlsx", score).frame.shape == (20000, 2)


# --- header and data rows ---------------------------------------------------------------------


def test_no_header():
    data = xlsx_bytes({"S": [["Colonne 1", "Colonne 2"], ["a", "b"]]})
    message = _refusal(data)
    assert message.startswith("Aucune ligne d'en-tête reconnue dans « fichier.xlsx »")
    assert "noms de colonnes" in message
    assert "Aucune ligne d'en-tête" in _refusal(b"Colonne 1;Colonne 2\na;b\n", "f.csv")


def test_header_without_data_rows():
    data = xlsx_bytes({"Jeunes": [["Export mars"], ["Nom", "Prénom"], [], [None, "  "]]})
    message = _refusal(data)
    assert "ne contient aucune ligne de données" in message
    assert "ligne 2 de la feuille « Jeunes »" in message
    message = _refusal(b"Nom;Pr\xe9nom\r\n;\r\n\r\n", "f.csv")
    assert "ne contient aucune ligne de données" in message and "(ligne 1)" in message


def test_unbalanced_quotes_in_huge_field():
    text = 'Nom;Prénom\na;"jamais fermé\n' + "x" * 200_000 + "\n"
    message = _refusal(text.encode(), "f.csv")
    assert "guillemets" in message


# --- nothing but IngestError escapes ----------------------------------------------------------


def _outcome(data: bytes, filename: str) -> RawTable | IngestError:
    try:
        return read_table(data, filename, score)
    except IngestError as exc:
        assert exc.message and "Traceback" not in exc.message
        return exc


PREFIXES = [
    b"",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    "Nom;Prénom\n".encode(),
    b"Nom,Pr\xe9nom\r\n",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=3000))
def test_random_bytes_never_escape(prefix, body):
    _outcome(prefix + body, "hasard.xlsx")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=500), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_random_text_never_escapes(text, encoding):
    _outcome(("Nom;Prénom\n" + text).encode(encoding, errors="replace"), "hasard.csv")


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(GOOD_XLSX) - 1))
def test_random_truncations_of_a_valid_xlsx(cut):
    result = _outcome(GOOD_XLSX[:cut], "coupé.xlsx")
    assert isinstance(result, IngestError)


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(GOOD_XLSX) - 1), st.integers(0, 255)), min_size=1, max_size=8
    )
)
def test_random_corruptions_of_a_valid_xlsx(edits):
    data = bytearray(GOOD_XLSX)
    for pos, value in edits:
        data[pos] = value
    _outcome(bytes(data), "abîmé.xlsx")


@settings(max_examples=200, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 2047), st.integers(0, 255)), min_size=1, max_size=8))
def test_random_corruptions_of_an_ole2_file(edits):
    data = bytearray(cfb_bytes(["Workbook", "EncryptionInfo", "A", "B", "C"]))
    for pos, value in edits:
        if pos < len(data):
            data[pos] = value
    _outcome(bytes(data), "abîmé.xls")
