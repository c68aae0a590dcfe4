"""The parser of `pilotage COMMAND …` (see `--help`), built from the command modules.

Every message is French (argparse's own words too, `commands/french_help.py`) and every
failure exits with a code, never a traceback. `commands/reference.py` writes the README's
command-line reference from this parser.
"""

from __future__ import annotations

import argparse
import logging
import sys

import settings
from auth.accounts import AccountError
from commands import comite, demo, indicators, ingest, key, purge_journal, undo, users
from commands.common import CommandError
from commands.french_help import FrenchParser
from pipelines.api import IngestError

COMMANDS = (ingest, demo, indicators, comite, purge_journal, undo, key, users)


def parser() -> argparse.ArgumentParser:
    """`pilotage` and its commands, each with its one-line `HELP` and its `DESCRIPTION`."""
    top = FrenchParser(
        prog="pilotage",
        description="Pilotage du mentorat ASE : import des fichiers, indicateurs, pack du "
        "comité, comptes et base de démonstration.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    for command in COMMANDS:
        command.add_arguments(
            sub.add_parser(command.NAME, help=command.HELP, description=command.DESCRIPTION)
        )
    return top


def main(argv: list[str] | None = None) -> int:
    debug = settings.DEBUG.value()
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    args = parser().parse_args(argv)
    run = {command.NAME: command.run for command in COMMANDS}[args.command]
    try:
        return run(args)
    except (CommandError, IngestError, AccountError, settings.SettingError) as exc:
        print(exc.message, file=sys.stderr)  # a setting written wrong: what to write instead
        return 1
