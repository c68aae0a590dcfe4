"""Workbooks of linked sheets: the pairs and the mentors joined to the youths by the keys
the sheets share, the latest pair of a youth who had two, and a sheet that shares no key
but holds dates asked, never dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.text import normalise_key
from pipelines.api import Answers, ingest
from pipelines.pseudonyms import id_mentor
from tests.helpers import counts, parcours_rows
from tests.test_unseen_files import _workbook

YOUTHS = [
    ["N° jeune", "Nom", "Prénom", "Date de naissance", "Arrivée chez nous"],
    ["RJ-001", "Dupont", "Marie", "05/03/2009", "10/01/2025"],
    ["RJ-002", "Martin", "Léa", "02/11/2007", "15/01/2025"],
    ["RJ-003", "Petit", "Lou", "01/02/2010", "20/01/2025"],
]
PAIRS = [
    ["N° jeune", "Code parrain", "Duo formé le", "Démarrage", "Arrêt"],
    ["RJ-001", "P-101", "01/02/2025", "10/02/2025", "15/03/2025"],  # a first pair, ended
    ["RJ-001", "P-102", "01/04/2025", "10/04/2025", ""],  # the latest pair of RJ-001
    ["RJ-002", "P-103", "05/02/2025", "", ""],
]
MENTORS = [
    ["Code", "NOM", "Prénom", "Casier reçu le"],
    ["P-101", "Bernard", "Paul", "20/01/2025"],
    ["P-102", "Leroy", "Anne", "20/03/2025"],
    ["P-103", "Dubois", "Jean", "25/01/2025"],
]
OUTINGS = [
    ["Sortie", "Le", "Lieu"],
    ["Musée", "12/03/2025", "Lille"],
    ["Match", "20/04/2025", "Lens"],
    ["Cinéma", "15/05/2025", "Douai"],
]


def _book(with_outings: bool = True) -> bytes:
    sheets = {
        "À lire": [["Une ligne par jeune, un duo par ligne de l'onglet Duos."]],
        "Jeunes": YOUTHS,
        "Duos": PAIRS,
        "Parrains": MENTORS,
    }
    if with_outings:
        sheets["Sorties collectives"] = OUTINGS
    return _workbook(sheets)


def test_a_sheet_with_dates_and_no_key_is_asked(engine, key):
    report = ingest(engine, _book(), "relais.xlsx", key, association="Relais")
    assert report.statut == "a_completer" and report.forme == "classeur"
    assert report.questions == [
        {"feuille": "Sorties collectives", "ressemble_a": "des dates (2025)", "lignes": 3}
    ]
    assert "[feuilles]" in report.message and counts(engine)["imports"] == 0


def test_linked_sheets_load_as_one_parcours_per_youth(engine, key):
    answers = Answers(sheets={normalise_key("Sorties collectives"): "ignorer"})
    report = ingest(engine, _book(), "relais.xlsx", key, association="Relais", answers=answers)
    assert report.statut == "charge", report.erreurs
    assert (report.lignes_lues, report.lignes_chargees) == (3, 3)
    sheets = {s["feuille"]: s for s in report.feuilles}
    assert sheets["Jeunes"]["decision"] == "principale"
    assert sheets["Duos"] == {
        "feuille": "Duos", "decision": "jointe", "lignes": 3, "cle": "N° jeune", "plusieurs": 1,
    }  # fmt: skip
    assert sheets["Parrains"]["decision"] == "jointe" and sheets["Parrains"]["cle"] == "Code"
    assert sheets["Sorties collectives"]["decision"] == "ignoree"
    assert sheets["À lire"]["decision"] == "ignoree"
    p = parcours_rows(engine)
    # RJ-001 had two pairs: the latest (P-102, Anne Leroy), from its own dates.
    assert p["RJ-001"]["date_mise_en_relation"] == dt.date(2025, 4, 1)
    assert p["RJ-001"]["date_debut"] == dt.date(2025, 4, 10) and p["RJ-001"]["date_fin"] is None
    assert p["RJ-001"]["id_mentor"] == id_mentor(key, "Relais", "Leroy", "Anne")
    assert p["RJ-002"]["id_mentor"] == id_mentor(key, "Relais", "Dubois", "Jean")
    assert p["RJ-003"]["date_mise_en_relation"] is None and p["RJ-003"]["id_mentor"] is None


def test_a_sheet_without_a_shared_column_cannot_be_joined(engine, key):
    answers = Answers(sheets={normalise_key("Sorties collectives"): "joindre"})
    report = ingest(engine, _book(), "relais.xlsx", key, association="Relais", answers=answers)
    assert report.statut == "rejete"
    assert report.message.startswith(
        "La feuille « Sorties collectives » n'a aucune colonne en commun avec la feuille « Jeunes »"
    )


@pytest.mark.parametrize("outings", [False])
def test_without_the_unlinked_sheet_nothing_is_asked(engine, key, outings):
    report = ingest(engine, _book(outings), "relais.xlsx", key, association="Relais")
    assert report.statut == "charge", report.erreurs
    assert report.lignes_chargees == 3 and report.questions == []
