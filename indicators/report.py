"""The indicators report: the same figures for the command line's JSON and its summary."""

from __future__ import annotations

import settings
from domain import rurality
from indicators import (
    compliance,
    coverage,
    durations,
    followup,
    funnel,
    headline,
    honorabilite,
    workload,
)
from indicators.dataset import Dataset, Period


def _plain(value):
    """JSON-ready: numpy and pandas scalars as Python numbers, missing as None."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(frame, columns: list[str]) -> list[dict]:
    return [{c: _plain(row[c]) for c in columns} for _, row in frame.iterrows()]


def _density_grid(data: Dataset, period: Period) -> dict:
    """Youths of the cohort by INSEE's three classes and seven levels, with the edition."""

    def counts(levels: bool) -> dict:
        frame = coverage.density_grid(data, period, levels)
        pairs = zip(frame["grille"], frame["jeunes_inscrits"], strict=True)
        return {str(k): int(n) for k, n in pairs}

    return {"edition": rurality.edition(), "classes": counts(False), "niveaux": counts(True)}


def indicators_report(data: Dataset, period: Period) -> dict:
    """`{"du", "au", "chiffres_cles", "seuil_parcours_bloques", "entonnoir",
    "honorabilite", "associations", "territoires", "grille_densite", "durees",
    "seuil_binomes_suivis", "conformite", "qualite"}`. `chiffres_cles` are the headline
    figures keyed by their catalogue id (indicators/catalogue.py), the same as the Synthèse's tiles;
    `grille_densite` counts the cohort by INSEE's three classes and seven levels, with the
    grid's edition; `durees` describes the binômes started in the period, as the pack
    counts them: retention at 3, 6 and 12 months (`part_3_mois`…), its 95 % interval
    (`part_3_mois_ic_bas`, `part_3_mois_ic_haut`) and the binômes still followed then
    (`part_3_mois_a_risque`; fewer than `seuil_binomes_suivis`: the estimate is fragile);
    `conformite` counts the compliance alerts per rule over every parcours known at `au`,
    whatever its inscription date; `qualite` follows the binômes (indicators/followup.py:
    meetings, rhythm, early breaks, 3-month reviews, satisfaction, exits) for every
    association together and under `par_association`, None where an association sends
    no value of the field."""
    steps = funnel.funnel(data, period)
    checks = honorabilite.summary(data, period)
    return {
        "du": period.du.isoformat(),
        "au": period.au.isoformat(),
        "chiffres_cles": {
            **{k: _plain(v) for k, v in headline.figures(data, period).items()},
            "parcours_bloques": headline.blocked(data, period),
        },
        "seuil_parcours_bloques": settings.STUCK_DAYS.value(),
        "entonnoir": _records(
            steps,
            [
                "etape",
                "effectif",
                "taux_etape_precedente",
                "taux_depuis_inscription",
                "delai_etape_jours",
            ],
        ),
        "honorabilite": {k: _plain(v) for k, v in checks.items()},
        "associations": workload.association_load_records(data, period.au),
        "territoires": {
            classe: {k: _plain(v) for k, v in values.items()}
            for classe, values in coverage.territories_json(data, period).items()
        },
        "grille_densite": _density_grid(data, period),
        "durees": {k: _plain(v) for k, v in durations.figures(data, period).items()},
        "seuil_binomes_suivis": durations.MIN_AT_RISK,
        "conformite": compliance.counts(data, period.au),
        "qualite": followup.report(data, period),
    }
