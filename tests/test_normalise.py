"""Normalise stage: keys, dates, value tables, text, codes, integers, ages."""

from __future__ import annotations

import datetime as dt
import tomllib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.schema import FIELDS, Kind, field
from domain.text import normalise_key
from domain.values import VALUE_TABLES_FILE, category_labels, value_table
from pipelines.normalise import (
    age_at,
    clean_code,
    clean_text,
    map_categories,
    map_multi_categories,
    normalise_column,
    parse_dates,
    parse_ints,
)


def obj(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# --- normalise_key -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Famille d'accueil", "famille d accueil"),
        ("  FAMILLE   D’ACCUEIL ", "famille d accueil"),
        ("Date de naissance (JJ/MM/AAAA)", "date de naissance jj mm aaaa"),
        ("Cœur", "coeur"),
        ("Lætitia", "laetitia"),
        ("À distance", "a distance"),
        ("N° de demande", "n de demande"),
        ("1jeune1mentor.fr", "1jeune1mentor fr"),
        ("---", ""),
    ],
)
def test_normalise_key(text: str, key: str) -> None:
    assert normalise_key(text) == key


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05/03/2009", "2009-03-05"),  # day first: 5 March, never 3 May
        ("5/3/2009", "2009-03-05"),
        ("5/3/09", "2009-03-05"),
        ("05/03/69", "2069-03-05"),  # pivot: 00-69 -> 20xx
        ("05/03/70", "1970-03-05"),  # 70-99 -> 19xx
        ("05-03-2009", "2009-03-05"),
        ("05.03.2009", "2009-03-05"),
        ("2009-03-05", "2009-03-05"),
        ("2009-03-05T14:30:00", "2009-03-05"),
        ("2009-03-05 14:30:00", "2009-03-05"),
        ("2009/03/05", "2009-03-05"),
        ("05/03/2009 14:30", "2009-03-05"),
        ("05/03/2009 14:30:59", "2009-03-05"),
        ("  05/03/2009\xa0", "2009-03-05"),
        ("5 mars 2009", "2009-03-05"),
        ("1er février 2010", "2010-02-01"),
        ("lundi 3 mars 2025", "2025-03-03"),  # a weekday in front
        ("03-mars-25", "2025-03-03"),  # Excel's « jj-mmm-aa » saved as text
        ("03.03.25", "2025-03-03"),
        ("3 mars 25", "2025-03-03"),
        (dt.date(2009, 3, 5), "2009-03-05"),
        (dt.datetime(2009, 3, 5, 23, 59), "2009-03-05"),
        (pd.Timestamp("2009-03-05 23:30", tz="Europe/Paris"), "2009-03-05"),
        (45000, "2023-03-15"),  # Excel serial: 1899-12-30 + 45000 days
        (45000.75, "2023-03-15"),  # time of day dropped
        ("45000", "2023-03-15"),
        ("45000,5", "2023-03-15"),
        (61, "1900-03-01"),
        (59, "1900-02-28"),
        (1, "1900-01-01"),
        (np.int64(45000), "2023-03-15"),
    ],
)
def test_parse_dates_accepted(raw: object, expected: str) -> None:
    values, errors = parse_dates(obj(raw))
    assert values.iloc[0] == ts(expected)
    assert errors.iloc[0] is pd.NA


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("31/02/2020", "date illisible « 31/02/2020 » (attendu JJ/MM/AAAA)"),
        ("13/13/2020", "date illisible « 13/13/2020 » (attendu JJ/MM/AAAA)"),
        ("voir Marc", "date illisible « voir Marc » (attendu JJ/MM/AAAA)"),
        ("rue 3 mars 2025", "date illisible « rue 3 mars 2025 » (attendu JJ/MM/AAAA)"),
        # Something done, with its date in words the reader does not take apart: refused,
        # never read as pending (nothing in it says « not yet »).
        ("reçu le 03/03/2025", "date illisible « reçu le 03/03/2025 » (attendu JJ/MM/AAAA)"),
        ("2020-02-30", "date illisible « 2020-02-30 » (attendu JJ/MM/AAAA)"),
        ("05/03/2009 abc", "date illisible « 05/03/2009 abc » (attendu JJ/MM/AAAA)"),
        ("32 mars 2009", "date illisible « 32 mars 2009 » (attendu JJ/MM/AAAA)"),
        (60, "date illisible « 60 » (attendu JJ/MM/AAAA)"),  # Excel's fictitious 29/02/1900
        (0, "date illisible « 0 » (attendu JJ/MM/AAAA)"),
        (-3, "date illisible « -3 » (attendu JJ/MM/AAAA)"),
        (73416, "date illisible « 73416 » (attendu JJ/MM/AAAA)"),  # after 31/12/2100
        ("05/03/0209", "date invraisemblable « 05/03/0209 » (attendue entre 1900 et 2100)"),
        (dt.date(1850, 1, 1), "date invraisemblable « 1850-01-01 » (attendue entre 1900 et 2100)"),
    ],
)
def test_parse_dates_rejected(raw: object, message: str) -> None:
    values, errors = parse_dates(obj(raw))
    assert values.iloc[0] is pd.NaT
    assert errors.iloc[0] == message


@pytest.mark.parametrize(
    "raw",
    [
        "en attente",
        "En cours",
        "?",
        "à venir",
        "bientôt",
        "non reçu",
        "Pas encore de réponse",
        "en attente de retour du service",
        "En cours d'instruction",
        "Relancé le 03/03/2025",  # a reminder's date is not the step's date
        "prévu en mars 2026",  # planned, not done
        "RDV à fixer",
        "demandé",  # done, its day not written: no date either
        "Reçu",
    ],
)
def test_a_date_not_there_yet_is_no_date_and_no_error(raw: str) -> None:
    values, errors = parse_dates(obj(raw))
    assert values.iloc[0] is pd.NaT and errors.iloc[0] is pd.NA


def test_parse_dates_empty_markers_without_error() -> None:
    values, errors = parse_dates(obj("", "  ", "-", "n/a", "NC", "N.C.", None, np.nan, pd.NaT))
    assert values.isna().all()
    assert errors.isna().all()


def test_parse_dates_types_and_index() -> None:
    values, errors = parse_dates(
        pd.Series(["05/03/2009", "x", None], index=[7, 8, 9], dtype=object)
    )
    assert values.dtype == "datetime64[ns]"
    assert errors.dtype == "string"
    assert list(values.index) == [7, 8, 9]
    assert list(errors.index) == [7, 8, 9]
    assert values.iloc[0] == ts("2009-03-05")
    assert (values.dropna() == values.dropna().dt.normalize()).all()


def test_parse_dates_repeated_values_and_mixed_types() -> None:
    raw = obj("05/03/2009", dt.datetime(2010, 1, 2, 8), "05/03/2009", 45000, "31/02/2020", "")
    values, errors = parse_dates(raw)
    assert values.tolist()[:4] == [
        ts("2009-03-05"),
        ts("2010-01-02"),
        ts("2009-03-05"),
        ts("2023-03-15"),
    ]
    assert errors.notna().tolist() == [False, False, False, False, True, False]


def test_parse_dates_serials_can_be_refused() -> None:
    values, errors = parse_dates(obj(45000, "45000", "05/03/2009"), serial_ok=False)
    assert values.isna().tolist() == [True, True, False]
    assert errors.iloc[0] == "date illisible « 45000 » (attendu JJ/MM/AAAA)"


def test_parse_dates_can_hide_the_value() -> None:
    _, errors = parse_dates(obj("31/02/2009", "05/03/1850"), show_value=False)
    assert errors.tolist() == [
        "date illisible (attendu JJ/MM/AAAA)",
        "date invraisemblable (attendue entre 1900 et 2100)",
    ]


def test_parse_dates_typed_datetime_series() -> None:
    raw = pd.Series(pd.to_datetime(["2009-03-05 14:00", None, "1850-06-01"], format="mixed"))
    values, errors = parse_dates(raw)
    assert values.dtype == "datetime64[ns]"
    assert values.iloc[0] == ts("2009-03-05")
    assert values.iloc[1:].isna().all()
    assert errors.isna().tolist() == [True, True, False]


def test_age_at() -> None:
    birth = pd.Series(pd.to_datetime(["2008-02-29", "2010-06-15", "2010-06-15", None]))
    when = pd.Series(pd.to_datetime(["2026-02-28", "2026-06-14", "2026-06-15", "2026-01-01"]))
    assert age_at(birth, when).tolist() == [17, 15, 16, pd.NA]
    assert age_at(birth, dt.date(2026, 3, 1)).tolist() == [18, 15, 15, pd.NA]
    assert age_at(birth, when).dtype == "Int64"


# --- value tables --------------------------------------------------------------------------------

SCHEMA_TABLES = {f.table for fields in FIELDS.values() for f in fields if f.table}
DOMAIN_VALUES = {
    "type_accueil": {"famille_accueil", "etablissement", "domicile", "autre"},
    "objectifs": {
        "scolarite",
        "orientation",
        "insertion_pro",
        "ouverture_socio_culturelle",
        "autre",
    },
    "modalite": {"presentiel", "distanciel", "mixte"},
    "initiateur": {"referent_ase", "educateur", "assistant_familial", "jeune", "autre"},
    "canal": {"association_directe", "fiche_cd", "plateforme_1j1m"},
    "motif_fin": {
        "objectifs_atteints",
        "fin_programme",
        "arret_jeune",
        "arret_mentor",
        "changement_situation",
        "autre",
    },
    "statut": {"en_attente", "en_cours", "termine", "abandonne"},
    "resultat": {"favorable", "defavorable"},
    "voie": {"cd_b2_fijais", "attestation_nationale"},
}


def test_value_tables_cover_schema_and_domain() -> None:
    with open(VALUE_TABLES_FILE, "rb") as fh:
        raw = tomllib.load(fh)
    assert not SCHEMA_TABLES - set(raw), "tables missing from valeurs.toml"
    for table, values in DOMAIN_VALUES.items():
        assert set(raw[table]) == values, table


def test_no_spelling_under_two_values_of_a_table() -> None:
    with open(VALUE_TABLES_FILE, "rb") as fh:
        raw = tomllib.load(fh)
    for table, values in raw.items():
        owner: dict[str, str] = {}
        for canonical, spellings in values.items():
            assert spellings, f"[{table}] {canonical}: empty list"
            for spelling in {canonical, *spellings}:
                key = normalise_key(spelling)
                assert owner.setdefault(key, canonical) == canonical, (
                    f"[{table}] « {spelling} » under {owner[key]} and {canonical}"
                )


def test_labels_are_the_first_spellings() -> None:
    assert category_labels("modalite") == {
        "presentiel": "présentiel",
        "distanciel": "distanciel",
        "mixte": "mixte",
    }
    with pytest.raises(KeyError):
        value_table("inconnue")


@pytest.mark.parametrize(
    ("table", "raw", "expected"),
    [
        ("modalite", "À distance", "distanciel"),
        ("modalite", "PRESENTIEL", "presentiel"),
        ("modalite", "présentiel et distanciel", "mixte"),
        ("modalite", "presentiel", "presentiel"),  # the canonical value always matches
        ("type_accueil", "MECS", "etablissement"),
        ("type_accueil", "Famille d'accueil", "famille_accueil"),
        ("type_accueil", "famille d’accueil ", "famille_accueil"),
        ("type_accueil", "Foyer de l'enfance", "etablissement"),
        ("type_accueil", "AEMO", "domicile"),
        ("type_accueil", "Tiers digne de confiance", "autre"),
        ("statut", "Terminé", "termine"),
        ("statut", "clôturé", "termine"),
        ("motif_fin", "Terminé", "fin_programme"),
        ("motif_fin", "Déménagement", "changement_situation"),
        ("initiateur", "Éduc", "educateur"),
        ("initiateur", "Référent ASE", "referent_ase"),
        ("initiateur", "Assistante familiale", "assistant_familial"),
        ("canal", "1 jeune 1 mentor", "plateforme_1j1m"),
        ("canal", "1jeune1mentor", "plateforme_1j1m"),
        ("canal", "Fiche CD", "fiche_cd"),
        ("resultat", "Néant", "favorable"),  # B2 vierge
        ("resultat", "Inscrit au FIJAIS", "defavorable"),
        ("voie", "B2/FIJAIS", "cd_b2_fijais"),
        ("voie", "Attestation d'honorabilité", "attestation_nationale"),
        ("sexe", "Féminin", "F"),
        ("sexe", "garçon", "M"),
        ("sexe", "f", "F"),
    ],
)
def test_map_categories_known(table: str, raw: str, expected: str) -> None:
    values, errors = map_categories(obj(raw), table, "Libellé")
    assert values.iloc[0] == expected
    assert errors.iloc[0] is pd.NA


def test_map_categories_unknown_and_empty() -> None:
    values, errors = map_categories(
        pd.Series(["Atelier", "  ", None, "NC", "mixte"], index=list("abcde"), dtype=object),
        "modalite",
        "Modalité",
    )
    assert values.dtype == "string"
    assert list(values.index) == list("abcde")
    assert values.isna().tolist() == [True, True, True, True, False]
    assert errors["a"] == (
        "valeur « Atelier » non reconnue pour Modalité "
        "(valeurs admises : présentiel, distanciel, mixte)"
    )
    assert errors[["b", "c", "d", "e"]].isna().all()


def test_map_categories_non_text_cells() -> None:
    values, errors = map_categories(obj(1.0), "modalite", "Modalité")
    assert values.iloc[0] is pd.NA
    assert errors.iloc[0].startswith("valeur « 1 » non reconnue pour Modalité")


def test_map_multi_categories() -> None:
    raw = obj(
        "Scolarité, emploi",
        "orientation; scolarité / Loisirs",
        "Scolarité et orientation\nstage",
        "scolarité + scolarité",
        "Insertion professionnelle",
        "",
        "scolarité / bricolage / danse",
    )
    values, errors = map_multi_categories(raw, "objectifs", "Objectifs")
    assert values.tolist()[:5] == [
        "insertion_pro;scolarite",
        "orientation;ouverture_socio_culturelle;scolarite",
        "insertion_pro;orientation;scolarite",
        "scolarite",
        "insertion_pro",
    ]
    assert values.iloc[5] is pd.NA
    assert errors.iloc[:6].isna().all()
    assert values.iloc[6] == "scolarite"  # the known part is kept, the others reported
    assert errors.iloc[6] == (
        "valeurs « bricolage », « danse » non reconnues pour Objectifs (valeurs admises : "
        "scolarité, orientation, insertion professionnelle, ouverture socio-culturelle, autre)"
    )


def test_map_multi_categories_whole_spelling_first() -> None:
    values, _ = map_multi_categories(
        obj("présentiel et distanciel", "Présentiel + visio"), "modalite"
    )
    assert values.tolist() == ["mixte", "distanciel;presentiel"]


# --- text, codes, integers -----------------------------------------------------------------------


def test_clean_text() -> None:
    raw = obj("  Foyer\xa0 Les\u202fTilleuls \n", "", "   ", None, 1000.0, 12.5, 7, "Ça\u200bva")
    values, errors = clean_text(raw)
    assert values.tolist() == [
        "Foyer Les Tilleuls",
        pd.NA,
        pd.NA,
        pd.NA,
        "1000",
        "12.5",
        "7",
        "Çava",
    ]
    assert values.dtype == "string"
    assert errors.isna().all()


def test_clean_code_keeps_leading_zeros_and_letters() -> None:
    values, errors = clean_code(obj(1000, 1000.0, " 01000 ", "2A004", np.int64(75056), None))
    assert values.tolist() == ["1000", "1000", "01000", "2A004", "75056", pd.NA]
    assert errors.isna().all()


def test_parse_ints() -> None:
    raw = obj(
        "1 234", "1\xa0234", "1\u202f234", "12,0", "12.0", 12.0, 7, np.int64(3), "-", "", None
    )
    values, errors = parse_ints(raw, "Capacité")
    assert values.dtype == "Int64"
    assert values.tolist() == [1234, 1234, 1234, 12, 12, 12, 7, 3, pd.NA, pd.NA, pd.NA]
    assert errors.isna().all()


@pytest.mark.parametrize("raw", ["12,5", 12.5, "douze", "1.234", "12 ans"])
def test_parse_ints_rejected(raw: object) -> None:
    values, errors = parse_ints(obj(raw), "Capacité")
    assert values.iloc[0] is pd.NA
    shown = "12.5" if raw == 12.5 else raw
    assert (
        errors.iloc[0] == f"valeur « {shown} » non reconnue pour Capacité (nombre entier attendu)"
    )


# --- dispatch ------------------------------------------------------------------------------------


def test_normalise_column_dispatch() -> None:
    dates, _ = normalise_column(obj("05/03/2009"), field(Kind.ASSOCIATION, "date_inscription"))
    assert dates.iloc[0] == ts("2009-03-05")
    _, errors = normalise_column(obj("31/02/2009"), field(Kind.ASSOCIATION, "date_naissance"))
    assert "31/02/2009" not in errors.iloc[0]  # a youth's birth date is never shown
    modalite, errors = normalise_column(obj("Visioconférence"), field(Kind.ASSOCIATION, "modalite"))
    assert modalite.iloc[0] == "distanciel"
    _, errors = normalise_column(obj("Atelier"), field(Kind.ASSOCIATION, "modalite"))
    assert "pour Modalité" in errors.iloc[0]
    objectifs, _ = normalise_column(obj("emploi, école"), field(Kind.FICHE_CD, "objectifs"))
    assert objectifs.iloc[0] == "insertion_pro;scolarite"
    code, _ = normalise_column(obj(1000), field(Kind.ASSOCIATION, "commune_insee"))
    assert code.iloc[0] == "1000"
    capacite, _ = normalise_column(obj("1 200"), field(Kind.ASSOCIATIONS, "capacite"))
    assert capacite.iloc[0] == 1200


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30) | st.from_regex(r"[ -~]{0,20}"))
def test_a_cells_text_is_its_translation_collapsed(text):
    """The plain-ASCII shortcut of `_cell_text` gives what the translation and the split give."""
    from domain.text import CLEAN
    from pipelines.normalise import _cell_text

    assert _cell_text(text) == (" ".join(text.translate(CLEAN).split()) or None)
