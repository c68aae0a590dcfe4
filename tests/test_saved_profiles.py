"""Corrections of the column mapping, saved as the association's profile, and the steps an
import makes parcours reach (hand-computed on the rows of tests/test_ingest.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from domain.schema import Kind
from domain.steps import STEPS
from pipelines.api import Answers, Conversation, Upload, ingest
from pipelines.errors import IngestError
from pipelines.mapping import IGNORE, map_columns, profile_columns, with_fixes
from pipelines.saved_profiles import profile_name, stored_profiles
from pipelines.steps_reached import newly_reached
from store.audit import Actor
from tests.helpers import counts, csv_bytes
from tests.test_ingest import HEADER, ROW_A1, ROW_A2

# The same export as tests/test_ingest.py, under headers that say nothing of their field.
RENAMED = {"N° dossier": "Repère", "Date d'inscription": "Jalon"}
FOREIGN_HEADER = [RENAMED.get(h, h) for h in HEADER]
FIXES = {0: "id_source", 8: "date_inscription"}
A2_MATCHED = [*ROW_A2[:9], "01/03/2025", *ROW_A2[10:]]
A5 = [
    "A5",
    "Roux",
    "Inès",
    "02/02/2010",
    "Lille",
    "",
    "Famille d'accueil",
    "Visio",
    "01/04/2025",
    *[""] * 8,
]


def test_unknown_headers_leave_required_fields_missing():
    mapping = map_columns(FOREIGN_HEADER, profiles=())
    assert mapping.kind == Kind.ASSOCIATION
    assert mapping.missing_required == ["id_source", "date_inscription"]
    assert set(mapping.unmapped) == {"Repère", "Jalon", "Heures"}


def test_fixes_complete_the_mapping_and_ignore_on_request():
    base = map_columns(FOREIGN_HEADER, profiles=())
    fixed = with_fixes(base, FOREIGN_HEADER, {**FIXES, 16: IGNORE})
    assert fixed.columns[0] == "id_source" and fixed.columns[8] == "date_inscription"
    assert fixed.missing_required == [] and fixed.unmapped == []
    assert fixed.ignored == ["Heures"]
    assert base.missing_required  # the original is left as it was


def test_a_field_chosen_twice_is_refused_in_french():
    base = map_columns(FOREIGN_HEADER, profiles=())
    with pytest.raises(IngestError) as refused:
        with_fixes(base, FOREIGN_HEADER, {0: "nom"})
    assert refused.value.message == (
        "Le champ « Nom du jeune » est choisi pour deux colonnes : « Nom » et « Repère ». "
        "Choisissez-le pour une seule colonne."
    )


def test_profile_columns_keep_every_header():
    fixed = with_fixes(map_columns(FOREIGN_HEADER, profiles=()), FOREIGN_HEADER, FIXES)
    columns = profile_columns(fixed, FOREIGN_HEADER)
    assert len(columns) == len(FOREIGN_HEADER)
    assert columns["repere"] == "id_source"
    assert columns["heures"] == IGNORE


def test_next_month_loads_with_no_fixing(engine, key):
    march = csv_bytes([FOREIGN_HEADER, ROW_A1, ROW_A2])
    talk = Conversation(engine, Upload.of("export_mars.csv", march), key, association="Envol")
    plan = talk.plan(Answers(positions=FIXES))
    report = talk.apply(plan, Actor("chargée de projet"), keep_mapping=True, audited=False)
    assert (
        report.profil_enregistre
        == profile_name(Kind.ASSOCIATION, "Envol")
        == ("enregistré : Envol")
    )
    assert report.colonnes_non_reconnues == ["Heures"]
    saved = stored_profiles(engine)
    assert [(p.name, p.kind, p.association) for p in saved] == [
        ("enregistré : Envol", Kind.ASSOCIATION, "Envol")
    ]

    # April: same layout, A2 matched, A5 new; no association given, no fixing.
    april = csv_bytes([FOREIGN_HEADER, ROW_A1, A2_MATCHED, A5])
    report = ingest(engine, april, "export_avril.csv", key)
    assert report.statut == "charge", report.erreurs
    assert report.profil == "enregistré : Envol" and report.association == "Envol"
    assert report.colonnes_non_reconnues == []  # "Heures" is ignored by the saved profile
    assert (report.nouveaux, report.mis_a_jour) == (1, 2)
    assert report.etapes_atteintes == {
        "inscription": 1,
        "attribution": 1,
        "autorisation_parentale": 0,  # A5 is 15 and has no autorisation yet
        "mise_en_relation": 1,  # A2
        "honorabilite": 0,
        "convention": 0,
        "demarrage": 0,
        "cloture": 0,
    }
    assert counts(engine)["parcours"] == 3


def test_without_keeping_nothing_is_saved(engine, key):
    data = csv_bytes([FOREIGN_HEADER, ROW_A1])
    talk = Conversation(engine, Upload.of("x.csv", data), key, association="Envol")
    plan = talk.plan(Answers(positions=FIXES))
    assert talk.apply(plan, Actor("x"), audited=False).profil_enregistre is None
    assert stored_profiles(engine) == ()


def test_first_import_reaches_steps_by_hand(engine, key):
    report = ingest(
        engine, csv_bytes([HEADER, ROW_A1, ROW_A2]), "envol.csv", key, association="Envol"
    )
    # A1 started (every step to démarrage); A2 is 18 at inscription: its attribution (the
    # association's inscription) also gives the autorisation parentale.
    assert report.etapes_atteintes == {
        "inscription": 2,
        "attribution": 2,
        "autorisation_parentale": 2,
        "mise_en_relation": 1,
        "honorabilite": 1,
        "convention": 1,
        "demarrage": 1,
        "cloture": 0,
    }
    assert report.as_json()["etapes_nouvellement_atteintes"]["inscription"] == 2


def _parcours(**dates) -> dict:
    row = {"id_jeune": "j", "association": "A", "age_inscription": 15}
    row.update(
        {
            c: None
            for c in (
                "date_inscription",
                "date_attribution",
                "date_autorisation_parentale",
                "date_mise_en_relation",
                "date_honorabilite",
                "date_convention",
                "date_debut",
                "date_fin",
            )
        }
    )
    row.update({k: pd.Timestamp(v) for k, v in dates.items()})
    return row


def test_newly_reached_compares_the_same_parcours():
    au = dt.date(2025, 6, 1)
    before = pd.DataFrame([_parcours(date_inscription="2025-01-10")])
    after = pd.DataFrame(
        [
            _parcours(date_inscription="2025-01-10", date_convention="2025-03-01"),
            {**_parcours(date_inscription="2025-02-01"), "id_jeune": "k"},
            # a date after `au` is not known yet
            {**_parcours(date_inscription="2025-07-01"), "id_jeune": "l"},
        ]
    )
    got = newly_reached(before, after, au)
    assert list(got) == STEPS
    assert got == {
        "inscription": 1,  # k (l is not inscribed by `au`)
        "attribution": 1,  # j, through its convention
        "autorisation_parentale": 1,
        "mise_en_relation": 1,
        "honorabilite": 1,
        "convention": 1,
        "demarrage": 0,
        "cloture": 0,
    }
    assert newly_reached(after, after, au) == dict.fromkeys(STEPS, 0)
    assert newly_reached(pd.DataFrame(), pd.DataFrame(), au) == dict.fromkeys(STEPS, 0)
