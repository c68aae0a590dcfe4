"""`pilotage` as a user runs it: exit codes, JSON report, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import settings
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
    env = {k: v for k, v in os.environ.items() if not k.startswith(settings.PREFIX)}
    env[settings.DB_URL.env] = f"sqlite:///{tmp_path / 'cli.db'}"
    env[settings.SECRET_KEY_FILE.env] = str(tmp_path / "absente.key")
    if key:
        env[settings.SECRET_KEY.env] = TEST_KEY.decode()
    return subprocess.run(
        [sys.executable, "-m", "commands", *args],
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


# An export whose « Étape 2 » holds dates nothing explains: asked, never dropped.
UNSEEN = csv_bytes(
    [
        ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription", "Étape 2"],
        ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025", "20/02/2025"],
        ["A2", "Martin", "Léa", "02/11/2007", "15/01/2025", "01/03/2025"],
    ]
)


def test_unanswered_columns_exit_1_with_the_questions_then_a_profile_answers(tmp_path):
    export = tmp_path / "export.csv"
    export.write_bytes(UNSEEN)
    run = cli(tmp_path, "ingest", str(export), "--association", "Horizon", "--json")
    assert run.returncode == 1
    report = json.loads(run.stdout)["fichiers"][0]
    assert report["statut"] == "a_completer" and report["lignes_chargees"] == 0
    assert report["questions"] == [
        {"en_tete": "Étape 2", "ressemble_a": "des dates (2025)", "suggestions": []}
    ]
    columns = {c["en_tete"]: c for c in report["colonnes"]}
    assert list(columns) == [
        "N° dossier",
        "Nom",
        "Prénom",
        "Né(e) le",
        "Date d'inscription",
        "Étape 2",
    ]
    assert columns["Date d'inscription"]["champ"] == "date_inscription"
    assert columns["Date d'inscription"]["certitude"] == 1.0
    assert columns["Étape 2"]["champ"] is None and columns["Étape 2"]["a_preciser"]
    text = cli(tmp_path, "ingest", str(export), "--association", "Horizon")
    assert text.returncode == 1
    assert "« Étape 2 » : des dates (2025)" in text.stdout
    assert '# "Étape 2" = ""' in text.stdout  # the line of the answers file to fill

    answers = tmp_path / "reponses.toml"
    answers.write_text('[colonnes]\n"Étape 2" = "date_mise_en_relation"\n', encoding="utf-8")
    trial = cli(
        tmp_path, "ingest", str(export), "--association", "Horizon", "--profile", str(answers),
        "--dry-run", "--json",
    )  # fmt: skip
    assert trial.returncode == 0, trial.stdout
    tried = json.loads(trial.stdout)["fichiers"][0]
    assert tried["statut"] == "charge" and tried["essai"] and tried["lignes_chargees"] == 2
    run = cli(
        tmp_path, "ingest", str(export), "--association", "Horizon", "--profile", str(answers)
    )
    assert run.returncode == 0, run.stdout
    assert "Association « Horizon » ajoutée au référentiel" in run.stdout
    assert "Données au 01/03/2025 (dernière date trouvée dans le fichier)" in run.stdout


def test_a_wrong_answers_file_is_one_french_message(tmp_path):
    export = tmp_path / "export.csv"
    export.write_bytes(UNSEEN)
    answers = tmp_path / "reponses.toml"
    answers.write_text('[colonnes]\n"Étape 2" = "date_du_matching"\n', encoding="utf-8")
    run = cli(tmp_path, "ingest", str(export), "--association", "H", "--profile", str(answers))
    assert run.returncode == 1
    assert "Champ « date_du_matching » inconnu" in run.stdout
    answers.write_text("[colonnes\n", encoding="utf-8")
    run = cli(tmp_path, "ingest", str(export), "--profile", str(answers))
    assert run.returncode == 1 and "illisible" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_word_fiches_given_together_are_one_import(tmp_path):
    """As on the Importer page: the Word fiches of one command are one batch, named without
    the file names (often the youth's); a spreadsheet beside them is imported on its own."""
    from tests.test_docx_fiches import _fiche

    first, second = tmp_path / "fiche_Benali_Ines.docx", tmp_path / "fiche_Morel.docx"
    first.write_bytes(_fiche("Benali"))
    second.write_bytes(_fiche("Morel"))
    export = tmp_path / "envol.csv"
    export.write_bytes(csv_bytes([HEADER, ROW_A1]))
    run = cli(
        tmp_path, "ingest", str(first), str(export), str(second), "--json", "--association", "E"
    )
    assert run.returncode == 0, run.stderr
    reports = json.loads(run.stdout)["fichiers"]
    assert [(r["fichier"], r["type"], r["lignes_chargees"]) for r in reports] == [
        ("envol.csv", "association", 1),
        ("2 fiche(s) candidature (Word)", "fiche_cd", 2),
    ]
    assert "Benali" not in run.stdout


def test_a_setting_written_wrong_is_one_french_line_not_a_traceback(tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith(settings.PREFIX)}
    base |= {
        settings.DB_URL.env: f"sqlite:///{tmp_path / 'cli.db'}",
        settings.SECRET_KEY.env: TEST_KEY.decode(),
    }
    for name, value, expected in (
        (settings.DEPARTEMENT.env, "Nord", "attendu le code INSEE d'un département"),
        (settings.STUCK_DAYS.env, "abc", "indiquez un nombre entier de jours"),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "commands", "indicators", "--du", "2025-01-01", "--au",
             "2025-12-31"],
            cwd=ROOT, env=base | {name: value}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert run.returncode == 1, run.stdout
        assert "Traceback" not in run.stderr
        assert run.stderr.strip().startswith(f"Réglage {name} invalide (« {value} »)")
        assert expected in run.stderr


def test_key_create_writes_the_file_the_application_reads(tmp_path):
    """`key --create` honours PILOTAGE_SECRET_KEY_FILE: the key lands where every command
    and the server will look for it, never in data/ beside it."""
    wanted = tmp_path / "secrets" / "cle.key"
    env = {k: v for k, v in os.environ.items() if not k.startswith(settings.PREFIX)}
    env[settings.DB_URL.env] = f"sqlite:///{tmp_path / 'cli.db'}"
    env[settings.SECRET_KEY_FILE.env] = str(wanted)
    run = subprocess.run(
        [sys.executable, "-m", "commands", "key", "--create"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"Clé de pseudonymisation créée : {wanted}" in run.stdout
    assert wanted.is_file() and oct(wanted.stat().st_mode & 0o777) == "0o600"
    assert len(wanted.read_text().strip()) >= 32
    again = subprocess.run(
        [sys.executable, "-m", "commands", "key", "--create"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0 and "créée" not in again.stdout  # never overwritten
    assert "Clé de pseudonymisation disponible." in again.stdout
