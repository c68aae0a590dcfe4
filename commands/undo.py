"""`undo IMPORT_ID`: undo an import (its rows go back to what they were)."""

from __future__ import annotations

import argparse

from store.audit import command_line_actor

NAME = "undo"
HELP = "annuler un import (ses lignes reviennent à leur état antérieur)"
DESCRIPTION = (
    "annule un import d'export d'association, de fiches ou de suivi d'honorabilité : les "
    "lignes qu'il a créées sont supprimées, celles qu'il a modifiées ou signalées absentes "
    "reprennent leur état antérieur, les parcours sont recalculés ; l'annulation est gardée "
    "dans l'historique et inscrite au journal d'audit. Seul le dernier import non annulé "
    "d'une même source peut être annulé ; le référentiel des associations se corrige en le "
    "réimportant. Un fichier annulé peut être importé de nouveau."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("import_id", metavar="IMPORT_ID", type=int, help="numéro de l'import")
    p.add_argument(
        "--user",
        metavar="NOM",
        help="nom de la personne qui annule, gardé dans l'historique et le journal d'audit ; "
        "par défaut l'utilisateur du système",
    )


def run(args: argparse.Namespace) -> int:
    from pipelines.api import ensure_database, undo
    from store.db import make_engine

    engine = make_engine()
    ensure_database(engine)
    actor = command_line_actor(args.user)
    report = undo(engine, args.import_id, actor)
    print(
        f"✓ Import n° {report.import_id} ({report.fichier}) annulé : "
        f"{report.supprimes} lignes supprimées, {report.restaures} lignes rétablies ; "
        "parcours recalculés."
    )
    return 0
