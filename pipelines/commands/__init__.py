"""The commands of `python -m pipelines`, one module each.

Each module has `NAME`, `HELP`, `add_arguments(parser)` and `run(args) -> int` (the exit
code); `pipelines/cli.py` builds the parser from them and turns every expected failure into
one French message. Account management lives with the accounts, in `auth/cli.py`.
"""
