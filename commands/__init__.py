"""The command line, `pilotage COMMAND …` (or `python -m commands COMMAND …`).

`cli.py` builds the parser from the command modules, one per command (`ingest`, `demo`,
`indicators`, `comite`, `purge-journal`, `undo`, `key`, `users`): each has `NAME`, `HELP`
(one line in `pilotage --help`), `DESCRIPTION` (the head of its own `--help`),
`add_arguments(parser)` and `run(args) -> int` (the exit code). `french_help.py` makes
argparse's own words French; `reference.py` writes the README's command-line reference and
settings table from the parser and the registry (`make docs`). A command may use every layer
below it (the import, the reports, the accounts, the demo builder); nothing imports this
package.
"""
