"""Event logs (one row per event of a dossier) read as one parcours per dossier: steps from
the labels, details per step, identities that must agree, questions for unsure labels."""

from __future__ import annotations

import datetime as dt

from domain.text import normalise_key
from pipelines.api import Answers, ingest
from pipelines.pseudonyms import id_jeune
from tests.helpers import counts, csv_bytes, parcours_rows

HEADER = [
    "Réf", "Dossier", "Bénéficiaire", "Date naiss.", "Type d'action", "Date de l'action",
    "Précisions", "Saisi par",
]  # fmt: skip
ROWS = [
    ["1", "FR-1", "DUPONT Marie", "05/03/2009", "Inscription reçue", "10/01/2025",
     "Contact direct", "Paul"],
    ["2", "FR-1", "DUPONT Marie", "05/03/2009", "Appel de suivi", "15/01/2025", "rappeler",
     "Paul"],
    ["3", "FR-1", "Dupont Marie", "05/03/2009", "Présentation bénévole / jeune", "01/02/2025",
     "", "Anne"],
    ["4", "FR-1", "DUPONT Marie", "05/03/2009", "1ère rencontre", "10/02/2025", "Présentiel",
     "Anne"],
    ["5", "FR-2", "MARTIN Léa", "02/11/2007", "Inscription reçue", "12/01/2025",
     "Plateforme 1jeune1mentor", "Paul"],
    ["6", "FR-2", "MARTIN Léa", "02/11/2007", "Présentation bénévole / jeune", "03/02/2025",
     "", "Paul"],
    ["7", "FR-2", "MARTIN Léa", "02/11/2007", "Clôture du suivi", "20/06/2025",
     "Déménagement", "Anne"],
    ["8", "FR-3", "PETIT Lou", "01/02/2010", "Inscription reçue", "13/01/2025",
     "Contact direct", "Paul"],
    ["9", "FR-3", "ROUX Lou", "01/02/2010", "Signature charte d'engagement", "13/02/2025", "",
     "Paul"],
    ["10", "FR-4", "SIMON Noé", "09/09/2008", "Inscription reçue", "14/01/2025",
     "Contact direct", "Paul"],
    ["11", "FR-4", "SIMON Noé", "09/09/2008", "Appel de suivi", "20/01/2025", "", "Paul"],
]  # fmt: skip
LOG = csv_bytes([HEADER, *ROWS])


def test_an_unsure_label_is_asked_before_anything_loads(engine, key):
    report = ingest(engine, LOG, "historique.csv", key, association="Fil Rouge")
    assert report.statut == "a_completer"
    assert report.forme == "journal"
    assert report.questions == [
        {"etape": "Signature charte d'engagement", "lignes": 1, "suggestions": ["date_convention"]}
    ]
    assert (
        "étape « Signature charte d'engagement » (1 ligne(s)) ; peut-être : Date de "
        "signature de la convention" in report.message
    )
    assert "[etapes]" in report.message and counts(engine)["imports"] == 0


def test_the_log_becomes_one_parcours_per_dossier(engine, key):
    answers = Answers(steps={normalise_key("Signature charte d'engagement"): "date_convention"})
    report = ingest(engine, LOG, "historique.csv", key, association="Fil Rouge", answers=answers)
    assert report.statut == "charge", report.erreurs
    # Four dossiers; FR-3's rows name two people: quarantined, the column named.
    assert (report.lignes_lues, report.lignes_chargees, report.lignes_en_quarantaine) == (4, 3, 1)
    assert report.erreurs == [
        "Ligne 9, colonne « Bénéficiaire » : le dossier a des lignes qui ne disent pas la même "
        "chose (lignes 9, 10) : corrigez-les dans le fichier"
    ]
    steps = {s["libelle"]: (s["champ"], s["lignes"]) for s in report.etapes}
    assert steps == {
        "Inscription reçue": ("date_inscription", 4),
        "Appel de suivi": (None, 2),
        "Présentation bénévole / jeune": ("date_mise_en_relation", 2),
        "1ère rencontre": ("date_debut", 1),
        "Clôture du suivi": ("date_fin", 1),
        "Signature charte d'engagement": ("date_convention", 1),
    }
    p = parcours_rows(engine)
    assert sorted(p) == ["FR-1", "FR-2", "FR-4"]
    assert p["FR-1"]["id_jeune"] == id_jeune(key, "Dupont", "Marie", dt.date(2009, 3, 5))
    assert p["FR-1"]["date_inscription"] == dt.date(2025, 1, 10)
    assert p["FR-1"]["date_mise_en_relation"] == dt.date(2025, 2, 1)
    assert p["FR-1"]["date_debut"] == dt.date(2025, 2, 10)
    # The detail column read on each step's rows: canal, modalité, motif.
    assert (p["FR-1"]["canal"], p["FR-1"]["modalite"]) == ("association_directe", "presentiel")
    assert (p["FR-2"]["canal"], p["FR-2"]["motif_fin"]) == (
        "plateforme_1j1m",
        "changement_situation",
    )
    assert p["FR-2"]["date_fin"] == dt.date(2025, 6, 20)
    assert p["FR-4"]["date_mise_en_relation"] is None  # a call is no step


def test_a_profile_answers_the_steps_on_the_command_line(engine, key, tmp_path):
    from pipelines.api import read_answers

    profile = (
        b'[etapes]\n"Signature charte d\'engagement" = "date_convention"\n'
        b'"Appel de suivi" = "date_mise_en_relation"\n'
    )
    answers = read_answers(profile, "reponses.toml")
    report = ingest(engine, LOG, "h.csv", key, association="Fil Rouge", answers=answers)
    assert report.statut == "charge", report.erreurs
    # « Appel de suivi » answered as a step: FR-4 is now matched on 20/01/2025.
    assert parcours_rows(engine)["FR-4"]["date_mise_en_relation"] == dt.date(2025, 1, 20)


def test_a_step_answer_must_be_a_step_date(engine, key):
    answers = Answers(steps={normalise_key("Appel de suivi"): "nom"}, source="r.toml")
    report = ingest(engine, LOG, "h.csv", key, association="Fil Rouge", answers=answers)
    assert report.statut == "rejete"
    assert "[etapes] dans « r.toml » : « nom » n'est pas une date d'étape" in report.message


def test_rows_in_any_order_and_the_mentor_named_on_the_matching_row(engine, key):
    """Rows shuffled; the detail cell of the matching row is the mentor's full name: it
    becomes the mentor of the pair, whatever the column is called."""
    import random

    from pipelines.pseudonyms import id_mentor

    header = ["Jeune", "N°", "Naissance", "Évènement", "Quand", "Info"]
    youths = ["DUPONT Marie", "MARTIN Léa", "PETIT Lou", "SIMON Noé", "ROUX Inès"]
    mentors = ["Paul Bernard", "Anne Leroy", "Jean Dubois", "Sophie Garnier", "Luc Faure"]
    rows = []
    for i, (youth, mentor) in enumerate(zip(youths, mentors, strict=True)):
        rows += [
            [youth, f"J{i}", "05/03/2009", "Inscription", f"0{1 + i}/01/2025", ""],
            [youth, f"J{i}", "05/03/2009", "Binôme formé", f"0{1 + i}/02/2025", mentor],
            [youth, f"J{i}", "05/03/2009", "Premier RDV", f"1{i}/02/2025", "Visio"],
            [youth, f"J{i}", "05/03/2009", "Point mensuel", f"1{i}/03/2025", "ça va"],
        ]
    random.Random(7).shuffle(rows)
    report = ingest(engine, csv_bytes([header, *rows]), "j.csv", key, association="Horizon")
    assert report.statut == "charge", report.erreurs
    assert report.lignes_chargees == 5
    p = parcours_rows(engine)
    assert p["J1"]["id_mentor"] == id_mentor(key, "Horizon", "Leroy", "Anne")
    assert p["J1"]["date_debut"] == dt.date(2025, 2, 11)
    assert p["J1"]["modalite"] == "distanciel"


def test_the_steps_answered_once_are_not_asked_next_month(engine, key):
    """Answered and kept (« Enregistrer cette correspondance »): the next export of the
    same journal loads without the question."""
    from pipelines.api import Conversation, Upload
    from store.audit import Actor

    answers = Answers(steps={normalise_key("Signature charte d'engagement"): "date_convention"})
    first = Conversation(engine, Upload.of("mars.csv", LOG), key, association="Fil Rouge")
    plan = first.plan(answers)
    assert first.apply(plan, Actor("claire"), keep_mapping=True).profil_enregistre
    april = csv_bytes([HEADER, *ROWS, ["12", "FR-5", "MOREL Tom", "03/03/2008",
                                       "Inscription reçue", "01/04/2025", "", "Paul"]])  # fmt: skip
    report = ingest(engine, april, "avril.csv", key, association="Fil Rouge")
    assert report.statut == "charge", report.erreurs
    assert {s["libelle"]: s["champ"] for s in report.etapes}[
        "Signature charte d'engagement"
    ] == "date_convention"
