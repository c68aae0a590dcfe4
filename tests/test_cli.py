"""`python -m pipelines` as a user runs it: exit codes, JSON report, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_KEY
from tests.helpers import csv_bytes
from tests.test_ingest import HEADER, ROW_A1, ROW_A2, ROW_BAD_DATE

ROOT = Path(__file__).resolve().parent.parent
JSON_KEYS = {
    "fichier",
    "statut",
    "type",
    "association",
    "lignes_lues",
    "lignes_chargees",
    "lignes_en_quarantaine",
    "erreurs",
}


def cli(tmp_path: Path, *args: str, key: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTAGE_")}
    env["PILOTAGE_DB_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    env["PILOTAGE_SECRET_KEY_FILE"] = str(tmp_path / "absente.key")
    if key:
        env["PILOTAGE_SECRET_KEY"] = TEST_KEY.decode()
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ingest_json_then_already_imported(tmp_path):
    good = tmp_path / "envol.csv"
    good.write_bytes(csv_bytes([HEADER, ROW_A1, ROW_A2, ROW_BAD_DATE]))
    run = cli(tmp_path, "ingest", str(good), "--association", "Envol", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)["fichiers"][0]
    assert set(report) >= JSON_KEYS
    assert report["statut"] == "charge" and report["type"] == "association"
    assert (report["lignes_lues"], report["lignes_chargees"], report["lignes_en_quarantaine"]) == (
        3,
        2,
        1,
    )
    # The birth date itself is never echoed back.
    assert report["erreurs"] == [
        "Ligne 4, colonne « Né(e) le » : date illisible (attendu JJ/MM/AAAA)"
    ]
    again = cli(tmp_path, "ingest", str(good), "--association", "Envol", "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["fichiers"][0]["statut"] == "deja_importe"


def test_rejected_file_exits_1_with_french_message_and_no_traceback(tmp_path):
    bad = tmp_path / "export.xlsx"
    bad.write_bytes(b"%PDF-1.7\n%binary pdf content")
    good = tmp_path / "envol.csv"
    good.write_bytes(csv_bytes([HEADER, ROW_A1]))
    run = cli(tmp_path, "ingest", str(bad), str(good), "--association", "Envol", "--json")
    assert run.returncode == 1
    reports = json.loads(run.stdout)["fichiers"]
    assert [r["statut"] for r in reports] == ["rejete", "charge"]
    assert "tableur" in reports[0]["erreurs"][0]
    assert "Traceback" not in run.stdout + run.stderr


def test_readable_summary_without_json(tmp_path):
    good = tmp_path / "envol.csv"
    good.write_bytes(csv_bytes([HEADER, ROW_A1, ROW_A2]))
    run = cli(tmp_path, "ingest", str(good), "--association", "Envol")
    assert run.returncode == 0
    assert "2 lignes lues, 2 chargées, 0 en quarantaine" in run.stdout
    assert "« Heures »" in run.stdout  # the unmapped column is reported


def test_missing_file_and_missing_key(tmp_path):
    run = cli(tmp_path, "ingest", str(tmp_path / "nulle-part.csv"))
    assert run.returncode == 1 and "Fichier introuvable" in run.stdout
    good = tmp_path / "envol.csv"
    good.write_bytes(csv_bytes([HEADER, ROW_A1]))
    run = cli(tmp_path, "ingest", str(good), key=False)
    assert run.returncode == 1
    assert "clé de pseudonymisation" in run.stderr
    assert "Traceback" not in run.stderr
