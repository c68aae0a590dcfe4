"""Files nobody described, through the whole pipeline (SQLite, and PostgreSQL when set): cell
shapes seen in real exports, questions before any loss, labels that never cost a row, new
associations, the data date, and the dry run."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
from sqlalchemy import select

from pipelines.answers import Answers
from pipelines.api import ingest
from pipelines.pseudonyms import id_jeune, id_mentor
from store.models import Association, ImportLot, ValeurInconnue
from tests.helpers import counts, csv_bytes, parcours_rows, xlsx_bytes

BIRTH_A, BIRTH_B = dt.date(2009, 3, 5), dt.date(2007, 11, 2)


def test_full_name_in_one_cell_gives_the_pseudonym_of_two_columns(engine, key):
    header = ["N° dossier", "Jeune", "Né(e) le", "Date d'inscription", "Mentor"]
    rows = [
        ["J1", "DUPONT Marie-Claire", "05/03/2009", "10/01/2025", "Paul MARTIN"],
        ["J2", "Awa N'Diaye", "02/11/2007", "12/01/2025", "Léa PETIT"],
        ["J3", "Seul", "02/11/2007", "12/01/2025", "Noé ROBERT"],  # one word: not a full name
    ]
    report = ingest(engine, csv_bytes([header, *rows]), "f.csv", key, association="Horizon")
    assert report.statut == "charge", report.erreurs
    assert (report.lignes_chargees, report.lignes_en_quarantaine) == (2, 1)
    assert report.erreurs == [
        "Ligne 4, colonne « Jeune » : nom et prénom du jeune attendus dans la même cellule"
    ]
    p = parcours_rows(engine)
    assert p["J1"]["id_jeune"] == id_jeune(key, "Dupont", "Marie-Claire", BIRTH_A)
    assert p["J2"]["id_jeune"] == id_jeune(key, "N'Diaye", "Awa", BIRTH_B)
    assert p["J1"]["id_mentor"] == id_mentor(key, "Horizon", "Martin", "Paul")


def test_two_digit_years_commune_with_postcode_and_platform_yes_no(engine, key):
    header = ["Réf.", "Nom", "Prénom", "DDN", "Ville (CP)", "Inscrit le", "Via 1jeune1mentor ?"]
    rows = [
        ["R1", "Petit", "Lou", "05/03/09", "Roubaix (59100)", "03/03/25", "Oui"],
        ["R2", "Moreau", "Adam", "02/11/07", "59200 Tourcoing", "10/03/25", "Non"],
        ["R3", "Leroy", "Tom", "01/02/30", "Lille", "10/03/25", "Non"],  # 1930, not 2030
    ]
    report = ingest(engine, csv_bytes([header, *rows]), "f.csv", key, association="Horizon")
    assert report.statut == "charge", report.erreurs
    assert report.lignes_en_quarantaine == 1
    assert "âge à l'inscription hors de 5 à 30 ans" in report.erreurs[0]
    p = parcours_rows(engine)
    assert p["R1"]["annee_naissance"] == 2009 and p["R1"]["age_inscription"] == 15
    assert p["R1"]["commune_insee"] == "59512" and p["R2"]["commune_insee"] == "59599"
    assert p["R1"]["canal"] == "plateforme_1j1m" and p["R2"]["canal"] == "association_directe"


def _workbook(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for cells in (merges or {}).get(name, []):
            ws.merge_cells(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_data_after_a_read_me_sheet_under_merged_group_cells(engine, key):
    data = _workbook(
        {
            "À lire": [["Une ligne par jeune."], ["Ne pas modifier les colonnes."]],
            "Binômes": [
                ["", "Jeune", None, None, "Mentor", None],
                ["N°", "Nom", "Prénom", "Date de naissance", "Nom", "Prénom"],
                ["B1", "Dupont", "Marie", dt.datetime(2009, 3, 5), "Martin", "Paul"],
                ["B2", "Petit", "Lou", dt.datetime(2007, 11, 2), None, None],
            ],
        },
        {"Binômes": ["B1:D1", "E1:F1"]},
    )
    report = ingest(engine, data, "binomes.xlsx", key, association="Horizon")
    # No inscription date: the file is refused for that, the columns were all understood.
    assert report.statut == "rejete"
    assert "Date d'inscription" in report.erreurs[0]
    fixed = _workbook(
        {
            "À lire": [["Une ligne par jeune."]],
            "Binômes": [
                ["", "Jeune", None, None, "Mentor", None, None],
                ["N°", "Nom", "Prénom", "Date de naissance", "Nom", "Prénom", "Inscrit le"],
                ["B1", "Dupont", "Marie", dt.datetime(2009, 3, 5), "Martin", "Paul", "01/02/25"],
                ["B2", "Petit", "Lou", dt.datetime(2007, 11, 2), None, None, "03/02/25"],
            ],
        },
        {"Binômes": ["B1:D1", "E1:F1"]},
    )
    report = ingest(engine, fixed, "binomes.xlsx", key, association="Horizon")
    assert report.statut == "charge", report.erreurs
    fields = {c["en_tete"]: c["champ"] for c in report.colonnes}
    assert fields["Jeune - Nom"] == "nom" and fields["Mentor - Nom"] == "nom_mentor"
    assert fields["Mentor - Prénom"] == "prenom_mentor"
    p = parcours_rows(engine)
    assert p["B1"]["id_jeune"] == id_jeune(key, "Dupont", "Marie", BIRTH_A)
    assert p["B1"]["id_mentor"] == id_mentor(key, "Horizon", "Martin", "Paul")


HEADER = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription", "Étape 2"]
ROWS = [
    ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025", "20/02/2025"],
    ["A2", "Martin", "Léa", "02/11/2007", "15/01/2025", "01/03/2025"],
]


def test_an_unrecognised_date_column_is_asked_before_anything_is_loaded(engine, key):
    data = csv_bytes([HEADER, *ROWS])
    before = counts(engine)
    report = ingest(engine, data, "export.csv", key, association="Horizon")
    assert report.statut == "a_completer"
    assert counts(engine) == before  # nothing written
    assert report.questions == [
        {"en_tete": "Étape 2", "ressemble_a": "des dates (2025)", "suggestions": []}
    ]
    assert "« Étape 2 » : des dates (2025)" in report.message
    assert "--profile" in report.message
    # Answered as a column to ignore, or as a step: loaded.
    ignored = ingest(
        engine,
        data,
        "export.csv",
        key,
        association="Horizon",
        answers=Answers(columns={"etape 2": ""}),
        dry_run=True,
    )
    assert ignored.statut == "charge" and ignored.essai and counts(engine) == before
    answered = ingest(
        engine,
        data,
        "export.csv",
        key,
        association="Horizon",
        answers=Answers(columns={"etape 2": "date_mise_en_relation"}),
    )
    assert answered.statut == "charge"
    assert parcours_rows(engine)["A1"]["date_mise_en_relation"] == dt.date(2025, 2, 20)


def test_an_unknown_label_costs_no_row_and_is_listed(engine, key):
    header = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription", "Lieu d'accueil"]
    rows = [
        ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025", "Famille d'accueil (AF)"],
        ["A2", "Martin", "Léa", "02/11/2007", "15/01/2025", "Chez une tante"],
        ["A3", "Petit", "Lou", "01/02/2010", "15/01/2025", "Chez une tante"],
    ]
    report = ingest(engine, csv_bytes([header, *rows]), "e.csv", key, association="Horizon")
    assert report.statut == "charge"
    assert (report.lignes_chargees, report.lignes_en_quarantaine) == (3, 0)
    assert report.valeurs_non_reconnues == [
        {"champ": "type_accueil", "valeur": "Chez une tante", "lignes": 2}
    ]
    p = parcours_rows(engine)
    assert p["A1"]["type_accueil"] == "famille_accueil" and p["A2"]["type_accueil"] is None
    with engine.connect() as conn:
        kept = conn.execute(select(ValeurInconnue.champ, ValeurInconnue.valeur)).all()
    assert kept == [("type_accueil", "Chez une tante")]
    # Answered as a label of the table, the next import reads it.
    header2 = [*header, "Heures"]
    rows2 = [[*r, ""] for r in rows]
    again = ingest(
        engine,
        csv_bytes([header2, *rows2]),
        "e2.csv",
        key,
        association="Horizon",
        answers=Answers(values={"type_accueil": {"chez une tante": "autre"}}),
    )
    assert again.valeurs_non_reconnues == []
    assert parcours_rows(engine)["A2"]["type_accueil"] == "autre"


def test_a_new_association_given_on_the_command_line_is_added_and_said(engine, key):
    data = csv_bytes([HEADER[:5], *[r[:5] for r in ROWS]])
    report = ingest(engine, data, "export.csv", key, association="Nouvelle Asso")
    assert report.statut == "charge" and report.association_creee
    assert "ajoutée au référentiel" in report.message
    with engine.connect() as conn:
        assert conn.execute(select(Association.nom, Association.capacite)).all() == [
            ("Nouvelle Asso", None)
        ]


def test_data_date_from_the_title_rows_else_the_latest_date(engine, key):
    rows = [HEADER[:5], *[r[:5] for r in ROWS]]
    titled = xlsx_bytes(rows, title_rows=["Export Horizon", "Extraction du 15/10/2026", ""])
    report = ingest(engine, titled, "t.xlsx", key, association="Horizon")
    assert (report.date_donnees, report.origine_date_donnees) == ("2026-10-15", "titre")
    other = csv_bytes([*rows, ["A3", "Petit", "Lou", "01/02/2010", "20/01/2025"]])
    report = ingest(engine, other, "u.csv", key, association="Autre")
    assert (report.date_donnees, report.origine_date_donnees) == ("2025-01-20", "contenu")
    with engine.connect() as conn:
        stored = conn.execute(
            select(ImportLot.date_donnees, ImportLot.origine_date_donnees).order_by(ImportLot.id)
        ).all()
    assert stored == [(dt.date(2026, 10, 15), "titre"), (dt.date(2025, 1, 20), "contenu")]


def test_dry_run_reports_a_real_import_and_writes_nothing(engine, key):
    data = csv_bytes([HEADER[:5], *[r[:5] for r in ROWS]])
    before = counts(engine)
    trial = ingest(engine, data, "export.csv", key, association="Horizon", dry_run=True)
    assert counts(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(Association)).all() == []
    real = ingest(engine, data, "export.csv", key, association="Horizon")
    assert trial.essai and not real.essai and trial.import_id is None
    same = ("statut", "lignes_lues", "lignes_chargees", "nouveaux", "etapes_atteintes")
    assert {k: getattr(trial, k) for k in same} == {k: getattr(real, k) for k in same}


def test_long_values_and_control_characters_are_the_same_on_both_backends(engine, key):
    header = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription", "Établissement"]
    rows = [
        ["A1", "Dupont\x07", "Marie", "05/03/2009", "10/01/2025", "MECS " + "x" * 300],
        ["A" * 150, "Martin", "Léa", "02/11/2007", "15/01/2025", "Foyer\x1b du Nord"],
    ]
    data = csv_bytes([header, *rows])
    name = "export " + "n" * 300 + ".csv"
    report = ingest(engine, data, name, key, association="Horizon", user="u" * 300)
    assert report.statut == "charge", report.erreurs
    assert (report.lignes_chargees, report.lignes_en_quarantaine) == (1, 1)
    assert report.erreurs == [
        "Ligne 3, colonne « N° dossier » : valeur de plus de 100 caractères : raccourcissez-la"
    ]
    p = parcours_rows(engine)
    assert len(p["A1"]["etablissement"]) == 200 and p["A1"]["etablissement"].endswith("…")
    assert p["A1"]["id_jeune"] == id_jeune(key, "Dupont", "Marie", BIRTH_A)
    with engine.connect() as conn:
        stored = conn.execute(select(ImportLot.fichier, ImportLot.utilisateur)).one()
    assert (len(stored.fichier), len(stored.utilisateur)) == (255, 100)


def test_control_characters_are_spaces_and_nul_never_reaches_the_database():
    from pipelines.extract import cell_text
    from pipelines.normalise import clean_text

    values, _ = clean_text(pd.Series(["Foyer\x00du\x1bNord", "MECS\tLes Tilleuls"]))
    assert values.tolist() == ["Foyer du Nord", "MECS Les Tilleuls"]
    assert cell_text("Date de\nnaissance\x00") == "Date de naissance"


def test_a_check_not_back_yet_stays_pending(engine, key):
    """« en attente », « non reçu », « Relancé le … » in the return date: the row loads and
    the check is pending (they were quarantined, and vanished from the pending count)."""
    from indicators.dataset import Dataset, Period
    from indicators.honorabilite import pending
    from store.queries import dataset_frames

    header = ["N° demande", "Association", "Nom", "Prénom", "Reçu au CD le", "Réponse le"]
    rows = [
        ["D1", "Horizon", "Martin", "Paul", "03/03/2025", "06/03/2025"],
        ["D2", "Horizon", "Simon", "Anne", "04/03/2025", "en attente"],
        ["D3", "Horizon", "Petit", "Lou", "05/03/2025", "Non reçu"],
        ["D4", "Horizon", "Robert", "Noé", "06/03/2025", "Relancé le 20/03/2025"],
        ["D5", "Horizon", "Morel", "Léo", "1er mars 2025", "3 mars 2025"],
    ]
    report = ingest(engine, csv_bytes([header, *rows]), "suivi_b2.csv", key)
    assert report.statut == "charge", report.erreurs
    assert (report.type, report.lignes_chargees, report.lignes_en_quarantaine) == (
        "honorabilite",
        5,
        0,
    )
    with engine.connect() as conn:
        data = Dataset(**dataset_frames(conn))
    waiting = pending(data, Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
    assert sorted(waiting["id_source"]) == ["D2", "D3", "D4"]
    back = data.demandes.set_index("id_source")["date_retour"]
    assert back["D5"] == pd.Timestamp(2025, 3, 3) and back["D1"] == pd.Timestamp(2025, 3, 6)


SITUATIONS = ["Famille d'accueil", "MECS", "Assistant familial", "Lieu de vie", "MECS"]


def test_a_column_of_one_tables_labels_is_placed_whatever_its_header(engine, key):
    """« Situation » says nothing; its cells are all labels of type_accueil (some are also
    labels of initiateur: « Assistant familial »), and only type_accueil knows them all."""
    header = ["N° fiche", "Nom", "Prénom", "Date de naissance", "Date de réception", "Situation"]
    people = [("Dupont", "Marie"), ("Martin", "Léa"), ("Petit", "Lou"), ("Simon", "Noé")]
    rows = [
        [f"F{i}", *people[i % 4], "05/03/2009", "10/01/2025", SITUATIONS[i % 5]] for i in range(10)
    ]
    report = ingest(engine, csv_bytes([header, *rows]), "fiches.csv", key, dry_run=True)
    assert report.statut == "charge", report.erreurs
    placed = {c["en_tete"]: (c["champ"], c["certitude"]) for c in report.colonnes}
    assert placed["Situation"] == ("type_accueil", 0.8)


B2_HEADER = [
    "N° demande", "Structure", "NOM Prénom", "Né(e) le", "À", "Reçu au CD le", "Réponse le",
    "Avis",
]  # fmt: skip
B2_ROWS = [
    ["D1", "Horizon Mentorat", "MARTIN Paul", "05/03/1980", "Lille", "03/03/2025", "06/03/2025",
     "Favorable"],
    ["D2", "Les Bâtisseurs", "SIMON Anne", "12/07/1975", "Roubaix", "04/03/2025", "en attente",
     ""],
    ["D3", "Horizon Mentorat", "PETIT Lou", "01/02/1990", "Douai", "05/03/2025", "10/03/2025",
     "Favorable"],
    ["D4", "Les Bâtisseurs", "ROBERT Noé", "09/09/1985", "Tourcoing", "06/03/2025", "",
     ""],
    ["D5", "Horizon Mentorat", "MOREL Inès", "21/04/1970", "Arras", "07/03/2025", "",
     ""],
    ["D6", "Les Bâtisseurs", "LEROY Awa", "30/11/1982", "Cambrai", "07/03/2025", "",
     ""],
]  # fmt: skip


def test_a_column_of_known_association_names_is_the_association(engine, key):
    referential = xlsx_bytes(
        [["Association", "Capacité"], ["Horizon Mentorat", 20], ["Les Bâtisseurs", 10]]
    )
    assert ingest(engine, referential, "associations.xlsx", key).statut == "charge"
    report = ingest(engine, csv_bytes([B2_HEADER, *B2_ROWS]), "suivi.csv", key)
    assert report.statut == "charge", report.erreurs
    placed = {c["en_tete"]: c["champ"] for c in report.colonnes}
    assert placed["Structure"] == "association"
    # « À » (the place of birth) next to the full name is no one's surname.
    assert placed["NOM Prénom"] == "nom_prenom_mentor" and placed["À"] is None
    assert (report.lignes_chargees, report.lignes_en_quarantaine) == (6, 0)
    mentors = {r["id_source"]: r for r in _checks(engine)}
    assert mentors["D2"]["id_mentor"] == id_mentor(key, "Les Bâtisseurs", "Simon", "Anne")


def test_without_a_referential_the_association_column_is_asked_not_lost(engine, key):
    """No association known yet: rather than all rows refused for want of one, the column
    that may hold the associations' names is asked."""
    report = ingest(engine, csv_bytes([B2_HEADER, *B2_ROWS]), "suivi.csv", key)
    assert report.statut == "a_completer"
    assert report.questions[0]["en_tete"] == "Structure"
    assert report.questions[0]["suggestions"][0] == "association"
    assert counts(engine)["imports"] == 0


def _checks(engine) -> list[dict]:
    from store.models import DemandeHonorabilite

    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(DemandeHonorabilite))]


def test_totals_and_section_rows_are_set_aside_and_said(engine, key):
    """A CRM extraction: a section row before each territory's youths, a subtotal after
    them, a grand total at the end. Those rows are no parcours and no line to send back:
    set aside and listed, never quarantined; read = loaded + quarantined + set aside."""
    header = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription", "Territoire"]
    rows = [
        ["Territoire Lille", "", "", "", "", ""],
        ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025", "Lille"],
        ["A2", "Martin", "Léa", "02/11/2007", "15/01/2025", "Lille"],
        ["", "Sous-total Lille", "", "", "", "2"],
        ["Territoire Douai", "", "", "", "", ""],
        ["A3", "Petit", "Lou", "01/02/2010", "20/01/2025", "Douai"],
        ["A4", "", "", "", "", ""],  # a record with its identifier alone: quarantined
        ["Total général", "", "", "", "", "3"],
    ]
    data = csv_bytes([["Extraction du 31/01/2025"], header, *rows])
    report = ingest(engine, data, "crm.csv", key, association="Horizon")
    assert report.statut == "charge", report.erreurs
    assert (report.lignes_lues, report.lignes_chargees, report.lignes_en_quarantaine) == (8, 3, 1)
    assert report.lignes_ignorees == [
        {"ligne": 3, "motif": "intitulé de section"},
        {"ligne": 6, "motif": "sous-total"},
        {"ligne": 7, "motif": "intitulé de section"},
        {"ligne": 10, "motif": "total"},
    ]
    assert report.date_donnees == "2025-01-31"
    assert sorted(parcours_rows(engine)) == ["A1", "A2", "A3"]


def test_a_workbook_total_row_under_date_cells_is_set_aside(engine, key):
    """Real date cells and numbers in an xlsx: the total row is found all the same."""
    header = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription", "Heures"]
    rows = [
        ["A1", "Dupont", "Marie", dt.datetime(2009, 3, 5), dt.datetime(2025, 1, 10), 12],
        ["A2", "Martin", "Léa", dt.datetime(2007, 11, 2), dt.datetime(2025, 1, 15), 8],
        ["TOTAL", None, None, None, None, 20],
    ]
    report = ingest(engine, xlsx_bytes([header, *rows]), "x.xlsx", key, association="Horizon")
    assert (report.lignes_lues, report.lignes_chargees, report.lignes_en_quarantaine) == (3, 2, 0)
    assert report.lignes_ignorees == [{"ligne": 4, "motif": "total"}]


def test_a_hidden_crm_key_never_wins_over_the_visible_dossier_number(engine, key):
    from pipelines.hidden_columns import hidden_columns

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Extraction"
    sheet.append(["Id", "N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription"])
    sheet.append(["0015800000AbCdE", "A1", "Dupont", "Marie", "05/03/2009", "10/01/2025"])
    sheet.append(["0015800000FgHiJ", "A2", "Martin", "Léa", "02/11/2007", "15/01/2025"])
    sheet.append(["0015800000KlMnO", "A3", "Petit", "Lou", "01/02/2010", "20/01/2025"])
    sheet.column_dimensions["A"].hidden = True
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    assert hidden_columns(data, "Extraction") == {0}
    report = ingest(engine, data, "crm.xlsx", key, association="Horizon")
    assert report.statut == "charge", report.erreurs
    columns = {c["en_tete"]: c for c in report.colonnes}
    assert columns["N° dossier"]["champ"] == "id_source"
    assert columns["Id"]["champ"] is None and columns["Id"]["masquee"] is True
    assert sorted(parcours_rows(engine)) == ["A1", "A2", "A3"]


def test_a_header_on_two_rows_of_a_crm_extraction(engine, key):
    """A title block with the data date, then a header on two rows: « N° dossier » merged
    down over both rows, « Jeune » / « Mentor » groups merged across over « Nom »,
    « Prénom »: every column named, the two « Nom » apart, the date read from the title."""
    data = _workbook(
        {
            "Export": [
                ["Extraction CRM du 30/09/2025"],
                [],
                ["N° dossier", "Jeune", None, None, None, "Binôme", None, "Mentor", None],
                [None, "Nom", "Prénom", "Né(e) le", "Inscrit le", "Date MER", "Date début",
                 "Nom", "Prénom"],
                ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025", "10/02/2025",
                 "01/03/2025", "Martin", "Paul"],
                ["A2", "Petit", "Lou", "01/02/2010", "11/01/2025", "11/02/2025", "02/03/2025",
                 "Simon", "Anne"],
            ]
        },
        {"Export": ["A3:A4", "B3:E3", "F3:G3", "H3:I3"]},
    )  # fmt: skip
    report = ingest(engine, data, "crm.xlsx", key, association="Horizon")
    assert report.statut == "charge", report.erreurs
    fields = {c["en_tete"]: c["champ"] for c in report.colonnes}
    assert fields["N° dossier"] == "id_source"
    assert fields["Jeune - Nom"] == "nom" and fields["Mentor - Nom"] == "nom_mentor"
    assert fields["Binôme - Date début"] == "date_debut"
    assert report.date_donnees == "2025-09-30"


def test_a_section_row_with_its_count_and_a_count_of_files_are_set_aside(engine, key):
    header = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription", "Nb"]
    rows = [
        ["Secteur Lille", "", "", "", "", "2"],
        ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025", "1"],
        ["A2", "Martin", "Léa", "02/11/2007", "lundi 13 janvier 2025", "1"],
        ["Nb dossiers Lille", "", "", "", "", "2"],
    ]
    report = ingest(engine, csv_bytes([header, *rows]), "x.csv", key, association="Horizon")
    assert (report.lignes_lues, report.lignes_chargees, report.lignes_en_quarantaine) == (4, 2, 0)
    assert [r["motif"] for r in report.lignes_ignorees] == ["intitulé de section", "total"]
    assert parcours_rows(engine)["A2"]["date_inscription"] == dt.date(2025, 1, 13)
