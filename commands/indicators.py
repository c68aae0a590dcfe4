"""`indicators --du --au`: the steering figures of a period, as text or JSON."""

from __future__ import annotations

import argparse
import json

from commands.common import checked_period

NAME = "indicators"
HELP = "indicateurs de pilotage sur une période"
DESCRIPTION = (
    "indicateurs de la période (cohorte des inscriptions du --du au --au, données arrêtées "
    "au --au) : chiffres clés de la Synthèse, entonnoir, délais d'honorabilité, charge des "
    "associations, couverture rurale (rural et urbain, classes et niveaux de la grille de "
    "densité de l'INSEE), maintien des binômes à 3, 6 et 12 mois avec son intervalle de "
    "confiance, nombre d'alertes de conformité par règle (sur tous les parcours connus à la "
    "date d'arrêté) ; résumé lisible, ou JSON avec --json."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--du", required=True, metavar="AAAA-MM-JJ", help="début de période")
    p.add_argument(
        "--au",
        required=True,
        metavar="AAAA-MM-JJ",
        help="fin de période et date d'arrêté des données",
    )
    p.add_argument("--association", metavar="NOM", help="limiter aux parcours d'une association")
    p.add_argument("--json", action="store_true", help="sortie au format JSON")


def run(args: argparse.Namespace) -> int:
    from indicators.dataset import Dataset, Filters
    from indicators.report import indicators_report
    from indicators.summary_text import summary_text
    from pipelines.api import ensure_database
    from store.db import make_engine
    from store.queries import dataset_frames

    engine = make_engine()
    ensure_database(engine)
    with engine.connect() as conn:
        data = Dataset(**dataset_frames(conn))
    period = checked_period(args.du, args.au, data, engine)  # the web's check, its words
    if args.association:
        data = data.scoped(Filters(association=args.association))
    report = indicators_report(data, period)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(summary_text(report))
    return 0
