"""The deck and the workbook open in LibreOffice: converted to PDF, one page per slide; so
does a deck laid out on a hostile template once its external links are removed.

Each half is skipped, with the reason, where LibreOffice's presentation or spreadsheet
program is not installed (`apt-get install libreoffice-impress libreoffice-calc`): the CI
machine installs Chromium, not an office suite."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation

from indicators import committee
from indicators.dataset import Period
from reports.deck import deck
from reports.workbook import workbook
from tests import _hostile_templates as hostile

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PROGRAM = Path("/usr/lib/libreoffice/program")
IMPRESS, CALC = PROGRAM / "libsdlo.so", PROGRAM / "libsclo.so"


def _needs(part: Path, package: str):
    missing = SOFFICE is None or not part.exists()
    return pytest.mark.skipif(missing, reason=f"LibreOffice absent (apt-get install {package})")


def _pdf(tmp_path: Path, name: str, content: bytes) -> bytes:
    source = tmp_path / name
    source.write_bytes(content)
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profil",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    pdf = tmp_path / "pdf" / f"{source.stem}.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    return pdf.read_bytes()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.fixture(scope="module")
def pack(demo_dataset):
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    return committee.build(demo_dataset, period, hide_small=True)


@_needs(IMPRESS, "libreoffice-impress")
def test_libreoffice_opens_the_deck(pack, tmp_path):
    content = deck(pack)
    pdf = _pdf(tmp_path, "comite.pptx", content)
    slides = len(Presentation(io.BytesIO(content)).slides)
    assert _pages(pdf) == slides > 20


@_needs(IMPRESS, "libreoffice-impress")
def test_libreoffice_opens_a_deck_on_a_cleaned_hostile_template(pack, tmp_path):
    content = deck(pack, template=hostile.with_external_links())
    pdf = _pdf(tmp_path, "comite_charte.pptx", content)
    slides = len(Presentation(io.BytesIO(content)).slides)
    assert _pages(pdf) == slides > 20


@_needs(CALC, "libreoffice-calc")
def test_libreoffice_opens_the_workbook(pack, tmp_path):
    pdf = _pdf(tmp_path, "comite.xlsx", workbook(pack))
    assert _pages(pdf) >= 14  # Sommaire, key figures, 10 sections, alerts, definitions
