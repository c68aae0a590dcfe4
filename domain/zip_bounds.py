"""Zip containers (xlsx, ods, docx, pptx) opened within bounds, before any reader inflates
them: the import's uploads (`pipelines.filecheck`) and the comité deck's template
(`reports.deck_template_clean`) go through the same checks.

Memory stays bounded: the zip directory is sized from its end record before it is parsed
(a file declaring millions of members is refused in microseconds), then the members'
declared sizes are capped, in total and in compression ratio. Those sizes can be trusted as
bounds: Python's `zipfile` stops with an error at a member that inflates past its declared
size. A refusal is a `ZipRefused` saying which cap was passed, with the figures; each caller
words it for its own reader.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

MEMBERS = "members"  # more members than allowed (declared or listed)
DIRECTORY = "directory"  # a zip directory larger than allowed
UNPACKED = "unpacked"  # members' declared sizes over the total allowed
RATIO = "ratio"  # one member deflated far more than real documents do
ENCRYPTED = "encrypted"  # zip-level encryption
CORRUPT = "corrupt"  # no readable zip directory


@dataclass(frozen=True)
class ZipCaps:
    """The bounds a zip must keep to be opened."""

    members: int
    directory_bytes: int
    unpacked_bytes: int
    ratio: float  # uncompressed / compressed size, for members above ratio_min_member_bytes
    ratio_min_member_bytes: int


class ZipRefused(ValueError):
    """Why a zip is refused (`why`: one of the constants above), with the figure found and
    the cap it passed where there is one."""

    def __init__(self, why: str, found: int = 0, limit: float = 0) -> None:
        super().__init__(why)
        self.why, self.found, self.limit = why, found, limit


_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF


def directory_size(data: bytes) -> tuple[int, int] | None:
    """(members, directory bytes) as the zip's end record declares them, read without
    parsing the directory; None when no end record is found (the zip is then corrupt)."""
    start = max(0, len(data) - _EOCD.size - _MAX_COMMENT)
    pos = data.rfind(_EOCD_SIGNATURE, start)
    if pos < 0 or pos + _EOCD.size > len(data):
        return None
    _, _, _, _, members, directory, _, _ = _EOCD.unpack_from(data, pos)
    if members != 0xFFFF and directory != 0xFFFFFFFF:
        return members, directory
    # The real figures are in the zip64 end record, found through its locator.
    locator = pos - _ZIP64_LOCATOR.size
    if locator < 0 or data[locator : locator + 4] != _ZIP64_LOCATOR_SIGNATURE:
        return None
    _, _, offset, _ = _ZIP64_LOCATOR.unpack_from(data, locator)
    # The offset counts from the start of the zip, which may follow other bytes.
    for record in (offset, locator - _ZIP64_EOCD.size):
        if 0 <= record <= len(data) - _ZIP64_EOCD.size and (
            data[record : record + 4] == _ZIP64_EOCD_SIGNATURE
        ):
            fields = _ZIP64_EOCD.unpack_from(data, record)
            return fields[7], fields[8]
    return None


def open_within(data: bytes, caps: ZipCaps) -> zipfile.ZipFile:
    """The open zip once every cap is checked; `ZipRefused` at the first one passed."""
    declared = directory_size(data)
    if declared is not None:
        members, directory = declared
        if members > caps.members:
            raise ZipRefused(MEMBERS, members, caps.members)
        if directory > caps.directory_bytes:
            raise ZipRefused(DIRECTORY, directory, caps.directory_bytes)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # zipfile raises many types on malformed directories
        raise ZipRefused(CORRUPT) from exc
    if len(infos) > caps.members:  # the end record may understate it
        raise ZipRefused(MEMBERS, len(infos), caps.members)
    total = sum(i.file_size for i in infos)
    if total > caps.unpacked_bytes:
        raise ZipRefused(UNPACKED, total, caps.unpacked_bytes)
    for info in infos:
        if info.file_size > caps.ratio_min_member_bytes and info.file_size > caps.ratio * max(
            info.compress_size, 1
        ):
            raise ZipRefused(RATIO, info.file_size, caps.ratio)
    if any(info.flag_bits & 0x1 for info in infos):
        raise ZipRefused(ENCRYPTED)
    return zf
