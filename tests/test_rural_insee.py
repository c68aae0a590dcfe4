"""Rural means INSEE's grid (levels 5-7), end to end: youths living in communes where a
density threshold of 200 inhabitants/km² and INSEE's grid disagree, imported with the
command line, counted by `pilotage indicators --json` as INSEE's grid classes them.

Levels read by hand in INSEE's workbook (grille communale de densité, 2024 edition) with
the density of the referential: a 200/km² rule would class the first four urban and the
next two rural.
"""

from __future__ import annotations

import json

from tests.helpers import csv_bytes
from tests.test_cli import cli

YOUTHS = [  # (dossier, INSEE code, commune, INSEE level, density /km²)
    ("R1", "59006", "L'Orée de Mormal", 6, 419.7),
    ("R2", "59022", "Attiches", 5, 344.7),
    ("R3", "59022", "Attiches", 5, 344.7),
    ("R4", "59074", "Bertry", 5, 256.1),
    ("R5", "59053", "Bavay", 5, 320.4),
    ("U1", "59035", "Avesnelles", 3, 197.5),
    ("U2", "59082", "Bierne", 3, 166.8),
    ("U3", "59350", "Lille", 1, 6685.4),
]


def test_cli_counts_rural_and_urban_youths_as_insee_s_grid(tmp_path):
    header = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Code INSEE", "Date d'inscription"]
    rows = [  # one youth each: a name and a birth date of their own
        [d, f"Nom{d}", "Prénom", f"0{i + 1}/02/2009", code, "15/03/2025"]
        for i, (d, code, *_) in enumerate(YOUTHS)
    ]
    export = tmp_path / "export.csv"
    export.write_bytes(csv_bytes([header, *rows]))
    loaded = cli(tmp_path, "ingest", str(export), "--association", "Envol", "--json")
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["fichiers"][0]["lignes_chargees"] == 8

    run = cli(tmp_path, "indicators", "--du", "2025-01-01", "--au", "2025-12-31", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    rural, urban = report["territoires"]["rural"], report["territoires"]["urbain"]
    assert (rural["jeunes_inscrits"], urban["jeunes_inscrits"]) == (5, 3)  # not (2, 6)
    grid = report["grille_densite"]
    assert grid["classes"] == {"dense": 1, "intermediaire": 2, "rural": 5}
    assert grid["niveaux"] == {"1": 1, "2": 0, "3": 2, "4": 0, "5": 4, "6": 1, "7": 0}
    assert report["chiffres_cles"]["part_rurale"] == 0.625
    by_density = sum(1 for *_, density in YOUTHS if density < 200)
    assert by_density == 2  # what the old rule said
