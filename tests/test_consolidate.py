"""Consolidation rules of docs/domaine.md on literal frames, values checked by hand."""

from __future__ import annotations

import pandas as pd

from pipelines.consolidate import consolidate, honorabilite_by_mentor, link_fiches
from store.models import DemandeHonorabilite, Enregistrement

RECORD_COLUMNS = [c.name for c in Enregistrement.__table__.columns]
DEMANDE_COLUMNS = [c.name for c in DemandeHonorabilite.__table__.columns]
D = pd.Timestamp


def records(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{c: None for c in RECORD_COLUMNS} | r for r in rows])
    for col in RECORD_COLUMNS:
        if col.startswith("date_"):
            frame[col] = pd.to_datetime(frame[col])
    return frame


def demandes(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{c: None for c in DEMANDE_COLUMNS} | r for r in rows])
    if frame.empty:
        frame = pd.DataFrame(columns=DEMANDE_COLUMNS)
    for col in DEMANDE_COLUMNS:
        if col.startswith("date_"):
            frame[col] = pd.to_datetime(frame[col])
    return frame


def asso(id_source, id_jeune, association="Envol", **kw) -> dict:
    return {
        "type_source": "association",
        "source": association,
        "association": association,
        "id_source": id_source,
        "id_jeune": id_jeune,
    } | kw


def fiche(id_source, id_jeune, association=None, **kw) -> dict:
    return {
        "type_source": "fiche_cd",
        "source": "CD",
        "association": association,
        "id_source": id_source,
        "id_jeune": id_jeune,
    } | kw


def test_fiche_sent_to_association_joins_its_record():
    recs = records(
        fiche("F1", "j1", "Envol", date_inscription="2025-01-02", date_attribution="2025-01-10"),
        asso("A1", "j1", "Envol", date_inscription="2025-01-12", date_debut="2025-03-01"),
    )
    p = consolidate(recs, demandes())
    assert len(p) == 1
    row = p.iloc[0]
    assert row["canal"] == "fiche_cd"
    assert row["id_source"] == "A1" and row["id_fiche"] == "F1"
    # Inscription = the day the CD received the fiche; attribution = the day it sent it on.
    assert row["date_inscription"] == D("2025-01-02")
    assert row["date_attribution"] == D("2025-01-10")
    assert row["date_debut"] == D("2025-03-01")


def test_fiche_sent_elsewhere_does_not_join():
    recs = records(
        fiche("F1", "j1", "Ailes", date_inscription="2025-01-02"),
        asso("A1", "j1", "Envol", date_inscription="2025-01-12"),
    )
    p = consolidate(recs, demandes()).set_index("id_source")
    assert len(p) == 2
    assert p.loc["F1", "association"] == "Ailes" and p.loc["F1", "canal"] == "fiche_cd"
    assert p.loc["A1", "canal"] == "association_directe"


def test_fiche_without_association_joins_a_single_record_only():
    one = records(
        fiche("F1", "j1", date_inscription="2025-01-02"),
        asso("A1", "j1", "Envol", date_inscription="2025-01-05"),
    )
    p = consolidate(one, demandes())
    assert list(p["id_fiche"]) == ["F1"] and list(p["association"]) == ["Envol"]

    two = records(
        fiche("F1", "j1", date_inscription="2025-01-02"),
        asso("A1", "j1", "Envol", date_inscription="2025-01-05"),
        asso("B1", "j1", "Ailes", date_inscription="2025-01-06"),
    )
    p = consolidate(two, demandes())
    assert len(p) == 3  # ambiguous: the fiche stays a parcours without association
    lone = p[p["id_source"] == "F1"].iloc[0]
    assert pd.isna(lone["association"]) and lone["canal"] == "fiche_cd"


def test_association_names_compared_ignoring_case_and_accents():
    recs = records(
        fiche("F1", "j1", "ENVOL MÉNTORAT", date_inscription="2025-01-02"),
        asso("A1", "j1", "Envol Mentorat", date_inscription="2025-01-05"),
    )
    assert len(consolidate(recs, demandes())) == 1


def test_direct_and_platform_records():
    recs = records(
        asso("A1", "j1", date_inscription="2025-02-01"),
        asso("A2", "j2", date_inscription="2025-02-03", canal="plateforme_1j1m"),
    )
    p = consolidate(recs, demandes()).set_index("id_source")
    assert p.loc["A1", "canal"] == "association_directe"
    assert p.loc["A2", "canal"] == "plateforme_1j1m"
    # Without a fiche, attribution is the association's inscription (same day).
    assert p.loc["A2", "date_attribution"] == D("2025-02-03")


def test_youth_fields_prefer_fiche_and_binome_fields_prefer_association():
    recs = records(
        fiche(
            "F1",
            "j1",
            "Envol",
            commune_insee="59400",
            modalite="distanciel",
            date_inscription="2025-01-01",
        ),
        asso(
            "A1",
            "j1",
            "Envol",
            commune_insee="59350",
            modalite="presentiel",
            date_inscription="2025-01-03",
        ),
    )
    row = consolidate(recs, demandes()).iloc[0]
    assert row["commune_insee"] == "59400"
    assert row["modalite"] == "presentiel"


def test_honorabilite_follow_up_joins_on_mentor():
    recs = records(
        asso("A1", "j1", id_mentor="m1", date_inscription="2025-01-01"),
        asso("A2", "j2", id_mentor="m2", date_inscription="2025-01-01"),
        asso(
            "A3",
            "j3",
            id_mentor="m3",
            date_inscription="2025-01-01",
            date_honorabilite="2025-02-01",
        ),
        asso("A4", "j4", id_mentor="m4", date_inscription="2025-01-01"),
    )
    checks = demandes(
        {
            "id_mentor": "m1",
            "date_transmission_cd": "2025-01-20",
            "date_retour": "2025-01-23",
            "resultat": "favorable",
        },
        {
            "id_mentor": "m1",
            "date_transmission_cd": "2025-03-01",
            "date_retour": "2025-03-02",
            "resultat": "favorable",
        },
        {
            "id_mentor": "m2",
            "date_transmission_cd": "2025-01-20",
            "date_retour": "2025-01-25",
            "resultat": "defavorable",
        },
        {"id_mentor": "m4", "date_transmission_cd": "2025-01-20"},
    )
    p = consolidate(recs, checks).set_index("id_source")
    assert p.loc["A1", "date_honorabilite"] == D("2025-01-23")  # first favourable return
    assert p.loc["A1", "resultat_honorabilite"] == "favorable"
    assert p.loc["A2", "resultat_honorabilite"] == "defavorable"
    assert pd.isna(p.loc["A2", "date_honorabilite"])
    assert p.loc["A2", "date_honorabilite_defavorable"] == D("2025-01-25")
    # No follow-up row: the association's own B2 date column counts as favourable.
    assert p.loc["A3", "date_honorabilite"] == D("2025-02-01")
    assert p.loc["A3", "resultat_honorabilite"] == "favorable"
    assert p.loc["A4", "resultat_honorabilite"] == "en_attente"


def test_missing_from_latest_export_is_flagged_not_dropped():
    recs = records(asso("A1", "j1", date_inscription="2025-01-01", absent_depuis_import_id=3))
    p = consolidate(recs, demandes())
    assert bool(p.iloc[0]["absent_dernier_export"]) is True


def test_link_fiches_takes_the_earliest_fiche_for_a_record():
    recs = records(asso("A1", "j1", "Envol"))
    fiches = records(
        fiche("F2", "j1", "Envol", date_inscription="2025-03-01"),
        fiche("F1", "j1", "Envol", date_inscription="2025-01-01"),
    )
    link = link_fiches(recs, fiches)
    assert link.isna().tolist() == [True, False]
    assert link.iloc[1] == 0  # F1, the earlier fiche, joins record 0


def test_honorabilite_by_mentor_empty():
    assert honorabilite_by_mentor(demandes()).empty
