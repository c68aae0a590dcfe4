"""French counts agree with their noun; « de » contracts before a name."""

import pytest

from domain.formatting import count, of_name


def test_counts_agree_in_french():
    assert count(0, "jeune") == "0 jeune"
    assert count(1, "jeune") == "1 jeune"
    assert count(2, "jeune") == "2 jeunes"
    assert count(1234, "ligne") == "1\u202f234 lignes"
    assert count(1, "nouveau", "nouveaux") == "1 nouveau"
    assert count(3, "nouveau", "nouveaux") == "3 nouveaux"


def test_tables_show_whole_numbers_with_the_readers_thousands_separator(demo_app):
    """Integer columns keep numbers (they sort) and are drawn « localized »: « 1 234 » in a
    French browser; text and shares are left alone."""
    import json

    from streamlit.testing.v1 import AppTest

    from tests.helpers import as_viewer
    from tests.test_access import ROOT

    at = as_viewer(AppTest.from_file(str(ROOT / "pages" / "donnees.py"), default_timeout=60))
    at.run()
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["Parcours"]["type_config"] == {"type": "number", "format": "localized"}
    assert "type_config" not in config["Association"]
    assert at.dataframe[0].value["Parcours"].dtype.kind == "i"


def test_a_column_is_wide_enough_for_its_header_and_cells():
    import pandas as pd

    from dashboard.widgets import CHAR_PX, MAX_PX, MIN_PX, PADDING_PX, column_width

    frame = pd.DataFrame({"B2 / FIJAIS dans l'objectif": [0.5], "x": ["y"], "Motif": ["m" * 500]})
    header = len("B2 / FIJAIS dans l'objectif")
    assert column_width(frame, "B2 / FIJAIS dans l'objectif") == int(PADDING_PX + CHAR_PX * header)
    assert column_width(frame, "x") == MIN_PX
    assert column_width(frame, "Motif") == MAX_PX


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Élan Jeunesse", "d'Élan Jeunesse"),
        ("Les Bâtisseurs", "des Bâtisseurs"),
        ("Le Tremplin", "du Tremplin"),
        ("La Boussole", "de la Boussole"),
        ("L'Envol", "de l'Envol"),
        ("Horizon", "d'Horizon"),
        ("Ailes du Nord", "d'Ailes du Nord"),
        ("Passerelle", "de Passerelle"),
        ("Lesquin Mentorat", "de Lesquin Mentorat"),
        ("  Les   Bâtisseurs ", "des Bâtisseurs"),
    ],
)
def test_of_name_contracts_de_as_french_writes_it(name, written):
    assert of_name(name) == written
