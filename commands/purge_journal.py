"""`purge-journal`: delete the audit log entries older than the retention period (to be
run on a schedule)."""

from __future__ import annotations

import argparse

NAME = "purge-journal"
HELP = "supprimer les entrées du journal d'audit de plus de 12 mois (tâche planifiée)"
DESCRIPTION = (
    "supprime les entrées du journal d'audit de plus de 12 mois (à planifier, par exemple "
    "chaque nuit) ; les plus récentes ne peuvent pas l'être."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """No option."""


def run(_args: argparse.Namespace) -> int:
    from pipelines.api import ensure_database
    from store.audit import purge
    from store.db import make_engine

    engine = make_engine()
    ensure_database(engine)
    print(f"{purge(engine)} entrée(s) du journal d'audit purgée(s) (plus de 12 mois).")
    return 0
