"""INSEE's density grid: read from INSEE's workbook whatever the edition, carried into the
referential, and brought into a database made before it."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from density_grid import levels_for, read_grid

from pipelines.database_setup import ensure_database, refresh_density_levels


def _workbook(path: Path, title: list[str], codes: list[str], rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Grille_Densite"
    for line in title:
        sheet.append([line])
    sheet.append([f"Libellé {c}" for c in codes])  # INSEE's long headers, then the codes
    sheet.append(codes)
    for r in rows:
        sheet.append(r)
    book.create_sheet("Documentation")
    book.save(path)
    return path


def test_a_new_edition_is_read_whatever_its_title_block_and_population_year(tmp_path):
    path = _workbook(
        tmp_path / "grille.xlsx",
        [
            "Grille de densité",
            "France – Niveau de densité (7 niveaux) des communes",
            "",
            "Mise en ligne le 02/06/2026   Géographie au 01/01/2026",
        ],
        ["CODGEO", "LIBGEO", "DENS", "LIBDENS", "PMUN23", "P1"],
        [
            ["59350", "Lille", 1, "Grands centres urbains", 236234, 100],
            ["59053", "Bavay", "5", "Bourgs ruraux", 3300, 0],
            ["2A004", "Ajaccio", 2, "Centres urbains intermédiaires", 73000, 0],
        ],
    )
    grid, edition = read_grid(path)
    assert grid.to_dict("list") == {
        "insee": ["2A004", "59053", "59350"],
        "niveau": [2, 5, 1],
        "population": [73000, 3300, 236234],
    }
    assert (edition.edition, edition.mise_en_ligne, edition.communes) == (2026, "2026-06-02", 3)
    assert len(edition.sha256) == 64


def test_a_file_that_is_not_the_grid_or_a_level_out_of_range_is_refused(tmp_path):
    other = _workbook(tmp_path / "autre.xlsx", ["Populations"], ["CODGEO", "P21_POP"], [])
    with pytest.raises(SystemExit, match="CODGEO and DENS"):
        read_grid(other)
    wrong = _workbook(
        tmp_path / "grille_2025.xlsx", [], ["CODGEO", "DENS"], [["59350", 1], ["59053", 8]]
    )
    with pytest.raises(SystemExit, match="outside 1-7 for 59053"):
        read_grid(wrong)


def test_the_edition_comes_from_the_file_name_when_the_title_does_not_say_it(tmp_path):
    path = _workbook(tmp_path / "grille_densite_2025.xlsx", [], ["CODGEO", "DENS"], [["01001", 6]])
    assert read_grid(path)[1].edition == 2025


def test_a_commune_absent_from_the_grid_takes_its_most_populous_former_commune_s_level():
    grid = pd.DataFrame(
        {"insee": ["10001", "10002", "10003"], "niveau": [4, 6, 7], "population": [900, 5000, 10]}
    )
    codes = pd.Series(["10001", "10009", "10010", "10011"])
    merged = {"10009": ["10001", "10002"], "10010": ["99999"]}
    levels, borrowed = levels_for(codes, merged, grid)
    assert levels.tolist() == [4, 6, pd.NA, pd.NA]
    assert borrowed == {"10009": "10002"}


def test_a_database_made_before_the_grid_gets_insee_s_levels_at_start(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'base.db'}")
    ensure_database(engine)
    with engine.begin() as conn:  # as the density rule left them
        conn.execute(text("UPDATE commune SET niveau_densite = NULL, classe = 'urbain'"))
        conn.execute(text("UPDATE commune SET classe = 'rural' WHERE insee = '59260'"))
    ensure_database(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT insee, niveau_densite, classe FROM commune WHERE insee IN "
                "('59053', '59260', '59350') ORDER BY insee"
            )
        ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("59053", 5, "rural"),
        ("59260", 3, "urbain"),
        ("59350", 1, "urbain"),
    ]
    assert refresh_density_levels(engine) == 0  # nothing left to change
