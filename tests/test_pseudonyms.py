"""Pseudonyms: name normalisation (docs/domaine.md), keyed hashes, vectorised helpers, keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import stat
import string

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.errors import IngestError
from pipelines.pseudonyms import (
    create_key_file,
    id_jeune,
    id_mentor,
    ids_jeunes,
    ids_mentors,
    load_key,
    normalise_association,
    normalise_person,
)
from settings import SECRET_KEY, SECRET_KEY_FILE

KEY = b"cle-de-test-0123456789-abcdefghijklmnop"
OTHER_KEY = b"une-autre-cle-0123456789-abcdefghijklmn"
BIRTH = dt.date(2009, 3, 5)


def expected_hmac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


# --- normalise_person -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Dupont", "Marie-Claire"), "CLAIRE DUPONT MARIE"),
        (("MARIE CLAIRE", "dupont"), "CLAIRE DUPONT MARIE"),
        (("dupont marie", "claire"), "CLAIRE DUPONT MARIE"),
        (("N'Diaye", "Awa"), "AWA NDIAYE"),
        (("N’Diaye", "Awa"), "AWA NDIAYE"),
        (("NDIAYE", "awa"), "AWA NDIAYE"),
        (("Barœul", "Zoé"), "BAROEUL ZOE"),
        (("BAROEUL", "ZOE"), "BAROEUL ZOE"),
        (("Lætitia", "Straße"), "LAETITIA STRASSE"),
        (("Élodie", "Hélène"), "ELODIE HELENE"),
        (("  de la   Fontaine ", "Jean--Baptiste"), "BAPTISTE DE FONTAINE JEAN LA"),
        (("O`Neil", "Seán"), "ONEIL SEAN"),
        (("Dupont 2", "Marie."), "DUPONT MARIE"),  # digits and dots are separators
        (("Dupont", None), "DUPONT"),
        ((None, ""), ""),
    ],
)
def test_normalise_person(parts: tuple[str | None, ...], expected: str) -> None:
    assert normalise_person(*parts) == expected


def test_normalise_association_keeps_order_and_digits() -> None:
    assert normalise_association("Envol Mentorat") == "ENVOL MENTORAT"
    assert normalise_association("ENVOL-MENTORAT") == normalise_association("Envol Mentorat")
    assert normalise_association("  l'Éveil  ") == "LEVEIL"
    assert normalise_association("Mentorat Envol") != normalise_association("Envol Mentorat")
    assert normalise_association("Envol 93") != normalise_association("Envol 92")
    assert normalise_association(None) == ""


# --- id_jeune / id_mentor -------------------------------------------------------------------


def test_id_jeune_known_value() -> None:
    expected = expected_hmac(KEY, "CLAIRE DUPONT MARIE|2009-03-05")
    assert id_jeune(KEY, "Dupont", "Marie-Claire", BIRTH) == expected
    assert len(expected) == 64


@pytest.mark.parametrize(
    ("nom", "prenom"),
    [
        ("Dupont", "Marie-Claire"),
        ("Marie-Claire", "Dupont"),  # swapped columns
        ("DUPONT", "MARIE CLAIRE"),
        ("dupont marie", "claire"),
        ("Dupônt", "Mârie Clàire"),
    ],
)
def test_id_jeune_variants_give_one_id(nom: str, prenom: str) -> None:
    assert id_jeune(KEY, nom, prenom, BIRTH) == id_jeune(KEY, "Dupont", "Marie-Claire", BIRTH)


def test_id_jeune_apostrophes_ligatures_accents() -> None:
    ref = id_jeune(KEY, "NDIAYE", "Awa", BIRTH)
    assert id_jeune(KEY, "N'Diaye", "Awa", BIRTH) == ref
    assert id_jeune(KEY, "N’Diaye", "AWA", BIRTH) == ref
    assert id_jeune(KEY, "Barœul", "Éloïse", BIRTH) == id_jeune(KEY, "BAROEUL", "ELOISE", BIRTH)


def test_id_jeune_depends_on_birth_date_and_key() -> None:
    ref = id_jeune(KEY, "Dupont", "Marie", BIRTH)
    assert id_jeune(KEY, "Dupont", "Marie", dt.date(2009, 5, 3)) != ref
    assert id_jeune(OTHER_KEY, "Dupont", "Marie", BIRTH) != ref
    assert id_jeune(KEY, "Dupond", "Marie", BIRTH) != ref
    # A datetime (or Timestamp) at any time of that day is the same birth date.
    assert id_jeune(KEY, "Dupont", "Marie", dt.datetime(2009, 3, 5, 14, 30)) == ref
    assert id_jeune(KEY, "Dupont", "Marie", pd.Timestamp("2009-03-05")) == ref


def test_id_mentor_known_value_and_variants() -> None:
    expected = expected_hmac(KEY, "ENVOL MENTORAT|JEAN MARTIN")
    assert id_mentor(KEY, "Envol Mentorat", "Martin", "Jean") == expected
    assert id_mentor(KEY, "ENVOL-MENTORAT", "jean", "MARTIN") == expected
    assert id_mentor(KEY, "Autre Asso", "Martin", "Jean") != expected
    assert id_mentor(OTHER_KEY, "Envol Mentorat", "Martin", "Jean") != expected


# --- vectorised helpers ------------------------------------------------------------------------


def test_ids_jeunes_matches_scalar_and_flags_missing() -> None:
    index = pd.Index([10, 11, 12, 13, 14, 15])
    nom = pd.Series(["Dupont", "Marie-Claire", None, "Martin", "  ", "Dupont"], index=index)
    prenom = pd.Series(["Marie Claire", "DUPONT", "Léa", "Léa", "Paul", "Marie"], index=index)
    births = pd.Series(
        pd.to_datetime(
            ["2009-03-05", "2009-03-05", "2010-01-01", None, "2010-01-01", "2009-03-06"]
        ),
        index=index,
    )
    ids = ids_jeunes(KEY, nom, prenom, births)
    ref = id_jeune(KEY, "Dupont", "Marie-Claire", BIRTH)
    assert ids.dtype == "string"
    assert list(ids.index) == list(index)
    assert ids[10] == ref
    assert ids[11] == ref
    assert ids[12] is pd.NA  # no nom
    assert ids[13] is pd.NA  # no birth date
    assert ids[14] is pd.NA  # blank nom
    assert ids[15] == id_jeune(KEY, "Dupont", "Marie", dt.date(2009, 3, 6))


def test_ids_jeunes_accepts_date_objects() -> None:
    nom = pd.Series(["Dupont", "Martin"], dtype=object)
    prenom = pd.Series(["Marie", "Léa"], dtype=object)
    births = pd.Series([BIRTH, None], dtype=object)
    ids = ids_jeunes(KEY, nom, prenom, births)
    assert ids.iloc[0] == id_jeune(KEY, "Dupont", "Marie", BIRTH)
    assert ids.iloc[1] is pd.NA


def test_ids_mentors() -> None:
    nom = pd.Series(["Martin", "JEAN", None, "Durand"])
    prenom = pd.Series(["Jean", "martin", "", None])
    ids = ids_mentors(KEY, "Envol Mentorat", nom, prenom)
    ref = id_mentor(KEY, "Envol Mentorat", "Martin", "Jean")
    assert ids.tolist()[:2] == [ref, ref]
    assert ids.iloc[2] is pd.NA  # both names blank
    assert ids.iloc[3] == id_mentor(KEY, "Envol Mentorat", "Durand", None)
    per_row = ids_mentors(KEY, pd.Series(["ENVOL-MENTORAT", "Autre", None, "x"]), nom, prenom)
    assert per_row.iloc[0] == ref
    assert per_row.iloc[1] == id_mentor(KEY, "Autre", "Martin", "Jean")
    assert per_row.iloc[2] is pd.NA


# --- property: spreadsheet variations never change id_jeune ----------------------------------

ACCENTED = {
    "a": "àâä",
    "c": "ç",
    "e": "éèêë",
    "i": "îï",
    "n": "ñ",
    "o": "ôö",
    "u": "ùûü",
    "y": "ÿ",
}
words = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8)


@st.composite
def spelled(draw: st.DrawFn, word: str) -> str:
    """`word` with random case, accents added on letters that have accented forms, and "oe"
    possibly written as a ligature."""
    if "oe" in word and draw(st.booleans()):
        word = word.replace("oe", "œ")
    out = []
    for letter in word:
        if letter in ACCENTED and draw(st.booleans()):
            letter = draw(st.sampled_from(ACCENTED[letter]))
        out.append(letter.upper() if draw(st.booleans()) else letter)
    return "".join(out)


@st.composite
def name_variants(draw: st.DrawFn) -> tuple[list[str], str, str]:
    tokens = draw(st.lists(words, min_size=2, max_size=5))
    shown = [draw(spelled(t)) for t in tokens]
    order = draw(st.permutations(range(len(tokens))))
    cut = draw(st.integers(min_value=1, max_value=len(tokens) - 1))
    sep = st.sampled_from([" ", "-", "  ", " - ", "\xa0", "_"])
    nom_tokens = [shown[i] for i in order[:cut]]
    prenom_tokens = [shown[i] for i in order[cut:]]
    nom = "".join(t + draw(sep) for t in nom_tokens).rstrip(" -_\xa0")
    prenom = draw(sep) + "".join(t + draw(sep) for t in prenom_tokens)
    return tokens, nom, prenom


@settings(max_examples=300, deadline=None)
@given(name_variants(), st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)))
def test_id_jeune_is_stable_under_spreadsheet_variations(
    variant: tuple[list[str], str, str], birth: dt.date
) -> None:
    tokens, nom, prenom = variant
    canonical = " ".join(sorted(t.upper() for t in tokens))
    assert normalise_person(nom, prenom) == canonical
    assert id_jeune(KEY, nom, prenom, birth) == expected_hmac(
        KEY, f"{canonical}|{birth.isoformat()}"
    )


# --- key handling ------------------------------------------------------------------------------

ENV_KEY = "k" * 40
FILE_KEY = "f" * 48


def test_load_key_env_wins(tmp_path) -> None:
    key_file = tmp_path / "cle.key"
    key_file.write_text(FILE_KEY + "\n")
    env = {SECRET_KEY.env: ENV_KEY, SECRET_KEY_FILE.env: str(key_file)}
    assert load_key(env, key_file=key_file) == ENV_KEY.encode()


def test_load_key_file_from_env_then_default(tmp_path) -> None:
    named = tmp_path / "named.key"
    named.write_text(FILE_KEY + "\n")
    default = tmp_path / "default.key"
    default.write_text("d" * 40)
    assert load_key({SECRET_KEY_FILE.env: str(named)}, key_file=default) == FILE_KEY.encode()
    assert load_key({}, key_file=default) == b"d" * 40
    assert load_key({SECRET_KEY.env: "  "}, key_file=default) == b"d" * 40  # blank env = unset


def test_load_key_missing(tmp_path) -> None:
    with pytest.raises(IngestError) as err:
        load_key({}, key_file=tmp_path / "absent.key")
    assert "make run" in err.value.message
    assert SECRET_KEY.env in err.value.message
    with pytest.raises(IngestError) as err:
        load_key({SECRET_KEY_FILE.env: str(tmp_path / "nope.key")}, key_file=tmp_path / "x.key")
    assert SECRET_KEY_FILE.env in err.value.message


def test_load_key_too_short(tmp_path) -> None:
    with pytest.raises(IngestError) as err:
        load_key({SECRET_KEY.env: "short-secret"}, key_file=tmp_path / "absent.key")
    assert "32" in err.value.message
    assert "short-secret" not in err.value.message
    short_file = tmp_path / "short.key"
    short_file.write_text("tiny-secret\n")
    with pytest.raises(IngestError) as err:
        load_key({}, key_file=short_file)
    assert "tiny-secret" not in err.value.message


def test_create_key_file(tmp_path) -> None:
    path = tmp_path / "sub" / "cle.key"
    assert create_key_file(path) is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    first = path.read_text()
    assert len(first.strip()) >= 32
    assert create_key_file(path) is False  # never overwritten
    assert path.read_text() == first
    assert load_key({}, key_file=path) == first.strip().encode()


def test_load_key_from_streamlit_secrets_between_env_and_file(tmp_path) -> None:
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('[pilotage]\ncle_pseudonymisation = "' + "s" * 40 + '"\n')
    key_file = tmp_path / "cle.key"
    key_file.write_text("f" * 40)
    assert load_key({}, key_file=key_file, secrets_file=secrets_file) == b"s" * 40
    assert load_key({SECRET_KEY.env: "e" * 40}, key_file=key_file, secrets_file=secrets_file) == (
        b"e" * 40
    )
    assert load_key({}, key_file=key_file, secrets_file=tmp_path / "absent.toml") == b"f" * 40
    secrets_file.write_text("[pilotage\n")
    with pytest.raises(IngestError, match="illisible"):
        load_key({}, key_file=key_file, secrets_file=secrets_file)
