"""Layouts no profile knows, written the way other associations write them: they load through
the synonym dictionary alone, with the right counts and values."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from pipelines.api import ingest
from tests.helpers import parcours_rows


def test_utf8_bom_comma_csv_with_iso_dates(engine, key):
    text = (
        "Identifiant,NOM,Prénom(s),Date naiss,Ville,Code postal,Date d'entrée,"
        "Binôme formé le,Début du mentorat,Fin du mentorat,Raison de l'arrêt,Format\n"
        "J-001,Lefèvre,Chloé,2008-04-30,Roubaix,59100,2025-01-06,2025-02-03,2025-02-20,"
        "2025-09-30,Fin de programme,En présentiel\n"
        "J-002,Diallo,Mamadou,2007-11-02,Tourcoing,59200,2025-01-13,,,,,visio\n"
        "J-003,Robert,Inès,2009-02-12,Wattrelos,59150,2025-13-01,,,,,\n"
    )
    report = ingest(
        engine, ("\ufeff" + text).encode("utf-8"), "suivi.csv", key, association="Horizon Jeunes"
    )
    assert report.statut == "charge", report.erreurs
    assert report.colonnes_non_reconnues == []
    assert (report.lignes_lues, report.lignes_chargees, report.lignes_en_quarantaine) == (3, 2, 1)
    assert report.erreurs == [
        "Ligne 4, colonne « Date d'entrée » : date illisible « 2025-13-01 » (attendu JJ/MM/AAAA)"
    ]
    p = parcours_rows(engine)
    assert p["J-001"]["commune_insee"] == "59512"  # Roubaix
    assert p["J-001"]["date_debut"] == dt.date(2025, 2, 20)
    assert p["J-001"]["motif_fin"] == "fin_programme"
    assert p["J-002"]["modalite"] == "distanciel"


def test_workbook_with_legend_sheet_and_title_rows(engine, key):
    wb = openpyxl.Workbook()
    legend = wb.active
    legend.title = "Légende"
    legend.append(["Onglet « Jeunes » : un jeune par ligne"])
    sheet = wb.create_sheet("Jeunes")
    sheet.append(["Association Horizon Jeunes — suivi mensuel"])
    sheet.append([])
    sheet.append(
        [
            "N° DOSSIER",
            "NOM DU JEUNE",
            "PRÉNOM DU JEUNE",
            "DDN",
            "Code INSEE",
            "DATE D'INSCRIPTION",
            "MODALITÉ",
            "Observations",
        ]
    )
    sheet.append(
        [
            "H1",
            "Petit",
            "Lou",
            dt.datetime(2010, 1, 31),
            "59350",
            dt.datetime(2025, 3, 3),
            "Mixte",
            "RAS",
        ]
    )
    sheet.append(["H2", "Moreau", "Adam", "03/07/2011", 59009, "10/03/2025", "", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    report = ingest(engine, buffer.getvalue(), "horizon.xlsx", key, association="Horizon Jeunes")
    assert report.statut == "charge", report.erreurs
    assert (report.lignes_lues, report.lignes_chargees) == (2, 2)
    assert report.colonnes_non_reconnues == ["Observations"]
    p = parcours_rows(engine)
    assert p["H1"]["modalite"] == "mixte" and p["H1"]["age_inscription"] == 15
    assert p["H2"]["commune_insee"] == "59009"  # Villeneuve-d'Ascq, typed as a number
    assert p["H2"]["age_inscription"] == 13
