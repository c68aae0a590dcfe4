"""Whole files through the pipeline into a real database (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from domain.schema import Kind
from pipelines.api import ingest
from store.models import Antenne, Association, Enregistrement, ImportLot, Quarantaine
from tests.helpers import (
    assert_parcours_match_a_full_rebuild,
    counts,
    csv_bytes,
    parcours_rows,
    xlsx_bytes,
)

HEADER = [
    "N° dossier",
    "Nom",
    "Prénom",
    "Né(e) le",
    "Commune",
    "CP",
    "Lieu d'accueil",
    "Modalité",
    "Date d'inscription",
    "Date de mise en relation",
    "Nom mentor",
    "Prénom mentor",
    "Date convention",
    "Date de début",
    "Date de fin",
    "Motif de fin",
    "Heures",
]
ROW_A1 = [
    "A1",
    "Dupont",
    "Marie-Claire",
    "05/03/2009",
    "Merville",
    "59660",
    "MECS",
    "Présentiel",
    "10/01/2025",
    "20/02/2025",
    "Martin",
    "Paul",
    "01/03/2025",
    "05/03/2025",
    "",
    "",
    "12,5",
]
ROW_A2 = [
    "A2",
    "N'Diaye",
    "Awa",
    "12/12/2006",
    "Lille",
    "",
    "Famille d'accueil",
    "À distance",
    "15/01/2025",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
]
ROW_BAD_DATE = [
    "A3",
    "Leroy",
    "Tom",
    "31/02/2010",
    "Lille",
    "",
    "Famille d'accueil",
    "Visio",
    "15/01/2025",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
]
ROW_BAD_COMMUNE = [
    "A4",
    "Petit",
    "Léa",
    "01/02/2010",
    "Atlantide",
    "",
    "",
    "",
    "15/01/2025",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
]


def test_association_export_counts_and_values(engine, key):
    data = csv_bytes([HEADER, ROW_A1, ROW_A2, ROW_BAD_DATE, ROW_BAD_COMMUNE])
    report = ingest(engine, data, "envol.csv", key, association="Envol")
    assert report.statut == "charge"
    # The unknown commune costs no row: A4 is loaded with its commune unknown, and listed.
    assert (report.lignes_lues, report.lignes_chargees, report.lignes_en_quarantaine) == (4, 3, 1)
    assert report.colonnes_non_reconnues == ["Heures"]
    assert report.erreurs == ["Ligne 4, colonne « Né(e) le » : date illisible (attendu JJ/MM/AAAA)"]
    assert report.valeurs_non_reconnues == [
        {"champ": "commune", "valeur": "Atlantide", "lignes": 1}
    ]
    p = parcours_rows(engine)
    assert set(p) == {"A1", "A2", "A4"}
    assert p["A4"]["commune_insee"] is None
    a1 = p["A1"]
    assert a1["association"] == "Envol" and a1["canal"] == "association_directe"
    assert a1["commune_insee"] == "59400"  # Merville, found by name and postcode
    assert a1["type_accueil"] == "etablissement" and a1["modalite"] == "presentiel"
    assert a1["age_inscription"] == 15 and a1["annee_naissance"] == 2009
    assert a1["date_inscription"] == dt.date(2025, 1, 10)
    assert a1["date_attribution"] == dt.date(2025, 1, 10)
    assert a1["date_debut"] == dt.date(2025, 3, 5)
    assert a1["id_mentor"] is not None and len(a1["id_jeune"]) == 64
    assert p["A2"]["modalite"] == "distanciel" and p["A2"]["age_inscription"] == 18
    with engine.connect() as conn:
        q = conn.execute(
            select(Quarantaine.ligne, Quarantaine.colonne, Quarantaine.id_source)
        ).all()
    assert sorted(q) == [(4, "Né(e) le", "A3")]


def test_same_file_twice_is_reported_and_changes_nothing(engine, key):
    data = csv_bytes([HEADER, ROW_A1, ROW_A2])
    assert ingest(engine, data, "envol.csv", key, association="Envol").statut == "charge"
    before = counts(engine)
    again = ingest(engine, data, "envol-copie.csv", key, association="Envol")
    assert again.statut == "deja_importe"
    assert "déjà importé" in again.message
    assert counts(engine) == before


def test_newer_snapshot_updates_flags_missing_and_adds(engine, key):
    ingest(engine, csv_bytes([HEADER, ROW_A1, ROW_A2]), "mars.csv", key, association="Envol")
    a1_ended = [*ROW_A1]
    a1_ended[14], a1_ended[15] = "30/09/2025", "Objectifs atteints"
    new = [
        "A9",
        "Bernard",
        "Luc",
        "02/02/2008",
        "Lille",
        "",
        "",
        "",
        "01/04/2025",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    report = ingest(
        engine, csv_bytes([HEADER, a1_ended, new]), "avril.csv", key, association="Envol"
    )
    assert (report.nouveaux, report.mis_a_jour, report.absents) == (1, 1, 1)
    p = parcours_rows(engine)
    assert set(p) == {"A1", "A2", "A9"}  # A2 is kept, never deleted
    assert p["A1"]["date_fin"] == dt.date(2025, 9, 30)
    assert p["A1"]["motif_fin"] == "objectifs_atteints"
    assert p["A2"]["absent_dernier_export"] is True
    assert p["A1"]["absent_dernier_export"] is False
    assert_parcours_match_a_full_rebuild(engine)
    with engine.connect() as conn:
        assert conn.execute(select(ImportLot.id)).all() == [(1,), (2,)]


def test_quarantined_row_of_known_record_is_not_flagged_missing(engine, key):
    ingest(engine, csv_bytes([HEADER, ROW_A1, ROW_A2]), "mars.csv", key, association="Envol")
    broken = [*ROW_A2]
    broken[8] = "bientôt"
    report = ingest(
        engine, csv_bytes([HEADER, ROW_A1, broken]), "avril.csv", key, association="Envol"
    )
    assert report.lignes_en_quarantaine == 1 and report.absents == 0
    assert parcours_rows(engine)["A2"]["absent_dernier_export"] is False


def test_fiche_links_to_association_record_despite_spelling(engine, key):
    fiches = xlsx_bytes(
        [
            [
                "N° fiche",
                "Nom",
                "Prénom",
                "Date de naissance",
                "Date de réception",
                "Association choisie",
                "Date d'envoi",
                "Proposé par",
            ],
            [
                "FC-1",
                "MARIE CLAIRE",
                "DUPONT",
                dt.datetime(2009, 3, 5),
                dt.datetime(2025, 1, 2),
                "ENVOL",
                dt.datetime(2025, 1, 8),
                "Référent ASE",
            ],
            [
                "FC-2",
                "Durand",
                "Noé",
                dt.datetime(2010, 6, 1),
                dt.datetime(2025, 2, 1),
                None,
                None,
                "Éducateur",
            ],
        ]
    )
    r = ingest(engine, fiches, "fiches.xlsx", key)
    assert r.statut == "charge" and r.type == "fiche_cd", r.erreurs
    ingest(engine, csv_bytes([HEADER, ROW_A1]), "envol.csv", key, association="Envol")
    p = parcours_rows(engine)
    assert set(p) == {"A1", "FC-2"}
    assert p["A1"]["id_fiche"] == "FC-1" and p["A1"]["canal"] == "fiche_cd"
    assert p["A1"]["date_inscription"] == dt.date(2025, 1, 2)
    assert p["A1"]["date_attribution"] == dt.date(2025, 1, 8)
    assert p["A1"]["initiateur"] == "referent_ase"
    assert_parcours_match_a_full_rebuild(engine)
    assert p["FC-2"]["association"] is None and p["FC-2"]["date_attribution"] is None


def test_honorabilite_follow_up_joins_the_binome(engine, key):
    ingest(engine, csv_bytes([HEADER, ROW_A1]), "envol.csv", key, association="Envol")
    suivi = xlsx_bytes(
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
                dt.datetime(2025, 2, 27),
                "Favorable",
            ],
            [
                "Envol",
                "Simon",
                "Anne",
                dt.datetime(2025, 2, 21),
                dt.datetime(2025, 2, 24),
                None,
                None,
                None,
            ],
        ]
    )
    r = ingest(engine, suivi, "suivi.xlsx", key)
    assert r.type == "honorabilite" and r.lignes_chargees == 2, r.erreurs
    a1 = parcours_rows(engine)["A1"]
    assert a1["date_honorabilite"] == dt.date(2025, 2, 27)
    assert a1["resultat_honorabilite"] == "favorable"
    assert_parcours_match_a_full_rebuild(engine)


def test_associations_referential_and_canonical_names(engine, key):
    ref = xlsx_bytes(
        [
            ["Association", "Capacité", "Antenne", "Commune de l'antenne"],
            ["Envol Mentorat", 120, "Antenne MECS Les Tilleuls", "59400"],
            ["Envol Mentorat", 120, "Bureau de Lille", "Lille"],
            ["Les Ailes", "80", None, None],
        ]
    )
    r = ingest(engine, ref, "associations.xlsx", key)
    assert r.type == "associations" and r.lignes_chargees == 3, r.erreurs
    with engine.connect() as conn:
        assoc = conn.execute(select(Association.nom, Association.capacite)).all()
        antennes = conn.execute(select(Antenne.nom, Antenne.commune_insee)).all()
    assert sorted(assoc) == [("Envol Mentorat", 120), ("Les Ailes", 80)]
    assert sorted(antennes) == [
        ("Antenne MECS Les Tilleuls", "59400"),
        ("Bureau de Lille", "59350"),
    ]
    # An export naming the association differently is attached to the referential's name.
    ingest(engine, csv_bytes([HEADER, ROW_A1]), "x.csv", key, association="ENVOL-MENTORAT")
    with engine.connect() as conn:
        assert conn.execute(select(Enregistrement.source)).scalars().all() == ["Envol Mentorat"]


def test_association_detected_from_title_rows(engine, key):
    ingest(
        engine,
        xlsx_bytes([["Association", "Capacité"], ["Les Ailes du Possible", 50]]),
        "ref.xlsx",
        key,
    )
    rows = [HEADER[:9], ROW_A1[:9]]
    data = xlsx_bytes(rows, title_rows=["Export Les Ailes du Possible", "mars 2025", ""])
    r = ingest(engine, data, "export.xlsx", key)
    assert r.statut == "charge" and r.association == "Les Ailes du Possible", r.erreurs


def test_unknown_association_is_asked_for(engine, key):
    r = ingest(engine, csv_bytes([HEADER, ROW_A1]), "export.csv", key)
    assert r.statut == "rejete"
    assert "--association" in r.erreurs[0]
    assert counts(engine)["imports"] == 0


def test_bad_file_changes_nothing(engine, key):
    ingest(engine, csv_bytes([HEADER, ROW_A1]), "envol.csv", key, association="Envol")
    before = counts(engine)
    for data, name in [
        (b"", "vide.xlsx"),
        (b"%PDF-1.4 not a spreadsheet", "rapport.xlsx"),
        (xlsx_bytes([HEADER, ROW_A1])[:500], "tronque.xlsx"),
        (csv_bytes([["N° dossier", "Nom", "Prénom"], ["A1", "X", "Y"]]), "incomplet.csv"),
    ]:
        r = ingest(engine, data, name, key, kind=Kind.ASSOCIATION, association="Envol")
        assert r.statut == "rejete" and r.erreurs, name
        assert "Traceback" not in r.erreurs[0]
    assert counts(engine) == before


def test_missing_columns_message_names_them(engine, key):
    data = csv_bytes(
        [["N° dossier", "Nom", "Prénom", "Inscrit le"], ["A1", "X", "Y", "01/01/2025"]]
    )
    r = ingest(engine, data, "incomplet.csv", key, kind=Kind.ASSOCIATION, association="Envol")
    assert r.statut == "rejete"
    assert "Date de naissance du jeune" in r.erreurs[0]
