"""`python -m commands …`: the same command line as `pilotage …` (see `--help`)."""

import sys

from commands.cli import main

sys.exit(main())
