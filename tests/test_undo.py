"""Undoing an import: its rows return to their previous state, and the undo is recorded."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from pipelines.api import ingest
from pipelines.errors import IngestError
from pipelines.undo import undo_import
from store.bulk import read_frame
from store.models import DemandeHonorabilite, Enregistrement, ImportLot, Parcours
from tests.helpers import assert_parcours_match_a_full_rebuild, counts, csv_bytes, xlsx_bytes
from tests.test_cli import cli
from tests.test_ingest import HEADER, ROW_A1, ROW_A2

ROW_A9 = ["A9", "Bernard", "Luc", "02/02/2008", "Lille", "", "", "", "01/04/2025"] + [""] * 8
A1_ENDED = [*ROW_A1[:14], "30/09/2025", "Objectifs atteints", ROW_A1[16]]
FILE_A = csv_bytes([HEADER, ROW_A1, ROW_A2])
FILE_B = csv_bytes([HEADER, A1_ENDED, ROW_A9])


def _table(engine, model, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """A whole table as comparable text, in a stable order."""
    with engine.connect() as conn:
        frame = read_frame(conn, model.__table__).drop(columns=list(drop))
    out = frame.astype("string").fillna("∅")
    return out.sort_values(list(out.columns)).reset_index(drop=True)


def _state(engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _table(engine, Enregistrement), _table(engine, Parcours, drop=("id",))


def _import_a_then_b(engine, key):
    a = ingest(engine, FILE_A, "mars.csv", key, association="Envol")
    assert a.statut == "charge"
    after_a = _state(engine)
    b = ingest(engine, FILE_B, "avril.csv", key, association="Envol")
    assert (b.nouveaux, b.mis_a_jour, b.absents) == (1, 1, 1)
    return a, b, after_a


def _lot(engine, import_id: int):
    with engine.connect() as conn:
        lot = ImportLot.__table__
        return conn.execute(select(lot).where(lot.c.id == import_id)).one()


def test_undo_snapshot_restores_the_previous_state(engine, key):
    a, b, after_a = _import_a_then_b(engine, key)
    report = undo_import(engine, b.import_id, "Claire")
    assert (report.supprimes, report.restaures) == (1, 2)
    enregistrements, parcours = _state(engine)
    pd.testing.assert_frame_equal(enregistrements, after_a[0])
    pd.testing.assert_frame_equal(parcours, after_a[1])
    assert_parcours_match_a_full_rebuild(engine)
    lot = _lot(engine, b.import_id)
    assert lot.annule is True and lot.annule_par == "Claire" and lot.annule_le is not None
    assert _lot(engine, a.import_id).annule is False

    undo_import(engine, a.import_id, "Claire")  # B is undone: A is now the latest
    assert counts(engine)["enregistrements"] == 0 and counts(engine)["parcours"] == 0


def test_older_import_is_refused_while_a_newer_one_stands(engine, key):
    a, b, _ = _import_a_then_b(engine, key)
    before = _state(engine)
    with pytest.raises(IngestError) as refused:
        undo_import(engine, a.import_id, "Claire")
    assert refused.value.message == (
        f"Annulez d'abord l'import n° {b.import_id}, plus récent, de la même source."
    )
    after = _state(engine)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])
    assert _lot(engine, a.import_id).annule is False


def test_unknown_undone_and_referential_imports_are_refused(engine, key):
    with pytest.raises(IngestError, match="n'existe pas"):
        undo_import(engine, 42, "Claire")
    ref = xlsx_bytes([["Association", "Capacité"], ["Envol", 10]])
    r = ingest(engine, ref, "referentiel.xlsx", key)
    assert r.statut == "charge" and r.type == "associations", r.erreurs
    with pytest.raises(IngestError, match="réimportez le référentiel précédent"):
        undo_import(engine, r.import_id, "Claire")
    a = ingest(engine, FILE_A, "mars.csv", key, association="Envol")
    undo_import(engine, a.import_id, "Claire")
    with pytest.raises(IngestError, match="déjà annulé"):
        undo_import(engine, a.import_id, "Claire")


def test_other_sources_do_not_block_an_undo(engine, key):
    a = ingest(engine, FILE_A, "mars.csv", key, association="Envol")
    other = ingest(engine, csv_bytes([HEADER, ROW_A9]), "cap.csv", key, association="Cap")
    assert other.statut == "charge"
    undo_import(engine, a.import_id, "Claire")
    with engine.connect() as conn:
        sources = conn.execute(select(Enregistrement.source)).scalars().all()
    assert sources == ["Cap"]
    assert_parcours_match_a_full_rebuild(engine)


def _suivi(resultat: str | None, retour: dt.datetime | None) -> bytes:
    return xlsx_bytes(
        [
            [
                "Association",
                "Nom du mentor",
                "Prénom du mentor",
                "Date de collecte",
                "Transmis au CD le",
                "Date de demande au service",
                "Date de retour",
                "Résultat",
            ],
            [
                "Envol",
                "MARTIN",
                "paul",
                dt.datetime(2025, 2, 21),
                dt.datetime(2025, 2, 24),
                dt.datetime(2025, 2, 24),
                retour,
                resultat,
            ],
        ]
    )


def test_undo_honorabilite_follow_up_restores_the_requests(engine, key):
    ingest(engine, csv_bytes([HEADER, ROW_A1]), "envol.csv", key, association="Envol")
    first = ingest(engine, _suivi(None, None), "suivi-fevrier.xlsx", key)
    assert first.statut == "charge", first.erreurs
    demandes = _table(engine, DemandeHonorabilite)
    after_first = _state(engine)
    second = ingest(engine, _suivi("Favorable", dt.datetime(2025, 2, 27)), "suivi-mars.xlsx", key)
    assert second.mis_a_jour == 1, second.erreurs
    undo_import(engine, second.import_id, "Claire")
    pd.testing.assert_frame_equal(_table(engine, DemandeHonorabilite), demandes)
    pd.testing.assert_frame_equal(_state(engine)[1], after_first[1])
    undo_import(engine, first.import_id, "Claire")
    assert counts(engine)["demandes"] == 0


def test_undone_file_can_be_imported_again(engine, key):
    _, b, _ = _import_a_then_b(engine, key)
    after_b = _state(engine)
    undo_import(engine, b.import_id, "Claire")
    again = ingest(engine, FILE_B, "avril.csv", key, association="Envol")
    assert again.statut == "charge"
    assert (again.nouveaux, again.mis_a_jour, again.absents) == (1, 1, 1)
    pd.testing.assert_frame_equal(_state(engine)[1], after_b[1])


def test_cli_undo_then_undo_again(tmp_path):
    good = tmp_path / "envol.csv"
    good.write_bytes(FILE_A)
    assert cli(tmp_path, "ingest", str(good), "--association", "Envol").returncode == 0
    run = cli(tmp_path, "undo", "1", "--user", "Claire")
    assert run.returncode == 0, run.stderr
    assert "Import n° 1 (envol.csv) annulé : 2 lignes supprimées" in run.stdout
    again = cli(tmp_path, "undo", "1")
    assert again.returncode == 1
    assert "L'import n° 1 est déjà annulé." in again.stderr
    assert "Traceback" not in again.stdout + again.stderr
