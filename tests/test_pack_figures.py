"""The comité pack's figures worked out by hand on a small dataset: the key figures, the
honorabilité figures (B2 / FIJAIS alone, as on the Honorabilité page, not every voie) and
the durations and retention of every binôme started by the as-of date (as the Durée des
binômes page shows by default), including binômes started before the period: the 12-month
retention is estimable, not « – »."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators import committee
from indicators.dataset import Period
from tests.test_indicators_honorabilite import make_demandes
from tests.test_indicators_load import make_dataset

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def pack() -> committee.Pack:
    data = make_dataset(
        # P1 started before the period, ended after 306 days
        {"date_inscription": "2024-03-01", "date_debut": "2024-04-01", "date_fin": "2025-02-01"},
        # P2 started before the period, still running at au: 548 days followed
        {"date_inscription": "2024-06-01", "date_debut": "2024-07-01"},
        # P3 of the cohort: started 28 days after inscription, ended 45 days later
        {"date_inscription": "2025-02-01", "date_attribution": "2025-02-01",
         "date_debut": "2025-03-01", "date_fin": "2025-04-15", "motif_fin": "arret_jeune"},
        # P4 of the cohort: started 31 days after inscription, running (213 days at au)
        {"date_inscription": "2025-05-01", "date_debut": "2025-06-01"},
        # P5 of the cohort: waiting for a mentor
        {"date_inscription": "2025-09-01", "date_attribution": "2025-09-01"},
    )  # fmt: skip
    b2, attestation = "cd_b2_fijais", "attestation_nationale"
    data.demandes = make_demandes(
        # B2 sent on Monday 3 March, back on Wednesday: 2 working days, on target
        {"id_source": "D1", "voie": b2, "date_transmission_cd": "2025-03-03",
         "date_retour": "2025-03-05"},
        # B2 sent on 1 December, no return at au: pending, overdue (target 3 working days)
        {"id_source": "D2", "voie": b2, "date_transmission_cd": "2025-12-01"},
        # attestation: back in 12 working days (11 November off), over its target of 11
        {"id_source": "D3", "voie": attestation, "date_transmission_cd": "2025-11-03",
         "date_retour": "2025-11-20"},
        # attestation sent on 29 December: 2 working days at au, pending, not overdue
        {"id_source": "D4", "voie": attestation, "date_transmission_cd": "2025-12-29"},
    )  # fmt: skip
    return committee.build(data, YEAR)


def test_key_figures(pack):
    figures = {f.id: f.now for f in pack.figures}
    assert figures["jeunes_inscrits"] == 3  # P3, P4, P5
    assert figures["binomes_demarres_cohorte"] == 2  # P3, P4
    assert figures["binomes_actifs"] == 2  # P2, P4: every cohort
    assert figures["taux_demarrage"] == pytest.approx(0.6667)
    assert figures["delai_avant_demarrage"] == 29.5  # median of 28 and 31 days


def test_honorabilite_counts_the_b2_requests_only(pack):
    section = pack.section("honorabilite")
    assert dict(section.figures) == {
        "demandes_b2": 2,  # D1, D2 (every voie would give 4)
        "en_attente_b2": 1,  # D2
        "demandes_en_retard": 1,  # D2; D4 waits 2 working days of its 11
    }
    by_voie = {row[0]: row[1:] for row in section.rows}
    assert by_voie["B2 / FIJAIS par le CD"][:3] == [2, 1, 1]  # demandes, traitées, en attente
    assert by_voie["Attestation nationale d'honorabilité"][:3] == [2, 1, 1]


def test_durations_follow_every_binome_started_by_the_as_of_date(pack):
    durees = dict(pack.section("durees").figures)
    # P1 to P4, P1 and P2 started before the period (those of the period alone: 2)
    assert durees == {"binomes_suivis": 4, "binomes_termines": 2, "duree_mediane_jours": 306}
    retention = {row[0]: row[1:] for row in pack.section("maintien").rows}
    # Kaplan-Meier: day 45, 1 end of 4 → 0.75; day 213 P4 censored; day 306, 1 end of 2
    # still followed → 0.375; at 12 months P2 alone is still followed (fragile)
    assert retention["3 mois"][0] == retention["6 mois"][0] == 0.75
    assert retention["12 mois"][0] == 0.375
    assert retention["12 mois"][3] == 1  # binômes still followed at 12 months
    note = pack.section("maintien").note
    assert "12 mois : fragile : moins de 20 binômes encore suivis à 12 mois" in note
    assert "Binômes démarrés au plus tard le 31/12/2025" in note
