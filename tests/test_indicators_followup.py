"""Binôme follow-up (indicators/followup.py): every figure worked out by hand on twelve
parcours of two associations, « Asso A » sending every follow-up field and « Asso B »
sending only the meeting count."""

from __future__ import annotations

import datetime as dt

import settings
from indicators import followup
from indicators.catalogue import BY_ID
from tests.test_indicators_load import make_dataset, period

PERIOD = period("2025-01-01", "2025-06-30")  # D = 2025-06-30; D − 91 days = 2025-03-31
B = {"association": "Asso B"}


def example():
    return make_dataset(
        # P1 cohort, ended after 41 days, the youth stopped: an early break; exit not told
        {"date_debut": "2025-01-10", "date_fin": "2025-02-20", "motif_fin": "arret_jeune",
         "satisfaction_jeune": "pas_satisfait", "id_mentor": "M1"},
        # P2 cohort, ended after 45 days with its goals reached: not a break, no review due
        {"date_debut": "2025-01-15", "date_fin": "2025-03-01", "motif_fin": "objectifs_atteints",
         "situation_sortie": "scolarite", "id_mentor": "M2"},
        # P3 cohort, ended exactly 91 days after its start: not a break, review due and done
        {"date_debut": "2025-02-01", "date_fin": "2025-05-03", "motif_fin": "arret_mentor",
         "date_bilan_3_mois": "2025-05-02", "situation_sortie": "emploi", "id_mentor": "M3"},
        # P4 cohort, active, last meeting 31 days before D: silent; review due, not done
        {"date_debut": "2025-03-01", "date_derniere_rencontre": "2025-05-30",
         "satisfaction_jeune": "satisfait", "satisfaction_mentor": "tres_satisfait",
         "id_mentor": "M4"},
        # P5 active (started after D − 91: not in the cohort), last meeting 30 days ago
        {"date_debut": "2025-04-15", "date_derniere_rencontre": "2025-05-31",
         "satisfaction_jeune": "tres_satisfait", "satisfaction_mentor": "peu_satisfait",
         "id_mentor": "M5"},
        # P6 active 487 days, 32 meetings: 32 / (487 / 30.4375) = 32 / 16 = 2.0; no last meeting
        {"date_debut": "2024-02-29", "nb_rencontres": 32, "id_mentor": "M6"},
        # P7 active 487 days, 64 meetings: 64 / 16 = 4.0; last meeting 10 days ago
        {"date_debut": "2024-02-29", "nb_rencontres": 64, "date_derniere_rencontre": "2025-06-20",
         "id_mentor": "M7"},
        # P8 active 2435 days, 152 meetings: 152 / (2435 / 30.4375) = 152 / 80 = 1.9;
        # last meeting 90 days ago, mentor unknown
        {"date_debut": "2018-10-30", "nb_rencontres": 152, "date_derniere_rencontre": "2025-04-01"},
        # P9 active, started 20 days before D: no rhythm yet; no last meeting
        {"date_debut": "2025-06-10", "nb_rencontres": 1, "id_mentor": "M9"},
        # P10 Asso B, cohort, ended after 49 days without a reason: a break;
        # 10 / (49 / 30.4375) = 6.2117…
        {**B, "date_debut": "2025-01-20", "date_fin": "2025-03-10", "nb_rencontres": 10},
        # P11 Asso B, cohort, active 140 days: 5 / (140 / 30.4375) = 1.0871…
        {**B, "date_debut": "2025-02-10", "nb_rencontres": 5, "id_mentor": "M11"},
        # P12 ended before any start: no binôme, no exit (its situation is not counted)
        {"date_attribution": "2025-01-05", "date_fin": "2025-03-15", "situation_sortie": "autre"},
        # P13 starts after D: no binôme yet
        {"date_debut": "2025-07-05", "satisfaction_jeune": "satisfait", "id_mentor": "M13"},
    )  # fmt: skip


def test_asso_a_every_figure_by_hand():
    a = followup.by_association(example(), PERIOD)["Asso A"]
    assert a["actifs"] == 6  # P4, P5, P6, P7, P8, P9
    assert a["sans_rencontre_30j"] == 2  # P4 (31 days > 30), P8 (90); P5 at 30 is not
    assert a["derniere_rencontre_inconnue"] == 2  # P6, P9
    # P6 2.0 and P7 4.0 in the norm (bounds included), P8 1.9 under; P9 too recent
    assert a["rythme"] == {
        "evalues": 3, "dans_la_norme": 2, "sous_la_norme": 1, "au_dessus": 0, "mediane": 2.0,
    }  # fmt: skip
    # cohort: P1, P2, P3, P4 started 2025-01-01..03-31; a break: P1 (41 days, arret_jeune)
    assert a["ruptures_precoces"] == {"cohorte": 4, "ruptures": 1}
    # due: P3 (ended at exactly 91 days) and P4 (running); done: P3
    assert a["bilans_3_mois"] == {"attendus": 2, "faits": 1}
    # youths: P1 pas, P4 satisfait, P5 très → 3 respondents, 2 satisfied (P13 not started)
    # mentors: P4 très, P5 peu → 2 respondents, 1 satisfied
    assert a["satisfaction"] == {
        "jeunes": {"repondants": 3, "satisfaits": 2},
        "mentors": {"repondants": 2, "satisfaits": 1},
    }
    # exits in the period: P1 (not told), P2 scolarité, P3 emploi; P12 never started
    assert a["sorties"] == {
        "scolarite": 1, "formation_pro": 0, "emploi": 1, "sans_activite": 0, "autre": 0,
        "non_renseignee": 1,
    }  # fmt: skip


def test_an_association_sending_nothing_has_no_figure_never_zero():
    b = followup.by_association(example(), PERIOD)["Asso B"]
    assert b["actifs"] == 1  # P11
    # no last meeting, review, satisfaction or exit situation sent by Asso B
    assert b["sans_rencontre_30j"] is None and b["derniere_rencontre_inconnue"] is None
    assert b["satisfaction"] == {
        "jeunes": {"repondants": None, "satisfaits": None},
        "mentors": {"repondants": None, "satisfaits": None},
    }
    assert b["bilans_3_mois"] == {"attendus": 1, "faits": None}  # P11 due
    # P10 6.21 above, P11 1.09 under; median (6.2117 + 1.0871) / 2 = 3.649 → 3.6
    assert b["rythme"] == {
        "evalues": 2, "dans_la_norme": 0, "sous_la_norme": 1, "au_dessus": 1, "mediane": 3.6,
    }  # fmt: skip
    assert b["ruptures_precoces"] == {"cohorte": 2, "ruptures": 1}  # P10: no reason is a break
    # P10 ended in the period: its situation is not told, the categories are not provided
    assert b["sorties"] == {
        "scolarite": None, "formation_pro": None, "emploi": None, "sans_activite": None,
        "autre": None, "non_renseignee": 1,
    }  # fmt: skip


def test_all_associations_add_up_those_that_send_the_field():
    total = followup.figures(example(), PERIOD)
    assert total["actifs"] == 7  # 6 + 1
    assert (total["sans_rencontre_30j"], total["derniere_rencontre_inconnue"]) == (2, 2)  # A only
    # 1.0871, 1.9, 2.0, 4.0, 6.2117: median 2.0
    assert total["rythme"] == {
        "evalues": 5, "dans_la_norme": 2, "sous_la_norme": 2, "au_dessus": 1, "mediane": 2.0,
    }  # fmt: skip
    assert total["ruptures_precoces"] == {"cohorte": 6, "ruptures": 2}  # 4 + 2, 1 + 1
    assert total["bilans_3_mois"] == {"attendus": 3, "faits": 1}  # 2 + 1 due, A's 1 done
    assert total["satisfaction"]["jeunes"] == {"repondants": 3, "satisfaits": 2}  # A only
    assert total["sorties"] == {
        "scolarite": 1, "formation_pro": 0, "emploi": 1, "sans_activite": 0, "autre": 0,
        "non_renseignee": 2,  # P1 and P10
    }  # fmt: skip
    report = followup.report(example(), PERIOD)
    assert set(report) == {
        "actifs", "sans_rencontre_30j", "derniere_rencontre_inconnue", "rythme",
        "ruptures_precoces", "bilans_3_mois", "satisfaction", "sorties", "par_association",
    }  # fmt: skip
    assert list(report["par_association"]) == ["Asso A", "Asso B"]


def test_nothing_sent_anywhere():
    data = make_dataset({"date_debut": "2025-01-10"})
    total = followup.figures(data, PERIOD)
    assert total["actifs"] == 1
    assert total["sans_rencontre_30j"] is None
    assert set(total["rythme"].values()) == {None}
    assert total["ruptures_precoces"] == {"cohorte": 1, "ruptures": 0}


def test_reasons_of_the_early_breaks():
    reasons = followup.break_reasons(example(), PERIOD)
    assert reasons.to_dict("records") == [
        {"association": "Asso A", "motif_fin": "arrêt du jeune", "ruptures_precoces": 1},
        {"association": "Asso B", "motif_fin": "Non renseigné", "ruptures_precoces": 1},
    ]


def test_silent_pairs_longest_silence_first():
    silent = followup.silent_pairs(example(), dt.date(2025, 6, 30))
    assert silent.to_dict("records") == [
        {"association": "Asso A", "jeune": "J8", "jours_sans_rencontre": 90,
         "mentor_connu": False},
        {"association": "Asso A", "jeune": "J4", "jours_sans_rencontre": 31,
         "mentor_connu": True},
    ]  # fmt: skip
    assert set(silent.columns) <= set(BY_ID)


def test_the_settings_move_the_thresholds(monkeypatch):
    monkeypatch.setenv(settings.SILENT_DAYS.env, "29")
    monkeypatch.setenv(settings.MEETINGS_PER_MONTH_MIN.env, "1")
    a = followup.by_association(example(), PERIOD)["Asso A"]
    assert a["sans_rencontre_30j"] == 3  # P5's 30 days now count too
    assert (a["rythme"]["dans_la_norme"], a["rythme"]["sous_la_norme"]) == (3, 0)  # 1.9 ≥ 1
    assert "plus de 29 jours" in followup.explained(followup.SILENCE_DEFINITION)
    assert "de 1 à 4 rencontres" in followup.explained(followup.RHYTHM_DEFINITION)


def test_the_pack_s_quality_section_holds_the_json_s_numbers():
    from indicators import committee

    section = committee._quality(example(), PERIOD)
    assert section.title == "Qualité des binômes"
    rows = {row[0]: dict(zip(section.columns, row, strict=True)) for row in section.rows}
    assert list(rows) == ["Ensemble", "Asso A", "Asso B"]
    # the figures by hand above, all associations then Asso B (which sends no satisfaction)
    assert [rows["Ensemble"][c] for c in section.columns[1:]] == [
        7, 2, 2, 5, 2, 6, 1, 3, 2, 3, 1, 2,
    ]  # fmt: skip
    assert rows["Asso B"]["jeunes_satisfaits"] is None  # shown « – », never 0
    assert rows["Asso B"]["ruptures_precoces"] == 1
    assert "« – » : champ non renseigné par l'association" in section.note
    assert "Rythme médian : 2,0 rencontres par mois" in section.note


def test_the_synthese_alerts_name_silent_pairs_and_early_breaks():
    finding, action = followup.silent_alert(example(), PERIOD.au)
    # P4 (31 days) and P8 (90 days), both Asso A
    assert finding == (
        "2 binômes actifs sans rencontre depuis plus de 30 jours, dont 2 chez Asso A ; "
        "le plus long silence dure 90 jours."
    )
    assert "Suivi des binômes" in action
    finding, _ = followup.early_break_alert(example(), PERIOD)
    # P1 (Asso A) and P10 (Asso B) of a cohort of 6: 2 / 6 = 33,3 %
    assert finding == (
        "2 ruptures précoces (fin avant 3 mois, hors objectifs atteints) sur 6 binômes "
        "démarrés depuis au moins 3 mois (33,3\u202f%), dont 1 chez Asso A."
    )
    calm = make_dataset({"date_debut": "2025-01-10"})
    assert followup.silent_alert(calm, PERIOD.au) is None
    assert followup.early_break_alert(calm, PERIOD) is None
