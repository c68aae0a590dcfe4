"""The command line, `pilotage COMMAND …` (or `python -m commands COMMAND …`).

`cli.py` builds the parser from the command modules, one per command (`ingest`, `demo`,
`indicators`, `comite`, `purge-journal`, `undo`, `key`, `users`): each has `NAME`, `HELP`,
`add_arguments(parser)` and `run(args) -> int` (the exit code). A command may use every
layer below it (the import, the reports, the accounts, the demo builder); nothing imports
this package.
"""
