"""The matcher on small hand-written cases: headers read as words, concepts and roles, cell
evidence, certainty, questions, labels word by word."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from domain.schema import Kind
from pipelines.labels import match_label
from pipelines.mapping import map_columns
from pipelines.matcher.assign import match_columns
from pipelines.matcher.cells import CONFIRM, REFUTE, describe, fit, looks_like
from pipelines.matcher.headers import header_scores
from pipelines.vocabulary import read_words, same_word, stem

A = Kind.ASSOCIATION
H = Kind.HONORABILITE
TODAY = dt.date(2026, 11, 30)


def col(*values) -> pd.Series:
    return pd.Series(list(values), dtype=object)


# --- headers read as words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "main", "roles", "says_date"),
    [
        ("Transmis au CD le", ("transmi", "departement"), set(), True),
        ("Mentor·e", (), {"mentor"}, False),
        ("Mentoré·e", (), {"jeune"}, False),  # the mentee, not the mentor
        ("Filleul(e) - Nom", ("nom",), {"jeune"}, False),
        ("Bénévole(s)", (), {"mentor"}, False),
        ("Date de la MER", ("mis", "relation"), set(), True),
        ("N° dossier", ("numero", "dossier"), set(), False),
        ("AP signée", ("autorisation", "parental", "sign"), set(), False),
        ("Né(e) à", ("lieu", "naissanc"), set(), False),
        ("Référent·e ASE", ("ase",), {"pro"}, False),
    ],
)
def test_headers_read_as_words(header, main, roles, says_date):
    words = read_words(header)
    assert words.main == main
    assert set(words.roles) == roles
    assert words.says_date is says_date


def test_text_in_parentheses_is_a_hint_and_doubt_words_are_noticed():
    assert read_words("Fin accompagnement (si applicable)").main == ("fin", "accompagnement")
    assert read_words("Début (1er RDV)").hint == ("premier", "rendez")
    assert read_words("Date de fin prévue").doubt
    assert not read_words("Date de fin").doubt


def test_stems_and_spelling_slips():
    assert stem("signees") == stem("signee") == stem("signe") == "sign"
    assert stem("transmise") == stem("transmis")
    assert same_word(stem("inscritpion"), stem("inscription"))  # two letters swapped
    assert same_word("autorisation", "autorisaton")
    assert not same_word("naissance", "connaissance")  # another word, not a slip
    # Under five letters, no slip at all; up to eight, one edit; from nine on, two.
    assert not same_word("date", "data") and not same_word("nom", "non")
    assert same_word("debut", "debit") and not same_word("debut", "dbeit")
    assert not same_word("mentor", "mnetro")  # two edits on six letters
    assert same_word("naissance", "nasisanec")  # two swaps: two edits from nine letters on
    assert not same_word("naissance", "nasisnaec")  # three edits, even on nine letters
    assert not same_word("naissance", "naisanse")  # two edits, one side has eight letters
    assert not same_word("fin", "fni") and not same_word("debut", "ebut")  # first letter kept


@pytest.mark.parametrize(
    ("header", "kind", "field"),
    [
        ("Transmis au CD le", H, "date_transmission_cd"),  # the header refused before
        ("Demande envoyée au service le", H, "date_demande_service"),
        ("Nom du bénévole", A, "nom_mentor"),
        ("Date d'inscritpion", A, "date_inscription"),
        ("AUTORISATION PARENTAL", A, "date_autorisation_parentale"),
        ("1er RDV binôme", A, "date_debut"),
        ("Conv. signée le", A, "date_convention"),
        ("Fin accompagnement (si applicable)", A, "date_fin"),
        ("Date à laquelle le jeune s'est inscrit", A, "date_inscription"),
        ("Accord parents / tuteur", A, "date_autorisation_parentale"),
        ("Qui nous a orienté le jeune ?", A, "initiateur"),
        ("Inscrit via 1jeune1mentor ?", A, "via_plateforme"),
    ],
)
def test_concepts_name_the_field(header, kind, field):
    scores = header_scores(header, kind)
    best = max(scores, key=lambda name: (scores[name].score, scores[name].specificity))
    assert best == field, scores


def test_roles_tell_the_youth_from_the_mentor():
    assert "nom" in header_scores("Nom", A) and "nom_mentor" in header_scores("Nom du mentor", A)
    assert "nom" not in header_scores("Nom du mentor", A)
    assert "nom_mentor" not in header_scores("Nom du jeune", A)
    # With a merged group cell "Mentor" above it, "Nom" is the mentor's.
    assert "nom" not in header_scores("Nom", A, "Mentor")
    assert header_scores("Nom", A, "Mentor")["nom_mentor"].score == 1.0
    # "Nom" alone is the youth's, the mentor's only less likely.
    assert header_scores("Nom", A)["nom_mentor"].score < header_scores("Nom", A)["nom"].score
    # In the B2 follow-up there are only mentors: "Nom" is the mentor's.
    assert header_scores("Nom", H)["nom_mentor"].score == 1.0
    # A professional's name is nobody's identity here.
    assert not {"nom", "nom_mentor", "nom_prenom"} & set(header_scores("Nom du référent", A))


def test_more_specific_header_ranks_first():
    plain, precise = (
        header_scores("Nom", A)["nom"],
        header_scores("Nom de famille du jeune", A)["nom"],
    )
    assert plain.score == precise.score == 1.0
    assert precise.specificity > plain.specificity


# --- cell evidence -------------------------------------------------------------------------


def test_describe_counts_shapes():
    shape = describe(col("05/03/2009", "12/12/2006", dt.datetime(2010, 1, 31), "n/a", None), TODAY)
    assert (shape.filled, shape.dates, shape.years) == (3, 1.0, (2006, 2009, 2010))
    assert describe(col("59350", 59009, "59512", "2A004"), TODAY).insee == 1.0
    assert describe(col("59000", "59100", "59200"), TODAY).postcodes == 1.0
    assert describe(col("Roubaix (59100)", "59200 Tourcoing", "Lille"), TODAY).communes == 1.0
    assert describe(col("oui", "non", "Oui", "N"), TODAY).yes_no == 1.0
    labels = describe(col("Famille d'accueil (AF)", "Foyer (MECS)", "AEMO", "Tiers"), TODAY)
    assert labels.tables["type_accueil"] == 1.0
    future = describe(col("01/01/2026", "01/06/2027", "01/09/2027", "01/01/2025"), TODAY)
    assert future.future == 0.5


def test_cells_confirm_or_refute_a_guess():
    dates = describe(col("03/01/2025", "10/02/2025", "12/03/2025", "01/04/2025"), TODAY)
    births = describe(col("03/01/2009", "10/02/2007", "12/03/2010", "01/04/2008"), TODAY)
    names = describe(col("Dupont", "Martin", "Leroy", "Petit", "Moreau", "Durand"), TODAY)
    assert fit(A, "date_debut", dates, TODAY) == CONFIRM
    assert fit(A, "date_debut", names, TODAY) < 0  # six names: doubtful, not yet refuted
    assert fit(A, "date_naissance", births, TODAY) == CONFIRM
    assert fit(A, "date_debut", births, TODAY) < 0 < fit(A, "date_naissance", births, TODAY)
    assert fit(A, "nom", dates, TODAY) == REFUTE
    sexes = describe(col("F", "M", "F", "F"), TODAY)
    assert fit(A, "sexe", sexes, TODAY) == CONFIRM
    full = describe(col("DUPONT Marie", "Léa Martin", "LEROY Tom", "Inès Robert"), TODAY)
    assert fit(A, "nom_prenom", full, TODAY) == CONFIRM
    assert fit(A, "nom_prenom", names, TODAY) == REFUTE  # one word: no full name


def test_looks_like_never_quotes_a_name_or_a_date():
    names = describe(col("Dupont", "Martin", "Leroy", "Petit", "Moreau", "Durand"), TODAY)
    assert looks_like(names) == "des noms de personnes"
    births = describe(col("03/01/2009", "10/02/2007"), TODAY)
    assert looks_like(births) == "des dates (2007 à 2009)"


# --- certainty and questions -----------------------------------------------------------------


def test_an_unexplained_date_column_is_asked_never_guessed():
    frame = pd.DataFrame(
        {
            0: [f"A{i}" for i in range(10)],
            1: ["Dupont", "Martin", "Leroy", "Petit", "Moreau"] * 2,
            2: ["Marie", "Léa", "Tom", "Inès", "Noé"] * 2,
            3: ["05/03/2009", "12/12/2006", "01/02/2010", "03/07/2011", "09/09/2008"] * 2,
            4: [f"{d:02d}/01/2025" for d in range(10, 20)],
            5: [f"{d:02d}/03/2025" for d in range(1, 11)],
        }
    )
    header = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription", "Jalon"]
    match = match_columns(header, A, frame=frame, today=TODAY)
    assert match.columns == {
        0: "id_source",
        1: "nom",
        2: "prenom",
        3: "date_naissance",
        4: "date_inscription",
    }
    (question,) = match.questions
    assert (question.header, question.why, question.looks_like) == (
        "Jalon",
        "dates",
        "des dates (2025)",
    )
    # The steps after the inscription come first among the choices: they fit the order.
    first = [name for name, _ in question.candidates[:5]]
    assert "date_proposition" not in first and "date_debut" in first


def test_a_step_out_of_the_funnel_order_is_asked():
    frame = pd.DataFrame(
        {
            0: ["10/01/2025", "15/01/2025", "20/01/2025", "25/01/2025", "01/02/2025"] * 2,
            1: ["01/03/2025", "05/03/2025", "10/03/2025", "15/03/2025", "20/03/2025"] * 2,
            2: ["01/12/2024", "02/12/2024", "03/12/2024", "04/12/2024", "05/12/2024"] * 2,
        }
    )
    header = ["Date d'inscription", "Date de mise en relation", "Date convention envoyée"]
    match = match_columns(header, A, frame=frame, today=TODAY)
    assert match.columns == {0: "date_inscription", 1: "date_mise_en_relation"}
    assert [(q.header, q.why) for q in match.questions] == [("Date convention envoyée", "ordre")]


def test_doubtful_header_is_asked_even_with_dates():
    frame = pd.DataFrame({0: ["01/06/2026", "01/09/2026", "01/10/2026"]})
    match = match_columns(["Date de fin prévue"], A, frame=frame, today=TODAY)
    assert not match.columns and match.questions[0].candidates[0][0] == "date_fin"


def test_free_text_column_is_reported_not_asked():
    frame = pd.DataFrame({0: ["Très motivé", "RAS", "À revoir en comité", "Binôme solide"]})
    match = match_columns(["Observations"], A, frame=frame, today=TODAY)
    assert not match.columns and not match.questions


def test_kind_of_the_follow_up_whose_transmission_header_was_refused():
    header = ["Nom", "Prénom", "Transmis au CD le", "Date de retour", "Résultat"]
    mapping = map_columns(header, profiles=())
    assert mapping.kind == H and not mapping.missing_required
    assert mapping.columns[2] == "date_transmission_cd"


# --- labels word by word -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "table", "value"),
    [
        ("Famille d'accueil (AF)", "type_accueil", "famille_accueil"),
        ("Foyer (MECS Les Tilleuls)", "type_accueil", "etablissement"),
        ("Placement (AEMO)", "type_accueil", "domicile"),  # the precision says it
        ("Fam. accueil", "type_accueil", "famille_accueil"),  # abbreviated with a dot
        ("Famille d'acceuil", "type_accueil", "famille_accueil"),  # a slip
        ("Arrêt à l'initiative du jeune", "motif_fin", "arret_jeune"),
        ("Le jeune a déménagé", "motif_fin", "changement_situation"),
        ("Le filleul a arrêté", "motif_fin", "arret_jeune"),  # a role word as "jeune"
        ("ARRET TUTEUR", "motif_fin", "arret_mentor"),
        ("Fin du tutorat", "motif_fin", "fin_programme"),
        ("Non favorable", "resultat", "defavorable"),  # the other of two values
        ("Non inscrit au FIJAIS", "resultat", "favorable"),
        ("Présentiel principalement", "modalite", "presentiel"),
    ],
)
def test_labels_matched_word_by_word(label, table, value):
    assert match_label(label, table) == value


@pytest.mark.parametrize(
    ("label", "table"),
    [
        ("RDV à l'antenne, jeune très investi", "initiateur"),  # a word in a sentence
        ("Pas de présentiel", "modalite"),  # a negation the spelling lacks
        ("Famille", "type_accueil"),  # ambiguous on purpose: foster or own family
        ("H-1", "sexe"),  # a short spelling never inside a longer label
    ],
)
def test_labels_left_unknown_rather_than_guessed(label, table):
    assert match_label(label, table) is None


def test_surnames_that_are_communes_stay_names_but_many_places_are_no_one():
    """Bernard, Roux, Robert are communes too: a few such cells prove nothing; a column of
    many different commune names is places (« À » next to a birth date), never a name."""
    header = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription"]
    surnames = pd.DataFrame(
        [[f"A{i}", n, "Léa", "05/03/2009", "10/01/2025"] for i, n in
         enumerate(["Bernard", "Roux", "Bernard", "Robert"])],
        dtype=object,
    )  # fmt: skip
    assert match_columns(header, Kind.ASSOCIATION, frame=surnames).columns[1] == "nom"
    towns = ["Lille", "Roubaix", "Douai", "Arras", "Cambrai", "Lens", "Calais"]
    places = surnames.iloc[[0] * 7].reset_index(drop=True)
    places[1] = towns
    guesses = match_columns(header, Kind.ASSOCIATION, frame=places).guesses
    towns_column = next(g for g in guesses if g.position == 1)
    # The header says a name, the cells say places: asked, neither guessed.
    assert towns_column.field is None and towns_column.ask


def test_a_column_of_hours_is_numbers_not_satisfaction_scores():
    """« 2.0 », « 3.0 » read like the scores 2 and 3 of a satisfaction table, but a column of
    hours with halves (1.5, 2.5) is numbers: never a column of labels to ask about."""
    import pandas as pd

    from pipelines.matcher.cells import holds_known_labels

    for cells in (["1.5", "2.0", "2.5", "3.0", "4.0"] * 4, [1.5, 2.0, 2.5, 3.0, 4.0] * 4):
        shape = describe(pd.Series(cells, dtype="object"))
        assert shape.numbers == 1.0
        assert not holds_known_labels(shape)
    scores = describe(pd.Series(["très satisfait", "satisfait", "peu satisfait"] * 5))
    assert holds_known_labels(scores)  # labels are still labels
