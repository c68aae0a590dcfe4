"""`demo`: rebuild the demo database from the generated demo files, through the pipeline."""

from __future__ import annotations

import argparse
from pathlib import Path

from commands.ingest import summary
from pipelines.api import load_key

NAME = "demo"
HELP = "reconstruire la base de démonstration"
DESCRIPTION = (
    "régénère les fichiers de démonstration (un département fictif calqué sur le Nord) et "
    "reconstruit la base en les important par le pipeline."
)
DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="ne rien faire si la base contient déjà des imports",
    )
    p.add_argument(
        "--dir",
        type=Path,
        default=DEMO_DIR,
        metavar="DOSSIER",
        help="dossier où écrire les fichiers générés (par défaut data/demo)",
    )


def run(args: argparse.Namespace) -> int:
    from demo.database import build_demo_database, has_imports
    from store.db import make_engine

    engine = make_engine()
    if args.if_missing and has_imports(engine):
        print("La base contient déjà des données : base de démonstration non reconstruite.")
        return 0
    reports = build_demo_database(engine, args.dir, load_key())
    for report in reports:
        print(summary(report))
    return 1 if any(r.statut == "rejete" for r in reports) else 0
