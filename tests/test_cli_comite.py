"""`pilotage comite`: the pack's files on a schedule, frozen and found again;
every mistake one French line, exit code 1, nothing written."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pptx import Presentation
from sqlalchemy import select

from pipelines.api import ingest
from pipelines.database_setup import ensure_database
from store.db import make_engine
from store.models import ComiteFige, Journal
from tests.conftest import TEST_KEY
from tests.helpers import csv_bytes
from tests.test_cli import cli
from tests.test_ingest import HEADER, ROW_A1, ROW_A2

PERIOD = ("--du", "2025-01-01", "--au", "2025-12-31")


@pytest.fixture
def database(tmp_path):
    """The command line's database (tests/test_cli.cli) with one association export."""
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    ensure_database(engine)
    report = ingest(
        engine, csv_bytes([HEADER, ROW_A1, ROW_A2]), "mars.csv", TEST_KEY, association="Envol"
    )
    assert report.statut == "charge"
    yield engine
    engine.dispose()


def _key_figures_sheet(path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(path)["Chiffres clés"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}


def test_a_pack_is_written_frozen_listed_and_written_again(tmp_path, database):
    deck, book = tmp_path / "comite.pptx", tmp_path / "comite.xlsx"
    done = cli(
        tmp_path,
        "comite",
        *PERIOD,
        "--pptx",
        str(deck),
        "--xlsx",
        str(book),
        "--figer",
        "Comité de juin",
        "--user",
        "claire",
    )
    assert done.returncode == 0, done.stderr
    assert "✓ Pack figé n° 1 « Comité de juin »." in done.stdout
    assert Presentation(io.BytesIO(deck.read_bytes())).slides
    figures = _key_figures_sheet(book)
    # By hand: A1 and A2 registered in January 2025, A1 started in March.
    assert figures["Jeunes inscrits"] == 2
    assert figures["Binômes démarrés (cohorte)"] == 1

    listed = cli(tmp_path, "comite", "--liste")
    assert (
        listed.returncode == 0
        and "n° 1 : Comité de juin — du 01/01/2025 au 31/12/2025" in listed.stdout
    )

    again = tmp_path / "encore.xlsx"
    redone = cli(tmp_path, "comite", "--fige", "1", "--xlsx", str(again))
    assert redone.returncode == 0, redone.stderr
    assert _key_figures_sheet(again) == figures
    with database.connect() as conn:
        details = conn.execute(select(Journal.action, Journal.detail).order_by(Journal.id)).all()
    downloads = [d for a, d in details if a == "telechargement"]
    assert len(downloads) == 3
    assert downloads[-1].startswith("pack de comité (classeur, xlsx) ; Département ; du 01/01/2025")
    assert "figé « Comité de juin »" in downloads[-1]
    assert [a for a, _ in details].count("comite_fige") == 1

    removed = cli(tmp_path, "comite", "--supprimer", "1", "--user", "claire")
    assert removed.returncode == 0 and "✓ Pack figé n° 1 supprimé." in removed.stdout
    assert "0 pack(s) figé(s)." in cli(tmp_path, "comite", "--liste").stdout
    again = cli(tmp_path, "comite", "--supprimer", "1")
    assert again.returncode == 1 and "Aucun pack figé n° 1" in again.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("comite", "--pptx", "x.pptx"), "Indiquez la période"),
        (
            ("comite", "--du", "2025-12-31", "--au", "2025-01-01", "--xlsx", "x.xlsx"),
            "Période refusée (début le 31/12/2025, après la fin le 01/01/2025)",
        ),
        (("comite", *PERIOD), "Rien à faire"),
        (("comite", *PERIOD, "--association", "Nulle part", "--xlsx", "x.xlsx"), "inconnu"),
        (("comite", "--fige", "7", "--xlsx", "x.xlsx"), "Aucun pack figé n° 7"),
        (("comite", *PERIOD, "--figer", "   "), "Donnez un libellé"),
        (("comite", *PERIOD, "--pptx", "x.pptx", "--modele", "absent.pptx"), "Fichier introuvable"),
    ],
)
def test_mistakes_are_one_french_message(tmp_path, database, args, said):
    done = cli(tmp_path, *args)
    assert done.returncode == 1
    assert said in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.glob("x.*"))
    with database.connect() as conn:
        assert conn.execute(select(ComiteFige.id)).first() is None


def test_a_bad_template_is_refused_before_anything_is_written(tmp_path, database):
    template = tmp_path / "charte.pptx"
    template.write_bytes(b"pas un diaporama")
    done = cli(
        tmp_path, "comite", *PERIOD, "--pptx", str(tmp_path / "x.pptx"), "--modele", str(template)
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "x.pptx").exists()


def test_a_template_is_cleaned_and_what_was_removed_is_said(tmp_path, database):
    from pptx import Presentation

    from tests import _hostile_templates as hostile

    template = tmp_path / "charte.pptx"
    template.write_bytes(hostile.with_external_links())
    done = cli(
        tmp_path, "comite", *PERIOD, "--pptx", str(tmp_path / "x.pptx"), "--modele", str(template)
    )
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stdout.splitlines() if line.startswith("Modèle : ")]
    assert said and any("lien" in line for line in said)
    written = (tmp_path / "x.pptx").read_bytes()
    assert b"evil.example" not in written and b"file:///" not in written
    Presentation(str(tmp_path / "x.pptx"))  # reopens
