"""Filled Word fiches candidature (`reports.templates.fiche_docx_template`) read back.

`read_docx_fiche` gives one fiche's answers by row label; `fiches_to_table` turns a batch of
fiches into the same `RawTable` a fiche list spreadsheet gives, with the fiche list's headers
(the French labels of `Kind.FICHE_CD`), so the normal pipeline maps it with no manual help.

Conventions of the batch table:
- Line numbers: the fiche's position in the batch, from 1 (the first file is "ligne 1"),
  so an anomaly reported on a line names the file at that position.
- Missing « N° de fiche »: left empty here; the pipeline gives the fiche an id derived from
  the youth's pseudonym ("fiche-" + its first 16 characters, pipelines.prepare), never from
  the file name, which is often the youth's name. Re-importing a fiche of the same youth then
  updates the same fiche.
- A batch is some fiches, not the CD's whole list: it flags no other fiche absent.
Identity answers (names, birth date) only go into the returned table, which the pipeline
pseudonymises and drops; this module never logs an answer.
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from docx import Document
from docx.opc.exceptions import PackageNotFoundError

from domain.fiche_form import (
    CHECKED_MARKS,
    DATE_PLACEHOLDER,
    FICHE_COLUMNS,
    UNCHECKED,
    fiche_sections,
)
from domain.schema import Kind, field
from domain.text import normalise_key
from pipelines.errors import IngestError
from pipelines.extract import RawTable
from pipelines.filecheck import check_docx

MAX_DOCX_BYTES = 10 * 1024 * 1024
BOXES = (UNCHECKED, "☒", "☑")
# The answers a fiche must have for the file to count as a fiche candidature.
REQUIRED_ROWS = ("nom", "prenom", "date_naissance")


def _labels() -> dict[str, str]:
    """Normalised row label -> label as the template writes it."""
    return {normalise_key(label): label for _, labels in fiche_sections() for label in labels}


def _box_answer(lines: list[str]) -> str | None:
    """The ticked choices of a box list ("a ; b"), "" when none; None if not a box list."""
    if not lines or not all(_box_line(line) is not None for line in lines):
        return None
    picked = []
    for line in lines:
        checked, label = _box_line(line)  # type: ignore[misc]
        if checked:
            picked.append(label)
    return " ; ".join(picked)


def _box_line(line: str) -> tuple[bool, str] | None:
    """(ticked?, label) of "☒ Scolarité" / "X Scolarité" / "☐ Scolarité"; None otherwise."""
    text = line.strip()
    if text[:1] in BOXES:
        return text[:1] in CHECKED_MARKS, text[1:].strip()
    # "X Scolarité" or "[X] Scolarité" typed instead of the box.
    for mark in ("[X]", "[x]", "[ ]", "[]"):
        if text.startswith(mark):
            return "x" in mark.lower(), text[len(mark) :].strip()
    head, _, rest = text.partition(" ")
    if head in CHECKED_MARKS and rest:
        return True, rest.strip()
    return None


def _cell_answer(paragraphs: list[str]) -> str:
    lines = [p.strip() for p in paragraphs if p.strip()]
    boxes = _box_answer(lines)
    if boxes is not None:
        return boxes
    text = " ".join(lines)
    return "" if text.upper() == DATE_PLACEHOLDER else text


def _not_a_fiche(filename: str) -> IngestError:
    return IngestError(
        f"« {filename} » n'est pas une fiche candidature : utilisez le modèle de fiche fourni "
        "par le département (tableau « Champ | Réponse »)."
    )


def read_docx_fiche(data: bytes, filename: str) -> dict[str, str]:
    """The answers of one filled fiche: row label (as the template writes it) -> answer text
    ("" when left empty). Ticked boxes give their labels joined by " ; ". `IngestError`
    (French) for a file that is not a Word document or not a fiche candidature."""
    if len(data) > MAX_DOCX_BYTES:
        raise IngestError(
            f"« {filename} » est trop volumineux pour une fiche candidature "
            f"(plus de {MAX_DOCX_BYTES // (1024 * 1024)} Mo)."
        )
    check_docx(data, filename)  # empty, not a zip, zip bomb, encrypted, not Word
    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(
            f"« {filename} » n'est pas un document Word (.docx) lisible : enregistrez la fiche "
            "au format Word (.docx) et réessayez."
        ) from exc
    known = _labels()
    answers: dict[str, str] = {}
    for table in doc.tables:
        for row in table.rows:
            cells = row.cells
            if len(cells) < 2 or cells[0]._tc is cells[1]._tc:  # section title (merged)
                continue
            key = normalise_key(cells[0].text)
            if key not in known or known[key] in answers:
                continue
            answers[known[key]] = _cell_answer([p.text for p in cells[1].paragraphs])
    required = [field(Kind.FICHE_CD, name).label for name in REQUIRED_ROWS]
    if not all(label in answers for label in required):
        raise _not_a_fiche(filename)
    return answers


def fiches_to_table(files: list[tuple[str, bytes]]) -> RawTable:
    """One row per fiche (in batch order, line = position from 1) under the fiche list's
    headers; `IngestError` naming the first file that is not a fiche."""
    if not files:
        raise IngestError("Aucune fiche candidature à importer.")
    fields = [field(Kind.FICHE_CD, name) for name in FICHE_COLUMNS]
    header = [f.label for f in fields]
    rows: list[list[str | None]] = []
    for filename, data in files:
        answers = read_docx_fiche(data, filename)
        rows.append([answers.get(label) or None for label in header])
    frame = pd.DataFrame(rows, columns=range(len(header)), dtype=object)
    frame.index = pd.RangeIndex(1, len(rows) + 1)
    return RawTable(
        header=header,
        frame=frame,
        format="docx",
        sheet=None,
        header_line=0,  # no header line: the headers are the template's row labels
    )
