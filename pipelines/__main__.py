"""`python -m pipelines` was the command line before it got a package of its own: say where it
went instead of failing with Python's « No module named pipelines.__main__ »."""

import sys

print(
    "La ligne de commande s'appelle désormais « pilotage » (par exemple « pilotage ingest "
    "FICHIER » ; sans installation : « python -m commands ingest FICHIER »).",
    file=sys.stderr,
)
sys.exit(2)
