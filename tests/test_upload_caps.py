"""Size and decompression caps on uploads (xlsx, ods, docx), from malicious zips built in
memory. The basic cases (ratio, total, member count, upload size) are in test_bad_files.py;
this file covers what those leave open: the zip directory sized before it is parsed, zip64
end records, docx fiches, realistic huge sheets, nested archives and lying sizes."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from docx import Document

from pipelines import filecheck
from pipelines.errors import IngestError
from pipelines.extract import read_table
from pipelines.filecheck import Limits, check_docx, sniff, zip_directory_size
from reports.templates import fiche_docx_template
from tests._filemakers import cfb_bytes, score, xlsx_bytes, zip_bytes

GOOD_XLSX = xlsx_bytes({"Jeunes": [["Nom", "Prénom", "Commune"], ["Dupont", "Zoé", "Lille"]]})
SHEET = "xl/worksheets/sheet1.xml"
MIB = 1 << 20


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _zeros_member(zf: zipfile.ZipFile, name: str, mib: int) -> None:
    """A member of `mib` MiB of zeros, written in 1 MiB chunks (never held whole)."""
    chunk = bytes(MIB)
    with zf.open(name, "w", force_zip64=True) as member:
        for _ in range(mib):
            member.write(chunk)


def _bomb(base: bytes, name: str, mib: int) -> bytes:
    """`base` with its member `name` replaced by `mib` MiB of zeros, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, content in _members(base).items():
            if member != name:
                zf.writestr(member, content)
        _zeros_member(zf, name, mib)
    return buffer.getvalue()


def _refused(call, *args, **kwargs) -> str:
    with pytest.raises(IngestError) as info:
        call(*args, **kwargs)
    return info.value.message


def _refused_unread(call, *args, **kwargs) -> str:
    """`_refused`, failing if the check reads the content of any zip member."""

    def refuse(self, name, *args, **kwargs):
        raise AssertionError(f"member read during the checks: {name}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(zipfile.ZipFile, "open", refuse)
        return _refused(call, *args, **kwargs)


# --- a member of zeros ------------------------------------------------------------------------


def test_200_mb_of_zeros_in_a_sheet():
    data = _bomb(GOOD_XLSX, SHEET, 200)
    assert len(data) < 1_000_000  # 200 MB deflate to about 200 KB
    message = _refused_unread(sniff, data, "bombe.xlsx")
    assert message == (
        "Le fichier « bombe.xlsx » a été refusé par sécurité (taux de compression anormal) : "
        "ré-enregistrez-le depuis Excel ; si le refus persiste, contactez l'administrateur."
    )


def test_zeros_in_an_ods_are_refused_before_its_mimetype_is_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        _zeros_member(zf, "content.xml", 20)
    message = _refused_unread(sniff, buffer.getvalue(), "bombe.ods")
    assert "taux de compression anormal" in message


def test_small_members_may_compress_well():
    """Up to RATIO_MIN_MEMBER_BYTES a high ratio is harmless (a mostly empty sheet is
    repeated markup): the file is not refused for it."""
    members = _members(GOOD_XLSX)
    members["xl/media/blank.bin"] = bytes(filecheck.RATIO_MIN_MEMBER_BYTES)
    data = zip_bytes(members)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/media/blank.bin")
    assert info.file_size > 500 * info.compress_size
    assert sniff(data, "f.xlsx").format == "xlsx"
    assert read_table(data, "f.xlsx", score).frame.shape == (1, 3)


# --- a huge but ordinary sheet ----------------------------------------------------------------


def _huge_sheet_xlsx(rows: int) -> bytes:
    """A workbook whose one sheet holds `rows` real rows: it deflates about 8:1 like a real
    export, so only the total cap can stop it."""
    body = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>Dupont {i % 97}</t></is></c>'
        f'<c r="B{i}"><v>{i * 7 % 1000}</v></c></row>'
        for i in range(2, rows + 2)
    )
    members = _members(GOOD_XLSX)
    members[SHEET] = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row>{body}'
        "</sheetData></worksheet>"
    ).encode()
    return zip_bytes(members)


def test_huge_sheet_is_stopped_by_the_total_cap():
    data = _huge_sheet_xlsx(150_000)  # about 15 MB of sheet
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET)
    assert info.file_size > 14 * MIB and info.file_size < 20 * info.compress_size
    assert sniff(data, "gros.xlsx").format == "xlsx"  # under the default caps
    message = _refused_unread(sniff, data, "gros.xlsx", Limits(max_uncompressed_bytes=8 * MIB))
    assert "refusé par sécurité" in message
    assert "Mo une fois décompressé, maximum 8 Mo" in message


# --- members and the zip directory ------------------------------------------------------------


def _many_members(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(count - 1):
            zf.writestr(zipfile.ZipInfo(f"{i:x}"), b"")
    return buffer.getvalue()


def test_directory_size_is_read_from_the_end_record():
    with zipfile.ZipFile(io.BytesIO(GOOD_XLSX)) as zf:
        count = len(zf.infolist())
        directory = zf.start_dir
    members, size = zip_directory_size(GOOD_XLSX)
    assert members == count
    assert directory + size + 22 == len(GOOD_XLSX)  # directory, then the 22-byte end record
    assert zip_directory_size(b"PK\x03\x04 no end record") is None


def _forbid_parsing(monkeypatch) -> None:
    def no_parsing(*args, **kwargs):
        raise AssertionError("the zip directory was parsed")

    monkeypatch.setattr(zipfile, "ZipFile", no_parsing)


def test_many_members_are_refused_before_the_directory_is_parsed(monkeypatch):
    data = _many_members(filecheck.MAX_ZIP_MEMBERS + 1)
    _forbid_parsing(monkeypatch)
    message = _refused(sniff, data, "f.xlsx")
    assert f"({filecheck.MAX_ZIP_MEMBERS + 1} éléments internes, maximum 10000)" in message


def test_zip64_end_record_is_followed(monkeypatch):
    """Past 65 535 members the count lives in the zip64 end record."""
    data = _many_members(70_000)
    end = data.rfind(b"PK\x05\x06")
    assert struct.unpack_from("<H", data, end + 10)[0] == 0xFFFF  # the count overflows
    assert zip_directory_size(data)[0] == 70_000
    _forbid_parsing(monkeypatch)
    assert "(70000 éléments internes" in _refused(sniff, data, "f.xlsx")


def test_an_understated_member_count_is_still_caught():
    data = bytearray(_many_members(filecheck.MAX_ZIP_MEMBERS + 5))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 3, 3)  # the end record claims 3 members
    assert zip_directory_size(bytes(data))[0] == 3
    message = _refused(sniff, bytes(data), "f.xlsx")
    assert f"({filecheck.MAX_ZIP_MEMBERS + 5} éléments internes" in message


def test_oversized_directory_is_refused_unparsed(monkeypatch):
    data = _many_members(2000)  # about 70 KB of directory
    monkeypatch.setattr(filecheck, "MAX_CENTRAL_DIRECTORY_BYTES", 10_000)
    _forbid_parsing(monkeypatch)
    message = _refused(sniff, data, "f.xlsx")
    assert "refusé par sécurité (sommaire interne de" in message
    assert "maximum 10000 octets" in message


# --- nested archives and lying sizes ----------------------------------------------------------


def test_a_nested_bomb_is_never_opened():
    """An xlsx that embeds another xlsx whose sheet is 200 MB of zeros: the inner package is
    one stored member of ordinary size, and the reader never opens it."""
    inner = _bomb(GOOD_XLSX, SHEET, 200)
    members = _members(GOOD_XLSX)
    members["xl/embeddings/Microsoft_Excel_Worksheet.xlsx"] = inner
    outer = zip_bytes(members, zipfile.ZIP_STORED)
    assert read_table(outer, "f.xlsx", score).frame.shape == (1, 3)
    assert "taux de compression anormal" in _refused(sniff, inner, "f.xlsx")


def _lie_about_size(data: bytes, member: str, declared: int) -> bytes:
    """`data` whose `member` declares `declared` uncompressed bytes in both its headers."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
        offset = info.header_offset
        directory = zf.start_dir
    struct.pack_into("<I", out, offset + 22, declared)  # local header
    entry = out.find(b"PK\x01\x02", directory)
    while out[entry + 46 : entry + 46 + len(member)] != member.encode():
        entry = out.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", out, entry + 24, declared)  # central directory
    return bytes(out)


def test_a_member_larger_than_declared_is_refused_not_inflated():
    """The caps trust the declared sizes; the readers stop at them, so a lie makes the file
    unreadable instead of letting a bomb through."""
    data = _lie_about_size(_huge_sheet_xlsx(20_000), SHEET, 1000)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET).file_size == 1000
    assert sniff(data, "f.xlsx").format == "xlsx"  # small on paper
    assert "semble endommagé" in _refused(read_table, data, "f.xlsx", score)  # calamine
    docx = _lie_about_size(fiche_docx_template(), "word/document.xml", 100)
    check_docx(docx, "fiche.docx")
    with pytest.raises(zipfile.BadZipFile):  # python-docx reads through zipfile
        Document(io.BytesIO(docx))


# --- Word fiches ------------------------------------------------------------------------------


def test_a_real_fiche_passes():
    check_docx(fiche_docx_template(), "fiche.docx")


def test_docx_bomb():
    data = _bomb(fiche_docx_template(), "word/document.xml", 20)
    assert "taux de compression anormal" in _refused_unread(check_docx, data, "fiche.docx")


def test_docx_total_cap_is_tighter_than_a_workbook(monkeypatch):
    assert filecheck.MAX_DOCX_UNCOMPRESSED_BYTES < filecheck.MAX_UNCOMPRESSED_BYTES
    monkeypatch.setattr(filecheck, "MAX_DOCX_UNCOMPRESSED_BYTES", 10_000)
    message = _refused(check_docx, fiche_docx_template(), "fiche.docx")
    assert "une fois décompressé, maximum 10000 octets" in message
    # Explicit limits replace the default.
    check_docx(fiche_docx_template(), "fiche.docx", Limits())


def test_docx_with_many_members():
    members = _members(fiche_docx_template())
    for i in range(filecheck.MAX_ZIP_MEMBERS):
        members[f"word/media/{i}.bin"] = b""
    message = _refused(check_docx, zip_bytes(members), "fiche.docx")
    assert "éléments internes" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "Le fichier « fiche.docx » est vide."),
        (GOOD_XLSX, "n'est pas un document Word (.docx)"),
        (b"%PDF-1.7\n", "n'est pas un document Word (.docx)"),
        (cfb_bytes(["WordDocument", "1Table"]), "n'est pas un document Word (.docx)"),
        (cfb_bytes(["EncryptionInfo", "EncryptedPackage"]), "protégé par un mot de passe"),
        (b"PK\x03\x04 truncated", "semble endommagé"),
    ],
    ids=["vide", "xlsx", "pdf", "doc", "chiffré", "tronqué"],
)
def test_docx_refusals(data, expected):
    message = _refused(check_docx, data, "fiche.docx")
    assert expected in message and "« fiche.docx »" in message


def test_docx_upload_size_cap():
    message = _refused(
        check_docx, fiche_docx_template(), "fiche.docx", Limits(max_upload_bytes=1000)
    )
    assert "trop volumineux" in message and "maximum 1000 octets" in message
