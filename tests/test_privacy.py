"""Names and birth dates never reach the database: scan its file's bytes after imports."""

from __future__ import annotations

import datetime as dt

from pipelines.api import ingest
from store.db import init_db, make_engine
from tests.helpers import csv_bytes, xlsx_bytes
from tests.test_ingest import HEADER

YOUTHS = [
    [
        "Z1",
        "Quenneville",
        "Anastasia",
        "17/08/2008",
        "Lille",
        "",
        "",
        "",
        "02/02/2025",
        "03/03/2025",
        "Wojciechowski",
        "Bartholomé",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "Z2",
        "Ybarnegaray",
        "Théodorine",
        "29/11/2009",
        "Lille",
        "",
        "",
        "",
        "02/02/2025",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    # A quarantined row (bad inscription date) must not leak its identity either.
    [
        "Z3",
        "Zylberstein",
        "Maximilienne",
        "14/07/2010",
        "Lille",
        "",
        "",
        "",
        "pas encore",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
]
SECRETS = [
    "Quenneville",
    "QUENNEVILLE",
    "Anastasia",
    "ANASTASIA",
    "Wojciechowski",
    "WOJCIECHOWSKI",
    "Barthol",
    "Ybarnegaray",
    "YBARNEGARAY",
    "odorine",
    "Zylberstein",
    "ZYLBERSTEIN",
    "Maximilienne",
    "Lagardelle",
    "LAGARDELLE",
    "17/08/2008",
    "2008-08-17",
    "20080817",
    "29/11/2009",
    "2009-11-29",
    "14/07/2010",
    "2010-07-14",
    "1979-04-03",
    "03/04/1979",
]


def test_database_file_holds_no_name_nor_birth_date(tmp_path, key):
    path = tmp_path / "privacy.db"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    r = ingest(engine, csv_bytes([HEADER, *YOUTHS]), "envol.csv", key, association="Envol")
    assert (r.lignes_chargees, r.lignes_en_quarantaine) == (2, 1)
    suivi = xlsx_bytes(
        [
            [
                "Association",
                "Nom du mentor",
                "Prénom du mentor",
                "Date de naissance",
                "Transmis au CD le",
                "Date de retour",
                "Résultat",
            ],
            [
                "Envol",
                "Wojciechowski",
                "Bartholomé",
                dt.datetime(1979, 4, 3),
                dt.datetime(2025, 3, 5),
                dt.datetime(2025, 3, 7),
                "Favorable",
            ],
            ["Envol", "Lagardelle", "Anne", dt.datetime(1979, 4, 3), None, None, None],
        ]
    )
    r = ingest(engine, suivi, "suivi.xlsx", key)
    assert (r.lignes_chargees, r.lignes_en_quarantaine) == (1, 1)
    fiches = xlsx_bytes(
        [
            ["N° fiche", "Nom", "Prénom", "Date de naissance", "Date de réception"],
            ["F1", "QUENNEVILLE", "anastasia", dt.datetime(2008, 8, 17), dt.datetime(2025, 1, 20)],
        ]
    )
    assert ingest(engine, fiches, "fiches.xlsx", key).lignes_chargees == 1
    engine.dispose()  # checkpoint the WAL into the file

    blob = b"".join(p.read_bytes() for p in tmp_path.glob("privacy.db*"))
    assert len(blob) > 10_000
    for secret in SECRETS:
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in blob, secret
    # Sanity: the scan would see a value that is stored (the association's record id).
    assert b"Z1" in blob and b"Envol" in blob
