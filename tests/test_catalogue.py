"""The catalogue of figures: one id, one name, one unit per figure; the headline figures and
their change; the « parcours bloqués » setting read in one place."""

from __future__ import annotations

import pytest

from domain.formatting import number, percent
from indicators import catalogue, headline
from indicators.catalogue import Entry, Unit, check, entry, french_names, shown
from settings import STUCK_DAYS, SettingError


def test_check_refuses_a_second_id_and_two_figures_with_one_name():
    # `check` runs when the catalogue is imported: a duplicate stops every page at once.
    with pytest.raises(ValueError, match="declared twice"):
        check([Entry("a", "A", Unit.COUNT, "."), Entry("a", "B", Unit.COUNT, ".")])
    with pytest.raises(ValueError, match="« A » names a and b"):
        check([Entry("a", "A", Unit.COUNT, "."), Entry("b", "A", Unit.SHARE, ".")])
    # descriptive columns may share a name (an « Étape » code and its label)
    shared = check([Entry("a", "A", Unit.TEXT, "."), Entry("b", "A", Unit.TEXT, ".")])
    assert set(shared) == {"a", "b"}


def test_the_cohort_and_the_other_counts_of_started_binomes_are_different_figures():
    started = [e for e in catalogue.ENTRIES if e.is_figure and "démarr" in e.name.lower()]
    ids = {e.id for e in started}
    assert {"binomes_demarres_cohorte", "binomes_suivis", "parcours_avec_demarrage"} <= ids
    assert entry("binomes_demarres_cohorte").name == "Binômes démarrés (cohorte)"


def test_every_headline_figure_is_a_catalogued_figure_with_a_direction():
    for id_ in (*headline.TILES, "parcours_bloques"):
        assert entry(id_).is_figure and entry(id_).rise_is_good is not None, id_
    assert set(headline.DEPARTEMENT_TILES) <= set(headline.TILES)


def test_values_shown_by_unit():
    assert shown("jeunes_inscrits", 1234) == number(1234)
    assert shown("taux_demarrage", 0.125) == percent(0.125) == "12,5\u202f%"
    assert shown("delai_avant_demarrage", 40.0) == "40 j"
    assert shown("delai_avant_demarrage", 40.5) == "40,5 j"
    assert shown("distance_km", 3.26) == "3,3 km"
    assert shown("part_rurale", None) == shown("part_rurale", float("nan")) == "–"


def test_french_names_and_step_columns():
    assert french_names(["association", "effectif", "inscription"]) == {
        "association": "Association",
        "effectif": "Parcours ayant atteint l'étape",
        "inscription": "Inscription",
    }
    with pytest.raises(KeyError):
        french_names(["colonne_inconnue"])


def test_change_against_the_comparison_period():
    up = headline.change("jeunes_inscrits", 120, 100)
    assert (up.text, up.direction, up.good) == ("+20", "up", True)
    slower = headline.change("delai_avant_demarrage", 45.5, 40)
    assert (slower.text, slower.direction, slower.good) == ("+5,5 j", "up", False)
    share = headline.change("taux_demarrage", 0.40, 0.435)
    assert (share.text, share.direction, share.good) == ("−3,5 pts", "down", False)
    same = headline.change("jeunes_inscrits", 7, 7)
    assert (same.text, same.direction, same.good) == ("0", "off", None)
    b2 = headline.change("delai_median_b2", 3, 4.5)
    assert (b2.text, b2.direction, b2.good) == ("−1,5 j ouvrés", "down", True)
    unknown = headline.change("delai_median_b2", None, 4)
    assert (unknown.text, unknown.direction) == (None, "off")


def test_the_stuck_threshold_is_one_setting():
    assert STUCK_DAYS.value({}) == STUCK_DAYS.default == 90
    assert STUCK_DAYS.value({STUCK_DAYS.env: " 60 "}) == 60
    for wrong in ("0", "-5", "trois mois", "1.5"):
        with pytest.raises(ValueError, match=STUCK_DAYS.env) as error:
            STUCK_DAYS.value({STUCK_DAYS.env: wrong})
        assert isinstance(error.value, SettingError)
        assert error.value.message == (
            f"Réglage PILOTAGE_JOURS_PARCOURS_BLOQUE invalide (« {wrong} ») : indiquez un "
            "nombre entier de jours, au moins 1 (par exemple 90)."
        )
