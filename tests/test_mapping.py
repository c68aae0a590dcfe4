"""The map stage: profiles, synonyms, kind detection, reports of unmapped and missing columns."""

from __future__ import annotations

import tomllib

import pytest

from domain.schema import FIELDS, Kind
from domain.text import normalise_key
from pipelines.errors import IngestError
from pipelines.mapping import (
    MAPPINGS_DIR,
    Profile,
    header_score,
    load_profiles,
    map_columns,
    require_complete,
)
from pipelines.vocabulary import synonyms


def test_no_synonym_maps_to_two_fields_of_one_kind():
    raw = tomllib.loads((MAPPINGS_DIR / "synonymes.toml").read_text(encoding="utf-8"))
    for kind in Kind:
        seen: dict[str, str] = {}
        own = raw.get(kind.value, {})
        for f in FIELDS[kind]:
            for label in own.get(f.name, raw["commun"].get(f.name, [])):
                key = normalise_key(label)
                assert seen.setdefault(key, f.name) == f.name, (kind, label, seen[key], f.name)


def test_every_synonym_targets_a_known_field():
    raw = tomllib.loads((MAPPINGS_DIR / "synonymes.toml").read_text(encoding="utf-8"))
    all_fields = {f.name for fields in FIELDS.values() for f in fields}
    for section, table in raw.items():
        assert set(table) <= all_fields, section
        if section != "commun":
            assert set(table) <= {f.name for f in FIELDS[Kind(section)]}, section


def test_every_profile_targets_fields_of_its_kind():
    for profile in load_profiles():
        allowed = {f.name for f in FIELDS[profile.kind]} | {""}
        assert set(profile.columns.values()) <= allowed, profile.name


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Date de naissance", "date_naissance"),
        ("Né(e) le", "date_naissance"),
        ("DDN", "date_naissance"),
        ("  NÉ(E)   LE ", "date_naissance"),
        ("Prénom", "prenom"),
        ("N° dossier", "id_source"),
        ("Date d'inscription", "date_inscription"),
        ("Date 1er RDV", "date_debut"),
        ("Code INSEE", "commune_insee"),
    ],
)
def test_synonyms_ignore_case_accents_punctuation_spacing(header, field):
    assert synonyms()[Kind.ASSOCIATION][normalise_key(header)] == field


def test_kind_detected_and_unmapped_reported():
    header = ["N° dossier", "Nom", "Prénom", "DDN", "Inscrit le", "Couleur préférée", "Mentor"]
    m = map_columns(header, profiles=())
    assert m.kind == Kind.ASSOCIATION
    assert m.columns == {
        0: "id_source",
        1: "nom",
        2: "prenom",
        3: "date_naissance",
        4: "date_inscription",
    }
    # "Mentor" alone: a full name or a last name, as likely until cells tell: asked.
    assert m.unmapped == ["Couleur préférée", "Mentor"]
    assert [q.header for q in m.questions] == ["Mentor"]
    assert m.missing_required == []


def test_honorabilite_kind_detected():
    header = ["Association", "Nom", "Prénom", "Transmis au CD le", "Date de retour", "Résultat"]
    m = map_columns(header, profiles=())
    assert m.kind == Kind.HONORABILITE
    assert m.field_positions()["nom_mentor"] == 1


def test_fiche_kind_when_forced():
    header = ["N° fiche", "Nom", "Prénom", "Date de naissance", "Date de réception", "Date d'envoi"]
    m = map_columns(header, kind=Kind.FICHE_CD, profiles=())
    assert m.field_positions()["date_inscription"] == 4
    assert m.field_positions()["date_attribution"] == 5


def test_second_column_for_same_field_is_asked():
    # "Nom de famille" says more than "Nom": it takes the field, "Nom" is asked.
    m = map_columns(["Nom", "Nom de famille", "Prénom"], kind=Kind.ASSOCIATION, profiles=())
    assert m.columns == {1: "nom", 2: "prenom"}
    assert [q.header for q in m.questions] == ["Nom"]


def test_profile_wins_and_carries_association_and_values():
    profile = Profile(
        name="test",
        kind=Kind.ASSOCIATION,
        association="Envol",
        description="",
        columns={
            normalise_key(h): f
            for h, f in {
                "Réf": "id_source",
                "Jeune": "nom",
                "Prénom": "prenom",
                "Né": "date_naissance",
                "Arrivée": "date_inscription",
                "Heures": "",
            }.items()
        },
        values={"modalite": {"visio": "distanciel"}},
    )
    m = map_columns(
        ["Réf", "Jeune", "Prénom", "Né", "Arrivée", "Heures", "Modalité"], profiles=(profile,)
    )
    assert m.profile == "test" and m.association == "Envol"
    assert m.columns[1] == "nom"
    assert m.columns[6] == "modalite"  # added since: mapped through the synonyms
    assert m.ignored == ["Heures"] and m.unmapped == []


def test_missing_required_columns_named_with_closest_headers():
    header = ["N° dossier", "Nom", "Prénom", "Date anniv. du jeune", "Date d'inscription"]
    m = map_columns(header, kind=Kind.ASSOCIATION, profiles=())
    assert m.missing_required == ["date_naissance"]
    with pytest.raises(IngestError) as err:
        require_complete(m, header, "export.xlsx")
    message = err.value.message
    assert "Date de naissance du jeune" in message and "« Date anniv. du jeune »" in message
    assert "export.xlsx" in message


def test_header_score_counts_known_cells():
    assert header_score(["Nom", "Prénom", "Né(e) le", "blabla", ""]) == 3.0
    assert header_score(["Export du 31/10/2026"]) == 0.0


def test_kind_with_most_columns_wins_even_when_incomplete():
    # No prénom column: still an association export (10 columns), not the associations
    # referential (which would only map "Nom"); the user is told what is missing.
    header = [
        "Identifiant",
        "NOM",
        "Date naiss",
        "Ville",
        "Date d'entrée",
        "Binôme formé le",
        "Début du mentorat",
        "Fin du mentorat",
        "Raison de l'arrêt",
        "Format",
    ]
    m = map_columns(header, profiles=())
    assert m.kind == Kind.ASSOCIATION
    assert m.missing_required == ["prenom"]
