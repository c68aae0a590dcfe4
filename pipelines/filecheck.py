"""Bad-file checks run on the raw bytes of an upload, before any parser sees them.

`sniff` decides what a file really is from its bytes (never from its extension), and refuses
what cannot or must not be parsed: empty files, oversized files, zip bombs, password-protected
workbooks, files that are not spreadsheets at all. Every refusal is an `IngestError` carrying
one French sentence that tells the user what to do. The messages for problems found later by
the extract stage (no header, no data rows) live here too, so all wording sits in one place.

Memory stays bounded: zip members are never decompressed to be checked (the zip directory
gives their sizes), except the two tiny ODS members `mimetype` and `META-INF/manifest.xml`,
read only when the directory says they are small. The declared sizes can be trusted as
bounds: both readers behind the checks (calamine for workbooks, Python's `zipfile` for
python-docx and openpyxl) stop with an error at a member that inflates past its declared
size. The zip directory itself is sized from its end record before it is parsed, so a file
declaring millions of members is refused in microseconds instead of being listed first.
Those zip checks live in `domain.zip_bounds`, shared with the comité deck's template.

Caps on a zip container (xlsx, ods, docx), module constants read by `Limits()`:
- `MAX_UPLOAD_BYTES`: the upload itself (any format); `MAX_CSV_BYTES` for a CSV;
- `MAX_ZIP_MEMBERS`: members in the zip directory (its end record is checked first);
- `MAX_CENTRAL_DIRECTORY_BYTES`: size of the zip directory, read before it is parsed;
- `MAX_UNCOMPRESSED_BYTES`: sum of the members' declared uncompressed sizes
  (`MAX_DOCX_UNCOMPRESSED_BYTES` for a Word fiche, see `check_docx`);
- `MAX_COMPRESSION_RATIO`: uncompressed / compressed size of any member larger than
  `RATIO_MIN_MEMBER_BYTES` (real sheets deflate about 10:1, a bomb of zeros about 1000:1).
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass, field

from domain import zip_bounds
from domain.zip_bounds import ZipCaps, ZipRefused, directory_size, open_within
from pipelines.errors import IngestError

MIB = 1024 * 1024

# Default limits; `Limits()` reads these module constants when it is created, so tests and
# deployments can change them here or pass their own `Limits`.
MAX_UPLOAD_BYTES = 200 * MIB  # any upload
MAX_CSV_BYTES = 100 * MIB  # a CSV is held decoded in memory, then split into cells
MAX_UNCOMPRESSED_BYTES = 1024 * MIB  # sum of the zip members' declared uncompressed sizes
MAX_COMPRESSION_RATIO = 200.0  # per member, for members larger than RATIO_MIN_MEMBER_BYTES
RATIO_MIN_MEMBER_BYTES = 1 * MIB
MAX_ZIP_MEMBERS = 10_000
MAX_CENTRAL_DIRECTORY_BYTES = 4 * MIB  # 10 000 members at about 400 bytes each
MAX_DOCX_UNCOMPRESSED_BYTES = 64 * MIB  # a fiche candidature is a few pages of text

ACCEPTED = "déposez un fichier Excel (.xlsx ou .xls), OpenDocument (.ods) ou CSV"

ZIP_MAGIC = b"PK"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Leading bytes of common files that are not spreadsheets, with what to call them.
_OTHER_MAGICS: list[tuple[bytes, str]] = [
    (b"%PDF", "un document PDF"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"II*\x00", "une image TIFF"),
    (b"MM\x00*", "une image TIFF"),
    (b"RIFF", "un fichier multimédia"),
    (b"{\\rtf", "un document RTF"),
    (b"\x1f\x8b", "une archive compressée"),
    (b"Rar!", "une archive compressée"),
    (b"7z\xbc\xaf", "une archive compressée"),
    (b"MZ", "un programme"),
    (b"\x7fELF", "un programme"),
]

TEXT_SAMPLE_CHARS = 65536
MAX_CONTROL_SHARE = 0.005  # more control characters than this in the sample: binary, not text


def _default(name: str):
    return field(default_factory=lambda: globals()[name])


@dataclass(frozen=True)
class Limits:
    """Size caps applied before parsing (defaults: the module constants above)."""

    max_upload_bytes: int = _default("MAX_UPLOAD_BYTES")
    max_csv_bytes: int = _default("MAX_CSV_BYTES")
    max_uncompressed_bytes: int = _default("MAX_UNCOMPRESSED_BYTES")
    max_compression_ratio: float = _default("MAX_COMPRESSION_RATIO")
    ratio_min_member_bytes: int = _default("RATIO_MIN_MEMBER_BYTES")
    max_zip_members: int = _default("MAX_ZIP_MEMBERS")
    max_central_directory_bytes: int = _default("MAX_CENTRAL_DIRECTORY_BYTES")

    def zip_caps(self) -> ZipCaps:
        return ZipCaps(
            self.max_zip_members,
            self.max_central_directory_bytes,
            self.max_uncompressed_bytes,
            self.max_compression_ratio,
            self.ratio_min_member_bytes,
        )


@dataclass(frozen=True)
class Detected:
    """What `sniff` found: the real format and, for a CSV, its decoded text."""

    format: str  # "xlsx", "xls", "ods", "csv"
    text: str | None = None  # csv only
    encoding: str | None = None  # csv only


# --- messages (French, one sentence each, saying what to fix) -------------------------------


def _mo(n: int) -> str:
    return f"{n / MIB:.0f} Mo" if n >= MIB else f"{n} octets"


def msg_empty(filename: str) -> str:
    return f"Le fichier « {filename} » est vide."


def msg_too_big(filename: str, size: int, limit: int) -> str:
    return (
        f"Le fichier « {filename} » est trop volumineux ({_mo(size)}, maximum {_mo(limit)}) : "
        "retirez les feuilles et colonnes inutiles ou découpez-le en plusieurs fichiers."
    )


def msg_not_spreadsheet(filename: str, what: str | None = None) -> str:
    it_is = f" (c'est {what})" if what else ""
    return f"Le fichier « {filename} » n'est pas un tableur{it_is} : {ACCEPTED}."


def msg_web_page(filename: str) -> str:
    return (
        f"Le fichier « {filename} » est une page web ou un fichier XML, pas un vrai classeur : "
        "ouvrez-le dans Excel puis « Enregistrer sous » au format Classeur Excel (.xlsx)."
    )


def msg_xlsb(filename: str) -> str:
    return (
        f"Le fichier « {filename} » est un classeur Excel binaire (.xlsb), format non pris en "
        "charge : enregistrez-le au format Classeur Excel (.xlsx)."
    )


def msg_corrupt(filename: str) -> str:
    return (
        f"Le fichier « {filename} » semble endommagé ou incomplet : ouvrez-le dans Excel, "
        "ré-enregistrez-le depuis Excel (format .xlsx) puis déposez-le à nouveau."
    )


def msg_protected(filename: str) -> str:
    return (
        f"Le fichier « {filename} » est protégé par un mot de passe : enregistrez-le sans mot "
        "de passe, puis déposez-le à nouveau."
    )


def msg_zip_bomb(filename: str, reason: str) -> str:
    return (
        f"Le fichier « {filename} » a été refusé par sécurité ({reason}) : ré-enregistrez-le "
        "depuis Excel ; si le refus persiste, contactez l'administrateur."
    )


def msg_not_docx(filename: str) -> str:
    return (
        f"Le fichier « {filename} » n'est pas un document Word (.docx) : enregistrez la fiche "
        "au format Word (.docx) et déposez-la à nouveau."
    )


def msg_illegible(filename: str) -> str:
    return (
        f"Le fichier « {filename} » contient des caractères illisibles : enregistrez-le depuis "
        "Excel au format « CSV UTF-8 (délimité par des virgules) »."
    )


def msg_not_tabular(filename: str) -> str:
    return (
        f"Le fichier « {filename} » ne ressemble pas à un tableau : dans un fichier CSV, les "
        "colonnes doivent être séparées par des points-virgules, des virgules ou des tabulations."
    )


def msg_bad_csv(filename: str) -> str:
    return (
        f"Le fichier « {filename} » n'a pas pu être découpé en colonnes (guillemets mal fermés ?) :"
        " ouvrez-le dans Excel et ré-enregistrez-le au format « CSV UTF-8 »."
    )


def msg_no_header(filename: str) -> str:
    return (
        f"Aucune ligne d'en-tête reconnue dans « {filename} » : la première ligne du tableau doit "
        "contenir les noms de colonnes (ex. « Nom », « Date d'inscription »)."
    )


def msg_no_data(filename: str, header_line: int, sheet: str | None) -> str:
    where = f"ligne {header_line}" + (f" de la feuille « {sheet} »" if sheet else "")
    return (
        f"Le fichier « {filename} » ne contient aucune ligne de données sous la ligne d'en-tête "
        f"({where}) : vérifiez que vous avez déposé le bon fichier, avec ses lignes remplies."
    )


def msg_empty_sheet(filename: str, sheet: str) -> str:
    return (
        f"La feuille « {sheet} » du fichier « {filename} » est vide : choisissez la feuille "
        "qui contient le tableau."
    )


def msg_sheet_not_found(filename: str, sheet: str, available: list[str]) -> str:
    names = ", ".join(f"« {n} »" for n in available) or "aucune"
    return (
        f"La feuille « {sheet} » n'existe pas dans « {filename} » : choisissez l'une des "
        f"feuilles disponibles ({names})."
    )


# --- detection ---------------------------------------------------------------------------


def sniff(data: bytes, filename: str, limits: Limits | None = None) -> Detected:
    """The real format of `data`, or `IngestError` when the file must be refused."""
    limits = limits or Limits()
    if not data.strip():
        raise IngestError(msg_empty(filename))
    if len(data) > limits.max_upload_bytes:
        raise IngestError(msg_too_big(filename, len(data), limits.max_upload_bytes))
    if data.startswith(ZIP_MAGIC):
        return Detected(check_zip(data, filename, limits))
    if data.startswith(OLE2_MAGIC):
        return Detected(check_ole2(data, filename))
    for magic, what in _OTHER_MAGICS:
        if data.startswith(magic):
            raise IngestError(msg_not_spreadsheet(filename, what))
    if len(data) > limits.max_csv_bytes:
        raise IngestError(msg_too_big(filename, len(data), limits.max_csv_bytes))
    text, encoding = decode_text(data, filename)
    return Detected("csv", text, encoding)


zip_directory_size = directory_size  # (members, directory bytes) from the end record


def check_zip_caps(data: bytes, filename: str, limits: Limits) -> zipfile.ZipFile:
    """The open zip after the zip-bomb and encryption checks (`IngestError` otherwise)."""
    try:
        return open_within(data, limits.zip_caps())
    except ZipRefused as refused:
        raise IngestError(_zip_refusal(filename, refused)) from refused


def _zip_refusal(filename: str, refused: ZipRefused) -> str:
    if refused.why == zip_bounds.CORRUPT:
        return msg_corrupt(filename)
    if refused.why == zip_bounds.ENCRYPTED:
        return msg_protected(filename)
    found, limit = refused.found, refused.limit
    reason = {
        zip_bounds.MEMBERS: f"{found} éléments internes, maximum {limit}",
        zip_bounds.DIRECTORY: f"sommaire interne de {_mo(found)}, maximum {_mo(int(limit))}",
        zip_bounds.UNPACKED: f"{_mo(found)} une fois décompressé, maximum {_mo(int(limit))}",
    }.get(refused.why, "taux de compression anormal")
    return msg_zip_bomb(filename, reason)


def check_zip(data: bytes, filename: str, limits: Limits) -> str:
    """The format of a zip container, "xlsx" or "ods", after the zip-bomb checks."""
    zf = check_zip_caps(data, filename, limits)
    infos = zf.infolist()
    by_name = {i.filename: i for i in infos}
    lower = {n.lower() for n in by_name}
    if "mimetype" in by_name:
        mimetype = _small_member(zf, by_name["mimetype"], filename, 256).decode("ascii", "replace")
        mimetype = mimetype.strip()
        if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
            manifest = by_name.get("META-INF/manifest.xml")
            if manifest is not None and b"encryption-data" in _small_member(
                zf, manifest, filename, MIB
            ):
                raise IngestError(msg_protected(filename))
            return "ods"
        if mimetype.startswith("application/vnd.oasis.opendocument"):
            raise IngestError(msg_not_spreadsheet(filename, "un document OpenDocument"))
    if "xl/workbook.xml" in lower:
        return "xlsx"
    if "xl/workbook.bin" in lower:
        raise IngestError(msg_xlsb(filename))
    if "word/document.xml" in lower:
        raise IngestError(msg_not_spreadsheet(filename, "un document Word"))
    if "ppt/presentation.xml" in lower:
        raise IngestError(msg_not_spreadsheet(filename, "une présentation PowerPoint"))
    raise IngestError(msg_not_spreadsheet(filename, "une archive zip"))


def check_docx(data: bytes, filename: str, limits: Limits | None = None) -> None:
    """The checks of `sniff`, for a Word fiche candidature (.docx) about to be opened by
    python-docx, which inflates every part into memory: empty, oversized, not a zip, zip
    bomb (total capped at `MAX_DOCX_UNCOMPRESSED_BYTES` by default), encrypted, not a Word
    document. `IngestError` with a French message; returns nothing when the file may be
    read."""
    if limits is None:
        limits = Limits(max_uncompressed_bytes=MAX_DOCX_UNCOMPRESSED_BYTES)
    if not data.strip():
        raise IngestError(msg_empty(filename))
    if len(data) > limits.max_upload_bytes:
        raise IngestError(msg_too_big(filename, len(data), limits.max_upload_bytes))
    if data.startswith(OLE2_MAGIC):
        try:
            names = {n.lower() for n in ole2_entry_names(data)}
        except (ValueError, IndexError, struct.error):
            names = set()
        if "encryptedpackage" in names or "encryptioninfo" in names:
            raise IngestError(msg_protected(filename))
        raise IngestError(msg_not_docx(filename))
    if not data.startswith(ZIP_MAGIC):
        raise IngestError(msg_not_docx(filename))
    zf = check_zip_caps(data, filename, limits)
    if "word/document.xml" not in {i.filename.lower() for i in zf.infolist()}:
        raise IngestError(msg_not_docx(filename))


def _small_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, cap: int) -> bytes:
    """The content of a member the directory says is at most `cap` bytes ("" otherwise)."""
    if info.file_size > cap:
        return b""
    try:
        with zf.open(info) as f:
            return f.read(cap + 1)[:cap]
    except Exception as exc:
        raise IngestError(msg_corrupt(filename)) from exc


def check_ole2(data: bytes, filename: str) -> str:
    """The format of an OLE2 container ("xls"); refuses encrypted OOXML and other documents."""
    try:
        names = {n.lower() for n in ole2_entry_names(data)}
    except (ValueError, IndexError, struct.error) as exc:
        raise IngestError(msg_corrupt(filename)) from exc
    if "encryptedpackage" in names or "encryptioninfo" in names:
        raise IngestError(msg_protected(filename))
    if "workbook" in names or "book" in names:
        return "xls"
    if "worddocument" in names:
        raise IngestError(msg_not_spreadsheet(filename, "un document Word"))
    if "powerpoint document" in names:
        raise IngestError(msg_not_spreadsheet(filename, "une présentation PowerPoint"))
    raise IngestError(msg_not_spreadsheet(filename, "un document Office qui n'est pas un tableur"))


_MAXREGSECT = 0xFFFFFFFA


def ole2_entry_names(data: bytes) -> list[str]:
    """Names of the storages and streams of an OLE2 (compound file) container.

    Reads only the header, the sectors of the FAT needed to follow the directory chain, and
    the directory sectors. Raises ValueError when the structure is inconsistent or truncated.
    """
    if len(data) < 512 or not data.startswith(OLE2_MAGIC):
        raise ValueError("not an OLE2 file")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    size = 1 << shift
    per_sector = size // 4
    n_sectors = max(0, (len(data) - 1) // size)  # sectors after the header (the last may be short)

    def sector(n: int) -> bytes:
        if n > _MAXREGSECT or n >= n_sectors:
            raise ValueError("sector out of range")
        start = (n + 1) * size
        return data[start : start + size]

    difat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _MAXREGSECT]
    next_difat = struct.unpack_from("<I", data, 0x44)[0]
    seen: set[int] = set()
    while next_difat < _MAXREGSECT:
        if next_difat in seen or len(seen) > n_sectors:
            raise ValueError("DIFAT loop")
        seen.add(next_difat)
        raw = sector(next_difat)
        if len(raw) < size:
            raise ValueError("truncated DIFAT")
        entries = struct.unpack_from(f"<{per_sector}I", raw)
        difat.extend(s for s in entries[:-1] if s < _MAXREGSECT)
        next_difat = entries[-1]

    def next_sector(n: int) -> int:
        index, offset = divmod(n, per_sector)
        if index >= len(difat):
            raise ValueError("FAT entry out of range")
        raw = sector(difat[index])
        if len(raw) < (offset + 1) * 4:
            raise ValueError("truncated FAT")
        return struct.unpack_from("<I", raw, offset * 4)[0]

    names: list[str] = []
    current = struct.unpack_from("<I", data, 0x30)[0]
    visited: set[int] = set()
    while current < _MAXREGSECT:
        if current in visited or len(visited) > n_sectors:
            raise ValueError("directory loop")
        visited.add(current)
        raw = sector(current)
        for off in range(0, len(raw) - 127, 128):
            name_len = struct.unpack_from("<H", raw, off + 64)[0]
            kind = raw[off + 66]
            if kind in (1, 2, 5) and 2 <= name_len <= 64:
                names.append(raw[off : off + name_len - 2].decode("utf-16-le", "replace"))
        current = next_sector(current)
    if not names:
        raise ValueError("empty directory")
    return names


def decode_text(data: bytes, filename: str) -> tuple[str, str]:
    """(text, encoding) of a text file; refuses binary content and markup files."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Texte Unicode"
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise IngestError(msg_illegible(filename)) from exc
    elif b"\x00" in data[:TEXT_SAMPLE_CHARS]:
        raise IngestError(msg_not_spreadsheet(filename))
    elif data.startswith(b"\xef\xbb\xbf"):  # "CSV UTF-8" from Excel
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise IngestError(msg_illegible(filename)) from exc
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:  # French Excel "CSV (séparateur: point-virgule)"
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError as exc:  # bytes cp1252 leaves undefined: binary
                raise IngestError(msg_not_spreadsheet(filename)) from exc

    if not text.strip():
        raise IngestError(msg_empty(filename))
    sample = text[:TEXT_SAMPLE_CHARS]
    controls = sum(1 for c in sample if (c < " " and c not in "\t\r\n") or c == "\x7f")
    if controls > MAX_CONTROL_SHARE * len(sample):
        raise IngestError(msg_not_spreadsheet(filename))
    head = sample.lstrip().lower()
    if head.startswith("<"):
        if "<html" in head[:2000] or "<table" in head[:2000] or "<!doctype" in head[:200]:
            raise IngestError(msg_web_page(filename))
        if "urn:schemas-microsoft-com:office:spreadsheet" in head:  # XML Spreadsheet 2003
            raise IngestError(msg_web_page(filename))
        if head.startswith("<?xml"):
            raise IngestError(msg_not_spreadsheet(filename, "un fichier XML"))
    return text, encoding
